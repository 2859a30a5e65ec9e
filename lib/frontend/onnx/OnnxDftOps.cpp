//===- OnnxDftOps.cpp - DFT as products with constant matrices -----------===//
//
// For a static signal length, every DFT variant (forward, one-sided,
// inverse, inverse of a one-sided spectrum) is a linear map along `axis`:
//   out_re = re·A + im·B,  out_im = re·C + im·D
// with [N_in, K] matrices of cosines and sines computed at import (in
// double, like onnx's numpy reference). The
// signal axis is moved last, multiplied, and moved back; the trailing
// dimension holds (re) or (re, im) as in ONNX. This costs O(N·K) per
// signal, fine for the lengths of audio front ends; an FFT kernel would be
// the next step for long signals.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"

#include <cmath>

using namespace mlir;

namespace strata::onnx_import {
namespace {

/// The four [n, k] matrices of the map, row-major, in double.
struct DftMatrices {
  int64_t n = 0, k = 0;
  std::vector<double> a, b, c, d;
  bool realOutput = false; ///< irfft: out_im is not produced
};

DftMatrices buildMatrices(int64_t inLength, int64_t length, bool inverse,
                          bool onesided) {
  DftMatrices m;
  m.n = inLength;
  m.realOutput = inverse && onesided;
  m.k = m.realOutput ? length : (onesided ? length / 2 + 1 : length);
  m.a.assign(m.n * m.k, 0);
  m.b = m.c = m.d = m.a;
  for (int64_t n = 0; n < m.n; ++n) {
    for (int64_t k = 0; k < m.k; ++k) {
      size_t at = n * m.k + k;
      if (m.realOutput) {
        // x_k = (1/L) [X_0 + 2 sum_{0<j<L/2} Re(X_j e^{+i..}) + X_{L/2}],
        // imaginary parts of X_0 and X_{L/2} ignored (numpy's irfft).
        if (n >= length / 2 + 1)
          continue;
        double angle = 2 * M_PI * double(n) * double(k) / double(length);
        bool edge = n == 0 || (length % 2 == 0 && n == length / 2);
        double weight = (edge ? 1.0 : 2.0) / double(length);
        m.a[at] = weight * std::cos(angle);
        m.b[at] = edge ? 0.0 : -weight * std::sin(angle);
        continue;
      }
      if (n >= length) // truncated input
        continue;
      double angle = 2 * M_PI * double(n) * double(k) / double(length);
      double cosine = std::cos(angle), sine = std::sin(angle);
      if (inverse) { // (a + ib) e^{+i angle} / L
        m.a[at] = cosine / double(length);
        m.b[at] = -sine / double(length);
        m.c[at] = sine / double(length);
        m.d[at] = cosine / double(length);
      } else { // (a + ib) e^{-i angle}
        m.a[at] = cosine;
        m.b[at] = sine;
        m.c[at] = -sine;
        m.d[at] = cosine;
      }
    }
  }
  return m;
}

} // namespace

LogicalResult importDft(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (!type || !type.hasStaticShape() || !isa<FloatType>(type.getElementType()))
    return ctx.emitError() << "input 'input' must be a float tensor of "
                           << "static shape";
  int64_t rank = type.getRank();
  int64_t channels = rank ? type.getDimSize(rank - 1) : 0;
  if (rank < 2 || (channels != 1 && channels != 2))
    return ctx.emitError() << "input " << formatShape(type.getShape())
                           << " must end in a dimension of 1 (real) or 2 "
                           << "(complex)";
  bool inverse = ctx.attrs.getInt("inverse", 0) != 0;
  bool onesided = ctx.attrs.getInt("onesided", 0) != 0;
  int64_t axisValue = ctx.opset < 20 ? ctx.attrs.getInt("axis", 1) : -2;
  if (ctx.attrs.failed())
    return failure();
  if (ctx.opset >= 20 && ctx.hasInput(2)) {
    std::optional<SmallVector<int64_t>> axis = constantInts(ctx, 2, "axis");
    if (!axis)
      return failure();
    axisValue = axis->front();
  }
  std::optional<int64_t> axis = normalizeAxis(ctx, axisValue, rank);
  if (!axis)
    return failure();
  if (*axis == rank - 1)
    return ctx.emitError() << "axis " << axisValue << " is the (re, im) "
                           << "dimension, not a signal axis";
  int64_t inLength = type.getDimSize(*axis);
  int64_t length = inverse && onesided ? 2 * (inLength - 1) : inLength;
  if (ctx.hasInput(1)) {
    std::optional<SmallVector<int64_t>> given =
        constantInts(ctx, 1, "dft_length");
    if (!given)
      return failure();
    length = given->front();
  }
  if (length < 1 || length > 8192 || inLength < 1)
    return ctx.emitError() << "a DFT of length " << length << " over "
                           << inLength << " samples is not supported "
                           << "(lengths 1 to 8192)";
  if (onesided && !inverse && channels == 2)
    return ctx.emitError() << "onesided=1 needs a real input";
  DftMatrices m = buildMatrices(inLength, length, inverse, onesided);

  Composer c(ctx);
  // Sums of many products: computed in double, as onnx's reference
  // (numpy.fft) does, so that exact zeros of the spectrum stay ~1e-16.
  Type element = c.b.getF64Type();
  Value input = c.cast(ctx.input(0), element);
  auto matrix = [&](const std::vector<double> &values) -> Value {
    SmallVector<APFloat> elements;
    for (double v : values)
      elements.push_back(FloatAttr::get(element, v).getValue());
    return c.constant(DenseElementsAttr::get(
        RankedTensorType::get({m.n, m.k}, element), elements));
  };
  // Signal axis last, the (re, im) dimension dropped: [..., N].
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != *axis)
      perm.push_back(d);
  perm.push_back(*axis);
  auto part = [&](int64_t channel) -> Value {
    SmallVector<int64_t> starts(rank, 0), sizes(type.getShape());
    starts[rank - 1] = channel;
    sizes[rank - 1] = 1;
    SmallVector<int64_t> dropped(type.getShape().drop_back());
    return c.transpose(c.reshape(c.slice(input, starts, sizes), dropped),
                       perm);
  };
  Value re = part(0), im = channels == 2 ? part(1) : nullptr;
  auto combine = [&](const std::vector<double> &forRe,
                     const std::vector<double> &forIm) -> Value {
    Value sum = c.op("graph.matmul", {re, matrix(forRe)});
    if (im)
      sum = c.op("graph.add",
                 {sum, c.op("graph.matmul", {im, matrix(forIm)})});
    return sum;
  };
  // Back to the input's order, with a trailing dimension of 1 per part.
  SmallVector<int64_t> inversePerm(perm.size());
  for (auto [i, d] : llvm::enumerate(perm))
    inversePerm[d] = i;
  SmallVector<int64_t> outShape(type.getShape());
  outShape[*axis] = m.k;
  outShape[rank - 1] = 1;
  auto restore = [&](Value v) {
    return c.reshape(c.transpose(v, inversePerm), outShape);
  };
  Value result = restore(combine(m.a, m.b));
  if (!m.realOutput)
    result = c.op("graph.concat", {result, restore(combine(m.c, m.d))},
                  {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(rank - 1))});
  result = c.cast(result, type.getElementType());
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
