//===- LowerElementwise.cpp - batch norm -> linalg.generic ----------------===//
//
// Inference batch norm. The elementwise ops of GraphElementwiseOps.td are
// lowered by LowerMath.cpp, softmax with the other normalizations by
// LowerNormalization.cpp.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

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

} // namespace

void strata::lowering::populateElementwisePatterns(
    RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering>(patterns.getContext());
}
