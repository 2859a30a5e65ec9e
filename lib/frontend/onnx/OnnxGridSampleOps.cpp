//===- OnnxGridSampleOps.cpp - GridSample ---------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

/// GridSample (opset 16: bilinear / nearest / bicubic, 4-D; opset 20: linear
/// / nearest / cubic, any rank). The mode names become opset 20's.
LogicalResult importGridSample(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1))
    return ctx.emitError() << "expects 2 inputs (X, grid)";
  std::string mode =
      ctx.attrs.getString("mode", ctx.opset < 20 ? "bilinear" : "linear");
  std::string padding = ctx.attrs.getString("padding_mode", "zeros");
  bool align = ctx.attrs.getInt("align_corners", 0) != 0;
  if (ctx.attrs.failed())
    return failure();
  if (mode == "bilinear")
    mode = "linear";
  else if (mode == "bicubic")
    mode = "cubic";
  if (mode != "linear" && mode != "nearest" && mode != "cubic")
    return ctx.emitError() << "unknown mode '" << mode << "'";
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return ctx.emitError() << "unknown padding_mode '" << padding << "'";
  Builder b(ctx.getContext());
  Value result = ctx.create(
      "graph.grid_sample", {ctx.input(0), ctx.input(1)},
      {b.getNamedAttr("mode", b.getStringAttr(mode)),
       b.getNamedAttr("padding_mode", b.getStringAttr(padding)),
       b.getNamedAttr("align_corners", b.getBoolAttr(align))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
