//===- OnnxLossOps.cpp - NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss ===//
//
// Both losses are composed of graph ops. For log-probabilities x of shape
// [N, C, d1..dk] and targets t of shape [N, d1..dk]:
//
//   ignored  = t == ignore_index            (only with an ignore_index)
//   t'       = where(ignored, 0, t)         (an ignored target reads class 0)
//   loss     = -gather_elements(x, t' as [N, 1, d..], axis 1) as [N, d..]
//   w        = where(ignored, 0, weight[t'])   (weight[t'] alone, or
//                                               1 - ignored, or nothing)
//   loss     = loss * w
//   reduction none: loss; sum: sum(loss); mean: sum(loss) / sum(w), or
//   mean(loss) when there is no w.
//
// SoftmaxCrossEntropyLoss is the same on log_softmax(x, axis 1), which is
// also its optional second output.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"
#include "lib/frontend/onnx/OnnxOps.h"

using namespace mlir;

namespace strata::onnx_import {

namespace {

struct LossOptions {
  std::string reduction;
  std::optional<int64_t> ignoreIndex;
};

/// Reads and checks the attributes; nullopt after an error.
std::optional<LossOptions> lossOptions(NodeContext &ctx) {
  LossOptions options;
  options.reduction = ctx.attrs.getString("reduction", "mean");
  if (ctx.attrs.has("ignore_index"))
    options.ignoreIndex = ctx.attrs.getInt("ignore_index", 0);
  if (ctx.attrs.failed())
    return std::nullopt;
  if (options.reduction != "none" && options.reduction != "sum" &&
      options.reduction != "mean") {
    ctx.emitError() << "reduction '" << options.reduction
                    << "' is not one of none, sum, mean";
    return std::nullopt;
  }
  return options;
}

/// Checks the shapes of log-probabilities `x`, targets and the optional
/// weight (null when absent).
LogicalResult checkLossOperands(NodeContext &ctx, RankedTensorType x,
                                RankedTensorType target,
                                RankedTensorType weight) {
  if (!x.hasStaticShape() || !target.hasStaticShape())
    return ctx.emitError() << "expects static shapes, got "
                           << formatShape(x.getShape()) << " and "
                           << formatShape(target.getShape());
  if (x.getRank() < 2)
    return ctx.emitError() << "input must have shape [N, C, d1..dk], got "
                           << formatShape(x.getShape());
  if (!isa<FloatType>(x.getElementType()))
    return ctx.emitError() << "expects a float input, got "
                           << x.getElementType();
  SmallVector<int64_t> expected = {x.getDimSize(0)};
  llvm::append_range(expected, x.getShape().drop_front(2));
  if (target.getShape() != ArrayRef<int64_t>(expected))
    return ctx.emitError() << "target must have shape "
                           << formatShape(expected) << ", got "
                           << formatShape(target.getShape());
  auto targetElement = dyn_cast<IntegerType>(target.getElementType());
  if (!targetElement || !targetElement.isSignless() ||
      (targetElement.getWidth() != 32 && targetElement.getWidth() != 64))
    return ctx.emitError() << "target must be int32 or int64, got "
                           << target.getElementType();
  if (weight && (weight.getRank() != 1 ||
                 weight.getDimSize(0) != x.getDimSize(1) ||
                 weight.getElementType() != x.getElementType()))
    return ctx.emitError() << "weight must be a " << x.getElementType()
                           << " tensor of shape [" << x.getDimSize(1)
                           << "], got " << weight;
  return success();
}

/// The loss of log-probabilities `x` (see the file comment); `weight` may
/// be null. Null after an error.
Value negativeLogLikelihood(Composer &c, Value x, Value target, Value weight,
                            const LossOptions &options) {
  if (!x || !target)
    return nullptr;
  auto xType = Composer::typeOf(x);
  auto targetType = Composer::typeOf(target);
  Type element = xType.getElementType();
  Builder &b = c.b;
  Value ignored;
  if (options.ignoreIndex) {
    Type targetElement = targetType.getElementType();
    ignored = c.op("graph.equal",
                   {target, c.scalar(targetElement, *options.ignoreIndex)});
    target = c.op("graph.where",
                  {ignored, c.scalar(targetElement, 0), target});
  }
  SmallVector<int64_t> indexShape(targetType.getShape());
  indexShape.insert(indexShape.begin() + 1, 1);
  Value picked = c.op("graph.gather_elements",
                      {x, c.reshape(target, indexShape)},
                      {b.getNamedAttr("axis", b.getI64IntegerAttr(1))});
  Value loss =
      c.op("graph.neg", c.reshape(picked, targetType.getShape()));
  Value w;
  if (weight)
    w = c.op("graph.gather", {weight, target},
             {b.getNamedAttr("axis", b.getI64IntegerAttr(0))});
  if (ignored)
    w = c.op("graph.where", {ignored, c.scalar(element, 0),
                             w ? w : c.scalar(element, 1)});
  if (w)
    loss = c.op("graph.mul", {loss, w});
  if (options.reduction == "none")
    return loss;
  if (options.reduction == "sum")
    return c.reduce("reduce_sum", loss, {}, false);
  if (!w)
    return c.reduce("reduce_mean", loss, {}, false);
  return c.op("graph.div", {c.reduce("reduce_sum", loss, {}, false),
                            c.reduce("reduce_sum", w, {}, false)});
}

/// Shared by both losses: `logSoftmax` selects SoftmaxCrossEntropyLoss.
LogicalResult importLoss(NodeContext &ctx, bool logSoftmax) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1))
    return ctx.emitError() << "expects inputs 'scores' and 'labels'";
  std::optional<LossOptions> options = lossOptions(ctx);
  if (!options)
    return failure();
  RankedTensorType xType = ctx.inputType(0), targetType = ctx.inputType(1);
  RankedTensorType weightType = ctx.hasInput(2) ? ctx.inputType(2) : nullptr;
  if (!xType || !targetType || (ctx.hasInput(2) && !weightType))
    return failure();
  if (failed(checkLossOperands(ctx, xType, targetType, weightType)))
    return failure();
  Composer c(ctx);
  Value x = ctx.input(0);
  if (logSoftmax)
    x = c.op("graph.log_softmax", x,
             {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(1))});
  Value weight = ctx.hasInput(2) ? ctx.input(2) : nullptr;
  Value loss = negativeLogLikelihood(c, x, ctx.input(1), weight, *options);
  if (!loss)
    return failure();
  ctx.setOutput(0, loss);
  if (logSoftmax && ctx.hasOutput(1))
    ctx.setOutput(1, x);
  return success();
}

} // namespace

LogicalResult importNegativeLogLikelihoodLoss(NodeContext &ctx) {
  return importLoss(ctx, /*logSoftmax=*/false);
}

LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &ctx) {
  return importLoss(ctx, /*logSoftmax=*/true);
}

} // namespace strata::onnx_import
