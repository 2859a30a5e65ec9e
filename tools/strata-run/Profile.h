// tools/strata-run/Profile.h - strata-run --profile: a Chrome trace (JSON,
// chrome://tracing or ui.perfetto.dev) of every dispatch on every thread,
// and a summary of where the time went.
#ifndef STRATA_TOOLS_PROFILE_H
#define STRATA_TOOLS_PROFILE_H

#include <string>
#include <vector>

#include "strata/runtime.h"

namespace strata::profile {

// Events for `runs` runs of a model with `dispatches` dispatches (0 when
// the library does not say: a generous guess) on `threads` threads, each
// run calling the model's entry `calls` times (a batch-loop model runs it
// once per sample).
size_t capacityFor(long long runs, uint32_t dispatches, unsigned threads,
                   int64_t calls = 1);

// Writes the events as a Chrome trace to `path`; returns "" or an error.
std::string writeTrace(const std::string &path, const std::string &model,
                       const std::vector<strata_profile_event> &events,
                       unsigned threads);

// Prints the dispatches that took longest (wall time of each grid, summed
// per name) as milliseconds per run and shares of the runs' time.
void printSummary(const std::vector<strata_profile_event> &events,
                  size_t top = 10);

} // namespace strata::profile

#endif // STRATA_TOOLS_PROFILE_H
