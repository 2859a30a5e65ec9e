//===- ObjectEmitter.h - LLVM module -> optimized object file ---*- C++ -*-===//
#ifndef STRATA_CODEGEN_CPU_OBJECTEMITTER_H
#define STRATA_CODEGEN_CPU_OBJECTEMITTER_H

#include "llvm/Support/Error.h"

#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace strata {

/// Sets the module's triple and data layout for `machine` (a
/// resolveCpuTarget result) and optimizes it at O3; used alone for
/// --emit=llvm.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine);

/// The object file's bytes of a module that optimizeModule has prepared.
llvm::Expected<std::string> emitObject(llvm::Module &module,
                                       llvm::TargetMachine &machine);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_OBJECTEMITTER_H
