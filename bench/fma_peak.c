/* bench/fma_peak.c - this core's fp32 FMA peak, the 100 % of the
 * benchmark's "% of peak" columns. Independent chains of vector FMAs,
 * enough to cover the FMA latency on every FMA port, in the widest vectors
 * the compile flags allow (-march=native: 512-bit with AVX-512, 256-bit
 * with AVX2; -march=x86-64-v3 measures the AVX2 peak of an AVX-512 core).
 * Prints GFLOP/s: the best of 5 runs of about 0.2 s. */
#include <stdio.h>
#include <time.h>

/* The chains are separate variables (an array stays in memory): 24 for the
 * 32 zmm registers, 12 for the 16 ymm / xmm ones, with the two constants. */
#if defined(__AVX512F__)
#define LANES 16
#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) \
  X(11) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
#define COUNT 24
#else
#if defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define COUNT 12
#endif

typedef float vec __attribute__((vector_size(LANES * sizeof(float))));

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(void) {
  vec mul, add;
  for (int l = 0; l < LANES; ++l) {
    mul[l] = 0.999999f;
    add[l] = 1e-6f;
  }
#define DECLARE(i) vec a##i = add * (float)(i + 1);
  CHAINS(DECLARE)
  const long iterations = 20000000;
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    double start = now();
    for (long n = 0; n < iterations; ++n) {
#define STEP(i) a##i = a##i * mul + add; /* one FMA */
      CHAINS(STEP)
      __asm__ volatile("" : "+v"(mul)); /* keep the loop from folding */
    }
    double seconds = now() - start;
    double gflops = 2.0 * LANES * COUNT * iterations / seconds / 1e9;
    if (gflops > best) best = gflops;
  }
  float sink = 0;
#define SUM(i) sink += a##i[0];
  CHAINS(SUM)
  printf("%.1f\n", best);
  fprintf(stderr, "(%d lanes x %d chains, checksum %g)\n", LANES, COUNT, sink);
  return 0;
}
