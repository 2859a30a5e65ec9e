//===- OnnxMelWeightMatrixOps.cpp - MelWeightMatrix at import -------------===//
//
// The matrix depends only on its inputs, which must be constants (or pinned
// graph inputs), so it is computed at import as onnx's reference computes
// it (op_mel_weight_matrix.py): triangular filters between mel-spaced bin
// edges, a constant of `output_datatype`.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include <cmath>

using namespace mlir;

namespace strata::onnx_import {

/// The scalar constant input `i`, as a double; nullopt after an error.
static std::optional<double> scalarInput(NodeContext &ctx, size_t i,
                                         StringRef what) {
  FailureOr<ElementsAttr> value = ctx.constantInput(i, what);
  if (failed(value))
    return std::nullopt;
  if (value->getNumElements() == 1) {
    if (std::optional<SmallVector<double>> f = getFloatValues(*value))
      return f->front();
    if (std::optional<SmallVector<int64_t>> n = getIntegerValues(*value))
      return static_cast<double>(n->front());
  }
  ctx.emitError() << "input '" << what << "' must be a numeric scalar";
  return std::nullopt;
}

/// A frequency in hertz to mels, with the reference's f32 intermediates
/// (it computes 2595 * log1p(f32 / 700) in f32, then divides by ln 10).
static double hertzToMel(double hertz) {
  float scaled = 2595.0f * std::log1p(static_cast<float>(hertz) / 700.0f);
  return static_cast<double>(scaled) / std::log(10.0);
}

LogicalResult importMelWeightMatrix(NodeContext &ctx) {
  for (size_t i = 0; i < 5; ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects 5 inputs (num_mel_bins, dft_length, "
                                "sample_rate, lower_edge_hertz, "
                                "upper_edge_hertz)";
  std::optional<double> melBins = scalarInput(ctx, 0, "num_mel_bins");
  std::optional<double> dftLength = scalarInput(ctx, 1, "dft_length");
  std::optional<double> sampleRate = scalarInput(ctx, 2, "sample_rate");
  std::optional<double> lower = scalarInput(ctx, 3, "lower_edge_hertz");
  std::optional<double> upper = scalarInput(ctx, 4, "upper_edge_hertz");
  int64_t dataType = ctx.attrs.getInt("output_datatype", 1);
  if (!melBins || !dftLength || !sampleRate || !lower || !upper ||
      ctx.attrs.failed())
    return failure();
  int64_t mels = static_cast<int64_t>(*melBins);
  int64_t dft = static_cast<int64_t>(*dftLength);
  if (mels < 1 || dft < 1 || mels > (1 << 16) || dft > (1 << 24) ||
      *sampleRate <= 0)
    return ctx.emitError() << "num_mel_bins, dft_length and sample_rate must "
                              "be positive (and not huge)";
  Type element = convertElementType(ctx.getContext(), dataType);
  if (!element || !(isa<FloatType>(element) || element.isInteger()) ||
      element.isInteger(1))
    return ctx.emitError() << "output_datatype " << dataType
                           << " is not a numeric type";
  int64_t spectrogramBins = dft / 2 + 1;
  double lowMel = hertzToMel(*lower), highMel = hertzToMel(*upper);
  double step = (highMel - lowMel) / static_cast<double>(mels + 2);
  SmallVector<int64_t> edges;
  for (int64_t i = 0; i < mels + 2; ++i) {
    double hertz = 700 * std::expm1((i * step + lowMel) / 2595 * std::log(10.0));
    edges.push_back(static_cast<int64_t>(
        std::floor(static_cast<double>(dft + 1) * hertz / *sampleRate)));
  }
  for (int64_t e : edges)
    if (e < 0 || e >= spectrogramBins)
      return ctx.emitError() << "the mel bin edges fall outside the "
                             << spectrogramBins << " spectrogram bins";
  std::vector<double> matrix(spectrogramBins * mels, 0.0);
  auto at = [&](int64_t j, int64_t i) -> double & {
    return matrix[j * mels + i];
  };
  for (int64_t i = 0; i < mels; ++i) {
    int64_t left = edges[i], center = edges[i + 1], right = edges[i + 2];
    if (center == left)
      at(center, i) = 1;
    else
      for (int64_t j = left; j <= center; ++j)
        at(j, i) = static_cast<double>(j - left) / (center - left);
    for (int64_t j = center; j < right; ++j)
      at(j, i) = static_cast<double>(right - j) / (right - center);
  }
  SmallVector<Attribute> values;
  for (double w : matrix)
    values.push_back(isa<FloatType>(element)
                         ? Attribute(FloatAttr::get(element, w))
                         : Attribute(IntegerAttr::get(
                               element, static_cast<int64_t>(w))));
  ctx.setConstantOutput(
      0, DenseElementsAttr::get(
             RankedTensorType::get({spectrogramBins, mels}, element), values));
  return success();
}

} // namespace strata::onnx_import
