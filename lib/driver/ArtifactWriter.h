//===- ArtifactWriter.h - object -> lib<name>.so/.a + <name>.h --*- C++ -*-===//
#ifndef STRATA_LIB_DRIVER_ARTIFACTWRITER_H
#define STRATA_LIB_DRIVER_ARTIFACTWRITER_H

#include "codegen/cpu/ModelAbi.h"

#include "llvm/Support/Error.h"

#include <string>

namespace strata {

/// The C header describing a compiled model: the target it was compiled for
/// (a comment), its descriptor accessor and one block of constants (name,
/// dtype, rank, shape, element count) per input and output.
std::string renderModelHeader(const ModelSignature &signature,
                              llvm::StringRef sourceModel,
                              const TargetRecord &target);

/// Fills in the integrity note (strata/model_abi.h) of a linked shared
/// library: its size and the CRC-32C of its bytes, which the runtime
/// verifies before it maps the file. Reads the file in pieces and patches
/// the note in place: a library of large weights is never held in memory.
llvm::Error sealSharedLibrary(llvm::StringRef path);

/// Writes `text` to `path`, replacing it.
llvm::Error writeFile(llvm::StringRef path, llvm::StringRef text);

/// Writes `<dir>/lib<name>.a` holding `object` as `<name>.o` and, when
/// `weightsObject` names one, that file as `<name>_weights.o`.
llvm::Error writeStaticLibrary(llvm::StringRef dir, llvm::StringRef name,
                               llvm::StringRef object,
                               llvm::StringRef weightsObject);

/// Links `object` (and the file `weightsObject`, when not empty) into
/// `<dir>/lib<name>.so` with the linker driver found at build time (clang +
/// lld), against libc and libm only.
llvm::Error linkSharedLibrary(llvm::StringRef dir, llvm::StringRef name,
                              llvm::StringRef object,
                              llvm::StringRef weightsObject);

} // namespace strata

#endif // STRATA_LIB_DRIVER_ARTIFACTWRITER_H
