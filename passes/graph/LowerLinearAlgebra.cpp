//===- LowerLinearAlgebra.cpp - matmul and gemm -> linalg -----------------===//
//
// A plain 2-D product becomes linalg.matmul. Everything else (batch
// broadcasting, 1-D operands, transposed gemm operands) becomes one
// linalg.generic contraction whose indexing maps encode the broadcast and
// the transposition, so no operand is ever materialized transposed or
// broadcast. f16 and bf16 products accumulate in f32 (as onnxruntime and
// numpy do) and are rounded once, at the end.
//
//===----------------------------------------------------------------------===//
#include "lib/support/ConstantData.h"
#include "passes/graph/LoweringPatterns.h"
#include "passes/graph/ScalarArith.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

/// A zero-filled accumulator for a product of `resultType`.
Value zeroAccumulator(OpBuilder &b, Location loc,
                      RankedTensorType resultType) {
  Type wide = accumulatorType(resultType.getElementType());
  return buildFilled(b, loc, resultType.clone(wide),
                     cast<TypedAttr>(b.getZeroAttr(wide)));
}

/// Builds `sum_k lhs[b, m, k] * rhs[b, k, n]` into a zero-filled result
/// (accumulated in accumulatorType). `lhsMap` / `rhsMap` / `outMap` index
/// the operands by the loop dims.
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       RankedTensorType resultType, AffineMap lhsMap,
                       AffineMap rhsMap, AffineMap outMap, int64_t numLoops) {
  Value acc = zeroAccumulator(b, loc, resultType);
  Type wide = cast<RankedTensorType>(acc.getType()).getElementType();
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, acc.getType(), ValueRange{lhs, rhs}, acc,
      ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        // i8 operands (folded QDQ products) widen signed to i32.
        auto widen = [&](Value v) -> Value {
          if (v.getType() == wide)
            return v;
          if (isa<IntegerType>(wide))
            return arith::ExtSIOp::create(nb, l, wide, v);
          return arith::ExtFOp::create(nb, l, wide, v);
        };
        Value product = combineScalars(nb, l, Combiner::Mul, widen(args[0]),
                                       widen(args[1]));
        linalg::YieldOp::create(
            nb, l, combineScalars(nb, l, Combiner::Add, args[2], product));
      });
  return convertFloats(b, loc, generic.getResult(0), resultType.getElementType());
}

/// Maps an operand of `type` (matrix dims last) onto loops [batch..., m, n, k]
/// with numpy broadcasting of the batch dims. `rowLoop` / `colLoop` name the
/// loops of the operand's last two dims.
AffineMap operandMap(MLIRContext *ctx, RankedTensorType type,
                     ArrayRef<int64_t> resultBatch, int64_t numLoops,
                     int64_t rowLoop, int64_t colLoop) {
  int64_t batchRank = type.getRank() - 2;
  int64_t offset = static_cast<int64_t>(resultBatch.size()) - batchRank;
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < batchRank; ++d) {
    bool repeated = type.getDimSize(d) == 1 && resultBatch[d + offset] != 1;
    exprs.push_back(repeated ? getAffineConstantExpr(0, ctx)
                             : getAffineDimExpr(d + offset, ctx));
  }
  exprs.push_back(getAffineDimExpr(rowLoop, ctx));
  exprs.push_back(getAffineDimExpr(colLoop, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

struct MatMulLowering : OpRewritePattern<graph::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    if (lhsType.getRank() == 2 && rhsType.getRank() == 2) {
      Value acc = zeroAccumulator(rewriter, loc, resultType);
      Value product = linalg::MatmulOp::create(
                          rewriter, loc, acc.getType(),
                          ValueRange{op.getLhs(), op.getRhs()}, acc)
                          .getResult(0);
      rewriter.replaceOp(op,
                         convertFloats(rewriter, loc, product,
                                       resultType.getElementType()));
      return success();
    }
    // Both operands have rank >= 2 here (VectorMatMulLowering runs first).
    // Loops: [batch..., m, n, k].
    int64_t batchRank = resultType.getRank() - 2;
    ArrayRef<int64_t> batch = resultType.getShape().take_front(batchRank);
    int64_t m = batchRank, n = batchRank + 1, k = batchRank + 2;
    int64_t numLoops = batchRank + 3;
    MLIRContext *ctx = rewriter.getContext();
    AffineMap lhsMap = operandMap(ctx, lhsType, batch, numLoops, m, k);
    AffineMap rhsMap = operandMap(ctx, rhsType, batch, numLoops, k, n);
    AffineMap outMap = AffineMap::getMultiDimIdentityMap(numLoops - 1, ctx);
    outMap = AffineMap::get(numLoops, 0, outMap.getResults(), ctx);
    rewriter.replaceOp(op, buildContraction(rewriter, loc, op.getLhs(),
                                            op.getRhs(), resultType, lhsMap,
                                            rhsMap, outMap, numLoops));
    return success();
  }
};

/// 1-D operands: promote to 2-D with a unit dim (as numpy does), multiply,
/// and drop the unit dim from the result.
struct VectorMatMulLowering : OpRewritePattern<graph::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    if (lhsType.getRank() > 1 && rhsType.getRank() > 1)
      return failure();
    Location loc = op.getLoc();
    Value lhs = op.getLhs(), rhs = op.getRhs();
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> promotedShape(resultType.getShape());
    if (lhsType.getRank() == 1) {
      lhs = buildReshape(rewriter, loc, lhs,
                         RankedTensorType::get({1, lhsType.getDimSize(0)},
                                               lhsType.getElementType()));
      promotedShape.insert(promotedShape.end() - (rhsType.getRank() > 1), 1);
    }
    if (rhsType.getRank() == 1) {
      rhs = buildReshape(rewriter, loc, rhs,
                         RankedTensorType::get({rhsType.getDimSize(0), 1},
                                               rhsType.getElementType()));
      promotedShape.push_back(1);
    }
    auto promotedType =
        RankedTensorType::get(promotedShape, resultType.getElementType());
    Value product =
        graph::MatMulOp::create(rewriter, loc, promotedType, lhs, rhs);
    rewriter.replaceOp(op, buildReshape(rewriter, loc, product, resultType));
    return success();
  }
};

/// A transposed constant operand is transposed once, at compile time: the
/// contraction then reads it along its rows (what vectorized code wants).
Value untransposeConstant(PatternRewriter &rewriter, Location loc,
                          Value operand, bool &transposed) {
  if (!transposed)
    return operand;
  auto constant = operand.getDefiningOp<graph::ConstantOp>();
  if (!constant)
    return operand;
  ElementsAttr data =
      transposeConstant(constant.getValue(), {1, 0}, "transposed");
  if (!data)
    return operand;
  transposed = false;
  return graph::ConstantOp::create(rewriter, loc, data);
}

/// alpha * op(a) * op(b) + beta * c.
struct GemmLowering : OpRewritePattern<graph::GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::GemmOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    auto map = [&](AffineExpr a, AffineExpr b) {
      return AffineMap::get(3, 0, {a, b}, ctx);
    };
    bool transA = op.getTransA(), transB = op.getTransB();
    Value a = untransposeConstant(rewriter, loc, op.getA(), transA);
    Value b = untransposeConstant(rewriter, loc, op.getB(), transB);
    AffineMap aMap = transA ? map(k, m) : map(m, k);
    AffineMap bMap = transB ? map(n, k) : map(k, n);
    Value product = buildContraction(rewriter, loc, a, b, resultType, aMap,
                                     bMap, map(m, n), 3);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = op.getC();
    if (alpha == 1.0 && (!c || beta == 0.0)) {
      rewriter.replaceOp(op, product);
      return success();
    }
    SmallVector<Value> operands = {product};
    if (c && beta != 0.0)
      operands.push_back(c);
    Value result = buildBroadcastElementwise(
        rewriter, loc, resultType, operands,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type t = args[0].getType();
          Value sum = args[0];
          if (alpha != 1.0)
            sum = arith::MulFOp::create(b, l, sum,
                                        scalarConstant(b, l, t, alpha));
          if (args.size() > 1) {
            Value bias = args[1];
            if (beta != 1.0)
              bias = arith::MulFOp::create(b, l, bias,
                                           scalarConstant(b, l, t, beta));
            sum = arith::AddFOp::create(b, l, sum, bias);
          }
          return sum;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void strata::lowering::populateLinearAlgebraPatterns(
    RewritePatternSet &patterns) {
  patterns.add<VectorMatMulLowering>(patterns.getContext(), /*benefit=*/2);
  patterns.add<MatMulLowering, GemmLowering>(patterns.getContext());
}
