// tools/strata-run/Npy.h - reading and writing NumPy .npy files.
//
// Supports C-order arrays of little-endian f4, f2, i1, u1, i4, i8 and b1, in
// format versions 1.0, 2.0 (and 3.0, which only differs in header encoding).
// Element types are strata_dtype values. Errors are returned as messages,
// never thrown.
#ifndef STRATA_TOOLS_NPY_H
#define STRATA_TOOLS_NPY_H

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace strata::npy {

struct FreeDeleter {
  void operator()(uint8_t *p) const { std::free(p); }
};
// A malloc'ed byte buffer (malloc so that out-of-memory is an error, not an
// exception).
using Bytes = std::unique_ptr<uint8_t[], FreeDeleter>;

struct Array {
  int32_t dtype = 0; // a strata_dtype
  std::vector<int64_t> shape;
  Bytes data;
  size_t numBytes = 0;
};

// The .npy descr of a strata dtype ("<f4"), or "" if it has none.
std::string descrOf(int32_t dtype);

// Reads `path` into `out`. Returns "" on success, else a message that names
// the file.
std::string read(const std::string &path, Array &out);

// read() from an open, seekable stream, which it closes; `name` stands for
// the file in messages.
std::string readFrom(std::FILE *stream, const std::string &name, Array &out);

// Writes a dense row-major buffer as `path`. Returns "" or a message.
std::string write(const std::string &path, int32_t dtype,
                  const std::vector<int64_t> &shape, const void *data,
                  size_t numBytes);

} // namespace strata::npy

#endif // STRATA_TOOLS_NPY_H
