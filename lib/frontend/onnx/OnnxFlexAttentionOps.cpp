//===- OnnxFlexAttentionOps.cpp - ai.onnx.preview FlexAttention -----------===//
//
// Y = prob_mod(softmax(score_mod((Q·s)(K·s)^T))) V with s = sqrt(scale),
// composed from graph ops. The optional score_mod / prob_mod graph
// attributes are inlined; query heads share key/value heads in contiguous
// groups (GQA). Scores, softmax and the second product run in
// `softmax_precision` (float32 unless given, double for double inputs),
// as onnx's reference computes them.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"

#include <cmath>

using namespace mlir;

namespace strata::onnx_import {
namespace {

/// The element type that ONNX's `softmax_precision` names, or null.
Type precisionType(MLIRContext *context, int64_t code) {
  switch (code) {
  case 1:
    return Float32Type::get(context);
  case 10:
    return Float16Type::get(context);
  case 16:
    return BFloat16Type::get(context);
  case 11:
    return Float64Type::get(context);
  default:
    return nullptr;
  }
}

/// K or V [B, Hkv, S, D] with each head repeated `group` times in place:
/// [B, Hkv * group, S, D].
Value repeatHeads(Composer &c, Value value, int64_t group) {
  if (group == 1)
    return value;
  ArrayRef<int64_t> shape = Composer::typeOf(value).getShape();
  Value split = c.reshape(value, {shape[0], shape[1], 1, shape[2], shape[3]});
  Value expanded = c.op(
      "graph.expand", split,
      {c.b.getNamedAttr("shape", c.b.getDenseI64ArrayAttr({shape[0], shape[1],
                                                            group, shape[2],
                                                            shape[3]}))});
  return c.reshape(expanded, {shape[0], shape[1] * group, shape[2], shape[3]});
}

/// Runs the graph attribute `name` (one input, one output) on `value`, or
/// returns `value` when the node has no such attribute.
Value applyModifier(NodeContext &ctx, StringRef name, Value value) {
  const onnx::AttributeProto *attr = ctx.attrs.find(name);
  if (!value || !attr)
    return value;
  if (!attr->has_g()) {
    ctx.emitError() << "attribute '" << name << "' must be a graph";
    return nullptr;
  }
  FailureOr<SmallVector<Value>> outputs =
      inlineSubgraph(ctx, attr->g(), {value});
  if (failed(outputs))
    return nullptr;
  if (outputs->size() != 1 || outputs->front().getType() != value.getType()) {
    ctx.emitError() << "attribute '" << name << "' must map its "
                    << value.getType() << " input to one output of that type";
    return nullptr;
  }
  return outputs->front();
}

} // namespace

LogicalResult importFlexAttention(NodeContext &ctx) {
  RankedTensorType q = ctx.inputType(0), k = ctx.inputType(1),
                   v = ctx.inputType(2);
  if (!q || !k || !v)
    return ctx.emitError() << "expects inputs Q, K and V";
  if (q.getRank() != 4 || k.getRank() != 4 || v.getRank() != 4 ||
      !q.hasStaticShape() || !k.hasStaticShape() || !v.hasStaticShape())
    return ctx.emitError() << "Q, K and V must be static rank-4 tensors, got "
                           << q << ", " << k << ", " << v;
  if (!isa<FloatType>(q.getElementType()))
    return ctx.emitError() << "Q must be a float tensor, got " << q;
  int64_t heads = q.getDimSize(1), kvHeads = k.getDimSize(1);
  if (k.getDimSize(3) != q.getDimSize(3) || v.getDimSize(1) != kvHeads ||
      v.getDimSize(2) != k.getDimSize(2) || k.getDimSize(0) != q.getDimSize(0) ||
      v.getDimSize(0) != q.getDimSize(0))
    return ctx.emitError() << "Q " << formatShape(q.getShape()) << ", K "
                           << formatShape(k.getShape()) << " and V "
                           << formatShape(v.getShape())
                           << " do not fit [B,Hq,L,E], [B,Hkv,S,E], "
                           << "[B,Hkv,S,Ev]";
  if (kvHeads == 0 || heads % kvHeads != 0)
    return ctx.emitError() << "q_num_heads " << heads
                           << " is not a multiple of kv_num_heads " << kvHeads;
  float scale = ctx.attrs.getFloat(
      "scale", 1.0f / std::sqrt(static_cast<float>(q.getDimSize(3))));
  Type element = q.getElementType();
  Type compute = element.isF64() ? element : Float32Type::get(ctx.getContext());
  if (ctx.attrs.has("softmax_precision")) {
    int64_t code = ctx.attrs.getInt("softmax_precision", 1);
    if (!(compute = precisionType(ctx.getContext(), code)))
      return ctx.emitError() << "softmax_precision " << code
                             << " is not a float type";
  }
  if (ctx.attrs.failed())
    return failure();

  Composer c(ctx);
  Value root = c.constant(DenseElementsAttr::get(
      RankedTensorType::get({}, element),
      FloatAttr::get(element, std::sqrt(scale)).getValue()));
  int64_t group = heads / kvHeads;
  Value keys = repeatHeads(c, ctx.input(1), group);
  Value values = repeatHeads(c, ctx.input(2), group);
  if (!root || !keys || !values)
    return failure();
  Value qs = c.op("graph.mul", {ctx.input(0), root});
  Value kt = c.transpose(c.op("graph.mul", {keys, root}), {0, 1, 3, 2});
  Value scores = c.op("graph.matmul", {qs, kt});
  scores = applyModifier(ctx, "score_mod", c.cast(scores, compute));
  Value probs = c.op("graph.softmax", scores,
                     {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(3))});
  probs = applyModifier(ctx, "prob_mod", probs);
  Value out = c.op("graph.matmul", {probs, c.cast(values, compute)});
  out = c.cast(out, v.getElementType());
  ctx.setOutput(0, out);
  return success(out != nullptr);
}

} // namespace strata::onnx_import
