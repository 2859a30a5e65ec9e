//===- ResourceBlobs.h - freeing weights that nothing refers to -*- C++ -*-===//
//
// MLIR keeps a dense_resource blob as long as its context lives, even when
// no attribute refers to it any more. A pass that rewrites weights (BatchNorm
// folding, the channels-last relayout) would leave every old version behind,
// and a compile would hold the weights several times over. These helpers
// free blobs that are no longer referenced. Both assume the context holds
// one module, the one they are given, as strata-compile and strata-opt do.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_SUPPORT_RESOURCEBLOBS_H
#define STRATA_LIB_SUPPORT_RESOURCEBLOBS_H

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/StringMap.h"

namespace strata {

/// Frees the data of every dense_resource blob of `root`'s context that no
/// attribute under `root` refers to. Returns the bytes freed.
uint64_t releaseUnusedResourceBlobs(mlir::Operation *root);

/// Frees the data of `attr`'s blob when it is a dense_resource one that
/// nothing refers to (an intermediate the caller made and replaced).
void releaseBlobOf(mlir::ElementsAttr attr);

/// Hands memory the process freed back to the system where the allocator
/// keeps it (glibc's heap); a no-op elsewhere.
void returnFreedMemory();

/// A rewriter listener that frees a blob's data as soon as the last
/// operation referring to it is erased, so that a pass rewriting all the
/// weights holds about one copy of them, not two. It counts references from
/// a walk of `root` and follows insertions and erasures; an operation
/// modified in place is only counted again, so a count may stay too high
/// (the blob is then kept), never too low.
class ResourceBlobReleaser : public mlir::RewriterBase::Listener {
public:
  explicit ResourceBlobReleaser(mlir::Operation *root);

  void notifyOperationInserted(mlir::Operation *op,
                               mlir::OpBuilder::InsertPoint previous) override;
  void notifyOperationModified(mlir::Operation *op) override;
  void notifyOperationErased(mlir::Operation *op) override;

  /// Bytes freed so far.
  uint64_t released() const { return releasedBytes; }

private:
  void count(mlir::Operation *op, int delta);

  mlir::MLIRContext *context;
  llvm::StringMap<int64_t> references;
  uint64_t releasedBytes = 0;
};

} // namespace strata

#endif // STRATA_LIB_SUPPORT_RESOURCEBLOBS_H
