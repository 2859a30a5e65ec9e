//===- OnnxCausalConvOps.cpp - CausalConvWithState ------------------------===//
//
// A depthwise causal 1-D convolution with a carried state:
//   padded = concat(past_state or zeros [B, C, K-1], input [B, C, L])
//   y[:, c, t] = bias[c] + sum_k w[c, 0, k] * padded[:, c, t + k]
//   present_state = the last K-1 steps of padded
// The kernel is short (K of 2 to 4 in the models that use it), so the sum is
// K shifted slices times per-channel weights, not a convolution op.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"

using namespace mlir;

namespace strata::onnx_import {

LogicalResult importCausalConvWithState(NodeContext &ctx) {
  RankedTensorType in = ctx.inputType(0), w = ctx.inputType(1);
  if (!in || !w || in.getRank() != 3 || w.getRank() != 3 ||
      !in.hasStaticShape() || !w.hasStaticShape() ||
      !isa<FloatType>(in.getElementType()))
    return ctx.emitError() << "input [B, C, L] and weight [C, 1, K] must be "
                           << "static float tensors";
  int64_t batch = in.getDimSize(0), channels = in.getDimSize(1),
          length = in.getDimSize(2), k = w.getDimSize(2);
  if (w.getDimSize(0) != channels || w.getDimSize(1) != 1 || k < 1)
    return ctx.emitError() << "weight " << formatShape(w.getShape())
                           << " must be [" << channels << ", 1, K]";
  std::string activation = ctx.attrs.getString("activation", "none");
  if (ctx.attrs.failed())
    return failure();
  if (activation != "none" && activation != "silu" && activation != "swish")
    return ctx.emitError() << "activation '" << activation
                           << "' is not one of none, silu, swish";
  Type element = in.getElementType();
  Composer c(ctx);

  SmallVector<int64_t> stateShape = {batch, channels, k - 1};
  Value state;
  if (ctx.hasInput(3)) {
    RankedTensorType past = ctx.inputType(3);
    if (!past || past.getShape() != ArrayRef<int64_t>(stateShape) ||
        past.getElementType() != element)
      return ctx.emitError() << "past_state must be "
                             << formatShape(stateShape) << " of the input's "
                             << "type";
    state = ctx.input(3);
  } else {
    state = c.constant(DenseElementsAttr::get(
        RankedTensorType::get(stateShape, element),
        FloatAttr::get(element, 0.0).getValue()));
  }
  Value padded =
      k == 1 ? ctx.input(0)
             : c.op("graph.concat", {state, ctx.input(0)},
                    {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(2))});
  // Narrow floats accumulate in float32 and round once, like a convolution
  // kernel (and onnx's reference) does.
  Type f32 = c.b.getF32Type();
  Type accumulator = element.getIntOrFloatBitWidth() < 32 ? f32 : element;
  Value wide = c.cast(padded, accumulator);
  Value weights = c.cast(ctx.input(1), accumulator);
  Value sum;
  for (int64_t tap = 0; tap < k; ++tap) {
    Value weight = c.reshape(c.slice(weights, {0, 0, tap}, {channels, 1, 1}),
                           {1, channels, 1});
    Value term = c.op(
        "graph.mul",
        {c.slice(wide, {0, 0, tap}, {batch, channels, length}), weight});
    sum = sum ? c.op("graph.add", {sum, term}) : term;
  }
  if (ctx.hasInput(2))
    sum = c.op("graph.add",
               {sum, c.reshape(c.cast(ctx.input(2), accumulator),
                               {1, channels, 1})});
  sum = c.cast(sum, element);
  if (sum && activation != "none") {
    // x * sigmoid(x) in float32, as onnx's reference computes it.
    Value x = c.cast(sum, f32);
    sum = c.cast(c.op("graph.mul", {x, c.op("graph.sigmoid", x)}), element);
  }
  Value present = c.slice(padded, {0, 0, length}, stateShape);
  if (!sum || !present)
    return failure();
  ctx.setOutput(0, sum);
  ctx.setOutput(1, present);
  return success();
}

} // namespace strata::onnx_import
