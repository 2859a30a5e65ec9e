//===- CpuPipeline.h - linalg on tensors -> LLVM dialect --------*- C++ -*-===//
#ifndef STRATA_CODEGEN_CPU_CPUPIPELINE_H
#define STRATA_CODEGEN_CPU_CPUPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace strata {

/// Appends the CPU lowering (fusion, one-shot bufferization, outputs as
/// out-parameters, deallocation, loops, LLVM dialect) to `pm`. Every step is
/// an upstream pass; the textual form is what `strata-opt
/// --strata-cpu-lower-to-llvm` runs, so each stage can be replayed alone.
llvm::LogicalResult buildCpuLoweringPipeline(mlir::OpPassManager &pm);

/// The same pipeline as text, for --help and for reproducing a stage.
llvm::StringRef cpuLoweringPipelineText();

/// Registers `--strata-cpu-lower-to-llvm` with the pass registry.
void registerCpuPipelines();

} // namespace strata

#endif // STRATA_CODEGEN_CPU_CPUPIPELINE_H
