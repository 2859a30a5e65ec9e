//===- LowerTopK.cpp - top_k -> scf.for over k of linalg reductions -------===//
//
// Selection by k passes of an argmax: the input is viewed as [A, n, B]
// (n along the axis), elements are ordered by (value, descending for
// largest, then index ascending), and pass j picks, for every (a, b), the
// first element that comes strictly after the one pass j - 1 picked. Each
// pass is one linalg.generic reduction over n with two results (value,
// index); an scf.for over j carries the previous pick and inserts each
// pick as slice j of the results. Equal values come out in index order,
// as ONNX asks, and no element is ever picked twice. O(k n) work per row.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

struct TopKLowering : OpRewritePattern<graph::TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::TopKOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    Type graphElement = inputType.getElementType();
    Type element = signlessType(graphElement);
    auto intType = dyn_cast<IntegerType>(graphElement);
    bool isUnsigned = intType && intType.isUnsigned();
    int64_t axis = op.getAxis(), k = op.getK();
    bool largest = op.getLargest();

    ArrayRef<int64_t> shape = inputType.getShape();
    int64_t outer = ShapedType::getNumElements(shape.take_front(axis));
    int64_t n = shape[axis];
    int64_t inner = ShapedType::getNumElements(shape.drop_front(axis + 1));
    Type i64 = rewriter.getI64Type();
    Value input = buildReshape(
        rewriter, loc, castToSignless(rewriter, loc, op.getInput()),
        RankedTensorType::get({outer, n, inner}, element));

    // The value that comes before every other in the order.
    TypedAttr first;
    if (auto floatType = dyn_cast<FloatType>(element)) {
      first = rewriter.getFloatAttr(
          floatType, largest ? std::numeric_limits<double>::infinity()
                             : -std::numeric_limits<double>::infinity());
    } else {
      unsigned width = element.getIntOrFloatBitWidth();
      APInt bound = isUnsigned ? (largest ? APInt::getMaxValue(width)
                                          : APInt::getMinValue(width))
                               : (largest ? APInt::getSignedMaxValue(width)
                                          : APInt::getSignedMinValue(width));
      first = rewriter.getIntegerAttr(element, bound);
    }
    auto planeType = RankedTensorType::get({outer, inner}, element);
    auto planeIndexType = RankedTensorType::get({outer, inner}, i64);
    auto resultType = RankedTensorType::get({outer, k, inner}, element);
    Value values0 =
        tensor::EmptyOp::create(rewriter, loc, resultType.getShape(), element);
    Value indices0 =
        tensor::EmptyOp::create(rewriter, loc, resultType.getShape(), i64);

    // (v1, i1) comes strictly before (v2, i2).
    auto before = [&](OpBuilder &b, Location l, Value v1, Value i1, Value v2,
                      Value i2) -> Value {
      Value ahead, equal;
      if (isa<FloatType>(element)) {
        ahead = arith::CmpFOp::create(b, l,
                                      largest ? arith::CmpFPredicate::OGT
                                              : arith::CmpFPredicate::OLT,
                                      v1, v2);
        equal = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v1, v2);
      } else {
        arith::CmpIPredicate predicate =
            isUnsigned ? (largest ? arith::CmpIPredicate::ugt
                                  : arith::CmpIPredicate::ult)
                       : (largest ? arith::CmpIPredicate::sgt
                                  : arith::CmpIPredicate::slt);
        ahead = arith::CmpIOp::create(b, l, predicate, v1, v2);
        equal = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, v1, v2);
      }
      Value lower =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i1, i2);
      return arith::OrIOp::create(b, l, ahead,
                                  arith::AndIOp::create(b, l, equal, lower));
    };

    auto dim = [&](int64_t d) { return getAffineDimExpr(d, ctx); };
    AffineMap inputMap = AffineMap::get(3, 0, {dim(0), dim(2), dim(1)}, ctx);
    AffineMap planeMap = AffineMap::get(3, 0, {dim(0), dim(1)}, ctx);
    SmallVector<AffineMap> maps = {inputMap, planeMap, planeMap, planeMap,
                                   planeMap};
    SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(outer),
                                       rewriter.getIndexAttr(1),
                                       rewriter.getIndexAttr(inner)};
    SmallVector<OpFoldResult> strides(3, rewriter.getIndexAttr(1));
    SmallVector<utils::IteratorType> iterators = {
        utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::reduction};

    Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value ub = arith::ConstantIndexOp::create(rewriter, loc, k);
    Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, lb, ub, step, ValueRange{values0, indices0},
        [&](OpBuilder &b, Location l, Value j, ValueRange iter) {
          // The previous pick is slice j - 1 of the results (none for j = 0:
          // every element is eligible). Reading it there rather than
          // carrying it keeps the loop's yields equivalent to its
          // arguments, as one-shot bufferization requires.
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value isFirst =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, j, zero);
          Value jPrev = arith::MaxSIOp::create(
              b, l,
              arith::SubIOp::create(b, l, j,
                                    arith::ConstantIndexOp::create(b, l, 1)),
              zero);
          SmallVector<OpFoldResult> prevOffsets = {b.getIndexAttr(0), jPrev,
                                                   b.getIndexAttr(0)};
          Value prevValue = tensor::ExtractSliceOp::create(
              b, l, planeType, iter[0], prevOffsets, sizes, strides);
          Value prevIndex = tensor::ExtractSliceOp::create(
              b, l, planeIndexType, iter[1], prevOffsets, sizes, strides);
          Value bestValue0 = buildFilled(b, l, planeType, first);
          Value bestIndex0 =
              buildFilled(b, l, planeIndexType, b.getI64IntegerAttr(-1));
          auto pick = linalg::GenericOp::create(
              b, l, TypeRange{planeType, planeIndexType},
              ValueRange{input, prevValue, prevIndex},
              ValueRange{bestValue0, bestIndex0}, maps, iterators,
              [&](OpBuilder &bb, Location ll, ValueRange args) {
                Value x = args[0], prevValue = args[1], prevIndex = args[2];
                Value bestValue = args[3], bestIndex = args[4];
                Value i = arith::IndexCastOp::create(
                    bb, ll, bb.getI64Type(),
                    linalg::IndexOp::create(bb, ll, 2));
                Value eligible = arith::OrIOp::create(
                    bb, ll, isFirst,
                    before(bb, ll, prevValue, prevIndex, x, i));
                Value none = arith::CmpIOp::create(
                    bb, ll, arith::CmpIPredicate::slt, bestIndex,
                    arith::ConstantIntOp::create(bb, ll, 0, 64));
                Value better = arith::OrIOp::create(
                    bb, ll, none, before(bb, ll, x, i, bestValue, bestIndex));
                Value take = arith::AndIOp::create(bb, ll, eligible, better);
                linalg::YieldOp::create(
                    bb, ll,
                    ValueRange{
                        arith::SelectOp::create(bb, ll, take, x, bestValue),
                        arith::SelectOp::create(bb, ll, take, i, bestIndex)});
              });
          Value pickedValue = pick.getResult(0),
                pickedIndex = pick.getResult(1);
          // Slice j of [outer, k, inner].
          SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), j,
                                               b.getIndexAttr(0)};
          Value values = tensor::InsertSliceOp::create(
              b, l, pickedValue, iter[0], offsets, sizes, strides);
          Value indices = tensor::InsertSliceOp::create(
              b, l, pickedIndex, iter[1], offsets, sizes, strides);
          scf::YieldOp::create(b, l, ValueRange{values, indices});
        });
    Value values =
        buildReshape(rewriter, loc, loop.getResult(0),
                     cast<RankedTensorType>(signlessType(valuesType)));
    Value indices = buildReshape(rewriter, loc, loop.getResult(1), indicesType);
    rewriter.replaceOp(
        op, {castFromSignless(rewriter, loc, values, valuesType), indices});
    return success();
  }
};

} // namespace

void strata::lowering::populateTopKPatterns(RewritePatternSet &patterns) {
  patterns.add<TopKLowering>(patterns.getContext());
}
