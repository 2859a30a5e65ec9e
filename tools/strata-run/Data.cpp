// tools/strata-run/Data.cpp - see Data.h.
#include "Data.h"

#include <cmath>
#include <cstring>

#include "strata/model_abi.h"

namespace strata::data {
namespace {

uint32_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

float bitsFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// splitmix64: small, fast and good enough for test inputs.
uint64_t next(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

template <typename T> void store(void *data, size_t i, T value) {
  std::memcpy(static_cast<char *>(data) + i * sizeof(T), &value, sizeof(T));
}

template <typename T> T load(const void *data, size_t i) {
  T value;
  std::memcpy(&value, static_cast<const char *>(data) + i * sizeof(T),
              sizeof(T));
  return value;
}

} // namespace

bool isFloat(int32_t dtype) {
  return dtype == STRATA_DTYPE_F32 || dtype == STRATA_DTYPE_F16 ||
         dtype == STRATA_DTYPE_BF16 || dtype == STRATA_DTYPE_F64;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0) // zero or subnormal
    return (sign ? -1.0f : 1.0f) * std::ldexp((float)mant, -24);
  if (exp == 31)
    return bitsFloat(sign | 0x7f800000u | (mant << 13));
  return bitsFloat(sign | ((exp + 112) << 23) | (mant << 13));
}

float bf16ToFloat(uint16_t bits) { return bitsFloat((uint32_t)bits << 16); }

uint16_t floatToHalf(float value) {
  uint32_t x = floatBits(value);
  uint32_t sign = (x >> 16) & 0x8000, mant = x & 0x7fffff;
  int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
  if (((x >> 23) & 0xff) == 0xff) // inf or nan
    return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
  if (exp >= 31) return (uint16_t)(sign | 0x7c00);
  uint32_t shift = 13, bits;
  if (exp <= 0) { // subnormal half (or zero)
    if (exp < -10) return (uint16_t)sign;
    mant |= 0x800000;
    shift = (uint32_t)(14 - exp);
    bits = mant >> shift;
  } else {
    bits = ((uint32_t)exp << 10) | (mant >> 13);
  }
  uint32_t rest = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
  if (rest > halfway || (rest == halfway && (bits & 1))) ++bits; // to even
  return (uint16_t)(sign | bits);
}

uint16_t floatToBf16(float value) {
  uint32_t x = floatBits(value);
  if ((x & 0x7fffffff) > 0x7f800000) return (uint16_t)((x >> 16) | 0x40);
  return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

void fillRandom(int32_t dtype, void *data, size_t count, uint64_t seed,
                uint64_t stream) {
  uint64_t state = seed ^ (0xd1b54a32d192ed03ull * (stream + 1));
  for (size_t i = 0; i < count; ++i) {
    uint64_t r = next(state);
    // Floats: 24 random bits (8 for 16-bit floats, so that every value is
    // exact and below 1) scaled to [-1, 1).
    float f24 = (float)(r >> 40) * 0x1p-23f - 1.0f;
    float f8 = (float)(r >> 56) * 0x1p-7f - 1.0f;
    int64_t small = (int64_t)(r % 10);
    switch (dtype) {
    case STRATA_DTYPE_F32: store(data, i, f24); break;
    case STRATA_DTYPE_F16: store(data, i, floatToHalf(f8)); break;
    case STRATA_DTYPE_BF16: store(data, i, floatToBf16(f8)); break;
    case STRATA_DTYPE_U8: store(data, i, (uint8_t)small); break;
    case STRATA_DTYPE_I8: store(data, i, (int8_t)small); break;
    case STRATA_DTYPE_BOOL: store(data, i, (uint8_t)(r & 1)); break;
    case STRATA_DTYPE_I32: store(data, i, (int32_t)small); break;
    case STRATA_DTYPE_I64: store(data, i, small); break;
    case STRATA_DTYPE_F64: store(data, i, (double)f24); break;
    case STRATA_DTYPE_I16: store(data, i, (int16_t)small); break;
    case STRATA_DTYPE_U16: store(data, i, (uint16_t)small); break;
    case STRATA_DTYPE_U32: store(data, i, (uint32_t)small); break;
    case STRATA_DTYPE_U64: store(data, i, (uint64_t)small); break;
    default: return;
    }
  }
}

double elementAt(int32_t dtype, const void *data, size_t i) {
  switch (dtype) {
  case STRATA_DTYPE_F32: return load<float>(data, i);
  case STRATA_DTYPE_F16: return halfToFloat(load<uint16_t>(data, i));
  case STRATA_DTYPE_BF16: return bf16ToFloat(load<uint16_t>(data, i));
  case STRATA_DTYPE_U8: return load<uint8_t>(data, i);
  case STRATA_DTYPE_I8: return load<int8_t>(data, i);
  case STRATA_DTYPE_BOOL: return load<uint8_t>(data, i) != 0;
  case STRATA_DTYPE_I32: return load<int32_t>(data, i);
  case STRATA_DTYPE_I64: return (double)load<int64_t>(data, i);
  case STRATA_DTYPE_F64: return load<double>(data, i);
  case STRATA_DTYPE_I16: return load<int16_t>(data, i);
  case STRATA_DTYPE_U16: return load<uint16_t>(data, i);
  case STRATA_DTYPE_U32: return load<uint32_t>(data, i);
  case STRATA_DTYPE_U64: return (double)load<uint64_t>(data, i);
  }
  return 0.0;
}

} // namespace strata::data
