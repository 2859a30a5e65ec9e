//===- TileInPlace.h - tile a linalg op and replace it ----------*- C++ -*-===//
//
// The step every tiling pass of the CPU pipeline takes: upstream's
// scf::tileUsingSCF at the op, then the op replaced by the loops' results.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_TILEINPLACE_H
#define STRATA_CODEGEN_CPU_TILEINPLACE_H

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

namespace strata {

/// Tiles `op` with `options` and replaces it with the tiled loops. Returns
/// the innermost tiled op, or failure with `op` unchanged.
llvm::FailureOr<mlir::Operation *>
tileInPlace(mlir::RewriterBase &rewriter, mlir::Operation *op,
            const mlir::scf::SCFTilingOptions &options);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_TILEINPLACE_H
