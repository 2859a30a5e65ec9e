//===- OnnxSelectOps.cpp - CenterCropPad and Compress ---------------------===//
//
// Ops that keep a statically known part of their input: CenterCropPad (a
// centered slice, then zero padding) and Compress with a constant
// condition (a gather of the selected positions).
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxFolding.h"
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

using namespace mlir;

namespace strata::onnx_import {

LogicalResult importCenterCropPad(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "input_data");
  if (!type)
    return failure();
  std::optional<SmallVector<int64_t>> shape = constantInts(ctx, 1, "shape");
  if (!shape)
    return failure();
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (std::optional<SmallVector<int64_t>> given = ctx.attrs.getInts("axes"))
    axes = *given;
  if (ctx.attrs.failed())
    return failure();
  if (axes.size() != shape->size())
    return ctx.emitError() << "input 'shape' has " << shape->size()
                           << " values for " << axes.size() << " axes";
  SmallVector<int64_t> starts(rank, 0), sizes(type.getShape()),
      steps(rank, 1), pads(2 * rank, 0);
  for (auto [a, target] : llvm::zip(axes, *shape)) {
    std::optional<int64_t> axis = normalizeAxis(ctx, a, rank);
    if (!axis)
      return failure();
    if (target < 0)
      return ctx.emitError() << "shape " << formatShape(*shape)
                             << " has a negative size";
    int64_t dim = type.getDimSize(*axis);
    // The larger side keeps the extra element at its end, as onnx's
    // reference does.
    if (target < dim) {
      starts[*axis] = (dim - target) / 2;
      sizes[*axis] = target;
    } else {
      pads[*axis] = (target - dim) / 2;
      pads[*axis + rank] = target - dim - pads[*axis];
    }
  }
  Builder b(ctx.getContext());
  Value cropped =
      ctx.create("graph.slice", {ctx.input(0)},
                 {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
                  b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
                  b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
  Value result =
      cropped ? ctx.create("graph.pad", {cropped},
                           {b.getNamedAttr("pads", b.getDenseI64ArrayAttr(pads)),
                            b.getNamedAttr("mode", b.getStringAttr("constant"))})
              : nullptr;
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importCompress(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "input");
  if (!type)
    return failure();
  // The output's length is the number of true conditions: it must be known.
  FailureOr<ElementsAttr> condition = ctx.constantInput(1, "condition");
  if (failed(condition))
    return failure();
  std::optional<int64_t> axisAttr;
  if (ctx.attrs.has("axis"))
    axisAttr = ctx.attrs.getInt("axis", 0);
  if (ctx.attrs.failed())
    return failure();
  Builder b(ctx.getContext());
  Value data = ctx.input(0);
  int64_t axis = 0;
  if (axisAttr) {
    std::optional<int64_t> normalized =
        normalizeAxis(ctx, *axisAttr, type.getRank());
    if (!normalized)
      return failure();
    axis = *normalized;
  } else {
    // No axis: the input is flattened first.
    data = ctx.create("graph.reshape", {data},
                      {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(
                                                   {type.getNumElements()}))});
    if (!data)
      return failure();
  }
  int64_t length = axisAttr ? type.getDimSize(axis) : type.getNumElements();
  if (condition->getNumElements() > length)
    return ctx.emitError() << "input 'condition' has "
                           << condition->getNumElements()
                           << " values, more than the " << length
                           << " positions along the axis";
  SmallVector<int64_t> positions;
  int64_t at = 0;
  for (bool keep : asDense(*condition).getValues<bool>()) {
    if (keep)
      positions.push_back(at);
    ++at;
  }
  auto indexType = RankedTensorType::get(
      {static_cast<int64_t>(positions.size())}, b.getI64Type());
  Value indices = ctx.create(
      "graph.constant", {},
      {b.getNamedAttr("value", DenseElementsAttr::get(
                                   indexType, ArrayRef<int64_t>(positions)))});
  Value result = indices ? ctx.create("graph.gather", {data, indices},
                                      {b.getNamedAttr("axis",
                                                      b.getI64IntegerAttr(axis))})
                         : nullptr;
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
