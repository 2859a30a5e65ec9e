//===- OnnxAttentionOps.cpp - Attention as a composition of graph ops -----===//
//
// ONNX Attention (opsets 23-25) is built at import from graph ops, following
// onnx's reference implementation (onnx/reference/ops/op_attention.py):
//
//   3-D Q/K/V [B, S, H*D] -> [B, H, S, D] (reshape, transpose)
//   K, V <- concat(past, K/V) along the sequence (present_key/value)
//   qk = (Q * sqrt(scale)) @ (K * sqrt(scale))^T
//   qk <- softcap * tanh(qk / softcap)                 (softcap > 0)
//   bias = where(allowed, float mask or 0, -inf)
//   p = softmax(qk + bias), zero on rows whose bias is all -inf
//   Y = p @ V                                         (3-D: back to [B, S, H*Dv])
//
// `allowed` is the conjunction of a bool attn_mask (padded with false to the
// key length), the causal frontier j <= i + offset, the sliding window
// (opset 25) and the key padding j < nonpad_kv_seqlen[b]. offset is the
// past length, nonpad_kv_seqlen[b] - q_len per batch without a past, else 0.
// Grouped-query attention does not repeat K and V: Q is viewed as
// [B, Hkv, Hq/Hkv, S, D] and matmul broadcasts K over the group axis (query
// head h reads key head h / (Hq/Hkv), as the reference's repeat does).
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace strata::onnx_import {
namespace {

enum AttentionInput { kQ, kK, kV, kMask, kPastKey, kPastValue, kNonpad };
enum AttentionOutput { kY, kPresentKey, kPresentValue, kQkOutput };

/// Small graph-op builders over one node; each returns null after an error
/// (reported at the node) and passes a null operand through. `failed` says
/// whether any did.
struct Composer {
  NodeContext &ctx;
  Builder b;
  bool failed = false;

  explicit Composer(NodeContext &ctx) : ctx(ctx), b(ctx.getContext()) {}

  static RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  Value constant(DenseElementsAttr value) { return op("graph.constant", {},
      {b.getNamedAttr("value", value)}); }
  Value floatScalar(Type element, double v) {
    return constant(DenseElementsAttr::get(RankedTensorType::get({}, element),
                                           FloatAttr::get(element, v)));
  }
  Value op(StringRef name, ValueRange operands,
           ArrayRef<NamedAttribute> attrs = {}) {
    Value result;
    if (llvm::all_of(operands, [](Value v) { return v != nullptr; }))
      result = ctx.create(name, operands, attrs);
    failed |= !result;
    return result;
  }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return op("graph.reshape", {v},
              {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
  }
  Value transpose(Value v, ArrayRef<int64_t> perm) {
    return op("graph.transpose", {v},
              {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
  }
  Value castTo(Value v, Type to) {
    if (!v || typeOf(v).getElementType() == to)
      return v;
    return op("graph.cast", {v}, {b.getNamedAttr("to", TypeAttr::get(to))});
  }
  /// lhs and rhs, where a null lhs means all true.
  Value conjunction(Value lhs, Value rhs) {
    return lhs ? op("graph.and", {lhs, rhs}) : rhs;
  }
};

/// The attribute values of one Attention node.
struct AttentionAttrs {
  bool causal;
  int64_t qHeads, kvHeads; ///< 0 when absent
  std::optional<double> scale;
  double softcap;
  int64_t qkMode;
  std::optional<int64_t> softmaxPrecision;
  int64_t leftWindow, rightWindow; ///< -1: unbounded
};

/// [B, S, H*D] -> [B, H, S, D].
Value splitHeads(Composer &c, Value v, int64_t heads) {
  auto shape = Composer::typeOf(v).getShape();
  Value split = c.reshape(v, {shape[0], shape[1], heads, shape[2] / heads});
  return c.transpose(split, {0, 2, 1, 3});
}

/// The bool constant [Sq, Skv]: query i attends key j under the causal
/// frontier and the window, with a scalar `offset`.
DenseElementsAttr frontierMask(Composer &c, const AttentionAttrs &a,
                               int64_t qLen, int64_t kvLen, int64_t offset) {
  SmallVector<bool> allowed;
  allowed.reserve(qLen * kvLen);
  for (int64_t i = 0; i < qLen; ++i)
    for (int64_t j = 0; j < kvLen; ++j) {
      int64_t diff = i + offset - j;
      bool ok = !a.causal || diff >= 0;
      ok = ok && (a.leftWindow < 0 || diff <= a.leftWindow);
      ok = ok && (a.rightWindow < 0 || -diff <= a.rightWindow);
      allowed.push_back(ok);
    }
  return DenseElementsAttr::get(
      RankedTensorType::get({qLen, kvLen}, c.b.getI1Type()), allowed);
}

/// The i64 constant [Sq, Skv] with j - i + Sq + delta: the frontier
/// conditions with offset nonpad[b] - Sq compare nonpad[b] against it.
Value frontierTable(Composer &c, int64_t qLen, int64_t kvLen, int64_t delta) {
  SmallVector<int64_t> table;
  table.reserve(qLen * kvLen);
  for (int64_t i = 0; i < qLen; ++i)
    for (int64_t j = 0; j < kvLen; ++j)
      table.push_back(j - i + qLen + delta);
  return c.constant(DenseElementsAttr::get(
      RankedTensorType::get({qLen, kvLen}, c.b.getI64Type()),
      ArrayRef<int64_t>(table)));
}

/// The same conditions with a per-batch offset nonpad[b] - Sq, where
/// `nonpad` is nonpad_kv_seqlen reshaped to [B, 1, 1, 1]:
///   causal  j <= i + off        <=>  j - i + Sq        <= nonpad[b]
///   left    i + off - j <= L    <=>  nonpad[b] <= j - i + Sq + L
///   right   j - i - off <= R    <=>  j - i + Sq - R    <= nonpad[b]
Value batchFrontier(Composer &c, const AttentionAttrs &a, Value nonpad,
                    int64_t qLen, int64_t kvLen) {
  Value allowed;
  if (a.causal)
    allowed = c.op("graph.less_or_equal",
                   {frontierTable(c, qLen, kvLen, 0), nonpad});
  if (a.leftWindow >= 0)
    allowed = c.conjunction(
        allowed, c.op("graph.less_or_equal",
                      {nonpad, frontierTable(c, qLen, kvLen, a.leftWindow)}));
  if (a.rightWindow >= 0)
    allowed = c.conjunction(
        allowed, c.op("graph.less_or_equal",
                      {frontierTable(c, qLen, kvLen, -a.rightWindow), nonpad}));
  return allowed;
}

FailureOr<AttentionAttrs> readAttrs(NodeContext &ctx) {
  AttentionAttrs a;
  NodeAttributes &attrs = ctx.attrs;
  a.causal = attrs.getInt("is_causal", 0) != 0;
  a.qHeads = attrs.getInt("q_num_heads", 0);
  a.kvHeads = attrs.getInt("kv_num_heads", 0);
  if (attrs.has("scale"))
    a.scale = attrs.getFloat("scale", 1.0f);
  a.softcap = attrs.getFloat("softcap", 0.0f);
  a.qkMode = attrs.getInt("qk_matmul_output_mode", 0);
  if (attrs.has("softmax_precision"))
    a.softmaxPrecision = attrs.getInt("softmax_precision", 1);
  a.leftWindow = attrs.getInt("left_window_size", -1);
  a.rightWindow = attrs.getInt("right_window_size", -1);
  if (attrs.failed())
    return failure();
  if (a.qkMode < 0 || a.qkMode > 3)
    return ctx.emitError() << "qk_matmul_output_mode " << a.qkMode
                           << " is not one of 0, 1, 2, 3";
  if (a.scale && !(*a.scale > 0))
    return ctx.emitError() << "scale must be positive (Q and K are scaled by "
                              "its square root), got "
                           << *a.scale;
  if (a.leftWindow < -1 || a.rightWindow < -1)
    return ctx.emitError()
           << "left_window_size and right_window_size must be -1 or "
              "non-negative, got "
           << a.leftWindow << " and " << a.rightWindow;
  return a;
}

/// Checks Q, K, V and brings them to [B, H, S, D]; returns false after an
/// error.
LogicalResult shapeInputs(NodeContext &ctx, Composer &c,
                          const AttentionAttrs &a, Value &q, Value &k,
                          Value &v) {
  RankedTensorType qType = ctx.inputType(kQ), kType = ctx.inputType(kK),
                   vType = ctx.inputType(kV);
  if (!qType || !kType || !vType)
    return ctx.emitError() << "expects inputs Q, K and V";
  for (auto [name, type] : {std::pair<StringRef, RankedTensorType>{"Q", qType},
                            {"K", kType},
                            {"V", vType}})
    if (!type.hasStaticShape())
      return ctx.emitError() << "input " << name << " has a dynamic shape "
                             << formatShape(type.getShape())
                             << ", not supported";
  Type element = qType.getElementType();
  if (!isa<FloatType>(element))
    return ctx.emitError() << "expects float Q, K and V, got " << element;
  if (kType.getElementType() != element || vType.getElementType() != element)
    return ctx.emitError() << "Q, K and V of different element types ("
                           << element << ", " << kType.getElementType() << ", "
                           << vType.getElementType() << ") are not supported";
  int64_t rank = qType.getRank();
  if ((rank != 3 && rank != 4) || kType.getRank() != rank ||
      vType.getRank() != rank)
    return ctx.emitError() << "Q, K and V must all be 3-D or all 4-D, got "
                           << formatShape(qType.getShape()) << ", "
                           << formatShape(kType.getShape()) << ", "
                           << formatShape(vType.getShape());
  q = ctx.input(kQ), k = ctx.input(kK), v = ctx.input(kV);
  if (rank == 4) {
    if (ctx.opset >= 25 && (a.qHeads || a.kvHeads))
      return ctx.emitError() << "q_num_heads and kv_num_heads must not be "
                                "given for 4-D inputs";
  } else {
    if (a.qHeads <= 0 || a.kvHeads <= 0)
      return ctx.emitError() << "3-D inputs need positive q_num_heads and "
                                "kv_num_heads attributes";
    auto divides = [&](StringRef name, RankedTensorType type, int64_t heads) {
      if (type.getDimSize(2) % heads == 0)
        return true;
      ctx.emitError() << "the hidden size " << type.getDimSize(2) << " of "
                      << name << " is not a multiple of its " << heads
                      << " heads";
      return false;
    };
    if (!divides("Q", qType, a.qHeads) || !divides("K", kType, a.kvHeads) ||
        !divides("V", vType, a.kvHeads))
      return failure();
    q = splitHeads(c, q, a.qHeads);
    k = splitHeads(c, k, a.kvHeads);
    v = splitHeads(c, v, a.kvHeads);
    if (!q || !k || !v)
      return failure();
  }
  auto qs = Composer::typeOf(q).getShape(), ks = Composer::typeOf(k).getShape(),
       vs = Composer::typeOf(v).getShape();
  if (qs[0] != ks[0] || qs[0] != vs[0] || ks[1] != vs[1] || ks[2] != vs[2] ||
      qs[3] != ks[3])
    return ctx.emitError()
           << "inconsistent shapes: Q " << formatShape(qs) << ", K "
           << formatShape(ks) << ", V " << formatShape(vs)
           << " (as [batch, heads, sequence, head size])";
  if (qs[1] % ks[1] != 0)
    return ctx.emitError() << "the " << qs[1]
                           << " query heads are not a multiple of the "
                           << ks[1] << " key/value heads";
  return success();
}

/// x @ y where x has Hq heads and y Hkv (dimension 1): x viewed as
/// [B, Hkv, Hq/Hkv, ...] so that y broadcasts over the group.
Value groupedMatMul(Composer &c, Value x, Value y) {
  if (!x || !y)
    return nullptr;
  auto xs = Composer::typeOf(x).getShape(), ys = Composer::typeOf(y).getShape();
  if (xs[1] == ys[1])
    return c.op("graph.matmul", {x, y});
  int64_t groups = xs[1] / ys[1];
  Value xg = c.reshape(x, {xs[0], ys[1], groups, xs[2], xs[3]});
  Value yg = c.reshape(y, {ys[0], ys[1], 1, ys[2], ys[3]});
  Value product = c.op("graph.matmul", {xg, yg});
  if (!product)
    return nullptr;
  auto ps = Composer::typeOf(product).getShape();
  return c.reshape(product, {xs[0], xs[1], ps[3], ps[4]});
}

} // namespace

LogicalResult importAttention(NodeContext &ctx) {
  FailureOr<AttentionAttrs> parsed = readAttrs(ctx);
  if (failed(parsed))
    return failure();
  const AttentionAttrs &a = *parsed;
  Composer c(ctx);
  Value q, k, v;
  if (failed(shapeInputs(ctx, c, a, q, k, v)))
    return failure();
  Type element = Composer::typeOf(q).getElementType();
  int64_t inputRank = ctx.inputType(kQ).getRank();

  // The key/value cache.
  bool hasPast = ctx.hasInput(kPastKey), hasNonpad = ctx.hasInput(kNonpad);
  if (hasPast != ctx.hasInput(kPastValue))
    return ctx.emitError() << "past_key and past_value must be given together";
  if (hasPast && hasNonpad)
    return ctx.emitError()
           << "nonpad_kv_seqlen cannot be combined with past_key/past_value";
  int64_t pastLen = 0;
  if (hasPast) {
    for (auto [index, name] : {std::pair<int, StringRef>{kPastKey, "past_key"},
                               {kPastValue, "past_value"}}) {
      RankedTensorType type = ctx.inputType(index);
      if (!type || type.getRank() != 4 || !type.hasStaticShape())
        return ctx.emitError() << "input " << name << " must be a static 4-D "
                               << "tensor [B, heads, past, head size]";
    }
    pastLen = ctx.inputType(kPastKey).getDimSize(2);
    Builder &b = c.b;
    auto axis2 = b.getNamedAttr("axis", b.getI64IntegerAttr(2));
    k = c.op("graph.concat", {ctx.input(kPastKey), k}, {axis2});
    v = c.op("graph.concat", {ctx.input(kPastValue), v}, {axis2});
    if (!k || !v)
      return failure();
  }
  auto qShape = Composer::typeOf(q).getShape();
  int64_t batch = qShape[0], qLen = qShape[2];
  int64_t kvLen = Composer::typeOf(k).getDimSize(2);

  // Scale Q and K by sqrt(scale) each (the reference's order, against
  // overflow), the factor rounded to the element type as the reference does.
  double scale = a.scale ? *a.scale : 1.0 / std::sqrt(double(qShape[3]));
  Value sqrtScale = c.floatScalar(element, std::sqrt(scale));
  Value qs = c.op("graph.mul", {q, sqrtScale});
  Value ks = c.op("graph.mul", {k, sqrtScale});
  Value qk = groupedMatMul(c, qs, c.transpose(ks, {0, 1, 3, 2}));
  Value rawQk = qk;
  if (a.softcap > 0) {
    Value cap = c.floatScalar(element, a.softcap);
    qk = c.op("graph.mul",
              {c.op("graph.tanh", {c.op("graph.div", {qk, cap})}), cap});
  }
  Value cappedQk = qk;

  // The additive bias: allowed positions take the float mask (or 0), the
  // others -inf.
  Value allowed, floatMask;
  if (ctx.hasInput(kMask)) {
    RankedTensorType maskType = ctx.inputType(kMask);
    if (!maskType.hasStaticShape() || maskType.getRank() < 1 ||
        maskType.getRank() > 4)
      return ctx.emitError() << "attn_mask must have a static shape of rank 1 "
                                "to 4, got "
                             << formatShape(maskType.getShape());
    int64_t maskLen = maskType.getShape().back();
    if (maskLen > kvLen)
      return ctx.emitError() << "attn_mask covers " << maskLen
                             << " keys, more than the " << kvLen << " of K";
    bool isBool = maskType.getElementType().isInteger(1);
    Value mask = ctx.input(kMask);
    if (!isBool)
      mask = c.castTo(mask, element);
    if (maskLen < kvLen) {
      // Keys past the mask are masked out (the reference pads it).
      SmallVector<int64_t> pads(2 * maskType.getRank(), 0);
      pads.back() = kvLen - maskLen;
      Type maskElement = Composer::typeOf(mask).getElementType();
      TypedAttr fill =
          isBool ? TypedAttr(c.b.getIntegerAttr(maskElement, 0))
                 : TypedAttr(FloatAttr::get(
                       maskElement, -std::numeric_limits<double>::infinity()));
      mask = c.op("graph.pad", {mask},
                  {c.b.getNamedAttr("pads", c.b.getDenseI64ArrayAttr(pads)),
                   c.b.getNamedAttr("value", fill)});
    }
    (isBool ? allowed : floatMask) = mask;
    if (!mask)
      return failure();
  }
  Value nonpad;
  if (hasNonpad) {
    RankedTensorType npType = ctx.inputType(kNonpad);
    if (!npType.getElementType().isInteger(64) || npType.getRank() != 1 ||
        npType.getDimSize(0) != batch)
      return ctx.emitError() << "nonpad_kv_seqlen must be an int64 tensor of "
                                "shape ["
                             << batch << "]";
    nonpad = c.reshape(ctx.input(kNonpad), {batch, 1, 1, 1});
  }
  // Whether some query row may have no key: known at import when the only
  // constraint is the constant frontier.
  bool mayMaskRows = allowed || floatMask || nonpad;
  DenseElementsAttr constantFrontier; // when it is all of `allowed`
  if (a.causal || a.leftWindow >= 0 || a.rightWindow >= 0) {
    if (nonpad) {
      allowed = c.conjunction(allowed,
                              batchFrontier(c, a, nonpad, qLen, kvLen));
    } else {
      DenseElementsAttr mask = frontierMask(c, a, qLen, kvLen, pastLen);
      auto bits = mask.getValues<bool>();
      for (int64_t i = 0; i < qLen; ++i)
        mayMaskRows |= llvm::none_of(
            llvm::seq<int64_t>(0, kvLen),
            [&](int64_t j) { return bits[i * kvLen + j]; });
      if (!allowed && !floatMask)
        constantFrontier = mask; // the whole bias, built below
      else
        allowed = c.conjunction(allowed, c.constant(mask));
    }
  }
  if (nonpad) {
    SmallVector<int64_t> keys;
    for (int64_t j = 0; j < kvLen; ++j)
      keys.push_back(j);
    Value keyIndex = c.constant(DenseElementsAttr::get(
        RankedTensorType::get({kvLen}, c.b.getI64Type()),
        ArrayRef<int64_t>(keys)));
    allowed = c.conjunction(allowed, c.op("graph.less", {keyIndex, nonpad}));
  }
  Value bias = floatMask;
  if (constantFrontier) {
    // A constant bias: 0 where allowed, -inf elsewhere.
    auto zero = FloatAttr::get(element, 0.0);
    auto minusInf =
        FloatAttr::get(element, -std::numeric_limits<double>::infinity());
    SmallVector<Attribute> values;
    for (bool ok : constantFrontier.getValues<bool>())
      values.push_back(ok ? zero : minusInf);
    bias = c.constant(DenseElementsAttr::get(
        constantFrontier.getType().clone(element), values));
  }
  if (allowed) {
    Value inside = floatMask ? floatMask : c.floatScalar(element, 0.0);
    bias = c.op("graph.where",
                {allowed, inside,
                 c.floatScalar(element,
                               -std::numeric_limits<double>::infinity())});
  }
  if (bias)
    qk = c.op("graph.add", {qk, bias});
  Value biasedQk = qk;

  // Softmax in softmax_precision, then zero rows with no attendable key
  // (their softmax is 0/0), unless there are none.
  Type softmaxElement = element;
  if (a.softmaxPrecision) {
    softmaxElement = convertElementType(ctx.getContext(), *a.softmaxPrecision);
    if (!softmaxElement || !isa<FloatType>(softmaxElement))
      return ctx.emitError() << "softmax_precision "
                             << dataTypeName(*a.softmaxPrecision)
                             << " is not a supported float type";
  }
  Value probs = c.op(
      "graph.softmax", {c.castTo(qk, softmaxElement)},
      {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(3))});
  if (bias && mayMaskRows) {
    int64_t biasRank = Composer::typeOf(bias).getRank();
    Value rowMax = c.op(
        "graph.reduce_max", {bias},
        {c.b.getNamedAttr("axes", c.b.getDenseI64ArrayAttr({biasRank - 1})),
         c.b.getNamedAttr("keepdims", c.b.getBoolAttr(true))});
    Value masked = c.op("graph.is_inf", {rowMax},
                        {c.b.getNamedAttr("detect_positive",
                                          c.b.getBoolAttr(false))});
    probs = c.op("graph.where",
                 {masked, c.floatScalar(softmaxElement, 0.0), probs});
  }
  probs = c.castTo(probs, element);

  Value y = groupedMatMul(c, probs, v);
  if (y && inputRank == 3) {
    auto ys = Composer::typeOf(y).getShape();
    y = c.reshape(c.transpose(y, {0, 2, 1, 3}),
                  {ys[0], ys[2], ys[1] * ys[3]});
  }
  if (c.failed)
    return failure();
  ctx.setOutput(kY, y);
  if (ctx.hasOutput(kPresentKey))
    ctx.setOutput(kPresentKey, k);
  if (ctx.hasOutput(kPresentValue))
    ctx.setOutput(kPresentValue, v);
  if (ctx.hasOutput(kQkOutput)) {
    Value outputs[] = {rawQk, cappedQk, biasedQk, probs};
    ctx.setOutput(kQkOutput, outputs[a.qkMode]);
  }
  return success();
}

} // namespace strata::onnx_import
