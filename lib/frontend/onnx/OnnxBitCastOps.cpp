//===- OnnxBitCastOps.cpp - BitCast ---------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

/// BitCast (opset 26): the input's bits read as `to`, an element type of
/// the same size (bool counts as one byte).
LogicalResult importBitCast(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects 1 input";
  if (!ctx.attrs.find("to"))
    return ctx.emitError() << "needs the 'to' attribute";
  int32_t dataType = static_cast<int32_t>(ctx.attrs.getInt("to", 0));
  if (ctx.attrs.failed())
    return failure();
  Type element = convertElementType(ctx.getContext(), dataType);
  if (!element)
    return ctx.emitError() << "BitCast to " << dataTypeName(dataType)
                           << " is not supported";
  Builder b(ctx.getContext());
  Value result = ctx.create("graph.bitcast", {ctx.input(0)},
                            {b.getNamedAttr("to", TypeAttr::get(element))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
