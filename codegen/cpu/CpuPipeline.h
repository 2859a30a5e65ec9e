//===- CpuPipeline.h - linalg on tensors -> LLVM dialect --------*- C++ -*-===//
#ifndef STRATA_CODEGEN_CPU_CPUPIPELINE_H
#define STRATA_CODEGEN_CPU_CPUPIPELINE_H

#include "codegen/cpu/TargetDescription.h"

#include "mlir/Pass/PassManager.h"

#include <string>

namespace strata {

/// Where the CPU lowering stops: after the dispatches are outlined (the
/// host schedule: the entry function launching dispatch functions over
/// the arena, still in scf / memref), or at the LLVM dialect.
enum class CpuPipelineEnd { Schedule, LLVMDialect };

/// Appends the CPU lowering (layout, register blocks, fusion, one-shot
/// bufferization, outputs as out-parameters, deallocation, loops, LLVM
/// dialect) for `target` to `pm`. The textual form is what `strata-opt
/// --strata-cpu-lower-to-llvm` runs (with the default description's
/// blocks), so each stage can be replayed alone.
llvm::LogicalResult
buildCpuLoweringPipeline(mlir::OpPassManager &pm,
                         const CpuTargetDescription &target,
                         CpuPipelineEnd end = CpuPipelineEnd::LLVMDialect);

/// The same pipeline as text, for --help and for reproducing a stage.
std::string
cpuLoweringPipelineText(const CpuTargetDescription &target,
                        CpuPipelineEnd end = CpuPipelineEnd::LLVMDialect);

/// Registers `--strata-cpu-lower-to-llvm` with the pass registry.
void registerCpuPipelines();

} // namespace strata

#endif // STRATA_CODEGEN_CPU_CPUPIPELINE_H
