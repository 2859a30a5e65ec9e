//===- LowerNormalization.cpp - normalizations -> linalg.generic ----------===//
//
// Each normalization (softmax and its kin included) is built from
// reductions over its axes (buildReduction) and elementwise generics that
// read the reduced statistics back along those axes (buildWithReduced);
// scale and bias are a broadcasting elementwise generic on top. The
// elementwise fusion pass then merges the elementwise steps.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"
#include "passes/graph/ScalarArith.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

SmallVector<int64_t> axesFrom(int64_t first, int64_t rank) {
  return llvm::to_vector(llvm::seq<int64_t>(first, rank));
}

Value sumOf(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes) {
  Type element = typeOf(input).getElementType();
  return buildReduction(
      b, loc, input, axes, combinerIdentity(b, element, Combiner::Add),
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::AddFOp::create(nb, l, args[1], args[0]);
      });
}

/// (x - mean) / sqrt(variance + epsilon) over `axes` (biased variance).
Value standardize(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> axes, double epsilon) {
  auto type = typeOf(input);
  Type element = type.getElementType();
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  Value sum = sumOf(b, loc, input, axes);
  auto centered = [&](OpBuilder &nb, Location l, Value x, Value s) -> Value {
    Value mean =
        arith::DivFOp::create(nb, l, s, scalarConstant(nb, l, element, count));
    return arith::SubFOp::create(nb, l, x, mean);
  };
  Value squares = buildReduction(
      b, loc, {input, sum}, axes, combinerIdentity(b, element, Combiner::Add),
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value d = centered(nb, l, args[0], args[1]);
        return arith::AddFOp::create(nb, l, args[2],
                                     arith::MulFOp::create(nb, l, d, d));
      });
  return buildWithReduced(
      b, loc, input, {sum, squares}, axes,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value variance = arith::DivFOp::create(
            nb, l, args[2], scalarConstant(nb, l, element, count));
        Value stddev = math::SqrtOp::create(
            nb, l,
            arith::AddFOp::create(nb, l, variance,
                                  scalarConstant(nb, l, element, epsilon)));
        return arith::DivFOp::create(nb, l, centered(nb, l, args[0], args[1]),
                                     stddev);
      });
}

/// normalized * scale (+ bias), scale and bias broadcasting numpy-style.
Value scaleAndShift(OpBuilder &b, Location loc, Value normalized, Value scale,
                    Value bias) {
  SmallVector<Value> operands = {normalized, scale};
  if (bias)
    operands.push_back(bias);
  return buildBroadcastElementwise(
      b, loc, typeOf(normalized), operands,
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value y = arith::MulFOp::create(nb, l, args[0], args[1]);
        return args.size() > 2 ? Value(arith::AddFOp::create(nb, l, y, args[2]))
                               : y;
      });
}

/// A per-channel or per-group parameter reshaped to `shape` (unit dims
/// added), so that it broadcasts against the normalized tensor.
Value alongDim(OpBuilder &b, Location loc, Value param,
               ArrayRef<int64_t> shape) {
  return buildReshape(
      b, loc, param,
      RankedTensorType::get(shape, typeOf(param).getElementType()));
}

struct LayerNormLowering : OpRewritePattern<graph::LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    Value normalized = standardize(
        rewriter, loc, input,
        axesFrom(op.getAxisAttr().getInt(), typeOf(input).getRank()),
        op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, scaleAndShift(rewriter, loc, normalized,
                                         op.getScale(), op.getBias()));
    return success();
  }
};

struct InstanceNormLowering : OpRewritePattern<graph::InstanceNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::InstanceNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getInput());
    int64_t rank = type.getRank();
    Value normalized =
        standardize(rewriter, loc, op.getInput(), axesFrom(2, rank),
                    op.getEpsilon().convertToDouble());
    // [C] -> [C, 1, ..., 1]: one value per channel.
    SmallVector<int64_t> perChannel(rank - 1, 1);
    perChannel[0] = type.getDimSize(1);
    rewriter.replaceOp(
        op, scaleAndShift(rewriter, loc, normalized,
                          alongDim(rewriter, loc, op.getScale(), perChannel),
                          alongDim(rewriter, loc, op.getBias(), perChannel)));
    return success();
  }
};

/// [N, C, S...] is viewed as [N, G, C/G, S...] and normalized over the dims
/// after G; scale and bias are [G, C/G, 1...] (per channel) or [G, 1, 1...]
/// (per group) there.
struct GroupNormLowering : OpRewritePattern<graph::GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::GroupNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getInput());
    int64_t rank = type.getRank(), groups = op.getNumGroupsAttr().getInt();
    int64_t channels = type.getDimSize(1);
    SmallVector<int64_t> shape = {type.getDimSize(0), groups,
                                  channels / groups};
    llvm::append_range(shape, type.getShape().drop_front(2));
    Value grouped =
        buildReshape(rewriter, loc, op.getInput(),
                     RankedTensorType::get(shape, type.getElementType()));
    Value normalized =
        standardize(rewriter, loc, grouped, axesFrom(2, rank + 1),
                    op.getEpsilon().convertToDouble());
    auto paramShape = [&](Value param) {
      SmallVector<int64_t> s(rank, 1);
      s[0] = groups;
      if (typeOf(param).getDimSize(0) == channels)
        s[1] = channels / groups;
      return s;
    };
    Value result = scaleAndShift(
        rewriter, loc, normalized,
        alongDim(rewriter, loc, op.getScale(), paramShape(op.getScale())),
        alongDim(rewriter, loc, op.getBias(), paramShape(op.getBias())));
    rewriter.replaceOp(op, buildReshape(rewriter, loc, result, type));
    return success();
  }
};

struct LpNormLowering : OpRewritePattern<graph::LpNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::LpNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    Type element = typeOf(input).getElementType();
    int64_t axis = op.getAxisAttr().getInt();
    bool l2 = op.getPAttr().getInt() == 2;
    Value sum = buildReduction(
        rewriter, loc, input, axis,
        combinerIdentity(rewriter, element, Combiner::Add),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value term = l2 ? Value(arith::MulFOp::create(b, l, args[0], args[0]))
                          : math::AbsFOp::create(b, l, args[0]);
          return arith::AddFOp::create(b, l, args[1], term);
        });
    rewriter.replaceOp(
        op, buildWithReduced(
                rewriter, loc, input, sum, axis,
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Value norm =
                      l2 ? Value(math::SqrtOp::create(b, l, args[1])) : args[1];
                  // ONNX: a zero norm gives zeros, not 0/0.
                  Value zero = arith::ConstantOp::create(
                      b, l, b.getFloatAttr(norm.getType(), 0.0));
                  Value isZero = arith::CmpFOp::create(
                      b, l, arith::CmpFPredicate::OEQ, norm, zero);
                  Value quotient = arith::DivFOp::create(b, l, args[0], norm);
                  return arith::SelectOp::create(b, l, isZero, zero,
                                                 quotient);
                }));
    return success();
  }
};

Value maxAlong(OpBuilder &b, Location loc, Value input, int64_t axis) {
  return buildReduction(
      b, loc, input, axis,
      combinerIdentity(b, typeOf(input).getElementType(), Combiner::Max),
      [](OpBuilder &nb, Location l, ValueRange args) {
        return combineScalars(nb, l, Combiner::Max, args[1], args[0]);
      });
}

Value widen(OpBuilder &b, Location loc, Value v, Type wide) {
  return v.getType() == wide ? v : arith::ExtFOp::create(b, loc, wide, v);
}

Value narrow(OpBuilder &b, Location loc, Value v, Type element) {
  return v.getType() == element ? v
                                : arith::TruncFOp::create(b, loc, element, v);
}

/// exp(x - max) / sum(exp(x - max)), the exponentials computed once; the
/// sum accumulates in accumulatorType.
struct SoftmaxLowering : OpRewritePattern<graph::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    Type element = typeOf(input).getElementType();
    Type wide = accumulatorType(element);
    int64_t axis = op.getAxisAttr().getInt();
    Value max = maxAlong(rewriter, loc, input, axis);
    Value exps = buildWithReduced(
        rewriter, loc, input, max, axis,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]));
        });
    Value sum = buildReduction(
        rewriter, loc, exps, axis, combinerIdentity(rewriter, wide, Combiner::Add),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::AddFOp::create(b, l, args[1],
                                       widen(b, l, args[0], wide));
        });
    rewriter.replaceOp(
        op, buildWithReduced(
                rewriter, loc, exps, sum, axis,
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  // The sum rounds to the element type first, as an f16
                  // ReduceSum would (and onnx's reference does).
                  Value sum = narrow(b, l, args[1], element);
                  return arith::DivFOp::create(b, l, args[0], sum);
                }));
    return success();
  }
};

/// x - max - log(sum(exp(x - max))).
struct LogSoftmaxLowering : OpRewritePattern<graph::LogSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    Type element = typeOf(input).getElementType();
    Type wide = accumulatorType(element);
    int64_t axis = op.getAxisAttr().getInt();
    Value max = maxAlong(rewriter, loc, input, axis);
    Value sum = buildReduction(
        rewriter, loc, {input, max}, axis,
        combinerIdentity(rewriter, wide, Combiner::Add),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          Value term = widen(b, l, math::ExpOp::create(b, l, shifted), wide);
          return arith::AddFOp::create(b, l, args[2], term);
        });
    rewriter.replaceOp(
        op, buildWithReduced(
                rewriter, loc, input, {max, sum}, axis,
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
                  Value logSum =
                      narrow(b, l, math::LogOp::create(b, l, args[2]), element);
                  return arith::SubFOp::create(b, l, shifted, logSum);
                }));
    return success();
  }
};

/// 1 where the index along `axis` is graph.arg_max's, else 0.
struct HardmaxLowering : OpRewritePattern<graph::HardmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::HardmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto type = typeOf(input);
    int64_t axis = op.getAxisAttr().getInt();
    SmallVector<int64_t> reduced(type.getShape());
    reduced.erase(reduced.begin() + axis);
    Value argmax = graph::ArgMaxOp::create(
        rewriter, loc, RankedTensorType::get(reduced, rewriter.getI64Type()),
        input, rewriter.getI64IntegerAttr(axis), rewriter.getBoolAttr(false),
        rewriter.getBoolAttr(false));
    rewriter.replaceOp(
        op,
        buildWithReduced(
            rewriter, loc, input, argmax, axis,
            [&](OpBuilder &b, Location l, ValueRange args) -> Value {
              Value position = arith::IndexCastOp::create(
                  b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
              Value hot = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                position, args[1]);
              Type element = type.getElementType();
              return arith::SelectOp::create(b, l, hot,
                                             scalarConstant(b, l, element, 1),
                                             scalarConstant(b, l, element, 0));
            }));
    return success();
  }
};

} // namespace

void strata::lowering::populateNormalizationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LayerNormLowering, InstanceNormLowering, GroupNormLowering,
               LpNormLowering, SoftmaxLowering, LogSoftmaxLowering,
               HardmaxLowering>(patterns.getContext());
}
