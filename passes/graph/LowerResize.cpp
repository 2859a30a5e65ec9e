//===- LowerResize.cpp - resize -> linalg.generic with gathers ------------===//
//
// Shapes are static, so the whole sampling plan is computed here: for each
// resized dimension and each output index, the input indices it reads
// (1 tap for nearest, 2 for linear, 4 for cubic) and their weights, in
// float32 arithmetic as onnxruntime computes them. The tables become
// constant operands of one linalg.generic over the output, whose body
// gathers every combination of taps with tensor.extract and sums the
// weighted values. Dimensions that map each index to itself read the loop
// index directly; taps whose weight is zero for every output index are
// dropped. With tf_crop_and_resize an output whose coordinate leaves the
// input has index -1 in the table and becomes extrapolation_value.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

/// The sampling of one dimension: index and weight of each tap, row-major
/// [out][taps]. An index of -1 marks an extrapolated output.
struct AxisPlan {
  int64_t dim = 0;
  int64_t taps = 0;
  SmallVector<int64_t> index;
  SmallVector<float> weight;
  bool extrapolates = false;
  bool weighted = true;
};

/// ONNX's coordinate transformations, in float as onnxruntime evaluates
/// them.
float originalCoordinate(StringRef mode, float x, float scale, float outLen,
                         float inLen, float roiStart, float roiEnd) {
  if (mode == "half_pixel")
    return ((x + 0.5f) / scale) - 0.5f;
  if (mode == "half_pixel_symmetric") {
    float outputWidth = scale * inLen;
    float adjustment = outLen / outputWidth;
    float center = inLen / 2;
    float offset = center * (1 - adjustment);
    return offset + (x + 0.5f) / scale - 0.5f;
  }
  if (mode == "pytorch_half_pixel")
    return outLen > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
  // The resized length is scale * inLen, not the rounded output length (so
  // a downsampling by 0.6 of 4 maps through 2.4), as ONNX defines it and
  // onnx's reference computes it; onnxruntime 1.32 uses the rounded one.
  if (mode == "align_corners")
    return outLen == 1 ? 0.0f : x * (inLen - 1) / (scale * inLen - 1);
  if (mode == "tf_half_pixel_for_nn")
    return (x + 0.5f) / scale;
  if (mode == "tf_crop_and_resize")
    return outLen > 1
               ? roiStart * (inLen - 1) +
                     (x * (roiEnd - roiStart) * (inLen - 1)) / (outLen - 1)
               : static_cast<float>(0.5 * (roiStart + roiEnd) * (inLen - 1));
  return x / scale; // asymmetric
}

int64_t nearestIndex(StringRef mode, float x, bool downsample) {
  if (mode == "round_prefer_floor") {
    if (x == static_cast<float>(static_cast<int64_t>(x)) + 0.5f)
      return static_cast<int64_t>(std::floor(x));
    return static_cast<int64_t>(std::round(x));
  }
  if (mode == "round_prefer_ceil")
    return static_cast<int64_t>(std::round(x));
  if (mode == "floor")
    return static_cast<int64_t>(std::floor(x));
  if (mode == "ceil")
    return static_cast<int64_t>(std::ceil(x));
  // simple (Resize-10, Upsample)
  return downsample ? static_cast<int64_t>(std::ceil(x))
                    : static_cast<int64_t>(x);
}

/// Keys' cubic convolution weights of the taps at floor(x) - 1 ... + 2.
std::array<float, 4> cubicCoefficients(float s, float a) {
  s = std::abs(s);
  return {((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a,
          ((a + 2) * s - (a + 3)) * s * s + 1,
          ((a + 2) * (1 - s) - (a + 3)) * (1 - s) * (1 - s) + 1,
          ((a * (2 - s) - 5 * a) * (2 - s) + 8 * a) * (2 - s) - 4 * a};
}

AxisPlan planAxis(graph::ResizeOp op, int64_t dim, int64_t inLen,
                  int64_t outLen) {
  StringRef mode = op.getMode();
  StringRef transform = op.getCoordinateTransformationMode();
  float scale = op.getScales()[dim];
  int64_t rank = op.getScales().size();
  float roiStart = 0, roiEnd = 1;
  if (std::optional<ArrayRef<float>> roi = op.getRoi()) {
    roiStart = (*roi)[dim];
    roiEnd = (*roi)[rank + dim];
  }
  bool extrapolate = transform == "tf_crop_and_resize";
  AxisPlan plan;
  plan.dim = dim;
  plan.taps = mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
  auto clampIndex = [&](int64_t i) {
    return std::min<int64_t>(std::max<int64_t>(i, 0), inLen - 1);
  };
  for (int64_t x = 0; x < outLen; ++x) {
    float original = originalCoordinate(
        transform, static_cast<float>(x), scale, static_cast<float>(outLen),
        static_cast<float>(inLen), roiStart, roiEnd);
    SmallVector<int64_t, 4> index;
    SmallVector<float, 4> weight;
    if (mode == "nearest") {
      index.push_back(clampIndex(
          nearestIndex(op.getNearestMode(), original, scale < 1.0f)));
      weight.push_back(1.0f);
    } else if (mode == "linear") {
      float clamped =
          std::max(0.0f, std::min(original, static_cast<float>(inLen - 1)));
      int64_t i0 = std::min<int64_t>(static_cast<int64_t>(clamped), inLen - 1);
      int64_t i1 = std::min<int64_t>(i0 + 1, inLen - 1);
      float w0 = std::fabs(clamped - static_cast<float>(i1));
      float w1 = std::fabs(clamped - static_cast<float>(i0));
      if (i0 == i1)
        w0 = w1 = 0.5f;
      index = {i0, i1};
      weight = {w0, w1};
    } else {
      float base = std::floor(original);
      std::array<float, 4> coeffs = cubicCoefficients(
          original - base, op.getCubicCoeffA().convertToFloat());
      int64_t first = static_cast<int64_t>(base) - 1;
      float sum = 0;
      for (int64_t t = 0; t < 4; ++t) {
        bool inside = first + t >= 0 && first + t < inLen;
        if (op.getExcludeOutside() && !inside)
          coeffs[t] = 0;
        sum += coeffs[t];
      }
      for (int64_t t = 0; t < 4; ++t) {
        index.push_back(clampIndex(first + t));
        weight.push_back(op.getExcludeOutside() ? coeffs[t] / sum : coeffs[t]);
      }
    }
    if (extrapolate &&
        (original < 0 || original > static_cast<float>(inLen - 1))) {
      plan.extrapolates = true;
      for (int64_t &i : index)
        i = -1;
    }
    plan.index.append(index);
    plan.weight.append(weight);
  }
  return plan;
}

/// Drops taps of zero weight: each output's nonzero taps move first, and
/// trailing tap columns that are zero for every output go.
void compact(AxisPlan &plan, int64_t outLen) {
  int64_t needed = 1;
  for (int64_t x = 0; x < outLen; ++x) {
    // Taps that read the same index (clamped at an edge) merge.
    for (int64_t t = 1; t < plan.taps; ++t)
      for (int64_t u = 0; u < t; ++u) {
        int64_t a = x * plan.taps + u, c = x * plan.taps + t;
        if (plan.index[a] == plan.index[c] && plan.weight[c] != 0.0f) {
          plan.weight[a] += plan.weight[c];
          plan.weight[c] = 0.0f;
        }
      }
    int64_t kept = 0;
    for (int64_t t = 0; t < plan.taps; ++t) {
      int64_t from = x * plan.taps + t, to = x * plan.taps + kept;
      if (plan.weight[from] == 0.0f)
        continue;
      std::swap(plan.index[from], plan.index[to]);
      std::swap(plan.weight[from], plan.weight[to]);
      ++kept;
    }
    needed = std::max(needed, kept);
  }
  SmallVector<int64_t> index;
  SmallVector<float> weight;
  for (int64_t x = 0; x < outLen; ++x)
    for (int64_t t = 0; t < needed; ++t) {
      index.push_back(plan.index[x * plan.taps + t]);
      weight.push_back(plan.weight[x * plan.taps + t]);
    }
  plan.taps = needed;
  plan.index = std::move(index);
  plan.weight = std::move(weight);
  plan.weighted = llvm::any_of(plan.weight, [](float w) { return w != 1.0f; });
}

bool isIdentity(const AxisPlan &plan, int64_t inLen, int64_t outLen) {
  if (inLen != outLen || plan.taps != 1 || plan.weighted)
    return false;
  for (int64_t x = 0; x < outLen; ++x)
    if (plan.index[x] != x)
      return false;
  return true;
}

struct ResizeLowering : OpRewritePattern<graph::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::ResizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    // Unsigned integers (nearest only) are moved as their signless forms.
    auto graphType = cast<RankedTensorType>(op.getType());
    auto resultType = cast<RankedTensorType>(signlessType(graphType));
    Type element = resultType.getElementType();
    if (!element.isIntOrFloat() ||
        (op.getMode() != "nearest" && !isa<FloatType>(element)))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t rank = resultType.getRank();

    SmallVector<AxisPlan> plans;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t inLen = inputType.getDimSize(d),
              outLen = resultType.getDimSize(d);
      AxisPlan plan = planAxis(op, d, inLen, outLen);
      compact(plan, outLen);
      if (!isIdentity(plan, inLen, outLen))
        plans.push_back(std::move(plan));
    }

    // Weights are summed in f32 for narrower floats.
    Type compute = element;
    if (isa<FloatType>(element) && element.getIntOrFloatBitWidth() < 32)
      compute = rewriter.getF32Type();

    // Operands: per resized dim and tap, an index column and (when
    // weighted) a weight column, each read at the dim's loop index.
    SmallVector<Value> operands;
    SmallVector<AffineMap> maps;
    Type i64 = rewriter.getI64Type();
    for (const AxisPlan &plan : plans) {
      int64_t out = resultType.getDimSize(plan.dim);
      AffineMap map = AffineMap::get(rank, 0, getAffineDimExpr(plan.dim, ctx));
      for (int64_t t = 0; t < plan.taps; ++t) {
        SmallVector<int64_t> column;
        SmallVector<APFloat> weights;
        for (int64_t x = 0; x < out; ++x) {
          column.push_back(plan.index[x * plan.taps + t]);
          if (!plan.weighted)
            continue;
          // Weighted plans exist for float element types only.
          APFloat w(plan.weight[x * plan.taps + t]);
          bool lost;
          w.convert(cast<FloatType>(compute).getFloatSemantics(),
                    APFloat::rmNearestTiesToEven, &lost);
          weights.push_back(w);
        }
        auto indexType = RankedTensorType::get({out}, i64);
        operands.push_back(arith::ConstantOp::create(
            rewriter, loc,
            DenseIntElementsAttr::get(indexType, ArrayRef(column))));
        maps.push_back(map);
        if (plan.weighted) {
          auto weightType = RankedTensorType::get({out}, compute);
          operands.push_back(arith::ConstantOp::create(
              rewriter, loc, DenseElementsAttr::get(weightType, weights)));
          maps.push_back(map);
        }
      }
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init =
        tensor::EmptyOp::create(rewriter, loc, resultType.getShape(), element);
    Value input = castToSignless(rewriter, loc, op.getInput());
    bool weighted =
        llvm::any_of(plans, [](const AxisPlan &p) { return p.weighted; });
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);

    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, operands, init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          // Per plan and tap: (index, weight or null).
          SmallVector<SmallVector<std::pair<Value, Value>>> taps;
          size_t next = 0;
          Value zeroIndex = arith::ConstantIndexOp::create(b, l, 0);
          Value outside;
          for (const AxisPlan &plan : plans) {
            auto &columns = taps.emplace_back();
            for (int64_t t = 0; t < plan.taps; ++t) {
              Value raw = args[next++];
              Value index =
                  arith::IndexCastOp::create(b, l, b.getIndexType(), raw);
              if (plan.extrapolates) {
                if (t == 0) {
                  Value isOut = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::slt, index, zeroIndex);
                  outside = outside ? arith::OrIOp::create(b, l, outside, isOut)
                                          .getResult()
                                    : isOut;
                }
                index = arith::MaxSIOp::create(b, l, index, zeroIndex);
              }
              Value weight = plan.weighted ? args[next++] : Value();
              columns.push_back({index, weight});
            }
          }
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          // Every combination of taps.
          Value sum;
          SmallVector<int64_t> choice(plans.size(), 0);
          while (true) {
            Value weight;
            for (auto [p, plan] : llvm::enumerate(plans)) {
              auto [index, w] = taps[p][choice[p]];
              coords[plan.dim] = index;
              if (w)
                weight =
                    weight ? arith::MulFOp::create(b, l, weight, w).getResult()
                           : w;
            }
            Value value = tensor::ExtractOp::create(b, l, input, coords);
            if (weighted) {
              if (compute != element)
                value = arith::ExtFOp::create(b, l, compute, value);
              if (weight)
                value = arith::MulFOp::create(b, l, value, weight);
              sum = sum ? arith::AddFOp::create(b, l, sum, value).getResult()
                        : value;
            } else {
              sum = value;
            }
            // Next combination (odometer).
            size_t p = 0;
            for (; p < plans.size(); ++p) {
              if (++choice[p] < plans[p].taps)
                break;
              choice[p] = 0;
            }
            if (p == plans.size())
              break;
          }
          if (weighted && compute != element)
            sum = arith::TruncFOp::create(b, l, element, sum);
          if (outside)
            sum = arith::SelectOp::create(
                b, l, outside, scalarConstant(b, l, element, extrapolation),
                sum);
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(
        op, castFromSignless(rewriter, loc, generic.getResult(0), graphType));
    return success();
  }
};

} // namespace

void strata::lowering::populateResizePatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(patterns.getContext());
}
