//===- ReplayMain.cpp - runs a fuzz target on files, without libFuzzer ----===//
//
// Linked with a fuzz target in ordinary builds: `strata-fuzz-<target>
// FILE|DIR...` feeds each file (each file of a folder) to
// LLVMFuzzerTestOneInput once, so that lit can replay the crashes fuzzing
// found (test/fuzz/regressions) on every build. Prints one line per file;
// exits 0 when every input ran.
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool replay(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()),
                         bytes.size());
  std::printf("ran %s (%zu bytes)\n", path.filename().c_str(), bytes.size());
  return true;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path path(argv[i]);
    std::error_code error; // built without exceptions: no throwing calls
    if (std::filesystem::is_directory(path, error)) {
      std::vector<std::filesystem::path> files;
      for (std::filesystem::directory_iterator it(path, error), end;
           !error && it != end; it.increment(error))
        if (it->is_regular_file(error))
          files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (const auto &file : files)
        ok &= replay(file);
    } else {
      ok &= replay(path);
    }
  }
  return ok ? 0 : 1;
}
