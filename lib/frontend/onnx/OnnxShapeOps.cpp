//===- OnnxShapeOps.cpp - Reshape, Flatten, Transpose, Concat, Softmax ----===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "lib/frontend/onnx/OnnxFolding.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace strata::onnx_import {

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;
} // namespace

/// Resolves ONNX's reshape conventions (0 copies the input dimension unless
/// `allowZero`; one -1 is inferred) into the fully static shape that
/// graph.reshape takes.
static FailureOr<SmallVector<int64_t>>
resolveReshape(NodeContext &ctx, ArrayRef<int64_t> input,
               SmallVector<int64_t> target, bool allowZero) {
  const SmallVector<int64_t> original = target; // for messages
  std::optional<size_t> inferred;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t &d = target[i];
    if (d == 0 && !allowZero) {
      if (i >= input.size())
        return ctx.emitError() << "shape " << formatShape(original)
                               << " copies dimension " << i << " (a 0) of a "
                               << "rank-" << input.size() << " input";
      d = input[i];
    } else if (d == -1) {
      if (inferred)
        return ctx.emitError()
               << "shape " << formatShape(original) << " has more than one -1";
      inferred = i;
    } else if (d < 0) {
      return ctx.emitError() << "shape " << formatShape(original)
                             << " has an invalid entry " << d;
    }
  }
  auto product = [](ArrayRef<int64_t> dims) -> std::optional<int64_t> {
    int64_t p = 1;
    for (int64_t d : dims) {
      if (d == kDyn)
        return std::nullopt;
      p *= d;
    }
    return p;
  };
  std::optional<int64_t> total = product(input);
  if (inferred) {
    target[*inferred] = 1;
    std::optional<int64_t> known = product(target);
    target[*inferred] = kDyn;
    if (total && known) {
      if (*known == 0 || *total % *known != 0)
        return ctx.emitError()
               << "cannot reshape " << formatShape(input) << " (" << *total
               << " elements) to " << formatShape(original);
      target[*inferred] = *total / *known;
    }
  }
  if (llvm::is_contained(target, kDyn))
    return ctx.emitError() << "cannot reshape " << formatShape(input) << " to "
                           << formatShape(original)
                           << ": the target shape must resolve to a static "
                           << "shape, got " << formatShape(target);
  return target;
}

LogicalResult importReshape(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects a 'data' input";
  SmallVector<int64_t> target;
  if (ctx.opset < 5) {
    std::optional<SmallVector<int64_t>> shape = ctx.attrs.getInts("shape");
    if (!shape)
      return ctx.attrs.failed()
                 ? failure()
                 : ctx.emitError() << "attribute 'shape' is required";
    target = std::move(*shape);
  } else {
    FailureOr<ElementsAttr> shape = ctx.constantInput(1, "shape");
    if (failed(shape))
      return failure();
    std::optional<SmallVector<int64_t>> values = getIntegerValues(*shape);
    if (!values)
      return ctx.emitError() << "input 'shape' must be an integer tensor";
    target = std::move(*values);
  }
  bool allowZero = ctx.opset >= 14 && ctx.attrs.getInt("allowzero", 0) != 0;
  if (ctx.attrs.failed())
    return failure();
  FailureOr<SmallVector<int64_t>> resolved = resolveReshape(
      ctx, peekInputType(ctx, 0).getShape(), std::move(target), allowZero);
  if (failed(resolved))
    return failure();
  if (foldReshape(ctx, *resolved))
    return success();
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.reshape", {ctx.input(0)},
                 {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(*resolved))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importFlatten(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  int64_t axis = ctx.attrs.getInt("axis", 1);
  if (ctx.attrs.failed())
    return failure();
  // axis may equal the rank (giving [N, 1]); negative from opset 11.
  RankedTensorType type = peekInputType(ctx, 0);
  std::optional<int64_t> normalized =
      normalizeAxis(ctx, axis, type.getRank(), /*extra=*/1);
  if (!normalized)
    return failure();
  if (type.hasStaticShape() &&
      foldReshape(ctx, {ShapedType::getNumElements(
                            type.getShape().take_front(*normalized)),
                        ShapedType::getNumElements(
                            type.getShape().drop_front(*normalized))}))
    return success();
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.flatten", {ctx.input(0)},
                 {b.getNamedAttr("axis", b.getI64IntegerAttr(*normalized))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importTranspose(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  std::optional<SmallVector<int64_t>> perm = ctx.attrs.getInts("perm");
  if (ctx.attrs.failed())
    return failure();
  if (!perm) {
    // Default: reverse the dimensions.
    perm.emplace();
    for (int64_t i = peekInputType(ctx, 0).getRank() - 1; i >= 0; --i)
      perm->push_back(i);
  }
  if (foldTranspose(ctx, *perm))
    return success();
  // graph.transpose's inference rejects an invalid perm, naming the node.
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.transpose", {ctx.input(0)},
                 {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(*perm))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importConcat(NodeContext &ctx) {
  int first = 0;
  while (first < ctx.node.input_size() && !ctx.hasInput(first))
    ++first;
  if (first == ctx.node.input_size())
    return ctx.emitError() << "expects at least one input";
  // `axis` was optional (default 1) before opset 4.
  if (ctx.opset >= 4 && !ctx.attrs.has("axis"))
    return ctx.emitError() << "attribute 'axis' is required";
  int64_t axis = ctx.attrs.getInt("axis", 1);
  if (ctx.attrs.failed())
    return failure();
  std::optional<int64_t> normalized =
      normalizeAxis(ctx, axis, peekInputType(ctx, first).getRank());
  if (!normalized)
    return failure();
  if (foldConcat(ctx, *normalized))
    return success();
  SmallVector<Value> inputs;
  for (int i = first; i < ctx.node.input_size(); ++i)
    if (ctx.hasInput(i))
      inputs.push_back(ctx.input(i));
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.concat", inputs,
                 {b.getNamedAttr("axis", b.getI64IntegerAttr(*normalized))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importSoftmax(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  bool legacy = ctx.opset < 13;
  int64_t axis = ctx.attrs.getInt("axis", legacy ? 1 : -1);
  if (ctx.attrs.failed())
    return failure();
  std::optional<int64_t> normalized = normalizeAxis(ctx, axis, rank);
  if (!normalized)
    return failure();
  Builder b(ctx.getContext());
  StringRef opName = llvm::StringSwitch<StringRef>(ctx.node.op_type())
                         .Case("LogSoftmax", "graph.log_softmax")
                         .Case("Hardmax", "graph.hardmax")
                         .Default("graph.softmax");
  auto softmax = [&](Value input, int64_t softmaxAxis) {
    return ctx.create(
        opName, {input},
        {b.getNamedAttr("axis", b.getI64IntegerAttr(softmaxAxis))});
  };
  // Before opset 13, Softmax (LogSoftmax, Hardmax) coerced its input to 2-D
  // at `axis` and normalized over all of [axis, rank): for the last axis
  // that is today's op; otherwise reshape to 2-D, apply over axis 1, reshape
  // back.
  if (!legacy || *normalized == rank - 1) {
    Value result = softmax(ctx.input(0), *normalized);
    ctx.setOutput(0, result);
    return success(result != nullptr);
  }
  if (!type.hasStaticShape())
    return ctx.emitError() << ctx.node.op_type()
                           << " before opset 13 over axis "
                           << *normalized << " of a rank-" << rank
                           << " input needs a static shape, got "
                           << formatShape(type.getShape());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < *normalized ? outer : inner) *= shape[i];
  auto reshape = [&](Value input, ArrayRef<int64_t> to) -> Value {
    if (!input)
      return nullptr;
    return ctx.create("graph.reshape", {input},
                      {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(to))});
  };
  Value flat = reshape(ctx.input(0), {outer, inner});
  Value normalizedFlat = flat ? softmax(flat, 1) : nullptr;
  Value result = reshape(normalizedFlat, shape);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
