//===- ObjectEmitter.h - LLVM module -> optimized object file ---*- C++ -*-===//
#ifndef STRATA_CODEGEN_CPU_OBJECTEMITTER_H
#define STRATA_CODEGEN_CPU_OBJECTEMITTER_H

#include "llvm/Support/Error.h"

#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace strata {

/// A CPU target: a value passed down the pipeline, not an #ifdef.
struct CpuTarget {
  std::string triple;   ///< empty: the host's
  std::string cpu;      ///< "host" (default): the host's CPU and features
  std::string features; ///< "+avx512f,..."; added to the CPU's own
};

/// Sets the module's triple and data layout for `target`, runs LLVM's O3
/// pipeline and returns the object file's bytes.
llvm::Expected<std::string> emitObject(llvm::Module &module,
                                       const CpuTarget &target);

/// Prepares `module` for `target` (triple, data layout) and optimizes it at
/// O3, without emitting; used for --emit=llvm.
llvm::Error optimizeModule(llvm::Module &module, const CpuTarget &target);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_OBJECTEMITTER_H
