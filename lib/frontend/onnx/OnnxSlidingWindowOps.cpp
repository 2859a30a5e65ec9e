//===- OnnxSlidingWindowOps.cpp - LpPool, LRN, GlobalMaxPool -------------===//
//
// LpPool and LRN sum over sliding windows with zero padding. A box window
// is separable, so a sum over an n-D window is n sums over 1-D windows,
// each a graph.conv of a ones kernel [k, 1] on the input reshaped to
// [outer, 1, dim, inner] (strides, dilations and pads along the one
// dimension): any rank, and the convolution's lowering does the work.
//
//   LpPool:  (window sums of |x|^p) ^ (1/p)
//   LRN:     x / (bias + alpha / size * window sums of x^2 over channels)
//            ^ beta
//   GlobalMaxPool: reduce_max over the spatial dimensions, kept.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"
#include "lib/frontend/onnx/OnnxOps.h"

using namespace mlir;

namespace strata::onnx_import {

namespace {

/// One dimension of a sliding window.
struct Window {
  int64_t kernel = 1, stride = 1, dilation = 1, padBegin = 0, padEnd = 0;
};

/// Sums `v` over windows along dimension `dim`: element o of the result is
/// the sum of padded elements o * stride + j * dilation, j < kernel. Null
/// after an error.
Value windowSum(Composer &c, Value v, int64_t dim, const Window &w) {
  if (!v)
    return nullptr;
  if (w.kernel == 1 && w.stride == 1 && w.padBegin == 0 && w.padEnd == 0)
    return v;
  auto type = Composer::typeOf(v);
  ArrayRef<int64_t> shape = type.getShape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d)
    outer *= shape[d];
  for (int64_t d = dim + 1; d < type.getRank(); ++d)
    inner *= shape[d];
  Value planes = c.reshape(v, {outer, 1, shape[dim], inner});
  auto kernelType =
      RankedTensorType::get({1, 1, w.kernel, 1}, type.getElementType());
  Value ones = c.constant(DenseElementsAttr::get(
      kernelType, c.b.getFloatAttr(type.getElementType(), 1.0)));
  Builder &b = c.b;
  Value sums = c.op(
      "graph.conv", {planes, ones},
      {b.getNamedAttr("strides", b.getDenseI64ArrayAttr({w.stride, 1})),
       b.getNamedAttr("dilations", b.getDenseI64ArrayAttr({w.dilation, 1})),
       b.getNamedAttr("pads",
                      b.getDenseI64ArrayAttr({w.padBegin, 0, w.padEnd, 0})),
       b.getNamedAttr("group", b.getI64IntegerAttr(1))});
  if (!sums)
    return nullptr;
  SmallVector<int64_t> result(shape);
  result[dim] = Composer::typeOf(sums).getDimSize(2);
  return c.reshape(sums, result);
}

/// A float input with a static shape of rank at least `minRank`, or null
/// after an error.
RankedTensorType floatInput(NodeContext &ctx, int64_t minRank) {
  if (!ctx.hasInput(0)) {
    ctx.emitError() << "expects an input";
    return nullptr;
  }
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return nullptr;
  if (!type.hasStaticShape() || type.getRank() < minRank ||
      !isa<FloatType>(type.getElementType())) {
    ctx.emitError() << "expects a float input of static shape and rank >= "
                    << minRank << ", got " << type;
    return nullptr;
  }
  return type;
}

/// The windows of LpPool over the spatial dimensions of `type`: the
/// attributes, auto_pad resolved, ceil_mode as extra padding at the end.
FailureOr<SmallVector<Window>> poolWindows(NodeContext &ctx,
                                           RankedTensorType type) {
  int64_t n = type.getRank() - 2;
  std::optional<SmallVector<int64_t>> kernel =
      ctx.attrs.getInts("kernel_shape");
  SmallVector<int64_t> ones(n, 1);
  SmallVector<int64_t> strides = ctx.attrs.getInts("strides").value_or(ones);
  SmallVector<int64_t> dilations =
      ctx.attrs.getInts("dilations").value_or(ones);
  SmallVector<int64_t> pads =
      ctx.attrs.getInts("pads").value_or(SmallVector<int64_t>(2 * n, 0));
  std::string autoPad = ctx.attrs.getString("auto_pad", "NOTSET");
  bool ceilMode = ctx.attrs.getInt("ceil_mode", 0) != 0;
  if (ctx.attrs.failed())
    return failure();
  if (!kernel)
    return ctx.emitError() << "attribute 'kernel_shape' is required";
  if (static_cast<int64_t>(kernel->size()) != n ||
      static_cast<int64_t>(strides.size()) != n ||
      static_cast<int64_t>(dilations.size()) != n ||
      static_cast<int64_t>(pads.size()) != 2 * n)
    return ctx.emitError() << "kernel_shape, strides and dilations need " << n
                           << " values and pads " << 2 * n << " for a rank-"
                           << type.getRank() << " input";
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return ctx.emitError() << "unknown auto_pad '" << autoPad << "'";
  SmallVector<Window> windows;
  for (int64_t i = 0; i < n; ++i) {
    Window w{(*kernel)[i], strides[i], dilations[i], pads[i], pads[i + n]};
    if (w.kernel < 1 || w.stride < 1 || w.dilation < 1 || w.padBegin < 0 ||
        w.padEnd < 0)
      return ctx.emitError() << "kernel_shape, strides and dilations must be "
                             << "positive and pads non-negative";
    int64_t in = type.getDimSize(i + 2);
    int64_t extent = (w.kernel - 1) * w.dilation + 1;
    if (autoPad == "VALID") {
      w.padBegin = w.padEnd = 0;
    } else if (autoPad != "NOTSET") {
      // ceil(in / stride) cells; the odd padding cell goes to the end
      // (SAME_UPPER) or the beginning (SAME_LOWER).
      int64_t out = (in + w.stride - 1) / w.stride;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.stride + extent - in);
      w.padBegin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.padEnd = total - w.padBegin;
    }
    int64_t padded = in + w.padBegin + w.padEnd;
    if (padded < extent)
      return ctx.emitError() << "window of extent " << extent
                             << " does not fit dimension " << i + 2
                             << " of " << formatShape(type.getShape());
    if (ceilMode && autoPad == "NOTSET") {
      // One more window when the last one would start inside the input or
      // its leading padding; the missing cells are zeros.
      int64_t out = (padded - extent + w.stride - 1) / w.stride + 1;
      if ((out - 1) * w.stride >= in + w.padBegin)
        --out;
      w.padEnd += std::max<int64_t>(0, (out - 1) * w.stride + extent - padded);
    }
    windows.push_back(w);
  }
  return windows;
}

} // namespace

LogicalResult importLpPool(NodeContext &ctx) {
  RankedTensorType type = floatInput(ctx, 3);
  if (!type)
    return failure();
  int64_t p = ctx.attrs.getInt("p", 2);
  FailureOr<SmallVector<Window>> windows = poolWindows(ctx, type);
  if (failed(windows))
    return failure();
  if (p < 1)
    return ctx.emitError() << "p must be positive, got " << p;
  Composer c(ctx);
  Type element = type.getElementType();
  Value x = ctx.input(0);
  Value powered = p == 1   ? c.op("graph.abs", x)
                  : p == 2 ? c.op("graph.mul", {x, x})
                           : c.op("graph.pow", {c.op("graph.abs", x),
                                                c.scalar(element, p)});
  for (auto [i, w] : llvm::enumerate(*windows))
    powered = windowSum(c, powered, i + 2, w);
  Value result = p == 1   ? powered
                 : p == 2 ? c.op("graph.sqrt", powered)
                          : c.op("graph.pow",
                                 {powered, c.scalar(element, 1.0 / p)});
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

LogicalResult importLRN(NodeContext &ctx) {
  RankedTensorType type = floatInput(ctx, 3);
  if (!type)
    return failure();
  float alpha = ctx.attrs.getFloat("alpha", 1e-4f);
  float beta = ctx.attrs.getFloat("beta", 0.75f);
  float bias = ctx.attrs.getFloat("bias", 1.0f);
  bool hasSize = ctx.attrs.has("size");
  int64_t size = ctx.attrs.getInt("size", 1);
  if (ctx.attrs.failed())
    return failure();
  if (!hasSize || size < 1)
    return ctx.emitError() << "attribute 'size' is required and must be "
                           << "positive";
  Composer c(ctx);
  Type element = type.getElementType();
  Value x = ctx.input(0);
  // Channels c - floor((size-1)/2) .. c + ceil((size-1)/2).
  Window channels{size, 1, 1, (size - 1) / 2, size / 2};
  Value squares = windowSum(c, c.op("graph.mul", {x, x}), 1, channels);
  Value scaled = c.op("graph.mul", {squares, c.scalar(element, alpha / size)});
  Value base = c.op("graph.add", {scaled, c.scalar(element, bias)});
  Value result = c.op("graph.div", {x, c.op("graph.pow", {base, c.scalar(
                                                               element, beta)})});
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

LogicalResult importGlobalMaxPool(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  if (type.getRank() < 3)
    return ctx.emitError() << "expects an [N, C, d1..dk] input, got "
                           << formatShape(type.getShape());
  Composer c(ctx);
  SmallVector<int64_t> spatial;
  for (int64_t d = 2; d < type.getRank(); ++d)
    spatial.push_back(d);
  Value result = c.reduce("reduce_max", ctx.input(0), spatial, true);
  if (!result)
    return failure();
  ctx.setOutput(0, result);
  return success();
}

} // namespace strata::onnx_import
