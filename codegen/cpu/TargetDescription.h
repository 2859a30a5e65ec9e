//===- TargetDescription.h - what code generation knows of a CPU -*- C++ -*-===//
//
// The one place where per-target choices live: the vector registers a
// target has, and the register blocks the kernels use on it. Passes take
// these as options (strata-vectorize-contractions{m-tile,n-tile}); the
// pipeline fills them in from here. Nothing else in codegen asks which CPU
// it is compiling for.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_TARGETDESCRIPTION_H
#define STRATA_CODEGEN_CPU_TARGETDESCRIPTION_H

#include "codegen/cpu/CpuTarget.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace strata {

struct CpuTargetDescription {
  /// Width of one vector register, and how many there are.
  unsigned vectorBits = 128;
  unsigned vectorRegisters = 16;
  /// Fused multiply-add (x86 FMA3, every AArch64).
  bool fma = false;
  /// The f32 register block of contractions and convolutions: `blockRows`
  /// rows (M; output columns of a convolution) by `blockColumns` f32
  /// elements (N; output channels), accumulated in
  /// blockRows * blockColumns / lanes registers.
  int64_t blockRows = 8;
  int64_t blockColumns = 32;
  /// Cache blocks of a contraction: its K loop in chunks of up to
  /// `cacheBlockK` (a K x blockColumns panel of B, 64 KB at 512 x 32 f32,
  /// is reused by every row block), and M in chunks of `cacheBlockM` rows
  /// inside each. Measured best on a 48 KB-L1d, 1 MB-L2 Zen 5 for GEMM
  /// 1024^3 and BERT's matmuls, and used for every x86 target until
  /// cache sizes are read from the CPU.
  int64_t cacheBlockK = 512;
  int64_t cacheBlockM = 64;

  /// The int8 product kernel (strata-lower-int8-contractions): "vnni"
  /// (vpdpbusd), "maddubs" (vpmaddubsw), "madd" (vpmaddwd) or empty (no packed kernel: the
  /// products stay loops), with its accumulator lanes and register block.
  std::string int8Kernel;
  int64_t int8Lanes = 8;
  int64_t int8Rows = 4;
  int64_t int8Panels = 2;

  /// The register block of weight-only (4- and 8-bit weight) f32 products
  /// (strata-lower-weight-only-contractions), in f32Lanes() wide panels.
  int64_t weightOnlyRows = 8;
  int64_t weightOnlyPanels = 2;
  int64_t weightOnlyRowPanels = 4; // a product of one row

  unsigned f32Lanes() const { return vectorBits / 32; }
};

/// The description of a resolved target (its architecture and features).
CpuTargetDescription describeCpuTarget(const TargetRecord &record);

/// A few lines for `strata-compile --print-target-info`.
void printCpuTargetDescription(const TargetRecord &record,
                               const CpuTargetDescription &description,
                               llvm::raw_ostream &os);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_TARGETDESCRIPTION_H
