//===- MiniFloat.cpp - f32 <-> float8 / float4 / 4-bit int builders -------===//
//
// See MiniFloat.h. The formats' parameters (mantissa bits, minimum exponent,
// largest finite value, NaN and infinity encodings) come from APFloat's
// semantics, so one algorithm serves every signed format; f8E8M0FNU (an
// exponent only) has its own.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/MiniFloat.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>

using namespace mlir;

namespace strata::lowering::minifloat {

bool isMiniFloat(Type type) {
  return isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type,
             Float8E5M2FNUZType, Float8E8M0FNUType, Float4E2M1FNType>(type);
}

namespace {

/// What the conversions need to know of a signed mini float format.
struct Format {
  unsigned bits;     ///< storage bits (8 or 4)
  unsigned mantissa; ///< explicit mantissa bits
  int minExponent;   ///< of the normal numbers (unbiased)
  uint32_t maxFinite; ///< encoding of the largest finite value (no sign)
  bool hasInf, hasNaN;
  uint32_t inf, nan; ///< encodings (positive); valid if hasInf / hasNaN
  bool nanIsNegativeZero; ///< FNUZ: 1000..0 is the NaN, there is no -0
  bool nanIsAllOnes;      ///< FN: S.111..1 is NaN, no infinity

  explicit Format(FloatType type) {
    const llvm::fltSemantics &sem = type.getFloatSemantics();
    bits = llvm::APFloat::semanticsSizeInBits(sem);
    mantissa = llvm::APFloat::semanticsPrecision(sem) - 1;
    minExponent = llvm::APFloat::semanticsMinExponent(sem);
    maxFinite = llvm::APFloat::getLargest(sem).bitcastToAPInt().getZExtValue();
    hasInf = llvm::APFloat::semanticsHasInf(sem);
    hasNaN = llvm::APFloat::semanticsHasNaN(sem);
    inf = hasInf ? llvm::APFloat::getInf(sem).bitcastToAPInt().getZExtValue()
                 : 0;
    nan = hasNaN ? llvm::APFloat::getQNaN(sem).bitcastToAPInt().getZExtValue()
                 : 0;
    nanIsNegativeZero = hasNaN && nan == (1u << (bits - 1));
    nanIsAllOnes = hasNaN && !hasInf && nan == (1u << (bits - 1)) - 1;
  }
  uint32_t signBit() const { return 1u << (bits - 1); }
};

/// i32 arithmetic shorthands.
struct I32 {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value shr(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value sel(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value maxs(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value mins(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value zext(Value x) { return arith::ExtUIOp::create(b, loc, b.getI32Type(), x); }
  Value byte(Value x) { return arith::TruncIOp::create(b, loc, b.getI8Type(), x); }
};

using P = arith::CmpIPredicate;

Value truncSigned(I32 &m, Value bits, const Format &f, bool saturate) {
  // Overflow saturates when asked, and always without infinity and NaN.
  saturate = saturate || (!f.hasInf && !f.hasNaN);
  Value sign = m.shr(bits, m.c(31));
  Value abs = m.andi(bits, m.c(0x7FFFFFFF));
  Value isNaN = m.cmp(P::ugt, abs, m.c(0x7F800000));
  Value expField = m.shr(abs, m.c(23));
  Value fraction = m.andi(abs, m.c(0x7FFFFF));
  // The significand with its hidden bit (f32 denormals have none).
  Value hasHidden = m.cmp(P::ne, expField, m.c(0));
  Value significand =
      m.sel(hasHidden, m.ori(fraction, m.c(0x800000)), fraction);
  Value exponent = m.sub(m.maxs(expField, m.c(1)), m.c(127));
  // Bits of the significand below the target's quantum at this exponent
  // (more below its normal range); 31 or more leaves nothing (rounds to 0).
  Value below = m.maxs(m.sub(m.c(f.minExponent), exponent), m.c(0));
  Value shift = m.mins(m.add(m.c(23 - f.mantissa), below), m.c(31));
  Value kept = m.shr(significand, shift);
  Value one = m.c(1);
  Value rest = m.andi(significand, m.sub(m.shl(one, shift), one));
  Value half = m.shl(one, m.sub(shift, one));
  Value odd = m.cmp(P::ne, m.andi(kept, one), m.c(0));
  Value roundUp = m.ori(m.cmp(P::ugt, rest, half),
                        m.andi(m.cmp(P::eq, rest, half), odd));
  Value rounded = m.add(kept, m.zext(roundUp));
  // Exponent field above the subnormals; a carry out of the mantissa moves
  // into the exponent by the addition.
  Value field = m.maxs(m.sub(exponent, m.c(f.minExponent)), m.c(0));
  Value magnitude = m.add(m.shl(field, m.c(f.mantissa)), rounded);
  Value overflow = m.cmp(P::ugt, magnitude, m.c(f.maxFinite));
  uint32_t overflowValue = saturate ? f.maxFinite : f.hasInf ? f.inf : f.nan;
  magnitude = m.sel(overflow, m.c(overflowValue), magnitude);
  magnitude = m.sel(isNaN, m.c(f.hasNaN ? f.nan : 0), magnitude);
  Value signBit = m.shl(sign, m.c(f.bits - 1));
  if (f.nanIsNegativeZero) // no -0: zero and NaN take no sign
    signBit = m.sel(m.cmp(P::eq, m.andi(magnitude, m.c(f.signBit() - 1)),
                          m.c(0)),
                    m.c(0), signBit);
  else if (!f.hasNaN) // NaN -> +0
    signBit = m.sel(isNaN, m.c(0), signBit);
  return m.byte(m.ori(magnitude, signBit));
}

Value truncE8M0(I32 &m, Value bits, bool saturate, E8M0Rounding rounding) {
  // onnx.numpy_helper.to_float8e8m0: the f32 exponent field, rounded; the
  // sign is dropped; NaN and infinity become 0xFF (NaN).
  Value exponent = m.andi(m.shr(bits, m.c(23)), m.c(0xFF));
  Value special = m.cmp(P::eq, exponent, m.c(0xFF));
  Value zero = m.c(0);
  Value roundUp;
  switch (rounding) {
  case E8M0Rounding::Down:
    roundUp = nullptr;
    break;
  case E8M0Rounding::Up:
    roundUp = m.cmp(P::ne, m.andi(bits, m.c(0x7FFFFF)), zero);
    break;
  case E8M0Rounding::Nearest: {
    Value guard = m.cmp(P::ne, m.andi(bits, m.c(0x400000)), zero);
    Value round = m.cmp(P::ne, m.andi(bits, m.c(0x200000)), zero);
    Value sticky = m.cmp(P::ne, m.andi(bits, m.c(0x1FFFFF)), zero);
    Value lsb = m.cmp(P::ne, exponent, zero);
    roundUp = m.andi(guard, m.ori(m.ori(round, sticky), lsb));
    break;
  }
  }
  Value result = exponent;
  if (roundUp) {
    if (saturate) // never past the largest value, 2^127
      roundUp = m.andi(roundUp, m.cmp(P::ne, exponent, m.c(0xFE)));
    result = m.add(exponent, m.zext(roundUp));
  }
  return m.byte(m.sel(special, m.c(0xFF), result));
}

Value extSigned(OpBuilder &b, Location loc, I32 &m, Value byte,
                const Format &f) {
  Value v = m.andi(m.zext(byte), m.c((1u << f.bits) - 1));
  Value sign = m.shl(m.shr(v, m.c(f.bits - 1)), m.c(31));
  Value magnitude = m.andi(v, m.c(f.signBit() - 1));
  Value field = m.shr(magnitude, m.c(f.mantissa));
  Value fraction = m.andi(magnitude, m.c((1u << f.mantissa) - 1));
  // Normal: rebias the exponent, left-align the mantissa.
  Value normal = m.ori(
      m.shl(m.add(field, m.c(f.minExponent - 1 + 127)), m.c(23)),
      m.shl(fraction, m.c(23 - f.mantissa)));
  Type f32 = b.getF32Type();
  // Subnormal (and zero): fraction * 2^(minExponent - mantissa), exact.
  Value scaled = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, f32, fraction),
      arith::ConstantOp::create(
          b, loc,
          b.getF32FloatAttr(std::ldexp(1.0f, f.minExponent -
                                                 static_cast<int>(f.mantissa)))));
  Value subnormal = arith::BitcastOp::create(b, loc, b.getI32Type(), scaled);
  Value result = m.ori(
      m.sel(m.cmp(P::eq, field, m.c(0)), subnormal, normal), sign);
  Value qnan = m.c(0x7FC00000);
  if (f.hasInf) { // IEEE-like: an all-ones exponent is infinity or NaN
    Value allOnes = m.c((1u << (f.bits - 1 - f.mantissa)) - 1);
    Value special = m.cmp(P::eq, field, allOnes);
    Value inf = m.ori(m.c(0x7F800000), sign);
    Value value = m.sel(m.cmp(P::eq, fraction, m.c(0)), inf, qnan);
    result = m.sel(special, value, result);
  } else if (f.nanIsNegativeZero) {
    result = m.sel(m.cmp(P::eq, v, m.c(f.signBit())), qnan, result);
  } else if (f.nanIsAllOnes) {
    result = m.sel(m.cmp(P::eq, magnitude, m.c(f.signBit() - 1)), qnan,
                   result);
  }
  return arith::BitcastOp::create(b, loc, f32, result);
}

} // namespace

Value buildTruncF32(OpBuilder &b, Location loc, Value value, FloatType format,
                    bool saturate, E8M0Rounding rounding) {
  I32 m{b, loc};
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), value);
  if (isa<Float8E8M0FNUType>(format))
    return truncE8M0(m, bits, saturate, rounding);
  return truncSigned(m, bits, Format(format), saturate);
}

Value buildExtToF32(OpBuilder &b, Location loc, Value bits,
                    FloatType format) {
  I32 m{b, loc};
  if (isa<Float8E8M0FNUType>(format)) {
    // 2^(e - 127): e in the f32 exponent field; e = 0 is the f32 denormal
    // 2^-127; 0xFF is NaN.
    Value e = m.zext(bits);
    Value value = m.sel(m.cmp(P::eq, e, m.c(0)), m.c(0x00400000),
                        m.shl(e, m.c(23)));
    value = m.sel(m.cmp(P::eq, e, m.c(0xFF)), m.c(0x7FC00000), value);
    return arith::BitcastOp::create(b, loc, b.getF32Type(), value);
  }
  return extSigned(b, loc, m, bits, Format(format));
}

Value buildNarrowIntValue(OpBuilder &b, Location loc, Value bits,
                          unsigned width, bool isSigned) {
  Type i8 = b.getI8Type();
  auto c = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(i8, v));
  };
  if (!isSigned)
    return arith::AndIOp::create(b, loc, bits, c((1 << width) - 1));
  Value up = arith::ShLIOp::create(b, loc, bits, c(8 - width));
  return arith::ShRSIOp::create(b, loc, up, c(8 - width));
}

Value buildNarrowIntBits(OpBuilder &b, Location loc, Value value,
                         unsigned width) {
  return arith::AndIOp::create(
      b, loc, value,
      arith::ConstantOp::create(b, loc,
                                b.getIntegerAttr(b.getI8Type(),
                                                 (1 << width) - 1)));
}

} // namespace strata::lowering::minifloat
