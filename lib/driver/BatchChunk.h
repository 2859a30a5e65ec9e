//===- BatchChunk.h - a second program for whole chunks of a batch -*- C++ -*-===//
//
// A batch-loop model (BatchLoop.h) runs its per-sample program once per
// sample. Where the weights dominate the work (an MLP, a transformer
// decoding one token), that turns a batch-8 GEMM into 8 matrix-vector
// products that each stream every weight. The library then also carries
// the model compiled at a static batch of `chunk` samples: every dispatch
// of that program has the batch as a dimension, and the runtime runs whole
// chunks through it (model ABI 7).
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_DRIVER_BATCHCHUNK_H
#define STRATA_LIB_DRIVER_BATCHCHUNK_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>

namespace strata {

/// The work of a program against its weights: multiply-adds of its
/// contractions (linalg ops with a reduction, static loop ranges) and the
/// bytes of its constants of 1 KB or more.
struct ProgramIntensity {
  double multiplyAdds = 0;
  int64_t weightBytes = 0;
};
ProgramIntensity measureIntensity(mlir::func::FuncOp func);

/// The chunk `--batch-chunk=auto` picks for a per-sample program: 8 when it
/// does fewer than kChunkMaxMacsPerByte multiply-adds per weight byte and
/// has at least kChunkMinWeightBytes of weights (batching then reuses each
/// weight 8 times), else 0 (none).
constexpr double kChunkMaxMacsPerByte = 8.0;
constexpr int64_t kChunkMinWeightBytes = 256 * 1024;
unsigned autoBatchChunk(const ProgramIntensity &intensity);

/// Checks that `chunked` (the model imported with its batch set to `chunk`)
/// has the per-sample program's signature, with `chunk` samples in the
/// leading dimension of the batched arguments and results (`batchedInputs`,
/// `batchedOutputs`). On failure, `why` says what differs.
mlir::LogicalResult matchesChunkSignature(mlir::func::FuncOp perSample,
                                          mlir::func::FuncOp chunked,
                                          unsigned chunk,
                                          llvm::ArrayRef<bool> batchedInputs,
                                          llvm::ArrayRef<bool> batchedOutputs,
                                          std::string &why);

} // namespace strata

#endif // STRATA_LIB_DRIVER_BATCHCHUNK_H
