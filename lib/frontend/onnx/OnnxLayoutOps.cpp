//===- OnnxLayoutOps.cpp - Squeeze, Unsqueeze, DepthToSpace, Tile, Shape --===//
//
// Squeeze, Unsqueeze, DepthToSpace and SpaceToDepth are reshapes (and
// transposes) of the graph dialect. Shape, Size, Range and ConstantOfShape
// only ever produce constants: shapes are static.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "lib/frontend/onnx/OnnxFolding.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

using namespace mlir;

namespace strata::onnx_import {

namespace {

/// Axes from an attribute (before `inputFromOpset`) or a constant input 1;
/// nullopt when absent. `failed` is set after an error.
std::optional<SmallVector<int64_t>>
axesOf(NodeContext &ctx, int64_t inputFromOpset, bool &failed) {
  if (ctx.opset < inputFromOpset) {
    std::optional<SmallVector<int64_t>> axes = ctx.attrs.getInts("axes");
    failed = ctx.attrs.failed();
    return axes;
  }
  if (!ctx.hasInput(1))
    return std::nullopt;
  std::optional<SmallVector<int64_t>> axes = constantInts(ctx, 1, "axes");
  failed = !axes;
  return axes;
}

/// Output 0 as graph.reshape of `input` (null after an error) to `shape`.
LogicalResult reshapeTo(NodeContext &ctx, Value input,
                        ArrayRef<int64_t> shape) {
  if (!input)
    return failure();
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.reshape", {input},
                 {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// Output 0 as input 0 reshaped to `shape`, or the constant that computes.
LogicalResult reshapeInput(NodeContext &ctx, ArrayRef<int64_t> shape) {
  if (foldReshape(ctx, shape))
    return success();
  return reshapeTo(ctx, ctx.input(0), shape);
}

} // namespace

LogicalResult importSqueeze(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "data");
  if (!type)
    return failure();
  bool failed = false;
  std::optional<SmallVector<int64_t>> axes = axesOf(ctx, 13, failed);
  if (failed)
    return failure();
  SmallVector<bool> drop(type.getRank(), false);
  if (!axes) {
    for (int64_t d = 0; d < type.getRank(); ++d)
      drop[d] = type.getDimSize(d) == 1;
  }
  for (int64_t a : axes.value_or(SmallVector<int64_t>())) {
    std::optional<int64_t> axis = normalizeAxis(ctx, a, type.getRank());
    if (!axis)
      return failure();
    if (type.getDimSize(*axis) != 1)
      return ctx.emitError() << "cannot squeeze axis " << a << " of size "
                             << type.getDimSize(*axis) << " (of "
                             << formatShape(type.getShape()) << ")";
    drop[*axis] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!drop[d])
      shape.push_back(type.getDimSize(d));
  return reshapeInput(ctx, shape);
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "data");
  if (!type)
    return failure();
  bool failed = false;
  std::optional<SmallVector<int64_t>> axes = axesOf(ctx, 13, failed);
  if (failed)
    return failure();
  if (!axes)
    return ctx.emitError() << "needs 'axes'";
  // Axes are positions in the result.
  int64_t rank = type.getRank() + axes->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t a : *axes) {
    std::optional<int64_t> axis = normalizeAxis(ctx, a, rank);
    if (!axis)
      return failure();
    if (inserted[*axis])
      return ctx.emitError() << "axis " << a << " is repeated";
    inserted[*axis] = true;
  }
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> dims = type.getShape();
  for (int64_t d = 0; d < rank; ++d) {
    if (inserted[d]) {
      shape.push_back(1);
    } else {
      shape.push_back(dims.front());
      dims = dims.drop_front();
    }
  }
  return reshapeInput(ctx, shape);
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth as reshape, transpose,
/// reshape of an NCHW tensor.
LogicalResult importDepthSpace(NodeContext &ctx) {
  bool toSpace = ctx.node.op_type() == "DepthToSpace";
  RankedTensorType type = staticInputType(ctx, 0, "input");
  if (!type)
    return failure();
  int64_t block = ctx.attrs.getInt("blocksize", 0);
  std::string mode = ctx.attrs.getString("mode", "DCR");
  if (ctx.attrs.failed())
    return failure();
  if (type.getRank() != 4)
    return ctx.emitError() << "expects a rank-4 NCHW input, got "
                           << formatShape(type.getShape());
  if (mode != "DCR" && mode != "CRD")
    return ctx.emitError() << "mode '" << mode << "' is not DCR or CRD";
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  if (block < 1 ||
      (toSpace ? c % (block * block) != 0 : h % block != 0 || w % block != 0))
    return ctx.emitError() << "blocksize " << block << " does not divide "
                           << (toSpace ? "the channels of "
                                       : "the spatial "
                                         "dims of ")
                           << formatShape(type.getShape());
  SmallVector<int64_t> expanded, perm, result;
  if (!toSpace) {
    // Output channels ordered (row, column, channel) for DCR and (channel,
    // row, column) for CRD (opset 24's `mode`).
    expanded = {n, c, h / block, block, w / block, block};
    perm = mode == "DCR" ? SmallVector<int64_t>{0, 3, 5, 1, 2, 4}
                         : SmallVector<int64_t>{0, 1, 3, 5, 2, 4};
    result = {n, c * block * block, h / block, w / block};
  } else if (mode == "DCR") {
    expanded = {n, block, block, c / (block * block), h, w};
    perm = {0, 3, 4, 1, 5, 2};
  } else {
    expanded = {n, c / (block * block), block, block, h, w};
    perm = {0, 1, 4, 2, 5, 3};
  }
  if (toSpace)
    result = {n, c / (block * block), h * block, w * block};
  Builder b(ctx.getContext());
  Value reshaped =
      ctx.create("graph.reshape", {ctx.input(0)},
                 {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(expanded))});
  Value transposed =
      reshaped
          ? ctx.create("graph.transpose", {reshaped},
                       {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))})
          : nullptr;
  return reshapeTo(ctx, transposed, result);
}

LogicalResult importTile(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "input");
  if (!type)
    return failure();
  if (ctx.opset < 6)
    return ctx.emitError() << "Tile before opset 6 is not supported";
  std::optional<SmallVector<int64_t>> repeats = constantInts(ctx, 1, "repeats");
  if (!repeats)
    return failure();
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return ctx.emitError() << "input 'repeats' must have " << type.getRank()
                           << " integers";
  SmallVector<int64_t> shape;
  for (auto [dim, repeat] : llvm::zip(type.getShape(), *repeats))
    shape.push_back(dim * std::max<int64_t>(repeat, 0));
  SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
  if (llvm::all_of(*repeats, [](int64_t r) { return r >= 0; }) &&
      foldMoved(ctx, 0, shape, [&](ArrayRef<int64_t> index) {
        int64_t position = 0;
        for (size_t d = 0; d < index.size(); ++d)
          position += (index[d] % type.getDimSize(d)) * strides[d];
        return position;
      }))
    return success();
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.tile", {ctx.input(0)},
                 {b.getNamedAttr("repeats", b.getDenseI64ArrayAttr(*repeats))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importExpand(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "input");
  if (!type)
    return failure();
  std::optional<SmallVector<int64_t>> shape = constantInts(ctx, 1, "shape");
  if (!shape)
    return failure();
  // The result shape: numpy broadcasting of the input's and `shape`.
  size_t rank = std::max<size_t>(type.getRank(), shape->size());
  SmallVector<int64_t> result(rank, 1);
  bool ok = true;
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i + type.getRank() >= rank
                    ? type.getDimSize(i + type.getRank() - rank)
                    : 1;
    int64_t s =
        i + shape->size() >= rank ? (*shape)[i + shape->size() - rank] : 1;
    ok = ok && (a == s || a == 1 || s == 1) && s >= 0;
    result[i] = a == 1 ? s : a;
  }
  if (ok && foldBroadcast(ctx, result))
    return success();
  // Otherwise graph.expand reports a shape that does not broadcast.
  Builder b(ctx.getContext());
  Value expanded =
      ctx.create("graph.expand", {ctx.input(0)},
                 {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(*shape))});
  ctx.setOutput(0, expanded);
  return success(expanded != nullptr);
}

static DenseElementsAttr i64Tensor(MLIRContext *context,
                                   ArrayRef<int64_t> shape,
                                   ArrayRef<int64_t> values) {
  return DenseElementsAttr::get(
      RankedTensorType::get(shape, IntegerType::get(context, 64)), values);
}

LogicalResult importShape(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "data");
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  int64_t start = ctx.attrs.getInt("start", 0);
  int64_t end = ctx.attrs.getInt("end", rank);
  if (ctx.attrs.failed())
    return failure();
  // Negative counts from the back; both clamp to [0, rank].
  auto clampDim = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  start = clampDim(start);
  end = std::max(clampDim(end), start);
  ArrayRef<int64_t> dims = type.getShape().slice(start, end - start);
  ctx.setConstantOutput(0, i64Tensor(ctx.getContext(), {end - start}, dims));
  return success();
}

LogicalResult importSize(NodeContext &ctx) {
  RankedTensorType type = staticInputType(ctx, 0, "data");
  if (!type)
    return failure();
  ctx.setConstantOutput(
      0, i64Tensor(ctx.getContext(), {}, {type.getNumElements()}));
  return success();
}

/// The most elements a Range computed at import may have.
constexpr int64_t kMaxFoldedRange = int64_t(1) << 24;

LogicalResult importRange(NodeContext &ctx) {
  SmallVector<ElementsAttr> inputs;
  const char *names[] = {"start", "limit", "delta"};
  for (auto [i, name] : llvm::enumerate(names)) {
    FailureOr<ElementsAttr> value = ctx.constantInput(i, name);
    if (failed(value))
      return failure();
    if (value->getNumElements() != 1)
      return ctx.emitError() << "input '" << name << "' must be a scalar";
    inputs.push_back(*value);
  }
  Type element = inputs[0].getElementType();
  if (llvm::any_of(inputs, [&](ElementsAttr v) {
        return v.getElementType() != element;
      }))
    return ctx.emitError() << "start, limit and delta must have one type";
  auto type = [&](int64_t n) { return RankedTensorType::get({n}, element); };
  // Range is computed here, at import: a count beyond kMaxFoldedRange is a
  // malformed model (real ones count positions or axes), and must not take
  // the compiler's memory.
  auto tooLong = [&](double count) {
    return ctx.emitError() << "start, limit and delta give " << count
                           << " elements; strata computes Range at import "
                           << "and takes at most " << kMaxFoldedRange;
  };
  if (isa<FloatType>(element)) {
    double start = getFloatValues(inputs[0])->front();
    double limit = getFloatValues(inputs[1])->front();
    double delta = getFloatValues(inputs[2])->front();
    if (delta == 0)
      return ctx.emitError() << "delta must not be 0";
    double count = std::ceil((limit - start) / delta);
    if (std::isnan(count))
      return ctx.emitError() << "start, limit and delta must be finite";
    if (count > double(kMaxFoldedRange))
      return tooLong(count);
    int64_t n = std::max<int64_t>(count, 0);
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back(FloatAttr::get(element, start + i * delta));
    ctx.setConstantOutput(0, DenseElementsAttr::get(type(n), values));
    return success();
  }
  std::optional<SmallVector<int64_t>> start = getIntegerValues(inputs[0]);
  std::optional<SmallVector<int64_t>> limit = getIntegerValues(inputs[1]);
  std::optional<SmallVector<int64_t>> delta = getIntegerValues(inputs[2]);
  if (!start || !limit || !delta)
    return ctx.emitError() << "start, limit and delta must be numbers";
  int64_t s = start->front(), l = limit->front(), d = delta->front();
  if (d == 0)
    return ctx.emitError() << "delta must not be 0";
  // In 128 bits: limit - start and -delta overflow 64 for extreme values.
  __int128 span = d > 0 ? __int128(l) - s : __int128(s) - l;
  __int128 step = d > 0 ? __int128(d) : -__int128(d);
  __int128 count = span > 0 ? (span + step - 1) / step : 0;
  if (count > __int128(kMaxFoldedRange))
    return tooLong(double(count));
  int64_t n = int64_t(count);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < n; ++i)
    // Modulo 2^64: the value lies between start and limit, so it is exact
    // even where i * delta alone would overflow.
    values.push_back(IntegerAttr::get(
        element, int64_t(uint64_t(s) + uint64_t(i) * uint64_t(d))));
  ctx.setConstantOutput(0, DenseElementsAttr::get(type(n), values));
  return success();
}

LogicalResult importConstantOfShape(NodeContext &ctx) {
  std::optional<SmallVector<int64_t>> shape = constantInts(ctx, 0, "input");
  if (!shape)
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return ctx.emitError() << "input 'input' must hold non-negative integers";
  Attribute element;
  if (const onnx::TensorProto *tensor = ctx.attrs.getTensor("value")) {
    onnx::TensorProto copy = *tensor;
    FailureOr<ElementsAttr> value = convertTensor(copy, ctx.loc, "");
    if (failed(value))
      return failure();
    DenseElementsAttr dense = asDense(*value);
    if (!dense || dense.getNumElements() != 1)
      return ctx.emitError() << "attribute 'value' must hold one element";
    element = *dense.getValues<Attribute>().begin();
  } else {
    element = FloatAttr::get(Float32Type::get(ctx.getContext()), 0.0);
  }
  if (ctx.attrs.failed())
    return failure();
  auto typed = cast<TypedAttr>(element);
  auto type = RankedTensorType::get(*shape, typed.getType());
  if (failed(ctx.checkSize(type)))
    return failure();
  ctx.setConstantOutput(0, DenseElementsAttr::get(type, typed));
  return success();
}

} // namespace strata::onnx_import
