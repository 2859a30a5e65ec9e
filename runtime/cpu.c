/* runtime/cpu.c - what the running CPU can execute: its architecture and
 * x86 instruction set extensions (CPUID, with the OS's XSAVE support of the
 * wider registers), and the check that refuses a model compiled for
 * features the CPU lacks, before any of its code runs. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#if defined(__x86_64__)
#include <cpuid.h>

enum reg { EAX, EBX, ECX, EDX };
enum os_state { OS_NONE, OS_AVX, OS_AVX512, OS_AMX };

/* Where CPUID reports each STRATA_CPU_X86_* feature. */
static const struct {
  int bit;
  unsigned leaf, subleaf;
  enum reg reg;
  int reg_bit;
  enum os_state os;
} x86_cpuid[] = {
    {STRATA_CPU_X86_SSE3_BIT, 1, 0, ECX, 0, OS_NONE},
    {STRATA_CPU_X86_PCLMUL_BIT, 1, 0, ECX, 1, OS_NONE},
    {STRATA_CPU_X86_SSSE3_BIT, 1, 0, ECX, 9, OS_NONE},
    {STRATA_CPU_X86_FMA_BIT, 1, 0, ECX, 12, OS_AVX},
    {STRATA_CPU_X86_CX16_BIT, 1, 0, ECX, 13, OS_NONE},
    {STRATA_CPU_X86_SSE4_1_BIT, 1, 0, ECX, 19, OS_NONE},
    {STRATA_CPU_X86_SSE4_2_BIT, 1, 0, ECX, 20, OS_NONE},
    {STRATA_CPU_X86_MOVBE_BIT, 1, 0, ECX, 22, OS_NONE},
    {STRATA_CPU_X86_POPCNT_BIT, 1, 0, ECX, 23, OS_NONE},
    {STRATA_CPU_X86_AES_BIT, 1, 0, ECX, 25, OS_NONE},
    {STRATA_CPU_X86_AVX_BIT, 1, 0, ECX, 28, OS_AVX},
    {STRATA_CPU_X86_F16C_BIT, 1, 0, ECX, 29, OS_AVX},
    {STRATA_CPU_X86_BMI_BIT, 7, 0, EBX, 3, OS_NONE},
    {STRATA_CPU_X86_AVX2_BIT, 7, 0, EBX, 5, OS_AVX},
    {STRATA_CPU_X86_BMI2_BIT, 7, 0, EBX, 8, OS_NONE},
    {STRATA_CPU_X86_AVX512F_BIT, 7, 0, EBX, 16, OS_AVX512},
    {STRATA_CPU_X86_AVX512DQ_BIT, 7, 0, EBX, 17, OS_AVX512},
    {STRATA_CPU_X86_ADX_BIT, 7, 0, EBX, 19, OS_NONE},
    {STRATA_CPU_X86_AVX512IFMA_BIT, 7, 0, EBX, 21, OS_AVX512},
    {STRATA_CPU_X86_AVX512CD_BIT, 7, 0, EBX, 28, OS_AVX512},
    {STRATA_CPU_X86_SHA_BIT, 7, 0, EBX, 29, OS_NONE},
    {STRATA_CPU_X86_AVX512BW_BIT, 7, 0, EBX, 30, OS_AVX512},
    {STRATA_CPU_X86_AVX512VL_BIT, 7, 0, EBX, 31, OS_AVX512},
    {STRATA_CPU_X86_AVX512VBMI_BIT, 7, 0, ECX, 1, OS_AVX512},
    {STRATA_CPU_X86_AVX512VBMI2_BIT, 7, 0, ECX, 6, OS_AVX512},
    {STRATA_CPU_X86_GFNI_BIT, 7, 0, ECX, 8, OS_NONE},
    {STRATA_CPU_X86_VAES_BIT, 7, 0, ECX, 9, OS_AVX},
    {STRATA_CPU_X86_VPCLMULQDQ_BIT, 7, 0, ECX, 10, OS_AVX},
    {STRATA_CPU_X86_AVX512VNNI_BIT, 7, 0, ECX, 11, OS_AVX512},
    {STRATA_CPU_X86_AVX512BITALG_BIT, 7, 0, ECX, 12, OS_AVX512},
    {STRATA_CPU_X86_AVX512VPOPCNTDQ_BIT, 7, 0, ECX, 14, OS_AVX512},
    {STRATA_CPU_X86_AVX512VP2INTERSECT_BIT, 7, 0, EDX, 8, OS_AVX512},
    {STRATA_CPU_X86_AMX_BF16_BIT, 7, 0, EDX, 22, OS_AMX},
    {STRATA_CPU_X86_AVX512FP16_BIT, 7, 0, EDX, 23, OS_AVX512},
    {STRATA_CPU_X86_AMX_TILE_BIT, 7, 0, EDX, 24, OS_AMX},
    {STRATA_CPU_X86_AMX_INT8_BIT, 7, 0, EDX, 25, OS_AMX},
    {STRATA_CPU_X86_AVXVNNI_BIT, 7, 1, EAX, 4, OS_AVX},
    {STRATA_CPU_X86_AVX512BF16_BIT, 7, 1, EAX, 5, OS_AVX512},
    {STRATA_CPU_X86_AVXIFMA_BIT, 7, 1, EAX, 23, OS_AVX},
    {STRATA_CPU_X86_AVXVNNIINT8_BIT, 7, 1, EDX, 4, OS_AVX},
    {STRATA_CPU_X86_AVXNECONVERT_BIT, 7, 1, EDX, 5, OS_AVX},
    {STRATA_CPU_X86_SAHF_BIT, 0x80000001u, 0, ECX, 0, OS_NONE},
    {STRATA_CPU_X86_LZCNT_BIT, 0x80000001u, 0, ECX, 5, OS_NONE},
    {STRATA_CPU_X86_PRFCHW_BIT, 0x80000001u, 0, ECX, 8, OS_NONE},
    {STRATA_CPU_X86_XOP_BIT, 0x80000001u, 0, ECX, 11, OS_AVX},
    {STRATA_CPU_X86_FMA4_BIT, 0x80000001u, 0, ECX, 16, OS_AVX},
};

/* Which register states the OS saves (XCR0), as the extensions need. */
static int os_supports(enum os_state state, unsigned long long xcr0) {
  switch (state) {
  case OS_NONE: return 1;
  case OS_AVX: return (xcr0 & 0x6) == 0x6; /* XMM, YMM */
  case OS_AVX512: return (xcr0 & 0xe6) == 0xe6; /* + opmask, ZMM */
  case OS_AMX: return (xcr0 & 0x60000) == 0x60000; /* TILECFG, TILEDATA */
  }
  return 0;
}

static uint64_t detect_features(void) {
  unsigned max_leaf = __get_cpuid_max(0, NULL);
  unsigned max_ext = __get_cpuid_max(0x80000000u, NULL);
  unsigned long long xcr0 = 0;
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 27))) { /* OSXSAVE */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = ((unsigned long long)hi << 32) | lo;
  }
  uint64_t features = 0;
  for (size_t i = 0; i < sizeof x86_cpuid / sizeof x86_cpuid[0]; ++i) {
    unsigned leaf = x86_cpuid[i].leaf;
    if (leaf >= 0x80000000u ? leaf > max_ext : leaf > max_leaf) continue;
    unsigned regs[4] = {0, 0, 0, 0};
    __cpuid_count(leaf, x86_cpuid[i].subleaf, regs[EAX], regs[EBX], regs[ECX],
                  regs[EDX]);
    if ((regs[x86_cpuid[i].reg] >> x86_cpuid[i].reg_bit & 1) &&
        os_supports(x86_cpuid[i].os, xcr0))
      features |= (uint64_t)1 << x86_cpuid[i].bit;
  }
  return features;
}

uint32_t strata_cpu_arch(void) { return STRATA_ARCH_X86_64; }
#else
static uint64_t detect_features(void) { return 0; }
uint32_t strata_cpu_arch(void) {
#if defined(__aarch64__)
  return STRATA_ARCH_AARCH64;
#else
  return STRATA_ARCH_ANY;
#endif
}
#endif

uint64_t strata_cpu_features(void) {
  /* CPUID is cheap but not free; the answer never changes. Racing
   * first calls compute the same value. */
  static uint64_t cached;
  static int known;
  if (!__atomic_load_n(&known, __ATOMIC_ACQUIRE)) {
    __atomic_store_n(&cached, detect_features(), __ATOMIC_RELAXED);
    __atomic_store_n(&known, 1, __ATOMIC_RELEASE);
  }
  return __atomic_load_n(&cached, __ATOMIC_RELAXED);
}

#define STRATA_FEATURE_NAME_(NAME, BIT, TEXT) [BIT] = TEXT,
static const char *const x86_names[64] = {
    STRATA_X86_FEATURES(STRATA_FEATURE_NAME_)};
#undef STRATA_FEATURE_NAME_

size_t strata_cpu_feature_names(uint64_t features, char *buffer, size_t size) {
  size_t needed = 0;
  for (int bit = 0; bit < 64; ++bit) {
    if (!(features >> bit & 1)) continue;
    char unnamed[16];
    const char *name = x86_names[bit];
    if (!name) {
      snprintf(unnamed, sizeof unnamed, "bit%d", bit);
      name = unnamed;
    }
    const char *sep = needed ? ", " : "";
    if (buffer && needed < size)
      snprintf(buffer + needed, size - needed, "%s%s", sep, name);
    needed += strlen(sep) + strlen(name);
  }
  if (buffer && size && needed == 0) buffer[0] = '\0';
  return needed;
}

static const char *arch_name(uint32_t arch) {
  switch (arch) {
  case STRATA_ARCH_X86_64: return "x86-64";
  case STRATA_ARCH_AARCH64: return "aarch64";
  }
  return "an unknown architecture";
}

/* The highest x86-64 level whose features `have` covers, for advice. */
static const char *best_x86_level(uint64_t have) {
  if ((have & STRATA_CPU_X86_64_V4) == STRATA_CPU_X86_64_V4) return "x86-64-v4";
  if ((have & STRATA_CPU_X86_64_V3) == STRATA_CPU_X86_64_V3) return "x86-64-v3";
  if ((have & STRATA_CPU_X86_64_V2) == STRATA_CPU_X86_64_V2) return "x86-64-v2";
  return "x86-64";
}

strata_status strata_check_cpu(const strata_model_desc *desc, uint32_t arch,
                               uint64_t have) {
  if (desc->abi_version < 3 || desc->arch == STRATA_ARCH_ANY) return STRATA_OK;
  const char *target = desc->target ? desc->target : "?";
  if (desc->arch != arch)
    return strata_fail(STRATA_ERROR_UNSUPPORTED_CPU,
                       "model was compiled for %s (target '%s'), this "
                       "machine is %s",
                       arch_name(desc->arch), target, arch_name(arch));
  uint64_t missing = desc->cpu_features & ~have;
  if (!missing) return STRATA_OK;
  char names[512];
  strata_cpu_feature_names(missing, names, sizeof names);
  return strata_fail(
      STRATA_ERROR_UNSUPPORTED_CPU,
      "model was compiled for target '%s' (cpu %s) and uses CPU features "
      "that this CPU lacks: %s; compile it with --target=%s (the highest "
      "level this CPU runs) or --target=host on this machine",
      target, desc->cpu ? desc->cpu : "?", names,
      arch == STRATA_ARCH_X86_64 ? best_x86_level(have) : "host");
}
