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

#include <map>
#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace strata {

inline constexpr const char kDispatchPrefix[] = "strata.dispatch.";
inline constexpr const char kLaunchPrefix[] = "strata.launch.";
/// `strata.group.<f>.<k1>.<k2>...(executor, grid1, captures1..., grid2,
/// captures2...)`: independent dispatches <f>.<k1>, <f>.<k2>, ... launched
/// together (strata-group-dispatches).
inline constexpr const char kGroupPrefix[] = "strata.group.";

/// The module attribute where strata-outline-dispatches records each
/// dispatch's name ("<f>.<k>" -> the ONNX nodes it came from).
inline constexpr const char kDispatchNamesAttr[] = "strata.dispatch_names";
/// The table of strata_dispatch_info {trampoline, name} that
/// addDispatchAbi defines and the descriptor points to (ABI version 5).
inline constexpr const char kDispatchTableSymbol[] = "strata.dispatches";

/// Defines each declared launch of `module` (see above), and the table
/// kDispatchTableSymbol naming each trampoline with `names[suffix]`
/// (suffix "<f>.<k>"). Fails when a launch has no matching body or
/// arguments that do not fit a slot.
llvm::Error addDispatchAbi(llvm::Module &module,
                           const std::map<std::string, std::string> &names);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_DISPATCHABI_H
