//===- StageReporter.cpp - progress lines for long compiles ---------------===//
#include "lib/driver/StageReporter.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"

namespace strata {

uint64_t peakResidentBytes() {
  // /proc is Linux's; elsewhere the figure is simply left out.
  auto status = llvm::MemoryBuffer::getFileAsStream("/proc/self/status");
  if (!status)
    return 0;
  llvm::StringRef text = (*status)->getBuffer();
  size_t at = text.find("VmHWM:");
  if (at == llvm::StringRef::npos)
    return 0;
  llvm::StringRef value = text.drop_front(at + 6).ltrim();
  value = value.take_while([](char c) { return c >= '0' && c <= '9'; });
  uint64_t kilobytes = 0;
  if (value.getAsInteger(10, kilobytes))
    return 0;
  return kilobytes * 1024;
}

void StageReporter::begin(llvm::StringRef name) {
  end();
  if (!enabled)
    return;
  os << "strata-compile: [" << ++number << "] " << name << " ...";
  os.flush();
  open = true;
  start = std::chrono::steady_clock::now();
}

void StageReporter::end() {
  if (!open)
    return;
  open = false;
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  os << llvm::format(" %.2f s", seconds);
  if (uint64_t peak = peakResidentBytes())
    os << llvm::format(", peak memory %.0f MiB", peak / 1048576.0);
  os << "\n";
  os.flush();
}

} // namespace strata
