//===- RegisterBlocks.h - loops over register blocks ------------*- C++ -*-===//
//
// What the hand-blocked kernels (strata-lower-int8-contractions,
// strata-lower-weight-only-contractions) share: their loops run over
// static extents (dispatches are static pieces), in whole blocks and then
// a remainder block of its own, smaller, size; and an accumulator's zero
// fill just before them makes them start from zeros instead of loads.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_REGISTERBLOCKS_H
#define STRATA_CODEGEN_CPU_REGISTERBLOCKS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace strata {

/// `fn(start, count)` for the blocks of `step` in [0, extent): an scf.for
/// over the whole ones (`count` = `step`), then the remainder, if any, as a
/// block of its own size. `b` inserts into the loop's body while `fn` runs.
void forBlocks(mlir::OpBuilder &b, mlir::Location loc, int64_t extent,
               int64_t step, llvm::function_ref<void(mlir::Value, int64_t)> fn);

/// The linalg.fill of integer 0 or f32 +0.0 into `init` right before `op`
/// (a dispatch's share of an accumulator's fill), or null: a kernel can
/// start its accumulators at zero and erase it.
mlir::linalg::FillOp zeroFillBefore(mlir::Operation *op, mlir::Value init);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_REGISTERBLOCKS_H
