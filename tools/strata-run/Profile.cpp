// tools/strata-run/Profile.cpp - strata-run --profile (see Profile.h).
#include "Profile.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <memory>

namespace strata::profile {
namespace {

std::string jsonString(const char *text) {
  std::string out = "\"";
  for (const char *c = text ? text : ""; *c; ++c) {
    unsigned char ch = static_cast<unsigned char>(*c);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += *c;
    } else if (ch < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", ch);
      out += escaped;
    } else {
      out += *c;
    }
  }
  return out + "\"";
}

} // namespace

size_t capacityFor(long long runs, uint32_t dispatches, unsigned threads,
                   int64_t calls) {
  // One event per thread and dispatch of each call, and one per run; at
  // most 1 << 20 (48 MiB), a few seconds of a large model.
  long long perCall = (dispatches ? dispatches : 1024) * (long long)threads;
  long long perRun =
      perCall * std::min<long long>(std::max<int64_t>(calls, 1), 1 << 20) + 1;
  return (size_t)std::min<long long>(runs * perRun, 1 << 20);
}

std::string writeTrace(const std::string &path, const std::string &model,
                       const std::vector<strata_profile_event> &events,
                       unsigned threads) {
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "w"),
                                              std::fclose);
  if (!file) return "cannot write '" + path + "'";
  int64_t origin = INT64_MAX;
  for (const strata_profile_event &e : events)
    origin = std::min(origin, e.start_ns);
  FILE *f = file.get();
  std::fprintf(f, "{\"displayTimeUnit\": \"ms\", \"otherData\": {\"model\": "
                  "%s, \"threads\": %u},\n\"traceEvents\": [\n",
               jsonString(model.c_str()).c_str(), threads);
  for (unsigned t = 0; t < threads; ++t)
    std::fprintf(f,
                 "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, "
                 "\"tid\": %u, \"args\": {\"name\": \"%s %u\"}},\n",
                 t, t == 0 ? "caller" : "worker", t);
  for (size_t i = 0; i < events.size(); ++i) {
    const strata_profile_event &e = events[i];
    bool run = std::string(e.name ? e.name : "") == "run";
    std::fprintf(f,
                 "{\"name\": %s, \"cat\": \"%s\", \"ph\": \"X\", \"pid\": 1, "
                 "\"tid\": %u, \"ts\": %.3f, \"dur\": %.3f, \"args\": "
                 "{\"workgroups\": %" PRId64 ", \"sequence\": %u}}%s\n",
                 jsonString(e.name).c_str(), run ? "run" : "dispatch",
                 e.thread, (e.start_ns - origin) / 1e3,
                 (e.end_ns - e.start_ns) / 1e3, e.workgroups, e.sequence,
                 i + 1 < events.size() ? "," : "");
  }
  std::fprintf(f, "]}\n");
  if (std::ferror(f)) return "cannot write '" + path + "'";
  return "";
}

void printSummary(const std::vector<strata_profile_event> &events,
                  size_t top) {
  // Wall time of each grid: its threads' first start to last end.
  std::map<uint32_t, std::pair<int64_t, int64_t>> grids;
  std::map<uint32_t, const char *> gridNames;
  int64_t runTime = 0;
  long long runs = 0;
  for (const strata_profile_event &e : events) {
    if (std::string(e.name) == "run") {
      runTime += e.end_ns - e.start_ns;
      ++runs;
      continue;
    }
    auto [it, added] = grids.try_emplace(e.sequence, e.start_ns, e.end_ns);
    if (!added) {
      it->second.first = std::min(it->second.first, e.start_ns);
      it->second.second = std::max(it->second.second, e.end_ns);
    }
    gridNames[e.sequence] = e.name;
  }
  if (runs == 0) return;
  std::map<std::string, int64_t> byName;
  int64_t dispatched = 0;
  for (const auto &[sequence, span] : grids) {
    byName[gridNames[sequence]] += span.second - span.first;
    dispatched += span.second - span.first;
  }
  std::vector<std::pair<int64_t, std::string>> sorted;
  for (const auto &[name, time] : byName) sorted.push_back({time, name});
  std::sort(sorted.rbegin(), sorted.rend());
  std::printf("profile: %lld runs, %.4f ms per run; dispatches %.1f %%, the "
              "rest (ops not split into workgroups) %.1f %%\n",
              runs, runTime / 1e6 / runs, 100.0 * dispatched / runTime,
              100.0 * (runTime - dispatched) / runTime);
  for (size_t i = 0; i < sorted.size() && i < top; ++i)
    std::printf("  %9.4f ms %5.1f %%  %s\n", sorted[i].first / 1e6 / runs,
                100.0 * sorted[i].first / runTime, sorted[i].second.c_str());
}

} // namespace strata::profile
