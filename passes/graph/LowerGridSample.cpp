//===- LowerGridSample.cpp - grid_sample -> linalg.generic ----------------===//
//
// One linalg.generic over the output (N, C, O...). Its body reads the k
// normalized coordinates of its grid cell with tensor.extract, maps each to
// a pixel coordinate (align_corners), applies the padding mode to the
// coordinate as onnx's reference and PyTorch do (border: clamp into the
// input; reflection: fold at the borders), and then sums the taps of the
// separable kernel (1 per dimension for nearest, 2 for linear, 4 for
// cubic), each tap read with tensor.extract at an index made safe for the
// padding mode (zeros: a tap outside the input reads 0). Arithmetic is in
// f32 (f64 for f64 inputs).
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

/// Scalar helpers over one float compute type.
struct Calc {
  OpBuilder &b;
  Location loc;
  Type type; // f32 or f64

  Value c(double v) { return scalarConstant(b, loc, type, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, y);
  }
  Value gt(Value x, Value y) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value floor(Value x) { return math::FloorOp::create(b, loc, x); }
  Value clamp(Value x, double lo, double hi) {
    return arith::MinimumFOp::create(
        b, loc, arith::MaximumFOp::create(b, loc, x, c(lo)), c(hi));
  }
  /// Folds x into [lo, hi] by reflecting at the borders as many times as
  /// needed (onnx's reference `_gs_reflect`).
  Value reflect(Value x, double lo, double hi) {
    double range = hi - lo;
    if (range <= 0)
      return c(lo);
    Value below = lt(x, c(lo)), above = gt(x, c(hi));
    Value dx = select(below, sub(c(lo), x), sub(x, c(hi)));
    Value n = floor(div(dx, c(range)));
    Value r = sub(dx, mul(n, c(range)));
    Value half = mul(n, c(0.5));
    Value even = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                       floor(half), half);
    Value fromLo = add(c(lo), r), fromHi = sub(c(hi), r);
    Value belowResult = select(even, fromLo, fromHi);
    Value aboveResult = select(even, fromHi, fromLo);
    return select(below, belowResult, select(above, aboveResult, x));
  }
  /// An index in [0, length) for any x, NaN included (maxnumf / minnumf
  /// return the number), so that no read leaves the input.
  Value toIndex(Value x, int64_t length) {
    x = arith::MinNumFOp::create(
        b, loc, arith::MaxNumFOp::create(b, loc, x, c(0)),
        c(double(length - 1)));
    Value i = arith::FPToSIOp::create(b, loc, b.getI64Type(), x);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  }
};

/// One tap along one dimension: its (safe) index, its weight (null: 1) and
/// whether it lies inside the input (null: always).
struct Tap {
  Value index;
  Value weight;
  Value inside;
};

/// Keys' cubic convolution weights (a = -0.75) of the taps at x0 - 1 ..
/// x0 + 2 for t = x - x0 in [0, 1).
SmallVector<Value> cubicWeights(Calc &k, Value t) {
  double a = -0.75;
  auto far = [&](Value d) { // 1 < d < 2
    return k.add(
        k.mul(k.add(k.mul(k.sub(k.mul(k.c(a), d), k.c(5 * a)), d), k.c(8 * a)),
              d),
        k.c(-4 * a));
  };
  auto near = [&](Value d) { // 0 <= d <= 1
    return k.add(
        k.mul(k.mul(k.sub(k.mul(k.c(a + 2), d), k.c(a + 3)), d), d), k.c(1));
  };
  Value one = k.c(1), two = k.c(2);
  return {far(k.add(t, one)), near(t), near(k.sub(one, t)),
          far(k.sub(two, t))};
}

struct GridSampleLowering : OpRewritePattern<graph::GridSampleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::GridSampleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    if (!inputType.hasStaticShape() || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Type element = resultType.getElementType();
    Type compute = element.isF64() ? element : rewriter.getF32Type();
    int64_t spatial = inputType.getRank() - 2;
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    bool align = op.getAlignCorners();
    Value input = op.getInput(), grid = op.getGrid();

    Value result = buildParallelGeneric(
        rewriter, loc, resultType, ValueRange{}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Calc k{b, l, compute};
          int64_t rank = resultType.getRank();
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          // Taps per spatial dimension.
          SmallVector<SmallVector<Tap>> taps(spatial);
          for (int64_t i = 0; i < spatial; ++i) {
            int64_t length = inputType.getDimSize(2 + i);
            // grid[n, o..., spatial - 1 - i]
            SmallVector<Value> gridAt = {at[0]};
            gridAt.append(at.begin() + 2, at.end());
            gridAt.push_back(
                arith::ConstantIndexOp::create(b, l, spatial - 1 - i));
            Value g = tensor::ExtractOp::create(b, l, grid, gridAt);
            if (g.getType() != compute)
              g = g.getType().getIntOrFloatBitWidth() < 32 || compute.isF64()
                      ? Value(arith::ExtFOp::create(b, l, compute, g))
                      : Value(arith::TruncFOp::create(b, l, compute, g));
            // Pixel coordinate.
            Value x =
                align ? k.mul(k.mul(k.add(g, k.c(1)), k.c(0.5)),
                              k.c(double(length - 1)))
                      : k.mul(k.sub(k.mul(k.add(g, k.c(1)), k.c(double(length))),
                                    k.c(1)),
                              k.c(0.5));
            if (mode == "nearest")
              x = math::RoundEvenOp::create(b, l, x);
            double lo = align ? 0.0 : -0.5;
            double hi = align ? double(length - 1) : double(length) - 0.5;
            if (padding == "border") {
              Value outside = arith::OrIOp::create(b, l, k.lt(x, k.c(lo)),
                                                   k.gt(x, k.c(hi)));
              x = k.select(outside, k.clamp(x, 0, double(length - 1)), x);
            } else if (padding == "reflection") {
              x = k.reflect(x, lo, hi);
            }
            // The taps: their integer positions and weights.
            SmallVector<Value> positions, weights;
            if (mode == "nearest") {
              positions.push_back(x); // truncated toward zero below
            } else {
              Value x0 = k.floor(x);
              Value t = k.sub(x, x0);
              if (mode == "linear") {
                positions = {x0, k.add(x0, k.c(1))};
                weights = {k.sub(k.c(1), t), t};
              } else {
                positions = {k.sub(x0, k.c(1)), x0, k.add(x0, k.c(1)),
                             k.add(x0, k.c(2))};
                weights = cubicWeights(k, t);
              }
            }
            for (size_t p = 0; p < positions.size(); ++p) {
              Tap tap;
              tap.weight = weights.empty() ? Value() : weights[p];
              Value pos = positions[p];
              if (padding == "reflection" && mode != "nearest")
                pos = k.reflect(pos, lo, hi);
              if (padding == "zeros") {
                Value inside = arith::AndIOp::create(
                    b, l,
                    arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, pos,
                                          k.c(0)),
                    arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, pos,
                                          k.c(double(length))));
                tap.inside = inside;
              }
              // Any index into the input, whatever the coordinate was.
              tap.index = k.toIndex(pos, length);
              taps[i].push_back(tap);
            }
          }
          // Sum over every combination of taps.
          Value sum = k.c(0);
          SmallVector<size_t> choice(spatial, 0);
          while (true) {
            SmallVector<Value> inputAt = {at[0], at[1]};
            Value weight, inside;
            for (int64_t i = 0; i < spatial; ++i) {
              const Tap &tap = taps[i][choice[i]];
              inputAt.push_back(tap.index);
              if (tap.weight)
                weight = weight ? k.mul(weight, tap.weight) : tap.weight;
              if (tap.inside)
                inside = inside ? Value(arith::AndIOp::create(b, l, inside,
                                                              tap.inside))
                                : tap.inside;
            }
            Value v = tensor::ExtractOp::create(b, l, input, inputAt);
            if (v.getType() != compute)
              v = arith::ExtFOp::create(b, l, compute, v);
            if (inside)
              v = k.select(inside, v, k.c(0));
            sum = k.add(sum, weight ? k.mul(weight, v) : v);
            int64_t d = spatial - 1;
            while (d >= 0 && ++choice[d] == taps[d].size())
              choice[d--] = 0;
            if (d < 0)
              break;
          }
          if (sum.getType() != element)
            sum = arith::TruncFOp::create(b, l, element, sum);
          return sum;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void strata::lowering::populateGridSamplePatterns(RewritePatternSet &patterns) {
  patterns.add<GridSampleLowering>(patterns.getContext());
}
