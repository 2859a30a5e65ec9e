//===- Compiler.h - strata's compiler API ----------------------*- C++ -*-===//
//
// The one entry point that tools and the Python module use to turn an ONNX
// model into an artifact. Plain standard-library types only, so that callers
// built with exceptions/RTTI (pybind11) need no MLIR headers.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_COMPILER_H
#define STRATA_COMPILER_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace strata {

/// What `compile` produces. Each IR stage is printed to `<name>.<stage>.mlir`
/// (or to stdout when the output path is "-"); Obj writes `<name>.o`; Lib
/// writes `lib<name>.so`, `lib<name>.a` and `<name>.h`.
/// Schedule is the host schedule: the entry function after dispatches are
/// outlined and buffers placed in the arena, before loops become LLVM.
enum class EmitKind { Graph, Linalg, Schedule, LLVM, Obj, Lib };

/// Parses "graph", "linalg", "schedule", "llvm", "obj", "lib". Returns
/// false on others.
bool parseEmitKind(const std::string &text, EmitKind &kind);

enum class WeightsMode { Embed, External };

/// "embed" or "external" -> the mode; false on anything else.
bool parseWeightsMode(const std::string &text, WeightsMode &mode);

struct CompileOptions {
  std::string modelPath;  ///< the .onnx file
  std::string outputPath; ///< a directory for Lib/Obj, a file or "-" for IR
  EmitKind emit = EmitKind::Lib;
  /// Library base name; derived from the model file name when empty.
  std::string name;
  /// What to generate code for: a preset of targetPresets() ("host", the
  /// machine compiling, by default; "x86-64-v3" for any AVX2 + FMA CPU).
  /// The library records it, and the runtime refuses to load it on a CPU
  /// that lacks the features it uses.
  std::string target = "host";
  /// An LLVM CPU name that replaces the preset's ("znver3"); empty: the
  /// preset's.
  std::string targetCpu;
  /// Features added to the CPU's, e.g. "+avx512vnni,-avx512bf16".
  std::string targetFeatures;
  /// Shapes that pin graph inputs' dynamic dimensions, by input name.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Values that pin graph inputs at compile time, by input name, as
  /// "v0,v1,..." (row-major). The compiled code uses the value as a
  /// constant (so a Reshape's shape or a ReduceSum's axes may be an input);
  /// the input stays in the signature and the runtime rejects other values.
  std::map<std::string, std::string> inputValues;
  /// Where the weights go: linked into the library (Embed), or a side file
  /// `<name>.weights` beside it that the runtime memory-maps (External).
  WeightsMode weights = WeightsMode::Embed;
  /// For a model whose symbolic batch runs sample by sample: also compile
  /// it for chunks of this many samples, a program whose dispatches have
  /// the batch as a dimension, which the runtime runs for whole chunks of a
  /// batch. 0 or 1: none. -1 (auto): 8 when the model does fewer than 8
  /// multiply-adds per byte of weights (an MLP, a decoder step), where one
  /// sample at a time would stream every weight once per sample.
  int batchChunk = -1;
  /// Report (as remarks in CompileResult::errors) which quantized
  /// Conv / MatMul / Gemm nodes do not run as int8 products, and why.
  bool report = false;
  /// Print how long each stage and each pass took (to stderr) at the end.
  bool timing = false;
  /// Print a line per stage as it runs (to stderr): its name, then its wall
  /// time and the peak memory of the process so far.
  bool progress = false;
};

/// The --target presets, in the order --help lists them.
std::vector<std::string> targetPresets();

/// Parses "NAME=v0,v1,..." into `name` and `value`; false (with a reason in
/// `error`) when there is no '=' or no name.
bool parseInputValue(const std::string &text, std::string &name,
                     std::string &value, std::string &error);

/// Parses "NAME=1x3x640x640" into `name` and `shape`; false (with a reason in
/// `error`) when malformed.
bool parseInputShape(const std::string &text, std::string &name,
                     std::vector<int64_t> &shape, std::string &error);

struct CompileResult {
  bool ok = false;
  /// Every diagnostic, one per line, each naming the ONNX node at fault.
  std::string errors;
  /// The main file written (the .so for Lib), empty on failure or stdout.
  std::string outputFile;
  /// Once code was generated: the bytes of the model's arena (scratch for
  /// its intermediate tensors) and the lower bound of any plan, the
  /// largest total of intermediates live at one point.
  int64_t arenaBytes = 0;
  int64_t arenaLowerBound = 0;
  /// The batch chunk compiled (0: none), and its program's arena and bound.
  unsigned batchChunk = 0;
  int64_t batchChunkArenaBytes = 0;
  int64_t batchChunkArenaLowerBound = 0;
};

/// Runs the whole pipeline. Never aborts on bad input: errors are returned.
CompileResult compile(const CompileOptions &options);

/// What code generation knows of `options`' target (preset, CPU,
/// features): the CPU, its vector registers and the register blocks the
/// kernels use, as "key: value" lines in `text`. False, with the reason in
/// `error`, for an unknown preset, CPU or feature.
bool describeTarget(const CompileOptions &options, std::string &text,
                    std::string &error);

/// Makes a valid C identifier (and library name) from a file stem.
std::string sanitizeModelName(const std::string &stem);

} // namespace strata

#endif // STRATA_COMPILER_H
