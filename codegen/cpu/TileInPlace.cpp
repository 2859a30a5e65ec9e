//===- TileInPlace.cpp - tile a linalg op and replace it ------------------===//
#include "codegen/cpu/TileInPlace.h"

using namespace mlir;

namespace strata {

FailureOr<Operation *> tileInPlace(RewriterBase &rewriter, Operation *op,
                                   const scf::SCFTilingOptions &options) {
  auto tileable = dyn_cast<TilingInterface>(op);
  if (!tileable)
    return failure();
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, tileable, options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.back();
}

} // namespace strata
