// tools/strata-run/InFlight.h - strata-run --in-flight: throughput through
// the runtime's async API with several runs in flight.
#ifndef STRATA_TOOLS_INFLIGHT_H
#define STRATA_TOOLS_INFLIGHT_H

#include <string>
#include <vector>

#include "strata/runtime.h"

namespace strata::inflight {

struct Result {
  double runsPerSecond = 0;
  unsigned threads = 0;
};

// Submits `runs` runs of the model at once, round robin over `sessions`
// sessions of an instance of `threads` threads (0: one per CPU), and waits
// for them all. Each session writes its own copy of the outputs, which
// must then equal `expected` (the outputs of a synchronous run) byte for
// byte. Returns "" or an error.
std::string measure(strata_model *model, unsigned threads, unsigned sessions,
                    long long runs, const std::vector<strata_tensor> &inputs,
                    const std::vector<strata_tensor> &expected,
                    Result &result);

} // namespace strata::inflight

#endif // STRATA_TOOLS_INFLIGHT_H
