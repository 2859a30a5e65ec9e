//===- GraphElementwiseShapes.cpp - elementwise ops: types, verifiers -----===//
//
// Result type inference shared by the elementwise op classes (numpy
// broadcasting), and the verifiers of the ops whose attributes ONNX
// restricts (Mod's fmod, BitShift's direction, Gelu's approximation, Clip's
// bounds, Celu's alpha).
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphElementwise.h"
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"

using namespace mlir;
using namespace strata::graph;

bool strata::graph::isValueElementType(Type type) {
  if (isa<Float32Type, Float16Type, BFloat16Type, Float64Type>(type))
    return true;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer || integer.isSigned())
    return false;
  unsigned width = integer.getWidth();
  if (width == 1)
    return integer.isSignless();
  return width == 8 || width == 16 || width == 32 || width == 64;
}

LogicalResult strata::graph::inferElementwise(std::optional<Location> loc,
                                              ValueRange operands,
                                              Type resultElement,
                                              bool sameElement,
                                              SmallVectorImpl<Type> &types) {
  if (operands.empty())
    return emitOptionalError(loc, "expects at least one operand");
  auto first = rankedOf(operands.front());
  if (!first)
    return emitOptionalError(loc, "expects ranked tensor operands");
  SmallVector<int64_t> shape(first.getShape());
  for (Value operand : operands.drop_front()) {
    auto type = rankedOf(operand);
    if (!type)
      return emitOptionalError(loc, "expects ranked tensor operands");
    if (sameElement && type.getElementType() != first.getElementType())
      return emitOptionalError(loc, "operand element types differ: ",
                               first.getElementType(), " vs ",
                               type.getElementType());
    SmallVector<int64_t> merged;
    if (!broadcastShapes(shape, type.getShape(), merged))
      return emitOptionalError(loc, "shapes ", formatShape(shape), " and ",
                               formatShape(type.getShape()),
                               " do not broadcast");
    shape = std::move(merged);
  }
  types.push_back(RankedTensorType::get(
      shape, resultElement ? resultElement : first.getElementType()));
  return success();
}

LogicalResult strata::graph::inferUnidirectional(std::optional<Location> loc,
                                                 Value input, Value other,
                                                 SmallVectorImpl<Type> &types) {
  auto it = rankedOf(input), ot = rankedOf(other);
  if (!it || !ot)
    return emitOptionalError(loc, "expects ranked tensor operands");
  if (it.getElementType() != ot.getElementType())
    return emitOptionalError(loc, "operand element types differ: ",
                             it.getElementType(), " vs ",
                             ot.getElementType());
  SmallVector<int64_t> merged;
  if (!broadcastShapes(it.getShape(), ot.getShape(), merged) ||
      ArrayRef<int64_t>(merged) != it.getShape())
    return emitOptionalError(loc, "shape ", formatShape(ot.getShape()),
                             " does not broadcast to ",
                             formatShape(it.getShape()));
  types.push_back(it);
  return success();
}

LogicalResult strata::graph::inferWhere(std::optional<Location> loc,
                                        Value condition, Value x, Value y,
                                        SmallVectorImpl<Type> &types) {
  auto ct = rankedOf(condition);
  if (ct && !ct.getElementType().isSignlessInteger(1))
    return emitOptionalError(loc, "condition must be bool (i1), got ",
                             ct.getElementType());
  auto xt = rankedOf(x), yt = rankedOf(y);
  if (xt && yt && xt.getElementType() != yt.getElementType())
    return emitOptionalError(loc, "x and y element types differ: ",
                             xt.getElementType(), " vs ", yt.getElementType());
  return inferElementwise(loc, ValueRange{condition, x, y},
                          xt ? xt.getElementType() : Type(),
                          /*sameElement=*/false, types);
}

LogicalResult strata::graph::inferCast(std::optional<Location> loc,
                                       Value input, TypeAttr to,
                                       SmallVectorImpl<Type> &types) {
  auto it = rankedOf(input);
  if (!it)
    return emitOptionalError(loc, "expects a ranked tensor operand");
  if (!to)
    return emitOptionalError(loc, "needs a 'to' type");
  if (!isValueElementType(to.getValue()) &&
      !isNarrowElementType(to.getValue()))
    return emitOptionalError(loc, "cannot cast to ", to.getValue(),
                             ": 'to' must be a float, integer or bool type");
  types.push_back(RankedTensorType::get(it.getShape(), to.getValue()));
  return success();
}

LogicalResult BitCastOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  if (failed(inferCast(loc, adaptor.getInput(), adaptor.getToAttr(), types)))
    return failure();
  // Sizes in memory: a bool is one byte.
  auto bytes = [](Type t) {
    return (t.getIntOrFloatBitWidth() + 7) / 8;
  };
  Type from = cast<ShapedType>(adaptor.getInput().getType()).getElementType();
  Type to = adaptor.getTo();
  if (!from.isIntOrFloat() || bytes(from) != bytes(to))
    return emitOptionalError(loc, "cannot bitcast ", from, " to ", to,
                             ": the element sizes differ");
  return success();
}

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

static Type elementOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

bool strata::graph::isNarrowElementType(Type type) {
  if (isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type,
          Float8E5M2FNUZType, Float8E8M0FNUType, Float4E2M1FNType>(type))
    return true;
  auto integer = dyn_cast<IntegerType>(type);
  return integer && !integer.isSigned() &&
         (integer.getWidth() == 4 || integer.getWidth() == 2);
}

LogicalResult CastOp::verify() {
  StringRef mode = getRoundMode();
  if (mode != "up" && mode != "down" && mode != "nearest")
    return emitOpError("round_mode must be \"up\", \"down\" or "
                       "\"nearest\", not \"")
           << mode << "\"";
  return success();
}

LogicalResult BitShiftOp::verify() {
  if (getDirection() != "LEFT" && getDirection() != "RIGHT")
    return emitOpError("direction must be \"LEFT\" or \"RIGHT\", got \"")
           << getDirection() << "\"";
  return success();
}

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

LogicalResult CeluOp::verify() {
  if (getAlpha().isZero())
    return emitOpError("alpha must not be 0");
  return success();
}

LogicalResult ClipOp::verify() {
  Type element = elementOf(getInput());
  for (auto [name, bound] : {std::pair<StringRef, TypedAttr>{"min", getMinAttr()},
                             {"max", getMaxAttr()}}) {
    if (!bound)
      continue;
    bool ok = isa<FloatType>(element)
                  ? isa<FloatAttr>(bound)
                  : isa<IntegerAttr>(bound) && bound.getType() == element;
    if (ok)
      continue;
    InFlightDiagnostic diag = emitOpError("'") << name << "' must be ";
    if (isa<FloatType>(element))
      diag << "a float attribute";
    else
      diag << "an integer attribute of type " << element;
    return diag << " for a tensor of " << element << ", got " << bound;
  }
  return success();
}
