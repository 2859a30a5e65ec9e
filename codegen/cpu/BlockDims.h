//===- BlockDims.h - the register-block loops of a linalg op ----*- C++ -*-===//
//
// Which loops of a contraction or NHWC convolution the register blocks of
// strata-vectorize-contractions span, shared with strata-form-dispatches,
// which splits the same ops into workgroups along whole blocks.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_BLOCKDIMS_H
#define STRATA_CODEGEN_CPU_BLOCKDIMS_H

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

#include <optional>

namespace strata {

/// The largest divisor of `extent` that is at most `limit`.
int64_t largestDivisor(int64_t extent, int64_t limit);

/// The loops of a register block: M (rows of the block) and N (its
/// vector dimension).
struct BlockDims {
  unsigned m, n;
  bool isConv;
  /// The innermost reduction loop of a contraction (for cache blocks).
  std::optional<unsigned> k;
};

/// The M and N loops of a static f32 contraction (the innermost M and N
/// dims) or NHWC convolution (output columns and output channels); nullopt
/// for other ops.
std::optional<BlockDims> blockDims(mlir::linalg::LinalgOp op);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_BLOCKDIMS_H
