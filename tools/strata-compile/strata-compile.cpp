//===- strata-compile.cpp - ONNX model -> library + header ----------------===//
#include "strata/Compiler.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::OptionCategory category("strata-compile options");

static cl::opt<std::string> modelPath(cl::Positional, cl::Optional,
                                      cl::desc("<model.onnx>"),
                                      cl::cat(category));
static cl::opt<std::string> outputPath(
    "o",
    cl::desc("Output: a directory for --emit=lib|obj (created if missing); "
             "a file, a directory or '-' (stdout, the default for IR "
             "stages) for --emit=graph|linalg|schedule|llvm"),
    cl::value_desc("path"), cl::cat(category));
static cl::opt<std::string> emit(
    "emit",
    cl::desc("Last stage to run and what to write:\n"
             "  graph   the imported graph dialect (.mlir)\n"
             "  linalg  after lowering to linalg/tensor (.mlir)\n"
             "  schedule  the host schedule: the entry function launching\n"
             "          dispatch functions (workgroup grids), buffers at\n"
             "          arena offsets (.mlir)\n"
             "  llvm    optimized LLVM IR with the model ABI (.ll)\n"
             "  obj     an object file <name>.o (and <name>_weights.o\n"
             "          holding the embedded weights)\n"
             "  lib     lib<name>.so, lib<name>.a and <name>.h (default)"),
    cl::init("lib"), cl::cat(category));
static cl::opt<std::string> weights(
    "weights",
    cl::desc("Where the weights go:\n"
             "  embed     linked into lib<name>.so / .a (default)\n"
             "  external  a side file <name>.weights beside them, which the\n"
             "            runtime memory-maps (for weights of 2 GiB or more,\n"
             "            or to ship code and weights apart)"),
    cl::init("embed"), cl::cat(category));
static cl::opt<std::string> batchChunk(
    "batch-chunk",
    cl::desc("For a model with a symbolic batch, which runs one sample at "
             "a time: also compile it for chunks of N samples, whose "
             "dispatches have the batch as a dimension (a batch-8 GEMM is "
             "one GEMM); whole chunks of a batch then run through it.\n"
             "  auto  8 when the model does fewer than 8 multiply-adds per "
             "byte of\n"
             "        weights (an MLP, a decoder step), else none (default)\n"
             "  N     chunks of N samples (2 to 4096)\n"
             "  0     none"),
    cl::init("auto"), cl::value_desc("auto|N"), cl::cat(category));
static cl::opt<std::string>
    name("name",
         cl::desc("Model name used for lib<name>, <name>.h and symbols "
                  "(default: the model file's stem, made a C identifier)"),
         cl::cat(category));
static cl::opt<std::string> target(
    "target",
    cl::desc("What to generate code for (recorded in the library; the "
             "runtime refuses it on a CPU that lacks the features):\n"
             "  host       this machine's CPU, with every feature it has "
             "(default)\n"
             "  x86-64     any x86-64 CPU (SSE2)\n"
             "  x86-64-v2  SSE4.2, POPCNT (2009 and later)\n"
             "  x86-64-v3  AVX2, FMA, BMI2, F16C (Haswell, Zen 1 and later)\n"
             "  x86-64-v4  AVX-512 F/BW/CD/DQ/VL (Skylake-SP, Zen 4 and "
             "later)"),
    cl::init("host"), cl::value_desc("preset"), cl::cat(category));
static cl::opt<std::string>
    targetCpu("mcpu",
              cl::desc("An LLVM CPU name that replaces the preset's, e.g. "
                       "znver3 or skylake-avx512 (code for that CPU's "
                       "features, tuned for it)"),
              cl::value_desc("cpu"), cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Pin the dynamic dimensions of input NAME, e.g. "
             "--input-shape images=1x3x640x640 (repeatable)"),
    cl::value_desc("NAME=D0xD1x..."), cl::cat(category));
static cl::list<std::string> inputValues(
    "input-value",
    cl::desc("Pin input NAME to a value at compile time, e.g. --input-value "
             "axes=0,2 (repeatable). The library computes with that value "
             "and rejects runs that pass another"),
    cl::value_desc("NAME=v0,v1,..."), cl::cat(category));
static cl::opt<std::string>
    targetFeatures("mattr",
                   cl::desc("Features added to the CPU's own, e.g. "
                            "+avx512vnni or -avx512f"),
                   cl::value_desc("+f1,-f2"),
                   cl::cat(category));

static cl::opt<bool> printTargetInfo(
    "print-target-info",
    cl::desc("Print what code generation knows of the --target (CPU, vector "
             "registers, register blocks) and exit; no model needed"),
    cl::cat(category));

static cl::opt<bool> report(
    "report",
    cl::desc("Report the quantized Conv, MatMul and Gemm nodes that do not "
             "run as int8 products (they run in float, or as i32 loops), "
             "with the reason, and how many do"),
    cl::cat(category));

static cl::opt<bool> timing(
    "timing",
    cl::desc("Print how long each stage (import, lowering, each pass, LLVM "
             "code generation, linking) took, to stderr"),
    cl::cat(category));

static cl::opt<bool> quiet(
    "quiet",
    cl::desc("Do not print the stages' progress (printed by default when "
             "stderr is a terminal, and always with --timing)"),
    cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "strata-compile: compile an ONNX model ahead of time\n\n"
      "  strata-compile model.onnx -o out/           # out/libmodel.so .a .h\n"
      "  strata-compile model.onnx --emit=graph      # print the graph IR\n");
  strata::CompileOptions options;
  options.modelPath = modelPath;
  options.name = name;
  options.target = target;
  options.targetCpu = targetCpu;
  options.targetFeatures = targetFeatures;
  options.timing = timing;
  options.report = report;
  options.progress =
      !quiet && (timing || llvm::sys::Process::StandardErrIsDisplayed());
  if (printTargetInfo) {
    std::string text, error;
    if (!strata::describeTarget(options, text, error)) {
      llvm::errs() << "strata-compile: error: " << error << "\n";
      return 1;
    }
    llvm::outs() << text;
    return 0;
  }
  if (modelPath.empty()) {
    llvm::errs() << "strata-compile: error: no model given (see --help)\n";
    return 1;
  }
  for (const std::string &text : inputShapes) {
    std::string inputName, error;
    std::vector<int64_t> shape;
    if (!strata::parseInputShape(text, inputName, shape, error)) {
      llvm::errs() << "strata-compile: error: --input-shape " << text << ": "
                   << error << "\n";
      return 1;
    }
    options.inputShapes[inputName] = shape;
  }
  for (const std::string &text : inputValues) {
    std::string inputName, value, error;
    if (!strata::parseInputValue(text, inputName, value, error)) {
      llvm::errs() << "strata-compile: error: --input-value " << text << ": "
                   << error << "\n";
      return 1;
    }
    options.inputValues[inputName] = value;
  }
  if (!strata::parseWeightsMode(weights, options.weights)) {
    llvm::errs() << "strata-compile: error: unknown --weights=" << weights
                 << " (expected embed or external)\n";
    return 1;
  }
  if (batchChunk != "auto") {
    unsigned chunk = 0;
    if (llvm::StringRef(batchChunk).getAsInteger(10, chunk) || chunk == 1 ||
        chunk > 4096) {
      llvm::errs() << "strata-compile: error: --batch-chunk=" << batchChunk
                   << " (expected auto, 0, or a number of samples from 2 to "
                      "4096)\n";
      return 1;
    }
    options.batchChunk = int(chunk);
  }
  if (!strata::parseEmitKind(emit, options.emit)) {
    llvm::errs() << "strata-compile: error: unknown --emit=" << emit
                 << " (expected graph, linalg, schedule, llvm, obj or lib)\n";
    return 1;
  }
  bool irStage = options.emit == strata::EmitKind::Graph ||
                 options.emit == strata::EmitKind::Linalg ||
                 options.emit == strata::EmitKind::Schedule ||
                 options.emit == strata::EmitKind::LLVM;
  options.outputPath =
      outputPath.empty() ? (irStage ? "-" : ".") : outputPath.getValue();
  strata::CompileResult result = strata::compile(options);
  llvm::errs() << result.errors;
  if (!result.ok)
    return 1;
  if (!result.outputFile.empty())
    llvm::errs() << "strata-compile: wrote " << result.outputFile << "\n";
  if (options.emit == strata::EmitKind::Obj ||
      options.emit == strata::EmitKind::Lib)
    llvm::errs() << "strata-compile: arena " << result.arenaBytes
                 << " bytes (lower bound " << result.arenaLowerBound
                 << ": the most bytes of intermediates live at once)\n";
  if (options.batchChunk > 1 && result.batchChunk == 0)
    llvm::errs() << "strata-compile: note: --batch-chunk=" << batchChunk
                 << " has no effect: the model has no symbolic batch that "
                    "runs sample by sample\n";
  if (result.batchChunk > 1 && (options.emit == strata::EmitKind::Obj ||
                                options.emit == strata::EmitKind::Lib))
    llvm::errs() << "strata-compile: batch chunk of " << result.batchChunk
                 << " samples: arena " << result.batchChunkArenaBytes
                 << " bytes (lower bound " << result.batchChunkArenaLowerBound
                 << ")\n";
  return 0;
}
