//===- LowerConvPool.cpp - conv and pooling -> linalg named ops -----------===//
//
// Padding becomes an explicit tensor.pad (zero for conv and average pool,
// -inf for max pool) so the linalg window ops see an unpadded input. Grouped
// convolutions use the NGCHW form through expand/collapse of the channels.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return DenseIntElementsAttr::get(type, values);
}

/// Pads the two spatial dims of an NCHW tensor. `pads` is [top, left,
/// bottom, right]; `extra` adds more at the bottom/right (ceil-mode pooling).
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, ArrayRef<int64_t> extra,
                 double value) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> low = {0, 0, pads[0], pads[1]};
  SmallVector<int64_t> high = {0, 0, pads[2] + extra[0], pads[3] + extra[1]};
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<int64_t> shape(type.getShape());
  for (int i = 0; i < 4; ++i)
    shape[i] += low[i] + high[i];
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  Value padValue = scalarConstant(b, loc, type.getElementType(), value);
  return tensor::PadOp::create(b, loc, paddedType, input,
                               getAsIndexOpFoldResult(b.getContext(), low),
                               getAsIndexOpFoldResult(b.getContext(), high),
                               padValue)
      .getResult();
}

/// The initial accumulator of a conv: the bias per output channel, or zero.
Value convInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias) {
  if (!bias)
    return buildFilled(b, loc, type,
                       cast<TypedAttr>(b.getZeroAttr(type.getElementType())));
  return buildBroadcastElementwise(
      b, loc, type,
      ValueRange{buildReshape(b, loc, bias,
                              RankedTensorType::get(
                                  {type.getDimSize(1), 1, 1},
                                  type.getElementType()))},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

struct ConvLowering : OpRewritePattern<graph::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::ConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    Value input = padSpatial(rewriter, loc, op.getInput(), op.getPads(),
                             {0, 0}, 0.0);
    auto strides = i64Vector(rewriter, op.getStrides());
    auto dilations = i64Vector(rewriter, op.getDilations());
    Value init = convInit(rewriter, loc, resultType, op.getBias());
    int64_t group = op.getGroup();
    if (group == 1) {
      rewriter.replaceOp(op, linalg::Conv2DNchwFchwOp::create(
                                 rewriter, loc, resultType,
                                 ValueRange{input, op.getWeight()}, init,
                                 strides, dilations)
                                 .getResult(0));
      return success();
    }
    // Grouped: N,C,H,W -> N,G,C/G,H,W and F,C/G,KH,KW -> G,F/G,C/G,KH,KW.
    auto inputType = cast<RankedTensorType>(input.getType());
    Type element = resultType.getElementType();
    auto splitDim = [&](Value value, RankedTensorType type, int64_t dim) {
      SmallVector<int64_t> shape(type.getShape());
      int64_t size = shape[dim];
      shape[dim] = size / group;
      shape.insert(shape.begin() + dim, group);
      SmallVector<ReassociationIndices> groups;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        int64_t base = d > dim ? d + 1 : d;
        groups.push_back(d == dim ? ReassociationIndices{d, d + 1}
                                  : ReassociationIndices{base});
      }
      return tensor::ExpandShapeOp::create(
                 rewriter, loc, RankedTensorType::get(shape, element), value,
                 groups)
          .getResult();
    };
    Value groupedInput = splitDim(input, inputType, 1);
    Value groupedWeight = splitDim(op.getWeight(), weightType, 0);
    Value groupedInit = splitDim(init, resultType, 1);
    auto groupedType = cast<RankedTensorType>(groupedInit.getType());
    Value conv = linalg::Conv2DNgchwGfchwOp::create(
                     rewriter, loc, groupedType,
                     ValueRange{groupedInput, groupedWeight}, groupedInit,
                     strides, dilations)
                     .getResult(0);
    SmallVector<ReassociationIndices> merge = {{0}, {1, 2}, {3}, {4}};
    rewriter.replaceOp(op, tensor::CollapseShapeOp::create(
                               rewriter, loc, resultType, conv, merge));
    return success();
  }
};

/// Extra bottom/right padding so that ceil-mode windows stay in bounds.
SmallVector<int64_t> ceilExtra(RankedTensorType inputType,
                               RankedTensorType resultType,
                               ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations,
                               ArrayRef<int64_t> pads) {
  SmallVector<int64_t> extra(2, 0);
  for (int i = 0; i < 2; ++i) {
    int64_t needed = (resultType.getDimSize(2 + i) - 1) * strides[i] +
                     dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = inputType.getDimSize(2 + i) + pads[i] + pads[i + 2];
    extra[i] = std::max<int64_t>(0, needed - have);
  }
  return extra;
}

struct MaxPoolLowering : OpRewritePattern<graph::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    double lowest = -std::numeric_limits<double>::infinity();
    Value input = padSpatial(
        rewriter, loc, op.getInput(), op.getPads(),
        ceilExtra(inputType, resultType, op.getKernelShape(), op.getStrides(),
                  op.getDilations(), op.getPads()),
        lowest);
    Value window = tensor::EmptyOp::create(rewriter, loc, op.getKernelShape(),
                                           resultType.getElementType());
    Value init = buildFilled(
        rewriter, loc, resultType,
        rewriter.getFloatAttr(resultType.getElementType(), lowest));
    rewriter.replaceOp(op, linalg::PoolingNchwMaxOp::create(
                               rewriter, loc, resultType,
                               ValueRange{input, window}, init,
                               i64Vector(rewriter, op.getStrides()),
                               i64Vector(rewriter, op.getDilations()))
                               .getResult(0));
    return success();
  }
};

/// Number of cells of each window that count toward the average: those in
/// [lo, hi) where the range is the input (count_include_pad = false) or the
/// explicitly padded input (true). Returns an [OH, OW] constant of the
/// result's element type (counts are small integers, exact in any float).
DenseElementsAttr windowCounts(graph::AveragePoolOp op,
                               RankedTensorType inputType,
                               RankedTensorType resultType) {
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                    pads = op.getPads();
  bool includePad = op.getCountIncludePad();
  int64_t outH = resultType.getDimSize(2), outW = resultType.getDimSize(3);
  auto cells = [&](int64_t o, int i) {
    int64_t in = inputType.getDimSize(2 + i);
    int64_t lo = includePad ? -pads[i] : 0;
    int64_t hi = includePad ? in + pads[i + 2] : in;
    int64_t start = o * strides[i] - pads[i];
    int64_t end = start + kernel[i];
    return std::max<int64_t>(0, std::min(end, hi) - std::max(start, lo));
  };
  Type element = resultType.getElementType();
  SmallVector<Attribute> counts;
  for (int64_t h = 0; h < outH; ++h)
    for (int64_t w = 0; w < outW; ++w)
      counts.push_back(FloatAttr::get(
          element, static_cast<double>(cells(h, 0) * cells(w, 1))));
  auto type = RankedTensorType::get({outH, outW}, element);
  return DenseElementsAttr::get(type, counts);
}

struct AveragePoolLowering : OpRewritePattern<graph::AveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::AveragePoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> ones = {1, 1};
    Value input = padSpatial(rewriter, loc, op.getInput(), op.getPads(),
                             ceilExtra(inputType, resultType,
                                       op.getKernelShape(), op.getStrides(),
                                       ones, op.getPads()),
                             0.0);
    Value window = tensor::EmptyOp::create(rewriter, loc, op.getKernelShape(),
                                           resultType.getElementType());
    Value init = buildFilled(
        rewriter, loc, resultType,
        rewriter.getFloatAttr(resultType.getElementType(), 0.0));
    Value sums = linalg::PoolingNchwSumOp::create(
                     rewriter, loc, resultType, ValueRange{input, window},
                     init, i64Vector(rewriter, op.getStrides()),
                     i64Vector(rewriter, ones))
                     .getResult(0);
    Value counts = arith::ConstantOp::create(
        rewriter, loc, windowCounts(op, inputType, resultType));
    rewriter.replaceOp(
        op, buildBroadcastElementwise(
                rewriter, loc, resultType, ValueRange{sums, counts},
                [](OpBuilder &b, Location l, ValueRange args) -> Value {
                  return arith::DivFOp::create(b, l, args[0], args[1]);
                }));
    return success();
  }
};

/// Mean over the spatial dims: a sum reduction to [N, C], a division, and a
/// reshape back to [N, C, 1, ...].
struct GlobalAveragePoolLowering
    : OpRewritePattern<graph::GlobalAveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::GlobalAveragePoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    int64_t rank = inputType.getRank();
    auto reducedType = RankedTensorType::get(
        inputType.getShape().take_front(2), element);
    Value acc =
        buildFilled(rewriter, loc, reducedType, rewriter.getFloatAttr(element, 0));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    iterators[0] = iterators[1] = utils::IteratorType::parallel;
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap outMap = AffineMap::get(
        rank, 0, {rewriter.getAffineDimExpr(0), rewriter.getAffineDimExpr(1)},
        rewriter.getContext());
    Value sums =
        linalg::GenericOp::create(
            rewriter, loc, reducedType, op.getInput(), acc,
            ArrayRef<AffineMap>{identity, outMap}, iterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l, Value(arith::AddFOp::create(b, l, args[0], args[1])));
            })
            .getResult(0);
    double count = static_cast<double>(inputType.getNumElements() /
                                       (inputType.getDimSize(0) *
                                        inputType.getDimSize(1)));
    Value means = buildBroadcastElementwise(
        rewriter, loc, reducedType, ValueRange{sums},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(
              b, l, args[0], scalarConstant(b, l, element, count));
        });
    rewriter.replaceOp(op, buildReshape(rewriter, loc, means, resultType));
    return success();
  }
};

} // namespace

void strata::lowering::populateConvPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering, MaxPoolLowering, AveragePoolLowering,
               GlobalAveragePoolLowering>(patterns.getContext());
}
