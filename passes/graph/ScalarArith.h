//===- ScalarArith.h - float-or-integer scalar ops (internal) ---*- C++ -*-===//
//
// The bodies of reductions, scans and scatters work on any numeric element
// type; these pick the float, signed or unsigned integer arith op. Unsigned
// graph tensors are computed on as signless ones (castToSignless in
// LoweringPatterns.h), so the signedness is passed alongside.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_PASSES_GRAPH_SCALARARITH_H
#define STRATA_PASSES_GRAPH_SCALARARITH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

#include <limits>

namespace strata::lowering {

enum class Combiner { Add, Mul, Max, Min };

/// `lhs op rhs` for a float or signless integer scalar type (compared as
/// unsigned with `isUnsigned`).
inline mlir::Value combineScalars(mlir::OpBuilder &b, mlir::Location loc,
                                  Combiner kind, mlir::Value lhs,
                                  mlir::Value rhs, bool isUnsigned = false) {
  bool isFloat = llvm::isa<mlir::FloatType>(lhs.getType());
  switch (kind) {
  case Combiner::Add:
    return isFloat ? mlir::Value(mlir::arith::AddFOp::create(b, loc, lhs, rhs))
                   : mlir::arith::AddIOp::create(b, loc, lhs, rhs);
  case Combiner::Mul:
    return isFloat ? mlir::Value(mlir::arith::MulFOp::create(b, loc, lhs, rhs))
                   : mlir::arith::MulIOp::create(b, loc, lhs, rhs);
  case Combiner::Max:
    if (isFloat)
      return mlir::arith::MaximumFOp::create(b, loc, lhs, rhs);
    return isUnsigned
               ? mlir::Value(mlir::arith::MaxUIOp::create(b, loc, lhs, rhs))
               : mlir::arith::MaxSIOp::create(b, loc, lhs, rhs);
  case Combiner::Min:
    if (isFloat)
      return mlir::arith::MinimumFOp::create(b, loc, lhs, rhs);
    return isUnsigned
               ? mlir::Value(mlir::arith::MinUIOp::create(b, loc, lhs, rhs))
               : mlir::arith::MinSIOp::create(b, loc, lhs, rhs);
  }
  return lhs;
}

/// The identity of `kind` on `type`: 0, 1, the lowest or the highest value
/// (-inf / +inf for floats). For an unsigned `type` the attribute has the
/// signless type of its width.
inline mlir::TypedAttr combinerIdentity(mlir::Builder &b, mlir::Type type,
                                        Combiner kind) {
  if (auto floatType = llvm::dyn_cast<mlir::FloatType>(type)) {
    double inf = std::numeric_limits<double>::infinity();
    double value = kind == Combiner::Add   ? 0.0
                   : kind == Combiner::Mul ? 1.0
                   : kind == Combiner::Max ? -inf
                                           : inf;
    return b.getFloatAttr(floatType, value);
  }
  unsigned width = type.getIntOrFloatBitWidth();
  bool isUnsigned = type.isUnsignedInteger();
  llvm::APInt value =
      kind == Combiner::Add   ? llvm::APInt(width, 0)
      : kind == Combiner::Mul ? llvm::APInt(width, 1)
      : kind == Combiner::Max
          ? (isUnsigned ? llvm::APInt::getMinValue(width)
                        : llvm::APInt::getSignedMinValue(width))
          : (isUnsigned ? llvm::APInt::getMaxValue(width)
                        : llvm::APInt::getSignedMaxValue(width));
  return b.getIntegerAttr(b.getIntegerType(width), value);
}

/// Whether the scalar bodies above support `type` (after castToSignless).
inline bool isArithScalar(mlir::Type type) {
  return llvm::isa<mlir::FloatType, mlir::IntegerType>(type);
}

} // namespace strata::lowering

#endif // STRATA_PASSES_GRAPH_SCALARARITH_H
