//===- LowerNarrowCast.cpp - graph.cast from / to the narrow types --------===//
//
// graph.cast whose input or result is a narrow type (float8, float4, 4-bit
// and 2-bit integers) becomes one linalg.generic on the i8 storage of those
// tensors (NarrowTypes.h). Its body goes through one intermediate value:
//
//   source -> f32 (float8 / float4 and every float: exact, except f64)
//          or i8  (4-bit / 2-bit integers, sign- or zero-extended)
//          or the source itself (other integers and bool)
//   -> target: float8 / float4 by MiniFloat.h's rounding and saturation;
//      4-bit / 2-bit integers by wrapping (floats truncate toward zero
//      first, as ml_dtypes does); other types by the usual cast body.
//
// f64 sources and integers wider than f32's mantissa reach float8 through
// f32, so they round twice; ONNX's tests use f32 and f16 sources.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphElementwise.h"
#include "passes/graph/ElementwiseBodies.h"
#include "passes/graph/MiniFloat.h"
#include "passes/graph/NarrowTypes.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;
using namespace strata::lowering::bodies;

namespace {

minifloat::E8M0Rounding roundingOf(StringRef mode) {
  if (mode == "down")
    return minifloat::E8M0Rounding::Down;
  if (mode == "nearest")
    return minifloat::E8M0Rounding::Nearest;
  return minifloat::E8M0Rounding::Up;
}

struct NarrowCastLowering : OpRewritePattern<graph::CastOp> {
  // Before the generic cast lowering of LowerMath.cpp (benefit 1).
  NarrowCastLowering(MLIRContext *ctx)
      : OpRewritePattern<graph::CastOp>(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(graph::CastOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type from = inputType.getElementType();
    Type to = resultType.getElementType();
    if (!graph::isNarrowElementType(from) && !graph::isNarrowElementType(to))
      return failure();
    Location loc = op.getLoc();
    Value input = castToStorage(rewriter, loc, op.getInput());
    auto storageResult = cast<RankedTensorType>(
        signlessType(storageType(resultType)));
    Value result = buildBroadcastElementwise(
        rewriter, loc, storageResult, {input},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          auto [value, semantic] = decode(b, l, args[0], from);
          return encode(b, l, op, value, semantic, to);
        });
    rewriter.replaceOp(op, castFromStorage(rewriter, loc, result, resultType));
    return success();
  }

  /// The element of type `from` (its storage or compute form) as f32, i8 or
  /// itself, with the graph type that says how to read it.
  static std::pair<Value, Type> decode(OpBuilder &b, Location loc, Value v,
                                       Type from) {
    if (minifloat::isMiniFloat(from))
      return {minifloat::buildExtToF32(b, loc, v, cast<FloatType>(from)),
              b.getF32Type()};
    if (graph::isNarrowElementType(from)) {
      auto integer = cast<IntegerType>(from);
      bool isSigned = !integer.isUnsigned();
      Value value = minifloat::buildNarrowIntValue(b, loc, v,
                                                   integer.getWidth(), isSigned);
      return {value, IntegerType::get(b.getContext(), 8,
                                      isSigned ? IntegerType::Signless
                                               : IntegerType::Unsigned)};
    }
    if (isNarrowFloat(from)) // f16, bf16
      return {arith::ExtFOp::create(b, loc, b.getF32Type(), v),
              b.getF32Type()};
    return {v, from};
  }

  static Value encode(OpBuilder &b, Location loc, graph::CastOp op, Value v,
                      Type from, Type to) {
    Type i8 = b.getI8Type(), f32 = b.getF32Type();
    if (minifloat::isMiniFloat(to)) {
      Value x = v;
      if (isa<FloatType>(v.getType())) {
        if (!v.getType().isF32())
          x = arith::TruncFOp::create(b, loc, f32, v);
      } else if (from.isUnsignedInteger() || from.isInteger(1)) {
        x = arith::UIToFPOp::create(b, loc, f32, v);
      } else {
        x = arith::SIToFPOp::create(b, loc, f32, v);
      }
      return minifloat::buildTruncF32(b, loc, x, cast<FloatType>(to),
                                      op.getSaturate(),
                                      roundingOf(op.getRoundMode()));
    }
    if (graph::isNarrowElementType(to)) { // 4-bit / 2-bit integers
      unsigned width = cast<IntegerType>(to).getWidth();
      Value x = v;
      if (auto floatType = dyn_cast<FloatType>(v.getType())) {
        // Toward zero in an integer wide enough for most values, then wrap.
        Type wide = floatType.getWidth() > 32 ? b.getI64Type() : b.getI32Type();
        x = arith::FPToSIOp::create(b, loc, wide, v);
        x = arith::TruncIOp::create(b, loc, i8, x);
      } else if (x.getType().getIntOrFloatBitWidth() > 8) {
        x = arith::TruncIOp::create(b, loc, i8, x);
      } else if (x.getType().getIntOrFloatBitWidth() < 8) { // bool
        x = arith::ExtUIOp::create(b, loc, i8, x);
      }
      return minifloat::buildNarrowIntBits(b, loc, x, width);
    }
    // A usual target: the cast body of LowerMath.cpp.
    Type compute = computeType(to);
    Scalar s{b, loc, op, {v}, {from}, to, compute};
    Value result = convert(s, v, from, compute, to);
    Type want = signlessType(to);
    if (result.getType() != want)
      result = arith::TruncFOp::create(b, loc, want, result);
    return result;
  }
};

} // namespace

void strata::lowering::populateNarrowCastPatterns(
    RewritePatternSet &patterns) {
  patterns.add<NarrowCastLowering>(patterns.getContext());
}
