//===- StageReporter.h - progress lines for long compiles -------*- C++ -*-===//
//
// strata-compile prints one line per pipeline stage while it works (on a
// terminal, unless --quiet): the stage's name when it starts, then its wall
// time and the process's peak resident memory so far when it ends. Users
// wait on ResNet-sized compiles; the memory figure is how compile-time
// memory is measured (docs/benchmarks.md).
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_DRIVER_STAGEREPORTER_H
#define STRATA_LIB_DRIVER_STAGEREPORTER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace strata {

/// The peak resident set size of this process in bytes (VmHWM), or 0 where
/// the system does not say.
uint64_t peakResidentBytes();

class StageReporter {
public:
  /// Prints to `os` when `enabled`, otherwise does nothing.
  StageReporter(bool enabled, llvm::raw_ostream &os) : enabled(enabled), os(os) {}
  ~StageReporter() { end(); }

  /// Ends the current stage (if any) and starts `name`.
  void begin(llvm::StringRef name);
  /// Ends the current stage: prints its time and the peak memory so far.
  void end();

private:
  bool enabled;
  llvm::raw_ostream &os;
  bool open = false;
  unsigned number = 0;
  std::chrono::steady_clock::time_point start;
};

} // namespace strata

#endif // STRATA_LIB_DRIVER_STAGEREPORTER_H
