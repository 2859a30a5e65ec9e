/* runtime/crc32c.c - CRC-32C (Castagnoli), the checksum of a compiled
 * library's bytes (strata/model_abi.h, "integrity note"). The SSE4.2 and
 * ARMv8 CRC instructions compute it at several GB/s; a table serves other
 * CPUs. Self-contained (no other runtime file), because strata-compile
 * links this file too, to write the checksum the runtime verifies. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crc32c.h"

#define POLY 0x82f63b78u /* Castagnoli, reflected */

static uint32_t table_update(uint32_t state, const uint8_t *p, size_t n) {
  static uint32_t table[256];
  static int ready;
  if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
      table[i] = c; /* racing first calls write the same values */
    }
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
  }
  while (n--) state = table[(state ^ *p++) & 0xff] ^ (state >> 8);
  return state;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t
hw_update(uint32_t state, const uint8_t *p, size_t n) {
  uint64_t c = state;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
  }
  uint32_t s = (uint32_t)c;
  for (; n; --n) s = _mm_crc32_u8(s, *p++);
  return s;
}

static int have_hw(void) {
  unsigned a, b, c, d;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2);
}
#elif defined(__aarch64__)
#include <arm_acle.h>
#include <sys/auxv.h>

__attribute__((target("crc"))) static uint32_t
hw_update(uint32_t state, const uint8_t *p, size_t n) {
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    state = __crc32cd(state, word);
  }
  for (; n; --n) state = __crc32cb(state, *p++);
  return state;
}

static int have_hw(void) {
#ifdef HWCAP_CRC32
  return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#else
  return 0;
#endif
}
#else
static uint32_t hw_update(uint32_t state, const uint8_t *p, size_t n) {
  return table_update(state, p, n);
}
static int have_hw(void) { return 0; }
#endif

uint32_t strata_crc32c_update(uint32_t state, const void *data, size_t size) {
  static int hw = -1;
  int use = __atomic_load_n(&hw, __ATOMIC_RELAXED);
  if (use < 0) {
    use = have_hw();
    __atomic_store_n(&hw, use, __ATOMIC_RELAXED);
  }
  return use ? hw_update(state, data, size) : table_update(state, data, size);
}

uint32_t strata_crc32c(const void *data, size_t size) {
  return ~strata_crc32c_update(~0u, data, size);
}
