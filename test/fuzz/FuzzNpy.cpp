//===- FuzzNpy.cpp - libFuzzer target: strata-run's .npy reader ------------===//
//
// strata-run reads user-given .npy files; any bytes must give an array or
// a message, never a crash or an allocation the header alone asks for.
//
//===----------------------------------------------------------------------===//
#include "tools/strata-run/Npy.h"

#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // fmemopen of a zero-length buffer fails on glibc: give it one byte.
  static const uint8_t empty = 0;
  std::FILE *stream = fmemopen(const_cast<uint8_t *>(size ? data : &empty),
                               size ? size : 1, "rb");
  if (!stream)
    return 0;
  strata::npy::Array array;
  std::string error = strata::npy::readFrom(stream, "fuzz.npy", array);
  if (error.empty() && array.numBytes && !array.data)
    __builtin_trap(); // success must come with the data
  return 0;
}
