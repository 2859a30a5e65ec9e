//===- Registration.cpp - dialects and passes strata uses -----------------===//
#include "lib/driver/Registration.h"

#include "codegen/cpu/CpuPipeline.h"
#include "dialects/graph/GraphDialect.h"
#include "passes/graph/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

namespace strata {

void registerStrataDialects(mlir::DialectRegistry &registry) {
  registry.insert<graph::GraphDialect>();
  // All upstream dialects and their interface models: the CPU pipeline
  // relies on the bufferization and convert-to-llvm models of several.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void registerStrataPasses() {
  static bool registered = [] {
    mlir::registerAllPasses();
    registerStrataGraphPasses();
    registerCpuPipelines();
    return true;
  }();
  (void)registered;
}

} // namespace strata
