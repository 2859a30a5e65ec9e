//===- CpuTarget.h - --target presets, target machines, feature masks -*- C++ -*-===//
//
// A CPU target is a value chosen once per compilation: a preset (host,
// x86-64-v2/-v3/-v4), optionally refined by an LLVM CPU name and features.
// It becomes the LLVM TargetMachine that emits the code, and the record
// that the artifact's descriptor carries (strata/model_abi.h, ABI v3) so
// that the runtime refuses a library whose features the CPU lacks.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_CPUTARGET_H
#define STRATA_CODEGEN_CPU_CPUTARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace strata {

/// What the user asked for.
struct CpuTarget {
  /// A preset from cpuTargetPresets(): "host" (this machine's CPU and every
  /// feature it has), "x86-64", "x86-64-v2", "x86-64-v3" (AVX2, FMA) or
  /// "x86-64-v4" (AVX-512).
  std::string preset = "host";
  /// An LLVM CPU name ("znver3", "skylake-avx512") that replaces the
  /// preset's CPU; empty: the preset's.
  std::string cpu;
  /// Features added to the CPU's own: "+avx512vnni,-avx512bf16".
  std::string features;
  /// LLVM target triple; empty: the host's.
  std::string triple;
};

/// What the descriptor records (strata_model_desc's ABI-3 fields).
struct TargetRecord {
  std::string target; ///< the preset, or the CPU name that replaced it
  std::string cpu;    ///< the CPU LLVM generated code for
  uint32_t arch = 0;  ///< a strata_arch
  uint64_t cpuFeatures = 0; ///< STRATA_CPU_* bits the code may use
};

/// "avx2, fma, ..." for STRATA_CPU_* bits (LLVM's feature names).
std::string cpuFeatureNames(uint64_t features);

/// The accepted presets, in the order --help lists them.
llvm::ArrayRef<llvm::StringRef> cpuTargetPresets();

struct ResolvedTarget {
  std::shared_ptr<llvm::TargetMachine> machine;
  TargetRecord record;
};

/// Validates `target` (an unknown preset, CPU or feature is an error that
/// lists what is accepted) and creates its target machine.
llvm::Expected<ResolvedTarget> resolveCpuTarget(const CpuTarget &target);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_CPUTARGET_H
