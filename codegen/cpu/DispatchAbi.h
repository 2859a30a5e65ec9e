//===- DispatchAbi.h - launches of dispatch functions in LLVM IR -*- C++ -*-===//
//
// strata-outline-dispatches leaves, for each dispatch, a body
// `strata.dispatch.<f>.<k>(workgroup, captures...)` and a declared launch
// `strata.launch.<f>.<k>(executor, grid, captures...)`. addDispatchAbi
// defines every launch in the translated LLVM module: captures go into an
// array of 8-byte slots, and the executor's dispatch callback
// (strata_executor in model_abi.h) runs a trampoline
// `void (const void *slots, int64_t workgroup)` over the grid; a null
// executor runs the grid in order on the calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_DISPATCHABI_H
#define STRATA_CODEGEN_CPU_DISPATCHABI_H

#include "llvm/Support/Error.h"

namespace llvm {
class Module;
} // namespace llvm

namespace strata {

inline constexpr const char kDispatchPrefix[] = "strata.dispatch.";
inline constexpr const char kLaunchPrefix[] = "strata.launch.";

/// Defines each declared launch of `module` (see above). Fails when a
/// launch has no matching body or arguments that do not fit a slot.
llvm::Error addDispatchAbi(llvm::Module &module);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_DISPATCHABI_H
