//===- GraphNormalizationShapes.cpp - normalizations: inference -----------===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"

using namespace mlir;
using namespace strata::graph;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// A ranked input and an in-range axis.
LogicalResult checkInputAxis(std::optional<Location> loc, RankedTensorType type,
                             IntegerAttr axis) {
  if (!type || !axis)
    return emitOptionalError(loc, "expects a ranked input and an 'axis'");
  return checkAxis(loc, axis.getInt(), type.getRank());
}

/// `param` (scale or bias) has one value per channel: shape [channels].
LogicalResult checkPerChannel(std::optional<Location> loc, StringRef what,
                              Value param, ArrayRef<int64_t> allowed) {
  auto type = rankedOf(param);
  if (type && type.getRank() == 1 && llvm::any_of(allowed, [&](int64_t n) {
        return n == kDyn || type.getDimSize(0) == kDyn ||
               n == type.getDimSize(0);
      }))
    return success();
  std::string expected;
  for (int64_t n : allowed)
    expected += (expected.empty() ? "" : " or ") + formatShape({n});
  return emitOptionalError(loc, what, " must have shape ", expected, ", got ",
                           type ? formatShape(type.getShape()) : "?");
}

LogicalResult inferSameAlongAxis(std::optional<Location> loc, Value input,
                                 IntegerAttr axis,
                                 SmallVectorImpl<Type> &results) {
  auto type = rankedOf(input);
  if (failed(checkInputAxis(loc, type, axis)))
    return failure();
  results.push_back(type);
  return success();
}

} // namespace

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (failed(checkInputAxis(loc, type, adaptor.getAxisAttr())))
    return failure();
  for (Value param : {adaptor.getScale(), adaptor.getBias()}) {
    if (!param)
      continue;
    auto pt = rankedOf(param);
    SmallVector<int64_t> shape;
    if (!pt || pt.getElementType() != type.getElementType() ||
        !broadcastShapes(type.getShape(), pt.getShape(), shape) ||
        ArrayRef<int64_t>(shape) != type.getShape())
      return emitOptionalError(
          loc, "scale and bias must broadcast to the input's shape ",
          formatShape(type.getShape()), " and element type, got ",
          pt ? formatShape(pt.getShape()) : "?");
  }
  results.push_back(type);
  return success();
}

LogicalResult InstanceNormOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (!type || type.getRank() < 3)
    return emitOptionalError(loc, "expects an input of rank 3 or more "
                                  "(N, C, spatial...)");
  int64_t channels = type.getDimSize(1);
  if (failed(checkPerChannel(loc, "scale", adaptor.getScale(), {channels})) ||
      failed(checkPerChannel(loc, "bias", adaptor.getBias(), {channels})))
    return failure();
  results.push_back(type);
  return success();
}

LogicalResult GroupNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (!type || type.getRank() < 3 || !adaptor.getNumGroupsAttr())
    return emitOptionalError(loc, "expects an input of rank 3 or more "
                                  "(N, C, spatial...) and 'num_groups'");
  int64_t channels = type.getDimSize(1), groups = adaptor.getNumGroups();
  if (groups < 1 || (channels != kDyn && channels % groups != 0))
    return emitOptionalError(loc, "num_groups ", groups,
                             " must be positive and divide the ", channels,
                             " channels");
  if (failed(checkPerChannel(loc, "scale", adaptor.getScale(),
                             {channels, groups})) ||
      failed(
          checkPerChannel(loc, "bias", adaptor.getBias(), {channels, groups})))
    return failure();
  results.push_back(type);
  return success();
}

LogicalResult LpNormOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getPAttr() && adaptor.getP() != 1 && adaptor.getP() != 2)
    return emitOptionalError(loc, "p must be 1 or 2, got ", adaptor.getP());
  return inferSameAlongAxis(loc, adaptor.getInput(), adaptor.getAxisAttr(),
                            results);
}

LogicalResult LogSoftmaxOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  return inferSameAlongAxis(loc, adaptor.getInput(), adaptor.getAxisAttr(),
                            results);
}

LogicalResult HardmaxOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferSameAlongAxis(loc, adaptor.getInput(), adaptor.getAxisAttr(),
                            results);
}
