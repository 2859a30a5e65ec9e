//===- OnnxElementwiseOps.cpp - elementwise ONNX ops -> graph ops ---------===//
//
// Most elementwise operators map 1:1 onto a graph op with the same inputs
// and a few float attributes (with ONNX's defaults made explicit); one table
// row each. Cast / CastLike, Clip (constant bound inputs), and the ops with
// non-float attributes (Mod, IsInf, BitShift, Gelu) add their attributes
// through a hook of their row.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "lib/frontend/onnx/OnnxFolding.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace strata::onnx_import {
namespace {

using Attrs = SmallVectorImpl<NamedAttribute>;

struct FloatAttrSpec {
  const char *name = nullptr; ///< null: none
  float defaultValue = 0;
};

struct ElementwiseSpec {
  const char *graphName;
  int minInputs, maxInputs; ///< maxInputs -1: variadic
  FloatAttrSpec floats[2] = {};
  /// Adds attributes beyond the float ones; false after an error.
  bool (*extra)(NodeContext &, Attrs &) = nullptr;
  /// Before opset 7 the op broadcast only with a `broadcast` attribute.
  bool legacyBroadcast = false;
};

bool modAttrs(NodeContext &ctx, Attrs &attrs) {
  Builder b(ctx.getContext());
  attrs.push_back(
      b.getNamedAttr("fmod", b.getBoolAttr(ctx.attrs.getInt("fmod", 0))));
  return true;
}

bool isInfAttrs(NodeContext &ctx, Attrs &attrs) {
  Builder b(ctx.getContext());
  for (const char *name : {"detect_negative", "detect_positive"})
    attrs.push_back(
        b.getNamedAttr(name, b.getBoolAttr(ctx.attrs.getInt(name, 1))));
  return true;
}

bool bitShiftAttrs(NodeContext &ctx, Attrs &attrs) {
  if (!ctx.attrs.has("direction")) {
    ctx.emitError() << "needs the 'direction' attribute (\"LEFT\" or "
                       "\"RIGHT\")";
    return false;
  }
  Builder b(ctx.getContext());
  attrs.push_back(b.getNamedAttr(
      "direction", b.getStringAttr(ctx.attrs.getString("direction", ""))));
  return true;
}

bool geluAttrs(NodeContext &ctx, Attrs &attrs) {
  Builder b(ctx.getContext());
  attrs.push_back(b.getNamedAttr(
      "approximate",
      b.getStringAttr(ctx.attrs.getString("approximate", "none"))));
  return true;
}

// ONNX's Selu defaults, as float32 (what onnxruntime uses).
constexpr float kSeluAlpha = 1.67326319217681884765625f;
constexpr float kSeluGamma = 1.05070102214813232421875f;

const llvm::StringMap<ElementwiseSpec> &specs() {
  static const llvm::StringMap<ElementwiseSpec> table = {
      // Arithmetic.
      {"Mod", {"graph.mod", 2, 2, {}, modAttrs}},
      {"Pow", {"graph.pow", 2, 2, {}, nullptr, true}},
      {"Max", {"graph.max", 1, -1}},
      {"Min", {"graph.min", 1, -1}},
      {"Sum", {"graph.sum", 1, -1}},
      {"Mean", {"graph.mean", 1, -1}},
      {"Abs", {"graph.abs", 1, 1}},
      {"Neg", {"graph.neg", 1, 1}},
      {"Sign", {"graph.sign", 1, 1}},
      {"Reciprocal", {"graph.reciprocal", 1, 1}},
      // Math functions.
      {"Exp", {"graph.exp", 1, 1}},
      {"Log", {"graph.log", 1, 1}},
      {"Sqrt", {"graph.sqrt", 1, 1}},
      {"Floor", {"graph.floor", 1, 1}},
      {"Ceil", {"graph.ceil", 1, 1}},
      {"Round", {"graph.round", 1, 1}},
      {"Sin", {"graph.sin", 1, 1}},
      {"Cos", {"graph.cos", 1, 1}},
      {"Tan", {"graph.tan", 1, 1}},
      {"Asin", {"graph.asin", 1, 1}},
      {"Acos", {"graph.acos", 1, 1}},
      {"Atan", {"graph.atan", 1, 1}},
      {"Sinh", {"graph.sinh", 1, 1}},
      {"Cosh", {"graph.cosh", 1, 1}},
      {"Asinh", {"graph.asinh", 1, 1}},
      {"Acosh", {"graph.acosh", 1, 1}},
      {"Atanh", {"graph.atanh", 1, 1}},
      {"Erf", {"graph.erf", 1, 1}},
      {"IsNaN", {"graph.is_nan", 1, 1}},
      {"IsInf", {"graph.is_inf", 1, 1, {}, isInfAttrs}},
      // Activations.
      {"Softplus", {"graph.softplus", 1, 1}},
      {"Softsign", {"graph.softsign", 1, 1}},
      {"Mish", {"graph.mish", 1, 1}},
      {"HardSwish", {"graph.hard_swish", 1, 1}},
      {"HardSigmoid",
       {"graph.hard_sigmoid", 1, 1, {{"alpha", 0.2f}, {"beta", 0.5f}}}},
      {"LeakyRelu", {"graph.leaky_relu", 1, 1, {{"alpha", 0.01f}}}},
      {"PRelu", {"graph.prelu", 2, 2}},
      {"Elu", {"graph.elu", 1, 1, {{"alpha", 1.0f}}}},
      {"Selu",
       {"graph.selu", 1, 1, {{"alpha", kSeluAlpha}, {"gamma", kSeluGamma}}}},
      {"Celu", {"graph.celu", 1, 1, {{"alpha", 1.0f}}}},
      {"ThresholdedRelu", {"graph.thresholded_relu", 1, 1, {{"alpha", 1.0f}}}},
      {"Gelu", {"graph.gelu", 1, 1, {}, geluAttrs}},
      {"Shrink", {"graph.shrink", 1, 1, {{"bias", 0.0f}, {"lambd", 0.5f}}}},
      // Comparison, logic, bits, select.
      {"Equal", {"graph.equal", 2, 2, {}, nullptr, true}},
      {"Less", {"graph.less", 2, 2, {}, nullptr, true}},
      {"LessOrEqual", {"graph.less_or_equal", 2, 2}},
      {"Greater", {"graph.greater", 2, 2, {}, nullptr, true}},
      {"GreaterOrEqual", {"graph.greater_or_equal", 2, 2}},
      {"Not", {"graph.not", 1, 1}},
      {"And", {"graph.and", 2, 2, {}, nullptr, true}},
      {"Or", {"graph.or", 2, 2, {}, nullptr, true}},
      {"Xor", {"graph.xor", 2, 2, {}, nullptr, true}},
      {"BitShift", {"graph.bit_shift", 2, 2, {}, bitShiftAttrs}},
      {"BitwiseNot", {"graph.bitwise_not", 1, 1}},
      {"BitwiseAnd", {"graph.bitwise_and", 2, 2}},
      {"BitwiseOr", {"graph.bitwise_or", 2, 2}},
      {"BitwiseXor", {"graph.bitwise_xor", 2, 2}},
      {"Where", {"graph.where", 3, 3}},
  };
  return table;
}

LogicalResult importFromSpec(NodeContext &ctx) {
  const ElementwiseSpec &spec = specs().find(ctx.node.op_type())->second;
  int count = ctx.node.input_size();
  if (count < spec.minInputs || (spec.maxInputs >= 0 && count > spec.maxInputs))
    return ctx.emitError() << "expects "
                           << (spec.maxInputs < 0 ? "at least "
                               : spec.minInputs == spec.maxInputs ? ""
                                                                  : "at most ")
                           << (spec.maxInputs < 0 || count < spec.minInputs
                                   ? spec.minInputs
                                   : spec.maxInputs)
                           << " inputs, got " << count;
  if (foldElementwise(ctx)) // constant inputs (shape computations)
    return success();
  SmallVector<Value> operands;
  for (int i = 0; i < count; ++i) {
    if (!ctx.hasInput(i))
      return ctx.emitError() << "input " << i << " must not be empty";
    operands.push_back(ctx.input(i));
    if (!operands.back())
      return failure();
  }
  if (spec.legacyBroadcast && ctx.opset < 7 &&
      failed(checkLegacyBroadcast(ctx, ctx.inputType(0), ctx.inputType(1))))
    return failure();
  Builder b(ctx.getContext());
  SmallVector<NamedAttribute> attrs;
  for (const FloatAttrSpec &attr : spec.floats)
    if (attr.name)
      attrs.push_back(b.getNamedAttr(
          attr.name,
          b.getF32FloatAttr(ctx.attrs.getFloat(attr.name, attr.defaultValue))));
  if (spec.extra && !spec.extra(ctx, attrs))
    return failure();
  if (ctx.attrs.failed())
    return failure();
  Value result = ctx.create(spec.graphName, operands, attrs);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// graph.cast of input 0 to `to`, with the node's `saturate` (opset 19+,
/// float8 targets) and `round_mode` (opset 24+, float8e8m0 targets).
LogicalResult createCast(NodeContext &ctx, Type to) {
  Builder b(ctx.getContext());
  SmallVector<NamedAttribute> attrs{b.getNamedAttr("to", TypeAttr::get(to))};
  if (ctx.attrs.has("saturate"))
    attrs.push_back(b.getNamedAttr(
        "saturate", b.getBoolAttr(ctx.attrs.getInt("saturate", 1) != 0)));
  if (ctx.attrs.has("round_mode")) {
    std::string mode = ctx.attrs.getString("round_mode", "up");
    attrs.push_back(b.getNamedAttr("round_mode", b.getStringAttr(mode)));
  }
  if (ctx.attrs.failed())
    return failure();
  Value result = ctx.create("graph.cast", {ctx.input(0)}, attrs);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importCast(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects 1 input";
  if (foldElementwise(ctx)) // a constant input (shape computations)
    return success();
  const onnx::AttributeProto *to = ctx.attrs.find("to");
  if (!to)
    return ctx.emitError() << "needs the 'to' attribute";
  int32_t dataType = 0;
  if (to->type() == onnx::AttributeProto::STRING) { // opsets 1 to 5
    onnx::TensorProto_DataType parsed;
    if (!onnx::TensorProto_DataType_Parse(to->s(), &parsed))
      return ctx.emitError() << "'to' names no ONNX type: '" << to->s() << "'";
    dataType = parsed;
  } else {
    dataType = static_cast<int32_t>(ctx.attrs.getInt("to", 0));
    if (ctx.attrs.failed())
      return failure();
  }
  Type element = convertElementType(ctx.getContext(), dataType);
  if (!element)
    return ctx.emitError() << "Cast to " << dataTypeName(dataType)
                           << " is not supported";
  return createCast(ctx, element);
}

LogicalResult importCastLike(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1))
    return ctx.emitError() << "expects 2 inputs";
  RankedTensorType target = ctx.inputType(1);
  if (!target)
    return failure();
  return createCast(ctx, target.getElementType());
}

} // namespace

/// A Clip bound: an attribute before opset 11, an optional constant scalar
/// input (of the input's type) after. Absent means unbounded.
static LogicalResult getClipBound(NodeContext &ctx, StringRef name,
                                  size_t inputIndex, Type element,
                                  SmallVectorImpl<NamedAttribute> &attrs) {
  Builder b(ctx.getContext());
  if (ctx.opset < 11) {
    if (ctx.attrs.has(name))
      attrs.push_back(
          b.getNamedAttr(name, b.getF32FloatAttr(ctx.attrs.getFloat(name, 0))));
    return success(!ctx.attrs.failed());
  }
  if (!ctx.hasInput(inputIndex))
    return success();
  FailureOr<ElementsAttr> value = ctx.constantInput(inputIndex, name);
  if (failed(value))
    return failure();
  if (value->getNumElements() != 1)
    return ctx.emitError() << "input '" << name << "' must be a scalar";
  if (isa<FloatType>(element)) {
    std::optional<SmallVector<double>> values = getFloatValues(*value);
    if (!values)
      return ctx.emitError() << "input '" << name << "' must be a float "
                             << "scalar like the input";
    // f32 bounds for f32 and narrower (exact for 16-bit floats), f64 for f64.
    attrs.push_back(b.getNamedAttr(
        name, element.isF64() ? b.getF64FloatAttr(values->front())
                              : b.getF32FloatAttr(values->front())));
    return success();
  }
  std::optional<SmallVector<int64_t>> values = getIntegerValues(*value);
  if (!values || value->getElementType() != element)
    return ctx.emitError() << "input '" << name << "' must be a scalar of "
                           << "the input's type " << element;
  attrs.push_back(b.getNamedAttr(
      name, b.getIntegerAttr(element,
                             APInt(element.getIntOrFloatBitWidth(),
                                   static_cast<uint64_t>(values->front()),
                                   /*isSigned=*/false, /*implicitTrunc=*/true))));
  return success();
}

LogicalResult importClip(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects at least 1 input";
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  // Bounds computed at run time: max(x, min) then min(·, max), which is
  // what Clip does (and gives max where min > max).
  bool runtimeBound = false;
  for (size_t i : {1, 2})
    runtimeBound |= ctx.opset >= 11 && ctx.hasInput(i) && !ctx.constantValue(i);
  if (runtimeBound) {
    Value result = ctx.input(0);
    for (auto [i, op] : {std::pair<size_t, StringRef>{1, "graph.max"},
                         std::pair<size_t, StringRef>{2, "graph.min"}}) {
      if (!ctx.hasInput(i) || !result)
        continue;
      RankedTensorType bound = ctx.inputType(i);
      if (!bound || bound.getNumElements() != 1 ||
          bound.getElementType() != type.getElementType())
        return ctx.emitError() << "input '" << (i == 1 ? "min" : "max")
                               << "' must be a scalar of the input's type";
      result = ctx.create(op, {result, ctx.input(i)});
    }
    ctx.setOutput(0, result);
    return success(result != nullptr);
  }
  SmallVector<NamedAttribute> attrs;
  // Evaluate both so that both problems are reported.
  Type element = type.getElementType();
  bool ok = succeeded(getClipBound(ctx, "min", 1, element, attrs));
  ok = succeeded(getClipBound(ctx, "max", 2, element, attrs)) && ok;
  if (!ok)
    return failure();
  Value result = ctx.create("graph.clip", {ctx.input(0)}, attrs);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

OpImporter lookupElementwiseImporter(StringRef opType) {
  if (opType == "Cast")
    return importCast;
  if (opType == "CastLike")
    return importCastLike;
  return specs().count(opType) ? importFromSpec : nullptr;
}

} // namespace strata::onnx_import
