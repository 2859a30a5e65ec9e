//===- TargetDescription.cpp - what code generation knows of a CPU --------===//
#include "codegen/cpu/TargetDescription.h"

#include "strata/model_abi.h"

namespace strata {

namespace {

/// The register block for `d`'s vector width and register count: two
/// vectors of columns, and as many rows as the registers left after the two
/// column vectors (loaded once per step) and a broadcast row element allow,
/// capped at 8 rows: 8 x 32 on AVX-512 (16 accumulators of
/// 32), 6 x 16 on AVX2 (12 of 16: 6 x 24 would leave no register for the
/// loads), 6 x 8 on SSE and 8 x 8 on NEON.
void chooseBlock(CpuTargetDescription &d) {
  const int64_t columnVectors = 2;
  int64_t rows = (int64_t(d.vectorRegisters) - columnVectors - 1) / columnVectors;
  d.blockRows = std::min<int64_t>(rows, 8);
  d.blockColumns = columnVectors * d.f32Lanes();
}

/// The int8 kernel and its block: as many accumulators as leave registers
/// for one B vector per panel, the broadcast row and (madd) a product.
///
/// Without VNNI, Zen 1 to 3 get the maddubs kernel: on a Zen 3 core it ran
/// ResNet-50's int8 convolutions in 69 ms against madd's 91 (its A is a
/// broadcast 4 bytes and one xor per row and k group, where madd widens
/// A's bytes to words and broadcasts them; its instruction pair peaks at
/// 97 GMAC/s against vpmaddwd's 80, bench/int8_dot_peak.c). Other AVX2
/// cores keep madd: they were not measured, and the residual of split
/// pairs costs a quarter more products.
void chooseInt8Kernel(CpuTargetDescription &d, uint64_t has,
                      llvm::StringRef cpu) {
  bool avx512 = has & STRATA_CPU(X86_AVX512F);
  if (avx512 && (has & STRATA_CPU(X86_AVX512VNNI))) {
    d.int8Kernel = "vnni"; // 6 x 4 x 16 lanes: 24 + 4 + 1 of 32 zmm
    d.int8Lanes = 16, d.int8Rows = 6, d.int8Panels = 4;
  } else if (has & STRATA_CPU(X86_AVXVNNI)) {
    d.int8Kernel = "vnni"; // 6 x 2 x 8 lanes: 12 + 2 + 1 of 16 ymm
    d.int8Lanes = 8, d.int8Rows = 6, d.int8Panels = 2;
  } else if (avx512 && (has & STRATA_CPU(X86_AVX512BW))) {
    d.int8Kernel = "madd"; // 6 x 4 x 16 lanes: 24 + 4 + 2 of 32 zmm
    d.int8Lanes = 16, d.int8Rows = 6, d.int8Panels = 4;
  } else if ((has & STRATA_CPU(X86_AVX2)) &&
             llvm::is_contained({"znver1", "znver2", "znver3"}, cpu)) {
    d.int8Kernel = "maddubs"; // 4 x 2 x 8 lanes: 8 + 2 + 3 of 16 ymm
    d.int8Lanes = 8, d.int8Rows = 4, d.int8Panels = 2;
  } else if (has & STRATA_CPU(X86_AVX2)) {
    d.int8Kernel = "madd"; // 4 x 2 x 8 lanes: 8 + 2 + 2 of 16 ymm
    d.int8Lanes = 8, d.int8Rows = 4, d.int8Panels = 2;
  }
}

} // namespace

CpuTargetDescription describeCpuTarget(const TargetRecord &record) {
  CpuTargetDescription d;
  uint64_t has = record.cpuFeatures;
  if (record.arch == STRATA_ARCH_AARCH64) {
    d.vectorBits = 128; // NEON
    d.vectorRegisters = 32;
    d.fma = true;
  } else if (has & STRATA_CPU(X86_AVX512F)) {
    d.vectorBits = 512;
    d.vectorRegisters = 32;
    d.fma = true;
  } else if (has & STRATA_CPU(X86_AVX)) {
    d.vectorBits = 256;
    d.vectorRegisters = 16;
    d.fma = has & STRATA_CPU(X86_FMA);
  } else {
    d.vectorBits = 128; // SSE2
    d.vectorRegisters = 16;
  }
  chooseBlock(d);
  // Weight-only products: rows x panels accumulators, a scale and an
  // offset per panel, two dequantized vectors and a broadcast: 8 x 2 (16 +
  // 4 + 5 of 32 registers) or 3 x 2 (6 + 4 + 5 of 16). A product of one
  // row has two accumulators per panel: 4 panels (8 + 8 + 9) or 2.
  if (d.vectorRegisters < 32)
    d.weightOnlyRows = 3, d.weightOnlyPanels = 2, d.weightOnlyRowPanels = 2;
  if (record.arch != STRATA_ARCH_AARCH64)
    chooseInt8Kernel(d, has, record.cpu);
  return d;
}

void printCpuTargetDescription(const TargetRecord &record,
                               const CpuTargetDescription &d,
                               llvm::raw_ostream &os) {
  os << "target: " << record.target << "\n"
     << "cpu: " << record.cpu << "\n"
     << "vector registers: " << d.vectorRegisters << " x " << d.vectorBits
     << " bit (" << d.f32Lanes() << " f32 lanes)\n"
     << "fma: " << (d.fma ? "yes" : "no") << "\n"
     << "f32 register block: " << d.blockRows << " x " << d.blockColumns
     << " (" << d.blockRows * d.blockColumns / d.f32Lanes()
     << " accumulator registers)\n"
     << "contraction cache blocks: k " << d.cacheBlockK << ", m "
     << d.cacheBlockM << "\n"
     << "int8 products: ";
  if (d.int8Kernel.empty())
    os << "loops (no dot-product kernel for this target)\n";
  else
    os << d.int8Kernel << ", " << d.int8Rows << " x " << d.int8Panels
       << " blocks of " << d.int8Lanes << " i32 lanes\n";
  os << "weight-only 4/8-bit products: dequantized in registers, "
     << d.weightOnlyRows << " x " << d.weightOnlyPanels << " blocks of "
     << d.f32Lanes() << " f32 lanes (one row: " << d.weightOnlyRowPanels
     << " panels)\n";
}

} // namespace strata
