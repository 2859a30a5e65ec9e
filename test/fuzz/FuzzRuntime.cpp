//===- FuzzRuntime.cpp - libFuzzer target: descriptors and run arguments --===//
//
// The runtime's two checks, driven by fuzzed data: strata_model_from_desc
// validating a descriptor (ABI version, counts, names, dtypes, ranks,
// shapes, batch flag, pinned inputs, target and CPU features), then
// strata_model_run validating the caller's tensors against it. The fake
// entry reads every input byte and writes every output byte that the
// descriptor promises, so a buffer that the runtime wrongly accepts shows
// up as an AddressSanitizer report. Buffers are always as large as the
// shapes their tensors claim: a caller's lie is not the runtime's bug.
//
//===----------------------------------------------------------------------===//
#include "strata/runtime.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr size_t kMaxBytes = 1 << 16; // per tensor, to keep runs fast

const strata_model_desc *current = nullptr; // what the entry computes for
int64_t currentBatch = 1;

/// Elements of `shape` with the batch for -1; -1 when not a valid shape or
/// larger than kMaxBytes allows.
int64_t elementsOf(const int64_t *shape, int32_t rank, int64_t batch) {
  if (rank < 0 || rank > 8 || (rank > 0 && !shape))
    return -1;
  int64_t count = 1;
  for (int32_t d = 0; d < rank; ++d) {
    int64_t dim = shape[d] == -1 ? batch : shape[d];
    if (dim < 0 || (dim > 0 && count > int64_t(kMaxBytes) / dim))
      return -1;
    count *= dim;
  }
  return count;
}

int32_t fakeEntry(void **buffers) {
  // One sample: the runtime calls a batch-loop entry once per sample.
  const strata_model_desc *desc = current;
  size_t i = 0;
  volatile uint8_t sink = 0;
  for (uint32_t k = 0; k < desc->num_inputs; ++k, ++i) {
    const strata_tensor_desc &t = desc->inputs[k];
    int64_t n = elementsOf(t.shape, t.rank, 1);
    const uint8_t *p = static_cast<const uint8_t *>(buffers[i]);
    for (int64_t b = 0; b < n * int64_t(strata_dtype_size(t.dtype)); ++b)
      sink ^= p[b];
  }
  for (uint32_t k = 0; k < desc->num_outputs; ++k, ++i) {
    const strata_tensor_desc &t = desc->outputs[k];
    int64_t n = elementsOf(t.shape, t.rank, 1);
    if (n > 0) // an empty tensor may come with a null buffer
      std::memset(buffers[i], 0x5a, size_t(n) * strata_dtype_size(t.dtype));
  }
  (void)sink;
  return 0;
}

int64_t pickDim(FuzzedDataProvider &in) {
  static const int64_t dims[] = {0, 1, 2, 3, 4, 7, -1, -2, int64_t(1) << 40,
                                 INT64_MIN};
  return dims[in.ConsumeIntegralInRange<size_t>(0, std::size(dims) - 1)];
}

int32_t pickDtype(FuzzedDataProvider &in) {
  return in.ConsumeIntegralInRange<int32_t>(-1, 28);
}

/// Storage for one fuzzed descriptor and the run arguments built for it.
struct Case {
  std::vector<std::string> names;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<strata_tensor_desc> inputs, outputs;
  std::vector<std::unique_ptr<uint8_t[]>> blocks;
  std::vector<const void *> pinned;
  strata_model_desc desc{};

  void describe(FuzzedDataProvider &in, std::vector<strata_tensor_desc> &list,
                uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
      strata_tensor_desc t{};
      if (in.ConsumeIntegralInRange(0, 15) != 0) {
        names.push_back(in.ConsumeRandomLengthString(12));
        t.name = names.back().c_str();
      }
      t.dtype = in.ConsumeBool() ? STRATA_DTYPE_F32 : pickDtype(in);
      t.rank = in.ConsumeIntegralInRange<int32_t>(-1, 4);
      std::vector<int64_t> shape;
      for (int32_t d = 0; d < t.rank; ++d)
        shape.push_back(in.ConsumeBool() ? in.ConsumeIntegralInRange(1, 4)
                                         : pickDim(in));
      shapes.push_back(std::move(shape));
      t.shape = t.rank > 0 && in.ConsumeIntegralInRange(0, 15) != 0
                    ? shapes.back().data()
                    : nullptr;
      list.push_back(t);
    }
  }

  uint8_t *block(size_t bytes, FuzzedDataProvider &in) {
    blocks.emplace_back(new uint8_t[bytes ? bytes : 1]);
    for (size_t b = 0; b < bytes; ++b)
      blocks.back()[b] = in.ConsumeIntegral<uint8_t>();
    return blocks.back().get();
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  // Reserve the capacity: descriptors point into these vectors.
  Case c;
  c.names.reserve(16);
  c.shapes.reserve(16);
  uint32_t numInputs = in.ConsumeIntegralInRange<uint32_t>(0, 4);
  uint32_t numOutputs = in.ConsumeIntegralInRange<uint32_t>(0, 3);
  c.describe(in, c.inputs, numInputs);
  c.describe(in, c.outputs, numOutputs);
  strata_model_desc &d = c.desc;
  d.abi_version = in.ConsumeIntegralInRange<uint32_t>(0, 4);
  d.num_inputs = numInputs;
  d.num_outputs = numOutputs;
  d.flags = in.ConsumeIntegralInRange<uint32_t>(0, 3);
  d.model_name = in.ConsumeBool() ? "fuzz" : nullptr;
  d.inputs = numInputs && in.ConsumeIntegralInRange(0, 15) ? c.inputs.data() : nullptr;
  d.outputs = numOutputs && in.ConsumeIntegralInRange(0, 15) ? c.outputs.data() : nullptr;
  d.entry = in.ConsumeIntegralInRange(0, 15) ? fakeEntry : nullptr;
  if (in.ConsumeBool()) { // pinned inputs, with values as the desc says
    for (const strata_tensor_desc &t : c.inputs) {
      int64_t n = elementsOf(t.shape, t.rank, 1);
      size_t bytes = size_t(n) * strata_dtype_size(t.dtype);
      c.pinned.push_back(n >= 0 && in.ConsumeBool() ? c.block(bytes, in) : nullptr);
    }
    d.pinned_inputs = c.pinned.data();
  }
  d.target = in.ConsumeBool() ? "fuzz-target" : nullptr;
  d.cpu = in.ConsumeBool() ? "fuzz-cpu" : nullptr;
  d.arch = in.ConsumeIntegralInRange<uint32_t>(0, 3);
  d.cpu_features = in.ConsumeBool() ? 0 : in.ConsumeIntegral<uint64_t>();

  strata_model *model = nullptr;
  if (strata_model_from_desc(&d, &model) != STRATA_OK) {
    if (model)
      __builtin_trap(); // a failure must not hand out a model
    return 0;
  }
  current = &d;

  // Run arguments: mostly what the descriptor asks for, sometimes not.
  int64_t batch = in.ConsumeIntegralInRange<int64_t>(0, 3);
  auto arguments = [&](const std::vector<strata_tensor_desc> &descs,
                       std::vector<strata_tensor> &tensors,
                       std::vector<std::vector<int64_t>> &shapes) {
    for (const strata_tensor_desc &t : descs) {
      strata_tensor tensor{};
      tensor.dtype = in.ConsumeIntegralInRange(0, 7) ? t.dtype : pickDtype(in);
      tensor.rank = in.ConsumeIntegralInRange(0, 7) ? t.rank
                                                    : in.ConsumeIntegralInRange(-1, 4);
      std::vector<int64_t> shape;
      for (int32_t k = 0; k < tensor.rank; ++k) {
        int64_t dim = k < t.rank && t.shape ? t.shape[k] : 1;
        if (dim == -1)
          dim = batch;
        shape.push_back(in.ConsumeIntegralInRange(0, 7) ? dim : pickDim(in));
      }
      shapes.push_back(shape);
      tensor.shape = in.ConsumeIntegralInRange(0, 15) ? shapes.back().data() : nullptr;
      int64_t n = elementsOf(tensor.shape, tensor.rank, batch);
      size_t unit = strata_dtype_size(tensor.dtype);
      if (n >= 0 && unit && in.ConsumeIntegralInRange(0, 15))
        tensor.data = c.block(size_t(n) * unit, in);
      tensors.push_back(tensor);
    }
  };
  std::vector<strata_tensor> inputs, outputs;
  std::vector<std::vector<int64_t>> inShapes, outShapes;
  inShapes.reserve(8);
  outShapes.reserve(8);
  arguments(c.inputs, inputs, inShapes);
  arguments(c.outputs, outputs, outShapes);
  size_t passIn = inputs.size(), passOut = outputs.size();
  if (!in.ConsumeIntegralInRange(0, 15))
    passIn = in.ConsumeIntegralInRange<size_t>(0, passIn); // too few
  currentBatch = batch;
  strata_model_run(model, passIn ? inputs.data() : nullptr, passIn,
                   passOut ? outputs.data() : nullptr, passOut);
  strata_model_free(model);
  current = nullptr;
  return 0;
}
