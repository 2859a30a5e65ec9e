//===- BatchLoop.h - run a symbolic-batch model sample by sample -*- C++ -*-===//
//
// A model whose inputs have a symbolic leading dimension (N x 3 x 224 x 224)
// is compiled for one sample and run by the runtime once per sample, when
// every sample is computed independently of the others. This file decides
// that from two imports of the model, at batch 1 and at batch 2, without
// knowing the ops: each value computed from the batch must keep it as its
// leading dimension (and nothing else may change between the probes), no op
// may work along axis 0 of a batched value, and broadcasting ops must not
// align a batched operand's leading dimension with another dimension.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_DRIVER_BATCHLOOP_H
#define STRATA_LIB_DRIVER_BATCHLOOP_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace strata {

/// Which inputs and outputs carry the batch as their leading dimension.
struct BatchPlan {
  std::vector<bool> inputs, outputs;
};

/// `one` and `two` are the same model imported with the symbolic leading
/// dimensions set to 1 and 2 (arguments marked "graph.symbolic_batch").
/// Emits an error at the op that prevents a per-sample loop.
mlir::FailureOr<BatchPlan> planBatchLoop(mlir::func::FuncOp one,
                                         mlir::func::FuncOp two);

} // namespace strata

#endif // STRATA_LIB_DRIVER_BATCHLOOP_H
