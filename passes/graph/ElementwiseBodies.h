//===- ElementwiseBodies.h - scalar bodies of elementwise ops ---*- C++ -*-===//
//
// What the scalar body of an elementwise op sees (LowerMath.cpp builds one
// linalg.generic per op and calls the body of the op's table entry), shared
// by the files that hold bodies: LowerMath.cpp (arithmetic, math functions,
// comparisons, casts) and LowerActivations.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_PASSES_GRAPH_ELEMENTWISEBODIES_H
#define STRATA_PASSES_GRAPH_ELEMENTWISEBODIES_H

#include "passes/graph/LoweringPatterns.h"

namespace strata::lowering::bodies {

// Internal to the body files: they are written against MLIR's names.
using namespace mlir;

inline bool isNarrowFloat(Type type) {
  return isa<Float16Type, BFloat16Type>(type);
}

/// The type a body computes in for graph element type `type`.
inline Type computeType(Type type) {
  if (isNarrowFloat(type))
    return Float32Type::get(type.getContext());
  return signlessType(type);
}

/// What a scalar body sees.
struct Scalar {
  OpBuilder &b;
  Location loc;
  Operation *op;
  SmallVector<Value> args;       ///< in compute types
  SmallVector<Type> elements;    ///< graph element types of the operands
  Type resultElement;            ///< graph element type of the result
  Type resultCompute;            ///< the type the body must return

  Type type() const { return args[0].getType(); }
  bool isFloat() const { return isa<FloatType>(type()); }
  bool isUnsigned(unsigned i = 0) const {
    return elements[i].isUnsignedInteger();
  }
  /// A constant of `type` (float or integer).
  Value constant(Type type, double value) {
    return scalarConstant(b, loc, type, value);
  }
  Value constant(double value) { return constant(type(), value); }

  // Shorthands for the ops bodies use most.
  Value add(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? Value(arith::AddFOp::create(b, loc, x, y))
               : Value(arith::AddIOp::create(b, loc, x, y));
  }
  Value sub(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? Value(arith::SubFOp::create(b, loc, x, y))
               : Value(arith::SubIOp::create(b, loc, x, y));
  }
  Value mul(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? Value(arith::MulFOp::create(b, loc, x, y))
               : Value(arith::MulIOp::create(b, loc, x, y));
  }
  Value divf(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value maxf(Value x, Value y) {
    return arith::MaximumFOp::create(b, loc, x, y);
  }
  Value minf(Value x, Value y) {
    return arith::MinimumFOp::create(b, loc, x, y);
  }
  /// max / min of either kind, by the signedness of operand 0.
  Value max(Value x, Value y) {
    if (isFloat())
      return maxf(x, y);
    return isUnsigned() ? Value(arith::MaxUIOp::create(b, loc, x, y))
                        : Value(arith::MaxSIOp::create(b, loc, x, y));
  }
  Value min(Value x, Value y) {
    if (isFloat())
      return minf(x, y);
    return isUnsigned() ? Value(arith::MinUIOp::create(b, loc, x, y))
                        : Value(arith::MinSIOp::create(b, loc, x, y));
  }
};

using Body = Value (*)(Scalar &);

/// Converts the compute value `v` of graph element type `from` to the
/// compute type `to` of graph element type `toElement`, with ONNX Cast
/// semantics (LowerMath.cpp).
Value convert(Scalar &s, Value v, Type from, Type to, Type toElement);

/// The table entries of LowerActivations.cpp: op name -> body.
llvm::ArrayRef<std::pair<const char *, Body>> activationBodies();

} // namespace strata::lowering::bodies

#endif // STRATA_PASSES_GRAPH_ELEMENTWISEBODIES_H
