//===- Compiler.cpp - strata::compile, the whole pipeline -----------------===//
//
// import (ONNX -> graph) -> convert-graph-to-linalg -> CPU lowering (LLVM
// dialect) -> LLVM IR + model ABI -> object -> lib<name>.so/.a + <name>.h.
// Each stage can be the last one (--emit). Diagnostics are collected with
// the ONNX node they concern and returned, never printed from here.
//
//===----------------------------------------------------------------------===//
#include "strata/Compiler.h"

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/CpuTarget.h"
#include "codegen/cpu/DispatchAbi.h"
#include "codegen/cpu/ModelAbi.h"
#include "codegen/cpu/ObjectEmitter.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/WeightsPack.h"
#include "codegen/cpu/TargetDescription.h"
#include "lib/driver/ArtifactWriter.h"
#include "lib/driver/BatchChunk.h"
#include "lib/driver/BatchLoop.h"
#include "lib/driver/Registration.h"
#include "lib/driver/Signature.h"
#include "lib/driver/StageReporter.h"
#include "lib/frontend/onnx/OnnxImporter.h"
#include "lib/support/ResourceBlobs.h"
#include "lib/support/NodeLocation.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace strata {

bool parseEmitKind(const std::string &text, EmitKind &kind) {
  static const std::pair<const char *, EmitKind> kinds[] = {
      {"graph", EmitKind::Graph}, {"linalg", EmitKind::Linalg},
      {"schedule", EmitKind::Schedule},
      {"llvm", EmitKind::LLVM},   {"obj", EmitKind::Obj},
      {"lib", EmitKind::Lib}};
  for (const auto &[name, value] : kinds)
    if (text == name) {
      kind = value;
      return true;
    }
  return false;
}

bool parseWeightsMode(const std::string &text, WeightsMode &mode) {
  if (text == "embed")
    mode = WeightsMode::Embed;
  else if (text == "external")
    mode = WeightsMode::External;
  else
    return false;
  return true;
}

bool parseInputShape(const std::string &text, std::string &name,
                     std::vector<int64_t> &shape, std::string &error) {
  auto [namePart, dims] = StringRef(text).rsplit('=');
  if (namePart.empty() || dims.empty() || namePart.size() == text.size()) {
    error = "expected NAME=D0xD1x..., e.g. input=1x3x224x224";
    return false;
  }
  shape.clear();
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0) {
      error = ("'" + part + "' is not a dimension (a non-negative integer)")
                  .str();
      return false;
    }
    shape.push_back(dim);
  }
  name = namePart.str();
  return true;
}

bool parseInputValue(const std::string &text, std::string &name,
                     std::string &value, std::string &error) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    error = "expected NAME=v0,v1,..., e.g. axes=0,2";
    return false;
  }
  name = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

std::vector<std::string> targetPresets() {
  std::vector<std::string> names;
  for (StringRef preset : cpuTargetPresets())
    names.push_back(preset.str());
  return names;
}

namespace {
/// The --target, --mcpu and --mattr of `options`.
CpuTarget cpuTargetOf(const CompileOptions &options) {
  CpuTarget cpuTarget;
  cpuTarget.preset = options.target;
  cpuTarget.cpu = options.targetCpu;
  cpuTarget.features = options.targetFeatures;
  return cpuTarget;
}
} // namespace

bool describeTarget(const CompileOptions &options, std::string &text,
                    std::string &error) {
  llvm::Expected<ResolvedTarget> target =
      resolveCpuTarget(cpuTargetOf(options));
  if (!target) {
    error = llvm::toString(target.takeError());
    return false;
  }
  llvm::raw_string_ostream os(text);
  printCpuTargetDescription(target->record, describeCpuTarget(target->record),
                            os);
  return true;
}

std::string sanitizeModelName(const std::string &stem) {
  std::string name;
  for (char c : stem)
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    name = "m_" + name;
  return name;
}

namespace {

/// Collects diagnostics as "error: node 'x' (Conv, opset 17): message".
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext &context)
      : handler(&context, [this](Diagnostic &diag) {
          record(diag);
          return success();
        }) {}

  void record(Diagnostic &diag) {
    const char *severity = "error";
    if (diag.getSeverity() == DiagnosticSeverity::Warning)
      severity = "warning";
    else if (diag.getSeverity() == DiagnosticSeverity::Note)
      severity = "note";
    else if (diag.getSeverity() == DiagnosticSeverity::Remark)
      severity = "remark";
    std::string where;
    if (!isa<UnknownLoc>(diag.getLocation()))
      where = describeLocation(diag.getLocation()) + ": ";
    text += std::string(severity) + ": " + where + diag.str() + "\n";
    for (Diagnostic &note : diag.getNotes()) {
      // The pass manager attaches a dump of the failing op: too long for a
      // user, who gets the node name instead.
      if (StringRef(note.str()).starts_with("see current operation"))
        continue;
      record(note);
    }
  }

  void add(const std::string &message) { text += "error: " + message + "\n"; }
  std::string text;

private:
  ScopedDiagnosticHandler handler;
};

/// Where an IR stage goes: stdout for "-", a file, or `<dir>/<name>.<ext>`.
std::string stagePath(const CompileOptions &options, StringRef name,
                      StringRef extension) {
  const std::string &out = options.outputPath;
  if (out.empty() || out == "-")
    return "-";
  if (llvm::sys::fs::is_directory(out) || StringRef(out).ends_with("/")) {
    SmallString<256> path(out);
    llvm::sys::path::append(path, name + "." + extension);
    return std::string(path);
  }
  return out;
}

template <typename Printable>
llvm::Error printTo(const std::string &path, Printable &&print) {
  if (path == "-") {
    print(llvm::outs());
    llvm::outs().flush();
    return llvm::Error::success();
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  print(os);
  return writeFile(path, text);
}

llvm::Error ensureDirectory(StringRef dir) {
  if (std::error_code error = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError(error, "cannot create directory '%s': %s",
                                   dir.str().c_str(),
                                   error.message().c_str());
  return llvm::Error::success();
}

class Compilation {
public:
  Compilation(const CompileOptions &options)
      : options(options), context(makeRegistry()), diagnostics(context),
        stages(options.progress, llvm::errs()) {
    context.loadAllAvailableDialects();
    // --timing: a tree of stages and passes with wall times, printed to
    // stderr when the compilation ends.
    timingManager.setEnabled(options.timing);
    timing = timingManager.getRootScope();
  }

  CompileResult run() {
    CompileResult result;
    result.ok = true;
    if (llvm::Error error = runStages(result)) {
      result.ok = false;
      std::string message = llvm::toString(std::move(error));
      // An empty message marks a failure already reported as diagnostics.
      if (!message.empty() || diagnostics.text.empty())
        diagnostics.add(message.empty() ? "compilation failed" : message);
    }
    result.errors = diagnostics.text;
    if (!result.ok)
      result.outputFile.clear();
    return result;
  }

private:
  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerStrataDialects(registry);
    return registry;
  }

  /// A failure whose diagnostics were already collected.
  static llvm::Error reported() { return llvm::createStringError(""); }

  /// Runs the stages up to options.emit.
  llvm::Error runStages(CompileResult &result) {
    std::string name = options.name.empty()
                           ? sanitizeModelName(llvm::sys::path::stem(
                                                   options.modelPath)
                                                   .str())
                           : sanitizeModelName(options.name);
    // The target first: a typo in --target fails before a long compile.
    llvm::Expected<ResolvedTarget> target =
        resolveCpuTarget(cpuTargetOf(options));
    if (!target)
      return target.takeError();

    // A symbolic leading (batch) dimension is imported as 1: that is the
    // per-sample program when the model qualifies for a batch loop.
    OnnxImportOptions importOptions;
    importOptions.inputShapes = options.inputShapes;
    importOptions.inputValues = options.inputValues;
    importOptions.dynamicLeadingDim = 1;
    stages.begin(("import " + llvm::sys::path::filename(options.modelPath))
                     .str());
    TimingScope importing = timing.nest("ONNX import");
    OwningOpRef<ModuleOp> module =
        importOnnxModel(context, options.modelPath, importOptions);
    importing.stop();
    if (!module)
      return reported();
    if (options.emit == EmitKind::Graph)
      return printModule(*module, name, "graph.mlir", result);

    auto main = module->lookupSymbol<func::FuncOp>("main");
    if (!main)
      return llvm::createStringError("imported module has no main function");
    FailureOr<ModelSignature> signature = extractSignature(main, name);
    if (failed(signature))
      return reported();
    if (failed(planBatch(main, importOptions, *signature)))
      return reported();
    // The batch probe's weights (see planBatch) are dead.
    releaseUnusedResourceBlobs(*module);
    std::string implName = "strata_" + name + "_impl";
    if (failed(SymbolTable::replaceAllSymbolUses(
            main, StringAttr::get(&context, implName), *module)))
      return llvm::createStringError("cannot rename the entry function");
    main.setSymName(implName);
    stripSignatureAttrs(main);

    stages.begin("graph -> linalg");
    PassManager toLinalg(&context);
    TimingScope linalgTiming = timing.nest("graph -> linalg");
    toLinalg.enableTiming(linalgTiming);
    addGraphToLinalg(toLinalg, options.report);
    if (failed(toLinalg.run(*module)))
      return reported();
    linalgTiming.stop();
    if (signature->batchLoop)
      if (llvm::Error error = addBatchChunkProgram(*module, main,
                                                   importOptions, *signature))
        return error;
    if (options.emit == EmitKind::Linalg)
      return printModule(*module, name, "linalg.mlir", result);

    stages.begin("linalg -> LLVM dialect (tiling, vectorization, dispatches, "
                 "arena)");
    PassManager toLLVM(&context);
    TimingScope llvmDialectTiming = timing.nest("linalg -> LLVM dialect");
    toLLVM.enableTiming(llvmDialectTiming);
    CpuPipelineEnd end = options.emit == EmitKind::Schedule
                             ? CpuPipelineEnd::Schedule
                             : CpuPipelineEnd::LLVMDialect;
    if (failed(buildCpuLoweringPipeline(
            toLLVM, describeCpuTarget(target->record), end)))
      return llvm::createStringError("invalid built-in CPU pipeline");
    if (failed(toLLVM.run(*module)))
      return reported();
    if (options.emit == EmitKind::Schedule)
      return printModule(*module, name, "schedule.mlir", result);
    llvmDialectTiming.stop();
    readArenaPlan(*module, implName, *signature, result);
    stages.begin("weights");
    StringRef dir = options.outputPath.empty() ? StringRef(".")
                                               : StringRef(options.outputPath);
    bool writesFiles =
        options.emit == EmitKind::Obj || options.emit == EmitKind::Lib;
    if (writesFiles)
      if (llvm::Error error = ensureDirectory(dir))
        return error;
    std::string weightsObject;
    llvm::FileRemover removeWeightsObject;
    if (llvm::Error error = packWeights(*module, name, *target, dir,
                                        writesFiles, *signature,
                                        weightsObject))
      return error;
    if (options.emit == EmitKind::Lib && !weightsObject.empty())
      removeWeightsObject.setFile(weightsObject);
    std::map<std::string, std::string> dispatchNames;
    if (auto names = (*module)->getAttrOfType<DictionaryAttr>(
            kDispatchNamesAttr))
      for (NamedAttribute entry : names)
        if (auto text = dyn_cast<StringAttr>(entry.getValue()))
          dispatchNames[entry.getName().str()] = text.str();

    stages.begin("translation to LLVM IR");
    llvm::LLVMContext llvmContext;
    TimingScope translating = timing.nest("translation to LLVM IR");
    std::unique_ptr<llvm::Module> llvmModule =
        translateModuleToLLVMIR(*module, llvmContext, name);
    translating.stop();
    if (!llvmModule)
      return llvm::createStringError("translation to LLVM IR failed");
    // The dispatch table first: the descriptor points to it.
    if (llvm::Error error = addDispatchAbi(*llvmModule, dispatchNames))
      return error;
    if (llvm::Error error = addModelAbi(*llvmModule, *signature, implName,
                                        target->record))
      return error;

    if (options.emit == EmitKind::LLVM) {
      optimizeModule(*llvmModule, *target->machine);
      std::string path = stagePath(options, name, "ll");
      result.outputFile = path == "-" ? "" : path;
      return printTo(path, [&](llvm::raw_ostream &os) {
        llvmModule->print(os, nullptr);
      });
    }

    stages.begin("LLVM optimization (O3)");
    TimingScope optimizing = timing.nest("LLVM optimization (O3)");
    optimizeModule(*llvmModule, *target->machine);
    optimizing.stop();
    stages.begin("LLVM code generation");
    TimingScope emitting = timing.nest("LLVM code generation");
    llvm::Expected<std::string> object =
        emitObject(*llvmModule, *target->machine);
    emitting.stop();
    if (!object)
      return object.takeError();
    // Neither IR is needed any more: free them before the archive and the
    // link, which read the weights object.
    llvmModule.reset();
    module = OwningOpRef<ModuleOp>();
    returnFreedMemory();
    SmallString<256> path(dir);
    if (options.emit == EmitKind::Obj) {
      llvm::sys::path::append(path, name + ".o");
      result.outputFile = std::string(path);
      return writeFile(path, *object);
    }
    llvm::sys::path::append(path, name + ".h");
    if (llvm::Error error =
            writeFile(path, renderModelHeader(*signature, options.modelPath,
                                              target->record)))
      return error;
    stages.begin("archive, link and seal");
    TimingScope writing = timing.nest("archive, link and seal");
    if (llvm::Error error =
            writeStaticLibrary(dir, name, *object, weightsObject))
      return error;
    if (llvm::Error error =
            linkSharedLibrary(dir, name, *object, weightsObject))
      return error;
    writing.stop();
    stages.end();
    SmallString<256> shared(dir);
    llvm::sys::path::append(shared, "lib" + name + ".so");
    result.outputFile = std::string(shared);
    return llvm::Error::success();
  }

  /// `report`: strata-fold-qdq says which quantized products stay as they
  /// are (the chunk program, the same model again, does not repeat it).
  static void addGraphToLinalg(PassManager &pm, bool report = false) {
    FoldQdqOptions fold;
    fold.report = report;
    pm.addPass(createFoldQdq(fold));
    pm.addPass(createFoldBatchNorm());
    pm.addPass(createConvertGraphToLinalgPass());
    pm.addPass(createCanonicalizerPass());
  }

  /// Names, pinned values and the batch mark live in the signature; LLVM
  /// translation has no use for them.
  void stripSignatureAttrs(func::FuncOp func) {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      for (StringRef attr :
           {"graph.name", "graph.pinned_value", "graph.symbolic_batch"})
        func.removeArgAttr(i, StringAttr::get(&context, attr));
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      func.removeResultAttr(i, StringAttr::get(&context, "graph.name"));
  }

  /// Adds to `module` the model compiled for whole chunks of its batch
  /// (BatchChunk.h), `<perSample's name>_chunk`, when options.batchChunk
  /// asks for one, or picks one (auto). An explicit chunk the model cannot
  /// have is an error; auto then quietly compiles none.
  llvm::Error addBatchChunkProgram(ModuleOp module, func::FuncOp perSample,
                                   OnnxImportOptions importOptions,
                                   ModelSignature &signature) {
    bool automatic = options.batchChunk < 0;
    unsigned chunk = automatic ? autoBatchChunk(measureIntensity(perSample))
                               : unsigned(options.batchChunk);
    if (chunk < 2)
      return llvm::Error::success();
    stages.begin(("batch chunk: the model at batch " + Twine(chunk)).str());
    TimingScope chunkTiming = timing.nest("batch-chunk program");
    auto refuse = [&](const Twine &why) -> llvm::Error {
      if (automatic)
        return llvm::Error::success();
      return llvm::createStringError(
          ("--batch-chunk=" + Twine(chunk) + ": " + why).str());
    };
    importOptions.dynamicLeadingDim = chunk;
    OwningOpRef<ModuleOp> chunked =
        importOnnxModel(context, options.modelPath, importOptions);
    if (!chunked)
      return reported();
    auto main = chunked->lookupSymbol<func::FuncOp>("main");
    if (!main || !llvm::hasSingleElement(chunked->getBody()->getOperations()))
      return refuse("the model imports as more than one function");
    stripSignatureAttrs(main);
    PassManager toLinalg(&context);
    addGraphToLinalg(toLinalg);
    if (failed(toLinalg.run(*chunked)))
      return reported();
    SmallVector<bool> batchedInputs, batchedOutputs;
    for (const TensorSignature &tensor : signature.inputs)
      batchedInputs.push_back(!tensor.shape.empty() && tensor.shape[0] == -1);
    for (const TensorSignature &tensor : signature.outputs)
      batchedOutputs.push_back(!tensor.shape.empty() && tensor.shape[0] == -1);
    std::string why;
    if (failed(matchesChunkSignature(perSample, main, chunk, batchedInputs,
                                     batchedOutputs, why)))
      return refuse(why);
    signature.batchChunk = chunk;
    signature.batchImplName = (perSample.getSymName() + "_chunk").str();
    main.setSymName(signature.batchImplName);
    main->remove();
    module.getBody()->push_back(main);
    return llvm::Error::success();
  }

  /// When inputs had a symbolic batch, checks with a second import (at batch
  /// 2) that samples are independent, and marks the batched tensors of
  /// `signature` (leading dimension -1, run as a loop by the runtime).
  LogicalResult planBatch(func::FuncOp main, OnnxImportOptions importOptions,
                          ModelSignature &signature) {
    bool symbolic = false;
    for (unsigned i = 0; i < main.getNumArguments(); ++i)
      symbolic |= main.getArgAttr(i, "graph.symbolic_batch") != nullptr;
    if (!symbolic)
      return success();
    importOptions.dynamicLeadingDim = 2;
    OwningOpRef<ModuleOp> probe =
        importOnnxModel(context, options.modelPath, importOptions);
    if (!probe)
      return failure();
    FailureOr<BatchPlan> plan =
        planBatchLoop(main, probe->lookupSymbol<func::FuncOp>("main"));
    if (failed(plan))
      return failure();
    for (auto [tensor, isBatched] : llvm::zip(signature.inputs, plan->inputs))
      if (isBatched)
        tensor.shape[0] = -1;
    for (auto [tensor, isBatched] :
         llvm::zip(signature.outputs, plan->outputs))
      if (isBatched)
        tensor.shape[0] = -1;
    signature.batchLoop = true;
    return success();
  }

  /// Moves the weights out of the LLVM dialect module (strata-pack-weights)
  /// and writes them where options.weights says, straight from the
  /// constants' memory; then frees that memory, so that translation and
  /// code generation never hold the weights. Files go to `dir` when
  /// `writesFiles` (a Lib or Obj compile); embedded weights then go to an
  /// object file whose path is `weightsObject`.
  llvm::Error packWeights(ModuleOp module, StringRef name,
                          const ResolvedTarget &target, StringRef dir,
                          bool writesFiles, ModelSignature &signature,
                          std::string &weightsObject) {
    bool external = options.weights == WeightsMode::External;
    std::string symbol = external ? std::string("strata.weights_base")
                                  : ("strata_" + name + "_weights").str();
    PassManager pm(&context);
    PackWeightsOptions packOptions;
    packOptions.symbol = symbol;
    packOptions.external = external;
    pm.addPass(createPackWeights(packOptions));
    if (failed(pm.run(module)))
      return reported();
    llvm::Expected<WeightsPack> pack = readWeightsPack(module);
    if (!pack)
      return pack.takeError();
    if (pack->bytes > 0 && external) {
      signature.weightsFile = (name + ".weights").str();
      signature.weightsBytes = pack->bytes;
      signature.weightsSlot = symbol;
      if (writesFiles) {
        SmallString<256> path(dir);
        llvm::sys::path::append(path, signature.weightsFile);
        llvm::Expected<uint32_t> crc = writeWeightsFile(path, *pack);
        if (!crc)
          return crc.takeError();
        signature.weightsCrc32c = *crc;
      } else {
        signature.weightsCrc32c = weightsCrc32c(*pack);
      }
    } else if (pack->bytes > 0 && writesFiles) {
      // Code reaches the weights PC-relative (the small code model): code
      // and data of one library must span less than 2 GiB.
      if (pack->bytes >= (uint64_t(1) << 31) - (uint64_t(64) << 20))
        return llvm::createStringError(
            "the model's weights (%llu bytes) are too large to link into "
            "the library: compile with --weights=external",
            static_cast<unsigned long long>(pack->bytes));
      SmallString<256> path(dir);
      if (options.emit == EmitKind::Obj) {
        llvm::sys::path::append(path, name + "_weights.o");
      } else if (std::error_code error = llvm::sys::fs::createTemporaryFile(
                     "strata-" + name + "-weights", "o", path)) {
        return llvm::createStringError(
            error, "cannot create a temporary file: %s",
            error.message().c_str());
      }
      weightsObject = std::string(path);
      if (llvm::Error error =
              writeWeightsObject(path, *pack, symbol,
                                 target.machine->getTargetTriple()))
        return error;
    }
    module->removeAttr(kWeightsAttr);
    releaseUnusedResourceBlobs(module);
    return llvm::Error::success();
  }

  /// The arena strata-plan-arena laid out for each entry (its
  /// `strata.arena_per_entry`), for the descriptor and the caller's report.
  static void readArenaPlan(ModuleOp module, StringRef implName,
                            ModelSignature &signature,
                            CompileResult &result) {
    auto perEntry =
        module->getAttrOfType<DictionaryAttr>("strata.arena_per_entry");
    auto read = [&](StringRef entry, int64_t &bytes, int64_t &bound) {
      auto plan = perEntry ? perEntry.getAs<ArrayAttr>(entry) : ArrayAttr();
      if (!plan || plan.size() != 2)
        return;
      bytes = cast<IntegerAttr>(plan[0]).getInt();
      bound = cast<IntegerAttr>(plan[1]).getInt();
    };
    read(implName, signature.arenaBytes, signature.arenaLowerBound);
    result.arenaBytes = signature.arenaBytes;
    result.arenaLowerBound = signature.arenaLowerBound;
    if (signature.batchChunk > 1) {
      read(signature.batchImplName, signature.batchChunkArenaBytes,
           result.batchChunkArenaLowerBound);
      result.batchChunk = signature.batchChunk;
      result.batchChunkArenaBytes = signature.batchChunkArenaBytes;
    }
  }

  llvm::Error printModule(ModuleOp module, StringRef name, StringRef extension,
                          CompileResult &result) {
    std::string path = stagePath(options, name, extension);
    result.outputFile = path == "-" ? "" : path;
    return printTo(path, [&](llvm::raw_ostream &os) {
      OpPrintingFlags flags;
      flags.elideLargeElementsAttrs(16);
      flags.elideLargeResourceString(64);
      module.print(os, flags);
    });
  }

  const CompileOptions &options;
  MLIRContext context;
  DiagnosticCollector diagnostics;
  StageReporter stages;
  // Declared in this order so that the root scope stops before the
  // manager prints its report.
  DefaultTimingManager timingManager;
  TimingScope timing;
};

} // namespace

CompileResult compile(const CompileOptions &options) {
  registerStrataPasses();
  Compilation compilation(options);
  return compilation.run();
}

} // namespace strata
