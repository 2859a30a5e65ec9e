//===- OnnxConvTransposeOps.cpp - ConvTranspose ---------------------------===//
//
// `output_shape` and `auto_pad` become explicit pads (and output padding),
// as onnxruntime computes them: the total padding `full - wanted` goes to
// the end when odd with SAME_UPPER, to the beginning otherwise; an
// `output_shape` larger than the unpadded output grows it at the end.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

/// Reads an INTS attribute of `count` values (default `fallback` when
/// absent); a wrong count is reported naming the attribute.
static FailureOr<SmallVector<int64_t>> getSpatialInts(NodeContext &ctx,
                                                      StringRef name,
                                                      size_t count,
                                                      int64_t fallback) {
  std::optional<SmallVector<int64_t>> values = ctx.attrs.getInts(name);
  if (ctx.attrs.failed())
    return failure();
  if (!values)
    return SmallVector<int64_t>(count, fallback);
  if (values->size() != count)
    return ctx.emitError() << "attribute '" << name << "' must have " << count
                           << " values, got " << values->size();
  return *values;
}

LogicalResult importConvTranspose(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1))
    return ctx.emitError() << "expects an input and a weight";
  RankedTensorType input = ctx.inputType(0), weight = ctx.inputType(1);
  if (!input || !weight)
    return failure();
  if (input.getRank() < 3 || weight.getRank() != input.getRank())
    return ctx.emitError() << "expects an input (N, C, D...) of rank 3 or "
                           << "more and a weight of the same rank, got "
                           << formatShape(input.getShape()) << " and "
                           << formatShape(weight.getShape());
  size_t spatial = input.getRank() - 2;
  FailureOr<SmallVector<int64_t>> strides =
      getSpatialInts(ctx, "strides", spatial, 1);
  FailureOr<SmallVector<int64_t>> dilations =
      getSpatialInts(ctx, "dilations", spatial, 1);
  FailureOr<SmallVector<int64_t>> outputPadding =
      getSpatialInts(ctx, "output_padding", spatial, 0);
  FailureOr<SmallVector<int64_t>> pads =
      getSpatialInts(ctx, "pads", 2 * spatial, 0);
  if (failed(strides) || failed(dilations) || failed(outputPadding) ||
      failed(pads))
    return failure();
  int64_t group = ctx.attrs.getInt("group", 1);
  std::string autoPad = ctx.attrs.getString("auto_pad", "NOTSET");
  std::optional<SmallVector<int64_t>> outputShape =
      ctx.attrs.getInts("output_shape");
  if (ctx.attrs.failed())
    return failure();

  ArrayRef<int64_t> kernel = weight.getShape().drop_front(2);
  if (std::optional<SmallVector<int64_t>> attr =
          ctx.attrs.getInts("kernel_shape")) {
    if (ArrayRef<int64_t>(*attr) != kernel)
      return ctx.emitError()
             << "attribute 'kernel_shape' " << formatShape(*attr)
             << " does not match the weight's shape "
             << formatShape(weight.getShape());
  }
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return ctx.emitError() << "attribute 'auto_pad' has unknown value '"
                           << autoPad << "'";
  // output_shape lists the spatial dimensions (some exporters write all).
  if (outputShape && outputShape->size() == spatial + 2)
    outputShape->erase(outputShape->begin(), outputShape->begin() + 2);
  if (outputShape && outputShape->size() != spatial)
    return ctx.emitError() << "attribute 'output_shape' must have " << spatial
                           << " values, got " << outputShape->size();

  bool resolve = outputShape || autoPad == "SAME_UPPER" ||
                 autoPad == "SAME_LOWER" || autoPad == "VALID";
  if (resolve) {
    ArrayRef<int64_t> in = input.getShape().drop_front(2);
    if (ShapedType::isDynamicShape(in) || ShapedType::isDynamicShape(kernel))
      return ctx.emitError()
             << (outputShape ? "attribute 'output_shape'"
                             : "attribute 'auto_pad' " + autoPad)
             << " needs static spatial dimensions, got input "
             << formatShape(input.getShape()) << " and weight "
             << formatShape(weight.getShape());
    for (size_t i = 0; i < spatial; ++i) {
      int64_t full = (*strides)[i] * (in[i] - 1) + (*outputPadding)[i] +
                     (*dilations)[i] * (kernel[i] - 1) + 1;
      int64_t total = 0;
      if (outputShape)
        total = full - (*outputShape)[i];
      else if (autoPad != "VALID")
        total = std::max<int64_t>(0, full - in[i] * (*strides)[i]);
      int64_t begin = 0, end = 0;
      if (total < 0) {
        (*outputPadding)[i] += -total; // a larger output_shape: zeros
      } else if (autoPad == "SAME_UPPER") {
        begin = total / 2;
        end = total - begin;
      } else {
        end = total / 2;
        begin = total - end;
      }
      (*pads)[i] = begin;
      (*pads)[spatial + i] = end;
    }
  }

  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  Builder b(ctx.getContext());
  Value result = ctx.create(
      "graph.conv_transpose", operands,
      {b.getNamedAttr("strides", b.getDenseI64ArrayAttr(*strides)),
       b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(*dilations)),
       b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*pads)),
       b.getNamedAttr("output_padding", b.getDenseI64ArrayAttr(*outputPadding)),
       b.getNamedAttr("group", b.getI64IntegerAttr(group))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
