//===- LowerReductions.cpp - reductions, scans, einsum -> linalg.generic --===//
//
// A reduction is one linalg.generic with reduction iterators over its axes
// (element transform and combination in the body), then an elementwise
// generic for the final transform (mean's division, L2's square root), then
// an expand_shape for keepdims. Arg-reductions carry (value, index) pairs in
// two outputs. CumSum / CumProd are a generic over (element, source) pairs
// that combines the sources on the right side of the element; einsum is one generic whose
// maps come from the equation.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"
#include "passes/graph/ScalarArith.h"

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace strata::lowering {

Value buildReduction(OpBuilder &b, Location loc, ValueRange inputs,
                     ArrayRef<int64_t> axes, TypedAttr init,
                     ScalarBody combine) {
  auto type = cast<RankedTensorType>(inputs.front().getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> kept;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced) {
      shape.push_back(type.getDimSize(d));
      kept.push_back(b.getAffineDimExpr(d));
    }
  }
  auto reducedType = RankedTensorType::get(shape, init.getType());
  Value acc = buildFilled(b, loc, reducedType, init);
  AffineMap reducedMap = AffineMap::get(rank, 0, kept, b.getContext());
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  maps.append(inputs.size() - 1, reducedMap);
  maps.push_back(reducedMap);
  auto generic = linalg::GenericOp::create(
      b, loc, reducedType, inputs, acc, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l, combine(nb, l, args));
      });
  return generic.getResult(0);
}

Value buildWithReduced(OpBuilder &b, Location loc, ValueRange full,
                       ValueRange reduced, ArrayRef<int64_t> axes,
                       ScalarBody body) {
  auto type = cast<RankedTensorType>(full.front().getType());
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  llvm::SmallBitVector dropped(rank);
  for (int64_t axis : axes)
    dropped.set(axis);
  AffineMap reducedMap = identity.dropResults(dropped);
  SmallVector<AffineMap> maps(full.size(), identity);
  maps.append(reduced.size(), reducedMap);
  SmallVector<Value> operands(full);
  llvm::append_range(operands, reduced);
  return buildParallelGeneric(b, loc, type, operands, maps, body);
}

} // namespace strata::lowering

namespace {

/// The rank-reduced (signless) result of a reduction brought to the op's
/// result type (keepdims adds unit dimensions back).
Value toResultType(OpBuilder &b, Location loc, Value reduced, Type type) {
  Value reshaped =
      buildReshape(b, loc, reduced, cast<RankedTensorType>(signlessType(type)));
  return castFromSignless(b, loc, reshaped, type);
}

/// What a reduce_* op does, in three steps.
struct ReduceKind {
  enum Transform { None, Abs, Square, Exp };
  enum Final { Keep, Mean, Sqrt, Log };
  Transform transform;
  Combiner combiner;
  Final final;
};

Value transformElement(OpBuilder &b, Location loc, ReduceKind::Transform t,
                       Value x, bool isUnsigned) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (t) {
  case ReduceKind::None:
    return x;
  case ReduceKind::Abs:
    if (isUnsigned)
      return x;
    return isFloat ? Value(math::AbsFOp::create(b, loc, x))
                   : math::AbsIOp::create(b, loc, x);
  case ReduceKind::Square:
    return combineScalars(b, loc, Combiner::Mul, x, x);
  case ReduceKind::Exp:
    return math::ExpOp::create(b, loc, x);
  }
  return x;
}

template <typename GraphOp> struct ReduceLowering : OpRewritePattern<GraphOp> {
  ReduceLowering(MLIRContext *ctx, ReduceKind kind)
      : OpRewritePattern<GraphOp>(ctx), kind(kind) {}

  LogicalResult matchAndRewrite(GraphOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    Type graphElement = type.getElementType();
    bool isUnsigned = graphElement.isUnsignedInteger();
    Value input = castToSignless(rewriter, loc, op.getInput());
    Type element = signlessType(graphElement);
    if (!isArithScalar(element))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    ArrayRef<int64_t> axes = op.getAxes();
    // log-sum-exp subtracts the maximum first, so exp cannot overflow.
    Value max;
    if (kind.transform == ReduceKind::Exp)
      max = buildReduction(rewriter, loc, input, axes,
                           combinerIdentity(rewriter, element, Combiner::Max),
                           [](OpBuilder &b, Location l, ValueRange args) {
                             return combineScalars(b, l, Combiner::Max, args[0],
                                                   args[1]);
                           });
    SmallVector<Value> inputs = {input};
    if (max)
      inputs.push_back(max);
    Value reduced = buildReduction(
        rewriter, loc, inputs, axes,
        combinerIdentity(rewriter, graphElement, kind.combiner),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0];
          if (max)
            x = arith::SubFOp::create(b, l, x, args[1]);
          return combineScalars(
              b, l, kind.combiner, args.back(),
              transformElement(b, l, kind.transform, x, isUnsigned),
              isUnsigned);
        });
    int64_t count = 1;
    for (int64_t axis : axes)
      count *= type.getDimSize(axis);
    if (kind.final != ReduceKind::Keep) {
      auto reducedType = cast<RankedTensorType>(reduced.getType());
      SmallVector<Value> operands = {reduced};
      if (max)
        operands.push_back(max);
      reduced = buildBroadcastElementwise(
          rewriter, loc, reducedType, operands,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value x = args[0];
            switch (kind.final) {
            case ReduceKind::Mean: {
              Value n = scalarConstant(b, l, element, count);
              if (isa<FloatType>(element))
                return arith::DivFOp::create(b, l, x, n);
              return isUnsigned ? Value(arith::DivUIOp::create(b, l, x, n))
                                : arith::DivSIOp::create(b, l, x, n);
            }
            case ReduceKind::Sqrt:
              return math::SqrtOp::create(b, l, x);
            case ReduceKind::Log:
              x = math::LogOp::create(b, l, x);
              return max ? Value(arith::AddFOp::create(b, l, x, args[1])) : x;
            case ReduceKind::Keep:
              break;
            }
            return x;
          });
    }
    rewriter.replaceOp(op, toResultType(rewriter, loc, reduced, op.getType()));
    return success();
  }

  ReduceKind kind;
};

/// arg_max / arg_min: a reduction carrying the best value and its index.
template <typename GraphOp, bool isMax>
struct ArgReduceLowering : OpRewritePattern<GraphOp> {
  using OpRewritePattern<GraphOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(GraphOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    Type graphElement = type.getElementType();
    bool isUnsigned = graphElement.isUnsignedInteger();
    Value input = castToSignless(rewriter, loc, op.getInput());
    Type element = signlessType(graphElement);
    if (!isArithScalar(element))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t axis = op.getAxisAttr().getInt(), rank = type.getRank();
    bool last = op.getSelectLastIndex();
    SmallVector<int64_t> shape(type.getShape());
    shape.erase(shape.begin() + axis);
    auto valueType = RankedTensorType::get(shape, element);
    auto indexType = RankedTensorType::get(shape, rewriter.getI64Type());
    Value values =
        buildFilled(rewriter, loc, valueType,
                    combinerIdentity(rewriter, graphElement,
                                     isMax ? Combiner::Max : Combiner::Min));
    Value indices =
        buildFilled(rewriter, loc, indexType, rewriter.getI64IntegerAttr(0));
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reducedMap = identity.dropResult(axis);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, input,
        ValueRange{values, indices},
        ArrayRef<AffineMap>{identity, reducedMap, reducedMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value better;
          if (isa<FloatType>(element)) {
            auto pred = isMax ? (last ? arith::CmpFPredicate::OGE
                                      : arith::CmpFPredicate::OGT)
                              : (last ? arith::CmpFPredicate::OLE
                                      : arith::CmpFPredicate::OLT);
            better = arith::CmpFOp::create(b, l, pred, x, best);
          } else {
            using P = arith::CmpIPredicate;
            P pred = isMax ? (last ? (isUnsigned ? P::uge : P::sge)
                                   : (isUnsigned ? P::ugt : P::sgt))
                           : (last ? (isUnsigned ? P::ule : P::sle)
                                   : (isUnsigned ? P::ult : P::slt));
            better = arith::CmpIOp::create(b, l, pred, x, best);
          }
          Value index = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          linalg::YieldOp::create(
              b, l,
              ValueRange{
                  arith::SelectOp::create(b, l, better, x, best),
                  arith::SelectOp::create(b, l, better, index, bestIndex)});
        });
    rewriter.replaceOp(
        op, toResultType(rewriter, loc, generic.getResult(1), op.getType()));
    return success();
  }
};

/// Loops (d_0 .. d_n-1, s): element d, source s along the axis. The source
/// is combined (added for cumsum, multiplied for cumprod) when it lies on
/// the combined side of the element; otherwise the identity is.
template <typename OpTy, Combiner kind>
struct CumulativeLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(signlessType(op.getType()));
    Type element = type.getElementType();
    if (!isArithScalar(element))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t rank = type.getRank(), axis = op.getAxisAttr().getInt();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> source, result;
    for (int64_t d = 0; d < rank; ++d) {
      source.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
      result.push_back(getAffineDimExpr(d, ctx));
    }
    SmallVector<utils::IteratorType> iterators(rank + 1,
                                               utils::IteratorType::parallel);
    iterators[rank] = utils::IteratorType::reduction;
    TypedAttr identity = combinerIdentity(rewriter, element, kind);
    Value acc = buildFilled(rewriter, loc, type, identity);
    arith::CmpIPredicate pred =
        op.getReverse() ? (op.getExclusive() ? arith::CmpIPredicate::sgt
                                             : arith::CmpIPredicate::sge)
                        : (op.getExclusive() ? arith::CmpIPredicate::slt
                                             : arith::CmpIPredicate::sle);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, castToSignless(rewriter, loc, op.getInput()), acc,
        ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, source, ctx),
                            AffineMap::get(rank + 1, 0, result, ctx)},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value s = linalg::IndexOp::create(b, l, rank);
          Value d = linalg::IndexOp::create(b, l, axis);
          Value inside = arith::CmpIOp::create(b, l, pred, s, d);
          Value neutral = arith::ConstantOp::create(b, l, identity);
          Value term = arith::SelectOp::create(b, l, inside, args[0], neutral);
          linalg::YieldOp::create(b, l,
                                  combineScalars(b, l, kind, args[1], term));
        });
    rewriter.replaceOp(op, castFromSignless(rewriter, loc, generic.getResult(0),
                                            op.getType()));
    return success();
  }
};

/// Loops: the output letters (parallel), then the summed letters
/// (reduction), each in order of first appearance.
struct EinsumLowering : OpRewritePattern<graph::EinsumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::EinsumOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(signlessType(op.getType()));
    Type element = type.getElementType();
    if (!isArithScalar(element))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    SmallVector<Value> inputs;
    for (Value input : op.getInputs())
      inputs.push_back(castToSignless(rewriter, loc, input));
    auto [lhs, output] = op.getEquation().split("->");
    SmallVector<StringRef> terms;
    lhs.split(terms, ',');
    std::string letters = output.str();
    for (StringRef term : terms)
      for (char c : term)
        if (letters.find(c) == std::string::npos)
          letters.push_back(c);
    // Each letter's extent: the largest of its uses (others are 1).
    SmallVector<int64_t> extents(letters.size(), 1);
    for (auto [term, input] : llvm::zip(terms, op.getInputs()))
      for (auto [c, size] :
           llvm::zip(term, cast<RankedTensorType>(input.getType()).getShape()))
        extents[letters.find(c)] = std::max(extents[letters.find(c)], size);
    MLIRContext *ctx = rewriter.getContext();
    int64_t numLoops = letters.size();
    SmallVector<AffineMap> maps;
    for (auto [term, input] : llvm::zip(terms, op.getInputs())) {
      SmallVector<AffineExpr> exprs;
      for (auto [c, size] : llvm::zip(
               term, cast<RankedTensorType>(input.getType()).getShape())) {
        size_t loop = letters.find(c);
        exprs.push_back(size == 1 && extents[loop] != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(loop, ctx));
      }
      maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    for (size_t i = 0; i < output.size(); ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    maps.push_back(AffineMap::get(numLoops, 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iterators(numLoops,
                                               utils::IteratorType::reduction);
    std::fill_n(iterators.begin(), output.size(),
                utils::IteratorType::parallel);
    Value acc = buildFilled(rewriter, loc, type,
                            combinerIdentity(rewriter, element, Combiner::Add));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, inputs, acc, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = args[0];
          for (Value factor : args.drop_front().drop_back())
            product = combineScalars(b, l, Combiner::Mul, product, factor);
          linalg::YieldOp::create(
              b, l, combineScalars(b, l, Combiner::Add, args.back(), product));
        });
    rewriter.replaceOp(op, castFromSignless(rewriter, loc, generic.getResult(0),
                                            op.getType()));
    return success();
  }
};

} // namespace

void strata::lowering::populateReductionPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  using K = ReduceKind;
  patterns.add<ReduceLowering<graph::ReduceSumOp>>(
      ctx, K{K::None, Combiner::Add, K::Keep});
  patterns.add<ReduceLowering<graph::ReduceMeanOp>>(
      ctx, K{K::None, Combiner::Add, K::Mean});
  patterns.add<ReduceLowering<graph::ReduceMaxOp>>(
      ctx, K{K::None, Combiner::Max, K::Keep});
  patterns.add<ReduceLowering<graph::ReduceMinOp>>(
      ctx, K{K::None, Combiner::Min, K::Keep});
  patterns.add<ReduceLowering<graph::ReduceProdOp>>(
      ctx, K{K::None, Combiner::Mul, K::Keep});
  patterns.add<ReduceLowering<graph::ReduceL1Op>>(
      ctx, K{K::Abs, Combiner::Add, K::Keep});
  patterns.add<ReduceLowering<graph::ReduceSumSquareOp>>(
      ctx, K{K::Square, Combiner::Add, K::Keep});
  patterns.add<ReduceLowering<graph::ReduceL2Op>>(
      ctx, K{K::Square, Combiner::Add, K::Sqrt});
  patterns.add<ReduceLowering<graph::ReduceLogSumOp>>(
      ctx, K{K::None, Combiner::Add, K::Log});
  patterns.add<ReduceLowering<graph::ReduceLogSumExpOp>>(
      ctx, K{K::Exp, Combiner::Add, K::Log});
  patterns.add<ArgReduceLowering<graph::ArgMaxOp, true>,
               ArgReduceLowering<graph::ArgMinOp, false>,
               CumulativeLowering<graph::CumSumOp, Combiner::Add>,
               CumulativeLowering<graph::CumProdOp, Combiner::Mul>,
               EinsumLowering>(ctx);
}
