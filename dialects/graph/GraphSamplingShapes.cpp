//===- GraphSamplingShapes.cpp - grid_sample: type inference --------------===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"

using namespace mlir;
using namespace strata::graph;

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput()), gt = rankedOf(adaptor.getGrid());
  if (!it || !gt || it.getRank() < 3)
    return emitOptionalError(loc, "expects an input of rank 3 or more "
                                  "(N, C, D...) and a grid");
  int64_t spatial = it.getRank() - 2;
  if (gt.getRank() != spatial + 2 || gt.getShape().back() != spatial ||
      (gt.getDimSize(0) != it.getDimSize(0) &&
       !ShapedType::isDynamic(gt.getDimSize(0)) &&
       !ShapedType::isDynamic(it.getDimSize(0))))
    return emitOptionalError(loc, "grid ", formatShape(gt.getShape()),
                             " must be (N, O..., ", spatial, ") for input ",
                             formatShape(it.getShape()));
  if (!adaptor.getModeAttr() || !adaptor.getPaddingModeAttr())
    return emitOptionalError(loc, "needs mode and padding_mode");
  StringRef mode = adaptor.getMode(), padding = adaptor.getPaddingMode();
  if (mode != "linear" && mode != "nearest" && mode != "cubic")
    return emitOptionalError(loc, "mode must be linear, nearest or cubic, "
                                  "got '",
                             mode, "'");
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return emitOptionalError(loc, "padding_mode must be zeros, border or "
                                  "reflection, got '",
                             padding, "'");
  SmallVector<int64_t> shape = {it.getDimSize(0), it.getDimSize(1)};
  for (int64_t i = 0; i < spatial; ++i)
    shape.push_back(gt.getDimSize(1 + i));
  results.push_back(RankedTensorType::get(shape, it.getElementType()));
  return success();
}
