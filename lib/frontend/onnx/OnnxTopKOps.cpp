//===- OnnxTopKOps.cpp - TopK ---------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

LogicalResult importTopK(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  RankedTensorType input = ctx.inputType(0);
  if (!input)
    return failure();
  // k is an attribute before opset 10, then a one-element input.
  int64_t k;
  if (ctx.opset < 10) {
    if (!ctx.attrs.has("k"))
      return ctx.emitError() << "attribute 'k' is required";
    k = ctx.attrs.getInt("k", 0);
  } else {
    if (!ctx.hasInput(1))
      return ctx.emitError() << "expects the input 'K'";
    FailureOr<ElementsAttr> value = ctx.constantInput(1, "K");
    if (failed(value))
      return failure();
    std::optional<SmallVector<int64_t>> values = getIntegerValues(*value);
    if (!values || values->size() != 1)
      return ctx.emitError() << "input 'K' must hold one integer";
    k = values->front();
  }
  int64_t axis = ctx.attrs.getInt("axis", -1);
  bool largest = ctx.attrs.getInt("largest", 1) != 0;
  bool sorted = ctx.attrs.getInt("sorted", 1) != 0;
  if (ctx.attrs.failed())
    return failure();
  std::optional<int64_t> normalized =
      normalizeAxis(ctx, axis, std::max<int64_t>(input.getRank(), 1));
  if (!normalized)
    return failure();
  Builder b(ctx.getContext());
  Operation *op =
      ctx.createOp("graph.top_k", {ctx.input(0)},
                   {b.getNamedAttr("k", b.getI64IntegerAttr(k)),
                    b.getNamedAttr("axis", b.getI64IntegerAttr(*normalized)),
                    b.getNamedAttr("largest", b.getBoolAttr(largest)),
                    b.getNamedAttr("sorted", b.getBoolAttr(sorted))},
                   2);
  if (!op)
    return failure();
  ctx.setOutput(0, op->getResult(0));
  ctx.setOutput(1, op->getResult(1));
  return success();
}

} // namespace strata::onnx_import
