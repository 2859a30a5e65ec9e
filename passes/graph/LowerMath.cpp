//===- LowerMath.cpp - elementwise graph ops -> linalg.generic ------------===//
//
// Every elementwise graph op (GraphElementwiseOps.td) becomes one
// linalg.generic over the broadcast result shape (buildBroadcastElementwise)
// whose scalar body comes from a table: op name -> body function. A body
// sees the block arguments already in their compute types:
//
//  * f16 / bf16 are extended to f32, and a 16-bit float result is truncated
//    once at the end (what onnxruntime's CPU kernels do, and libm has no
//    16-bit functions);
//  * unsigned integers are signless (SignlessTypes.cpp); the body reads the
//    graph element types to choose divui, cmpi ult, uitofp, extui, ...
//
// Math functions use the math dialect (math.erf, math.roundeven for ONNX's
// round-half-to-even, ...); the CPU pipeline lowers those without an LLVM
// intrinsic to libm calls (convert-math-to-libm). This file holds the
// arithmetic, math, comparison, logic and cast bodies; the activations are
// in LowerActivations.cpp.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/ElementwiseBodies.h"

#include <cmath>

using namespace mlir;
using namespace strata;
using namespace strata::lowering;
using namespace strata::lowering::bodies;

namespace {

/// One pattern per op name; the tables below (and LowerActivations.cpp's)
/// give its body.
struct ElementwiseLowering : RewritePattern {
  ElementwiseLowering(MLIRContext *ctx, StringRef opName, Body body)
      : RewritePattern(opName, /*benefit=*/1, ctx), body(body) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    Location loc = op->getLoc();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    SmallVector<Value> operands;
    SmallVector<Type> elements;
    for (Value operand : op->getOperands()) {
      elements.push_back(getElementTypeOrSelf(operand.getType()));
      operands.push_back(castToSignless(rewriter, loc, operand));
    }
    auto signlessResult = cast<RankedTensorType>(signlessType(resultType));
    Value result = buildBroadcastElementwise(
        rewriter, loc, signlessResult, operands,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Scalar s{b, l, op, {}, elements, resultType.getElementType(),
                   computeType(resultType.getElementType())};
          for (Value arg : args)
            s.args.push_back(isNarrowFloat(arg.getType())
                                 ? Value(arith::ExtFOp::create(
                                       b, l, b.getF32Type(), arg))
                                 : arg);
          Value value = body(s);
          Type want = signlessResult.getElementType();
          if (value.getType() != want)
            value = arith::TruncFOp::create(b, l, want, value);
          return value;
        });
    rewriter.replaceOp(op, castFromSignless(rewriter, loc, result, resultType));
    return success();
  }

  Body body;
};

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

Value addBody(Scalar &s) { return s.add(s.args[0], s.args[1]); }
Value subBody(Scalar &s) { return s.sub(s.args[0], s.args[1]); }
Value mulBody(Scalar &s) { return s.mul(s.args[0], s.args[1]); }

/// An integer divisor that cannot trap (SIGFPE in the user's process): 0
/// becomes 1 (ONNX leaves x / 0 undefined), and for signed types so does -1
/// (MIN / -1 overflows); the callers fix up the -1 case.
Value safeDivisor(Scalar &s, Value divisor) {
  Type type = divisor.getType();
  Value one = s.constant(type, 1);
  Value bad = s.cmpi(arith::CmpIPredicate::eq, divisor, s.constant(type, 0));
  if (!s.isUnsigned())
    bad = arith::OrIOp::create(
        s.b, s.loc, bad,
        s.cmpi(arith::CmpIPredicate::eq, divisor, s.constant(type, -1)));
  return s.select(bad, one, divisor);
}

Value divBody(Scalar &s) {
  Value x = s.args[0], y = s.args[1];
  if (s.isFloat())
    return s.divf(x, y);
  Value safe = safeDivisor(s, y);
  if (s.isUnsigned())
    return arith::DivUIOp::create(s.b, s.loc, x, safe);
  // Truncates toward zero; x / -1 is -x (wrapping for MIN).
  Value quotient = arith::DivSIOp::create(s.b, s.loc, x, safe);
  Value minusOne = s.cmpi(arith::CmpIPredicate::eq, y, s.constant(-1));
  return s.select(minusOne, s.sub(s.constant(0), x), quotient);
}

Value modBody(Scalar &s) {
  Value x = s.args[0], y = s.args[1];
  if (s.isFloat()) {
    Value rem = arith::RemFOp::create(s.b, s.loc, x, y); // C fmod
    if (cast<graph::ModOp>(s.op).getFmod())
      return rem;
    // numpy.mod: add y when rem is non-zero and its sign differs from y's
    // (NaN stays NaN); a zero remainder takes y's sign.
    Value zero = s.constant(0);
    Value nonZero = s.cmpf(arith::CmpFPredicate::UNE, rem, zero);
    Value signsDiffer =
        s.cmpi(arith::CmpIPredicate::ne,
               s.cmpf(arith::CmpFPredicate::OLT, rem, zero),
               s.cmpf(arith::CmpFPredicate::OLT, y, zero));
    Value fix = arith::AndIOp::create(s.b, s.loc, nonZero, signsDiffer);
    Value signedZero = math::CopySignOp::create(s.b, s.loc, zero, y);
    return s.select(fix, s.add(rem, y), s.select(nonZero, rem, signedZero));
  }
  y = safeDivisor(s, y); // x % -1 and x % 1 are both 0
  if (s.isUnsigned())
    return arith::RemUIOp::create(s.b, s.loc, x, y);
  Value rem = arith::RemSIOp::create(s.b, s.loc, x, y); // dividend's sign
  if (cast<graph::ModOp>(s.op).getFmod())
    return rem;
  // Python's %: the divisor's sign. Add y when the signs differ.
  Value zero = s.constant(0);
  Value nonZero = s.cmpi(arith::CmpIPredicate::ne, rem, zero);
  Value signsDiffer =
      s.cmpi(arith::CmpIPredicate::ne,
             s.cmpi(arith::CmpIPredicate::slt, rem, zero),
             s.cmpi(arith::CmpIPredicate::slt, y, zero));
  Value fix = arith::AndIOp::create(s.b, s.loc, nonZero, signsDiffer);
  return s.select(fix, s.add(rem, y), rem);
}

} // namespace

Value strata::lowering::bodies::convert(Scalar &s, Value v, Type from,
                                        Type to, Type toElement) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Type vt = v.getType();
  if (vt == to)
    return v;
  bool toBool = toElement.isInteger(1);
  if (auto vf = dyn_cast<FloatType>(vt)) {
    if (toBool) // NaN is true, as static_cast<bool>
      return s.cmpf(arith::CmpFPredicate::UNE, v, s.constant(vt, 0));
    if (auto tf = dyn_cast<FloatType>(to))
      return tf.getWidth() > vf.getWidth()
                 ? Value(arith::ExtFOp::create(b, loc, to, v))
                 : Value(arith::TruncFOp::create(b, loc, to, v));
    if (toElement.isUnsignedInteger())
      return arith::FPToUIOp::create(b, loc, to, v);
    return arith::FPToSIOp::create(b, loc, to, v); // truncates toward zero
  }
  bool fromUnsigned = from.isUnsignedInteger() || from.isInteger(1);
  if (toBool)
    return s.cmpi(arith::CmpIPredicate::ne, v, s.constant(vt, 0));
  if (isa<FloatType>(to))
    return fromUnsigned ? Value(arith::UIToFPOp::create(b, loc, to, v))
                        : Value(arith::SIToFPOp::create(b, loc, to, v));
  unsigned fromWidth = vt.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (toWidth < fromWidth)
    return arith::TruncIOp::create(b, loc, to, v);
  return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, to, v))
                      : Value(arith::ExtSIOp::create(b, loc, to, v));
}

namespace {

Value castBody(Scalar &s) {
  Value v = s.args[0];
  // f64 -> f16 directly: through f32 would round twice.
  if (s.resultElement.isF16() && v.getType().isF64())
    return arith::TruncFOp::create(s.b, s.loc, s.resultElement, v);
  return convert(s, v, s.elements[0], s.resultCompute, s.resultElement);
}

Value powBody(Scalar &s) {
  Value base = s.args[0], exponent = s.args[1];
  if (s.isFloat()) {
    // pow(x, float(n)) is exact for integral exponents, negative bases too.
    exponent = convert(s, exponent, s.elements[1], s.type(), s.elements[0]);
    return math::PowFOp::create(s.b, s.loc, base, exponent);
  }
  // Integers: in double, then truncated (onnxruntime's std::pow).
  Type f64 = s.b.getF64Type();
  Value x = convert(s, base, s.elements[0], f64, f64);
  Value y = convert(s, exponent, s.elements[1], f64, f64);
  Value r = math::PowFOp::create(s.b, s.loc, x, y);
  return convert(s, r, f64, s.type(), s.elements[0]);
}

Value maxBody(Scalar &s) {
  Value acc = s.args[0];
  for (Value v : ArrayRef(s.args).drop_front())
    acc = s.max(acc, v);
  return acc;
}

Value minBody(Scalar &s) {
  Value acc = s.args[0];
  for (Value v : ArrayRef(s.args).drop_front())
    acc = s.min(acc, v);
  return acc;
}

Value sumBody(Scalar &s) {
  Value acc = s.args[0];
  for (Value v : ArrayRef(s.args).drop_front())
    acc = s.add(acc, v);
  return acc;
}

Value meanBody(Scalar &s) {
  return s.divf(sumBody(s), s.constant(s.args.size()));
}

Value absBody(Scalar &s) {
  Value x = s.args[0];
  if (s.isFloat())
    return math::AbsFOp::create(s.b, s.loc, x);
  if (s.isUnsigned())
    return x;
  return math::AbsIOp::create(s.b, s.loc, x);
}

Value negBody(Scalar &s) {
  Value x = s.args[0];
  if (s.isFloat())
    return arith::NegFOp::create(s.b, s.loc, x);
  return s.sub(s.constant(0), x);
}

Value signBody(Scalar &s) {
  Value x = s.args[0], zero = s.constant(0), one = s.constant(1);
  if (s.isUnsigned())
    return s.select(s.cmpi(arith::CmpIPredicate::ne, x, zero), one, zero);
  Value minusOne = s.constant(-1);
  Value positive = s.isFloat() ? s.cmpf(arith::CmpFPredicate::OGT, x, zero)
                               : s.cmpi(arith::CmpIPredicate::sgt, x, zero);
  Value negative = s.isFloat() ? s.cmpf(arith::CmpFPredicate::OLT, x, zero)
                               : s.cmpi(arith::CmpIPredicate::slt, x, zero);
  return s.select(positive, one, s.select(negative, minusOne, zero));
}

Value reciprocalBody(Scalar &s) { return s.divf(s.constant(1), s.args[0]); }

//===----------------------------------------------------------------------===//
// Math functions: one math dialect op each
//===----------------------------------------------------------------------===//

template <typename MathOp> Value mathBody(Scalar &s) {
  return MathOp::create(s.b, s.loc, s.args[0]);
}

Value isNaNBody(Scalar &s) {
  return s.cmpf(arith::CmpFPredicate::UNO, s.args[0], s.args[0]);
}

Value isInfBody(Scalar &s) {
  auto op = cast<graph::IsInfOp>(s.op);
  Value x = s.args[0];
  double inf = std::numeric_limits<double>::infinity();
  bool negative = op.getDetectNegative(), positive = op.getDetectPositive();
  if (negative && positive)
    return s.cmpf(arith::CmpFPredicate::OEQ, math::AbsFOp::create(s.b, s.loc, x),
                  s.constant(inf));
  if (negative || positive)
    return s.cmpf(arith::CmpFPredicate::OEQ, x,
                  s.constant(positive ? inf : -inf));
  return s.constant(s.b.getI1Type(), 0);
}

//===----------------------------------------------------------------------===//
// Comparison, logic, bits, select
//===----------------------------------------------------------------------===//

/// A comparison: ordered float predicate, or the signed / unsigned integer
/// one by the operands' signedness.
template <arith::CmpFPredicate F, arith::CmpIPredicate S,
          arith::CmpIPredicate U>
Value compareBody(Scalar &s) {
  if (s.isFloat())
    return s.cmpf(F, s.args[0], s.args[1]);
  bool isUnsigned = s.isUnsigned() || s.elements[0].isInteger(1);
  return s.cmpi(isUnsigned ? U : S, s.args[0], s.args[1]);
}

/// Logical not on i1, bitwise not on wider integers: x ^ all ones.
Value notBody(Scalar &s) {
  return arith::XOrIOp::create(s.b, s.loc, s.args[0], s.constant(-1));
}

template <typename ArithOp> Value bitwiseBody(Scalar &s) {
  return ArithOp::create(s.b, s.loc, s.args[0], s.args[1]);
}

Value bitShiftBody(Scalar &s) {
  Value x = s.args[0], amount = s.args[1];
  bool left = cast<graph::BitShiftOp>(s.op).getDirection() == "LEFT";
  // LLVM gives poison for shifts by the width or more. An amount outside
  // [0, width) (a negative one is a large unsigned one) gives 0, but a
  // signed right shift gives the sign: the shift by width - 1.
  unsigned bits = s.type().getIntOrFloatBitWidth();
  Value inRange =
      s.cmpi(arith::CmpIPredicate::ult, amount, s.constant(bits));
  if (!left && !s.isUnsigned()) {
    Value clamped = s.select(inRange, amount, s.constant(bits - 1));
    return arith::ShRSIOp::create(s.b, s.loc, x, clamped);
  }
  Value shifted = left ? Value(arith::ShLIOp::create(s.b, s.loc, x, amount))
                       : Value(arith::ShRUIOp::create(s.b, s.loc, x, amount));
  return s.select(inRange, shifted, s.constant(0));
}

Value whereBody(Scalar &s) {
  return s.select(s.args[0], s.args[1], s.args[2]);
}

using CF = arith::CmpFPredicate;
using CI = arith::CmpIPredicate;

const std::pair<const char *, Body> kBodies[] = {
    // Arithmetic.
    {"graph.add", addBody},
    {"graph.sub", subBody},
    {"graph.mul", mulBody},
    {"graph.div", divBody},
    {"graph.mod", modBody},
    {"graph.pow", powBody},
    {"graph.max", maxBody},
    {"graph.min", minBody},
    {"graph.sum", sumBody},
    {"graph.mean", meanBody},
    {"graph.abs", absBody},
    {"graph.neg", negBody},
    {"graph.sign", signBody},
    {"graph.reciprocal", reciprocalBody},
    // Math functions.
    {"graph.exp", mathBody<math::ExpOp>},
    {"graph.log", mathBody<math::LogOp>},
    {"graph.sqrt", mathBody<math::SqrtOp>},
    {"graph.floor", mathBody<math::FloorOp>},
    {"graph.ceil", mathBody<math::CeilOp>},
    {"graph.round", mathBody<math::RoundEvenOp>},
    {"graph.sin", mathBody<math::SinOp>},
    {"graph.cos", mathBody<math::CosOp>},
    {"graph.tan", mathBody<math::TanOp>},
    {"graph.asin", mathBody<math::AsinOp>},
    {"graph.acos", mathBody<math::AcosOp>},
    {"graph.atan", mathBody<math::AtanOp>},
    {"graph.sinh", mathBody<math::SinhOp>},
    {"graph.cosh", mathBody<math::CoshOp>},
    {"graph.tanh", mathBody<math::TanhOp>},
    {"graph.asinh", mathBody<math::AsinhOp>},
    {"graph.acosh", mathBody<math::AcoshOp>},
    {"graph.atanh", mathBody<math::AtanhOp>},
    {"graph.erf", mathBody<math::ErfOp>},
    {"graph.is_nan", isNaNBody},
    {"graph.is_inf", isInfBody},
    // Comparison, logic, bits, select, conversion.
    {"graph.equal", compareBody<CF::OEQ, CI::eq, CI::eq>},
    {"graph.less", compareBody<CF::OLT, CI::slt, CI::ult>},
    {"graph.less_or_equal", compareBody<CF::OLE, CI::sle, CI::ule>},
    {"graph.greater", compareBody<CF::OGT, CI::sgt, CI::ugt>},
    {"graph.greater_or_equal", compareBody<CF::OGE, CI::sge, CI::uge>},
    {"graph.not", notBody},
    {"graph.and", bitwiseBody<arith::AndIOp>},
    {"graph.or", bitwiseBody<arith::OrIOp>},
    {"graph.xor", bitwiseBody<arith::XOrIOp>},
    {"graph.bitwise_not", notBody},
    {"graph.bitwise_and", bitwiseBody<arith::AndIOp>},
    {"graph.bitwise_or", bitwiseBody<arith::OrIOp>},
    {"graph.bitwise_xor", bitwiseBody<arith::XOrIOp>},
    {"graph.bit_shift", bitShiftBody},
    {"graph.where", whereBody},
    {"graph.cast", castBody},
};

} // namespace

void strata::lowering::populateMathPatterns(RewritePatternSet &patterns) {
  for (const auto &[name, body] : kBodies)
    patterns.add<ElementwiseLowering>(patterns.getContext(), name, body);
  for (const auto &[name, body] : activationBodies())
    patterns.add<ElementwiseLowering>(patterns.getContext(), name, body);
}
