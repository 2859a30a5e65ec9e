//===- ModelAbi.h - descriptor and entry of a compiled model ----*- C++ -*-===//
//
// Emits, into the LLVM module of a compiled model, what
// include/strata/model_abi.h describes: the descriptor constant and the
// `int32_t entry(void **buffers)` wrapper around the bare-pointer function
// that the CPU pipeline produced.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_MODELABI_H
#define STRATA_CODEGEN_CPU_MODELABI_H

#include "codegen/cpu/CpuTarget.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace strata {

struct TensorSignature {
  std::string name;
  int32_t dtype = 0; ///< a strata_dtype
  std::vector<int64_t> shape;
  /// An input pinned at compile time: its value in the ABI's layout (dense,
  /// row-major, the dtype's size per element); empty otherwise.
  std::vector<uint8_t> pinnedValue;
};

struct ModelSignature {
  std::string name; ///< a C identifier
  std::vector<TensorSignature> inputs, outputs;
  /// The compiled code computes one sample; tensors whose shape[0] is -1
  /// carry the batch, and the runtime runs the entry once per sample
  /// (STRATA_MODEL_FLAG_BATCH_LOOP).
  bool batchLoop = false;
  /// Bytes of the arena the compiled function takes after its outputs
  /// (strata-plan-arena), and the lower bound the plan was measured
  /// against: the largest total of buffers live at one point.
  int64_t arenaBytes = 0;
  int64_t arenaLowerBound = 0;
  /// External weights (ABI version 6): the side file's name, size and
  /// CRC-32C, and the pointer global strata-pack-weights left for its
  /// address; an empty name when the weights are linked in.
  std::string weightsFile;
  uint64_t weightsBytes = 0;
  uint32_t weightsCrc32c = 0;
  std::string weightsSlot;
  /// A batch-loop model may also have a program for `batchChunk` samples at
  /// once (ABI version 7): the function named `batchImplName`, with its own
  /// arena. batchChunk 0: none.
  uint32_t batchChunk = 0;
  std::string batchImplName;
  int64_t batchChunkArenaBytes = 0;
};

/// Adds the descriptor (`strata_descriptor`, weak), the accessor
/// `strata_<name>_descriptor()` and the entry wrapper calling `implName`
/// (made internal, so that only the ABI symbols are exported), and a second
/// wrapper for signature.batchImplName when the model has a batch chunk. `implName`
/// takes the inputs, the outputs, the arena and the executor, as bare
/// pointers. `target` is
/// recorded in the descriptor for the runtime's CPU check.
llvm::Error addModelAbi(llvm::Module &module, const ModelSignature &signature,
                        llvm::StringRef implName, const TargetRecord &target);

} // namespace strata

#endif // STRATA_CODEGEN_CPU_MODELABI_H
