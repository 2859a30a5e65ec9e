//===- CpuTarget.cpp - --target presets, target machines, feature masks ---===//
#include "codegen/cpu/CpuTarget.h"

#include "strata/model_abi.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace llvm;

namespace strata {
namespace {

struct FeatureBit {
  StringRef llvmName;
  unsigned bit;
};

#define STRATA_FEATURE_ENTRY_(NAME, BIT, TEXT) {TEXT, BIT},
constexpr FeatureBit x86Features[] = {
    STRATA_X86_FEATURES(STRATA_FEATURE_ENTRY_)};
#undef STRATA_FEATURE_ENTRY_

void initializeTargets() {
  static bool initialized = [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
}

/// The preset's LLVM CPU name; "host" resolves to this machine's.
StringRef presetCpu(StringRef preset) {
  if (preset == "host")
    return sys::getHostCPUName();
  return preset; // the x86-64 levels are LLVM CPU names themselves
}

/// Every feature of this machine, "+a,-b,...", as LLVM detects them.
std::string hostFeatures() {
  std::string features;
  for (const auto &feature : sys::getHostCPUFeatures())
    features += (features.empty() ? "" : ",") +
                std::string(feature.second ? "+" : "-") +
                feature.first().str();
  return features;
}

/// Checks "+a,-b" against the target's feature names.
Error checkFeatureList(const MCSubtargetInfo &info, StringRef list) {
  SmallVector<StringRef> items;
  list.split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    item = item.trim();
    if (!item.consume_front("+") && !item.consume_front("-"))
      return createStringError(
          "target feature '%s' must start with '+' or '-' (e.g. +avx2)",
          item.str().c_str());
    if (!any_of(info.getAllProcessorFeatures(),
                [&](const SubtargetFeatureKV &kv) {
                  return item == kv.Key;
                }))
      return createStringError("unknown target feature '%s'",
                               item.str().c_str());
  }
  return Error::success();
}

/// The STRATA_CPU_* bits of the features `info` has enabled (with the ones
/// they imply).
uint64_t featureMask(const MCSubtargetInfo &info) {
  uint64_t mask = 0;
  for (const FeatureBit &feature : x86Features) {
    bool known = any_of(info.getAllProcessorFeatures(),
                        [&](const SubtargetFeatureKV &kv) {
                          return feature.llvmName == kv.Key;
                        });
    // checkFeatures aborts on a name this LLVM does not know.
    if (known && info.checkFeatures(("+" + feature.llvmName).str()))
      mask |= uint64_t(1) << feature.bit;
  }
  return mask;
}

} // namespace

std::string cpuFeatureNames(uint64_t features) {
  std::string names;
  for (const FeatureBit &feature : x86Features)
    if (features >> feature.bit & 1)
      names += (names.empty() ? "" : ", ") + feature.llvmName.str();
  return names;
}

ArrayRef<StringRef> cpuTargetPresets() {
  static const StringRef presets[] = {"host", "x86-64", "x86-64-v2",
                                      "x86-64-v3", "x86-64-v4"};
  return presets;
}

Expected<ResolvedTarget> resolveCpuTarget(const CpuTarget &target) {
  initializeTargets();
  if (!is_contained(cpuTargetPresets(), target.preset))
    return createStringError("unknown target '%s'; expected one of: %s",
                             target.preset.c_str(),
                             join(cpuTargetPresets(), ", ").c_str());
  std::string tripleName =
      target.triple.empty() ? sys::getDefaultTargetTriple() : target.triple;
  Triple triple(tripleName);
  std::string error;
  const Target *llvmTarget = TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return createStringError("unknown target triple '%s': %s",
                             tripleName.c_str(), error.c_str());
  bool x86 = triple.getArch() == Triple::x86_64;
  if (!x86 && target.preset != "host")
    return createStringError("target '%s' needs an x86-64 triple, not '%s'",
                             target.preset.c_str(), tripleName.c_str());

  // The CPU: --mcpu, else the preset's ("host" means this machine, whose
  // features LLVM detects; a named CPU brings its own).
  bool useHost = target.cpu.empty() ? target.preset == "host"
                                    : target.cpu == "host";
  std::string cpu = target.cpu.empty() || target.cpu == "host"
                        ? presetCpu(useHost ? "host" : target.preset).str()
                        : target.cpu;
  std::unique_ptr<MCSubtargetInfo> probe(
      llvmTarget->createMCSubtargetInfo(triple, "", ""));
  if (!useHost && !probe->isCPUStringValid(cpu))
    return createStringError("unknown CPU '%s' for %s (LLVM's names, e.g. "
                             "znver3, skylake-avx512, x86-64-v3)",
                             cpu.c_str(), tripleName.c_str());
  if (Error error = checkFeatureList(*probe, target.features))
    return std::move(error);
  std::string features = useHost ? hostFeatures() : "";
  if (!target.features.empty())
    features += (features.empty() ? "" : ",") + target.features;

  TargetOptions options;
  // Fuse a*b+c into FMA wherever the backend finds it (what
  // -ffp-contract=fast does): one rounding instead of two, and the
  // vectorized contractions reach the FMA units.
  options.AllowFPOpFusion = FPOpFusion::Fast;
  std::shared_ptr<TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, cpu, features, options, Reloc::PIC_, std::nullopt,
      CodeGenOptLevel::Aggressive));
  if (!machine)
    return createStringError("cannot create a target machine for '%s'",
                             tripleName.c_str());

  ResolvedTarget resolved;
  resolved.machine = machine;
  TargetRecord &record = resolved.record;
  record.target = target.cpu.empty() ? target.preset : target.cpu;
  if (!target.features.empty())
    record.target += " " + target.features;
  record.cpu = cpu;
  if (x86) {
    record.arch = STRATA_ARCH_X86_64;
    record.cpuFeatures = featureMask(*machine->getMCSubtargetInfo());
  } else if (triple.getArch() == Triple::aarch64) {
    // AArch64 feature bits are not defined yet: the runtime checks only
    // the architecture.
    record.arch = STRATA_ARCH_AARCH64;
  }
  return resolved;
}

} // namespace strata
