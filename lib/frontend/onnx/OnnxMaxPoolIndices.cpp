//===- OnnxMaxPoolIndices.cpp - MaxPool's Indices output ------------------===//
//
// The Indices output of MaxPool, composed of graph ops for static shapes:
// the input, flattened over its spatial dimensions and extended by one
// lowest-value cell (what padding reads), is gathered into one row of
// kernel cells per output cell; arg_max picks the first largest cell,
// which a constant table maps to its flat input index (row-major, or
// column-major over the spatial dimensions with storage_order=1), offset
// by (n * C + c) * spatial size as onnx's reference does.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"
#include "lib/frontend/onnx/OnnxOps.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace strata::onnx_import {

/// The lowest value of `element`: -inf, or the smallest integer.
static TypedAttr lowestValue(Type element) {
  if (auto f = dyn_cast<FloatType>(element))
    return FloatAttr::get(
        element, llvm::APFloat::getInf(f.getFloatSemantics(), true));
  auto i = cast<IntegerType>(element);
  return IntegerAttr::get(element, i.isUnsigned()
                                       ? llvm::APInt::getMinValue(i.getWidth())
                                       : llvm::APInt::getSignedMinValue(
                                             i.getWidth()));
}

/// Coordinates of `flat` in `shape` (row-major).
static SmallVector<int64_t> unflatten(int64_t flat, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> coords(shape.size());
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    coords[d] = flat % shape[d];
    flat /= shape[d];
  }
  return coords;
}

Value buildMaxPoolIndices(NodeContext &ctx, Value pooled,
                          ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                          bool columnMajor) {
  auto inType = cast<RankedTensorType>(ctx.input(0).getType());
  auto outType = cast<RankedTensorType>(pooled.getType());
  if (!inType.hasStaticShape() || !outType.hasStaticShape()) {
    ctx.emitError() << "the 'Indices' output needs static shapes, got "
                    << formatShape(inType.getShape());
    return nullptr;
  }
  size_t n = inType.getRank() - 2;
  if (kernel.size() != n || strides.size() != n || dilations.size() != n ||
      pads.size() != 2 * n) {
    ctx.emitError() << "kernel_shape, strides, dilations and pads must have "
                    << n << " (pads " << 2 * n << ") values";
    return nullptr;
  }
  ArrayRef<int64_t> in = inType.getShape().drop_front(2);
  ArrayRef<int64_t> out = outType.getShape().drop_front(2);
  int64_t batch = inType.getDimSize(0), channels = inType.getDimSize(1);
  int64_t spatial = 1, outCells = 1, kernelCells = 1;
  for (size_t d = 0; d < n; ++d) {
    spatial *= in[d];
    outCells *= out[d];
    kernelCells *= kernel[d];
  }
  // gatherIndex[o][k]: the cell kernel offset k of output cell o reads
  // (row-major, `spatial` for padding); inputIndex[o][k]: its ONNX index.
  SmallVector<int64_t> gatherIndex, inputIndex, rowOffset;
  for (int64_t o = 0; o < outCells; ++o) {
    SmallVector<int64_t> oc = unflatten(o, out);
    rowOffset.push_back(o * kernelCells);
    for (int64_t k = 0; k < kernelCells; ++k) {
      SmallVector<int64_t> kc = unflatten(k, kernel);
      int64_t rowMajor = 0, colMajor = 0, stride = 1;
      bool inside = true;
      for (size_t d = 0; d < n; ++d) {
        int64_t p = oc[d] * strides[d] + kc[d] * dilations[d] - pads[d];
        inside &= p >= 0 && p < in[d];
        rowMajor = rowMajor * in[d] + p;
        colMajor += p * stride;
        stride *= in[d];
      }
      gatherIndex.push_back(inside ? rowMajor : spatial);
      inputIndex.push_back(inside ? (columnMajor ? colMajor : rowMajor) : -1);
    }
  }
  Composer c(ctx);
  auto i64s = [&](ArrayRef<int64_t> values, ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, c.b.getI64Type());
    return c.constant(DenseElementsAttr::get(type, values));
  };
  Type element = inType.getElementType();
  auto fillType = RankedTensorType::get({batch, channels, 1}, element);
  Value fill = c.constant(DenseElementsAttr::get(fillType, lowestValue(element)));
  Value flat = c.reshape(ctx.input(0), {batch, channels, spatial});
  Value extended = c.op("graph.concat", {flat, fill},
                        {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(2))});
  Value windows = c.op(
      "graph.gather",
      {extended, i64s(gatherIndex, {outCells * kernelCells})},
      {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(2))});
  Value rows = windows ? c.reshape(windows, {batch, channels, outCells,
                                             kernelCells})
                       : nullptr;
  Value best = c.op("graph.arg_max", {rows},
                    {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(3)),
                     c.b.getNamedAttr("keepdims", c.b.getBoolAttr(false))});
  Value cell = c.op("graph.add", {best, i64s(rowOffset, {outCells})});
  Value local = c.op("graph.gather",
                     {i64s(inputIndex, {outCells * kernelCells}), cell},
                     {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(0))});
  SmallVector<int64_t> planeOffset;
  for (int64_t p = 0; p < batch * channels; ++p)
    planeOffset.push_back(p * spatial);
  Value global = c.op("graph.add",
                      {local, i64s(planeOffset, {batch, channels, 1})});
  return global ? c.reshape(global, outType.getShape()) : nullptr;
}

} // namespace strata::onnx_import
