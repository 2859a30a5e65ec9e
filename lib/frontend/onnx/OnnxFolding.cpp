//===- OnnxFolding.cpp - computing constant nodes at import ---------------===//
//
// Values are read from DenseElementsAttrs (dense_resource blobs through a
// dense copy), moved or computed element by element, and written back as a
// DenseElementsAttr: fine for the small tensors this is for, which
// kMaxFoldElements bounds.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxFolding.h"
#include "dialects/graph/GraphElementwise.h"

#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstdint>

using namespace mlir;

namespace strata::onnx_import {

DenseElementsAttr denseInput(NodeContext &ctx, size_t i) {
  ElementsAttr value = ctx.constantValue(i);
  DenseElementsAttr dense = value ? asDense(value) : nullptr;
  // Only plain numbers are computed with (no quantized storage).
  if (!dense || !dense.getElementType().isIntOrFloat())
    return nullptr;
  return dense;
}

RankedTensorType peekInputType(NodeContext &ctx, size_t i) {
  if (ElementsAttr value = ctx.constantValue(i))
    return cast<RankedTensorType>(value.getType());
  return ctx.inputType(i);
}

RankedTensorType staticInputType(NodeContext &ctx, size_t i, StringRef what) {
  RankedTensorType type = peekInputType(ctx, i);
  if (!type) {
    ctx.emitError() << "expects an input '" << what << "'";
    return nullptr;
  }
  if (!type.hasStaticShape()) {
    ctx.emitError() << "input '" << what << "' must have a static shape, got "
                    << formatShape(type.getShape());
    return nullptr;
  }
  return type;
}

namespace {

bool foldable(ArrayRef<int64_t> shape) {
  return llvm::none_of(shape, ShapedType::isDynamic) &&
         ShapedType::getNumElements(shape) <= kMaxFoldElements;
}

/// Calls `fn` with every index of `shape`, in row-major order.
void forEachIndex(ArrayRef<int64_t> shape,
                  llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  int64_t count = ShapedType::getNumElements(shape);
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t k = 0; k < count; ++k) {
    fn(index);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// The row-major position in `shape` read for `index` of a broadcast result
/// (right-aligned; size-1 dimensions repeat).
int64_t broadcastSource(ArrayRef<int64_t> index, ArrayRef<int64_t> shape,
                        ArrayRef<int64_t> strides) {
  int64_t offset = index.size() - shape.size(), position = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1)
      position += index[d + offset] * strides[d];
  return position;
}

/// numpy broadcasting of several shapes; nullopt when they do not.
std::optional<SmallVector<int64_t>>
broadcastAll(ArrayRef<DenseElementsAttr> inputs) {
  size_t rank = 0;
  for (DenseElementsAttr input : inputs)
    rank = std::max<size_t>(rank, input.getType().getRank());
  SmallVector<int64_t> shape(rank, 1);
  for (DenseElementsAttr input : inputs) {
    ArrayRef<int64_t> dims = input.getType().getShape();
    for (size_t d = 0; d < dims.size(); ++d) {
      int64_t &out = shape[rank - dims.size() + d];
      if (dims[d] != 1 && out != 1 && dims[d] != out)
        return std::nullopt;
      if (dims[d] != 1)
        out = dims[d];
    }
  }
  return shape;
}

/// A number read from a constant: `f` for float types, `i` for integers
/// (sign- or zero-extended by signedness; bool is 0 / 1).
struct Scalar {
  double f = 0;
  int64_t i = 0;
};

SmallVector<Scalar> readScalars(DenseElementsAttr attr) {
  SmallVector<Scalar> values;
  Type type = attr.getElementType();
  if (isa<FloatType>(type)) {
    for (APFloat v : attr.getValues<APFloat>()) {
      bool lost = false;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back({v.convertToDouble(), 0});
    }
    return values;
  }
  bool zeroExtend = type.isUnsignedInteger() || type.isInteger(1);
  for (const APInt &v : attr.getValues<APInt>())
    values.push_back({0, zeroExtend ? static_cast<int64_t>(v.getZExtValue())
                                    : v.getSExtValue()});
  return values;
}

Attribute toAttribute(Type type, Scalar value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return FloatAttr::get(floatType, value.f);
  unsigned width = type.getIntOrFloatBitWidth();
  return IntegerAttr::get(type, APInt(width, static_cast<uint64_t>(value.i),
                                      /*isSigned=*/false,
                                      /*implicitTrunc=*/true));
}

enum class Fn {
  Relu,
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Neg,
  Abs,
  Min,
  Max,
  Sqrt,
  Floor,
  Ceil,
  Equal,
  Less,
  LessOrEqual,
  Greater,
  GreaterOrEqual,
  Not,
  And,
  Or,
  Where,
  Cast,
  Unknown
};

Fn lookupFn(StringRef opType) {
  return llvm::StringSwitch<Fn>(opType)
      .Case("Add", Fn::Add)
      .Case("Sub", Fn::Sub)
      .Case("Mul", Fn::Mul)
      .Case("Div", Fn::Div)
      .Case("Mod", Fn::Mod)
      .Case("Neg", Fn::Neg)
      .Case("Relu", Fn::Relu)
      .Case("Abs", Fn::Abs)
      .Case("Min", Fn::Min)
      .Case("Max", Fn::Max)
      .Case("Sqrt", Fn::Sqrt)
      .Case("Floor", Fn::Floor)
      .Case("Ceil", Fn::Ceil)
      .Case("Equal", Fn::Equal)
      .Case("Less", Fn::Less)
      .Case("LessOrEqual", Fn::LessOrEqual)
      .Case("Greater", Fn::Greater)
      .Case("GreaterOrEqual", Fn::GreaterOrEqual)
      .Case("Not", Fn::Not)
      .Case("And", Fn::And)
      .Case("Or", Fn::Or)
      .Case("Where", Fn::Where)
      .Case("Cast", Fn::Cast)
      .Default(Fn::Unknown);
}

/// One element of `fn` on `args` (all of `floatArgs` kind, except Where's
/// condition); nullopt for what is not folded (division by zero, float
/// ops on integers, a cast that does not fit).
std::optional<Scalar> apply(Fn fn, ArrayRef<Scalar> args, bool floatArgs,
                            Type resultType, bool fmod) {
  const Scalar &a = args[0];
  auto both = [&](auto floatOp, auto intOp) -> std::optional<Scalar> {
    const Scalar &b = args[1];
    if (floatArgs)
      return Scalar{floatOp(a.f, b.f), 0};
    return Scalar{0, intOp(a.i, b.i)};
  };
  auto compare = [&](auto op) -> std::optional<Scalar> {
    const Scalar &b = args[1];
    return Scalar{0, floatArgs ? op(a.f, b.f) : op(a.i, b.i)};
  };
  auto floatOnly = [&](double (*op)(double)) -> std::optional<Scalar> {
    if (!floatArgs)
      return std::nullopt;
    return Scalar{op(a.f), 0};
  };
  switch (fn) {
  case Fn::Add:
    return both([](double x, double y) { return x + y; },
                [](int64_t x, int64_t y) {
                  return int64_t(uint64_t(x) + uint64_t(y));
                });
  case Fn::Sub:
    return both([](double x, double y) { return x - y; },
                [](int64_t x, int64_t y) {
                  return int64_t(uint64_t(x) - uint64_t(y));
                });
  case Fn::Mul:
    return both([](double x, double y) { return x * y; },
                [](int64_t x, int64_t y) {
                  return int64_t(uint64_t(x) * uint64_t(y));
                });
  case Fn::Div:
    if (!floatArgs && (args[1].i == 0 || (args[1].i == -1 && a.i == INT64_MIN)))
      return std::nullopt;
    // Integer division truncates, as onnxruntime's does.
    return both([](double x, double y) { return x / y; },
                [](int64_t x, int64_t y) { return x / y; });
  case Fn::Mod: {
    if (floatArgs)
      return fmod ? std::optional<Scalar>(Scalar{std::fmod(a.f, args[1].f), 0})
                  : std::nullopt;
    int64_t y = args[1].i;
    if (y == 0 || (y == -1 && a.i == INT64_MIN))
      return std::nullopt;
    int64_t r = a.i % y;
    // fmod = 0: the remainder takes the divisor's sign (Python's %).
    if (!fmod && r != 0 && ((r < 0) != (y < 0)))
      r += y;
    return Scalar{0, r};
  }
  case Fn::Neg:
    return floatArgs ? Scalar{-a.f, 0} : Scalar{0, int64_t(0 - uint64_t(a.i))};
  case Fn::Relu:
    return floatArgs ? Scalar{a.f > 0 ? a.f : (std::isnan(a.f) ? a.f : 0.0), 0}
                     : Scalar{0, a.i > 0 ? a.i : 0};
  case Fn::Abs:
    return floatArgs ? Scalar{std::fabs(a.f), 0}
                     : Scalar{0, a.i < 0 ? int64_t(0 - uint64_t(a.i)) : a.i};
  case Fn::Min:
  case Fn::Max: {
    // Variadic: folded left to right.
    Scalar result = a;
    for (const Scalar &b : args.drop_front()) {
      bool takeB = floatArgs
                       ? (fn == Fn::Min ? b.f < result.f : b.f > result.f)
                       : (fn == Fn::Min ? b.i < result.i : b.i > result.i);
      if (takeB || (floatArgs && std::isnan(b.f)))
        result = b;
    }
    return result;
  }
  case Fn::Sqrt:
    return floatOnly([](double x) { return std::sqrt(x); });
  case Fn::Floor:
    return floatOnly([](double x) { return std::floor(x); });
  case Fn::Ceil:
    return floatOnly([](double x) { return std::ceil(x); });
  case Fn::Equal:
    return compare([](auto x, auto y) { return int64_t(x == y); });
  case Fn::Less:
    return compare([](auto x, auto y) { return int64_t(x < y); });
  case Fn::LessOrEqual:
    return compare([](auto x, auto y) { return int64_t(x <= y); });
  case Fn::Greater:
    return compare([](auto x, auto y) { return int64_t(x > y); });
  case Fn::GreaterOrEqual:
    return compare([](auto x, auto y) { return int64_t(x >= y); });
  case Fn::Not:
    return Scalar{0, int64_t(a.i == 0)};
  case Fn::And:
    return Scalar{0, int64_t(a.i != 0 && args[1].i != 0)};
  case Fn::Or:
    return Scalar{0, int64_t(a.i != 0 || args[1].i != 0)};
  case Fn::Where:
    return a.i ? args[1] : args[2];
  case Fn::Cast: {
    if (isa<FloatType>(resultType))
      return Scalar{floatArgs ? a.f : static_cast<double>(a.i), 0};
    if (resultType.isInteger(1))
      return Scalar{0, int64_t(floatArgs ? a.f != 0 : a.i != 0)};
    if (!floatArgs)
      return Scalar{0, a.i};
    // Float to integer truncates toward zero; out of range is not folded.
    if (!std::isfinite(a.f) || std::fabs(a.f) >= 9.2e18)
      return std::nullopt;
    return Scalar{0, static_cast<int64_t>(a.f)};
  }
  case Fn::Unknown:
    break;
  }
  return std::nullopt;
}

} // namespace

SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

bool foldMoved(NodeContext &ctx, size_t output, ArrayRef<int64_t> shape,
               llvm::function_ref<int64_t(ArrayRef<int64_t>)> source) {
  DenseElementsAttr input = denseInput(ctx, 0);
  if (!input || !foldable(shape))
    return false;
  auto type = RankedTensorType::get(shape, input.getElementType());
  if (input.isSplat()) {
    ctx.setConstantOutput(output, input.resizeSplat(type));
    return true;
  }
  SmallVector<Attribute> values(input.getValues<Attribute>());
  SmallVector<Attribute> result;
  result.reserve(type.getNumElements());
  forEachIndex(shape, [&](ArrayRef<int64_t> index) {
    result.push_back(values[source(index)]);
  });
  ctx.setConstantOutput(output, DenseElementsAttr::get(type, result));
  return true;
}

bool foldBroadcast(NodeContext &ctx, ArrayRef<int64_t> shape) {
  RankedTensorType type = peekInputType(ctx, 0);
  if (!type)
    return false;
  SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
  return foldMoved(ctx, 0, shape, [&](ArrayRef<int64_t> index) {
    return broadcastSource(index, type.getShape(), strides);
  });
}

bool foldReshape(NodeContext &ctx, ArrayRef<int64_t> shape) {
  DenseElementsAttr input = denseInput(ctx, 0);
  if (!input || !foldable(shape) ||
      ShapedType::getNumElements(shape) != input.getNumElements())
    return false;
  ctx.setConstantOutput(
      0, input.reshape(RankedTensorType::get(shape, input.getElementType())));
  return true;
}

bool foldTranspose(NodeContext &ctx, ArrayRef<int64_t> perm) {
  RankedTensorType type = peekInputType(ctx, 0);
  if (!type || static_cast<int64_t>(perm.size()) != type.getRank())
    return false;
  SmallVector<int64_t> shape;
  SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= type.getRank() || seen[p])
      return false;
    seen[p] = true;
    shape.push_back(type.getDimSize(p));
  }
  SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
  return foldMoved(ctx, 0, shape, [&](ArrayRef<int64_t> index) {
    int64_t position = 0;
    for (auto [i, p] : llvm::enumerate(perm))
      position += index[i] * strides[p];
    return position;
  });
}

bool foldConcat(NodeContext &ctx, int64_t axis) {
  SmallVector<DenseElementsAttr> inputs;
  for (int i = 0; i < ctx.node.input_size(); ++i) {
    if (!ctx.hasInput(i))
      continue;
    inputs.push_back(denseInput(ctx, i));
    if (!inputs.back())
      return false;
  }
  if (inputs.empty() || axis < 0 || axis >= inputs[0].getType().getRank())
    return false;
  SmallVector<int64_t> shape(inputs[0].getType().getShape());
  shape[axis] = 0;
  SmallVector<SmallVector<Attribute>> values;
  for (DenseElementsAttr input : inputs) {
    ArrayRef<int64_t> dims = input.getType().getShape();
    if (dims.size() != shape.size() ||
        input.getElementType() != inputs[0].getElementType())
      return false;
    for (size_t d = 0; d < dims.size(); ++d)
      if (static_cast<int64_t>(d) != axis && dims[d] != shape[d])
        return false;
    shape[axis] += dims[axis];
    values.emplace_back(input.getValues<Attribute>());
  }
  if (!foldable(shape))
    return false;
  SmallVector<Attribute> result;
  forEachIndex(shape, [&](ArrayRef<int64_t> index) {
    SmallVector<int64_t> at(index);
    size_t k = 0;
    while (at[axis] >= inputs[k].getType().getDimSize(axis))
      at[axis] -= inputs[k++].getType().getDimSize(axis);
    SmallVector<int64_t> strides =
        rowMajorStrides(inputs[k].getType().getShape());
    int64_t position = 0;
    for (size_t d = 0; d < at.size(); ++d)
      position += at[d] * strides[d];
    result.push_back(values[k][position]);
  });
  ctx.setConstantOutput(
      0, DenseElementsAttr::get(
             RankedTensorType::get(shape, inputs[0].getElementType()), result));
  return true;
}

bool foldElementwise(NodeContext &ctx) {
  Fn fn = lookupFn(ctx.node.op_type());
  // Before opset 7 broadcasting followed other rules.
  if (fn == Fn::Unknown || ctx.opset < 7 || ctx.node.input_size() == 0)
    return false;
  SmallVector<DenseElementsAttr> inputs;
  for (int i = 0; i < ctx.node.input_size(); ++i) {
    inputs.push_back(denseInput(ctx, i));
    if (!inputs.back())
      return false;
  }
  size_t arity =
      llvm::StringSwitch<size_t>(ctx.node.op_type())
          .Cases({"Neg", "Relu", "Abs", "Sqrt", "Floor", "Ceil", "Not", "Cast"},
                 1)
          .Case("Where", 3)
          .Cases({"Min", "Max"}, inputs.size())
          .Default(2);
  if (inputs.size() != arity)
    return false;
  // The operands computed with (Where's x and y; the others' first).
  DenseElementsAttr first = inputs[fn == Fn::Where ? 1 : 0];
  Type element = first.getElementType();
  for (DenseElementsAttr input :
       ArrayRef<DenseElementsAttr>(inputs).drop_front(fn == Fn::Where))
    if (input.getElementType() != element)
      return false;
  // ui64 values above INT64_MAX do not fit the int64 computation.
  if (element.isUnsignedInteger(64))
    return false;
  // float8 / float4 / 4-bit / 2-bit values round, saturate and wrap by
  // their own rules: their casts are compiled, not folded.
  if (graph::isNarrowElementType(element))
    return false;
  bool floatArgs = isa<FloatType>(element);
  Type resultType = element;
  switch (fn) {
  case Fn::Equal:
  case Fn::Less:
  case Fn::LessOrEqual:
  case Fn::Greater:
  case Fn::GreaterOrEqual:
  case Fn::Not:
  case Fn::And:
  case Fn::Or:
    resultType = IntegerType::get(ctx.getContext(), 1);
    break;
  case Fn::Cast: {
    const onnx::AttributeProto *to = ctx.attrs.find("to");
    if (!to || to->type() != onnx::AttributeProto::INT)
      return false;
    resultType = convertElementType(ctx.getContext(), to->i());
    if (!resultType || graph::isNarrowElementType(resultType))
      return false;
    break;
  }
  default:
    break;
  }
  std::optional<SmallVector<int64_t>> shape = broadcastAll(inputs);
  if (!shape || !foldable(*shape))
    return false;
  bool fmod = false;
  if (fn == Fn::Mod) {
    const onnx::AttributeProto *attr = ctx.attrs.find("fmod");
    fmod = attr && attr->type() == onnx::AttributeProto::INT && attr->i();
  }
  SmallVector<SmallVector<Scalar>> values;
  SmallVector<SmallVector<int64_t>> strides;
  for (DenseElementsAttr input : inputs) {
    values.push_back(readScalars(input));
    strides.push_back(rowMajorStrides(input.getType().getShape()));
  }
  SmallVector<Attribute> result;
  bool ok = true;
  forEachIndex(*shape, [&](ArrayRef<int64_t> index) {
    if (!ok)
      return;
    SmallVector<Scalar> args;
    for (auto [input, v, s] : llvm::zip(inputs, values, strides))
      args.push_back(v[broadcastSource(index, input.getType().getShape(), s)]);
    std::optional<Scalar> value = apply(fn, args, floatArgs, resultType, fmod);
    if (!value) {
      ok = false;
      return;
    }
    result.push_back(toAttribute(resultType, *value));
  });
  if (!ok)
    return false;
  ctx.setConstantOutput(
      0, DenseElementsAttr::get(RankedTensorType::get(*shape, resultType),
                                result));
  return true;
}

} // namespace strata::onnx_import
