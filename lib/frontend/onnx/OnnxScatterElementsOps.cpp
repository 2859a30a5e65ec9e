//===- OnnxScatterElementsOps.cpp - ScatterElements, Scatter --------------===//
//
// ScatterElements writes updates[i] to data[i with i[axis] replaced by
// indices[i]]: that is graph.scatter_nd with the full coordinates of every
// update spelled out. The coordinates are a [..indices.shape, rank] tensor
// whose component d is the update's own coordinate d (an iota broadcast over
// indices' shape) except along `axis`, where it is the index. scatter_nd's
// reductions (none, add, mul, max, min) and its wrapping of negative indices
// are ScatterElements'. Scatter (opsets 9-10) is ScatterElements without
// reduction.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"
#include "lib/frontend/onnx/OnnxOps.h"

using namespace mlir;

namespace strata::onnx_import {

LogicalResult importScatterElements(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1) || !ctx.hasInput(2))
    return ctx.emitError() << "expects inputs 'data', 'indices' and "
                              "'updates'";
  int64_t axisAttr = ctx.attrs.getInt("axis", 0);
  std::string reduction = ctx.attrs.getString("reduction", "none");
  if (ctx.attrs.failed())
    return failure();
  RankedTensorType data = ctx.inputType(0), indices = ctx.inputType(1),
                   updates = ctx.inputType(2);
  if (!data || !indices || !updates)
    return failure();
  if (!data.hasStaticShape() || !indices.hasStaticShape())
    return ctx.emitError() << "expects static shapes, got "
                           << formatShape(data.getShape()) << " and "
                           << formatShape(indices.getShape());
  int64_t rank = data.getRank();
  if (indices.getRank() != rank || updates.getShape() != indices.getShape())
    return ctx.emitError() << "indices and updates must have the same shape "
                           << "and data's rank " << rank << ", got "
                           << formatShape(indices.getShape()) << " and "
                           << formatShape(updates.getShape());
  std::optional<int64_t> axis = normalizeAxis(ctx, axisAttr, rank);
  if (!axis)
    return failure();
  for (int64_t d = 0; d < rank; ++d)
    if (d != *axis && indices.getDimSize(d) > data.getDimSize(d))
      return ctx.emitError()
             << "indices " << formatShape(indices.getShape())
             << " do not fit in data " << formatShape(data.getShape())
             << " outside axis " << *axis;
  auto indexElement = dyn_cast<IntegerType>(indices.getElementType());
  if (!indexElement || !indexElement.isSignless() ||
      (indexElement.getWidth() != 32 && indexElement.getWidth() != 64))
    return ctx.emitError() << "indices must be int32 or int64, got "
                           << indices.getElementType();

  Composer c(ctx);
  ArrayRef<int64_t> shape = indices.getShape();
  SmallVector<int64_t> column(shape);
  column.push_back(1);
  SmallVector<Value> components;
  for (int64_t d = 0; d < rank; ++d) {
    components.push_back(
        d == *axis ? c.reshape(c.cast(ctx.input(1), c.b.getI64Type()), column)
                   : c.iota(column, d));
  }
  Value coords =
      rank == 1 ? components.front()
                : c.op("graph.concat", components,
                       {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(rank))});
  Value result = c.op(
      "graph.scatter_nd", {ctx.input(0), coords, ctx.input(2)},
      {c.b.getNamedAttr("reduction", c.b.getStringAttr(reduction))});
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

} // namespace strata::onnx_import
