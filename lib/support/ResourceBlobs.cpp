//===- ResourceBlobs.cpp - freeing weights that nothing refers to ---------===//
#include "lib/support/ResourceBlobs.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringSet.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace mlir;

namespace strata {
namespace {

DialectResourceBlobManager &blobManager(MLIRContext *context) {
  return DenseResourceElementsHandle::getManagerInterface(context)
      .getBlobManager();
}

/// Calls `fn` with the key of each blob `op`'s attributes refer to.
template <typename Fn> void forEachBlobKey(Operation *op, Fn &&fn) {
  for (NamedAttribute attr : op->getAttrs())
    attr.getValue().walk([&](DenseResourceElementsAttr resource) {
      fn(resource.getRawHandle().getKey());
    });
}

/// Frees the data of blob `name`; returns its size.
uint64_t releaseBlob(DialectResourceBlobManager &manager, StringRef name) {
  DialectResourceBlobManager::BlobEntry *entry = manager.lookup(name);
  if (!entry || !entry->getBlob())
    return 0;
  uint64_t bytes = entry->getBlob()->getData().size();
  entry->setBlob(AsmResourceBlob());
  return bytes;
}

} // namespace

void releaseBlobOf(ElementsAttr attr) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return;
  if (releaseBlob(blobManager(resource.getContext()),
                  resource.getRawHandle().getKey()))
    returnFreedMemory();
}

// glibc keeps freed heap pages (blobs of a few MB fall below its adaptive
// mmap threshold once a first large block was freed).
void returnFreedMemory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

uint64_t releaseUnusedResourceBlobs(Operation *root) {
  llvm::StringSet<> used;
  root->walk([&](Operation *op) {
    forEachBlobKey(op, [&](StringRef key) { used.insert(key); });
  });
  DialectResourceBlobManager &manager = blobManager(root->getContext());
  // Names first: the map is locked while it is visited.
  std::vector<std::string> unused;
  manager.getBlobMap(
      [&](const llvm::StringMap<DialectResourceBlobManager::BlobEntry> &map) {
        for (const auto &entry : map) {
          const AsmResourceBlob *blob = entry.getValue().getBlob();
          if (blob && !blob->getData().empty() &&
              !used.contains(entry.getKey()))
            unused.push_back(entry.getKey().str());
        }
      });
  uint64_t released = 0;
  for (const std::string &name : unused)
    released += releaseBlob(manager, name);
  if (released)
    returnFreedMemory();
  return released;
}

ResourceBlobReleaser::ResourceBlobReleaser(Operation *root)
    : context(root->getContext()) {
  root->walk([&](Operation *op) { count(op, +1); });
}

void ResourceBlobReleaser::count(Operation *op, int delta) {
  forEachBlobKey(op, [&](StringRef key) {
    int64_t &references = this->references[key];
    references += delta;
    if (references == 0 && delta < 0) {
      releasedBytes += releaseBlob(blobManager(context), key);
      returnFreedMemory();
    }
  });
}

void ResourceBlobReleaser::notifyOperationInserted(
    Operation *op, OpBuilder::InsertPoint previous) {
  // A moved operation was counted already.
  if (!previous.isSet())
    op->walk([&](Operation *nested) { count(nested, +1); });
}

void ResourceBlobReleaser::notifyOperationModified(Operation *op) {
  count(op, +1);
}

void ResourceBlobReleaser::notifyOperationErased(Operation *op) {
  count(op, -1);
}

} // namespace strata
