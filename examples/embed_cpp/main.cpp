// examples/embed_cpp/main.cpp - one strata-compiled model, linked into a C++
// program, run by 4 threads at once.
//
// The model was compiled with
//     strata-compile model.onnx -o out --name classifier
// (out/libclassifier.a, out/classifier.h). One strata_model serves every
// thread: runs of one model may overlap, each gets its own arena, and the
// model's thread pool takes one run's dispatches at a time (the others run
// theirs on their own thread), so 4 callers never oversubscribe the cores.
//
// Each thread runs the model `kRuns` times on the same inputs and checks
// that every result is bit-identical to a first, single-threaded run; the
// program then prints that result in examples/embed_c's format:
//     output <name> <element count>
//     <one value per line, %.9g>
// and exits 1 if any run failed or differed.
//
// Another model name: build with
//     -DMODEL_HEADER='"mynet.h"' -DMODEL_DESCRIPTOR=strata_mynet_descriptor
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "strata/runtime.h"

#ifndef MODEL_HEADER
#define MODEL_HEADER "classifier.h"
#define MODEL_DESCRIPTOR strata_classifier_descriptor
#endif
#include MODEL_HEADER

namespace {

constexpr int kThreads = 4;
constexpr int kRuns = 50;

size_t elementCount(const strata_tensor_desc &t) {
  size_t count = 1;
  for (int32_t d = 0; d < t.rank; ++d) count *= size_t(t.shape[d]);
  return count;
}

// One set of caller-owned buffers for every input and output.
struct Buffers {
  std::vector<std::vector<float>> data;
  std::vector<strata_tensor> inputs, outputs;

  explicit Buffers(const strata_model_desc &desc) {
    for (uint32_t i = 0; i < desc.num_inputs + desc.num_outputs; ++i) {
      bool isInput = i < desc.num_inputs;
      const strata_tensor_desc &t =
          isInput ? desc.inputs[i] : desc.outputs[i - desc.num_inputs];
      data.emplace_back(elementCount(t));
      // Input k, element e: ((7 e + 3 k) mod 23 - 11) / 11, as embed_c.
      if (isInput)
        for (size_t e = 0; e < data.back().size(); ++e)
          data.back()[e] = float(int((e * 7 + i * 3) % 23) - 11) / 11.0f;
      strata_tensor view = {data.back().data(), t.dtype, t.rank, t.shape};
      (isInput ? inputs : outputs).push_back(view);
    }
  }

  bool run(strata_model *model) {
    return strata_model_run(model, inputs.data(), inputs.size(),
                            outputs.data(), outputs.size()) == STRATA_OK;
  }
};

} // namespace

int main() {
  strata_model *raw = nullptr;
  if (strata_model_from_desc(MODEL_DESCRIPTOR(), &raw) != STRATA_OK) {
    std::fprintf(stderr, "error: %s\n", strata_last_error());
    return 1;
  }
  std::unique_ptr<strata_model, void (*)(strata_model *)> model(
      raw, strata_model_free);
  const strata_model_desc &desc = *strata_model_desc_of(model.get());
  for (uint32_t i = 0; i < desc.num_inputs + desc.num_outputs; ++i) {
    const strata_tensor_desc &t =
        i < desc.num_inputs ? desc.inputs[i] : desc.outputs[i - desc.num_inputs];
    if (t.dtype != STRATA_DTYPE_F32) {
      std::fprintf(stderr, "error: '%s' is %s; this example handles f32 only\n",
                   t.name, strata_dtype_name(t.dtype));
      return 1;
    }
  }

  Buffers reference(desc);
  if (!reference.run(model.get())) {
    std::fprintf(stderr, "error: %s\n", strata_last_error());
    return 1;
  }

  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Buffers mine(desc);
      for (int r = 0; r < kRuns; ++r) {
        if (!mine.run(model.get())) {
          std::fprintf(stderr, "thread %d: %s\n", t, strata_last_error());
          ++failures[t];
          continue;
        }
        for (size_t o = 0; o < mine.outputs.size(); ++o) {
          const auto &want = reference.data[desc.num_inputs + o];
          const auto &got = mine.data[desc.num_inputs + o];
          if (std::memcmp(got.data(), want.data(), got.size() * sizeof(float)))
            ++failures[t];
        }
      }
    });
  for (std::thread &thread : threads) thread.join();
  int failed = 0;
  for (int count : failures) failed += count;
  if (failed) {
    std::fprintf(stderr, "error: %d of %d runs failed or differed\n", failed,
                 kThreads * kRuns);
    return 1;
  }

  for (uint32_t o = 0; o < desc.num_outputs; ++o) {
    const auto &values = reference.data[desc.num_inputs + o];
    std::printf("output %s %zu\n", desc.outputs[o].name, values.size());
    for (float v : values) std::printf("%.9g\n", double(v));
  }
  return 0;
}
