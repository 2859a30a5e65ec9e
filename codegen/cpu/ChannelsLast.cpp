//===- ChannelsLast.cpp - convolutions and pooling in NHWC ----------------===//
//
// ONNX convolutions are NCHW. A register block of a convolution wants its
// vectors along the channels (every network's channel counts are multiples
// of 8 or 16; its widths, 7 or 14 in the late stages, are not), so each
// static 2-D convolution, depthwise convolution and pooling window becomes
// its NHWC form between a relayout of its input (NCHW -> NHWC) and of its
// result (NHWC -> NCHW). Constant filters are transposed here, at compile
// time. The relayouts are transpose-only `linalg.pack` / `linalg.unpack`
// ops, so that upstream's data-layout propagation moves them through the
// elementwise ops between convolutions (bias, BatchNorm, activations,
// residual adds) and padding, where an unpack meets a pack and both fold
// away. What is left at the network's boundaries becomes linalg.transpose.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "lib/support/ConstantData.h"
#include "lib/support/ResourceBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_CHANNELSLAST
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// NCHW -> NHWC: result dim i is source dim kToNhwc[i].
constexpr int64_t kToNhwc[] = {0, 2, 3, 1};
/// FCHW -> HWCF (conv filters) and CHW -> HWC (depthwise filters).
constexpr int64_t kFilterToHwcf[] = {2, 3, 1, 0};
constexpr int64_t kFilterToHwc[] = {1, 2, 0};

RankedTensorType permuted(RankedTensorType type, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t d : perm)
    shape.push_back(type.getDimSize(d));
  return RankedTensorType::get(shape, type.getElementType());
}

Value toNhwc(OpBuilder &b, Location loc, Value nchw) {
  auto type = cast<RankedTensorType>(nchw.getType());
  RankedTensorType nhwc = permuted(type, kToNhwc);
  Value dest = tensor::EmptyOp::create(b, loc, nhwc.getShape(),
                                       nhwc.getElementType());
  return linalg::PackOp::create(b, loc, nchw, dest, /*innerDimsPos=*/{},
                                /*innerTiles=*/{}, std::nullopt, kToNhwc)
      .getResult();
}

Value toNchw(OpBuilder &b, Location loc, Value nhwc, RankedTensorType nchw) {
  Value dest = tensor::EmptyOp::create(b, loc, nchw.getShape(),
                                       nchw.getElementType());
  return linalg::UnPackOp::create(b, loc, nhwc, dest, /*innerDimsPos=*/{},
                                  /*innerTiles=*/{}, kToNhwc)
      .getResult();
}

/// The constant data of `value`, seen through reshapes (a depthwise
/// filter F,1,KH,KW is collapsed to C,KH,KW); null if it is not constant.
ElementsAttr constantData(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  Value source = value;
  while (Operation *op = source.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
      break;
    source = op->getOperand(0);
  }
  auto constant = source.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return {};
  return strata::reshapeConstant(constant.getValue(), type);
}

/// An HWCF f32 filter of a window larger than 1x1 whose rows (F floats)
/// are a multiple of 512 bytes apart, stored with 16 more floats per row
/// and read through a slice; null for any other filter. A register block
/// reads one row of 32 output channels per (kh, kw, c) step: at a stride of
/// 2 KB (F = 512) all of a block's rows fall into 2 of L1's 64 sets and
/// evict each other while they are reused (ResNet-50's 7x7 layers ran at
/// 42 % of peak); 64 bytes more per row spread them over every set.
Value paddedRows(OpBuilder &b, Location loc, ElementsAttr filter) {
  auto type = cast<RankedTensorType>(filter.getType());
  if (type.getRank() != 4) // a depthwise HWC filter
    return nullptr;
  int64_t f = type.getDimSize(3);
  if (!type.getElementType().isF32() ||
      type.getDimSize(0) * type.getDimSize(1) == 1 || f % 128 != 0)
    return nullptr;
  std::optional<ArrayRef<char>> data = strata::rawConstantData(filter);
  if (!data)
    return nullptr;
  const float *values = reinterpret_cast<const float *>(data->data());
  constexpr int64_t kPad = 16;
  int64_t rows = type.getNumElements() / f;
  std::vector<float> padded(rows * (f + kPad), 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    std::copy_n(values + r * f, f, padded.begin() + r * (f + kPad));
  auto paddedType = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), type.getDimSize(2), f + kPad},
      type.getElementType());
  Value stored = arith::ConstantOp::create(
      b, loc,
      cast<TypedAttr>(strata::f32Constant(paddedType, padded, "channels_last")));
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)),
      strides(4, b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes;
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  return tensor::ExtractSliceOp::create(b, loc, stored, offsets, sizes,
                                        strides);
}

/// The filter in the order `perm`: a new constant when it is one (the
/// usual case, transposed once here), else a linalg.transpose at run time.
Value permuteFilter(OpBuilder &b, Location loc, Value filter,
                    ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(filter.getType());
  RankedTensorType target = permuted(type, perm);
  if (ElementsAttr data = constantData(filter)) {
    auto dense = dyn_cast<DenseElementsAttr>(data);
    if (dense && dense.isSplat())
      return arith::ConstantOp::create(b, loc, dense.resizeSplat(target));
    if (ElementsAttr moved =
            strata::transposeConstant(data, perm, "channels_last")) {
      if (Value padded = paddedRows(b, loc, moved)) {
        // The unpadded copy was an intermediate: nothing refers to it.
        strata::releaseBlobOf(moved);
        return padded;
      }
      return arith::ConstantOp::create(b, loc, cast<TypedAttr>(moved));
    }
  }
  Value init = tensor::EmptyOp::create(b, loc, target.getShape(),
                                       target.getElementType());
  return linalg::TransposeOp::create(b, loc, filter, init, perm)->getResult(0);
}

/// Erases `value`'s constant and the reshapes between, where nothing else
/// uses them: the rewriter's listener then frees the filter's old data.
void eraseDeadConstant(RewriterBase &rewriter, Value value) {
  Operation *op = value.getDefiningOp();
  while (op && op->use_empty() &&
         isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, arith::ConstantOp>(
             op)) {
    Operation *next =
        op->getNumOperands() ? op->getOperand(0).getDefiningOp() : nullptr;
    rewriter.eraseOp(op);
    op = next;
  }
}

bool isStatic(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    auto shaped = dyn_cast<RankedTensorType>(t);
    return shaped && shaped.hasStaticShape();
  });
}

/// Rewrites one NCHW window op as its NHWC form. `filterPerm` is empty for
/// pooling, whose second operand only carries the window's shape.
template <typename NhwcOp>
void rewriteToNhwc(IRRewriter &rewriter, linalg::LinalgOp op,
                   ArrayRef<int64_t> filterPerm) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value input = toNhwc(rewriter, loc, op.getDpsInputs()[0]);
  Value filter = op.getDpsInputs()[1];
  if (!filterPerm.empty())
    filter = permuteFilter(rewriter, loc, filter, filterPerm);
  Value init = toNhwc(rewriter, loc, op.getDpsInits()[0]);
  auto nchw = cast<RankedTensorType>(op->getResult(0).getType());
  auto nhwcOp = NhwcOp::create(rewriter, loc, init.getType(),
                               ValueRange{input, filter}, init,
                               op->getAttr("strides"), op->getAttr("dilations"));
  Value oldFilter = op.getDpsInputs()[1];
  rewriter.replaceOp(op, toNchw(rewriter, loc, nhwcOp->getResult(0), nchw));
  eraseDeadConstant(rewriter, oldFilter);
}

/// A pack or unpack that only permutes dimensions, as linalg.transpose.
template <typename RelayoutOp>
struct RelayoutAsTranspose : OpRewritePattern<RelayoutOp> {
  using OpRewritePattern<RelayoutOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(RelayoutOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getInnerDimsPos().empty())
      return failure();
    SmallVector<int64_t> perm(op.getOuterDimsPerm());
    if (perm.empty())
      perm = llvm::to_vector(
          llvm::seq<int64_t>(0, op.getDestType().getRank()));
    // An unpack applies the inverse of its outer_dims_perm.
    if constexpr (std::is_same_v<RelayoutOp, linalg::UnPackOp>)
      perm = invertPermutationVector(perm);
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(op, op.getSource(),
                                                     op.getDest(), perm);
    return success();
  }
};

/// Whether a generic is elementwise with projected-permutation maps.
/// Upstream's propagation (MLIR 22) crashes in PackOp::inferPackedType on
/// maps with constant results, such as the (d1, 0, 0) of a broadcast bias,
/// and through a reduction it permutes the maps but not the iterator types
/// (a global average pool came out summing along a loop marked parallel,
/// which strata-form-dispatches then split across threads).
bool hasPermutationMaps(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  return !generic ||
         (generic.getNumLoops() == generic.getNumParallelLoops() &&
          llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
            return map.isProjectedPermutation();
          }));
}

/// The propagation's control: the op a relayout would move through (the
/// user of an unpack, or the producer of a pack's source) must be
/// elementwise with plain maps.
bool propagatesThrough(OpOperand *operand) {
  return hasPermutationMaps(operand->getOwner()) &&
         hasPermutationMaps(operand->get().getDefiningOp());
}

struct ChannelsLastPass : strata::impl::ChannelsLastBase<ChannelsLastPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    SmallVector<linalg::LinalgOp> windows;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp,
              linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(op) &&
          op.hasPureTensorSemantics() && isStatic(op))
        windows.push_back(op);
    });
    strata::ResourceBlobReleaser releaser(getOperation());
    IRRewriter rewriter(context, &releaser);
    for (linalg::LinalgOp op : windows) {
      if (isa<linalg::Conv2DNchwFchwOp>(op))
        rewriteToNhwc<linalg::Conv2DNhwcHwcfOp>(rewriter, op, kFilterToHwcf);
      else if (isa<linalg::DepthwiseConv2DNchwChwOp>(op))
        rewriteToNhwc<linalg::DepthwiseConv2DNhwcHwcOp>(rewriter, op,
                                                        kFilterToHwc);
      else if (isa<linalg::PoolingNchwMaxOp>(op))
        rewriteToNhwc<linalg::PoolingNhwcMaxOp>(rewriter, op, {});
      else
        rewriteToNhwc<linalg::PoolingNhwcSumOp>(rewriter, op, {});
    }
    if (windows.empty())
      return;

    // Move the relayouts through elementwise ops and pads; an unpack that
    // meets the pack of the same permutation folds (canonicalization).
    RewritePatternSet propagation(context);
    linalg::populateDataLayoutPropagationPatterns(propagation,
                                                  propagatesThrough);
    linalg::PackOp::getCanonicalizationPatterns(propagation, context);
    linalg::UnPackOp::getCanonicalizationPatterns(propagation, context);
    tensor::EmptyOp::getCanonicalizationPatterns(propagation, context);
    GreedyRewriteConfig config;
    config.setListener(&releaser);
    if (failed(applyPatternsGreedily(getOperation(), std::move(propagation),
                                     config)))
      return signalPassFailure();

    RewritePatternSet lowering(context);
    lowering.add<RelayoutAsTranspose<linalg::PackOp>,
                 RelayoutAsTranspose<linalg::UnPackOp>>(context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(lowering),
                                     config)))
      signalPassFailure();
  }
};

} // namespace
