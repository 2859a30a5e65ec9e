// tools/strata-run/Npy.cpp - a small .npy reader and writer (see Npy.h).
#include "Npy.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "strata/runtime.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the .npy code assumes a little-endian host");

namespace strata::npy {
namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

struct DescrEntry {
  const char *code; // kind + item size, without the byte-order character
  int32_t dtype;
};
const DescrEntry kDescrs[] = {
    {"f4", STRATA_DTYPE_F32}, {"f2", STRATA_DTYPE_F16},
    {"i1", STRATA_DTYPE_I8},  {"u1", STRATA_DTYPE_U8},
    {"i4", STRATA_DTYPE_I32}, {"i8", STRATA_DTYPE_I64},
    {"b1", STRATA_DTYPE_BOOL}, {"f8", STRATA_DTYPE_F64},
    {"i2", STRATA_DTYPE_I16}, {"u2", STRATA_DTYPE_U16},
    {"u4", STRATA_DTYPE_U32}, {"u8", STRATA_DTYPE_U64},
};

struct File {
  FILE *f;
  ~File() {
    if (f) std::fclose(f);
  }
};

// Finds `'key':` in the header dict and returns the position after the
// colon and any spaces, or npos.
size_t findValue(const std::string &header, const char *key) {
  for (char quote : {'\'', '"'}) {
    std::string pattern = std::string(1, quote) + key + quote;
    size_t pos = header.find(pattern);
    if (pos == std::string::npos) continue;
    pos = header.find(':', pos + pattern.size());
    if (pos == std::string::npos) return pos;
    ++pos;
    while (pos < header.size() && std::isspace((unsigned char)header[pos]))
      ++pos;
    return pos;
  }
  return std::string::npos;
}

std::string parseDescr(const std::string &header, int32_t &dtype) {
  size_t pos = findValue(header, "descr");
  if (pos == std::string::npos || (header[pos] != '\'' && header[pos] != '"'))
    return "header has no 'descr' string";
  size_t end = header.find(header[pos], pos + 1);
  if (end == std::string::npos) return "header has an unterminated 'descr'";
  std::string descr = header.substr(pos + 1, end - pos - 1);
  if (descr.size() == 3) {
    // Byte order: '<' little, '=' native (little, see below), '|' none;
    // '>' (big) is only harmless for one-byte types.
    char order = descr[0];
    bool orderOk = order == '<' || order == '=' ||
                   (descr[2] == '1' && (order == '|' || order == '>'));
    for (const DescrEntry &e : kDescrs)
      if (orderOk && descr.compare(1, 2, e.code) == 0) {
        dtype = e.dtype;
        return "";
      }
  }
  return "unsupported dtype '" + descr +
         "' (supported: little-endian f4, f8, f2, i1, i2, i4, i8, u1, u2, "
         "u4, u8, b1)";
}

std::string parseShape(const std::string &header, std::vector<int64_t> &shape) {
  size_t pos = findValue(header, "shape");
  if (pos == std::string::npos || header[pos] != '(')
    return "header has no 'shape' tuple";
  size_t end = header.find(')', pos);
  if (end == std::string::npos) return "header has an unterminated 'shape'";
  const char *p = header.c_str() + pos + 1, *stop = header.c_str() + end;
  while (p < stop) {
    while (p < stop && (std::isspace((unsigned char)*p) || *p == ',')) ++p;
    if (p == stop) break;
    if (!std::isdigit((unsigned char)*p))
      return "header has a malformed 'shape': " +
             header.substr(pos, end - pos + 1);
    char *next = nullptr;
    long long dim = std::strtoll(p, &next, 10);
    shape.push_back(dim);
    p = next;
    if (p < stop && (*p == 'L' || *p == 'l')) ++p; // Python 2 longs
  }
  return "";
}

} // namespace

std::string descrOf(int32_t dtype) {
  for (const DescrEntry &e : kDescrs)
    if (e.dtype == dtype)
      return std::string(e.code[1] == '1' ? "|" : "<") + e.code;
  return "";
}

std::string read(const std::string &path, Array &out) {
  std::FILE *stream = std::fopen(path.c_str(), "rb");
  if (!stream) return "'" + path + "': " + std::strerror(errno);
  return readFrom(stream, path, out);
}

std::string readFrom(std::FILE *stream, const std::string &name, Array &out) {
  auto fail = [&](const std::string &msg) { return "'" + name + "': " + msg; };
  File file{stream};
  unsigned char prefix[kMagicLen + 2];
  if (std::fread(prefix, 1, sizeof prefix, file.f) != sizeof prefix ||
      std::memcmp(prefix, kMagic, kMagicLen) != 0)
    return fail("not a .npy file (bad magic)");
  unsigned major = prefix[kMagicLen];
  if (major < 1 || major > 3)
    return fail("unsupported .npy format version " + std::to_string(major) +
                "." + std::to_string(prefix[kMagicLen + 1]));
  unsigned char lenBytes[4] = {0, 0, 0, 0};
  size_t lenSize = major == 1 ? 2 : 4;
  if (std::fread(lenBytes, 1, lenSize, file.f) != lenSize)
    return fail("truncated header");
  size_t headerLen = lenBytes[0] | (lenBytes[1] << 8) |
                     ((size_t)lenBytes[2] << 16) | ((size_t)lenBytes[3] << 24);
  if (headerLen > (1u << 20)) return fail("header is implausibly large");
  std::string header(headerLen, '\0');
  if (std::fread(header.data(), 1, headerLen, file.f) != headerLen)
    return fail("truncated header");

  size_t pos = findValue(header, "fortran_order");
  if (pos == std::string::npos) return fail("header has no 'fortran_order'");
  if (header.compare(pos, 4, "True") == 0)
    return fail("fortran_order arrays are not supported; save it in C order "
                "(numpy.ascontiguousarray)");
  std::string error = parseDescr(header, out.dtype);
  if (error.empty()) error = parseShape(header, out.shape);
  if (!error.empty()) return fail(error);

  size_t count = 1;
  for (int64_t dim : out.shape)
    if (__builtin_mul_overflow(count, (size_t)dim, &count))
      return fail("shape is too large");
  size_t numBytes;
  if (__builtin_mul_overflow(count, strata_dtype_size(out.dtype), &numBytes))
    return fail("shape is too large");
  long dataStart = std::ftell(file.f);
  if (dataStart < 0 || std::fseek(file.f, 0, SEEK_END) != 0)
    return fail("cannot seek");
  size_t available = (size_t)(std::ftell(file.f) - dataStart);
  if (available != numBytes)
    return fail("expected " + std::to_string(numBytes) +
                " bytes of data for its shape, found " +
                std::to_string(available));
  std::fseek(file.f, dataStart, SEEK_SET);
  out.data.reset(static_cast<uint8_t *>(std::malloc(numBytes ? numBytes : 1)));
  if (!out.data) return fail("out of memory");
  out.numBytes = numBytes;
  if (std::fread(out.data.get(), 1, numBytes, file.f) != numBytes)
    return fail("cannot read data");
  return "";
}

std::string write(const std::string &path, int32_t dtype,
                  const std::vector<int64_t> &shape, const void *data,
                  size_t numBytes) {
  std::string descr = descrOf(dtype);
  if (descr.empty())
    return "'" + path + "': dtype " + strata_dtype_name(dtype) +
           " has no .npy equivalent";
  std::string dims;
  for (int64_t dim : shape) dims += std::to_string(dim) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2); // "(3,)" vs "(2, 3)"
  if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so that the data starts 64-byte aligned.
  bool v2 = header.size() + 64 > 65535; // 1.0 has a 16-bit length
  size_t prefix = kMagicLen + 2 + (v2 ? 4 : 2);
  header.append(63 - (prefix + header.size()) % 64, ' ');
  header += '\n';

  File file{std::fopen(path.c_str(), "wb")};
  if (!file.f) return "'" + path + "': " + std::strerror(errno);
  size_t len = header.size();
  unsigned char head[12] = {0x93, 'N', 'U', 'M', 'P', 'Y',
                            (unsigned char)(v2 ? 2 : 1), 0,
                            (unsigned char)len, (unsigned char)(len >> 8),
                            (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
  bool ok = std::fwrite(head, 1, prefix, file.f) == prefix &&
            std::fwrite(header.data(), 1, len, file.f) == len &&
            std::fwrite(data, 1, numBytes, file.f) == numBytes;
  ok = std::fclose(file.f) == 0 && ok;
  file.f = nullptr;
  return ok ? "" : "'" + path + "': write failed";
}

} // namespace strata::npy
