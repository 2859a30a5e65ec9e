//===- MiniFloat.h - f32 <-> float8 / float4 / 4-bit int builders -*- C++ -*-===//
//
// Scalar builders (for linalg.generic bodies) that convert between f32 and
// the storage byte of ONNX's narrow types: f8E4M3FN, f8E4M3FNUZ, f8E5M2,
// f8E5M2FNUZ, f8E8M0FNU, f4E2M1FN, and the 4-bit / 2-bit integers.
//
// LLVM cannot truncf to these types, so the conversions are integer bit
// manipulation on i32 (arith ops only). The storage byte (i8) holds the bit
// pattern in its low bits and zeros above (strata/model_abi.h); readers
// ignore the bits above.
//
// Semantics are those of ml_dtypes / ONNX Cast:
//  * f32 -> float8 / float4 rounds to nearest even. With `saturate`,
//    overflow and +-inf become +-max finite; without, +-inf (f8E5M2) or NaN
//    (the FN and FNUZ types). f4E2M1FN has neither: it always saturates
//    (NaN -> +0). FNUZ types have no -0 (it is their NaN).
//  * f8E8M0FNU (an exponent only, no sign) follows onnx's
//    numpy_helper.to_float8e8m0: the f32 exponent, rounded by E8M0Rounding,
//    NaN / inf -> 0xFF (NaN); with `saturate` rounding never reaches 0xFF.
//  * float8 / float4 -> f32 is exact.
//  * 4-bit / 2-bit integers: from the storage byte by sign or zero
//    extension; to it by wrapping (the low bits).
//
// Used by LowerNarrowCast.cpp; QuantizeLinear / DequantizeLinear to float8
// can use the same builders.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_PASSES_GRAPH_MINIFLOAT_H
#define STRATA_PASSES_GRAPH_MINIFLOAT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace strata::lowering::minifloat {

/// Whether `type` is one of the float types above (f8E4M3FN, f8E4M3FNUZ,
/// f8E5M2, f8E5M2FNUZ, f8E8M0FNU, f4E2M1FN).
bool isMiniFloat(mlir::Type type);

/// How f32 -> f8E8M0FNU rounds (ONNX Cast's round_mode).
enum class E8M0Rounding { Up, Down, Nearest };

/// The storage byte (i8) of the f32 value `value` converted to `format`.
mlir::Value buildTruncF32(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::FloatType format,
                          bool saturate,
                          E8M0Rounding rounding = E8M0Rounding::Up);

/// The f32 value of the storage byte `bits` (i8) of `format` (exact).
mlir::Value buildExtToF32(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value bits, mlir::FloatType format);

/// The i8 value of the storage byte `bits` of a `width`-bit integer:
/// sign-extended when `isSigned`, else zero-extended.
mlir::Value buildNarrowIntValue(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value bits, unsigned width,
                                bool isSigned);

/// The storage byte of the i8 value `value` as a `width`-bit integer: its
/// low `width` bits (wrapping), zeros above.
mlir::Value buildNarrowIntBits(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value value, unsigned width);

} // namespace strata::lowering::minifloat

#endif // STRATA_PASSES_GRAPH_MINIFLOAT_H
