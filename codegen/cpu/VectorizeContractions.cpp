//===- VectorizeContractions.cpp - register-tiled vector contractions -----===//
#include "codegen/cpu/BlockDims.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/TileInPlace.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/bit.h"

using namespace mlir;
using strata::BlockDims;
using strata::blockDims;
using strata::largestDivisor;

namespace strata {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// Where to split a loop of `extent` so that each part gets a full block,
/// or 0 to keep it whole. The vector (N) loop is split after its last
/// whole block (40 columns with 16-wide blocks: 32 + 8), since a block of
/// another divisor (20) would not fill vectors; the M loop unless it has a
/// divisor of at least the block less one (28 rows with 8-row blocks run
/// as 4 blocks of 7; 1024 rows with 6-row blocks as 1020 + 4, not as 256
/// blocks of 4, which would leave a third of the accumulators unused).
int64_t splitPoint(int64_t extent, int64_t tile, bool vectorDim,
                   int64_t lanes) {
  if (vectorDim && extent <= tile) {
    // A vector of any other length is legalized badly (see Passes.td).
    if (extent % lanes == 0 || llvm::isPowerOf2_64(extent))
      return 0;
    return extent > lanes ? extent / lanes * lanes
                          : int64_t(llvm::bit_floor(uint64_t(extent)));
  }
  if (extent <= tile || extent % tile == 0)
    return 0;
  if (!vectorDim && largestDivisor(extent, tile) >= tile - 1)
    return 0;
  return extent / tile * tile;
}

/// The tiled 2-D block as a 1-D convolution (its window height is 1).
FailureOr<linalg::LinalgOp> decomposeConvBlock(MLIRContext *context,
                                               Operation *block) {
  PatternRewriter rewriter(context);
  rewriter.setInsertionPoint(block);
  if (auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(block)) {
    linalg::DownscaleSizeOneWindowed2DConvolution<linalg::Conv2DNhwcHwcfOp,
                                                  linalg::Conv1DNwcWcfOp>
        pattern(context);
    FailureOr<linalg::Conv1DNwcWcfOp> oneD =
        pattern.returningMatchAndRewrite(conv, rewriter);
    if (failed(oneD))
      return failure();
    return cast<linalg::LinalgOp>(oneD->getOperation());
  }
  auto depthwise = cast<linalg::DepthwiseConv2DNhwcHwcOp>(block);
  linalg::DownscaleDepthwiseConv2DNhwcHwcOp pattern(context);
  FailureOr<linalg::DepthwiseConv1DNwcWcOp> oneD =
      pattern.returningMatchAndRewrite(depthwise, rewriter);
  if (failed(oneD))
    return failure();
  return cast<linalg::LinalgOp>(oneD->getOperation());
}

/// Whether `op` reads A at (m, k) and B at (k, n) and writes C at (m, n),
/// over loops (m, n, k).
bool isPlainMatmul(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 3)
    return false;
  MLIRContext *context = op.getContext();
  AffineExpr m = getAffineDimExpr(0, context), n = getAffineDimExpr(1, context),
             k = getAffineDimExpr(2, context);
  auto map = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(3, 0, results, context);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  return maps[0] == map({m, k}) && maps[1] == map({k, n}) &&
         maps[2] == map({m, n});
}

/// A register block of a generic contraction with unit parallel loops
/// besides its M and N (batch and head loops, the panel loop of a packed
/// B), as the same contraction without them, and as a named matmul where it
/// is one: linalg::vectorize makes a vector.contract (which lowers to outer
/// products, i.e. FMAs) of named contractions only, and a generic's
/// multi-reduction lowers to broadcasts, multiplies and adds.
Operation *dropOuterUnitDims(IRRewriter &rewriter, Operation *block,
                             BlockDims dims) {
  auto generic = dyn_cast<linalg::GenericOp>(block);
  if (!generic || dims.isConv)
    return block;
  SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators =
      generic.getIteratorTypesArray();
  SmallVector<unsigned> unit;
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (ranges[d] == 1 && iterators[d] == utils::IteratorType::parallel &&
        d != dims.m && d != dims.n)
      unit.push_back(d);
  if (unit.empty())
    return block;
  linalg::ControlDropUnitDims control;
  control.rankReductionStrategy =
      linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
  control.controlFn = [unit](Operation *) { return unit; };
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::DropUnitDimsResult> dropped =
      linalg::dropUnitDims(rewriter, generic, control);
  if (failed(dropped))
    return block;
  rewriter.replaceOp(generic, dropped->replacements);
  block = dropped->resultOp.getOperation();
  // A plain (m, n, k) generic as linalg.matmul, which vectorizes as
  // vector.contract (a generic vectorizes as a multi-reduction). Only the
  // untransposed form: others would become a matmul with its own maps.
  auto plain = dyn_cast<linalg::GenericOp>(block);
  if (plain && isPlainMatmul(plain)) {
    rewriter.setInsertionPoint(plain);
    FailureOr<linalg::LinalgOp> named =
        linalg::specializeGenericOp(rewriter, plain);
    if (succeeded(named))
      return named->getOperation();
  }
  return block;
}

struct VectorizeContractionsPass
    : strata::impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  using Base::Base;

  /// Cache blocks of a large contraction: K in chunks of up to k-block and,
  /// inside them, M in chunks of up to m-block (the GotoBLAS order), so
  /// that the row block of A (m-block x k-block) stays in L2 while the
  /// register blocks' K x n-tile panels of B stay in L1. Returns the inner
  /// contraction (on slices), or `op` when no block is needed.
  linalg::LinalgOp tileForCache(IRRewriter &rewriter, linalg::LinalgOp op,
                                BlockDims dims) {
    if (dims.isConv || !dims.k)
      return op;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t kc = largestDivisor(ranges[*dims.k], kBlock);
    int64_t mc = largestDivisor(ranges[dims.m], mBlock);
    bool tileK = ranges[*dims.k] > kBlock && 2 * kc >= kBlock;
    bool tileM = ranges[dims.m] > mBlock && 2 * mc >= mBlock;
    if (!tileK && !tileM)
      return op;
    SmallVector<int64_t> sizes(ranges.size(), 0);
    if (tileK)
      sizes[*dims.k] = kc;
    if (tileM)
      sizes[dims.m] = mc;
    SmallVector<int64_t> order = {int64_t(*dims.k), int64_t(dims.m)};
    for (int64_t d = 0, e = ranges.size(); d < e; ++d)
      if (d != int64_t(*dims.k) && d != int64_t(dims.m))
        order.push_back(d);
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
    options.setInterchange(order);
    FailureOr<Operation *> inner = strata::tileInPlace(rewriter, op, options);
    return succeeded(inner) ? cast<linalg::LinalgOp>(*inner) : op;
  }

  /// Tiles `op` (after its cache blocks) into register blocks of (divisors
  /// of) m-tile x n-tile, every other loop by 1, and vectorizes the block;
  /// on failure `op` stays a loop nest.
  void tileAndVectorize(IRRewriter &rewriter, linalg::LinalgOp op,
                        BlockDims dims) {
    op = tileForCache(rewriter, op, dims);
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return;
    SmallVector<int64_t> sizes(ranges.size(), 1);
    sizes[dims.m] = largestDivisor(ranges[dims.m], mTile);
    sizes[dims.n] = largestDivisor(ranges[dims.n], nTile);
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
    if (!dims.isConv && dims.m < dims.n) {
      // Column blocks outside row blocks: the K x n-tile panel of B stays
      // in cache while the row blocks of A stream past it.
      SmallVector<int64_t> order =
          llvm::to_vector(llvm::seq<int64_t>(0, ranges.size()));
      std::swap(order[dims.m], order[dims.n]);
      options.setInterchange(order);
    }
    FailureOr<Operation *> tiled = strata::tileInPlace(rewriter, op, options);
    if (failed(tiled))
      return;
    Operation *block = dropOuterUnitDims(rewriter, *tiled, dims);
    if (dims.isConv) {
      FailureOr<linalg::LinalgOp> oneD =
          decomposeConvBlock(&getContext(), block);
      if (failed(oneD))
        return; // the tiled 2-D block stays a loop nest
      block = *oneD;
    }
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

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> worklist;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (blockDims(op))
        worklist.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    while (!worklist.empty()) {
      linalg::LinalgOp op = worklist.pop_back_val();
      BlockDims dims = *blockDims(op);
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      // Split off the remainders first; each part comes back here.
      std::pair<unsigned, int64_t> splits[] = {
          {dims.m, splitPoint(ranges[dims.m], mTile, false, vectorWidth)},
          {dims.n, splitPoint(ranges[dims.n], nTile, true, vectorWidth)}};
      bool split = false;
      for (auto [dim, at] : splits) {
        if (!at || split)
          continue;
        rewriter.setInsertionPoint(op);
        auto [first, second] =
            linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                            dim, rewriter.getIndexAttr(at));
        for (TilingInterface part : {first, second})
          if (auto linalgPart = dyn_cast_or_null<linalg::LinalgOp>(
                  part ? part.getOperation() : nullptr))
            if (blockDims(linalgPart))
              worklist.push_back(linalgPart);
        split = true;
      }
      if (!split)
        tileAndVectorize(rewriter, op, dims);
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
