//===- LowerConvTranspose.cpp - conv_transpose -> linalg ------------------===//
//
// A transposed convolution is a direct convolution of the input spread out
// by the strides (strides - 1 zeros between elements) and padded by
// dilation * (kernel - 1) - pads on each side (plus output_padding at the
// end), with the kernel flipped and its two channel dimensions swapped:
//
//   spread = insert_slice(input, zeros, offsets = low, strides = strides)
//   out[n, g, m, o...] += spread[n, g, c, o + (K - 1 - k) * dilation...]
//                         * weight[g, c, m, k...]
//
// one linalg.generic for any number of spatial dimensions and groups (the
// channels split as (group, C / group) by expand_shape). Padding that is
// negative (pads larger than the kernel's reach) becomes a slice.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

/// The input spread by the strides and padded: [N, C, P...].
Value spreadInput(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> low,
                  ArrayRef<int64_t> high) {
  auto type = cast<RankedTensorType>(input.getType());
  Type element = type.getElementType();
  size_t spatial = type.getRank() - 2;
  SmallVector<int64_t> fullShape(type.getShape().take_front(2));
  SmallVector<int64_t> offsets = {0, 0}, sliceOffsets = {0, 0};
  SmallVector<int64_t> insertStrides = {1, 1};
  SmallVector<int64_t> finalShape(type.getShape().take_front(2));
  bool slice = false;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t spread = (type.getDimSize(2 + i) - 1) * strides[i] + 1;
    int64_t lo = std::max<int64_t>(0, low[i]);
    int64_t hi = std::max<int64_t>(0, high[i]);
    fullShape.push_back(spread + lo + hi);
    offsets.push_back(lo);
    insertStrides.push_back(strides[i]);
    sliceOffsets.push_back(lo - low[i]);
    finalShape.push_back(spread + low[i] + high[i]);
    slice |= low[i] < 0 || high[i] < 0;
  }
  bool trivial =
      llvm::all_of(offsets, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(insertStrides, [](int64_t v) { return v == 1; }) &&
      ArrayRef<int64_t>(fullShape) == type.getShape();
  Value full = input;
  if (!trivial) {
    auto fullType = RankedTensorType::get(fullShape, element);
    Value zeros = buildFilled(b, loc, fullType, b.getFloatAttr(element, 0.0));
    SmallVector<int64_t> sizes(type.getShape());
    full = tensor::InsertSliceOp::create(
        b, loc, input, zeros, getAsIndexOpFoldResult(b.getContext(), offsets),
        getAsIndexOpFoldResult(b.getContext(), sizes),
        getAsIndexOpFoldResult(b.getContext(), insertStrides));
  }
  if (!slice)
    return full;
  SmallVector<int64_t> ones(fullShape.size(), 1);
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(finalShape, element), full,
      getAsIndexOpFoldResult(b.getContext(), sliceOffsets),
      getAsIndexOpFoldResult(b.getContext(), finalShape),
      getAsIndexOpFoldResult(b.getContext(), ones));
}

struct ConvTransposeLowering : OpRewritePattern<graph::ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    int64_t spatial = resultType.getRank() - 2;
    int64_t group = op.getGroup();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      pads = op.getPads(),
                      outputPadding = op.getOutputPadding();
    ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);

    SmallVector<int64_t> low, high;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t reach = dilations[i] * (kernel[i] - 1);
      low.push_back(reach - pads[i]);
      high.push_back(reach - pads[spatial + i] + outputPadding[i]);
    }
    Value spread =
        spreadInput(rewriter, loc, op.getInput(), strides, low, high);

    // Weight [C, F/G, K...] grouped on C; the kernel is flipped through the
    // input's index, so that every loop appears alone in some map (linalg
    // needs them invertible).
    Value init = buildConvInit(rewriter, loc, resultType, op.getBias());
    rewriter.replaceOp(
        op, buildGroupedConvGeneric(
                rewriter, loc, resultType, spread, op.getWeight(), init, group,
                /*weightOutputChannelsFirst=*/false,
                [&](int64_t i, AffineExpr o, AffineExpr k) {
                  return o + (kernel[i] - 1 - k) * dilations[i];
                }));
    return success();
  }
};

} // namespace

void strata::lowering::populateConvTransposePatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConvTransposeLowering>(patterns.getContext());
}
