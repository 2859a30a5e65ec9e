//===- ObjectEmitter.cpp - LLVM module -> optimized object file -----------===//
#include "codegen/cpu/ObjectEmitter.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <memory>

using namespace llvm;

namespace strata {
namespace {

Expected<std::unique_ptr<TargetMachine>>
createTargetMachine(const CpuTarget &target) {
  static bool initialized = [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
  std::string tripleName =
      target.triple.empty() ? sys::getDefaultTargetTriple() : target.triple;
  Triple triple(tripleName);
  std::string error;
  const Target *llvmTarget = TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return createStringError("unknown target '%s': %s", tripleName.c_str(),
                             error.c_str());
  std::string cpu = target.cpu.empty() ? "generic" : target.cpu;
  std::string features;
  if (cpu == "host") {
    cpu = sys::getHostCPUName().str();
    for (const auto &feature : sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") +
                  std::string(feature.second ? "+" : "-") +
                  feature.first().str();
  }
  if (!target.features.empty())
    features += (features.empty() ? "" : ",") + target.features;
  TargetOptions options;
  // Fuse a*b+c into FMA wherever the backend finds it (what -ffp-contract=fast
  // does): one rounding instead of two, and the vectorized contractions
  // reach the FMA units.
  options.AllowFPOpFusion = FPOpFusion::Fast;
  std::unique_ptr<TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, cpu, features, options, Reloc::PIC_, std::nullopt,
      CodeGenOptLevel::Aggressive));
  if (!machine)
    return createStringError("cannot create a target machine for '%s'",
                             tripleName.c_str());
  return machine;
}

void runO3(Module &module, TargetMachine &machine) {
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  builder.buildPerModuleDefaultPipeline(OptimizationLevel::O3)
      .run(module, mam);
}

/// Creates the target machine, sets the module's triple and data layout,
/// and optimizes the module at O3.
Expected<std::unique_ptr<TargetMachine>> prepare(Module &module,
                                                 const CpuTarget &target) {
  auto machine = createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  module.setTargetTriple((*machine)->getTargetTriple());
  module.setDataLayout((*machine)->createDataLayout());
  runO3(module, **machine);
  return machine;
}

} // namespace

Error optimizeModule(Module &module, const CpuTarget &target) {
  return prepare(module, target).takeError();
}

Expected<std::string> emitObject(Module &module, const CpuTarget &target) {
  auto machine = prepare(module, target);
  if (!machine)
    return machine.takeError();
  SmallVector<char, 0> object;
  raw_svector_ostream stream(object);
  legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, stream, nullptr,
                                      CodeGenFileType::ObjectFile))
    return createStringError("the target cannot emit object files");
  codegen.run(module);
  return std::string(object.begin(), object.end());
}

} // namespace strata
