//===- LowerConvPool.cpp - conv and pooling -> linalg named ops -----------===//
//
// Padding becomes an explicit tensor.pad (zero for conv and average pool,
// the lowest value for max pool) so the window ops see an unpadded input.
// 2-D convolutions are linalg.conv_2d_nchw_fchw, depthwise ones (one filter
// per channel) linalg.depthwise_conv_2d_nchw_chw, other grouped ones the
// NGCHW form through expand/collapse of the channels; a 1-D convolution is
// the 2-D one over an N,C,1,W view (so it shares the 2-D code generation); a
// 3-D one is a linalg.generic. A bias is added after the convolution. 2-D
// float pooling uses linalg.pooling_nchw_*; other ranks and integer max
// pooling one linalg.generic with the same maps.
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

/// Pads the spatial dims of an NC... tensor with `padValue`. `pads` is the
/// beginnings then the ends; `extra` adds more at the ends (ceil-mode
/// pooling).
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, ArrayRef<int64_t> extra,
                 Value padValue) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t spatial = type.getRank() - 2;
  SmallVector<int64_t> low = {0, 0}, high = {0, 0};
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(pads[i]);
    high.push_back(pads[spatial + i] + (extra.empty() ? 0 : extra[i]));
  }
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t i = 0; i < type.getRank(); ++i)
    shape[i] += low[i] + high[i];
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, paddedType, input,
                               getAsIndexOpFoldResult(b.getContext(), low),
                               getAsIndexOpFoldResult(b.getContext(), high),
                               padValue)
      .getResult();
}

Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, ArrayRef<int64_t> extra,
                 double value) {
  Type element = cast<RankedTensorType>(input.getType()).getElementType();
  return padSpatial(b, loc, input, pads, extra,
                    scalarConstant(b, loc, element, value));
}

/// N,C,W <-> N,C,1,W: a 1-D window op computed as a 2-D one.
Value insertUnitRow(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + 2, 1);
  return tensor::ExpandShapeOp::create(
             b, loc, RankedTensorType::get(shape, type.getElementType()), value,
             ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}})
      .getResult();
}

Value dropUnitRow(OpBuilder &b, Location loc, Value value,
                  RankedTensorType type) {
  return tensor::CollapseShapeOp::create(
             b, loc, type, value,
             ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}})
      .getResult();
}

/// The window's parameters with a leading unit row (1-D -> 2-D): `fill` for
/// per-dimension values (1 for strides, dilations, kernel) and pads that get
/// zeros before both halves.
SmallVector<int64_t> withUnitRow(ArrayRef<int64_t> values, int64_t fill) {
  SmallVector<int64_t> result = {fill};
  result.append(values.begin(), values.end());
  return result;
}
SmallVector<int64_t> padsWithUnitRow(ArrayRef<int64_t> pads) {
  return {0, pads[0], 0, pads[1]};
}

/// A 2-D convolution of an unpadded NCHW input through the linalg named ops.
Value buildConv2D(OpBuilder &b, Location loc, RankedTensorType resultType,
                  Value input, Value weight, Value init,
                  ArrayRef<int64_t> stridesValues,
                  ArrayRef<int64_t> dilationsValues, int64_t group) {
  auto strides = i64Vector(b, stridesValues);
  auto dilations = i64Vector(b, dilationsValues);
  if (group == 1)
    return linalg::Conv2DNchwFchwOp::create(b, loc, resultType,
                                            ValueRange{input, weight}, init,
                                            strides, dilations)
        .getResult(0);
  auto weightType = cast<RankedTensorType>(weight.getType());
  if (group == resultType.getDimSize(1) && weightType.getDimSize(1) == 1) {
    // Depthwise (one filter per channel): F,1,KH,KW -> C,KH,KW.
    auto filterType = RankedTensorType::get(
        {weightType.getDimSize(0), weightType.getDimSize(2),
         weightType.getDimSize(3)},
        weightType.getElementType());
    Value filter = tensor::CollapseShapeOp::create(
        b, loc, filterType, weight,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
    return linalg::DepthwiseConv2DNchwChwOp::create(
               b, loc, resultType, ValueRange{input, filter}, init, strides,
               dilations)
        .getResult(0);
  }
  // Grouped: N,C,H,W -> N,G,C/G,H,W and F,C/G,KH,KW -> G,F/G,C/G,KH,KW.
  Value groupedInput = splitGroups(b, loc, input, 1, group);
  Value groupedWeight = splitGroups(b, loc, weight, 0, group);
  Value groupedInit = splitGroups(b, loc, init, 1, group);
  Value conv = linalg::Conv2DNgchwGfchwOp::create(
                   b, loc, groupedInit.getType(),
                   ValueRange{groupedInput, groupedWeight}, groupedInit,
                   strides, dilations)
                   .getResult(0);
  SmallVector<ReassociationIndices> merge = {{0}, {1, 2}, {3}, {4}};
  return tensor::CollapseShapeOp::create(b, loc, resultType, conv, merge);
}

/// A (grouped) convolution of an unpadded NC... input with any number of
/// spatial dims as one linalg.generic over (n, g, f, o..., c, k...):
///   out[n, g, f, o...] += in[n, g, c, o * stride + k * dilation...]
///                         * weight[g, f, c, k...]
Value buildGenericConv(OpBuilder &b, Location loc, RankedTensorType resultType,
                       Value input, Value weight, Value init,
                       ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                       int64_t group) {
  return buildGroupedConvGeneric(
      b, loc, resultType, input, weight, init, group,
      /*weightOutputChannelsFirst=*/true,
      [&](int64_t i, AffineExpr o, AffineExpr k) {
        return o * strides[i] + k * dilations[i];
      });
}

/// f16 and bf16 convolutions read their operands as f32 and accumulate in
/// f32 (long sums in 16 bits lose several digits); the result is rounded
/// once at the end.
struct ConvLowering : OpRewritePattern<graph::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::ConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Type compute = accumulatorType(element);
    auto computeType = RankedTensorType::get(resultType.getShape(), compute);
    // i8 operands (folded QDQ) stay i8: the named convolutions widen them
    // (signed) into their i32 accumulator.
    bool narrow = op.getInput().getType().getElementType().isInteger(8);
    Value input = narrow ? op.getInput()
                         : convertFloats(rewriter, loc, op.getInput(), compute);
    Value weight = narrow
                       ? op.getWeight()
                       : convertFloats(rewriter, loc, op.getWeight(), compute);
    Value bias = op.getBias()
                     ? convertFloats(rewriter, loc, op.getBias(), compute)
                     : Value();
    // The bias is added after the convolution, not used as its initial
    // value: the add fuses into the activation or residual add that follows
    // (one pass that happens anyway), where a broadcast initial value is a
    // pass of its own, and a loop nest that LLVM spends seconds on.
    Value init = buildConvInit(rewriter, loc, computeType, Value());
    int64_t rank = resultType.getRank();
    // Integer convolutions of quantized data pad with the zero point.
    double padValue =
        op.getPadValueAttr() ? double(op.getPadValueAttr().getInt()) : 0.0;
    Value conv;
    if (rank == 5) {
      conv = buildGenericConv(
          rewriter, loc, computeType,
          padSpatial(rewriter, loc, input, op.getPads(), {}, padValue), weight,
          init, op.getStrides(), op.getDilations(), op.getGroup());
    } else if (rank == 3) {
      // N,C,W as N,C,1,W with a 1xK kernel.
      Value input2D =
          padSpatial(rewriter, loc, insertUnitRow(rewriter, loc, input),
                     padsWithUnitRow(op.getPads()), {}, padValue);
      Value init2D = insertUnitRow(rewriter, loc, init);
      conv = dropUnitRow(
          rewriter, loc,
          buildConv2D(rewriter, loc, cast<RankedTensorType>(init2D.getType()),
                      input2D, insertUnitRow(rewriter, loc, weight), init2D,
                      withUnitRow(op.getStrides(), 1),
                      withUnitRow(op.getDilations(), 1), op.getGroup()),
          computeType);
    } else {
      conv = buildConv2D(
          rewriter, loc, computeType,
          padSpatial(rewriter, loc, input, op.getPads(), {}, padValue), weight,
          init, op.getStrides(), op.getDilations(), op.getGroup());
    }
    if (bias)
      conv = buildBiasAdd(rewriter, loc, conv, bias);
    rewriter.replaceOp(op, convertFloats(rewriter, loc, conv, element));
    return success();
  }
};

/// Extra padding at the ends so that ceil-mode windows stay in bounds.
SmallVector<int64_t> ceilExtra(RankedTensorType inputType,
                               RankedTensorType resultType,
                               ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations,
                               ArrayRef<int64_t> pads) {
  int64_t spatial = inputType.getRank() - 2;
  SmallVector<int64_t> extra(spatial, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t needed = (resultType.getDimSize(2 + i) - 1) * strides[i] +
                     dilations[i] * (kernel[i] - 1) + 1;
    int64_t have = inputType.getDimSize(2 + i) + pads[i] + pads[i + spatial];
    extra[i] = std::max<int64_t>(0, needed - have);
  }
  return extra;
}

/// Every spatial dimension's value `1` when `values` is absent.
SmallVector<int64_t> orOnes(std::optional<ArrayRef<int64_t>> values,
                            int64_t spatial) {
  if (values)
    return SmallVector<int64_t>(*values);
  return SmallVector<int64_t>(spatial, 1);
}

/// A pooling window over an unpadded NC... input: linalg.pooling_nchw_max /
/// _sum for 2-D floats, else one linalg.generic over (n, c, o..., k...)
/// reading in[n, c, o * stride + k * dilation...] (the named ops' maps).
/// `combine` gets (element, accumulator); `init` fills the result.
Value buildPool(OpBuilder &b, Location loc, RankedTensorType resultType,
                Value input, Value init, ArrayRef<int64_t> kernel,
                ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                bool isMax, ScalarBody combine) {
  MLIRContext *ctx = b.getContext();
  Type element = resultType.getElementType();
  Value window = tensor::EmptyOp::create(b, loc, kernel, element);
  if (resultType.getRank() == 4 && isa<FloatType>(element)) {
    auto stridesAttr = i64Vector(b, strides);
    auto dilationsAttr = i64Vector(b, dilations);
    if (isMax)
      return linalg::PoolingNchwMaxOp::create(b, loc, resultType,
                                              ValueRange{input, window}, init,
                                              stridesAttr, dilationsAttr)
          .getResult(0);
    return linalg::PoolingNchwSumOp::create(b, loc, resultType,
                                            ValueRange{input, window}, init,
                                            stridesAttr, dilationsAttr)
        .getResult(0);
  }
  int64_t spatial = resultType.getRank() - 2;
  int64_t numLoops = 2 + 2 * spatial;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)};
  SmallVector<AffineExpr> windowExprs, outputExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    inputExprs.push_back(dim(2 + i) * strides[i] +
                         dim(2 + spatial + i) * dilations[i]);
    windowExprs.push_back(dim(2 + spatial + i));
    outputExprs.push_back(dim(2 + i));
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0, inputExprs, ctx),
      AffineMap::get(numLoops, 0, windowExprs, ctx),
      AffineMap::get(numLoops, 0, outputExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  for (int64_t d = 2 + spatial; d < numLoops; ++d)
    iterators[d] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{input, window}, init, maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l,
                                       combine(nb, l, {args[0], args[2]}));
             })
      .getResult(0);
}

struct MaxPoolLowering : OpRewritePattern<graph::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    // Integers compute on signless values; the lowest value of the type is
    // the padding and the initial maximum.
    Type element = resultType.getElementType();
    bool isUnsigned = element.isUnsignedInteger();
    Value input = castToSignless(rewriter, loc, op.getInput());
    auto signlessResult = cast<RankedTensorType>(signlessType(resultType));
    Type signlessElement = signlessResult.getElementType();
    TypedAttr lowest;
    if (auto floatType = dyn_cast<FloatType>(element)) {
      lowest = rewriter.getFloatAttr(
          floatType, -std::numeric_limits<double>::infinity());
    } else {
      unsigned width = element.getIntOrFloatBitWidth();
      lowest = rewriter.getIntegerAttr(
          signlessElement, isUnsigned ? APInt::getZero(width)
                                      : APInt::getSignedMinValue(width));
    }
    Value padded = padSpatial(
        rewriter, loc, input, op.getPads(),
        ceilExtra(inputType, resultType, op.getKernelShape(), op.getStrides(),
                  op.getDilations(), op.getPads()),
        arith::ConstantOp::create(rewriter, loc, lowest).getResult());
    Value init = buildFilled(rewriter, loc, signlessResult, lowest);
    Value pooled = buildPool(
        rewriter, loc, signlessResult, padded, init, op.getKernelShape(),
        op.getStrides(), op.getDilations(), /*isMax=*/true,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          if (isa<FloatType>(element))
            return arith::MaximumFOp::create(b, l, args[0], args[1]);
          if (isUnsigned)
            return arith::MaxUIOp::create(b, l, args[0], args[1]);
          return arith::MaxSIOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(op,
                       castFromSignless(rewriter, loc, pooled, resultType));
    return success();
  }
};

/// Number of cells of each window that count toward the average: those in
/// [lo, hi) where the range is the input (count_include_pad = false) or the
/// explicitly padded input (true). Returns an [O...] constant of the
/// result's element type (counts are small integers, exact in any float).
DenseElementsAttr windowCounts(graph::AveragePoolOp op,
                               RankedTensorType inputType,
                               RankedTensorType resultType,
                               ArrayRef<int64_t> dilations) {
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                    pads = op.getPads();
  bool includePad = op.getCountIncludePad();
  int64_t spatial = inputType.getRank() - 2;
  // Cells of window `o` along dimension `i`.
  auto cells = [&](int64_t o, int64_t i) {
    int64_t in = inputType.getDimSize(2 + i);
    int64_t lo = includePad ? -pads[i] : 0;
    int64_t hi = includePad ? in + pads[i + spatial] : in;
    int64_t count = 0;
    for (int64_t k = 0; k < kernel[i]; ++k) {
      int64_t at = o * strides[i] - pads[i] + k * dilations[i];
      count += at >= lo && at < hi;
    }
    return count;
  };
  ArrayRef<int64_t> outShape = resultType.getShape().drop_front(2);
  SmallVector<SmallVector<int64_t>> perDim(spatial);
  for (int64_t i = 0; i < spatial; ++i)
    for (int64_t o = 0; o < outShape[i]; ++o)
      perDim[i].push_back(cells(o, i));
  Type element = resultType.getElementType();
  SmallVector<Attribute> counts;
  SmallVector<int64_t> at(spatial, 0);
  int64_t total = ShapedType::getNumElements(outShape);
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t product = 1, rest = flat;
    for (int64_t i = spatial - 1; i >= 0; --i) {
      product *= perDim[i][rest % outShape[i]];
      rest /= outShape[i];
    }
    counts.push_back(FloatAttr::get(element, static_cast<double>(product)));
  }
  return DenseElementsAttr::get(RankedTensorType::get(outShape, element),
                                counts);
}

struct AveragePoolLowering : OpRewritePattern<graph::AveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::AveragePoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> dilations =
        orOnes(op.getDilations(), inputType.getRank() - 2);
    Value input = padSpatial(rewriter, loc, op.getInput(), op.getPads(),
                             ceilExtra(inputType, resultType,
                                       op.getKernelShape(), op.getStrides(),
                                       dilations, op.getPads()),
                             0.0);
    Value init = buildFilled(
        rewriter, loc, resultType,
        rewriter.getFloatAttr(resultType.getElementType(), 0.0));
    Value sums = buildPool(
        rewriter, loc, resultType, input, init, op.getKernelShape(),
        op.getStrides(), dilations, /*isMax=*/false,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::AddFOp::create(b, l, args[0], args[1]);
        });
    Value counts = arith::ConstantOp::create(
        rewriter, loc, windowCounts(op, inputType, resultType, dilations));
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

/// A tensor of `type` (N, C, spatial...) whose element is `body`(bias
/// element, elements of `others`...), with the 1-D `bias` read along C
/// through the map (n, c, ...) -> (c) and `others` (of `type`) through the
/// identity. A plain projection, which layout propagation moves through (a
/// broadcast of a C x 1 x 1 reshape, with constant 0s in its map, it would
/// not).
static Value buildChannelwise(
    OpBuilder &b, Location loc, RankedTensorType type, Value bias,
    ValueRange others,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  unsigned rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, getAffineDimExpr(1, ctx))};
  SmallVector<Value> inputs = {buildReshape(
      b, loc, bias,
      RankedTensorType::get({type.getDimSize(1)}, type.getElementType()))};
  for (Value other : others) {
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
    inputs.push_back(other);
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx)); // the result
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                        type.getElementType());
  return linalg::GenericOp::create(
             b, loc, type, inputs, ValueRange{empty}, maps, iterators,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(
                   nested, nestedLoc,
                   body(nested, nestedLoc, args.drop_back()));
             })
      .getResult(0);
}

Value strata::lowering::buildBiasAdd(OpBuilder &b, Location loc, Value value,
                                     Value bias) {
  return buildChannelwise(
      b, loc, cast<RankedTensorType>(value.getType()), bias, value,
      [](OpBuilder &nested, Location nestedLoc, ValueRange args) -> Value {
        Value biasElement = args[0], element = args[1];
        if (isa<FloatType>(element.getType()))
          return arith::AddFOp::create(nested, nestedLoc, element,
                                       biasElement);
        return arith::AddIOp::create(nested, nestedLoc, element, biasElement);
      });
}

Value strata::lowering::buildConvInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias) {
  if (!bias)
    return buildFilled(b, loc, type,
                       cast<TypedAttr>(b.getZeroAttr(type.getElementType())));
  return buildChannelwise(
      b, loc, type, bias, ValueRange(),
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

Value strata::lowering::buildGroupedConvGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, Value input,
    Value weight, Value init, int64_t group, bool weightOutputChannelsFirst,
    llvm::function_ref<AffineExpr(int64_t, AffineExpr, AffineExpr)>
        inputIndex) {
  MLIRContext *ctx = b.getContext();
  int64_t spatial = resultType.getRank() - 2;
  Value groupedInput = splitGroups(b, loc, input, 1, group);
  Value groupedWeight = splitGroups(b, loc, weight, 0, group);
  Value groupedInit = splitGroups(b, loc, init, 1, group);
  // Loops: n, g, f, o..., c, k...
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
  int64_t o0 = 3, c = 3 + spatial, k0 = 4 + spatial;
  int64_t numLoops = 4 + 2 * spatial;
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1), dim(c)};
  SmallVector<AffineExpr> weightExprs =
      weightOutputChannelsFirst ? SmallVector<AffineExpr>{dim(1), dim(2), dim(c)}
                                : SmallVector<AffineExpr>{dim(1), dim(c), dim(2)};
  SmallVector<AffineExpr> outputExprs = {dim(0), dim(1), dim(2)};
  for (int64_t i = 0; i < spatial; ++i) {
    inputExprs.push_back(inputIndex(i, dim(o0 + i), dim(k0 + i)));
    weightExprs.push_back(dim(k0 + i));
    outputExprs.push_back(dim(o0 + i));
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0, inputExprs, ctx),
      AffineMap::get(numLoops, 0, weightExprs, ctx),
      AffineMap::get(numLoops, 0, outputExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  for (int64_t d = c; d < numLoops; ++d)
    iterators[d] = utils::IteratorType::reduction;
  Value conv =
      linalg::GenericOp::create(
          b, loc, groupedInit.getType(), ValueRange{groupedInput, groupedWeight},
          groupedInit, maps, iterators,
          [](OpBuilder &nb, Location l, ValueRange args) {
            Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
            linalg::YieldOp::create(
                nb, l, Value(arith::AddFOp::create(nb, l, args[2], product)));
          })
          .getResult(0);
  SmallVector<ReassociationIndices> merge = {{0}, {1, 2}};
  for (int64_t i = 0; i < spatial; ++i)
    merge.push_back({3 + i});
  return tensor::CollapseShapeOp::create(b, loc, resultType, conv, merge);
}
