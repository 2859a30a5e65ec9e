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
// The widened integer products (MatMulInteger, ConvInteger, QLinear*) are
// folded in FoldIntegerProducts.cpp.
//
// The integer ops are s8 x s8 (the linalg named ops widen signed): a uint8
// activation is produced as int8 instead, by its QuantizeLinear with the
// zero point less 128 (the same bits with the top one flipped), which every
// DequantizeLinear of it then reads with that zero point.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/Passes.h"
#include "passes/graph/QdqFolding.h"

#include "lib/support/ConstantData.h"

#include <cmath>

using namespace mlir;
namespace graph = strata::graph;
using namespace strata::qdq;

namespace strata {
#define GEN_PASS_DEF_FOLDQDQ
#include "passes/graph/Passes.h.inc"
} // namespace strata

namespace strata::qdq {

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

Value i32Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get(shape, b.getI32Type());
  return graph::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

Value Folder::signedTwin(graph::QuantizeLinearOp q) {
  Value &twin = twins[q];
  if (twin)
    return twin;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointAfter(q);
  Location loc = q.getLoc();
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  // q's zero point less 128 (0 when it has none): a constant where q's is
  // one, computed where it is computed (DynamicQuantizeLinear's).
  Value zero = q.getZeroPoint();
  if (!zero) {
    zero = graph::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, i8), int8_t(-128)));
  } else if (std::optional<std::vector<int64_t>> values = integers(zero)) {
    std::vector<int8_t> shifted;
    for (int64_t v : *values)
      shifted.push_back(int8_t(v - 128));
    auto type = cast<RankedTensorType>(zero.getType()).clone(i8);
    zero = graph::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(type, ArrayRef<int8_t>(shifted)));
  } else {
    Value wide = graph::CastOp::create(rewriter, loc, zero, TypeAttr::get(i32));
    Value less = graph::SubOp::create(rewriter, loc, wide,
                                      i32Constant(rewriter, loc, {}, {128}));
    zero = graph::CastOp::create(rewriter, loc, less, TypeAttr::get(i8));
  }
  auto type = cast<RankedTensorType>(q.getType()).clone(i8);
  twin = graph::QuantizeLinearOp::create(
      rewriter, loc, type, q.getInput(), q.getScale(), zero, TypeAttr::get(i8),
      q.getAxisAttr(), q.getBlockSizeAttr(), q.getPrecisionAttr(),
      q.getSaturateAttr());
  return twin;
}

Value Folder::signedData(Value data) {
  if (elementOf(data).isSignlessInteger(8))
    return data;
  auto q = data.getDefiningOp<graph::QuantizeLinearOp>();
  if (q && q.getBlockSize() == 0)
    return signedTwin(q);
  Location loc = data.getLoc();
  Type i16 = rewriter.getI16Type();
  Value wide = graph::CastOp::create(rewriter, loc, data, TypeAttr::get(i16));
  Value shift = graph::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, i16), int16_t(128)));
  Value flipped = graph::SubOp::create(rewriter, loc, wide, shift);
  return graph::CastOp::create(rewriter, loc, flipped,
                               TypeAttr::get(rewriter.getI8Type()));
}

} // namespace strata::qdq

namespace {

/// An activation's quantization: one f32 scale, one zero point, over int8
/// or uint8 data produced by `quantize`.
struct Activation {
  graph::QuantizeLinearOp quantize;
  float scale;
  int64_t zeroPoint;
};

constexpr const char *activationProblem =
    "its input is not a DequantizeLinear (one scale and zero point) of a "
    "QuantizeLinear's 8-bit output";
constexpr const char *weightProblem =
    "its weight is not a DequantizeLinear of an int8 constant with zero "
    "point 0 and one scale per output channel (or one in all)";

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

/// The activation's zero point as the int8 data's (less 128 for uint8).
int64_t signedZeroPoint(Activation a) {
  return elementOf(a.quantize.getOutput()).isSignlessInteger(8)
             ? a.zeroPoint
             : a.zeroPoint - 128;
}

Value f32Constant(IRRewriter &rewriter, Location loc, ArrayRef<int64_t> shape,
                  ArrayRef<float> values) {
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
             ArrayRef<int64_t> scaleShape, double divisor = 1.0) {
  std::vector<float> scales(w.scales.size());
  for (size_t f = 0; f < scales.size(); ++f)
    scales[f] = float(double(inputScale) * double(w.scales[f]) / divisor);
  Value real = graph::CastOp::create(rewriter, loc, acc,
                                     TypeAttr::get(rewriter.getF32Type()));
  return graph::MulOp::create(rewriter, loc, real,
                              f32Constant(rewriter, loc, scaleShape, scales));
}

/// The op's result scaled to real values; where its one user is a
/// per-tensor QuantizeLinear with a constant scale y, scaled to y's units
/// instead (x_scale * w_scale[f] / y, one multiplier per channel, as
/// onnxruntime's QLinearConv requantizes) and quantized with scale 1: one
/// multiply per element, not a multiply and a division.
void replaceScaled(IRRewriter &rewriter, Operation *op, Value acc,
                   const Weight &w, float inputScale,
                   ArrayRef<int64_t> scaleShape) {
  Location loc = op->getLoc();
  Value result = op->getResult(0);
  auto q = result.hasOneUse()
               ? dyn_cast<graph::QuantizeLinearOp>(*result.getUsers().begin())
               : nullptr;
  std::optional<std::vector<float>> y = q ? floats(q.getScale()) : std::nullopt;
  if (!q || q.getBlockSize() != 0 || q.getInput() != result || !y ||
      y->size() != 1 || !((*y)[0] > 0) || !std::isfinite((*y)[0])) {
    rewriter.replaceOp(op, scaled(rewriter, loc, acc, w, inputScale, scaleShape));
    return;
  }
  Value units = scaled(rewriter, loc, acc, w, inputScale, scaleShape, (*y)[0]);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(q);
  Value one = graph::ConstantOp::create(
      rewriter, q.getLoc(),
      DenseElementsAttr::get(RankedTensorType::get({}, rewriter.getF32Type()),
                             1.0f));
  auto requantized = graph::QuantizeLinearOp::create(
      rewriter, q.getLoc(), q.getType(), units, one, q.getZeroPoint(),
      q.getOutputTypeAttr(), q.getAxisAttr(), q.getBlockSizeAttr(),
      q.getPrecisionAttr(), q.getSaturateAttr());
  rewriter.replaceOp(q, requantized.getOutput());
  rewriter.eraseOp(op);
}

} // namespace

namespace strata::qdq {

LogicalResult Folder::foldConv(graph::ConvOp conv) {
  auto resultType = cast<RankedTensorType>(conv.getType());
  if (!resultType.getElementType().isF32())
    return fail("not an f32 result");
  std::optional<Activation> x = activation(conv.getInput());
  if (!x)
    return fail(activationProblem);
  std::optional<Weight> w = weight(conv.getWeight(), 0);
  if (!w)
    return fail(weightProblem);
  int64_t channels = w->scales.size();
  std::optional<std::vector<double>> bias;
  if (conv.getBias() && !(bias = biasValues(conv.getBias(), channels)))
    return fail("the bias is not a constant (or a dequantized one)");
  std::optional<std::vector<int32_t>> integer =
      integerBias(*w, x->scale, signedZeroPoint(*x), bias);
  if (!integer)
    return fail("the integer bias overflows i32");
  rewriter.setInsertionPoint(conv);
  Value data = signedData(x->quantize.getOutput());
  Location loc = conv.getLoc();
  Value biasValue = i32Constant(rewriter, loc, {channels}, *integer);
  auto acc = graph::ConvOp::create(
      rewriter, loc, data, w->data, biasValue, conv.getStridesAttr(),
      conv.getDilationsAttr(), conv.getPadsAttr(), conv.getGroupAttr(),
      rewriter.getI64IntegerAttr(signedZeroPoint(*x)));
  // [F, 1...]: the channel dimension of N, F, spatial...
  SmallVector<int64_t> scaleShape(resultType.getRank() - 1, 1);
  scaleShape[0] = channels;
  replaceScaled(rewriter, conv, acc, *w, x->scale, scaleShape);
  return success();
}

/// x [.., M, K] times a constant w [K, N] (`transposed`: w is [N, K]),
/// plus an optional bias [N].
LogicalResult Folder::foldProduct(Operation *op, Value lhs, Value rhs,
                                  Value bias, bool transposed) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  if (rhsType.getRank() != 2 || lhsType.getRank() < 2 ||
      !resultType.getElementType().isF32())
    return fail("not an f32 product of a matrix and a 2-D weight");
  std::optional<Activation> x = activation(lhs);
  if (!x)
    return fail(activationProblem);
  std::optional<Weight> w = weight(rhs, transposed ? 0 : 1);
  if (!w)
    return fail(weightProblem);
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
      return fail("the bias is not a 1-D constant (or a dequantized one)");
  }
  std::optional<std::vector<int32_t>> integer =
      integerBias(columns, x->scale, signedZeroPoint(*x), biasData);
  if (!integer)
    return fail("the integer bias overflows i32");
  rewriter.setInsertionPoint(op);
  Value data = signedData(x->quantize.getOutput());
  Location loc = op->getLoc();
  Value weightData = w->data;
  if (transposed) {
    // B as [K, N], transposed once here.
    ElementsAttr t = strata::transposeConstant(
        cast<ElementsAttr>(w->data.getValue()), {1, 0}, "qdq_weight_t");
    if (!t)
      return fail("the weight's data cannot be read");
    weightData = graph::ConstantOp::create(rewriter, loc, t);
  }
  Value acc = graph::MatMulOp::create(rewriter, loc, data, weightData);
  acc = graph::AddOp::create(rewriter, loc, acc,
                             i32Constant(rewriter, loc, {n}, *integer));
  replaceScaled(rewriter, op, acc, *w, x->scale, {n});
  return success();
}

} // namespace strata::qdq

namespace {

/// Whether `op` reads a quantized operand: a DequantizeLinear (QDQ) or a
/// cast of 8-bit integers (the widened integer products).
bool readsQuantized(Operation *op) {
  return llvm::any_of(op->getOperands(), [](Value v) {
    Operation *def = v.getDefiningOp();
    if (isa_and_nonnull<graph::DequantizeLinearOp>(def))
      return true;
    if (auto sub = dyn_cast_or_null<graph::SubOp>(def))
      def = sub.getLhs().getDefiningOp();
    auto cast = dyn_cast_or_null<graph::CastOp>(def);
    return cast && elementOf(cast.getInput()).isInteger(8);
  });
}

struct FoldQdqPass : strata::impl::FoldQdqBase<FoldQdqPass> {
  using Base::Base;

  LogicalResult fold(Folder &folder, Operation *op) {
    if (auto conv = dyn_cast<graph::ConvOp>(op)) {
      if (elementOf(conv.getOutput()).isInteger(32))
        return folder.foldIntegerConv(conv);
      return folder.foldConv(conv);
    }
    if (auto matmul = dyn_cast<graph::MatMulOp>(op)) {
      if (elementOf(matmul.getOutput()).isInteger(32))
        return folder.foldIntegerMatMul(matmul);
      return folder.foldProduct(op, matmul.getLhs(), matmul.getRhs(), Value(),
                                /*transposed=*/false);
    }
    auto gemm = cast<graph::GemmOp>(op);
    auto at = cast<RankedTensorType>(gemm.getA().getType());
    if (gemm.getAlpha().convertToFloat() != 1.0f ||
        (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f) ||
        gemm.getTransA() || at.getRank() != 2) {
      folder.why = "alpha or beta is not 1, or A is transposed";
      return failure();
    }
    return folder.foldProduct(op, gemm.getA(), gemm.getB(), gemm.getC(),
                              gemm.getTransB());
  }

  void runOnOperation() override {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<graph::ConvOp, graph::MatMulOp, graph::GemmOp>(op) &&
          readsQuantized(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    Folder folder(rewriter);
    int64_t folded = 0;
    for (Operation *op : candidates) {
      Location loc = op->getLoc();
      Type element = elementOf(op->getResult(0));
      if (succeeded(fold(folder, op)))
        ++folded;
      else if (report)
        emitRemark(loc) << "not an int8 product (runs on " << element
                        << " values): " << folder.why;
    }
    if (report && !candidates.empty())
      emitRemark(UnknownLoc::get(&getContext()))
          << "quantized products: " << folded << " of " << candidates.size()
          << " run as int8 products";
    // The float operands and the uint8 quantizations nothing reads now.
    bool erased = true;
    while (erased) {
      erased = false;
      getOperation().walk([&](Operation *op) {
        if (isa<graph::DequantizeLinearOp, graph::QuantizeLinearOp,
                graph::ConstantOp, graph::CastOp, graph::SubOp,
                graph::ReshapeOp>(op) &&
            op->use_empty()) {
          op->erase();
          erased = true;
        }
      });
    }
  }
};

} // namespace
