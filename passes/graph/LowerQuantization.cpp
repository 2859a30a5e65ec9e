//===- LowerQuantization.cpp - (de)quantization -> linalg -----------------===//
//
// graph.quantize_linear and graph.dequantize_linear each become one
// elementwise linalg.generic over the input. The scale and zero point are
// read through maps that encode the granularity: none of the loops (per
// tensor), the loop of `axis` (per axis), or every loop with `axis` divided
// by the block size (blocked), so no broadcast copy is ever made.
//
// The arithmetic is in f32: x / scale (rounded to `precision` when that is
// narrower), then the quantized type's rounding and saturation, the one
// place that knows them per storage kind (QuantizedTypes.h).
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/QuantizedTypes.h"
#include "passes/graph/LoweringPatterns.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

/// The map reading a scale (or zero point) of `scaleType` from the loops of
/// a rank-`rank` input, for the granularity that the shapes select.
AffineMap scaleMap(MLIRContext *ctx, int64_t rank, RankedTensorType scaleType,
                   int64_t axis, int64_t blockSize) {
  if (scaleType.getRank() == 0)
    return AffineMap::get(rank, 0, {}, ctx);
  if (blockSize == 0)
    return AffineMap::get(rank, 0, {getAffineDimExpr(axis, ctx)}, ctx);
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr e = getAffineDimExpr(d, ctx);
    exprs.push_back(d == axis ? e.floorDiv(blockSize) : e);
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// `v` (a scalar of graph element type `element`, read as signless) in
/// float type `to`.
Value toFloat(OpBuilder &b, Location loc, Value v, Type element, FloatType to) {
  Type type = v.getType();
  if (type == to)
    return v;
  if (auto from = dyn_cast<FloatType>(type))
    return from.getWidth() < to.getWidth()
               ? Value(arith::ExtFOp::create(b, loc, to, v))
               : Value(arith::TruncFOp::create(b, loc, to, v));
  if (element.isUnsignedInteger())
    return arith::UIToFPOp::create(b, loc, to, v);
  return arith::SIToFPOp::create(b, loc, to, v);
}

/// Stores `scaled` (x / scale, f32) into the quantized type `storage`
/// (signless `storageType`): its rounding, the zero point, its saturation.
/// `zeroPoint` is null when absent.
Value storeQuantized(OpBuilder &b, Location loc, Value scaled, Value zeroPoint,
                     Type element, const graph::QuantizedStorage &storage,
                     Type storageType) {
  Type f32 = scaled.getType();
  switch (storage.kind) {
  case graph::QuantizedStorage::Kind::Integer: {
    Value v = math::RoundEvenOp::create(b, loc, scaled);
    if (zeroPoint)
      v = arith::AddFOp::create(
          b, loc, v, toFloat(b, loc, zeroPoint, element, cast<FloatType>(f32)));
    // maxnumf / minnumf: NaN saturates to the lowest value.
    v = arith::MaxNumFOp::create(
        b, loc, v, scalarConstant(b, loc, f32, double(storage.min)));
    v = arith::MinNumFOp::create(
        b, loc, v, scalarConstant(b, loc, f32, double(storage.max)));
    return storage.isSigned
               ? Value(arith::FPToSIOp::create(b, loc, storageType, v))
               : Value(arith::FPToUIOp::create(b, loc, storageType, v));
  }
  }
  llvm_unreachable("unknown quantized storage");
}

/// The generic's inputs and maps: input (identity), scale, zero point.
struct QuantOperands {
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
};

QuantOperands quantOperands(OpBuilder &b, Location loc, Value input,
                            Value scale, Value zeroPoint, int64_t axis,
                            int64_t blockSize) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto scaleType = cast<RankedTensorType>(scale.getType());
  int64_t rank = inputType.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap map = scaleMap(ctx, rank, scaleType, axis, blockSize);
  QuantOperands ops;
  ops.values = {castToSignless(b, loc, input), scale};
  ops.maps = {AffineMap::getMultiDimIdentityMap(rank, ctx), map};
  if (zeroPoint) {
    ops.values.push_back(castToSignless(b, loc, zeroPoint));
    ops.maps.push_back(map);
  }
  return ops;
}

struct QuantizeLinearLowering : OpRewritePattern<graph::QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::QuantizeLinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    std::optional<graph::QuantizedStorage> storage =
        graph::getQuantizedStorage(element);
    if (!storage)
      return rewriter.notifyMatchFailure(op, "not a quantized type");
    Type inputElement =
        cast<RankedTensorType>(op.getInput().getType()).getElementType();
    auto scaleElement = cast<FloatType>(
        cast<RankedTensorType>(op.getScale().getType()).getElementType());
    // Without `precision`: the wider of a float input's and the scale's
    // types, as ONNX's reference divides (numpy promotion).
    FloatType precision = scaleElement;
    if (op.getPrecision())
      precision = cast<FloatType>(*op.getPrecision());
    else if (auto inputFloat = dyn_cast<FloatType>(inputElement);
             inputFloat && inputFloat.getWidth() > precision.getWidth())
      precision = inputFloat;
    bool hasZeroPoint = op.getZeroPoint() != nullptr;
    QuantOperands ops =
        quantOperands(rewriter, loc, op.getInput(), op.getScale(),
                      op.getZeroPoint(), op.getAxis(), op.getBlockSize());
    auto signlessResult = cast<RankedTensorType>(signlessType(resultType));
    Type storageType = signlessResult.getElementType();
    Value result = buildParallelGeneric(
        rewriter, loc, signlessResult, ops.values, ops.maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          FloatType f32 = b.getF32Type();
          Value x = toFloat(b, l, args[0], inputElement, f32);
          Value s = toFloat(b, l, args[1], scaleElement, f32);
          Value q = arith::DivFOp::create(b, l, x, s);
          if (precision.getWidth() < 32) // divided in f16 / bf16
            q = arith::ExtFOp::create(
                b, l, f32,
                Value(arith::TruncFOp::create(b, l, precision, q)));
          return storeQuantized(b, l, q, hasZeroPoint ? args[2] : Value(),
                                element, *storage, storageType);
        });
    rewriter.replaceOp(op, castFromSignless(rewriter, loc, result, resultType));
    return success();
  }
};

struct DequantizeLinearLowering : OpRewritePattern<graph::DequantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::DequantizeLinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type inputElement =
        cast<RankedTensorType>(op.getInput().getType()).getElementType();
    Type scaleElement =
        cast<RankedTensorType>(op.getScale().getType()).getElementType();
    bool hasZeroPoint = op.getZeroPoint() != nullptr;
    QuantOperands ops =
        quantOperands(rewriter, loc, op.getInput(), op.getScale(),
                      op.getZeroPoint(), op.getAxis(), op.getBlockSize());
    auto outType = cast<FloatType>(resultType.getElementType());
    Value result = buildParallelGeneric(
        rewriter, loc, resultType, ops.values, ops.maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          FloatType f32 = b.getF32Type();
          Value x = toFloat(b, l, args[0], inputElement, f32);
          if (hasZeroPoint)
            x = arith::SubFOp::create(
                b, l, x, toFloat(b, l, args[2], inputElement, f32));
          Value y = arith::MulFOp::create(
              b, l, x, toFloat(b, l, args[1], scaleElement, f32));
          return toFloat(b, l, y, f32, outType);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void strata::lowering::populateQuantizationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<QuantizeLinearLowering, DequantizeLinearLowering>(
      patterns.getContext());
}
