// test/unit/Crc32cTest.cpp - the CRC-32C that strata-compile writes into a
// library's integrity note and the runtime verifies (runtime/crc32c.c).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "runtime/crc32c.h"

namespace {

TEST(Crc32c, KnownAnswers) {
  // The check value of CRC-32C (RFC 3720, B.4 and the CRC catalogue).
  EXPECT_EQ(strata_crc32c("123456789", 9), 0xe3069283u);
  EXPECT_EQ(strata_crc32c("", 0), 0u);
  std::vector<uint8_t> zeros(32, 0);
  EXPECT_EQ(strata_crc32c(zeros.data(), zeros.size()), 0x8a9136aau);
}

TEST(Crc32c, IncrementalEqualsOneShotAtAnySplit) {
  std::mt19937 gen(3);
  std::vector<uint8_t> data(4099);
  for (uint8_t &byte : data)
    byte = uint8_t(gen());
  uint32_t whole = strata_crc32c(data.data(), data.size());
  for (size_t split : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(1000),
                       data.size()}) {
    uint32_t state = strata_crc32c_update(~0u, data.data(), split);
    state = strata_crc32c_update(state, data.data() + split, data.size() - split);
    EXPECT_EQ(~state, whole) << "split at " << split;
  }
}

} // namespace
