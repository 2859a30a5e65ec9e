//===- GraphImageShapes.cpp - conv_transpose, resize: type inference ------===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace strata::graph;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

LogicalResult checkCount(std::optional<Location> loc, StringRef what,
                         ArrayRef<int64_t> values, size_t expected,
                         int64_t minimum) {
  if (values.size() != expected)
    return emitOptionalError(loc, "'", what, "' must have ", expected,
                             " values, got ", values.size());
  for (int64_t v : values)
    if (v < minimum)
      return emitOptionalError(loc, "'", what, "' values must be ",
                               minimum == 0 ? "non-negative" : "positive",
                               ", got ", formatShape(values));
  return success();
}

std::string quotedList(ArrayRef<StringRef> names) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(names, os, [&](StringRef n) { os << n; });
  return text;
}

} // namespace

LogicalResult
ConvTransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput()), wt = rankedOf(adaptor.getWeight());
  if (!it || !wt || it.getRank() < 3 || wt.getRank() != it.getRank())
    return emitOptionalError(loc, "expects an input (N, C, D...) of rank 3 "
                                  "or more and a weight (C, M/group, K...) "
                                  "of the same rank");
  if (it.getElementType() != wt.getElementType())
    return emitOptionalError(loc, "input and weight element types differ");
  if (!adaptor.getStridesAttr() || !adaptor.getDilationsAttr() ||
      !adaptor.getPadsAttr() || !adaptor.getOutputPaddingAttr() ||
      !adaptor.getGroupAttr())
    return emitOptionalError(
        loc, "needs strides, dilations, pads, output_padding and group");
  size_t spatial = it.getRank() - 2;
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    pads = adaptor.getPads(),
                    outputPadding = adaptor.getOutputPadding();
  if (failed(checkCount(loc, "strides", strides, spatial, 1)) ||
      failed(checkCount(loc, "dilations", dilations, spatial, 1)) ||
      failed(checkCount(loc, "pads", pads, 2 * spatial, 0)) ||
      failed(checkCount(loc, "output_padding", outputPadding, spatial, 0)))
    return failure();
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return emitOptionalError(loc, "'group' must be positive, got ", group);
  int64_t channels = it.getDimSize(1);
  if (channels != kDyn && channels % group != 0)
    return emitOptionalError(loc, "input has ", channels,
                             " channels, not a multiple of group ", group);
  if (channels != kDyn && wt.getDimSize(0) != kDyn &&
      channels != wt.getDimSize(0))
    return emitOptionalError(loc, "input has ", channels,
                             " channels but the weight's dimension 0 is ",
                             wt.getDimSize(0));
  int64_t filters = wt.getDimSize(1) == kDyn ? kDyn : wt.getDimSize(1) * group;
  if (Value bias = adaptor.getBias()) {
    auto bt = rankedOf(bias);
    if (!bt || bt.getRank() != 1 || bt.getDimSize(0) != filters ||
        bt.getElementType() != it.getElementType())
      return emitOptionalError(loc, "bias must have shape [", filters,
                               "] and the input's element type");
  }
  SmallVector<int64_t> shape = {it.getDimSize(0), filters};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = it.getDimSize(2 + i), kernel = wt.getDimSize(2 + i);
    if (in == kDyn || kernel == kDyn) {
      shape.push_back(kDyn);
      continue;
    }
    int64_t out = strides[i] * (in - 1) + outputPadding[i] +
                  dilations[i] * (kernel - 1) + 1 - pads[i] - pads[spatial + i];
    if (out < 1)
      return emitOptionalError(loc, "pads ", formatShape(pads),
                               " leave no output from input ",
                               formatShape(it.getShape()), " and kernel ",
                               formatShape(wt.getShape().drop_front(2)));
    shape.push_back(out);
  }
  results.push_back(RankedTensorType::get(shape, it.getElementType()));
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput());
  if (!it || !adaptor.getSizesAttr() || !adaptor.getScalesAttr() ||
      !adaptor.getModeAttr() || !adaptor.getCoordinateTransformationModeAttr())
    return emitOptionalError(loc, "expects a ranked input, 'sizes', 'scales', "
                                  "'mode' and "
                                  "'coordinate_transformation_mode'");
  size_t rank = it.getRank();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  ArrayRef<float> scales = adaptor.getScales();
  if (failed(checkCount(loc, "sizes", sizes, rank, 1)))
    return failure();
  if (scales.size() != rank ||
      llvm::any_of(scales, [](float s) { return !(s > 0.0f); }))
    return emitOptionalError(loc, "'scales' must have ", rank,
                             " positive values");
  static const StringRef modes[] = {"nearest", "linear", "cubic"};
  static const StringRef transforms[] = {
      "half_pixel",        "half_pixel_symmetric", "pytorch_half_pixel",
      "align_corners",     "asymmetric",           "tf_half_pixel_for_nn",
      "tf_crop_and_resize"};
  static const StringRef nearestModes[] = {
      "round_prefer_floor", "round_prefer_ceil", "floor", "ceil", "simple"};
  StringRef mode = adaptor.getMode();
  StringRef transform = adaptor.getCoordinateTransformationMode();
  StringRef nearest = adaptor.getNearestMode();
  if (!llvm::is_contained(modes, mode))
    return emitOptionalError(loc, "mode '", mode, "' is not one of ",
                             quotedList(modes));
  if (!llvm::is_contained(transforms, transform))
    return emitOptionalError(loc, "coordinate_transformation_mode '", transform,
                             "' is not one of ", quotedList(transforms));
  if (!llvm::is_contained(nearestModes, nearest))
    return emitOptionalError(loc, "nearest_mode '", nearest, "' is not one of ",
                             quotedList(nearestModes));
  if (mode != "nearest" && !isa<FloatType>(it.getElementType()))
    return emitOptionalError(loc, "mode '", mode,
                             "' needs a floating-point input, got ",
                             it.getElementType());
  std::optional<ArrayRef<float>> roi = adaptor.getRoi();
  if (transform == "tf_crop_and_resize" && (!roi || roi->size() != 2 * rank))
    return emitOptionalError(loc, "tf_crop_and_resize needs a 'roi' of ",
                             2 * rank, " values");
  results.push_back(RankedTensorType::get(sizes, it.getElementType()));
  return success();
}
