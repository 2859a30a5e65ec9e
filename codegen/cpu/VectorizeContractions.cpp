//===- VectorizeContractions.cpp - register-tiled vector contractions -----===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// The largest divisor of `extent` that is at most `limit`.
int64_t largestDivisor(int64_t extent, int64_t limit) {
  for (int64_t size = std::min(extent, limit); size > 1; --size)
    if (extent % size == 0)
      return size;
  return 1;
}

/// Tile sizes for `op`: 1 for batch and reduction loops and for all but
/// the innermost M and N loops, divisors of the M and N extents otherwise.
/// Empty if `op` is not a static f32 contraction.
SmallVector<int64_t> blockSizes(linalg::LinalgOp op, int64_t mTile,
                                int64_t nTile) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return {};
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType || !resultType.getElementType().isF32())
    return {};
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return {};
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty())
    return {};
  SmallVector<int64_t> sizes(ranges.size(), 1);
  unsigned m = dims->m.back(), n = dims->n.back();
  sizes[m] = largestDivisor(ranges[m], mTile);
  sizes[n] = largestDivisor(ranges[n], nTile);
  return sizes;
}

struct VectorizeContractionsPass
    : strata::impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> targets;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!blockSizes(op, mTile, nTile).empty())
        targets.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : targets) {
      SmallVector<int64_t> sizes = blockSizes(op, mTile, nTile);
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue; // stays a loop nest
      rewriter.replaceOp(op, tiled->replacements);
      Operation *block = tiled->tiledOps.back();
      rewriter.setInsertionPoint(block);
      // As vector.contract (not multi_reduction), so that it lowers to
      // outer products below.
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
          rewriter, block, /*inputVectorSizes=*/{},
          /*inputScalableVecDims=*/{}, /*vectorizeNDExtract=*/false,
          /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/true);
      if (succeeded(vectorized))
        rewriter.replaceOp(block, vectorized->replacements);
    }
    // vector.contract -> outer products (broadcast A element x B vector).
    RewritePatternSet patterns(&getContext());
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
