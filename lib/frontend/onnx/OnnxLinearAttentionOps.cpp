//===- OnnxLinearAttentionOps.cpp - LinearAttention, unrolled over time ---===//
//
// The recurrent form of onnx's reference, one step per token, in float32:
//   S = S * exp(g_t)                          (gated rules)
//   v_t = beta_t * (v_t - k_t S)              (delta rules)
//   S = S + k_t^T v_t
//   y_t = scale * q_t S                       (query heads grouped per KV head)
// with S of shape [B, Hkv, dk, dv]. The token count is static and small in
// the decode and prefill chunks this op serves; each step is a few batched
// products of graph ops.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include <cmath>

using namespace mlir;

namespace strata::onnx_import {
namespace {

constexpr int64_t kMaxUnrolledSteps = 1024;

struct Builder4 {
  NodeContext &ctx;
  Builder b;

  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return v ? ctx.create("graph.reshape", {v},
                          {b.getNamedAttr("shape",
                                          b.getDenseI64ArrayAttr(shape))})
             : nullptr;
  }
  Value binary(StringRef op, Value x, Value y) {
    return x && y ? ctx.create(op, {x, y}) : nullptr;
  }
  Value toF32(Value v) {
    if (!v || cast<RankedTensorType>(v.getType()).getElementType().isF32())
      return v;
    return castTo(v, b.getF32Type());
  }
  Value castTo(Value v, Type element) {
    if (!v || cast<RankedTensorType>(v.getType()).getElementType() == element)
      return v;
    return ctx.create("graph.cast", {v},
                      {b.getNamedAttr("to", TypeAttr::get(element))});
  }
  /// Token `t` of a [B, T, X] tensor, reshaped to `shape`.
  Value step(Value v, int64_t t, ArrayRef<int64_t> shape) {
    ArrayRef<int64_t> dims = cast<RankedTensorType>(v.getType()).getShape();
    Value slice = ctx.create(
        "graph.slice", {v},
        {b.getNamedAttr("starts", b.getDenseI64ArrayAttr({0, t, 0})),
         b.getNamedAttr("sizes",
                        b.getDenseI64ArrayAttr({dims[0], 1, dims[2]})),
         b.getNamedAttr("steps", b.getDenseI64ArrayAttr({1, 1, 1}))});
    return reshape(slice, shape);
  }
  Value scalar(float value) {
    auto type = RankedTensorType::get({}, b.getF32Type());
    return ctx.create("graph.constant", {},
                      {b.getNamedAttr("value",
                                      DenseElementsAttr::get(type, value))});
  }
};

} // namespace

LogicalResult importLinearAttention(NodeContext &ctx) {
  RankedTensorType q = ctx.inputType(0), k = ctx.inputType(1),
                   v = ctx.inputType(2);
  if (!q || !k || !v || q.getRank() != 3 || k.getRank() != 3 ||
      v.getRank() != 3 || !q.hasStaticShape() || !k.hasStaticShape() ||
      !v.hasStaticShape())
    return ctx.emitError() << "query, key and value must be static rank-3 "
                           << "tensors [B, T, H*D]";
  std::string rule = ctx.attrs.getString("update_rule", "gated_delta");
  int64_t heads = ctx.attrs.getInt("q_num_heads", 0);
  int64_t kvHeads = ctx.attrs.getInt("kv_num_heads", 0);
  float scale = ctx.attrs.getFloat("scale", 0.0f);
  if (ctx.attrs.failed())
    return failure();
  if (rule != "linear" && rule != "gated" && rule != "delta" &&
      rule != "gated_delta")
    return ctx.emitError() << "update_rule '" << rule << "' is not one of "
                           << "linear, gated, delta, gated_delta";
  if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 ||
      q.getDimSize(2) % heads != 0 || v.getDimSize(2) % kvHeads != 0 ||
      k.getDimSize(2) != q.getDimSize(2) / heads * kvHeads)
    return ctx.emitError() << "q_num_heads " << heads << " and kv_num_heads "
                           << kvHeads << " do not fit query "
                           << formatShape(q.getShape()) << ", key "
                           << formatShape(k.getShape()) << ", value "
                           << formatShape(v.getShape());
  bool gating = rule == "gated" || rule == "gated_delta";
  bool delta = rule == "delta" || rule == "gated_delta";
  if (gating != ctx.hasInput(4) || delta != ctx.hasInput(5))
    return ctx.emitError() << "update_rule '" << rule << "' "
                           << (gating ? "needs" : "takes no") << " 'decay' and "
                           << (delta ? "needs" : "takes no") << " 'beta'";
  int64_t batch = q.getDimSize(0), steps = q.getDimSize(1);
  int64_t dk = q.getDimSize(2) / heads, dv = v.getDimSize(2) / kvHeads;
  int64_t group = heads / kvHeads;
  if (steps < 1 || steps > kMaxUnrolledSteps)
    return ctx.emitError() << "a sequence of " << steps << " tokens is not "
                           << "supported (1 to " << kMaxUnrolledSteps << ")";
  float scaleValue = scale == 0.0f ? 1.0f / std::sqrt(float(dk)) : scale;

  Builder4 g{ctx, Builder(ctx.getContext())};
  SmallVector<int64_t> stateShape = {batch, kvHeads, dk, dv};
  Value state;
  Type stateType = q.getElementType();
  if (ctx.hasInput(3)) {
    RankedTensorType past = ctx.inputType(3);
    if (!past || past.getShape() != ArrayRef<int64_t>(stateShape))
      return ctx.emitError() << "past_state must be " << formatShape(stateShape);
    stateType = past.getElementType();
    state = g.toF32(ctx.input(3));
  } else {
    auto type = RankedTensorType::get(stateShape, g.b.getF32Type());
    state = ctx.create("graph.constant", {},
                       {g.b.getNamedAttr("value",
                                         DenseElementsAttr::get(type, 0.0f))});
  }
  Value query = g.toF32(ctx.input(0)), key = g.toF32(ctx.input(1)),
        value = g.toF32(ctx.input(2));
  Value decay = gating ? g.toF32(ctx.input(4)) : nullptr;
  Value beta = delta ? g.toF32(ctx.input(5)) : nullptr;
  int64_t decayWidth = 0, betaWidth = 0;
  if (gating) {
    decayWidth = cast<RankedTensorType>(decay.getType()).getDimSize(2);
    if (decayWidth != kvHeads && decayWidth != kvHeads * dk)
      return ctx.emitError() << "decay's last dimension must be kv_num_heads "
                             << "or kv_num_heads * head size";
  }
  if (delta) {
    betaWidth = cast<RankedTensorType>(beta.getType()).getDimSize(2);
    if (betaWidth != kvHeads && betaWidth != 1)
      return ctx.emitError() << "beta's last dimension must be kv_num_heads "
                             << "or 1";
  }
  Value scaleConst = g.scalar(scaleValue);
  SmallVector<Value> outputs;
  for (int64_t t = 0; t < steps && state; ++t) {
    Value kt = g.step(key, t, {batch, kvHeads, dk, 1});
    Value vt = g.step(value, t, {batch, kvHeads, 1, dv});
    if (gating) {
      Value gt = g.step(decay, t,
                        {batch, kvHeads, decayWidth == kvHeads ? 1 : dk, 1});
      state = g.binary("graph.mul", state,
                       gt ? ctx.create("graph.exp", {gt}) : nullptr);
    }
    if (delta) {
      // retrieved = k_t S: [B, Hkv, 1, dk] x [B, Hkv, dk, dv].
      Value row = g.reshape(kt, {batch, kvHeads, 1, dk});
      Value retrieved = g.binary("graph.matmul", row, state);
      Value bt = g.step(beta, t, {batch, betaWidth, 1, 1});
      vt = g.binary("graph.mul", bt, g.binary("graph.sub", vt, retrieved));
    }
    state = g.binary("graph.add", state, g.binary("graph.mul", kt, vt));
    // y_t = scale * q_t S, query heads grouped per KV head.
    Value qt = g.step(query, t, {batch, kvHeads, group, dk});
    Value yt = g.binary("graph.matmul", qt, state);
    yt = g.binary("graph.mul", yt, scaleConst);
    outputs.push_back(g.reshape(yt, {batch, 1, heads * dv}));
    if (!outputs.back())
      return failure();
  }
  if (!state)
    return failure();
  Value output = outputs.size() == 1
                     ? outputs.front()
                     : ctx.create("graph.concat", outputs,
                                  {g.b.getNamedAttr("axis",
                                                    g.b.getI64IntegerAttr(1))});
  output = g.castTo(output, q.getElementType());
  Value present = g.castTo(state, stateType);
  if (!output || !present)
    return failure();
  ctx.setOutput(0, output);
  ctx.setOutput(1, present);
  return success();
}

} // namespace strata::onnx_import
