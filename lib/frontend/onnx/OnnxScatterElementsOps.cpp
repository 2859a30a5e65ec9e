//===- OnnxScatterElementsOps.cpp - ScatterElements, Scatter --------------===//
//
// ScatterElements is graph.scatter_elements, its axis made non-negative;
// Scatter (opsets 9-10) is ScatterElements without reduction.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

LogicalResult importScatterElements(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1) || !ctx.hasInput(2))
    return ctx.emitError() << "expects inputs 'data', 'indices' and "
                              "'updates'";
  int64_t axisAttr = ctx.attrs.getInt("axis", 0);
  std::string reduction = ctx.attrs.getString("reduction", "none");
  RankedTensorType data = ctx.inputType(0);
  if (!data || ctx.attrs.failed())
    return failure();
  std::optional<int64_t> axis = normalizeAxis(ctx, axisAttr, data.getRank());
  if (!axis)
    return failure();
  Builder b(ctx.getContext());
  Value result = ctx.create(
      "graph.scatter_elements", {ctx.input(0), ctx.input(1), ctx.input(2)},
      {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis)),
       b.getNamedAttr("reduction", b.getStringAttr(reduction))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
