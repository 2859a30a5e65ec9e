//===- OnnxWindowFunctionOps.cpp - Hann, Hamming and Blackman windows ----===//
//
// A window depends only on its (constant) size and attributes, so it is
// computed at import, in double precision as onnx's reference does, and
// becomes a constant of `output_datatype`.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include <cmath>

using namespace mlir;

namespace strata::onnx_import {

LogicalResult importWindow(NodeContext &ctx) {
  std::optional<SmallVector<int64_t>> size = constantInts(ctx, 0, "size");
  if (!size)
    return failure();
  bool periodic = ctx.attrs.getInt("periodic", 1) != 0;
  int64_t dataType = ctx.attrs.getInt("output_datatype", 1);
  if (ctx.attrs.failed())
    return failure();
  if (size->size() != 1 || size->front() < 0 ||
      size->front() > (int64_t(1) << 24))
    return ctx.emitError() << "input 'size' must be one length in [0, 2^24]";
  Type element = convertElementType(ctx.getContext(), dataType);
  if (!element || !(isa<FloatType>(element) || element.isInteger()) ||
      element.isInteger(1))
    return ctx.emitError() << "output_datatype " << dataType
                           << " is not a numeric type";
  int64_t n = size->front();
  double period = periodic ? n : n - 1;
  StringRef op = ctx.node.op_type();
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < n; ++i) {
    double x = 2 * M_PI * i / period, w;
    if (op == "HannWindow")
      w = std::pow(std::sin(M_PI * i / period), 2);
    else if (op == "HammingWindow")
      w = 25.0 / 46.0 - (1 - 25.0 / 46.0) * std::cos(x);
    else // BlackmanWindow
      w = 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2 * x);
    if (isa<FloatType>(element))
      values.push_back(FloatAttr::get(element, w));
    else
      values.push_back(IntegerAttr::get(element, static_cast<int64_t>(w)));
  }
  ctx.setConstantOutput(
      0, DenseElementsAttr::get(RankedTensorType::get({n}, element), values));
  return success();
}

} // namespace strata::onnx_import
