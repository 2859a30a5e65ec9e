/* bench/int8_dot_peak.c - this core's rate of the two exact AVX2 int8 dot
 * products that strata-lower-int8-contractions can use, in products
 * (multiply-adds) per second:
 *   madd:    vpmaddwd on i16 pairs, then vpaddd into the accumulator
 *            (16 products per vpmaddwd);
 *   maddubs: vpmaddubsw on u8 x s8 pairs, vpmaddwd with ones, vpaddd
 *            (32 products per vpmaddubsw).
 * A 4 x 2 block of 8 independent accumulators, as in the kernels; the
 * operands are pinned to registers by an empty asm so nothing is hoisted.
 * Build: cc -O2 -mavx2 bench/int8_dot_peak.c. Prints GMAC/s of each. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define ROWS 4
#define PANELS 2
#define STEPS 100000000L

/* One timed loop; `ubs` picks the kernel. Inlined with a constant `ubs`,
 * so each loop holds only its own instructions and the accumulators stay
 * in registers. */
static inline __attribute__((always_inline)) double run(int ubs) {
  __m256i acc[ROWS * PANELS], a[ROWS], b[PANELS];
  for (int i = 0; i < ROWS * PANELS; ++i) acc[i] = _mm256_set1_epi32(i);
  for (int r = 0; r < ROWS; ++r) a[r] = _mm256_set1_epi16((short)(r + 3));
  for (int p = 0; p < PANELS; ++p) b[p] = _mm256_set1_epi16((short)(p + 5));
  const __m256i ones = _mm256_set1_epi16(1);
  double start = seconds();
  for (long i = 0; i < STEPS; ++i) {
    for (int r = 0; r < ROWS; ++r)
      for (int p = 0; p < PANELS; ++p) {
        __m256i words = ubs ? _mm256_madd_epi16(_mm256_maddubs_epi16(a[r], b[p]), ones)
                            : _mm256_madd_epi16(a[r], b[p]);
        acc[r * PANELS + p] = _mm256_add_epi32(acc[r * PANELS + p], words);
      }
    __asm__ volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]),
                     "+x"(b[0]), "+x"(b[1]));
  }
  double elapsed = seconds() - start;
  int check = 0;
  for (int i = 0; i < ROWS * PANELS; ++i) check += _mm256_extract_epi32(acc[i], 0);
  if (check == 42) printf(" ");  /* keeps the sums live */
  return (double)STEPS * ROWS * PANELS * (ubs ? 32 : 16) / elapsed / 1e9;
}

int main(void) {
  double madd = run(0), maddubs = run(1);
  printf("madd     %.1f GMAC/s\nmaddubs  %.1f GMAC/s\n", madd, maddubs);
  return 0;
}
