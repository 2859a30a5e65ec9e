//===- FoldBatchNorm.cpp - BatchNormalization into the convolution --------===//
//
// Inference BatchNormalization after a convolution is an affine map per
// output channel f:  y = (conv(x)[f] - mean[f]) * s[f] + beta[f]  with
// s[f] = gamma[f] / sqrt(var[f] + epsilon). With constant weights it folds
// into the convolution: W'[f] = W[f] * s[f], b'[f] = (b[f] - mean[f]) * s[f]
// + beta[f]. PyTorch exports every conv of ResNet and MobileNet unfused;
// without the fold each BatchNorm is one more pass over the activations.
// onnxruntime folds the same way (in float, where strata computes the
// factors in double and rounds once). A BatchNormalization that cannot fold
// (not after a conv with constant weights: a QDQ model's, between
// DequantizeLinear and QuantizeLinear) with constant parameters becomes
// x * s + t with constant s and t: ResNet-50 quantized without
// onnxruntime's pre-processing keeps all 53 of them. Parameters that are
// DequantizeLinears of integer constants (onnxruntime quantizes some
// BatchNorms' scale and bias) count as constants: dequantized here, not
// per element with a square root and two divisions.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/Passes.h"

#include "dialects/graph/GraphOps.h"
#include "lib/support/ConstantData.h"
#include "lib/support/ResourceBlobs.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/graph/Passes.h.inc"
} // namespace strata

namespace {

/// The integer data of a graph.constant, or nullopt.
std::optional<std::vector<int64_t>> integerValues(Value value) {
  while (auto reshape = value.getDefiningOp<strata::graph::ReshapeOp>())
    value = reshape.getInput();
  auto constant = value.getDefiningOp<strata::graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  return strata::readIntegerConstant(constant.getValue());
}

/// The f32 data of a graph.constant, or of a DequantizeLinear of integer
/// constants into f32 over one axis (per tensor or per element: the
/// quantized BatchNorm parameters onnxruntime's quantizer writes),
/// computed as the op does, (float(x) - float(zero point)) * scale; or
/// nullopt.
std::optional<std::vector<float>> constantValues(Value value) {
  // A reshape keeps the data in order (the importer makes a [1] scale a
  // scalar so).
  while (auto reshape = value.getDefiningOp<strata::graph::ReshapeOp>())
    value = reshape.getInput();
  if (auto constant = value.getDefiningOp<strata::graph::ConstantOp>())
    return strata::readF32Constant(constant.getValue());
  auto dq = value.getDefiningOp<strata::graph::DequantizeLinearOp>();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!dq || !type || type.getRank() != 1 || !type.getElementType().isF32() ||
      dq.getBlockSize() != 0 ||
      !isa<IntegerType>(
          cast<ShapedType>(dq.getInput().getType()).getElementType()))
    return std::nullopt;
  std::optional<std::vector<int64_t>> input = integerValues(dq.getInput());
  std::optional<std::vector<float>> scale = constantValues(dq.getScale());
  std::optional<std::vector<int64_t>> zero =
      dq.getZeroPoint() ? integerValues(dq.getZeroPoint())
                        : std::vector<int64_t>{0};
  if (!input || !scale || !zero || scale->empty() || zero->empty())
    return std::nullopt;
  size_t n = input->size();
  // A scale (and zero point) per tensor, or one per element.
  auto at = [n](const auto &values, size_t i) {
    return values.size() == n ? values[i] : values[0];
  };
  if ((scale->size() != 1 && scale->size() != n) ||
      (zero->size() != 1 && zero->size() != n))
    return std::nullopt;
  std::vector<float> result(n);
  for (size_t i = 0; i < n; ++i)
    result[i] = (float(at(*input, i)) - float(at(*zero, i))) * at(*scale, i);
  return result;
}

/// A BatchNorm's constant parameters, one value per channel each.
struct NormParameters {
  std::vector<float> gamma, beta, mean, var;
  double epsilon;

  /// s[c] = gamma[c] / sqrt(var[c] + epsilon), in double.
  double scale(int64_t c) const {
    return double(gamma[c]) / std::sqrt(double(var[c]) + epsilon);
  }
};

/// `norm`'s parameters when they are constants of `channels` values each;
/// else a match failure that says why.
FailureOr<NormParameters> normParameters(strata::graph::BatchNormOp norm,
                                         int64_t channels,
                                         PatternRewriter &rewriter) {
  std::optional<std::vector<float>> gamma = constantValues(norm.getScale());
  std::optional<std::vector<float>> beta = constantValues(norm.getBias());
  std::optional<std::vector<float>> mean = constantValues(norm.getMean());
  std::optional<std::vector<float>> var = constantValues(norm.getVariance());
  if (!gamma || !beta || !mean || !var)
    return rewriter.notifyMatchFailure(norm, "parameters are not constants");
  for (const std::vector<float> *v : {&*gamma, &*beta, &*mean, &*var})
    if (int64_t(v->size()) != channels)
      return rewriter.notifyMatchFailure(norm, "per-channel sizes differ");
  return NormParameters{std::move(*gamma), std::move(*beta), std::move(*mean),
                        std::move(*var),
                        norm.getEpsilon().convertToDouble()};
}

struct FoldBatchNormIntoConv : OpRewritePattern<strata::graph::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(strata::graph::BatchNormOp norm,
                                PatternRewriter &rewriter) const override {
    auto conv = norm.getInput().getDefiningOp<strata::graph::ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(norm, "input is not a conv's only use");
    auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
    auto outputType = cast<RankedTensorType>(conv.getOutput().getType());
    if (!weightType.getElementType().isF32() ||
        !outputType.getElementType().isF32() || !weightType.hasStaticShape())
      return rewriter.notifyMatchFailure(norm, "not a static f32 conv");
    int64_t channels = weightType.getDimSize(0);
    std::optional<std::vector<float>> weight = constantValues(conv.getWeight());
    std::optional<std::vector<float>> bias =
        conv.getBias() ? constantValues(conv.getBias())
                       : std::vector<float>(channels, 0.0f);
    if (!weight || !bias)
      return rewriter.notifyMatchFailure(norm, "operands are not constants");
    if (int64_t(bias->size()) != channels)
      return rewriter.notifyMatchFailure(norm, "per-channel sizes differ");
    FailureOr<NormParameters> p = normParameters(norm, channels, rewriter);
    if (failed(p))
      return failure();

    size_t perChannel = weight->size() / channels;
    std::vector<float> newBias(channels);
    for (int64_t f = 0; f < channels; ++f) {
      double s = p->scale(f);
      for (size_t i = 0; i < perChannel; ++i) {
        float &w = (*weight)[f * perChannel + i];
        w = float(double(w) * s);
      }
      newBias[f] = float((double((*bias)[f]) - p->mean[f]) * s + p->beta[f]);
    }

    Location loc = conv.getLoc();
    auto weightConst = strata::graph::ConstantOp::create(
        rewriter, loc, strata::f32Constant(weightType, *weight, "bn_folded"));
    auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
    auto biasConst = strata::graph::ConstantOp::create(
        rewriter, loc, strata::f32Constant(biasType, newBias, "bn_folded"));
    // The conv takes the BatchNorm's place (and its location, so that
    // errors name the node whose output it now computes).
    rewriter.setInsertionPoint(norm);
    auto folded = strata::graph::ConvOp::create(
        rewriter, rewriter.getFusedLoc({loc, norm.getLoc()}),
        norm.getOutput().getType(), conv.getInput(), weightConst, biasConst,
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        conv.getGroupAttr(), conv.getPadValueAttr());
    rewriter.replaceOp(norm, folded.getOutput());
    rewriter.eraseOp(conv);
    return success();
  }
};

/// A BatchNormalization that stays (not after a foldable conv: a QDQ
/// model's, between DequantizeLinear and QuantizeLinear) with constant
/// parameters: x * s + t per channel, s and t computed here (in double,
/// rounded once), not a square root and a division per element.
struct BatchNormAsScaleShift : OpRewritePattern<strata::graph::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(strata::graph::BatchNormOp norm,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(norm.getType());
    if (!type.getElementType().isF32() || type.getRank() < 2 ||
        ShapedType::isDynamic(type.getDimSize(1)))
      return rewriter.notifyMatchFailure(norm, "not f32 with static channels");
    int64_t channels = type.getDimSize(1);
    FailureOr<NormParameters> p = normParameters(norm, channels, rewriter);
    if (failed(p))
      return failure();
    std::vector<float> scale(channels), shift(channels);
    for (int64_t c = 0; c < channels; ++c) {
      double s = p->scale(c);
      scale[c] = float(s);
      shift[c] = float(double(p->beta[c]) - double(p->mean[c]) * s);
    }
    // [C, 1...]: the channel dimension of N, C, spatial...
    SmallVector<int64_t> shape(type.getRank() - 1, 1);
    shape[0] = channels;
    auto constType = RankedTensorType::get(shape, rewriter.getF32Type());
    Location loc = norm.getLoc();
    Value s = strata::graph::ConstantOp::create(
        rewriter, loc, strata::f32Constant(constType, scale, "bn_scale"));
    Value t = strata::graph::ConstantOp::create(
        rewriter, loc, strata::f32Constant(constType, shift, "bn_shift"));
    Value scaled = strata::graph::MulOp::create(rewriter, loc, norm.getInput(), s);
    rewriter.replaceOpWithNewOp<strata::graph::AddOp>(norm, scaled, t);
    return success();
  }
};

struct FoldBatchNormPass
    : strata::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Into the conv before it where it can; else as a scale and shift.
    patterns.add<FoldBatchNormIntoConv>(&getContext(), /*benefit=*/2);
    patterns.add<BatchNormAsScaleShift>(&getContext(), /*benefit=*/1);
    strata::ResourceBlobReleaser releaser(getOperation());
    GreedyRewriteConfig config;
    config.setListener(&releaser);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      signalPassFailure();
  }
};

} // namespace
