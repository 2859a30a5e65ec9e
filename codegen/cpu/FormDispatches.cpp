//===- FormDispatches.cpp - split linalg ops into workgroup grids ---------===//
//
// See Passes.td (strata-form-dispatches). Each top-level linalg op with
// enough work is tiled along one parallel loop into an scf.forall of equal,
// static pieces: the workgroups of one dispatch. Which loop, by op kind:
//  - a contraction with a batch loop: the batch (independent products);
//  - else the one of M and N whose split leaves each workgroup the smaller
//    operand to read whole (N when M <= N), in whole register blocks;
//  - an NHWC convolution: output rows, or output channels when the filter
//    is larger than the input (ResNet's last stages: 7 rows, 2 MB filters);
//  - an int8 product on packed panels (strata-pack-int8-rhs): rows or
//    panels, as a contraction's M and N;
//  - anything else: the outermost parallel loop that splits.
// A static tensor.pad becomes a fill and a copy into the interior first, so
// that both run as dispatches; an elementwise op that only the pad reads
// writes into the interior itself instead of the copy.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/BlockDims.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/TileInPlace.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_FORMDISPATCHES
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// A loop to split and the granule its pieces must be a multiple of.
struct Split {
  unsigned loop;
  int64_t granule;
};

int64_t product(ArrayRef<int64_t> values) {
  int64_t result = 1;
  for (int64_t v : values)
    result *= v;
  return result;
}

/// Whether every output of `op` is indexed by `loop`, so that workgroups
/// along it write disjoint slices (a loop marked parallel that an output
/// does not depend on would have every workgroup write all of it).
bool writesAlong(linalg::LinalgOp op, unsigned loop) {
  return llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
    return op.getMatchingIndexingMap(&init).isFunctionOfDim(loop);
  });
}

struct FormDispatchesPass
    : strata::impl::FormDispatchesBase<FormDispatchesPass> {
  using Base::Base;

  /// The loops worth splitting, best first.
  SmallVector<Split> candidates(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<Split> result;
    if (std::optional<strata::BlockDims> dims = strata::blockDims(op)) {
      if (dims->isConv) {
        // n, oh, ow, channels, window...: input rows or output channels.
        int64_t input = product(
            cast<ShapedType>(op.getDpsInputs()[0].getType()).getShape());
        int64_t filter = product(
            cast<ShapedType>(op.getDpsInputs()[1].getType()).getShape());
        Split rows{1, 1}, channels{dims->n, nTile};
        if (filter > input)
          result = {channels, rows};
        else
          result = {rows, channels};
        return result;
      }
      FailureOr<linalg::ContractionDimensions> contraction =
          linalg::inferContractionDims(op);
      // N of a packed B (strata-pack-constant-rhs) is two loops: panels,
      // then the block's columns; split it along the panels.
      int64_t columns = ranges[dims->n];
      std::optional<unsigned> panels;
      if (succeeded(contraction)) {
        for (unsigned batch : contraction->batch)
          result.push_back({batch, 1});
        for (unsigned d : contraction->n)
          if (d != dims->n) {
            panels = d;
            columns *= ranges[d];
          }
      }
      Split m{dims->m, mTile};
      Split n = panels ? Split{*panels, 1} : Split{dims->n, nTile};
      if (ranges[dims->m] <= columns)
        result.append({n, m});
      else
        result.append({m, n});
      return result;
    }
    if (op->hasAttr("strata.int8_panels") ||
        op->hasAttr("strata.weight_panels")) {
      // Loops (m, panels, lanes, k...): rows or whole panels, never a
      // panel's lanes (strata-lower-int8-contractions,
      // strata-lower-weight-only-contractions).
      Split m{0, 1}, panels{1, 1};
      if (ranges[0] <= ranges[1] * ranges[2])
        return {panels, m};
      return {m, panels};
    }
    for (auto [loop, type] : llvm::enumerate(op.getIteratorTypesArray()))
      if (type == utils::IteratorType::parallel)
        result.push_back({unsigned(loop), 1});
    return result;
  }

  /// The most pieces, at most `workgroups` and with at least
  /// `min-workgroup-iterations` of the op's `iterations` each, that split
  /// `extent` evenly in multiples of `granule`; 1 when none does.
  int64_t pieces(int64_t extent, int64_t granule, int64_t iterations) {
    int64_t most = std::min<int64_t>(
        {workgroups, extent,
         iterations / std::max<int64_t>(1, minWorkgroupIterations)});
    for (int64_t count = most; count > 1; --count)
      if (extent % count == 0 && (extent / count) % granule == 0)
        return count;
    return 1;
  }

  /// A static tensor.pad with a constant value as a fill of the padded
  /// tensor and a copy of the source into its interior: two linalg ops
  /// that become dispatches, where the pad would bufferize to a serial
  /// fill and copy.
  void splitPad(IRRewriter &rewriter, tensor::PadOp pad) {
    Value value = pad.getConstantPaddingValue();
    RankedTensorType type = pad.getResultType();
    if (!value || !type.hasStaticShape() ||
        !pad.getSourceType().hasStaticShape() ||
        product(type.getShape()) < minIterations)
      return;
    Location loc = pad.getLoc();
    rewriter.setInsertionPoint(pad);
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    Value filled =
        linalg::FillOp::create(rewriter, loc, value, empty).getResult(0);
    SmallVector<OpFoldResult> offsets = pad.getMixedLowPad();
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, pad.getSource());
    SmallVector<OpFoldResult> strides(type.getRank(),
                                      rewriter.getIndexAttr(1));
    Value interior = tensor::ExtractSliceOp::create(rewriter, loc, filled,
                                                    offsets, sizes, strides);
    // An elementwise producer that the pad alone reads writes into the
    // interior itself: no copy (a pass over the activations before every
    // padded convolution).
    Value copied;
    auto producer = pad.getSource().getDefiningOp<linalg::GenericOp>();
    if (producer && producer->hasOneUse() && producer.getNumDpsInits() == 1 &&
        producer.getNumParallelLoops() == producer.getNumLoops() &&
        producer.getIndexingMapsArray().back().isIdentity() &&
        !producer.payloadUsesValueFromOperand(
            producer.getDpsInitOperand(0))) {
      IRMapping mapping;
      mapping.map(producer.getDpsInits()[0], interior);
      copied = rewriter.clone(*producer, mapping)->getResult(0);
    } else {
      copied = linalg::CopyOp::create(rewriter, loc, pad.getSource(), interior)
                   .getResult(0);
    }
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        pad, copied, filled, offsets, sizes, strides);
    if (producer && producer->use_empty())
      rewriter.eraseOp(producer);
  }

  /// Tiles `op` into a forall; a linalg.fill that only initializes its
  /// output is fused in, so that each workgroup zeroes its own slice (in
  /// parallel, and just before it accumulates there) rather than the whole
  /// output being filled first on one thread.
  LogicalResult tileWithFill(IRRewriter &rewriter, linalg::LinalgOp op,
                             const scf::SCFTilingOptions &options) {
    bool hasFill = llvm::any_of(op.getDpsInits(), [](Value init) {
      auto fill = init.getDefiningOp<linalg::FillOp>();
      return fill && fill->hasOneUse();
    });
    if (!hasFill)
      return strata::tileInPlace(rewriter, op, options);
    scf::SCFTileAndFuseOptions fuse;
    fuse.setTilingOptions(options);
    fuse.setFusionControlFn(
        [](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (isDestination && isa<linalg::FillOp>(producer.getOwner()))
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          return std::nullopt;
        });
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTileAndFuseResult> tiled =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(op.getOperation()), fuse);
    if (failed(tiled))
      return failure();
    for (OpResult result : op->getResults())
      rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
    SmallVector<Operation *> fills;
    for (Value init : op.getDpsInits())
      if (auto fill = init.getDefiningOp<linalg::FillOp>())
        fills.push_back(fill);
    rewriter.eraseOp(op);
    for (Operation *fill : fills)
      if (fill->use_empty())
        rewriter.eraseOp(fill);
    return success();
  }

  /// A fill whose one use is another linalg op's output: tiled with that
  /// op (tileWithFill), not into a dispatch of its own before it.
  static bool initializesLaterOp(linalg::LinalgOp op) {
    auto fill = dyn_cast<linalg::FillOp>(op.getOperation());
    if (!fill || !fill->hasOneUse())
      return false;
    auto user = dyn_cast<linalg::LinalgOp>(*fill->user_begin());
    return user && llvm::is_contained(user.getDpsInits(), fill.getResult(0));
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    for (auto pad :
         llvm::make_early_inc_range(func.getBody().getOps<tensor::PadOp>()))
      splitPad(rewriter, pad);
    SmallVector<linalg::LinalgOp> ops;
    for (Operation &op : func.getBody().getOps())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        ops.push_back(linalgOp);
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureTensorSemantics() || op.getNumLoops() == 0 ||
          initializesLaterOp(op))
        continue;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic) ||
          product(ranges) < minIterations)
        continue;
      for (Split split : candidates(op)) {
        int64_t count =
            pieces(ranges[split.loop], split.granule, product(ranges));
        if (count < 2 || !writesAlong(op, split.loop))
          continue;
        SmallVector<OpFoldResult> sizes(ranges.size(),
                                        rewriter.getIndexAttr(0));
        sizes[split.loop] = rewriter.getIndexAttr(ranges[split.loop] / count);
        scf::SCFTilingOptions options;
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
        options.setTileSizes(sizes);
        if (succeeded(tileWithFill(rewriter, op, options)))
          break;
      }
    }
  }
};

} // namespace
