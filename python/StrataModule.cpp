//===- StrataModule.cpp - the strata._strata pybind11 module ---------------===//
//
// Deliberately thin: a wrapper around strata::compile and a Model class
// around strata_model* whose run takes one buffer per input and per output,
// in descriptor order. Name handling, dict inputs, dtype mapping, output
// allocation and friendly checks live in python/strata/__init__.py.
//
// Built with -fexceptions -frtti; includes no MLIR header, only the public
// strata/Compiler.h and strata/runtime.h.
//
//===----------------------------------------------------------------------===//

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strata/Compiler.h"
#include "strata/runtime.h"

namespace py = pybind11;

namespace {

// The exception types, created once in PYBIND11_MODULE and kept alive by
// the module (and by the extra reference held here).
PyObject *strataError = nullptr;
PyObject *compileError = nullptr;
PyObject *runError = nullptr;

[[noreturn]] void raise(PyObject *type, const std::string &message) {
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

std::string trimTrailingNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
}

// The compiler may rely on process-wide LLVM state: one compile at a time,
// with the GIL released so that other Python threads go on. Runs need no
// lock: the runtime lets runs of one model overlap (each gets an arena, and
// a dispatch that finds the thread pool busy runs on its caller).
std::mutex &compileMutex() {
  static std::mutex mutex;
  return mutex;
}

/// A buffer-protocol view (PEP 3118) of a C-contiguous Python object,
/// released on destruction. Independent of numpy's internals: Debian's
/// pybind11 2.10 misreads numpy 2.x descriptors, so numpy.h is not used.
class BufferView {
public:
  BufferView(py::handle object, bool writable, const std::string &label) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
    if (writable)
      flags |= PyBUF_WRITABLE;
    if (PyObject_GetBuffer(object.ptr(), &view_, flags) != 0) {
      PyErr_Clear();
      raise(runError, label + ": expected a C-contiguous" +
                          std::string(writable ? ", writable" : "") +
                          " array, got " +
                          std::string(py::str(py::type::handle_of(object))));
    }
    valid_ = true;
  }
  ~BufferView() {
    if (valid_)
      PyBuffer_Release(&view_);
  }
  BufferView(const BufferView &) = delete;
  BufferView &operator=(const BufferView &) = delete;

  /// Fills `tensor` (pointing into this view) and checks the element size
  /// against `dtype`.
  void describe(int32_t dtype, const std::string &label,
                strata_tensor &tensor) {
    size_t want = strata_dtype_size(dtype);
    if (static_cast<size_t>(view_.itemsize) != want)
      raise(runError, label + ": expected " + strata_dtype_name(dtype) +
                          " elements (" + std::to_string(want) +
                          " bytes), got " + std::to_string(view_.itemsize) +
                          "-byte elements");
    shape_.assign(view_.shape, view_.shape + view_.ndim);
    tensor.data = view_.buf;
    tensor.dtype = dtype;
    tensor.rank = view_.ndim;
    tensor.shape = shape_.data();
  }

private:
  Py_buffer view_{};
  bool valid_ = false;
  std::vector<int64_t> shape_;
};

std::string tensorLabel(const char *kind, const strata_tensor_desc &t) {
  return std::string(kind) + " '" + (t.name ? t.name : "") + "'";
}

/// [(name, strata dtype code, shape tuple)] of one side of a descriptor.
py::list describe(const strata_tensor_desc *tensors, uint32_t count) {
  py::list list;
  for (uint32_t i = 0; i < count; ++i) {
    const strata_tensor_desc &t = tensors[i];
    py::tuple shape(t.rank);
    for (int32_t d = 0; d < t.rank; ++d)
      shape[d] = py::int_(t.shape[d]);
    list.append(py::make_tuple(py::str(t.name ? t.name : ""),
                               py::int_(t.dtype), shape));
  }
  return list;
}

/// The names of STRATA_CPU_* bits, in bit order.
py::list featureNames(uint64_t features) {
  py::list names;
  for (int bit = 0; bit < 64; ++bit) {
    if (!(features >> bit & 1))
      continue;
    char name[64];
    strata_cpu_feature_names(uint64_t(1) << bit, name, sizeof name);
    names.append(py::str(name));
  }
  return names;
}

class Model;

/// One run submitted through the async API: keeps its buffers viewed and
/// its session taken until the run is over (the destructor waits for it).
class Pending {
public:
  Pending(Model &model, strata_session *session,
          std::vector<std::unique_ptr<BufferView>> views, strata_fence *fence)
      : model_(model), session_(session), views_(std::move(views)),
        fence_(fence) {}
  ~Pending();
  Pending(const Pending &) = delete;
  Pending &operator=(const Pending &) = delete;

  /// Waits up to `timeout` seconds (< 0: no limit); true when complete.
  bool wait(double timeout) {
    strata_status status;
    {
      py::gil_scoped_release release;
      status = strata_fence_wait(
          fence_, timeout < 0 ? -1 : static_cast<int64_t>(timeout * 1e9));
    }
    return status != STRATA_ERROR_TIMEOUT;
  }
  bool done() { return strata_fence_poll(fence_) != STRATA_NOT_READY; }
  void cancel() { strata_fence_cancel(fence_); }
  /// "ok", "cancelled" or "failed" once complete ("pending" before).
  std::string state() {
    switch (strata_fence_poll(fence_)) {
    case STRATA_OK: return "ok";
    case STRATA_NOT_READY: return "pending";
    case STRATA_ERROR_CANCELLED: return "cancelled";
    default: return "failed";
    }
  }
  /// Raises RunError with the run's message unless it succeeded.
  void check() {
    strata_status status = strata_fence_poll(fence_);
    if (status == STRATA_NOT_READY)
      raise(runError, "the run has not completed");
    if (status != STRATA_OK)
      raise(runError, strata_fence_message(fence_));
  }

private:
  Model &model_;
  strata_session *session_;
  std::vector<std::unique_ptr<BufferView>> views_;
  strata_fence *fence_;
};

/// A loaded model library.
class Model {
public:
  Model(const std::string &path, bool verify, bool inspect,
        unsigned threads) {
    strata_load_options options = {sizeof options, 0, threads, 0, nullptr};
    if (!verify)
      options.flags |= STRATA_LOAD_SKIP_CHECKSUM;
    if (inspect)
      options.flags |= STRATA_LOAD_INSPECT;
    if (strata_model_load_ex(path.c_str(), &options, &model_) != STRATA_OK)
      raise(runError, strata_last_error());
    desc_ = strata_model_desc_of(model_);
  }
  ~Model() {
    for (strata_session *session : idleSessions_)
      strata_session_destroy(session);
    strata_instance_destroy(instance_);
    strata_model_free(model_);
  }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  std::string name() const {
    return desc_->model_name ? desc_->model_name : "";
  }
  /// (target preset, LLVM CPU, [feature names]) the library was compiled
  /// for; empty for libraries older than ABI version 3.
  py::tuple target() const {
    if (desc_->abi_version < 3)
      return py::make_tuple("", "", py::list());
    return py::make_tuple(desc_->target ? desc_->target : "",
                          desc_->cpu ? desc_->cpu : "",
                          featureNames(desc_->cpu_features));
  }
  size_t arenaBytes() const { return strata_model_arena_bytes(model_); }
  unsigned threads() const { return strata_model_threads(model_); }
  /// "ok", "absent", "not verified": how the file's checksum was checked.
  std::string checksum() const {
    switch (strata_model_checksum(model_)) {
    case STRATA_CHECKSUM_OK: return "ok";
    case STRATA_CHECKSUM_ABSENT: return "absent";
    case STRATA_CHECKSUM_MISMATCH: return "mismatch";
    default: return "not verified";
    }
  }
  /// None, or why run() refuses the model on this machine.
  py::object notRunnable() const {
    if (strata_model_runnable(model_) == STRATA_OK)
      return py::none();
    return py::str(strata_last_error());
  }
  py::list inputs() const { return describe(desc_->inputs, desc_->num_inputs); }
  py::list outputs() const {
    return describe(desc_->outputs, desc_->num_outputs);
  }

  /// Runs the model: one C-contiguous buffer per input and per output, in
  /// descriptor order; outputs are written in place. The runtime checks
  /// counts, ranks and shapes; element sizes are checked here.
  void run(const py::sequence &inputArrays, const py::sequence &outputArrays) {
    Bound bound = bindAll(inputArrays, outputArrays);
    std::vector<strata_tensor> &inputs = bound.inputs, &outputs = bound.outputs;

    strata_status status;
    std::string error;
    {
      py::gil_scoped_release release;
      status = strata_model_run(model_, inputs.data(), inputs.size(),
                                outputs.data(), outputs.size());
      if (status != STRATA_OK)
        error = strata_last_error();
    }
    if (status != STRATA_OK)
      raise(runError, error);
  }

  /// Submits one run on a session of its own (reused once free) on the
  /// model's instance, which has as many threads as the model.
  std::unique_ptr<Pending> runAsync(const py::sequence &inputArrays,
                                    const py::sequence &outputArrays) {
    Bound bound = bindAll(inputArrays, outputArrays);
    std::vector<strata_tensor> &inputs = bound.inputs, &outputs = bound.outputs;
    strata_session *session = takeSession();
    strata_fence *fence = nullptr;
    if (strata_session_submit(session, inputs.data(), inputs.size(),
                              outputs.data(), outputs.size(),
                              &fence) != STRATA_OK) {
      std::string error = strata_last_error();
      giveBack(session);
      raise(runError, error);
    }
    return std::make_unique<Pending>(*this, session, std::move(bound.views),
                                     fence);
  }

  void giveBack(strata_session *session) {
    std::lock_guard<std::mutex> lock(asyncMutex_);
    idleSessions_.push_back(session);
  }

private:
  strata_session *takeSession() {
    std::lock_guard<std::mutex> lock(asyncMutex_);
    if (!idleSessions_.empty()) {
      strata_session *session = idleSessions_.back();
      idleSessions_.pop_back();
      return session;
    }
    if (!instance_) {
      strata_instance_options options;
      strata_instance_options_init(&options);
      options.threads = strata_model_threads(model_);
      if (strata_instance_create(&options, &instance_) != STRATA_OK)
        raise(runError, strata_last_error());
    }
    strata_session *session = nullptr;
    if (strata_session_create(instance_, model_, nullptr, &session) !=
        STRATA_OK)
      raise(runError, strata_last_error());
    return session;
  }

  /// The buffers of one run: views kept open for as long as it runs.
  struct Bound {
    std::vector<std::unique_ptr<BufferView>> views;
    std::vector<strata_tensor> inputs, outputs;
  };
  Bound bindAll(const py::sequence &inputArrays,
                const py::sequence &outputArrays) const {
    Bound bound;
    bind(inputArrays, desc_->inputs, desc_->num_inputs, "input", false,
         bound.views, bound.inputs);
    bind(outputArrays, desc_->outputs, desc_->num_outputs, "output", true,
         bound.views, bound.outputs);
    return bound;
  }

  static void bind(const py::sequence &arrays, const strata_tensor_desc *descs,
                   uint32_t count, const char *kind, bool writable,
                   std::vector<std::unique_ptr<BufferView>> &views,
                   std::vector<strata_tensor> &tensors) {
    size_t got = py::len(arrays);
    if (got != count)
      raise(runError, "expected " + std::to_string(count) + " " + kind +
                          "s, got " + std::to_string(got));
    tensors.resize(count);
    for (size_t i = 0; i < count; ++i) {
      std::string label = tensorLabel(kind, descs[i]);
      views.push_back(std::make_unique<BufferView>(arrays[i], writable, label));
      views.back()->describe(descs[i].dtype, label, tensors[i]);
    }
  }

  strata_model *model_ = nullptr;
  const strata_model_desc *desc_ = nullptr;
  // The async API's instance (created by the first run_async) and the
  // sessions no pending run holds.
  std::mutex asyncMutex_;
  strata_instance *instance_ = nullptr;
  std::vector<strata_session *> idleSessions_;
};

Pending::~Pending() {
  {
    py::gil_scoped_release release;
    strata_fence_wait(fence_, -1); // the buffers must outlive the run
  }
  strata_fence_release(fence_);
  model_.giveBack(session_);
}

std::string compile(const std::string &modelPath,
                    const std::string &outputPath, const std::string &emit,
                    const std::string &name, const std::string &target,
                    const std::string &targetCpu,
                    const std::string &targetFeatures,
                    const std::map<std::string, std::vector<int64_t>>
                        &inputShapes,
                    const std::map<std::string, std::string> &inputValues,
                    const std::string &weights, int batchChunk) {
  strata::CompileOptions options;
  if (batchChunk < -1 || batchChunk == 1 || batchChunk > 4096)
    throw py::value_error("batch_chunk=" + std::to_string(batchChunk) +
                          ": expected None (auto), 0, or 2 to 4096");
  options.batchChunk = batchChunk;
  if (!strata::parseWeightsMode(weights, options.weights))
    throw py::value_error("unknown weights mode '" + weights +
                          "' (expected embed or external)");
  options.inputShapes = inputShapes;
  options.inputValues = inputValues;
  options.modelPath = modelPath;
  options.outputPath = outputPath;
  if (!strata::parseEmitKind(emit, options.emit))
    throw py::value_error("unknown emit kind '" + emit +
                          "' (expected graph, linalg, schedule, llvm, obj or lib)");
  options.name = name;
  options.target = target;
  options.targetCpu = targetCpu;
  options.targetFeatures = targetFeatures;

  strata::CompileResult result;
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(compileMutex());
    result = strata::compile(options);
  }
  if (!result.ok) {
    std::string errors = trimTrailingNewlines(result.errors);
    raise(compileError, errors.empty() ? "compilation of '" + modelPath +
                                             "' failed (no diagnostic)"
                                       : errors);
  }
  return result.outputFile;
}

} // namespace

PYBIND11_MODULE(_strata, m) {
  m.doc() = "strata's native module; use the `strata` package instead.";

  strataError = PyErr_NewExceptionWithDoc(
      "strata.StrataError", "Base class of every error strata raises.",
      PyExc_Exception, nullptr);
  compileError = PyErr_NewExceptionWithDoc(
      "strata.CompileError",
      "The compiler rejected a model; the message names the ONNX node(s).",
      strataError, nullptr);
  runError = PyErr_NewExceptionWithDoc(
      "strata.RunError",
      "Loading or running a compiled model failed; the message names the "
      "input at fault.",
      strataError, nullptr);
  if (!strataError || !compileError || !runError)
    throw py::error_already_set();
  m.attr("StrataError") = py::reinterpret_borrow<py::object>(strataError);
  m.attr("CompileError") = py::reinterpret_borrow<py::object>(compileError);
  m.attr("RunError") = py::reinterpret_borrow<py::object>(runError);

  m.def("compile", &compile, py::arg("model_path"), py::arg("output_path"),
        py::arg("emit"), py::arg("name"), py::arg("target"),
        py::arg("target_cpu"),
        py::arg("target_features"), py::arg("input_shapes"),
        py::arg("input_values"), py::arg("weights"), py::arg("batch_chunk"),
        "Runs strata::compile; returns the main output file or raises "
        "CompileError with every diagnostic.");
  m.def("sanitize_model_name", &strata::sanitizeModelName, py::arg("stem"),
        "The library name the compiler derives from a file stem.");
  m.def("target_presets", &strata::targetPresets,
        "The presets compile(target=...) accepts.");
  m.def("cpu_features", [] { return featureNames(strata_cpu_features()); },
        "The instruction set extensions of this machine's CPU (and OS) "
        "that the runtime checks models against.");
  m.def("preset_features", [](const std::string &preset) {
    if (preset == "x86-64-v2") return featureNames(STRATA_CPU_X86_64_V2);
    if (preset == "x86-64-v3") return featureNames(STRATA_CPU_X86_64_V3);
    if (preset == "x86-64-v4") return featureNames(STRATA_CPU_X86_64_V4);
    if (preset == "x86-64") return featureNames(0);
    throw py::value_error("no fixed feature set for preset '" + preset + "'");
  }, py::arg("preset"), "The features an x86-64 level preset requires.");
  m.attr("RUNTIME_API_VERSION") = py::int_(STRATA_RUNTIME_API_VERSION);
  m.attr("MODEL_ABI_VERSION") = py::int_(STRATA_MODEL_ABI_VERSION);

  py::class_<Model>(m, "Model")
      .def(py::init<const std::string &, bool, bool, unsigned>(),
           py::arg("path"), py::arg("verify") = true,
           py::arg("inspect") = false, py::arg("threads") = 0)
      .def_property_readonly("checksum", &Model::checksum)
      .def_property_readonly("not_runnable", &Model::notRunnable)
      .def_property_readonly("name", &Model::name)
      .def_property_readonly("threads", &Model::threads,
                             "threads that run the model, the caller included")
      .def_property_readonly("arena_bytes", &Model::arenaBytes,
                             "bytes of scratch memory one run needs")
      .def_property_readonly("target", &Model::target,
                             "(target preset, cpu, [features]) compiled for")
      .def_property_readonly("inputs", &Model::inputs,
                             "[(name, strata dtype code, shape tuple)]")
      .def_property_readonly("outputs", &Model::outputs,
                             "[(name, strata dtype code, shape tuple)]")
      .def("run", &Model::run, py::arg("inputs"), py::arg("outputs"),
           "Runs on one C-contiguous buffer per input and per output, in "
           "descriptor order, writing the outputs in place.")
      .def("run_async", &Model::runAsync, py::arg("inputs"),
           py::arg("outputs"), py::keep_alive<0, 1>(),
           "Submits a run like run(); returns a Pending.");

  py::class_<Pending>(m, "Pending")
      .def("wait", &Pending::wait, py::arg("timeout"),
           "Waits up to timeout seconds (< 0: no limit); True if complete.")
      .def("done", &Pending::done)
      .def("cancel", &Pending::cancel)
      .def_property_readonly("state", &Pending::state)
      .def("check", &Pending::check,
           "Raises RunError with the run's message unless it succeeded.");
}
