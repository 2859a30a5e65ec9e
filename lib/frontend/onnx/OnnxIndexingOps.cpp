//===- OnnxIndexingOps.cpp - Gather*, ScatterND, Slice, Split, Pad, ... ---===//
//
// Gather, Slice and Split of constants are computed at import
// (OnnxFolding.h): they are the middle of exported shape computations.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "lib/frontend/onnx/OnnxFolding.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

namespace {

LogicalResult createWithAxis(NodeContext &ctx, StringRef opName,
                             ValueRange operands, StringRef axisName,
                             int64_t axis) {
  Builder b(ctx.getContext());
  Value result = ctx.create(
      opName, operands, {b.getNamedAttr(axisName, b.getI64IntegerAttr(axis))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// An index into a dimension of `size` from a constant: negative counts from
/// the end; outside [-size, size) is reported.
std::optional<int64_t> constantIndex(NodeContext &ctx, int64_t index,
                                     int64_t size) {
  if (index < -size || index >= size) {
    ctx.emitError() << "index " << index << " is out of range [" << -size
                    << ", " << size << ")";
    return std::nullopt;
  }
  return index < 0 ? index + size : index;
}

} // namespace

LogicalResult importGather(NodeContext &ctx) {
  RankedTensorType data = peekInputType(ctx, 0);
  RankedTensorType indices = peekInputType(ctx, 1);
  if (!data || !indices)
    return ctx.emitError() << "expects inputs 'data' and 'indices'";
  int64_t axisAttr = ctx.attrs.getInt("axis", 0);
  if (ctx.attrs.failed())
    return failure();
  std::optional<int64_t> axis = normalizeAxis(ctx, axisAttr, data.getRank());
  if (!axis)
    return failure();
  // Constant indices are checked here; with constant data too, the
  // result is computed here.
  DenseElementsAttr indexValues = denseInput(ctx, 1);
  std::optional<SmallVector<int64_t>> positions =
      indexValues ? getIntegerValues(indexValues) : std::nullopt;
  int64_t size = data.getDimSize(*axis);
  if (positions && !ShapedType::isDynamic(size)) {
    for (int64_t &p : *positions) {
      std::optional<int64_t> index = constantIndex(ctx, p, size);
      if (!index)
        return failure();
      p = *index;
    }
  }
  if (positions && data.hasStaticShape() && denseInput(ctx, 0)) {
    int64_t q = indices.getRank();
    SmallVector<int64_t> shape(data.getShape().take_front(*axis));
    llvm::append_range(shape, indices.getShape());
    llvm::append_range(shape, data.getShape().drop_front(*axis + 1));
    SmallVector<int64_t> strides = rowMajorStrides(data.getShape());
    SmallVector<int64_t> indexStrides = rowMajorStrides(indices.getShape());
    if (foldMoved(ctx, 0, shape, [&](ArrayRef<int64_t> index) {
          int64_t position = 0, at = 0;
          for (int64_t d = 0; d < q; ++d)
            at += index[*axis + d] * indexStrides[d];
          for (int64_t d = 0; d < data.getRank(); ++d) {
            int64_t i = d < *axis    ? index[d]
                        : d == *axis ? (*positions)[at]
                                     : index[d + q - 1];
            position += i * strides[d];
          }
          return position;
        }))
      return success();
  }
  return createWithAxis(ctx, "graph.gather", {ctx.input(0), ctx.input(1)},
                        "axis", *axis);
}

LogicalResult importGatherElements(NodeContext &ctx) {
  RankedTensorType data = peekInputType(ctx, 0);
  if (!data || !ctx.hasInput(1))
    return ctx.emitError() << "expects inputs 'data' and 'indices'";
  int64_t axisAttr = ctx.attrs.getInt("axis", 0);
  if (ctx.attrs.failed())
    return failure();
  std::optional<int64_t> axis = normalizeAxis(ctx, axisAttr, data.getRank());
  if (!axis)
    return failure();
  return createWithAxis(ctx, "graph.gather_elements",
                        {ctx.input(0), ctx.input(1)}, "axis", *axis);
}

LogicalResult importGatherND(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1))
    return ctx.emitError() << "expects inputs 'data' and 'indices'";
  int64_t batchDims = ctx.attrs.getInt("batch_dims", 0);
  if (ctx.attrs.failed())
    return failure();
  return createWithAxis(ctx, "graph.gather_nd", {ctx.input(0), ctx.input(1)},
                        "batch_dims", batchDims);
}

LogicalResult importScatterND(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1) || !ctx.hasInput(2))
    return ctx.emitError() << "expects inputs 'data', 'indices' and "
                              "'updates'";
  std::string reduction = ctx.attrs.getString("reduction", "none");
  if (ctx.attrs.failed())
    return failure();
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.scatter_nd", {ctx.input(0), ctx.input(1), ctx.input(2)},
                 {b.getNamedAttr("reduction", b.getStringAttr(reduction))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// graph.slice of input 0 (of `type`) into output `output`, or the constant
/// it computes to.
static LogicalResult createSlice(NodeContext &ctx, size_t output,
                                 RankedTensorType type,
                                 ArrayRef<int64_t> starts,
                                 ArrayRef<int64_t> sizes,
                                 ArrayRef<int64_t> steps) {
  SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
  if (foldMoved(ctx, output, sizes, [&](ArrayRef<int64_t> index) {
        int64_t position = 0;
        for (size_t d = 0; d < index.size(); ++d)
          position += (starts[d] + index[d] * steps[d]) * strides[d];
        return position;
      }))
    return success();
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.slice", {ctx.input(0)},
                 {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
                  b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
                  b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
  ctx.setOutput(output, result);
  return success(result != nullptr);
}

LogicalResult importSlice(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "data");
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  std::optional<SmallVector<int64_t>> starts, ends, axes, steps;
  if (ctx.opset < 10) {
    starts = ctx.attrs.getInts("starts");
    ends = ctx.attrs.getInts("ends");
    axes = ctx.attrs.getInts("axes");
    if (ctx.attrs.failed())
      return failure();
    if (!starts || !ends)
      return ctx.emitError() << "attributes 'starts' and 'ends' are required";
  } else {
    starts = constantInts(ctx, 1, "starts");
    ends = starts ? constantInts(ctx, 2, "ends") : std::nullopt;
    if (!ends)
      return failure();
    if (ctx.hasInput(3) && !(axes = constantInts(ctx, 3, "axes")))
      return failure();
    if (ctx.hasInput(4) && !(steps = constantInts(ctx, 4, "steps")))
      return failure();
  }
  size_t count = starts->size();
  if (!axes)
    axes = llvm::to_vector(llvm::seq<int64_t>(0, count));
  if (!steps)
    steps = SmallVector<int64_t>(count, 1);
  if (ends->size() != count || axes->size() != count || steps->size() != count)
    return ctx.emitError() << "starts, ends, axes and steps must have the "
                              "same length";
  SmallVector<int64_t> outStarts(rank, 0), sizes(type.getShape()),
      outSteps(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < count; ++i) {
    std::optional<int64_t> axis = normalizeAxis(ctx, (*axes)[i], rank);
    if (!axis)
      return failure();
    if (seen[*axis])
      return ctx.emitError() << "axis " << (*axes)[i] << " is repeated";
    seen[*axis] = true;
    int64_t dim = type.getDimSize(*axis), step = (*steps)[i];
    if (step == 0)
      return ctx.emitError() << "steps must not be 0";
    // ONNX: negative positions count from the end, then clamp to [0, dim]
    // (forward) or [-1, dim - 1] (backward).
    auto clampPosition = [&](int64_t v) {
      if (v < 0)
        v += dim;
      return step > 0 ? std::clamp<int64_t>(v, 0, dim)
                      : std::clamp<int64_t>(v, -1, dim - 1);
    };
    int64_t start = clampPosition((*starts)[i]);
    int64_t end = clampPosition((*ends)[i]);
    int64_t span = step > 0 ? end - start : start - end;
    int64_t magnitude = step > 0 ? step : -step;
    int64_t size = span > 0 ? (span + magnitude - 1) / magnitude : 0;
    sizes[*axis] = size;
    outStarts[*axis] = size > 0 ? start : 0;
    outSteps[*axis] = step;
  }
  return createSlice(ctx, 0, type, outStarts, sizes, outSteps);
}

LogicalResult importSplit(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "input");
  if (!type)
    return failure();
  int64_t axisAttr = ctx.attrs.getInt("axis", 0);
  std::optional<int64_t> numOutputs;
  if (ctx.attrs.has("num_outputs"))
    numOutputs = ctx.attrs.getInt("num_outputs", 0);
  std::optional<SmallVector<int64_t>> split;
  if (ctx.opset < 13)
    split = ctx.attrs.getInts("split");
  if (ctx.attrs.failed())
    return failure();
  if (ctx.opset >= 13 && ctx.hasInput(1) &&
      !(split = constantInts(ctx, 1, "split")))
    return failure();
  std::optional<int64_t> axis = normalizeAxis(ctx, axisAttr, type.getRank());
  if (!axis)
    return failure();
  int64_t dim = type.getDimSize(*axis);
  int64_t outputs = numOutputs.value_or(ctx.node.output_size());
  if (!split) {
    if (outputs < 1)
      return ctx.emitError() << "needs at least one output";
    // Equal parts; from opset 18 the last may be smaller.
    int64_t chunk = (dim + outputs - 1) / outputs;
    if (dim % outputs != 0 && ctx.opset < 18)
      return ctx.emitError() << "dimension " << dim << " does not split "
                             << "into " << outputs << " equal parts";
    split.emplace();
    for (int64_t i = 0, left = dim; i < outputs; ++i, left -= chunk)
      split->push_back(std::max<int64_t>(std::min(chunk, left), 0));
  }
  int64_t total = 0;
  for (int64_t s : *split)
    total += s < 0 ? dim + 1 : s; // a negative size fails the check below
  if (total != dim || static_cast<int>(split->size()) != ctx.node.output_size())
    return ctx.emitError() << "split " << formatShape(*split) << " must have "
                           << ctx.node.output_size()
                           << " non-negative sizes adding up to " << dim;
  SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape()),
      steps(type.getRank(), 1);
  for (auto [i, size] : llvm::enumerate(*split)) {
    sizes[*axis] = size;
    if (ctx.hasOutput(i) &&
        failed(createSlice(ctx, i, type, starts, sizes, steps)))
      return failure();
    starts[*axis] += size;
  }
  return success();
}

/// A scalar constant as an attribute of `element`.
static TypedAttr scalarAttr(Type element, ElementsAttr value) {
  if (isa<FloatType>(element)) {
    std::optional<SmallVector<double>> v = getFloatValues(value);
    return v ? FloatAttr::get(element, v->front()) : nullptr;
  }
  std::optional<SmallVector<int64_t>> v = getIntegerValues(value);
  if (!v)
    return nullptr;
  return IntegerAttr::get(element,
                          APInt(element.getIntOrFloatBitWidth(),
                                static_cast<uint64_t>(v->front()),
                                /*isSigned=*/false, /*implicitTrunc=*/true));
}

/// The ONNX pads of opset 11+ (inputs 'pads' and 'axes') as strata's
/// begin-then-end list over every axis; nullopt after an error.
static std::optional<SmallVector<int64_t>> allPads(NodeContext &ctx, int64_t rank,
                                            ArrayRef<int64_t> pads,
                                            std::optional<SmallVector<int64_t>> axes) {
  // With `axes`, pads lists begins then ends of those axes only.
  SmallVector<int64_t> all(2 * rank, 0);
  SmallVector<int64_t> padAxes =
      axes ? *axes : llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (pads.size() != 2 * padAxes.size()) {
    ctx.emitError() << "pads " << formatShape(pads) << " must have "
                    << 2 * padAxes.size() << " values";
    return std::nullopt;
  }
  for (auto [i, a] : llvm::enumerate(padAxes)) {
    std::optional<int64_t> axis = normalizeAxis(ctx, a, rank);
    if (!axis)
      return std::nullopt;
    all[*axis] = pads[i];
    all[*axis + rank] = pads[i + padAxes.size()];
  }
  if (llvm::any_of(all, [](int64_t p) { return p < 0; })) {
    ctx.emitError() << "negative pads " << formatShape(all)
                    << " (cropping) are not supported";
    return std::nullopt;
  }
  return all;
}

/// Pad in constant mode whose 'constant_value' is computed at run time:
/// pad with zeros, then select the value where a padded all-true mask is
/// false (the border).
static LogicalResult importPadWithRuntimeValue(NodeContext &ctx,
                                               RankedTensorType type) {
  std::optional<SmallVector<int64_t>> pads = constantInts(ctx, 1, "pads");
  if (!pads)
    return failure();
  std::optional<SmallVector<int64_t>> axes;
  if (ctx.hasInput(3) && !(axes = constantInts(ctx, 3, "axes")))
    return failure();
  RankedTensorType valueType = ctx.inputType(2);
  if (!valueType || valueType.getNumElements() != 1 ||
      valueType.getElementType() != type.getElementType())
    return ctx.emitError() << "input 'constant_value' must be a scalar of the "
                           << "data's type";
  std::optional<SmallVector<int64_t>> all =
      allPads(ctx, type.getRank(), *pads, axes);
  if (!all)
    return failure();
  Builder b(ctx.getContext());
  auto padOf = [&](Value input, TypedAttr fill) {
    SmallVector<NamedAttribute> attrs = {
        b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*all)),
        b.getNamedAttr("mode", b.getStringAttr("constant"))};
    if (fill)
      attrs.push_back(b.getNamedAttr("value", fill));
    return ctx.create("graph.pad", {input}, attrs);
  };
  auto maskType = RankedTensorType::get(type.getShape(), b.getI1Type());
  Value inside = ctx.create(
      "graph.constant", {},
      {b.getNamedAttr("value", DenseElementsAttr::get(maskType, true))});
  Value padded = padOf(ctx.input(0), nullptr);
  Value mask = inside ? padOf(inside, b.getBoolAttr(false)) : nullptr;
  if (!padded || !mask)
    return failure();
  Value result = ctx.create("graph.where", {mask, padded, ctx.input(2)});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// Pad mode 'wrap' (circular): along each padded axis of size n, output
/// element i reads input element (i - before) mod n; one graph.gather of
/// constant indices per axis. `all` is [begin..., end...].
static LogicalResult importWrapPad(NodeContext &ctx, RankedTensorType type,
                                   ArrayRef<int64_t> all) {
  int64_t rank = type.getRank();
  Builder b(ctx.getContext());
  Value result = ctx.input(0);
  for (int64_t d = 0; d < rank && result; ++d) {
    int64_t n = type.getDimSize(d), before = all[d], after = all[rank + d];
    if (before == 0 && after == 0)
      continue;
    int64_t size = n + before + after;
    if (n == 0 || size < 0)
      return ctx.emitError() << "pads of axis " << d << " do not fit its size "
                             << n;
    SmallVector<int64_t> indices;
    for (int64_t i = 0; i < size; ++i)
      indices.push_back((((i - before) % n) + n) % n);
    auto indexType = RankedTensorType::get({size}, b.getI64Type());
    Value constant = ctx.create(
        "graph.constant", {},
        {b.getNamedAttr("value", DenseElementsAttr::get(
                                     indexType, ArrayRef<int64_t>(indices)))});
    result = constant ? ctx.create("graph.gather", {result, constant},
                                   {b.getNamedAttr("axis",
                                                   b.getI64IntegerAttr(d))})
                      : nullptr;
  }
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

LogicalResult importPad(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "data");
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  Type element = type.getElementType();
  std::string mode = ctx.attrs.getString("mode", "constant");
  std::optional<SmallVector<int64_t>> pads, axes;
  TypedAttr value;
  if (ctx.opset < 11) {
    pads = ctx.attrs.getInts(ctx.opset < 2 ? "paddings" : "pads");
    float v = ctx.attrs.getFloat("value", 0);
    if (isa<FloatType>(element))
      value = FloatAttr::get(element, v);
    else if (element.isIntOrIndex())
      value = IntegerAttr::get(element, static_cast<int64_t>(v));
    if (ctx.attrs.failed())
      return failure();
    if (!pads)
      return ctx.emitError() << "attribute 'pads' is required";
  } else {
    if (ctx.attrs.failed() || !(pads = constantInts(ctx, 1, "pads")))
      return failure();
    if (ctx.hasInput(2) && !ctx.constantValue(2) && mode == "constant")
      return importPadWithRuntimeValue(ctx, type);
    if (ctx.hasInput(2)) {
      FailureOr<ElementsAttr> v = ctx.constantInput(2, "constant_value");
      if (failed(v))
        return failure();
      if (v->getNumElements() != 1 || !(value = scalarAttr(element, *v)))
        return ctx.emitError() << "input 'constant_value' must be a scalar "
                               << "of the data's type";
    }
    if (ctx.hasInput(3) && !(axes = constantInts(ctx, 3, "axes")))
      return failure();
  }
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      mode != "wrap")
    return ctx.emitError() << "mode '" << mode << "' is not supported "
                           << "(constant, reflect, edge, wrap)";
  std::optional<SmallVector<int64_t>> all = allPads(ctx, rank, *pads, axes);
  if (!all)
    return failure();
  if (mode == "wrap")
    return importWrapPad(ctx, type, *all);
  Builder b(ctx.getContext());
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*all)),
      b.getNamedAttr("mode", b.getStringAttr(mode))};
  if (mode == "constant" && value)
    attrs.push_back(b.getNamedAttr("value", value));
  Value result = ctx.create("graph.pad", {ctx.input(0)}, attrs);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// Trilu whose `k` is computed at run time: x where (j - i >= k) (upper)
/// or (j - i <= k) (lower), else 0, with j - i a constant [N, M] tensor.
static LogicalResult importTriluWithRuntimeK(NodeContext &ctx, bool upper) {
  RankedTensorType type = ctx.inputType(0), kType = ctx.inputType(1);
  if (!type || type.getRank() < 2 || !type.hasStaticShape())
    return ctx.emitError() << "expects a static input of rank 2 or more";
  if (!kType || kType.getNumElements() != 1 ||
      !kType.getElementType().isInteger(64))
    return ctx.emitError() << "input 'k' must be an int64 scalar";
  int64_t rows = type.getDimSize(type.getRank() - 2),
          cols = type.getDimSize(type.getRank() - 1);
  SmallVector<int64_t> offsets;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      offsets.push_back(j - i);
  Builder b(ctx.getContext());
  auto constant = [&](DenseElementsAttr value) {
    return ctx.create("graph.constant", {},
                      {b.getNamedAttr("value", value)});
  };
  Value diagonal = constant(DenseElementsAttr::get(
      RankedTensorType::get({rows, cols}, b.getI64Type()),
      ArrayRef<int64_t>(offsets)));
  Value zero = constant(DenseElementsAttr::get(
      RankedTensorType::get({}, type.getElementType()),
      b.getZeroAttr(type.getElementType())));
  Value keep =
      diagonal ? ctx.create(upper ? "graph.greater_or_equal" : "graph.less_or_equal",
                            {diagonal, ctx.input(1)})
               : nullptr;
  Value result = keep && zero
                     ? ctx.create("graph.where", {keep, ctx.input(0), zero})
                     : nullptr;
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importTrilu(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  if (ctx.hasInput(1) && !ctx.constantValue(1)) {
    bool upper = ctx.attrs.getInt("upper", 1) != 0;
    if (ctx.attrs.failed())
      return failure();
    return importTriluWithRuntimeK(ctx, upper);
  }
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    std::optional<SmallVector<int64_t>> values = constantInts(ctx, 1, "k");
    if (!values)
      return failure();
    if (values->size() != 1)
      return ctx.emitError() << "input 'k' must be a scalar";
    k = values->front();
  }
  bool upper = ctx.attrs.getInt("upper", 1) != 0;
  if (ctx.attrs.failed())
    return failure();
  Builder b(ctx.getContext());
  Value result = ctx.create("graph.trilu", {ctx.input(0)},
                            {b.getNamedAttr("upper", b.getBoolAttr(upper)),
                             b.getNamedAttr("k", b.getI64IntegerAttr(k))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importOneHot(NodeContext &ctx) {
  RankedTensorType indices = peekInputType(ctx, 0);
  if (!indices || !ctx.hasInput(2))
    return ctx.emitError() << "expects inputs 'indices', 'depth' and "
                              "'values'";
  FailureOr<ElementsAttr> depthValue = ctx.constantInput(1, "depth");
  if (failed(depthValue))
    return failure();
  std::optional<SmallVector<double>> asFloat = getFloatValues(*depthValue);
  std::optional<SmallVector<int64_t>> asInt = getIntegerValues(*depthValue);
  if (depthValue->getNumElements() != 1 || (!asFloat && !asInt))
    return ctx.emitError() << "input 'depth' must be a scalar";
  int64_t depth =
      asInt ? asInt->front() : static_cast<int64_t>(asFloat->front());
  int64_t axisAttr = ctx.attrs.getInt("axis", -1);
  if (ctx.attrs.failed())
    return failure();
  // The axis is of the result, which has one more dimension.
  std::optional<int64_t> axis =
      normalizeAxis(ctx, axisAttr, indices.getRank() + 1);
  if (!axis)
    return failure();
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.one_hot", {ctx.input(0), ctx.input(2)},
                 {b.getNamedAttr("depth", b.getI64IntegerAttr(depth)),
                  b.getNamedAttr("axis", b.getI64IntegerAttr(*axis))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
