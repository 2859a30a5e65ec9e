//===- LowerActivations.cpp - scalar bodies of activation ops -------------===//
//
// The bodies of relu, sigmoid, softplus, softsign, mish, hard_sigmoid,
// hard_swish, leaky_relu, prelu, elu, selu, celu, thresholded_relu, gelu,
// shrink and clip, with ONNX's formulas (and onnxruntime's choices where
// they differ numerically: softplus without overflow, gelu's erf form).
// LowerMath.cpp turns each into a linalg.generic.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/ElementwiseBodies.h"

#include <cmath>

using namespace mlir;
using namespace strata;
using namespace strata::lowering;
using namespace strata::lowering::bodies;

namespace {

Value reluBody(Scalar &s) { return s.max(s.args[0], s.constant(0)); }

Value sigmoidBody(Scalar &s) {
  Value one = s.constant(1);
  Value negExp = s.exp(arith::NegFOp::create(s.b, s.loc, s.args[0]));
  return s.divf(one, s.add(one, negExp));
}

/// log(1 + exp(x)), without overflow: x + log(1 + exp(-x)) for x > 0.
Value softplusOf(Scalar &s, Value x) {
  Value zero = s.constant(0), one = s.constant(1);
  Value negAbs = arith::NegFOp::create(s.b, s.loc,
                                       math::AbsFOp::create(s.b, s.loc, x));
  Value tail = math::LogOp::create(s.b, s.loc, s.add(one, s.exp(negAbs)));
  return s.add(s.maxf(x, zero), tail);
}

Value softplusBody(Scalar &s) { return softplusOf(s, s.args[0]); }

Value softsignBody(Scalar &s) {
  Value x = s.args[0];
  return s.divf(x, s.add(s.constant(1), math::AbsFOp::create(s.b, s.loc, x)));
}

Value mishBody(Scalar &s) {
  Value x = s.args[0];
  return s.mul(x, math::TanhOp::create(s.b, s.loc, softplusOf(s, x)));
}

/// max(0, min(1, alpha * x + beta)).
Value hardSigmoidOf(Scalar &s, Value x, double alpha, double beta) {
  Value y = s.add(s.mul(s.constant(alpha), x), s.constant(beta));
  return s.maxf(s.constant(0), s.minf(s.constant(1), y));
}

Value hardSigmoidBody(Scalar &s) {
  auto op = cast<graph::HardSigmoidOp>(s.op);
  return hardSigmoidOf(s, s.args[0], op.getAlpha().convertToDouble(),
                       op.getBeta().convertToDouble());
}

Value hardSwishBody(Scalar &s) {
  return s.mul(s.args[0], hardSigmoidOf(s, s.args[0], 1.0 / 6.0, 0.5));
}

Value leakyReluBody(Scalar &s) {
  Value x = s.args[0];
  Value alpha = s.constant(cast<graph::LeakyReluOp>(s.op).getAlpha()
                               .convertToDouble());
  return s.select(s.cmpf(arith::CmpFPredicate::OGE, x, s.constant(0)), x,
                  s.mul(alpha, x));
}

Value preluBody(Scalar &s) {
  Value x = s.args[0], slope = s.args[1], zero = s.constant(0);
  Value negative = s.isFloat() ? s.cmpf(arith::CmpFPredicate::OLT, x, zero)
                   : s.isUnsigned()
                       ? s.constant(s.b.getI1Type(), 0)
                       : s.cmpi(arith::CmpIPredicate::slt, x, zero);
  return s.select(negative, s.mul(slope, x), x);
}

/// exp(x) - 1.
Value expMinusOne(Scalar &s, Value x) {
  return s.sub(s.exp(x), s.constant(1));
}

Value eluBody(Scalar &s) {
  Value x = s.args[0];
  Value alpha =
      s.constant(cast<graph::EluOp>(s.op).getAlpha().convertToDouble());
  return s.select(s.cmpf(arith::CmpFPredicate::OGE, x, s.constant(0)), x,
                  s.mul(alpha, expMinusOne(s, x)));
}

Value seluBody(Scalar &s) {
  auto op = cast<graph::SeluOp>(s.op);
  Value x = s.args[0];
  Value alpha = s.constant(op.getAlpha().convertToDouble());
  Value gamma = s.constant(op.getGamma().convertToDouble());
  Value negative = s.mul(alpha, expMinusOne(s, x));
  return s.mul(gamma,
               s.select(s.cmpf(arith::CmpFPredicate::OGT, x, s.constant(0)),
                        x, negative));
}

Value celuBody(Scalar &s) {
  Value x = s.args[0], zero = s.constant(0);
  Value alpha =
      s.constant(cast<graph::CeluOp>(s.op).getAlpha().convertToDouble());
  Value negative = s.mul(alpha, expMinusOne(s, s.divf(x, alpha)));
  return s.add(s.maxf(zero, x), s.minf(zero, negative));
}

Value thresholdedReluBody(Scalar &s) {
  Value x = s.args[0];
  Value alpha = s.constant(
      cast<graph::ThresholdedReluOp>(s.op).getAlpha().convertToDouble());
  return s.select(s.cmpf(arith::CmpFPredicate::OGT, x, alpha), x,
                  s.constant(0));
}

Value geluBody(Scalar &s) {
  Value x = s.args[0], half = s.constant(0.5), one = s.constant(1);
  Value inner;
  if (cast<graph::GeluOp>(s.op).getApproximate() == "tanh") {
    // tanh(sqrt(2 / pi) * (x + 0.044715 x^3))
    Value cube = s.mul(x, s.mul(x, x));
    Value arg = s.add(x, s.mul(s.constant(0.044715), cube));
    inner = math::TanhOp::create(
        s.b, s.loc, s.mul(s.constant(std::sqrt(2.0 / M_PI)), arg));
  } else {
    inner = math::ErfOp::create(s.b, s.loc, s.mul(x, s.constant(M_SQRT1_2)));
  }
  return s.mul(s.mul(half, x), s.add(one, inner));
}

Value shrinkBody(Scalar &s) {
  auto op = cast<graph::ShrinkOp>(s.op);
  double lambd = op.getLambd().convertToDouble();
  double biasValue = op.getBias().convertToDouble();
  Value x = s.args[0];
  // Compared as floats (onnxruntime compares T with a float lambd); the
  // bias is converted to T, truncating for integers.
  Value xf = x;
  if (!s.isFloat())
    xf = convert(s, x, s.elements[0], s.b.getF64Type(), s.b.getF64Type());
  Value below = s.cmpf(arith::CmpFPredicate::OLT, xf,
                       s.constant(xf.getType(), -lambd));
  Value above =
      s.cmpf(arith::CmpFPredicate::OGT, xf, s.constant(xf.getType(), lambd));
  Value bias = s.constant(s.isFloat() ? biasValue : std::trunc(biasValue));
  return s.select(below, s.add(x, bias),
                  s.select(above, s.sub(x, bias), s.constant(0)));
}

/// A bound of clip as a constant of the compute type.
Value clipBound(Scalar &s, TypedAttr bound) {
  if (auto f = dyn_cast<FloatAttr>(bound))
    return s.constant(f.getValueAsDouble());
  APInt value = cast<IntegerAttr>(bound).getValue();
  return arith::ConstantOp::create(s.b, s.loc,
                                   IntegerAttr::get(s.type(), value));
}

Value clipBody(Scalar &s) {
  // ONNX: min(max(x, lo), hi).
  auto op = cast<graph::ClipOp>(s.op);
  Value x = s.args[0];
  if (TypedAttr lo = op.getMinAttr())
    x = s.max(x, clipBound(s, lo));
  if (TypedAttr hi = op.getMaxAttr())
    x = s.min(x, clipBound(s, hi));
  return x;
}

const std::pair<const char *, Body> kActivationBodies[] = {
    {"graph.relu", reluBody},
    {"graph.sigmoid", sigmoidBody},
    {"graph.softplus", softplusBody},
    {"graph.softsign", softsignBody},
    {"graph.mish", mishBody},
    {"graph.hard_sigmoid", hardSigmoidBody},
    {"graph.hard_swish", hardSwishBody},
    {"graph.leaky_relu", leakyReluBody},
    {"graph.prelu", preluBody},
    {"graph.elu", eluBody},
    {"graph.selu", seluBody},
    {"graph.celu", celuBody},
    {"graph.thresholded_relu", thresholdedReluBody},
    {"graph.gelu", geluBody},
    {"graph.shrink", shrinkBody},
    {"graph.clip", clipBody},
};

} // namespace

ArrayRef<std::pair<const char *, Body>>
strata::lowering::bodies::activationBodies() {
  return kActivationBodies;
}
