//===- OnnxComposedOps.cpp - MVN, EyeLike, ReverseSequence as graph ops ---===//
//
//   MeanVarianceNormalization (ONNX's function body):
//     (x - mean(x)) / (sqrt(mean(x^2) - mean(x)^2) + 1e-9) over `axes`
//   EyeLike: graph.one_hot of the constant column of each row's one
//     (row + k, or an index out of range for a row without one)
//   ReverseSequence: gather_elements along the time axis of
//     where(t < len[b], len[b] - 1 - t, t)
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

using namespace mlir;

namespace strata::onnx_import {

LogicalResult importMeanVarianceNormalization(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  SmallVector<int64_t> axesAttr =
      ctx.attrs.getInts("axes").value_or(SmallVector<int64_t>{0, 2, 3});
  RankedTensorType type = ctx.inputType(0);
  if (!type || ctx.attrs.failed())
    return failure();
  if (!isa<FloatType>(type.getElementType()))
    return ctx.emitError() << "expects a float input, got "
                           << type.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t a : axesAttr) {
    std::optional<int64_t> axis = normalizeAxis(ctx, a, type.getRank());
    if (!axis)
      return failure();
    if (!llvm::is_contained(axes, *axis))
      axes.push_back(*axis);
  }
  llvm::sort(axes);
  Composer c(ctx);
  Type element = type.getElementType();
  Value x = ctx.input(0);
  Value mean = c.reduce("reduce_mean", x, axes, true);
  Value meanSquares = c.reduce("reduce_mean", c.op("graph.mul", {x, x}), axes,
                               true);
  Value variance =
      c.op("graph.sub", {meanSquares, c.op("graph.mul", {mean, mean})});
  Value std = c.op("graph.add", {c.op("graph.sqrt", variance),
                                 c.scalar(element, 1e-9)});
  Value result = c.op("graph.div", {c.op("graph.sub", {x, mean}), std});
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

LogicalResult importEyeLike(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  RankedTensorType type = ctx.inputType(0);
  int64_t k = ctx.attrs.getInt("k", 0);
  std::optional<int64_t> dtype;
  if (ctx.attrs.has("dtype"))
    dtype = ctx.attrs.getInt("dtype", 0);
  if (!type || ctx.attrs.failed())
    return failure();
  if (type.getRank() != 2 || !type.hasStaticShape())
    return ctx.emitError() << "expects a 2-D input of static shape, got "
                           << formatShape(type.getShape());
  Type element = type.getElementType();
  if (dtype) {
    element = convertElementType(ctx.getContext(), *dtype);
    if (!element)
      return ctx.emitError() << "dtype " << dataTypeName(*dtype)
                             << " is not supported";
  }
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  SmallVector<int64_t> columns;
  for (int64_t i = 0; i < rows; ++i)
    columns.push_back(i + k >= 0 && i + k < cols ? i + k : cols);
  Composer c(ctx);
  auto valuesType = RankedTensorType::get({2}, element);
  Attribute off, on;
  if (isa<FloatType>(element)) {
    off = c.b.getFloatAttr(element, 0);
    on = c.b.getFloatAttr(element, 1);
  } else {
    off = c.b.getIntegerAttr(element, 0);
    on = c.b.getIntegerAttr(element, 1);
  }
  Value values = c.constant(DenseElementsAttr::get(valuesType, {off, on}));
  Value result =
      c.op("graph.one_hot", {c.int64s(columns), values},
           {c.b.getNamedAttr("depth", c.b.getI64IntegerAttr(cols)),
            c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(1))});
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

LogicalResult importReverseSequence(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1))
    return ctx.emitError() << "expects inputs 'input' and 'sequence_lens'";
  int64_t batchAxis = ctx.attrs.getInt("batch_axis", 1);
  int64_t timeAxis = ctx.attrs.getInt("time_axis", 0);
  RankedTensorType type = ctx.inputType(0), lens = ctx.inputType(1);
  if (!type || !lens || ctx.attrs.failed())
    return failure();
  if (!type.hasStaticShape() || type.getRank() < 2)
    return ctx.emitError() << "expects an input of static shape and rank "
                           << ">= 2, got " << formatShape(type.getShape());
  if (!((batchAxis == 0 && timeAxis == 1) ||
        (batchAxis == 1 && timeAxis == 0)))
    return ctx.emitError() << "batch_axis and time_axis must be 0 and 1, "
                           << "got " << batchAxis << " and " << timeAxis;
  int64_t batch = type.getDimSize(batchAxis);
  if (lens.getRank() != 1 || lens.getDimSize(0) != batch ||
      !isa<IntegerType>(lens.getElementType()))
    return ctx.emitError() << "sequence_lens must be an integer tensor of "
                           << "shape [" << batch << "], got " << lens;
  Composer c(ctx);
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> perBatch(shape.size(), 1);
  perBatch[batchAxis] = batch;
  Value t = c.iota(shape, timeAxis);
  Value len = c.reshape(c.cast(ctx.input(1), c.b.getI64Type()), perBatch);
  Value reversed = c.op(
      "graph.sub",
      {c.op("graph.sub", {len, c.scalar(c.b.getI64Type(), 1)}), t});
  Value index = c.op("graph.where",
                     {c.op("graph.less", {t, len}), reversed, t});
  Value result =
      c.op("graph.gather_elements", {ctx.input(0), index},
           {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(timeAxis))});
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

} // namespace strata::onnx_import
