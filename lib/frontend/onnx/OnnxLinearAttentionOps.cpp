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
#include "lib/frontend/onnx/OnnxCompose.h"

#include <cmath>

using namespace mlir;

namespace strata::onnx_import {
namespace {

constexpr int64_t kMaxUnrolledSteps = 1024;

/// Token `t` of a [B, T, X] tensor, reshaped to `shape`.
Value step(Composer &c, Value v, int64_t t, ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> dims = Composer::typeOf(v).getShape();
  return c.reshape(c.slice(v, {0, t, 0}, {dims[0], 1, dims[2]}), shape);
}

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

  Composer c(ctx);
  Type f32 = c.b.getF32Type();
  SmallVector<int64_t> stateShape = {batch, kvHeads, dk, dv};
  Value state;
  Type stateType = q.getElementType();
  if (ctx.hasInput(3)) {
    RankedTensorType past = ctx.inputType(3);
    if (!past || past.getShape() != ArrayRef<int64_t>(stateShape))
      return ctx.emitError() << "past_state must be " << formatShape(stateShape);
    stateType = past.getElementType();
    state = c.cast(ctx.input(3), f32);
  } else {
    state = c.constant(DenseElementsAttr::get(
        RankedTensorType::get(stateShape, f32), 0.0f));
  }
  Value query = c.cast(ctx.input(0), f32), key = c.cast(ctx.input(1), f32),
        value = c.cast(ctx.input(2), f32);
  Value decay = gating ? c.cast(ctx.input(4), f32) : nullptr;
  Value beta = delta ? c.cast(ctx.input(5), f32) : nullptr;
  // decay and beta: [B, T, width], checked before their sizes are read.
  auto width = [&](Value value, StringRef what) -> std::optional<int64_t> {
    auto type = value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
    if (!type || type.getRank() != 3 || !type.hasStaticShape()) {
      ctx.emitError() << "'" << what << "' must be a static rank-3 tensor "
                      << "[B, T, width]";
      return std::nullopt;
    }
    return type.getDimSize(2);
  };
  int64_t decayWidth = 0, betaWidth = 0;
  if (gating) {
    std::optional<int64_t> w = width(decay, "decay");
    if (!w)
      return failure();
    decayWidth = *w;
    if (decayWidth != kvHeads && decayWidth != kvHeads * dk)
      return ctx.emitError() << "decay's last dimension must be kv_num_heads "
                             << "or kv_num_heads * head size";
  }
  if (delta) {
    std::optional<int64_t> w = width(beta, "beta");
    if (!w)
      return failure();
    betaWidth = *w;
    if (betaWidth != kvHeads && betaWidth != 1)
      return ctx.emitError() << "beta's last dimension must be kv_num_heads "
                             << "or 1";
  }
  Value scaleConst = c.scalar(f32, scaleValue);
  SmallVector<Value> outputs;
  for (int64_t t = 0; t < steps && state; ++t) {
    Value kt = step(c, key, t, {batch, kvHeads, dk, 1});
    Value vt = step(c, value, t, {batch, kvHeads, 1, dv});
    if (gating) {
      Value gt = step(c, decay, t,
                        {batch, kvHeads, decayWidth == kvHeads ? 1 : dk, 1});
      state = c.op("graph.mul", {state, c.op("graph.exp", gt)});
    }
    if (delta) {
      // retrieved = k_t S: [B, Hkv, 1, dk] x [B, Hkv, dk, dv].
      Value row = c.reshape(kt, {batch, kvHeads, 1, dk});
      Value retrieved = c.op("graph.matmul", {row, state});
      Value bt = step(c, beta, t, {batch, betaWidth, 1, 1});
      vt = c.op("graph.mul", {bt, c.op("graph.sub", {vt, retrieved})});
    }
    state = c.op("graph.add", {state, c.op("graph.mul", {kt, vt})});
    // y_t = scale * q_t S, query heads grouped per KV head.
    Value qt = step(c, query, t, {batch, kvHeads, group, dk});
    Value yt = c.op("graph.matmul", {qt, state});
    yt = c.op("graph.mul", {yt, scaleConst});
    outputs.push_back(c.reshape(yt, {batch, 1, heads * dv}));
    if (!outputs.back())
      return failure();
  }
  if (!state)
    return failure();
  Value output = outputs.size() == 1
                     ? outputs.front()
                     : ctx.create("graph.concat", outputs,
                                  {c.b.getNamedAttr("axis",
                                                    c.b.getI64IntegerAttr(1))});
  output = c.cast(output, q.getElementType());
  Value present = c.cast(state, stateType);
  if (!output || !present)
    return failure();
  ctx.setOutput(0, output);
  ctx.setOutput(1, present);
  return success();
}

} // namespace strata::onnx_import
