//===- FoldQdq.cpp - QDQ convolutions and products into integer ones ------===//
//
// See Passes.td (strata-fold-qdq). A QDQ model computes every Conv, MatMul
// and Gemm in float between DequantizeLinear and QuantizeLinear:
//
//   conv(DQ(x; sx, zx), DQ(w; sw[f], 0), b) = sx * sw[f] * sum (x - zx) * w
//                                             + b[f]
//
// which is, exactly, an integer convolution of x and w with i32 sums,
// scaled once per output channel:
//
//   sx * sw[f] * (conv_i32(x, w; padding zx) + B[f]),
//   B[f] = round(b[f] / (sx * sw[f])) - zx * sum_k w[f, k]
//
// The zero point's share of each sum is a constant per filter (w is
// constant), so it moves into the bias; padding holds zx, which the share
// subtracts again. The QuantizeLinear after the op is left as it is: the
// scale multiply, activation and quantization fuse into one elementwise
// pass after lowering.
//
// MatMulInteger (and what ONNX Runtime's dynamic quantization writes:
// DynamicQuantizeLinear, MatMulInteger with a constant int8 B) is imported
// as a product of operands widened to i32 less their zero points; with a
// constant B whose zero point is 0 and one zero point z for A, it becomes
// the i8 product less z * sum_k B[k][n] (z may be computed at run time).
//
// The integer ops are s8 x s8 (the linalg named ops widen signed): a uint8
// activation is produced as int8 instead, by its QuantizeLinear with the
// zero point less 128 (the same bits with the top one flipped), which every
// DequantizeLinear of it then reads with that zero point.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/Passes.h"

#include "dialects/graph/GraphOps.h"
#include "lib/support/ConstantData.h"

#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
namespace graph = strata::graph;

namespace strata {
#define GEN_PASS_DEF_FOLDQDQ
#include "passes/graph/Passes.h.inc"
} // namespace strata

namespace {

std::optional<std::vector<float>> floats(Value v) {
  auto constant = v ? v.getDefiningOp<graph::ConstantOp>() : nullptr;
  return constant ? strata::readF32Constant(constant.getValue())
                  : std::nullopt;
}

std::optional<std::vector<int64_t>> integers(Value v) {
  auto constant = v ? v.getDefiningOp<graph::ConstantOp>() : nullptr;
  return constant ? strata::readIntegerConstant(constant.getValue())
                  : std::nullopt;
}

Type elementOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// An activation's quantization: one f32 scale, one zero point, over int8
/// or uint8 data produced by `quantize`.
struct Activation {
  graph::QuantizeLinearOp quantize;
  float scale;
  int64_t zeroPoint;
};

std::optional<Activation> activation(Value input) {
  auto dq = input.getDefiningOp<graph::DequantizeLinearOp>();
  if (!dq || dq.getBlockSize() != 0 || !elementOf(dq).isF32())
    return std::nullopt;
  Type element = elementOf(dq.getInput());
  if (!element.isInteger(8))
    return std::nullopt;
  auto q = dq.getInput().getDefiningOp<graph::QuantizeLinearOp>();
  std::optional<std::vector<float>> scale = floats(dq.getScale());
  std::optional<std::vector<int64_t>> zero =
      dq.getZeroPoint() ? integers(dq.getZeroPoint())
                        : std::optional(std::vector<int64_t>{0});
  if (!q || !scale || scale->size() != 1 || !zero || zero->size() != 1 ||
      !(std::isfinite((*scale)[0]) && (*scale)[0] > 0))
    return std::nullopt;
  return Activation{q, (*scale)[0], (*zero)[0]};
}

/// A constant int8 weight with zero point 0 and scales along `axis` (one
/// per channel, or one for all).
struct Weight {
  graph::ConstantOp data;
  std::vector<int64_t> values;
  std::vector<float> scales; // one per channel along axis
};

std::optional<Weight> weight(Value input, int64_t axis) {
  auto dq = input.getDefiningOp<graph::DequantizeLinearOp>();
  if (!dq || dq.getBlockSize() != 0 || !elementOf(dq).isF32() ||
      !elementOf(dq.getInput()).isSignlessInteger(8))
    return std::nullopt;
  auto data = dq.getInput().getDefiningOp<graph::ConstantOp>();
  auto type = cast<RankedTensorType>(dq.getInput().getType());
  std::optional<std::vector<int64_t>> values = integers(dq.getInput());
  std::optional<std::vector<float>> scales = floats(dq.getScale());
  if (!data || !values || !scales || !type.hasStaticShape())
    return std::nullopt;
  if (dq.getZeroPoint()) {
    std::optional<std::vector<int64_t>> zero = integers(dq.getZeroPoint());
    if (!zero || llvm::any_of(*zero, [](int64_t z) { return z != 0; }))
      return std::nullopt;
  }
  int64_t channels = type.getDimSize(axis);
  if (scales->size() == 1)
    scales->assign(channels, (*scales)[0]);
  else if (int64_t(scales->size()) != channels || int64_t(dq.getAxis()) != axis)
    return std::nullopt;
  if (llvm::any_of(*scales, [](float s) { return !(std::isfinite(s) && s > 0); }))
    return std::nullopt;
  return Weight{data, std::move(*values), std::move(*scales)};
}

/// The bias values in float: an f32 constant or a DequantizeLinear of an
/// i32 constant (per channel or per tensor, zero point 0).
std::optional<std::vector<double>> biasValues(Value bias, int64_t channels) {
  if (auto values = floats(bias)) {
    if (int64_t(values->size()) != channels)
      return std::nullopt;
    return std::vector<double>(values->begin(), values->end());
  }
  auto dq = bias.getDefiningOp<graph::DequantizeLinearOp>();
  if (!dq || !elementOf(dq).isF32())
    return std::nullopt;
  std::optional<std::vector<int64_t>> data = integers(dq.getInput());
  std::optional<std::vector<float>> scale = floats(dq.getScale());
  std::optional<std::vector<int64_t>> zero =
      dq.getZeroPoint() ? integers(dq.getZeroPoint())
                        : std::optional(std::vector<int64_t>(1, 0));
  if (!data || !scale || !zero || int64_t(data->size()) != channels ||
      (scale->size() != 1 && int64_t(scale->size()) != channels) ||
      (zero->size() != 1 && int64_t(zero->size()) != channels))
    return std::nullopt;
  std::vector<double> result(channels);
  for (int64_t f = 0; f < channels; ++f)
    result[f] = double((*data)[f] - (*zero)[zero->size() == 1 ? 0 : f]) *
                (*scale)[scale->size() == 1 ? 0 : f];
  return result;
}

struct FoldQdqPass : strata::impl::FoldQdqBase<FoldQdqPass> {
  using Base::Base;

  /// The int8 form of an activation: its QuantizeLinear itself for int8,
  /// else (uint8) a twin producing int8 with the zero point less 128, made
  /// once per QuantizeLinear.
  Value signedData(IRRewriter &rewriter, Activation a,
                   int64_t &zeroPoint) {
    zeroPoint = a.zeroPoint;
    Value q = a.quantize.getOutput();
    if (elementOf(q).isSignlessInteger(8))
      return q;
    zeroPoint = a.zeroPoint - 128;
    Value &twin = signedTwin[a.quantize];
    if (twin)
      return twin;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointAfter(a.quantize);
    Location loc = a.quantize.getLoc();
    Type i8 = rewriter.getI8Type();
    auto zeroType = RankedTensorType::get({}, i8);
    Value zero = graph::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(zeroType, int8_t(zeroPoint)));
    auto type = cast<RankedTensorType>(q.getType()).clone(i8);
    twin = graph::QuantizeLinearOp::create(
        rewriter, loc, type, a.quantize.getInput(), a.quantize.getScale(),
        zero, TypeAttr::get(i8), a.quantize.getAxisAttr(),
        a.quantize.getBlockSizeAttr(), a.quantize.getPrecisionAttr(),
        a.quantize.getSaturateAttr());
    return twin;
  }

  Value i32Constant(IRRewriter &rewriter, Location loc,
                    ArrayRef<int64_t> shape, ArrayRef<int32_t> values) {
    auto type = RankedTensorType::get(shape, rewriter.getI32Type());
    return graph::ConstantOp::create(rewriter, loc,
                                     DenseElementsAttr::get(type, values));
  }

  Value f32Constant(IRRewriter &rewriter, Location loc,
                    ArrayRef<int64_t> shape, ArrayRef<float> values) {
    auto type = RankedTensorType::get(shape, rewriter.getF32Type());
    return graph::ConstantOp::create(
        rewriter, loc, strata::f32Constant(type, values, "qdq_scale"));
  }

  /// The integer bias B[f] (see the file comment), or nullopt when it
  /// would not fit in i32.
  std::optional<std::vector<int32_t>>
  integerBias(const Weight &w, float inputScale, int64_t zeroPoint,
              std::optional<std::vector<double>> bias) {
    int64_t channels = w.scales.size();
    int64_t perChannel = w.values.size() / channels;
    std::vector<int32_t> result(channels);
    for (int64_t f = 0; f < channels; ++f) {
      double value = 0;
      if (bias)
        value = std::nearbyint((*bias)[f] /
                               (double(inputScale) * double(w.scales[f])));
      int64_t sum = 0;
      for (int64_t k = 0; k < perChannel; ++k)
        sum += w.values[f * perChannel + k];
      value -= double(zeroPoint) * double(sum);
      if (!(std::fabs(value) < 2147483647.0))
        return std::nullopt;
      result[f] = int32_t(value);
    }
    return result;
  }

  /// cast(acc, f32) * sx * sw[f], with the scales shaped `scaleShape`.
  Value scaled(IRRewriter &rewriter, Location loc, Value acc,
               const Weight &w, float inputScale,
               ArrayRef<int64_t> scaleShape) {
    std::vector<float> scales(w.scales.size());
    for (size_t f = 0; f < scales.size(); ++f)
      scales[f] = float(double(inputScale) * double(w.scales[f]));
    Value real = graph::CastOp::create(rewriter, loc, acc,
                                       TypeAttr::get(rewriter.getF32Type()));
    return graph::MulOp::create(rewriter, loc, real,
                                f32Constant(rewriter, loc, scaleShape, scales));
  }

  LogicalResult foldConv(IRRewriter &rewriter, graph::ConvOp conv) {
    auto resultType = cast<RankedTensorType>(conv.getType());
    std::optional<Activation> x = activation(conv.getInput());
    std::optional<Weight> w = weight(conv.getWeight(), 0);
    if (!x || !w || !resultType.getElementType().isF32())
      return failure();
    int64_t channels = w->scales.size();
    std::optional<std::vector<double>> bias;
    if (conv.getBias() && !(bias = biasValues(conv.getBias(), channels)))
      return failure();
    rewriter.setInsertionPoint(conv);
    int64_t zeroPoint;
    Value data = signedData(rewriter, *x, zeroPoint);
    std::optional<std::vector<int32_t>> integer =
        integerBias(*w, x->scale, zeroPoint, bias);
    if (!integer)
      return failure();
    Location loc = conv.getLoc();
    Value biasValue = i32Constant(rewriter, loc, {channels}, *integer);
    auto acc = graph::ConvOp::create(
        rewriter, loc, data, w->data, biasValue, conv.getStridesAttr(),
        conv.getDilationsAttr(), conv.getPadsAttr(), conv.getGroupAttr(),
        rewriter.getI64IntegerAttr(zeroPoint));
    // [F, 1...]: the channel dimension of N, F, spatial...
    SmallVector<int64_t> scaleShape(resultType.getRank() - 1, 1);
    scaleShape[0] = channels;
    rewriter.replaceOp(conv, scaled(rewriter, loc, acc, *w, x->scale,
                                    scaleShape));
    return success();
  }

  /// x [.., M, K] times a constant w [K, N] (`transposed`: w is [N, K]),
  /// plus an optional bias [N].
  LogicalResult foldProduct(IRRewriter &rewriter, Operation *op, Value lhs,
                            Value rhs, Value bias, bool transposed) {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    if (rhsType.getRank() != 2 || lhsType.getRank() < 2 ||
        !resultType.getElementType().isF32())
      return failure();
    std::optional<Activation> x = activation(lhs);
    std::optional<Weight> w = weight(rhs, transposed ? 0 : 1);
    if (!x || !w)
      return failure();
    int64_t k = rhsType.getDimSize(transposed ? 1 : 0);
    int64_t n = rhsType.getDimSize(transposed ? 0 : 1);
    // Per column n: its K values in a row (as for a conv's filter).
    Weight columns = *w;
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        columns.values[j * k + i] =
            transposed ? w->values[j * k + i] : w->values[i * n + j];
    std::optional<std::vector<double>> biasData;
    if (bias) {
      auto bt = cast<RankedTensorType>(bias.getType());
      if (bt.getRank() != 1 || !(biasData = biasValues(bias, n)))
        return failure();
    }
    rewriter.setInsertionPoint(op);
    int64_t zeroPoint;
    Value data = signedData(rewriter, *x, zeroPoint);
    std::optional<std::vector<int32_t>> integer =
        integerBias(columns, x->scale, zeroPoint, biasData);
    if (!integer)
      return failure();
    Location loc = op->getLoc();
    Value weightData = w->data;
    if (transposed) {
      // B as [K, N], transposed once here.
      ElementsAttr t = strata::transposeConstant(
          cast<ElementsAttr>(w->data.getValue()), {1, 0}, "qdq_weight_t");
      if (!t)
        return failure();
      weightData = graph::ConstantOp::create(rewriter, loc, t);
    }
    Value acc = graph::MatMulOp::create(rewriter, loc, data, weightData);
    acc = graph::AddOp::create(rewriter, loc, acc,
                               i32Constant(rewriter, loc, {n}, *integer));
    rewriter.replaceOp(op, scaled(rewriter, loc, acc, *w, x->scale, {n}));
    return success();
  }

  /// `v` = graph.cast(x, i32), or graph.sub of that and a cast of a zero
  /// point; null when not.
  struct Widened {
    Value data, zeroPoint;
  };
  std::optional<Widened> widened(Value v) {
    Value zero;
    if (auto sub = v.getDefiningOp<graph::SubOp>()) {
      auto zeroCast = sub.getRhs().getDefiningOp<graph::CastOp>();
      if (!zeroCast)
        return std::nullopt;
      zero = zeroCast.getInput();
      v = sub.getLhs();
    }
    auto cast = v.getDefiningOp<graph::CastOp>();
    if (!cast || !elementOf(cast.getInput()).isInteger(8))
      return std::nullopt;
    return Widened{cast.getInput(), zero};
  }

  /// An i32 graph.matmul of widened int8 operands (MatMulInteger) with a
  /// constant B of zero point 0 and one zero point for A, as the i8
  /// product less z * (column sums of B).
  LogicalResult foldIntegerMatMul(IRRewriter &rewriter, graph::MatMulOp op) {
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    if (!elementOf(op.getLhs()).isInteger(32) || rhsType.getRank() != 2 ||
        cast<RankedTensorType>(op.getLhs().getType()).getRank() < 2)
      return failure();
    std::optional<Widened> a = widened(op.getLhs());
    std::optional<Widened> b = widened(op.getRhs());
    if (!a || !b || !elementOf(b->data).isSignlessInteger(8))
      return failure();
    auto weight = b->data.getDefiningOp<graph::ConstantOp>();
    std::optional<std::vector<int64_t>> values = integers(b->data);
    if (!weight || !values)
      return failure();
    if (b->zeroPoint) {
      std::optional<std::vector<int64_t>> zero = integers(b->zeroPoint);
      if (!zero || llvm::any_of(*zero, [](int64_t z) { return z != 0; }))
        return failure();
    }
    if (a->zeroPoint &&
        cast<RankedTensorType>(a->zeroPoint.getType()).getNumElements() != 1)
      return failure();
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Type i32 = rewriter.getI32Type(), i8 = rewriter.getI8Type();
    auto castTo = [&](Value v, Type t) -> Value {
      return graph::CastOp::create(rewriter, loc, v, TypeAttr::get(t));
    };
    auto i32Scalar = [&](int32_t value) -> Value {
      return i32Constant(rewriter, loc, {}, {value});
    };
    // z as a rank-0 i32 (0 when absent).
    Value zero = a->zeroPoint ? castTo(a->zeroPoint, i32) : i32Scalar(0);
    if (auto zt = cast<RankedTensorType>(zero.getType()); zt.getRank() != 0)
      zero = graph::ReshapeOp::create(rewriter, loc, zero,
                                      rewriter.getDenseI64ArrayAttr({}));
    Value data = a->data;
    if (!elementOf(data).isSignlessInteger(8)) {
      // uint8: the same bits with the top one flipped, z less 128. From a
      // quantize_linear, a twin that produces int8; else a flip of its own.
      zero = graph::SubOp::create(rewriter, loc, zero, i32Scalar(128));
      auto q = data.getDefiningOp<graph::QuantizeLinearOp>();
      if (q && q.getZeroPoint() && q.getBlockSize() == 0 &&
          cast<RankedTensorType>(q.getZeroPoint().getType()).getRank() == 0) {
        auto type = cast<RankedTensorType>(data.getType()).clone(i8);
        data = graph::QuantizeLinearOp::create(
            rewriter, loc, type, q.getInput(), q.getScale(),
            castTo(zero, i8), TypeAttr::get(i8), q.getAxisAttr(),
            q.getBlockSizeAttr(), q.getPrecisionAttr(), q.getSaturateAttr());
      } else {
        Type i16 = rewriter.getI16Type();
        Value wide = castTo(data, i16);
        Value shift = graph::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(RankedTensorType::get({}, i16),
                                   int16_t(128)));
        data = castTo(graph::SubOp::create(rewriter, loc, wide, shift), i8);
      }
    }
    int64_t k = rhsType.getDimSize(0), n = rhsType.getDimSize(1);
    std::vector<int32_t> sums(n, 0);
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        sums[j] += int32_t((*values)[i * n + j]);
    Value product = graph::MatMulOp::create(rewriter, loc, data, weight);
    Value share = graph::MulOp::create(rewriter, loc, zero,
                                       i32Constant(rewriter, loc, {n}, sums));
    rewriter.replaceOp(op, graph::SubOp::create(rewriter, loc, product, share)
                               .getOutput());
    return success();
  }

  void runOnOperation() override {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<graph::ConvOp, graph::MatMulOp, graph::GemmOp>(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : candidates) {
      if (auto conv = dyn_cast<graph::ConvOp>(op)) {
        (void)foldConv(rewriter, conv);
      } else if (auto matmul = dyn_cast<graph::MatMulOp>(op)) {
        if (succeeded(foldIntegerMatMul(rewriter, matmul)))
          continue;
        (void)foldProduct(rewriter, op, matmul.getLhs(), matmul.getRhs(),
                          Value(), /*transposed=*/false);
      } else if (auto gemm = dyn_cast<graph::GemmOp>(op)) {
        auto at = cast<RankedTensorType>(gemm.getA().getType());
        if (gemm.getAlpha().convertToFloat() != 1.0f ||
            (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f) ||
            gemm.getTransA() || at.getRank() != 2)
          continue;
        (void)foldProduct(rewriter, op, gemm.getA(), gemm.getB(), gemm.getC(),
                          gemm.getTransB());
      }
    }
    // The float operands and the uint8 quantizations nothing reads now.
    bool erased = true;
    while (erased) {
      erased = false;
      getOperation().walk([&](Operation *op) {
        if (isa<graph::DequantizeLinearOp, graph::QuantizeLinearOp,
                graph::ConstantOp, graph::CastOp, graph::SubOp>(op) &&
            op->use_empty()) {
          op->erase();
          erased = true;
        }
      });
    }
  }

  llvm::DenseMap<Operation *, Value> signedTwin;
};

} // namespace

