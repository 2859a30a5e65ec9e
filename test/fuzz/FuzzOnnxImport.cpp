//===- FuzzOnnxImport.cpp - libFuzzer target: ONNX bytes -> graph -> linalg ===//
//
// Any byte string goes through what strata-compile does first: protobuf
// parse, import into the graph dialect (with import-time folding), the
// verifier, and the graph -> linalg lowering. Diagnostics are fine (bad
// input is rejected); a crash, a sanitizer report, or an imported module
// that fails verification is a bug. Seeds: the ONNX node tests' models
// (make_seed_corpus.py).
//
//===----------------------------------------------------------------------===//
#include "lib/driver/Registration.h"
#include "lib/frontend/onnx/OnnxImporter.h"
#include "passes/graph/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry;
    strata::registerStrataDialects(*r);
    return r;
  }();
  // Creating a context and loading its dialects costs more than most
  // inputs; one serves 256 inputs, then a fresh one drops what the old one
  // uniqued (constants), so memory stays bounded.
  static std::unique_ptr<MLIRContext> shared;
  static unsigned uses = 0;
  if (!shared || ++uses % 256 == 0) {
    shared = std::make_unique<MLIRContext>(*registry,
                                           MLIRContext::Threading::DISABLED);
    shared->loadAllAvailableDialects();
  }
  MLIRContext &context = *shared;
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  // External data is looked up beside this (missing) file, never elsewhere.
  OwningOpRef<ModuleOp> module = strata::importOnnxModelFromBytes(
      context, StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz-input-dir/model.onnx");
  if (!module)
    return 0;
  if (failed(verify(*module))) {
    std::fprintf(stderr, "the importer returned a module that fails "
                         "verification\n");
    std::abort();
  }
  PassManager lower(&context);
  lower.addPass(strata::createConvertGraphToLinalgPass());
  (void)lower.run(*module);
  return 0;
}
