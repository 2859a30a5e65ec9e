//===- LowerBitCast.cpp - bitcast -> linalg.generic -----------------------===//
//
// One elementwise generic on the signless types: arith.bitcast between
// types of the same width; bool <-> 8-bit integers as 0 / 1 (extui) and
// byte != 0 (a bool is one byte in memory, and these are its only values).
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

struct BitCastLowering : OpRewritePattern<graph::BitCastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::BitCastOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto signlessResult = cast<RankedTensorType>(signlessType(resultType));
    Type to = signlessResult.getElementType();
    Value input = castToSignless(rewriter, loc, op.getInput());
    Type from = cast<RankedTensorType>(input.getType()).getElementType();
    if (from == to) {
      rewriter.replaceOp(op, castFromSignless(rewriter, loc, input, resultType));
      return success();
    }
    Value result = buildBroadcastElementwise(
        rewriter, loc, signlessResult, ValueRange{input},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          if (from.isInteger(1))
            return arith::ExtUIOp::create(b, l, to, args[0]);
          if (to.isInteger(1))
            return arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::ne, args[0],
                arith::ConstantOp::create(b, l, b.getIntegerAttr(from, 0)));
          return arith::BitcastOp::create(b, l, to, args[0]);
        });
    rewriter.replaceOp(op, castFromSignless(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void strata::lowering::populateBitCastPatterns(RewritePatternSet &patterns) {
  patterns.add<BitCastLowering>(patterns.getContext());
}
