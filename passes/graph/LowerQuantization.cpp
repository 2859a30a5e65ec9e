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
// Float8 / float4 and 4-bit / 2-bit integer tensors are read and written
// as their i8 storage (NarrowTypes.h); MiniFloat.h converts that storage
// byte from / to f32.
//
// The generic of a dequantization of integers of up to 8 bits to f32 is
// marked `strata.dequantize = "i4"` (or "ui4", "i8", ...: the input's
// type, whose values its i8 operands hold): it computes
// (value(x) - value(zero point)) * scale, and
// strata-pack-weight-only-rhs relies on that to pack a constant one.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphElementwise.h"
#include "dialects/graph/QuantizedTypes.h"
#include "passes/graph/LoweringPatterns.h"
#include "passes/graph/MiniFloat.h"
#include "passes/graph/NarrowTypes.h"

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

/// The element `v` (its storage: signless, or the i8 byte of a narrow
/// type) of graph element type `element`, as f32 (exact but for wide
/// integers).
Value loadAsF32(OpBuilder &b, Location loc, Value v, Type element) {
  FloatType f32 = b.getF32Type();
  if (minifloat::isMiniFloat(element))
    return minifloat::buildExtToF32(b, loc, v, cast<FloatType>(element));
  if (graph::isNarrowElementType(element)) { // 4-bit / 2-bit integers
    auto integer = cast<IntegerType>(element);
    Value i8 = minifloat::buildNarrowIntValue(b, loc, v, integer.getWidth(),
                                              !integer.isUnsigned());
    return arith::SIToFPOp::create(b, loc, f32, i8); // fits i8 either way
  }
  return toFloat(b, loc, v, element, f32);
}

/// Stores `scaled` (x / scale, f32) into the quantized type `element`
/// (`storage`; signless `storageType`, i8 for the narrow types): its
/// rounding, the zero point (its storage; null when absent), its
/// saturation.
Value storeQuantized(OpBuilder &b, Location loc, Value scaled, Value zeroPoint,
                     Type element, const graph::QuantizedStorage &storage,
                     Type storageType, bool saturate) {
  Type f32 = scaled.getType();
  switch (storage.kind) {
  case graph::QuantizedStorage::Kind::Integer: {
    Value v = math::RoundEvenOp::create(b, loc, scaled);
    if (zeroPoint)
      v = arith::AddFOp::create(b, loc, v,
                                loadAsF32(b, loc, zeroPoint, element));
    // maxnumf / minnumf: NaN saturates to the lowest value.
    v = arith::MaxNumFOp::create(
        b, loc, v, scalarConstant(b, loc, f32, double(storage.min)));
    v = arith::MinNumFOp::create(
        b, loc, v, scalarConstant(b, loc, f32, double(storage.max)));
    if (storage.width < 8) // in [-8, 15]: through i8 to the low bits
      return minifloat::buildNarrowIntBits(
          b, loc, arith::FPToSIOp::create(b, loc, storageType, v),
          storage.width);
    return storage.isSigned
               ? Value(arith::FPToSIOp::create(b, loc, storageType, v))
               : Value(arith::FPToUIOp::create(b, loc, storageType, v));
  }
  case graph::QuantizedStorage::Kind::Float: {
    // As ONNX's reference: float8 ignores the zero point (it must be 0),
    // float4 adds it; float4 always saturates (buildTruncF32).
    auto format = cast<FloatType>(element);
    Value v = scaled;
    if (zeroPoint && isa<Float4E2M1FNType>(element))
      v = arith::AddFOp::create(b, loc, v,
                                loadAsF32(b, loc, zeroPoint, element));
    return minifloat::buildTruncF32(b, loc, v, format, saturate);
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
  ops.values = {castToStorage(b, loc, input), scale};
  ops.maps = {AffineMap::getMultiDimIdentityMap(rank, ctx), map};
  if (zeroPoint) {
    // A per-tensor zero point of shape [1] reads its one element.
    auto zpType = cast<RankedTensorType>(zeroPoint.getType());
    ops.values.push_back(castToStorage(b, loc, zeroPoint));
    ops.maps.push_back(zpType.getRank() == scaleType.getRank()
                           ? map
                           : AffineMap::get(rank, 0,
                                            {getAffineConstantExpr(0, ctx)},
                                            ctx));
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
    auto signlessResult =
        cast<RankedTensorType>(signlessType(storageType(resultType)));
    bool saturate = op.getSaturate();
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
                                element, *storage, storageType, saturate);
        });
    rewriter.replaceOp(op, castFromStorage(rewriter, loc, result, resultType));
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
    // Float8 / float4 inputs ignore the zero point (ONNX's reference).
    bool hasZeroPoint = op.getZeroPoint() != nullptr;
    bool subtractZeroPoint =
        hasZeroPoint && !minifloat::isMiniFloat(inputElement);
    QuantOperands ops =
        quantOperands(rewriter, loc, op.getInput(), op.getScale(),
                      op.getZeroPoint(), op.getAxis(), op.getBlockSize());
    auto outType = cast<FloatType>(resultType.getElementType());
    Value result = buildParallelGeneric(
        rewriter, loc, resultType, ops.values, ops.maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          FloatType f32 = b.getF32Type();
          Value x = loadAsF32(b, l, args[0], inputElement);
          if (subtractZeroPoint)
            x = arith::SubFOp::create(
                b, l, x, loadAsF32(b, l, args[2], inputElement));
          Value y = arith::MulFOp::create(
              b, l, x, toFloat(b, l, args[1], scaleElement, f32));
          return toFloat(b, l, y, f32, outType);
        });
    // Integers of up to 8 bits into f32 (weights, mostly): say so, for
    // strata-pack-weight-only-rhs, which packs a constant one beside the
    // product that reads it rather than dequantizing it every run.
    auto integer = dyn_cast<IntegerType>(inputElement);
    if (integer && integer.getWidth() <= 8 && outType.isF32())
      if (Operation *generic = result.getDefiningOp())
        generic->setAttr(
            "strata.dequantize",
            rewriter.getStringAttr((integer.isUnsigned() ? "ui" : "i") +
                                   std::to_string(integer.getWidth())));
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
