// tools/strata-run/Data.h - element helpers for strata-run: deterministic
// pseudo-random inputs, reading elements as doubles, half-float conversion.
#ifndef STRATA_TOOLS_DATA_H
#define STRATA_TOOLS_DATA_H

#include <cstddef>
#include <cstdint>

namespace strata::data {

bool isFloat(int32_t dtype);
float halfToFloat(uint16_t bits);
float bf16ToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
uint16_t floatToBf16(float value);

// Fills `count` elements of `dtype`: floats uniform in [-1, 1), integers in
// [0, 10), bools 0/1. The sequence depends only on (seed, stream).
void fillRandom(int32_t dtype, void *data, size_t count, uint64_t seed,
                uint64_t stream);

// Element `index` of a buffer of `dtype`, as a double.
double elementAt(int32_t dtype, const void *data, size_t index);

} // namespace strata::data

#endif // STRATA_TOOLS_DATA_H
