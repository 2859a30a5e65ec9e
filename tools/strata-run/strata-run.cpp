// tools/strata-run/strata-run.cpp - loads a model library compiled by strata,
// feeds it .npy or pseudo-random inputs, times it and summarizes its outputs.
// Links only the strata runtime; never LLVM or MLIR.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <utility>
#include <vector>

#include "Data.h"
#include "InFlight.h"
#include "Profile.h"
#include "Npy.h"
#include "strata/runtime.h"

using namespace strata;

namespace {

const char kUsage[] = R"(usage: strata-run LIB.so [options]

Loads a model library produced by strata-compile, prints its inputs and
outputs, runs it and prints its latency and a summary of each output.

options:
  --input NAME=FILE.npy  use FILE.npy for input NAME (repeatable). Its dtype
                         and shape must match the model's exactly. Inputs not
                         given get deterministic pseudo-random data: floats
                         uniform in [-1,1), integers in [0,10), random bools.
  --output-dir DIR       write each output as DIR/<output name>.npy (the name
                         with characters other than [A-Za-z0-9._-] replaced
                         by '_'; bf16 outputs are written as f4). DIR is
                         created if missing.
  --repeat N             number of timed runs (default 10, at least 1)
  --warmup N             untimed runs before them (default 1)
  --seed S               seed of the pseudo-random inputs (default 0)
  --batch N              batch size for a model compiled with a symbolic
                         batch (a leading dimension shown as -1); default:
                         the leading dimension of the first such input given
                         as .npy, else 1
  --threads N            threads that run the model, this one included
                         (default 0: one per CPU this process may use;
                         1 runs everything on this thread). Results are
                         bit-identical for every count.
  --in-flight K          then measure throughput with K runs in flight
                         through the async API (K sessions on one instance
                         of --threads threads), checking each run's outputs
                         against the first run's, and compare it with the
                         runs above, made one at a time
  --profile FILE.json    record every dispatch of the timed runs on every
                         thread and write a Chrome trace (chrome://tracing,
                         ui.perfetto.dev); dispatches are named after the
                         ONNX nodes they compute. Also prints the
                         dispatches that took longest
  --quiet                print only the latency (and throughput) line
  --info                 print what the library is (target, CPU features,
                         inputs and outputs, checksum) and whether it can run
                         on this machine, without running it; exit 1 when
                         it is damaged or cannot run here
  --no-verify            skip the checksum of the library's file (its
                         structure is still checked)
  --help                 show this help

A compiled model is native code, and loading it runs the dynamic loader on
it: strata-run checks the file's structure and checksum first, which
catches damaged copies, not malicious ones. Run only libraries you trust.

.npy files: C order, little-endian f4, f8, f2, i1, i2, i4, i8, u1, u2, u4,
u8 or b1, format version 1.0 or 2.0. Options also accept the --name=value form. On any error
strata-run prints "strata-run: error: ..." on stderr and exits with 1.
)";

struct Options {
  std::string library, outputDir, profile;
  std::vector<std::pair<std::string, std::string>> inputs; // name, file
  long long repeat = 10, warmup = 1;
  unsigned long long seed = 0;
  long long batch = -1; // -1: from the .npy inputs, else 1
  long long threads = 0; // 0: one per CPU
  long long inFlight = 0; // 0: no throughput measurement
  bool quiet = false;
  bool info = false;
  bool verify = true;
};

// A host buffer for one model input or output.
struct Tensor {
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  size_t count = 0;
  npy::Bytes data;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "strata-run: error: %s\n", message.c_str());
  return 1;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// The shape of a tensor; a batched leading dimension (-1) becomes `batch`
// when that is set (>= 0).
std::vector<int64_t> shapeOf(const strata_tensor_desc &desc,
                             int64_t batch = -1) {
  std::vector<int64_t> shape(desc.shape, desc.shape + desc.rank);
  if (batch >= 0 && !shape.empty() && shape[0] == -1) shape[0] = batch;
  return shape;
}

bool parseInt(const std::string &text, long long min, long long &out) {
  char *end = nullptr;
  errno = 0;
  out = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && errno == 0 && out >= min;
}

// Parses argv; returns "" or an error. Sets `help` for --help.
std::string parseArgs(int argc, char **argv, Options &opts, bool &help) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    if (arg == "--help" || arg == "-h") { help = true; return ""; }
    if (arg == "--quiet") { opts.quiet = true; continue; }
    if (arg == "--info") { opts.info = true; continue; }
    if (arg == "--no-verify") { opts.verify = false; continue; }
    if (arg.rfind("--", 0) != 0) {
      if (!opts.library.empty())
        return "unexpected argument '" + arg + "' (library already given: '" +
               opts.library + "')";
      opts.library = arg;
      continue;
    }
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (arg == "--input" || arg == "--output-dir" ||
               arg == "--repeat" || arg == "--warmup" || arg == "--seed" ||
               arg == "--batch" || arg == "--threads" ||
               arg == "--in-flight" || arg == "--profile") {
      if (i + 1 >= argc) return "option '" + arg + "' needs a value";
      value = argv[++i];
    } else {
      return "unknown option '" + arg + "' (see --help)";
    }
    long long n = 0;
    if (arg == "--input") {
      size_t sep = value.find('=');
      if (sep == std::string::npos || sep == 0 || sep + 1 == value.size())
        return "--input expects NAME=FILE.npy, got '" + value + "'";
      opts.inputs.emplace_back(value.substr(0, sep), value.substr(sep + 1));
    } else if (arg == "--output-dir") {
      if (value.empty()) return "--output-dir needs a directory";
      opts.outputDir = value;
    } else if (arg == "--repeat" || arg == "--warmup") {
      if (!parseInt(value, arg == "--repeat" ? 1 : 0, n) || n > 1000000000)
        return arg + " expects a " +
               (arg == "--repeat" ? "positive" : "non-negative") +
               " integer, got '" + value + "'";
      (arg == "--repeat" ? opts.repeat : opts.warmup) = n;
    } else if (arg == "--batch") {
      if (!parseInt(value, 0, n) || n > 1000000000)
        return "--batch expects a non-negative integer, got '" + value + "'";
      opts.batch = n;
    } else if (arg == "--threads") {
      if (!parseInt(value, 0, n) || n > STRATA_MAX_THREADS)
        return "--threads expects an integer from 0 to " +
               std::to_string(STRATA_MAX_THREADS) + ", got '" + value + "'";
      opts.threads = n;
    } else if (arg == "--profile") {
      if (value.empty()) return "--profile needs a file name";
      opts.profile = value;
    } else if (arg == "--in-flight") {
      if (!parseInt(value, 1, n) || n > 1024)
        return "--in-flight expects an integer from 1 to 1024, got '" +
               value + "'";
      opts.inFlight = n;
    } else if (arg == "--seed") {
      if (!parseInt(value, 0, n))
        return "--seed expects a non-negative integer, got '" + value + "'";
      opts.seed = (unsigned long long)n;
    } else {
      return "unknown option '" + arg + "' (see --help)";
    }
  }
  if (opts.library.empty()) return "no model library given (see --help)";
  return "";
}

// Allocates a tensor of the described dtype and shape.
std::string allocate(const strata_tensor_desc &desc, int64_t batch,
                     const char *kind, Tensor &t) {
  t.dtype = desc.dtype;
  t.shape = shapeOf(desc, batch);
  t.count = 1;
  size_t bytes = 0;
  for (int64_t dim : t.shape)
    if (__builtin_mul_overflow(t.count, (size_t)dim, &t.count))
      t.count = SIZE_MAX;
  if (__builtin_mul_overflow(t.count, strata_dtype_size(desc.dtype), &bytes))
    bytes = SIZE_MAX;
  if (bytes != SIZE_MAX)
    t.data.reset(static_cast<uint8_t *>(std::malloc(bytes ? bytes : 1)));
  if (!t.data)
    return std::string("cannot allocate ") + kind + " '" + desc.name + "' " +
           shapeString(t.shape);
  return "";
}

// Loads or generates every input, in descriptor order.
std::string prepareInputs(const strata_model_desc &desc, const Options &opts,
                          int64_t &batch, std::vector<Tensor> &inputs) {
  std::vector<std::string> files(desc.num_inputs);
  for (const auto &[name, file] : opts.inputs) {
    uint32_t i = 0;
    while (i < desc.num_inputs && name != desc.inputs[i].name) ++i;
    if (i == desc.num_inputs) {
      std::string valid;
      for (uint32_t j = 0; j < desc.num_inputs; ++j)
        valid += (j ? ", " : "") + std::string(desc.inputs[j].name);
      return "unknown input '" + name + "'; the model's inputs are: " +
             (valid.empty() ? "(none)" : valid);
    }
    if (!files[i].empty()) return "input '" + name + "' given twice";
    files[i] = file;
  }
  inputs.resize(desc.num_inputs);
  std::vector<npy::Array> arrays(desc.num_inputs);
  batch = opts.batch;
  for (uint32_t i = 0; i < desc.num_inputs; ++i) {
    if (files[i].empty()) continue;
    std::string error = npy::read(files[i], arrays[i]);
    if (!error.empty())
      return "input '" + std::string(desc.inputs[i].name) + "': " + error;
    const strata_tensor_desc &d = desc.inputs[i];
    if (batch < 0 && d.rank > 0 && d.shape[0] == -1 &&
        !arrays[i].shape.empty())
      batch = arrays[i].shape[0];
  }
  if (batch < 0) batch = 1;
  for (uint32_t i = 0; i < desc.num_inputs; ++i) {
    const strata_tensor_desc &d = desc.inputs[i];
    Tensor &t = inputs[i];
    if (files[i].empty()) {
      std::string error = allocate(d, batch, "input", t);
      if (!error.empty()) return error;
      data::fillRandom(d.dtype, t.data.get(), t.count, opts.seed, i);
      continue;
    }
    npy::Array &array = arrays[i];
    std::string where = "input '" + std::string(d.name) + "': '" + files[i];
    if (array.dtype != d.dtype)
      return where + "' has dtype " + strata_dtype_name(array.dtype) +
             ", the model expects " + strata_dtype_name(d.dtype);
    if (array.shape != shapeOf(d, batch))
      return where + "' has shape " + shapeString(array.shape) +
             ", the model expects " + shapeString(shapeOf(d, batch));
    t.dtype = d.dtype;
    t.shape = array.shape;
    t.count = array.numBytes / strata_dtype_size(d.dtype);
    t.data = std::move(array.data);
  }
  return "";
}

std::vector<strata_tensor> views(const std::vector<Tensor> &tensors) {
  std::vector<strata_tensor> result;
  for (const Tensor &t : tensors)
    result.push_back({t.data.get(), t.dtype, (int32_t)t.shape.size(),
                      t.shape.data()});
  return result;
}

double nowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

void printSignature(const char *kind, const strata_tensor_desc *descs,
                    uint32_t count) {
  for (uint32_t i = 0; i < count; ++i)
    std::printf("  %s %u: %s %s %s\n", kind, i, descs[i].name,
                strata_dtype_name(descs[i].dtype),
                shapeString(shapeOf(descs[i])).c_str());
}

void printSummary(const char *name, const Tensor &t) {
  std::printf("output '%s' %s %s", name, strata_dtype_name(t.dtype),
              shapeString(t.shape).c_str());
  bool isFloat = data::isFloat(t.dtype);
  if (isFloat && t.count > 0) {
    double lo = data::elementAt(t.dtype, t.data.get(), 0), hi = lo, sum = 0;
    for (size_t i = 0; i < t.count; ++i) {
      double v = data::elementAt(t.dtype, t.data.get(), i);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    std::printf(": min %.6g, max %.6g, mean %.6g", lo, hi, sum / t.count);
  }
  std::printf("\n  first values:");
  for (size_t i = 0; i < std::min<size_t>(t.count, 8); ++i) {
    double v = data::elementAt(t.dtype, t.data.get(), i);
    if (isFloat) std::printf(" %.6g", v);
    else std::printf(" %" PRId64, (int64_t)v);
  }
  std::printf(t.count > 8 ? " ...\n" : "\n");
}

std::string makeDirs(const std::string &dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos < dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return "cannot create directory '" + prefix + "': " + std::strerror(errno);
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return "'" + dir + "' is not a directory";
  return "";
}

std::string sanitize(const std::string &name, uint32_t index) {
  std::string s = name;
  for (char &c : s)
    if (!std::isalnum((unsigned char)c) && c != '.' && c != '_' && c != '-')
      c = '_';
  if (s.empty() || s[0] == '.') s = "output" + std::to_string(index) + "_" + s;
  return s;
}

std::string writeOutputs(const strata_model_desc &desc,
                         const std::vector<Tensor> &outputs,
                         const std::string &dir) {
  std::string error = makeDirs(dir);
  std::vector<std::string> used;
  for (uint32_t i = 0; i < desc.num_outputs && error.empty(); ++i) {
    const Tensor &t = outputs[i];
    std::string file = sanitize(desc.outputs[i].name, i);
    if (std::find(used.begin(), used.end(), file) != used.end())
      file += "_" + std::to_string(i); // names that sanitize alike
    used.push_back(file);
    std::string path = dir + "/" + file + ".npy";
    if (t.dtype == STRATA_DTYPE_BF16) { // .npy has no bf16
      std::vector<float> f32(t.count);
      for (size_t k = 0; k < t.count; ++k)
        f32[k] = (float)data::elementAt(t.dtype, t.data.get(), k);
      error = npy::write(path, STRATA_DTYPE_F32, t.shape, f32.data(),
                         f32.size() * 4);
    } else {
      error = npy::write(path, t.dtype, t.shape, t.data.get(),
                         t.count * strata_dtype_size(t.dtype));
    }
  }
  return error;
}

const char *checksumText(int32_t state) {
  switch (state) {
  case STRATA_CHECKSUM_OK: return "ok (size and CRC-32C match the file)";
  case STRATA_CHECKSUM_ABSENT: return "none recorded (a library of ABI < 3)";
  default: return "not verified (--no-verify)";
  }
}

// --info: what the library is, and whether it runs here. Exit 0 if it does.
int printInfo(const std::string &library, strata_model *model,
              const strata_model_desc &desc) {
  std::printf("library   %s\n", library.c_str());
  std::printf("model     '%s', ABI version %u%s\n",
              desc.model_name ? desc.model_name : "", desc.abi_version,
              desc.flags & STRATA_MODEL_FLAG_BATCH_LOOP
                  ? ", symbolic batch (-1)"
                  : "");
  std::printf("checksum  %s\n", checksumText(strata_model_checksum(model)));
  if (desc.abi_version >= 3) {
    std::printf("target    '%s' (cpu %s, %s)\n", desc.target ? desc.target : "",
                desc.cpu ? desc.cpu : "",
                desc.arch == STRATA_ARCH_X86_64    ? "x86-64"
                : desc.arch == STRATA_ARCH_AARCH64 ? "aarch64"
                                                   : "any architecture");
    std::vector<char> names(
        strata_cpu_feature_names(desc.cpu_features, nullptr, 0) + 1);
    strata_cpu_feature_names(desc.cpu_features, names.data(), names.size());
    std::printf("features  %s\n", names[0] ? names.data() : "(none)");
  } else {
    std::printf("target    not recorded (ABI version %u)\n", desc.abi_version);
  }
  printSignature("input ", desc.inputs, desc.num_inputs);
  printSignature("output", desc.outputs, desc.num_outputs);
  std::printf("arena     %zu bytes%s\n", strata_model_arena_bytes(model),
              desc.abi_version < 4 ? " (ABI < 4: the model allocates its own)"
                                   : "");
  if (desc.abi_version >= 7 && desc.batch_entry)
    std::printf("batch     chunks of %u samples in one program (arena %llu "
                "bytes), the rest one sample at a time\n",
                desc.batch_chunk,
                (unsigned long long)desc.batch_chunk_arena_bytes);
  if (desc.abi_version >= 6 && desc.weights_file)
    std::printf("weights   %llu bytes in '%s' (external, mapped)\n",
                (unsigned long long)desc.weights_bytes, desc.weights_file);
  else
    std::printf("weights   linked into the library\n");
  if (strata_model_runnable(model) != STRATA_OK) {
    std::printf("runs here no: %s\n", strata_last_error());
    return 1;
  }
  std::printf("runs here yes\n");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options opts;
  bool help = false;
  std::string error = parseArgs(argc, argv, opts, help);
  if (help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!error.empty()) return fail(error);

  // dlopen searches the library path for names without '/'; a user means
  // the file in the current directory.
  std::string path = opts.library;
  if (path.find('/') == std::string::npos) path = "./" + path;
  strata_load_options load = {sizeof load, 0, (uint32_t)opts.threads, 0,
                              nullptr};
  if (!opts.verify) load.flags |= STRATA_LOAD_SKIP_CHECKSUM;
  if (opts.info) load.flags |= STRATA_LOAD_INSPECT;
  strata_model *raw = nullptr;
  if (strata_model_load_ex(path.c_str(), &load, &raw) != STRATA_OK) {
    if (opts.info) std::printf("library   %s\nstatus    cannot be loaded: %s\n",
                               opts.library.c_str(), strata_last_error());
    return fail(strata_last_error());
  }
  std::unique_ptr<strata_model, void (*)(strata_model *)> model(
      raw, strata_model_free);
  const strata_model_desc &desc = *strata_model_desc_of(model.get());
  if (opts.info) return printInfo(opts.library, model.get(), desc);
  if (!opts.quiet) {
    std::printf("model '%s' (%s)\n", desc.model_name ? desc.model_name : "",
                opts.library.c_str());
    printSignature("input ", desc.inputs, desc.num_inputs);
    printSignature("output", desc.outputs, desc.num_outputs);
  }

  std::vector<Tensor> inputs, outputs(desc.num_outputs);
  int64_t batch = 1;
  error = prepareInputs(desc, opts, batch, inputs);
  for (uint32_t i = 0; i < desc.num_outputs && error.empty(); ++i)
    error = allocate(desc.outputs[i], batch, "output", outputs[i]);
  if (!error.empty()) return fail(error);
  std::vector<strata_tensor> in = views(inputs), out = views(outputs);

  std::vector<double> times;
  std::vector<strata_profile_event> events;
  for (long long run = 0; run < opts.warmup + opts.repeat; ++run) {
    if (run == opts.warmup && !opts.profile.empty()) {
      events.resize(profile::capacityFor(
          opts.repeat, desc.abi_version >= 5 ? desc.num_dispatches : 0,
          strata_model_threads(model.get()),
          desc.flags & STRATA_MODEL_FLAG_BATCH_LOOP ? batch : 1));
      if (strata_model_profile(model.get(), events.data(), events.size()) !=
          STRATA_OK)
        return fail(std::string("--profile: ") + strata_last_error());
    }
    double start = nowMs();
    if (strata_model_run(model.get(), in.data(), in.size(), out.data(),
                         out.size()) != STRATA_OK)
      return fail("run " + std::to_string(run + 1) + " failed: " +
                  strata_last_error());
    if (run >= opts.warmup) times.push_back(nowMs() - start);
  }
  if (!opts.profile.empty()) {
    size_t recorded = strata_model_profile_count(model.get());
    strata_model_profile(model.get(), nullptr, 0);
    size_t dropped = recorded > events.size() ? recorded - events.size() : 0;
    events.resize(recorded - dropped);
    error = profile::writeTrace(opts.profile, desc.model_name ? desc.model_name
                                                              : "",
                                events, strata_model_threads(model.get()));
    if (!error.empty()) return fail("--profile: " + error);
    std::printf("profile: wrote %s (%zu events%s)\n", opts.profile.c_str(),
                events.size(),
                dropped ? (", " + std::to_string(dropped) +
                           " more dropped: fewer --repeat keeps them all")
                              .c_str()
                        : "");
    if (!opts.quiet) profile::printSummary(events);
  }
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  // Microsecond resolution: small models run in well under a millisecond.
  std::printf("latency: median %.4f ms, min %.4f ms over %zu runs, %u "
              "thread%s\n",
              median, times[0], n, strata_model_threads(model.get()),
              strata_model_threads(model.get()) == 1 ? "" : "s");

  if (opts.inFlight > 0) {
    inflight::Result result;
    error = inflight::measure(model.get(), (unsigned)opts.threads,
                              (unsigned)opts.inFlight, opts.repeat, in, out,
                              result);
    if (!error.empty()) return fail("--in-flight: " + error);
    std::printf("throughput: %.1f runs/s with %lld in flight on %u "
                "thread%s, %.2fx one at a time\n",
                result.runsPerSecond, opts.inFlight, result.threads,
                result.threads == 1 ? "" : "s",
                result.runsPerSecond * median / 1000.0);
  }
  if (!opts.quiet)
    for (uint32_t i = 0; i < desc.num_outputs; ++i)
      printSummary(desc.outputs[i].name, outputs[i]);
  if (!opts.outputDir.empty()) {
    error = writeOutputs(desc, outputs, opts.outputDir);
    if (!error.empty()) return fail(error);
  }
  return 0;
}
