//===- OnnxRotaryEmbeddingOps.cpp - RotaryEmbedding as graph ops ----------===//
//
// ONNX RotaryEmbedding (opset 23) composed of graph ops, in the input's own
// layout (no transposes): 4-D input [B, H, S, D] reads cos/sin as
// [B, 1, S, R/2], 3-D input [B, S, N*D] is viewed as [B, S, N, D] and reads
// them as [B, S, 1, R/2]. With position_ids the caches are gathered rows
// ([P, R/2] -> [B, S, R/2]), else they are [B, S, R/2] already. The first R
// (rotary_embedding_dim, default D) features rotate, as halves or as
// interleaved pairs (x1, x2):
//   real = cos * x1 - sin * x2,  imag = sin * x1 + cos * x2
// and the others pass through.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace strata::onnx_import {
namespace {

RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

struct RotaryBuilder {
  NodeContext &ctx;
  Builder b;

  Value op(StringRef name, ValueRange operands,
           ArrayRef<NamedAttribute> attrs = {}) {
    if (llvm::any_of(operands, [](Value v) { return !v; }))
      return nullptr;
    return ctx.create(name, operands, attrs);
  }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return op("graph.reshape", {v},
              {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
  }
  /// `count` elements of the last dimension from `start`, `step` apart.
  Value lastDimSlice(Value v, int64_t start, int64_t count, int64_t step = 1) {
    if (!v)
      return nullptr;
    auto shape = typeOf(v).getShape();
    int64_t rank = shape.size();
    SmallVector<int64_t> starts(rank, 0), sizes(shape), steps(rank, 1);
    starts.back() = start;
    sizes.back() = count;
    steps.back() = step;
    return op("graph.slice", {v},
              {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
               b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
               b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
  }
  Value concatLast(ValueRange values) {
    if (llvm::any_of(values, [](Value v) { return !v; }))
      return nullptr;
    int64_t rank = typeOf(values.front()).getRank();
    return op("graph.concat", values,
              {b.getNamedAttr("axis", b.getI64IntegerAttr(rank - 1))});
  }
};

} // namespace

LogicalResult importRotaryEmbedding(NodeContext &ctx) {
  for (size_t i = 0; i < 3; ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects inputs X, cos_cache and sin_cache";
  int64_t numHeads = ctx.attrs.getInt("num_heads", 0);
  int64_t rotaryDim = ctx.attrs.getInt("rotary_embedding_dim", 0);
  bool interleaved = ctx.attrs.getInt("interleaved", 0) != 0;
  if (ctx.attrs.failed())
    return failure();
  RankedTensorType xType = ctx.inputType(0), cosType = ctx.inputType(1),
                   sinType = ctx.inputType(2);
  bool hasPositions = ctx.hasInput(3);
  RankedTensorType posType = hasPositions ? ctx.inputType(3) : nullptr;
  for (RankedTensorType t : {xType, cosType, sinType, posType})
    if (t && !t.hasStaticShape())
      return ctx.emitError() << "dynamic shape " << formatShape(t.getShape())
                             << " is not supported";
  int64_t rank = xType.getRank();
  if (rank != 3 && rank != 4)
    return ctx.emitError() << "X must be 3-D or 4-D, got "
                           << formatShape(xType.getShape());
  if (!isa<FloatType>(xType.getElementType()))
    return ctx.emitError() << "expects a float X, got "
                           << xType.getElementType();
  RotaryBuilder rb{ctx, Builder(ctx.getContext())};
  auto shape = xType.getShape();
  int64_t batch = shape[0];
  Value x = ctx.input(0);
  int64_t seqLen, headSize;
  if (rank == 4) {
    seqLen = shape[2];
    headSize = shape[3];
  } else {
    if (numHeads <= 0 || shape[2] % numHeads != 0)
      return ctx.emitError()
             << "a 3-D X needs num_heads dividing its hidden size "
             << shape[2] << ", got " << numHeads;
    seqLen = shape[1];
    headSize = shape[2] / numHeads;
    x = rb.reshape(x, {batch, seqLen, numHeads, headSize});
  }
  if (rotaryDim == 0)
    rotaryDim = headSize;
  if (rotaryDim < 0 || rotaryDim > headSize || rotaryDim % 2 != 0)
    return ctx.emitError() << "rotary_embedding_dim " << rotaryDim
                           << " must be even and at most the head size "
                           << headSize;
  int64_t half = rotaryDim / 2;

  // cos/sin as [B, S, R/2].
  SmallVector<int64_t> cacheShape = {batch, seqLen, half};
  Value cosCache = ctx.input(1), sinCache = ctx.input(2);
  if (hasPositions) {
    if (posType.getShape() != ArrayRef<int64_t>({batch, seqLen}))
      return ctx.emitError() << "position_ids must have shape "
                             << formatShape({batch, seqLen}) << ", got "
                             << formatShape(posType.getShape());
    for (RankedTensorType t : {cosType, sinType})
      if (t.getRank() != 2 || t.getDimSize(1) != half)
        return ctx.emitError()
               << "with position_ids, cos_cache and sin_cache must have "
                  "shape [max_position + 1, "
               << half << "], got " << formatShape(t.getShape());
    auto axis0 = rb.b.getNamedAttr("axis", rb.b.getI64IntegerAttr(0));
    cosCache = rb.op("graph.gather", {cosCache, ctx.input(3)}, {axis0});
    sinCache = rb.op("graph.gather", {sinCache, ctx.input(3)}, {axis0});
  } else {
    for (RankedTensorType t : {cosType, sinType})
      if (t.getShape() != ArrayRef<int64_t>(cacheShape))
        return ctx.emitError()
               << "without position_ids, cos_cache and sin_cache must have "
                  "shape "
               << formatShape(cacheShape) << ", got "
               << formatShape(t.getShape());
  }
  // Broadcast over the heads.
  SmallVector<int64_t> readShape =
      rank == 4 ? SmallVector<int64_t>{batch, 1, seqLen, half}
                : SmallVector<int64_t>{batch, seqLen, 1, half};
  Value cos = rb.reshape(cosCache, readShape);
  Value sin = rb.reshape(sinCache, readShape);

  Value rotate = rotaryDim == headSize ? x : rb.lastDimSlice(x, 0, rotaryDim);
  Value x1 = interleaved ? rb.lastDimSlice(rotate, 0, half, 2)
                         : rb.lastDimSlice(rotate, 0, half);
  Value x2 = interleaved ? rb.lastDimSlice(rotate, 1, half, 2)
                         : rb.lastDimSlice(rotate, half, half);
  Value real = rb.op("graph.sub", {rb.op("graph.mul", {cos, x1}),
                                   rb.op("graph.mul", {sin, x2})});
  Value imag = rb.op("graph.add", {rb.op("graph.mul", {sin, x1}),
                                   rb.op("graph.mul", {cos, x2})});
  Value rotated;
  if (interleaved) {
    // [..., R/2] pairs -> [..., R/2, 2] -> [..., R].
    if (!real || !imag)
      return failure();
    SmallVector<int64_t> pairShape(typeOf(real).getShape());
    pairShape.push_back(1);
    Value pairs = rb.concatLast({rb.reshape(real, pairShape),
                                 rb.reshape(imag, pairShape)});
    SmallVector<int64_t> rotatedShape(typeOf(real).getShape());
    rotatedShape.back() = rotaryDim;
    rotated = rb.reshape(pairs, rotatedShape);
  } else {
    rotated = rb.concatLast({real, imag});
  }
  Value y = rotaryDim == headSize
                ? rotated
                : rb.concatLast({rotated, rb.lastDimSlice(
                                              x, rotaryDim,
                                              headSize - rotaryDim)});
  if (y && rank == 3)
    y = rb.reshape(y, shape);
  if (!y)
    return failure();
  ctx.setOutput(0, y);
  return success();
}

} // namespace strata::onnx_import
