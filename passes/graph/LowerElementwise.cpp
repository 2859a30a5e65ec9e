//===- LowerElementwise.cpp - elementwise graph ops -> linalg.generic -----===//
//
// Binary arithmetic with broadcasting, activations, clip, inference batch
// norm, and softmax (max / exp / sum / divide as generics, which the
// elementwise fusion pass then merges).
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

bool isSupportedScalar(Type type) {
  return isa<FloatType>(type) || type.isSignlessInteger();
}

/// add / sub / mul / div: float or signless integer arithmetic.
template <typename GraphOp, typename FloatOp, typename IntOp>
struct BinaryLowering : OpRewritePattern<GraphOp> {
  using OpRewritePattern<GraphOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(GraphOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    if (!isSupportedScalar(element))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    Value result = buildBroadcastElementwise(
        rewriter, op.getLoc(), type, {op.getLhs(), op.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (isa<FloatType>(element))
            return FloatOp::create(b, loc, args[0], args[1]);
          return IntOp::create(b, loc, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Unary float ops whose scalar form is a function of the argument.
template <typename GraphOp>
struct UnaryLowering : OpRewritePattern<GraphOp> {
  using OpRewritePattern<GraphOp>::OpRewritePattern;
  using Body = Value (*)(OpBuilder &, Location, Value, GraphOp);
  UnaryLowering(MLIRContext *ctx, Body body)
      : OpRewritePattern<GraphOp>(ctx), body(body) {}

  LogicalResult matchAndRewrite(GraphOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value result = buildBroadcastElementwise(
        rewriter, op.getLoc(), type, {op.getInput()},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return body(b, loc, args[0], op);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
  Body body;
};

Value reluBody(OpBuilder &b, Location loc, Value x, graph::ReluOp) {
  Value zero = scalarConstant(b, loc, x.getType(), 0.0);
  return arith::MaximumFOp::create(b, loc, x, zero);
}

Value sigmoidBody(OpBuilder &b, Location loc, Value x, graph::SigmoidOp) {
  Value one = scalarConstant(b, loc, x.getType(), 1.0);
  Value negExp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, negExp));
}

Value tanhBody(OpBuilder &b, Location loc, Value x, graph::TanhOp) {
  return math::TanhOp::create(b, loc, x);
}

Value clipBody(OpBuilder &b, Location loc, Value x, graph::ClipOp op) {
  // ONNX: min(max(x, lo), hi).
  if (auto lo = op.getMinAttr())
    x = arith::MaximumFOp::create(
        b, loc, x, scalarConstant(b, loc, x.getType(), lo.getValueAsDouble()));
  if (auto hi = op.getMaxAttr())
    x = arith::MinimumFOp::create(
        b, loc, x, scalarConstant(b, loc, x.getType(), hi.getValueAsDouble()));
  return x;
}

/// y = (x - mean) * scale / sqrt(variance + epsilon) + bias, per channel.
struct BatchNormLowering : OpRewritePattern<graph::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx));
    SmallVector<AffineMap> maps = {identity, channel, channel,
                                   channel,  channel, identity};
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(),
                                         type.getShape(),
                                         type.getElementType());
    double epsilon = op.getEpsilon().convertToDouble();
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), type,
        ValueRange{op.getInput(), op.getScale(), op.getBias(), op.getMean(),
                   op.getVariance()},
        init, maps, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value eps = scalarConstant(b, loc, args[0].getType(), epsilon);
          Value stddev = math::SqrtOp::create(
              b, loc, arith::AddFOp::create(b, loc, args[4], eps));
          Value centered = arith::SubFOp::create(b, loc, args[0], args[3]);
          Value scaled = arith::MulFOp::create(b, loc, centered, args[1]);
          Value normed = arith::DivFOp::create(b, loc, scaled, stddev);
          linalg::YieldOp::create(
              b, loc, Value(arith::AddFOp::create(b, loc, normed, args[2])));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Reduces `input` along `axis` into a tensor without that dimension.
Value reduceAlong(OpBuilder &b, Location loc, Value input, int64_t axis,
                  double init, ScalarBody combine) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  auto reducedType = RankedTensorType::get(shape, type.getElementType());
  Value acc = buildFilled(b, loc, reducedType,
                          b.getFloatAttr(type.getElementType(), init));
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap dropped = identity.dropResult(axis);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, reducedType, input, acc, ArrayRef<AffineMap>{identity, dropped},
      iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l, combine(nb, l, args));
      });
  return generic.getResult(0);
}

/// Elementwise over `input` with `reduced` (which lacks `axis`) broadcast.
Value combineWithReduced(OpBuilder &b, Location loc, Value input,
                         Value reduced, int64_t axis, ScalarBody body) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{input, reduced}, init,
      ArrayRef<AffineMap>{identity, identity.dropResult(axis), identity},
      iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l, body(nb, l, args.drop_back()));
      });
  return generic.getResult(0);
}

struct SoftmaxLowering : OpRewritePattern<graph::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    Value input = op.getInput();
    Value max = reduceAlong(
        rewriter, loc, input, axis, -std::numeric_limits<double>::infinity(),
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::MaximumFOp::create(b, l, args[0], args[1]);
        });
    Value exps = combineWithReduced(
        rewriter, loc, input, max, axis,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]));
        });
    Value sum = reduceAlong(
        rewriter, loc, exps, axis, 0.0,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::AddFOp::create(b, l, args[0], args[1]);
        });
    Value result = combineWithReduced(
        rewriter, loc, exps, sum, axis,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void strata::lowering::populateElementwisePatterns(
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<BinaryLowering<graph::AddOp, arith::AddFOp, arith::AddIOp>,
               BinaryLowering<graph::SubOp, arith::SubFOp, arith::SubIOp>,
               BinaryLowering<graph::MulOp, arith::MulFOp, arith::MulIOp>,
               BinaryLowering<graph::DivOp, arith::DivFOp, arith::DivSIOp>,
               BatchNormLowering, SoftmaxLowering>(ctx);
  patterns.add<UnaryLowering<graph::ReluOp>>(ctx, reluBody);
  patterns.add<UnaryLowering<graph::SigmoidOp>>(ctx, sigmoidBody);
  patterns.add<UnaryLowering<graph::TanhOp>>(ctx, tanhBody);
  patterns.add<UnaryLowering<graph::ClipOp>>(ctx, clipBody);
}
