//===- WeightsPack.h - the model's weights as one file or object -*- C++ -*-===//
//
// strata-pack-weights records on the module where each large constant lives
// in the weights pack. From that record, strata-compile writes the pack
// straight from the constants' memory, in one pass and without copies:
//  - embedded (--weights=embed): an ELF relocatable object defining the
//    pack's hidden symbol in read-only data, linked beside the code;
//  - external (--weights=external): a raw file that the runtime maps.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_WEIGHTSPACK_H
#define STRATA_CODEGEN_CPU_WEIGHTSPACK_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/TargetParser/Triple.h"

#include <cstdint>
#include <vector>

namespace strata {

/// The module attribute: {bytes = i64, segments = [[offset, elements]...]}.
inline constexpr const char kWeightsAttr[] = "strata.weights";
/// Every segment starts at a multiple of this (a cache line).
inline constexpr uint64_t kWeightsAlignment = 64;

struct WeightsPack {
  struct Segment {
    uint64_t offset;
    llvm::ArrayRef<char> data;
  };
  uint64_t bytes = 0;
  std::vector<Segment> segments;
};

/// The pack recorded on `module` (empty when there is none); an error when
/// the record is malformed or a segment's data cannot be read.
llvm::Expected<WeightsPack> readWeightsPack(mlir::ModuleOp module);

/// Writes the pack's bytes to `path` (zeros between segments). Returns their
/// CRC-32C, which the descriptor records for the runtime to verify.
llvm::Expected<uint32_t> writeWeightsFile(llvm::StringRef path,
                                          const WeightsPack &pack);

/// The CRC-32C of the pack's bytes, as writeWeightsFile would return it.
uint32_t weightsCrc32c(const WeightsPack &pack);

/// Writes an ELF relocatable object for `triple` (x86-64 or AArch64) whose
/// only content is the pack, in a read-only section, as the global hidden
/// object `symbol`.
llvm::Error writeWeightsObject(llvm::StringRef path, const WeightsPack &pack,
                               llvm::StringRef symbol,
                               const llvm::Triple &triple);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_WEIGHTSPACK_H
