//===- OnnxNNOps.cpp - Conv, pooling and BatchNormalization ---------------===//
#include "lib/frontend/onnx/OnnxCompose.h"
#include "lib/frontend/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

/// Explicit pads (beginnings, then ends) of a sliding window op with
/// `kernel.size()` spatial dimensions: the `pads` attribute, or what
/// `auto_pad` asks for.
static FailureOr<SmallVector<int64_t>>
resolvePads(NodeContext &ctx, RankedTensorType input, ArrayRef<int64_t> kernel,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  size_t n = input.getRank() - 2;
  std::string autoPad = ctx.attrs.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return ctx.attrs.getInts("pads").value_or(SmallVector<int64_t>(2 * n, 0));
  if (autoPad == "VALID")
    return SmallVector<int64_t>(2 * n, 0);
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.emitError() << "unknown auto_pad '" << autoPad << "'";
  if (kernel.size() != n || strides.size() != n || dilations.size() != n)
    return ctx.emitError() << "kernel_shape, strides and dilations must have "
                           << n << " values each";
  ArrayRef<int64_t> spatial = input.getShape().drop_front(2);
  if (ShapedType::isDynamicShape(spatial))
    return ctx.emitError() << "auto_pad " << autoPad << " needs static "
                           << "spatial dimensions, got "
                           << formatShape(input.getShape());
  // The output has ceil(in / stride) cells; pad what the last window lacks,
  // the odd cell at the end (SAME_UPPER) or at the beginning (SAME_LOWER).
  SmallVector<int64_t> pads(2 * n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (strides[i] < 1 || dilations[i] < 1 || kernel[i] < 1)
      return ctx.emitError() << "kernel_shape, strides and dilations must be "
                             << "positive";
    int64_t out = (spatial[i] + strides[i] - 1) / strides[i];
    int64_t window = (kernel[i] - 1) * dilations[i] + 1;
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[i] + window - spatial[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + n] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

/// 1-D, 2-D and 3-D windows (rank-3 to rank-5 NC[D]H[W] inputs) are
/// supported. Returns the number of spatial dimensions.
static FailureOr<size_t> expectWindowInput(NodeContext &ctx, StringRef what) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  int64_t rank = ctx.inputType(0).getRank();
  if (rank >= 3 && rank <= 5)
    return static_cast<size_t>(rank - 2);
  return ctx.emitError() << "only 1-D, 2-D and 3-D " << what
                         << " (a rank-3 to rank-5 NC[D]H[W] input) is "
                         << "supported, got a rank-" << rank << " input";
}

LogicalResult importConv(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  if (!ctx.hasInput(1))
    return ctx.emitError() << "expects a weight input";
  Value result = buildConv(ctx, ctx.input(0), ctx.input(1),
                           ctx.hasInput(2) ? ctx.input(2) : Value());
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

Value buildConv(NodeContext &ctx, Value inputValue, Value weightValue,
                Value bias) {
  FailureOr<size_t> spatial = expectWindowInput(ctx, "convolution");
  if (failed(spatial))
    return nullptr;
  auto input = cast<RankedTensorType>(inputValue.getType());
  auto weight = cast<RankedTensorType>(weightValue.getType());
  SmallVector<int64_t> ones(*spatial, 1);
  SmallVector<int64_t> strides = ctx.attrs.getInts("strides").value_or(ones);
  SmallVector<int64_t> dilations =
      ctx.attrs.getInts("dilations").value_or(ones);
  int64_t group = ctx.attrs.getInt("group", 1);
  // kernel_shape is optional: the weight's spatial dimensions are the kernel.
  SmallVector<int64_t> kernel;
  if (weight.getRank() == input.getRank())
    kernel.assign(weight.getShape().begin() + 2, weight.getShape().end());
  if (std::optional<SmallVector<int64_t>> attr =
          ctx.attrs.getInts("kernel_shape")) {
    bool matches = attr->size() == kernel.size();
    for (size_t i = 0; matches && i < kernel.size(); ++i)
      matches = ShapedType::isDynamic(kernel[i]) || kernel[i] == (*attr)[i];
    if (!matches) {
      ctx.emitError() << "kernel_shape " << formatShape(*attr)
                      << " does not match the weight's shape "
                      << formatShape(weight.getShape());
      return nullptr;
    }
    kernel = std::move(*attr);
  }
  FailureOr<SmallVector<int64_t>> pads =
      resolvePads(ctx, input, kernel, strides, dilations);
  if (failed(pads) || ctx.attrs.failed())
    return nullptr;
  SmallVector<Value> operands = {inputValue, weightValue};
  if (bias)
    operands.push_back(bias);
  Builder b(ctx.getContext());
  return ctx.create(
      "graph.conv", operands,
      {b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)),
       b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)),
       b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*pads)),
       b.getNamedAttr("group", b.getI64IntegerAttr(group))});
}

/// Shared by MaxPool and AveragePool: kernel_shape, strides, pads, ceil_mode.
static LogicalResult getPoolAttributes(NodeContext &ctx, size_t spatial,
                                       ArrayRef<int64_t> dilations,
                                       SmallVectorImpl<NamedAttribute> &attrs) {
  std::optional<SmallVector<int64_t>> kernel =
      ctx.attrs.getInts("kernel_shape");
  if (!kernel)
    return ctx.attrs.failed()
               ? failure()
               : ctx.emitError() << "attribute 'kernel_shape' is required";
  SmallVector<int64_t> strides =
      ctx.attrs.getInts("strides").value_or(SmallVector<int64_t>(spatial, 1));
  // ceil_mode exists from opset 10; before, it was always floor.
  bool ceilMode = ctx.attrs.getInt("ceil_mode", 0) != 0;
  FailureOr<SmallVector<int64_t>> pads =
      resolvePads(ctx, ctx.inputType(0), *kernel, strides, dilations);
  if (failed(pads) || ctx.attrs.failed())
    return failure();
  Builder b(ctx.getContext());
  attrs.push_back(
      b.getNamedAttr("kernel_shape", b.getDenseI64ArrayAttr(*kernel)));
  attrs.push_back(b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)));
  attrs.push_back(b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*pads)));
  attrs.push_back(b.getNamedAttr("ceil_mode", b.getBoolAttr(ceilMode)));
  return success();
}

LogicalResult importMaxPool(NodeContext &ctx) {
  FailureOr<size_t> spatial = expectWindowInput(ctx, "pooling");
  if (failed(spatial))
    return failure();
  int64_t storageOrder = ctx.attrs.getInt("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return ctx.emitError() << "storage_order must be 0 or 1, got "
                           << storageOrder;
  SmallVector<int64_t> dilations = ctx.attrs.getInts("dilations").value_or(
      SmallVector<int64_t>(*spatial, 1));
  SmallVector<NamedAttribute> attrs;
  if (failed(getPoolAttributes(ctx, *spatial, dilations, attrs)))
    return failure();
  Builder b(ctx.getContext());
  attrs.push_back(
      b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)));
  Value result = ctx.create("graph.max_pool", {ctx.input(0)}, attrs);
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  if (!ctx.hasOutput(1))
    return success();
  auto ints = [&](StringRef name) {
    for (NamedAttribute a : attrs)
      if (a.getName() == name)
        return cast<DenseI64ArrayAttr>(a.getValue()).asArrayRef();
    return ArrayRef<int64_t>();
  };
  Value indices =
      buildMaxPoolIndices(ctx, result, ints("kernel_shape"), ints("strides"),
                          dilations, ints("pads"), storageOrder == 1);
  if (!indices)
    return failure();
  ctx.setOutput(1, indices);
  return success();
}

LogicalResult importAveragePool(NodeContext &ctx) {
  FailureOr<size_t> spatial = expectWindowInput(ctx, "pooling");
  if (failed(spatial))
    return failure();
  // Opset 19 added dilations.
  SmallVector<int64_t> dilations = ctx.attrs.getInts("dilations").value_or(
      SmallVector<int64_t>(*spatial, 1));
  bool countIncludePad = ctx.attrs.getInt("count_include_pad", 0) != 0;
  SmallVector<NamedAttribute> attrs;
  if (failed(getPoolAttributes(ctx, *spatial, dilations, attrs)))
    return failure();
  Builder b(ctx.getContext());
  if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    attrs.push_back(
        b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)));
  attrs.push_back(
      b.getNamedAttr("count_include_pad", b.getBoolAttr(countIncludePad)));
  Value result = ctx.create("graph.average_pool", {ctx.input(0)}, attrs);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importGlobalAveragePool(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  Value result = ctx.create("graph.global_average_pool", {ctx.input(0)});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// BatchNormalization with training_mode=1 (opset 14+), as the ONNX
/// reference computes it: Y is normalized with the batch's mean and
/// (population) variance over every axis but 1; the optional outputs are
/// the running statistics, input * momentum + batch * (1 - momentum).
static LogicalResult importBatchNormTraining(NodeContext &ctx) {
  float epsilon = ctx.attrs.getFloat("epsilon", 1e-5f);
  float momentum = ctx.attrs.getFloat("momentum", 0.9f);
  RankedTensorType type = ctx.inputType(0);
  if (ctx.attrs.failed() || !type)
    return failure();
  if (type.getRank() < 2 || ShapedType::isDynamic(type.getDimSize(1)))
    return ctx.emitError() << "training_mode needs an input of rank >= 2 with "
                              "a static channel dimension, got "
                           << formatShape(type.getShape());
  Composer c(ctx);
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != 1)
      axes.push_back(d);
  int64_t channels = type.getDimSize(1);
  Value x = ctx.input(0);
  Value mean = c.reduce("reduce_mean", x, axes, /*keepdims=*/true);
  Value centered = c.op("graph.sub", {x, mean});
  Value var = c.reduce("reduce_mean", c.op("graph.mul", {centered, centered}),
                       axes, /*keepdims=*/true);
  Value mean1 = mean ? c.reshape(mean, {channels}) : nullptr;
  Value var1 = var ? c.reshape(var, {channels}) : nullptr;
  Value y = c.op("graph.batch_norm",
                 {x, ctx.input(1), ctx.input(2), mean1, var1},
                 {c.b.getNamedAttr("epsilon", c.b.getF32FloatAttr(epsilon))});
  if (!y)
    return failure();
  ctx.setOutput(0, y);
  for (int i = 1; i <= 2; ++i) {
    if (!ctx.hasOutput(i))
      continue;
    Value running = ctx.input(i + 2);
    Type element = Composer::typeOf(running).getElementType();
    Value batch = c.cast(i == 1 ? mean1 : var1, element);
    Value result = c.op(
        "graph.add",
        {c.op("graph.mul", {running, c.scalar(element, momentum)}),
         c.op("graph.mul", {batch, c.scalar(element, 1.0 - momentum)})});
    if (!result)
      return failure();
    ctx.setOutput(i, result);
  }
  return success();
}

LogicalResult importBatchNormalization(NodeContext &ctx) {
  for (size_t i = 0; i < 5; ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects 5 inputs (X, scale, B, mean, var)";
  // Before opset 9, `spatial` = 0 meant per-activation statistics.
  if (ctx.opset < 9 && ctx.attrs.getInt("spatial", 1) == 0)
    return ctx.emitError() << "spatial=0 (per-activation statistics) is not "
                           << "supported";
  if (ctx.attrs.getInt("training_mode", 0) != 0)
    return importBatchNormTraining(ctx);
  for (int i = 1; i < ctx.node.output_size(); ++i)
    if (ctx.hasOutput(i))
      return ctx.emitError() << "only inference is supported: expects one "
                             << "output, got the training outputs too";
  float epsilon = ctx.attrs.getFloat("epsilon", 1e-5f);
  if (ctx.attrs.failed())
    return failure();
  SmallVector<Value> operands;
  for (size_t i = 0; i < 5; ++i)
    operands.push_back(ctx.input(i));
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.batch_norm", operands,
                 {b.getNamedAttr("epsilon", b.getF32FloatAttr(epsilon))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
