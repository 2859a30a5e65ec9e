//===- OnnxNormalizationOps.cpp - Layer/Instance/Group/Lp/RMSNormalization ===//
//
// LogSoftmax and Hardmax share Softmax's importer (OnnxShapeOps.cpp), which
// also rewrites their pre-13 semantics.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

/// Checks that inputs [0, count) are present and that no output from
/// `firstUnsupported` on is read (the training-time statistics).
static LogicalResult checkNormalizationIO(NodeContext &ctx, size_t count,
                                          size_t firstUnsupported) {
  for (size_t i = 0; i < count; ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects at least " << count << " inputs";
  for (int i = firstUnsupported; i < ctx.node.output_size(); ++i)
    if (ctx.isOutputUsed(i))
      return ctx.emitError() << "output #" << i << " ('" << ctx.node.output(i)
                             << "', a training statistic) is not supported";
  return success();
}

static Value createNormalization(NodeContext &ctx, StringRef opName,
                                 ValueRange operands,
                                 SmallVector<NamedAttribute> attrs) {
  Builder b(ctx.getContext());
  attrs.push_back(b.getNamedAttr(
      "epsilon", b.getF32FloatAttr(ctx.attrs.getFloat("epsilon", 1e-5f))));
  if (ctx.attrs.failed())
    return nullptr;
  Value result = ctx.create(opName, operands, attrs);
  ctx.setOutput(0, result);
  return result;
}

/// Keep-dims mean over axes [axis, rank) of `value`, as graph.reduce_mean.
static Value meanOverTrailing(NodeContext &ctx, Value value, int64_t axis) {
  if (!value)
    return nullptr;
  Builder b(ctx.getContext());
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  return ctx.create("graph.reduce_mean", {value},
                    {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
                     b.getNamedAttr("keepdims", b.getBoolAttr(true))});
}

/// sqrt(mean(v * v over axes [axis, rank)) + epsilon), kept dims: the
/// denominator of both RMSNormalization (v = x) and LayerNormalization's
/// InvStdDev (v = x - mean). Null after an error.
static Value rootMeanSquare(NodeContext &ctx, Value v, int64_t axis,
                            float epsilon) {
  if (!v)
    return nullptr;
  Builder b(ctx.getContext());
  auto element = cast<RankedTensorType>(v.getType()).getElementType();
  Value eps = ctx.create(
      "graph.constant", {},
      {b.getNamedAttr("value",
                      DenseElementsAttr::get(RankedTensorType::get({}, element),
                                             b.getFloatAttr(element, epsilon)))});
  Value mean = meanOverTrailing(ctx, ctx.create("graph.mul", {v, v}, {}), axis);
  Value sum = mean && eps ? ctx.create("graph.add", {mean, eps}, {}) : nullptr;
  return sum ? ctx.create("graph.sqrt", {sum}, {}) : nullptr;
}

/// LayerNormalization's optional outputs, Mean and InvStdDev over axes
/// [axis, rank) with kept dims, composed of graph ops. Only for f32 inputs:
/// the outputs have the stash type (f32), which would otherwise need casts.
static LogicalResult importLayerNormStatistics(NodeContext &ctx,
                                               int64_t axis) {
  RankedTensorType type = ctx.inputType(0);
  if (!type.getElementType().isF32())
    return ctx.emitError() << "outputs Mean and InvStdDev are supported for "
                              "f32 inputs only";
  Value x = ctx.input(0);
  Value mean = meanOverTrailing(ctx, x, axis);
  Value centered = mean ? ctx.create("graph.sub", {x, mean}, {}) : nullptr;
  Value stddev =
      rootMeanSquare(ctx, centered, axis, ctx.attrs.getFloat("epsilon", 1e-5f));
  Value invStd =
      stddev ? ctx.create("graph.reciprocal", {stddev}, {}) : nullptr;
  if (!invStd)
    return failure();
  if (ctx.hasOutput(1))
    ctx.setOutput(1, mean);
  if (ctx.hasOutput(2))
    ctx.setOutput(2, invStd);
  return success();
}

LogicalResult importLayerNormalization(NodeContext &ctx) {
  if (failed(checkNormalizationIO(ctx, 2, 3)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t axisAttr = ctx.attrs.getInt("axis", -1);
  if (!type || ctx.attrs.failed())
    return failure();
  std::optional<int64_t> axis = normalizeAxis(ctx, axisAttr, type.getRank());
  if (!axis)
    return failure();
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  Builder b(ctx.getContext());
  if (!createNormalization(
          ctx, "graph.layer_norm", operands,
          {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis))}))
    return failure();
  if (ctx.isOutputUsed(1) || ctx.isOutputUsed(2))
    return importLayerNormStatistics(ctx, *axis);
  return success();
}

/// RMSNormalization (opset 23) is composed of graph ops:
///   x / sqrt(mean(x * x over axes [axis, rank)) + epsilon) * scale.
/// Computed in the input's type (stash_type's f32 accumulation matters only
/// for f16/bf16 inputs).
LogicalResult importRMSNormalization(NodeContext &ctx) {
  if (failed(checkNormalizationIO(ctx, 2, 1)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t axisAttr = ctx.attrs.getInt("axis", -1);
  float epsilon = ctx.attrs.getFloat("epsilon", 1e-5f);
  if (!type || ctx.attrs.failed())
    return failure();
  auto element = dyn_cast<FloatType>(type.getElementType());
  if (!element)
    return ctx.emitError() << "expects a float input, got "
                           << type.getElementType();
  std::optional<int64_t> axis = normalizeAxis(ctx, axisAttr, type.getRank());
  if (!axis)
    return failure();
  Value x = ctx.input(0), scale = ctx.input(1);
  Value rms = rootMeanSquare(ctx, x, *axis, epsilon);
  Value normalized = rms ? ctx.create("graph.div", {x, rms}, {}) : nullptr;
  Value result =
      normalized ? ctx.create("graph.mul", {normalized, scale}, {}) : nullptr;
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

LogicalResult importInstanceNormalization(NodeContext &ctx) {
  if (failed(checkNormalizationIO(ctx, 3, 1)))
    return failure();
  return success(createNormalization(ctx, "graph.instance_norm",
                                     {ctx.input(0), ctx.input(1), ctx.input(2)},
                                     {}) != nullptr);
}

LogicalResult importGroupNormalization(NodeContext &ctx) {
  if (failed(checkNormalizationIO(ctx, 3, 1)))
    return failure();
  if (!ctx.attrs.has("num_groups"))
    return ctx.emitError() << "attribute 'num_groups' is required";
  int64_t groups = ctx.attrs.getInt("num_groups", 1);
  RankedTensorType type = ctx.inputType(0), scale = ctx.inputType(1);
  if (!type || !scale || ctx.attrs.failed())
    return failure();
  // Opset 18 scales and shifts per group, opset 21 per channel; graph's op
  // tells them apart by the parameters' size, so check that it matches.
  int64_t expected = ctx.opset < 21 ? groups : type.getDimSize(1);
  for (int i = 1; i <= 2; ++i) {
    RankedTensorType param = ctx.inputType(i);
    if (param && (param.getRank() != 1 || param.getDimSize(0) != expected))
      return ctx.emitError()
             << (i == 1 ? "scale" : "bias") << " must have shape [" << expected
             << "] (one value per " << (ctx.opset < 21 ? "group" : "channel")
             << " at opset " << ctx.opset << "), got "
             << formatShape(param.getShape());
  }
  Builder b(ctx.getContext());
  return success(
      createNormalization(
          ctx, "graph.group_norm", {ctx.input(0), ctx.input(1), ctx.input(2)},
          {b.getNamedAttr("num_groups", b.getI64IntegerAttr(groups))}) !=
      nullptr);
}

LogicalResult importLpNormalization(NodeContext &ctx) {
  if (failed(checkNormalizationIO(ctx, 1, 1)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t axisAttr = ctx.attrs.getInt("axis", -1);
  int64_t p = ctx.attrs.getInt("p", 2);
  if (!type || ctx.attrs.failed())
    return failure();
  std::optional<int64_t> axis = normalizeAxis(ctx, axisAttr, type.getRank());
  if (!axis)
    return failure();
  if (p != 1 && p != 2)
    return ctx.emitError() << "p must be 1 or 2, got " << p;
  Builder b(ctx.getContext());
  Value result = ctx.create("graph.lp_norm", {ctx.input(0)},
                            {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis)),
                             b.getNamedAttr("p", b.getI64IntegerAttr(p))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
