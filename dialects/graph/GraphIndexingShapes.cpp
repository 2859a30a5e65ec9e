//===- GraphIndexingShapes.cpp - gather, scatter, slice ...: inference ----===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace strata::graph;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

bool sameSize(int64_t a, int64_t b) { return a == b || a == kDyn || b == kDyn; }

} // namespace

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto data = rankedOf(adaptor.getData());
  auto indices = rankedOf(adaptor.getIndices());
  if (!data || !indices || !adaptor.getAxisAttr())
    return emitOptionalError(loc, "expects ranked operands and an 'axis'");
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, axis, data.getRank())))
    return failure();
  SmallVector<int64_t> shape(data.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, data.getShape().drop_front(axis + 1));
  results.push_back(RankedTensorType::get(shape, data.getElementType()));
  return success();
}

/// gather_elements' and scatter_elements' rules for `indices` into `data`
/// along `axis` (null when missing).
static LogicalResult checkElementIndices(std::optional<Location> loc,
                                         RankedTensorType data,
                                         RankedTensorType indices,
                                         IntegerAttr axisAttr) {
  if (!data || !indices || !axisAttr)
    return emitOptionalError(loc, "expects ranked operands and an 'axis'");
  int64_t axis = axisAttr.getInt();
  if (failed(checkAxis(loc, axis, data.getRank())))
    return failure();
  if (indices.getRank() != data.getRank())
    return emitOptionalError(loc, "indices of rank ", indices.getRank(),
                             " must have the data's rank ", data.getRank());
  for (int64_t d = 0; d < data.getRank(); ++d) {
    int64_t n = indices.getDimSize(d), limit = data.getDimSize(d);
    if (d != axis && n != kDyn && limit != kDyn && n > limit)
      return emitOptionalError(
          loc, "indices of shape ", formatShape(indices.getShape()),
          " exceed data of shape ", formatShape(data.getShape()),
          " outside axis ", axis);
  }
  return success();
}

LogicalResult
GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                   Adaptor adaptor,
                                   SmallVectorImpl<Type> &results) {
  auto data = rankedOf(adaptor.getData());
  auto indices = rankedOf(adaptor.getIndices());
  if (failed(checkElementIndices(loc, data, indices, adaptor.getAxisAttr())))
    return failure();
  results.push_back(
      RankedTensorType::get(indices.getShape(), data.getElementType()));
  return success();
}

/// The number of leading data dimensions that the last dimension of
/// `indices` addresses (after `batchDims`), checked.
static FailureOr<int64_t> checkIndexDepth(std::optional<Location> loc,
                                          RankedTensorType data,
                                          RankedTensorType indices,
                                          int64_t batchDims) {
  if (indices.getRank() < 1)
    return emitOptionalError(loc, "indices must have rank 1 or more");
  int64_t depth = indices.getShape().back();
  if (depth == kDyn || depth < 1 || batchDims + depth > data.getRank())
    return emitOptionalError(
        loc, "the last dimension of indices (", formatShape(indices.getShape()),
        ") must be static and address at most the ", data.getRank() - batchDims,
        " dimensions of data after the batch");
  return depth;
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  auto data = rankedOf(adaptor.getData());
  auto indices = rankedOf(adaptor.getIndices());
  if (!data || !indices)
    return emitOptionalError(loc, "expects ranked operands");
  int64_t batchDims = adaptor.getBatchDims();
  if (batchDims < 0 || batchDims >= std::min(data.getRank(), indices.getRank()))
    return emitOptionalError(loc, "batch_dims ", batchDims,
                             " must be in [0, min(data rank, indices rank))");
  for (int64_t d = 0; d < batchDims; ++d)
    if (!sameSize(data.getDimSize(d), indices.getDimSize(d)))
      return emitOptionalError(loc, "batch dimensions of data ",
                               formatShape(data.getShape()), " and indices ",
                               formatShape(indices.getShape()), " differ");
  FailureOr<int64_t> depth = checkIndexDepth(loc, data, indices, batchDims);
  if (failed(depth))
    return failure();
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, data.getShape().drop_front(batchDims + *depth));
  results.push_back(RankedTensorType::get(shape, data.getElementType()));
  return success();
}

/// What ScatterND and ScatterElements check first: ranked data, indices and
/// updates (returned), and a known reduction.
template <typename Adaptor>
static LogicalResult checkScatterOperands(std::optional<Location> loc,
                                          Adaptor adaptor,
                                          RankedTensorType &data,
                                          RankedTensorType &indices,
                                          RankedTensorType &updates) {
  data = rankedOf(adaptor.getData());
  indices = rankedOf(adaptor.getIndices());
  updates = rankedOf(adaptor.getUpdates());
  if (!data || !indices || !updates)
    return emitOptionalError(loc, "expects ranked operands");
  StringRef reduction = adaptor.getReduction();
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return emitOptionalError(loc, "reduction '", reduction,
                             "' is not one of none, add, mul, max, min");
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RankedTensorType data, indices, updates;
  if (failed(checkScatterOperands(loc, adaptor, data, indices, updates)))
    return failure();
  FailureOr<int64_t> depth = checkIndexDepth(loc, data, indices, 0);
  if (failed(depth))
    return failure();
  if (updates.getElementType() != data.getElementType())
    return emitOptionalError(loc, "updates and data element types differ");
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(*depth));
  if (updates.getRank() != static_cast<int64_t>(expected.size()) ||
      !llvm::all_of(llvm::zip(updates.getShape(), expected), [](auto p) {
        return sameSize(std::get<0>(p), std::get<1>(p));
      }))
    return emitOptionalError(loc, "updates must have shape ",
                             formatShape(expected), ", got ",
                             formatShape(updates.getShape()));
  results.push_back(data);
  return success();
}

LogicalResult
ScatterElementsOp::inferReturnTypes(MLIRContext *,
                                    std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  RankedTensorType data, indices, updates;
  if (failed(checkScatterOperands(loc, adaptor, data, indices, updates)))
    return failure();
  if (updates.getElementType() != data.getElementType())
    return emitOptionalError(loc, "updates and data element types differ");
  if (updates.getRank() != indices.getRank() ||
      !llvm::all_of(llvm::zip(updates.getShape(), indices.getShape()),
                    [](auto p) {
                      return sameSize(std::get<0>(p), std::get<1>(p));
                    }))
    return emitOptionalError(loc, "updates must have the indices' shape ",
                             formatShape(indices.getShape()), ", got ",
                             formatShape(updates.getShape()));
  if (failed(checkElementIndices(loc, data, indices, adaptor.getAxisAttr())))
    return failure();
  results.push_back(data);
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (!type || !adaptor.getStartsAttr() || !adaptor.getSizesAttr() ||
      !adaptor.getStepsAttr())
    return emitOptionalError(loc, "expects a ranked input, 'starts', 'sizes' "
                                  "and 'steps'");
  ArrayRef<int64_t> starts = adaptor.getStarts(), sizes = adaptor.getSizes(),
                    steps = adaptor.getSteps();
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return emitOptionalError(loc, "'starts', 'sizes' and 'steps' must have ",
                             rank, " values each");
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = type.getDimSize(d);
    if (steps[d] == 0 || sizes[d] < 0)
      return emitOptionalError(loc, "dimension ", d, ": step ", steps[d],
                               " and size ", sizes[d],
                               " must be non-zero and non-negative");
    // An empty slice still starts inside [0, dim].
    int64_t last = starts[d] + (sizes[d] - 1) * steps[d];
    if (dim != kDyn &&
        (starts[d] < 0 || starts[d] > dim ||
         (sizes[d] > 0 && (starts[d] == dim || last < 0 || last >= dim))))
      return emitOptionalError(loc, "dimension ", d, ": ", sizes[d],
                               " elements from ", starts[d], " by step ",
                               steps[d], " do not fit in size ", dim);
  }
  results.push_back(RankedTensorType::get(sizes, type.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (!type || !adaptor.getPadsAttr())
    return emitOptionalError(loc, "expects a ranked input and 'pads'");
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOptionalError(loc, "'pads' must have ", 2 * rank,
                             " non-negative values, got ", formatShape(pads));
  StringRef mode = adaptor.getMode();
  if (!llvm::is_contained({"constant", "reflect", "edge"}, mode))
    return emitOptionalError(loc, "mode '", mode,
                             "' is not one of constant, reflect, edge");
  if (auto value = adaptor.getValueAttr()) {
    if (mode != "constant")
      return emitOptionalError(loc, "'value' is for mode 'constant' only");
    if (value.getType() != type.getElementType())
      return emitOptionalError(loc, "'value' has type ", value.getType(),
                               ", not the element type ",
                               type.getElementType());
  }
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = shape[d], most = std::max(pads[d], pads[d + rank]);
    if (dim == kDyn)
      continue;
    if (most > 0 && mode == "reflect" && most >= dim)
      return emitOptionalError(loc, "reflect padding ", most, " of dimension ",
                               d,
                               " must be smaller than "
                               "its size ",
                               dim);
    if (most > 0 && mode == "edge" && dim == 0)
      return emitOptionalError(loc, "edge padding of the empty dimension ", d);
    shape[d] = dim + pads[d] + pads[d + rank];
  }
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (!type || !adaptor.getRepeatsAttr())
    return emitOptionalError(loc, "expects a ranked input and 'repeats'");
  ArrayRef<int64_t> repeats = adaptor.getRepeats();
  if (static_cast<int64_t>(repeats.size()) != type.getRank() ||
      llvm::any_of(repeats, [](int64_t r) { return r < 0; }))
    return emitOptionalError(loc, "'repeats' must have ", type.getRank(),
                             " non-negative values, got ",
                             formatShape(repeats));
  SmallVector<int64_t> shape;
  for (auto [dim, repeat] : llvm::zip(type.getShape(), repeats))
    shape.push_back(dim == kDyn ? kDyn : dim * repeat);
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (!type || !adaptor.getShapeAttr())
    return emitOptionalError(loc, "expects a ranked input and a 'shape'");
  ArrayRef<int64_t> target = adaptor.getShape();
  SmallVector<int64_t> shape;
  if (llvm::any_of(target, [](int64_t d) { return d < 0; }) ||
      !broadcastShapes(type.getShape(), target, shape))
    return emitOptionalError(loc, "cannot expand ",
                             formatShape(type.getShape()), " to ",
                             formatShape(target));
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult TriluOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (!type || type.getRank() < 2)
    return emitOptionalError(loc, "expects an input of rank 2 or more");
  results.push_back(type);
  return success();
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto indices = rankedOf(adaptor.getIndices());
  auto values = rankedOf(adaptor.getValues());
  if (!indices || !values || !adaptor.getDepthAttr() || !adaptor.getAxisAttr())
    return emitOptionalError(loc, "expects ranked operands, 'depth' and "
                                  "'axis'");
  if (values.getRank() != 1 || values.getDimSize(0) != 2)
    return emitOptionalError(loc, "values must have shape [2] (off, on), got ",
                             formatShape(values.getShape()));
  int64_t depth = adaptor.getDepth(), axis = adaptor.getAxis();
  if (depth < 1)
    return emitOptionalError(loc, "depth must be positive, got ", depth);
  if (axis < 0 || axis > indices.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range [0, ",
                             indices.getRank(), "]");
  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + axis, depth);
  results.push_back(RankedTensorType::get(shape, values.getElementType()));
  return success();
}
