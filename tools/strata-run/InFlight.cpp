// tools/strata-run/InFlight.cpp - strata-run --in-flight (see InFlight.h).
#include "InFlight.h"

#include <chrono>
#include <cstring>
#include <memory>

namespace strata::inflight {
namespace {

size_t bytesOf(const strata_tensor &t) {
  size_t bytes = strata_dtype_size(t.dtype);
  for (int32_t d = 0; d < t.rank; ++d)
    bytes *= static_cast<size_t>(t.shape[d]);
  return bytes;
}

// One session with its own outputs.
struct Lane {
  strata_session *session = nullptr;
  std::vector<std::vector<unsigned char>> buffers;
  std::vector<strata_tensor> outputs;
  ~Lane() { strata_session_destroy(session); }
};

std::string lastError(const char *what) {
  return std::string(what) + ": " + strata_last_error();
}

} // namespace

std::string measure(strata_model *model, unsigned threads, unsigned sessions,
                    long long runs, const std::vector<strata_tensor> &inputs,
                    const std::vector<strata_tensor> &expected,
                    Result &result) {
  strata_instance_options options;
  strata_instance_options_init(&options);
  options.threads = threads;
  strata_instance *raw = nullptr;
  if (strata_instance_create(&options, &raw) != STRATA_OK)
    return lastError("instance");
  std::unique_ptr<strata_instance, void (*)(strata_instance *)> instance(
      raw, strata_instance_destroy);
  result.threads = strata_instance_threads(raw);

  // Declared after the instance: lanes are destroyed first.
  std::vector<std::unique_ptr<Lane>> lanes;
  for (unsigned s = 0; s < sessions; ++s) {
    auto lane = std::make_unique<Lane>();
    if (strata_session_create(raw, model, nullptr, &lane->session) !=
        STRATA_OK)
      return lastError("session");
    for (const strata_tensor &want : expected) {
      lane->buffers.emplace_back(bytesOf(want) + 1);
      strata_tensor out = want;
      out.data = lane->buffers.back().data();
      lane->outputs.push_back(out);
    }
    lanes.push_back(std::move(lane));
  }
  // All runs are submitted at once, round robin over the sessions, which
  // queue them; each session's runs follow one another on its outputs.
  std::vector<strata_fence *> fences;
  fences.reserve(runs);
  auto release = [&] {
    for (strata_fence *fence : fences) {
      strata_fence_wait(fence, -1);
      strata_fence_release(fence);
    }
    fences.clear();
  };
  auto start = std::chrono::steady_clock::now();
  for (long long run = 0; run < runs; ++run) {
    Lane &lane = *lanes[run % lanes.size()];
    strata_fence *fence = nullptr;
    if (strata_session_submit(lane.session, inputs.data(), inputs.size(),
                              lane.outputs.data(), lane.outputs.size(),
                              &fence) != STRATA_OK) {
      std::string error = lastError("submit");
      release();
      return error;
    }
    fences.push_back(fence);
  }
  // Last first: a session runs in order, so one wake-up of this thread per
  // session covers its runs (a wake-up per run would take a core's time
  // from the runs when they use every core).
  for (size_t i = fences.size(); i-- > 0;)
    if (strata_fence_wait(fences[i], -1) != STRATA_OK) {
      std::string error = lastError("run");
      release();
      return error;
    }
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  result.runsPerSecond = seconds > 0 ? double(runs) / seconds : 0;
  release();
  for (auto &lane : lanes)
    for (size_t o = 0; o < expected.size(); ++o)
      if (std::memcmp(lane->outputs[o].data, expected[o].data,
                      bytesOf(expected[o])) != 0)
        return "output " + std::to_string(o) +
               " of the runs in flight differs from the synchronous run's";
  return "";
}

} // namespace strata::inflight
