//===- OnnxResizeOps.cpp - Resize (opsets 10-19) and Upsample -------------===//
//
// Every form becomes one graph.resize with a scale and a size per
// dimension: the scales or sizes input (a constant), `axes` and
// `keep_aspect_ratio_policy` are resolved here the way onnxruntime does
// (sizes give the float scale size / in; scales give the size
// floor(in * scale) in float arithmetic). Resize-10 and Upsample read
// coordinates as `asymmetric` with the `simple` nearest rounding.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;

namespace strata::onnx_import {

namespace {

/// One resize, as graph.resize takes it.
struct ResizePlan {
  SmallVector<int64_t> sizes;
  SmallVector<float> scales;
  std::string mode = "nearest";
  std::string transform = "asymmetric";
  std::string nearestMode = "simple";
  float cubicCoeffA = -0.75f;
  bool excludeOutside = false;
  float extrapolationValue = 0.0f;
  std::optional<SmallVector<float>> roi;
};

/// Sizes of `input` scaled by `scales` (one per dimension).
LogicalResult sizesFromScales(NodeContext &ctx, RankedTensorType input,
                              ResizePlan &plan) {
  for (auto [d, scale] : llvm::enumerate(plan.scales)) {
    if (!(scale > 0.0f))
      return ctx.emitError() << "input 'scales' must be positive, got " << scale
                             << " for dimension " << d;
    float size = static_cast<float>(input.getDimSize(d)) * scale;
    plan.sizes.push_back(static_cast<int64_t>(size));
    if (plan.sizes.back() < 1)
      return ctx.emitError()
             << "scale " << scale << " leaves dimension " << d << " of "
             << formatShape(input.getShape()) << " empty";
  }
  return success();
}

Value createResize(NodeContext &ctx, const ResizePlan &plan) {
  Builder b(ctx.getContext());
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(plan.sizes)),
      b.getNamedAttr("scales", b.getDenseF32ArrayAttr(plan.scales)),
      b.getNamedAttr("mode", b.getStringAttr(plan.mode)),
      b.getNamedAttr("coordinate_transformation_mode",
                     b.getStringAttr(plan.transform)),
      b.getNamedAttr("nearest_mode", b.getStringAttr(plan.nearestMode)),
      b.getNamedAttr("cubic_coeff_a", b.getF32FloatAttr(plan.cubicCoeffA)),
      b.getNamedAttr("exclude_outside", b.getBoolAttr(plan.excludeOutside)),
      b.getNamedAttr("extrapolation_value",
                     b.getF32FloatAttr(plan.extrapolationValue))};
  if (plan.roi)
    attrs.push_back(b.getNamedAttr("roi", b.getDenseF32ArrayAttr(*plan.roi)));
  return ctx.create("graph.resize", {ctx.input(0)}, attrs);
}

/// The input's type, which must be static (the coordinates are computed at
/// compile time).
FailureOr<RankedTensorType> staticInput(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  RankedTensorType input = ctx.inputType(0);
  if (!input)
    return failure();
  if (!input.hasStaticShape())
    return ctx.emitError() << "needs a static input shape, got "
                           << formatShape(input.getShape())
                           << " (pin it with --input-shape)";
  return input;
}

/// A constant float input (ONNX name `what`), or an empty vector when the
/// input is absent or an empty tensor.
FailureOr<SmallVector<float>> floatInput(NodeContext &ctx, size_t i,
                                         StringRef what) {
  if (!ctx.hasInput(i))
    return SmallVector<float>();
  FailureOr<ElementsAttr> value = ctx.constantInput(i, what);
  if (failed(value))
    return failure();
  std::optional<SmallVector<double>> values = getFloatValues(*value);
  if (!values)
    return ctx.emitError() << "input '" << what << "' must be a float tensor";
  return SmallVector<float>(values->begin(), values->end());
}

/// "nearest", "linear"; "bilinear" is Upsample-1's name for linear.
LogicalResult readMode(NodeContext &ctx, ResizePlan &plan) {
  plan.mode = ctx.attrs.getString("mode", "nearest");
  if (plan.mode == "bilinear")
    plan.mode = "linear";
  if (ctx.attrs.failed())
    return failure();
  if (plan.mode != "nearest" && plan.mode != "linear" &&
      (plan.mode != "cubic" || ctx.node.op_type() != "Resize" ||
       ctx.opset < 11))
    return ctx.emitError() << "attribute 'mode' has unsupported value '"
                           << plan.mode << "'";
  return success();
}

} // namespace

LogicalResult importResize(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = staticInput(ctx);
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  ResizePlan plan;
  if (failed(readMode(ctx, plan)))
    return failure();

  if (ctx.opset < 11) {
    // Resize-10: (X, scales).
    FailureOr<SmallVector<float>> scales = floatInput(ctx, 1, "scales");
    if (failed(scales))
      return failure();
    if (static_cast<int64_t>(scales->size()) != rank)
      return ctx.emitError() << "input 'scales' must have " << rank
                             << " values, got " << scales->size();
    plan.scales = *scales;
    if (failed(sizesFromScales(ctx, *input, plan)))
      return failure();
    Value result = createResize(ctx, plan);
    ctx.setOutput(0, result);
    return success(result != nullptr);
  }

  plan.transform =
      ctx.attrs.getString("coordinate_transformation_mode", "half_pixel");
  plan.cubicCoeffA = ctx.attrs.getFloat("cubic_coeff_a", -0.75f);
  plan.excludeOutside = ctx.attrs.getInt("exclude_outside", 0) != 0;
  plan.extrapolationValue = ctx.attrs.getFloat("extrapolation_value", 0.0f);
  plan.nearestMode = ctx.attrs.getString("nearest_mode", "round_prefer_floor");
  bool antialias = ctx.attrs.getInt("antialias", 0) != 0;
  std::string policy =
      ctx.attrs.getString("keep_aspect_ratio_policy", "stretch");
  std::optional<SmallVector<int64_t>> axesAttr = ctx.attrs.getInts("axes");
  if (ctx.attrs.failed())
    return failure();
  if (plan.nearestMode == "simple")
    return ctx.emitError() << "attribute 'nearest_mode' has unsupported "
                           << "value 'simple'";
  SmallVector<int64_t> axes;
  if (axesAttr) {
    SmallVector<bool> seen(rank, false);
    for (int64_t axis : *axesAttr) {
      std::optional<int64_t> a = normalizeAxis(ctx, axis, rank);
      if (!a)
        return failure();
      if (seen[*a])
        return ctx.emitError() << "attribute 'axes' repeats axis " << axis;
      seen[*a] = true;
      axes.push_back(*a);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }

  FailureOr<SmallVector<float>> roi = floatInput(ctx, 1, "roi");
  FailureOr<SmallVector<float>> scales = floatInput(ctx, 2, "scales");
  if (failed(roi) || failed(scales))
    return failure();
  SmallVector<int64_t> sizes;
  if (ctx.hasInput(3)) {
    FailureOr<ElementsAttr> value = ctx.constantInput(3, "sizes");
    if (failed(value))
      return failure();
    std::optional<SmallVector<int64_t>> values = getIntegerValues(*value);
    if (!values)
      return ctx.emitError() << "input 'sizes' must be an integer tensor";
    sizes = *values;
  }
  if (scales->empty() == sizes.empty())
    return ctx.emitError() << "expects exactly one of the inputs 'scales' and "
                           << "'sizes' (non-empty)";
  size_t count = axes.size();
  if (!scales->empty() && scales->size() != count)
    return ctx.emitError() << "input 'scales' must have " << count
                           << " values, got " << scales->size();
  if (!sizes.empty() && sizes.size() != count)
    return ctx.emitError() << "input 'sizes' must have " << count
                           << " values, got " << sizes.size();

  plan.scales.assign(rank, 1.0f);
  if (!scales->empty()) {
    for (auto [i, axis] : llvm::enumerate(axes))
      plan.scales[axis] = (*scales)[i];
    if (failed(sizesFromScales(ctx, *input, plan)))
      return failure();
  } else {
    plan.sizes.assign(input->getShape().begin(), input->getShape().end());
    for (auto [i, axis] : llvm::enumerate(axes)) {
      if (sizes[i] < 1)
        return ctx.emitError()
               << "input 'sizes' must be positive, got " << formatShape(sizes);
      plan.sizes[axis] = sizes[i];
      plan.scales[axis] = static_cast<float>(sizes[i]) /
                          static_cast<float>(input->getDimSize(axis));
    }
    if (policy == "not_larger" || policy == "not_smaller") {
      float scale = plan.scales[axes.front()];
      for (int64_t axis : axes)
        scale = policy == "not_larger" ? std::min(scale, plan.scales[axis])
                                       : std::max(scale, plan.scales[axis]);
      for (int64_t axis : axes) {
        plan.scales[axis] = scale;
        plan.sizes[axis] = static_cast<int64_t>(
            std::round(scale * static_cast<float>(input->getDimSize(axis))));
      }
    } else if (policy != "stretch") {
      return ctx.emitError() << "attribute 'keep_aspect_ratio_policy' has "
                             << "unknown value '" << policy << "'";
    }
  }

  if (plan.transform == "tf_crop_and_resize") {
    if (roi->size() != 2 * count)
      return ctx.emitError()
             << "input 'roi' must have " << 2 * count
             << " values for tf_crop_and_resize, got " << roi->size();
    SmallVector<float> full(rank, 0.0f);
    full.append(rank, 1.0f);
    for (auto [i, axis] : llvm::enumerate(axes)) {
      full[axis] = (*roi)[i];
      full[rank + axis] = (*roi)[count + i];
    }
    plan.roi = std::move(full);
  }
  if (antialias && plan.mode != "nearest" &&
      llvm::any_of(plan.scales, [](float s) { return s < 1.0f; }))
    return ctx.emitError() << "attribute 'antialias' = 1 is not supported "
                           << "when downsampling";
  Value result = createResize(ctx, plan);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importUpsample(NodeContext &ctx) {
  FailureOr<RankedTensorType> input = staticInput(ctx);
  if (failed(input))
    return failure();
  ResizePlan plan;
  if (failed(readMode(ctx, plan)))
    return failure();
  if (ctx.opset < 9) {
    std::optional<SmallVector<float>> scales = ctx.attrs.getFloats("scales");
    if (ctx.attrs.failed())
      return failure();
    if (!scales)
      return ctx.emitError() << "attribute 'scales' is required";
    plan.scales = *scales;
  } else {
    FailureOr<SmallVector<float>> scales = floatInput(ctx, 1, "scales");
    if (failed(scales))
      return failure();
    plan.scales = *scales;
  }
  if (static_cast<int64_t>(plan.scales.size()) != input->getRank())
    return ctx.emitError() << "'scales' must have " << input->getRank()
                           << " values, got " << plan.scales.size();
  if (failed(sizesFromScales(ctx, *input, plan)))
    return failure();
  Value result = createResize(ctx, plan);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
