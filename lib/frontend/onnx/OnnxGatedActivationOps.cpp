//===- OnnxGatedActivationOps.cpp - Swish and SwiGLU as graph ops ---------===//
//
// Swish (opset 24): x * sigmoid(alpha * x). SwiGLU (opset 28):
// Swish_alpha(A) * B, A and B of one shape (no broadcasting).
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

/// x * sigmoid(alpha * x); null after an error.
static Value swish(NodeContext &ctx, Value x, float alpha) {
  Value scaled = x;
  if (alpha != 1.0f) {
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    Value factor = ctx.create(
        "graph.constant", {},
        {Builder(ctx.getContext())
             .getNamedAttr("value", DenseElementsAttr::get(
                                        RankedTensorType::get({}, element),
                                        FloatAttr::get(element, alpha)))});
    scaled = factor ? ctx.create("graph.mul", {x, factor}) : nullptr;
  }
  Value gate = scaled ? ctx.create("graph.sigmoid", {scaled}) : nullptr;
  return gate ? ctx.create("graph.mul", {x, gate}) : nullptr;
}

/// Swish and SwiGLU.
LogicalResult importGatedActivation(NodeContext &ctx) {
  bool glu = ctx.node.op_type() == "SwiGLU";
  size_t count = glu ? 2 : 1;
  for (size_t i = 0; i < count; ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects " << count << " input(s)";
  float alpha = ctx.attrs.getFloat("alpha", 1.0f);
  if (ctx.attrs.failed())
    return failure();
  RankedTensorType type = ctx.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return ctx.emitError() << "expects a float input, got "
                           << type.getElementType();
  if (glu && ctx.inputType(1) != type)
    return ctx.emitError() << "A and B must have the same type, got " << type
                           << " and " << ctx.inputType(1);
  Value y = swish(ctx, ctx.input(0), alpha);
  if (y && glu)
    y = ctx.create("graph.mul", {y, ctx.input(1)});
  if (!y)
    return failure();
  ctx.setOutput(0, y);
  return success();
}

} // namespace strata::onnx_import
