//===- LowerIndexing.cpp - gather, scatter, slice, pad ... -> linalg ------===//
//
// Data-dependent reads (gathers, reflect / edge padding) are linalg.generic
// ops over the result whose bodies compute the source coordinates and read
// them with tensor.extract. Every index read from a tensor is wrapped
// (negative counts from the end) and clamped into range, so a bad index
// never reads or writes outside a buffer. scatter_nd and scatter_elements,
// whose writes collide, are nests of scf.for loops inserting into the
// result.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"
#include "passes/graph/ScalarArith.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// An index element (i32 / i64) as an `index` into a dimension of `size`:
/// negative values count from the end, then the result is clamped into
/// [0, size).
Value wrapIndex(OpBuilder &b, Location loc, Value element, int64_t size) {
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
  Value zero = indexConstant(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped =
      arith::AddIOp::create(b, loc, index, indexConstant(b, loc, size));
  index = arith::SelectOp::create(b, loc, negative, wrapped, index);
  index = arith::MaxSIOp::create(b, loc, index, zero);
  return arith::MinSIOp::create(
      b, loc, index, indexConstant(b, loc, std::max<int64_t>(size - 1, 0)));
}

/// The map reading operand dims from loops [first, first + count).
AffineMap loopRange(MLIRContext *ctx, int64_t numLoops, int64_t first,
                    int64_t count) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < count; ++i)
    exprs.push_back(getAffineDimExpr(first + i, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

SmallVector<Value> loopIndices(OpBuilder &b, Location loc, int64_t first,
                               int64_t count) {
  SmallVector<Value> indices;
  for (int64_t i = 0; i < count; ++i)
    indices.push_back(linalg::IndexOp::create(b, loc, first + i));
  return indices;
}

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// output[pre, i..., post] = data[pre, indices[i...], post].
struct GatherLowering : OpRewritePattern<graph::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::GatherOp op,
                                PatternRewriter &rewriter) const override {
    auto data = typeOf(op.getData());
    auto indices = typeOf(op.getIndices());
    auto resultType = typeOf(op.getOutput());
    int64_t axis = op.getAxisAttr().getInt(), q = indices.getRank();
    int64_t numLoops = resultType.getRank();
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), resultType, op.getIndices(),
        loopRange(getContext(), numLoops, axis, q),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> coords = loopIndices(b, l, 0, axis);
          coords.push_back(wrapIndex(b, l, args[0], data.getDimSize(axis)));
          llvm::append_range(coords,
                             loopIndices(b, l, axis + q, numLoops - axis - q));
          return tensor::ExtractOp::create(b, l, op.getData(), coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// output[i] = data[i with i[axis] replaced by indices[i]].
struct GatherElementsLowering : OpRewritePattern<graph::GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::GatherElementsOp op,
                                PatternRewriter &rewriter) const override {
    auto data = typeOf(op.getData());
    auto resultType = typeOf(op.getOutput());
    int64_t axis = op.getAxisAttr().getInt(), rank = resultType.getRank();
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), resultType, op.getIndices(),
        rewriter.getMultiDimIdentityMap(rank),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> coords = loopIndices(b, l, 0, rank);
          coords[axis] = wrapIndex(b, l, args[0], data.getDimSize(axis));
          return tensor::ExtractOp::create(b, l, op.getData(), coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The data coordinates that indices[outer..., :] addresses (after `batch`
/// leading coordinates taken from `outer`).
SmallVector<Value> addressedCoords(OpBuilder &b, Location l, Value indices,
                                   ArrayRef<Value> outer, int64_t batch,
                                   RankedTensorType data) {
  SmallVector<Value> coords(outer.take_front(batch));
  int64_t depth = typeOf(indices).getShape().back();
  SmallVector<Value> at(outer);
  at.push_back(nullptr);
  for (int64_t j = 0; j < depth; ++j) {
    at.back() = indexConstant(b, l, j);
    Value element = tensor::ExtractOp::create(b, l, indices, at);
    coords.push_back(wrapIndex(b, l, element, data.getDimSize(batch + j)));
  }
  return coords;
}

struct GatherNDLowering : OpRewritePattern<graph::GatherNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::GatherNDOp op,
                                PatternRewriter &rewriter) const override {
    auto data = typeOf(op.getData());
    auto resultType = typeOf(op.getOutput());
    int64_t outer = typeOf(op.getIndices()).getRank() - 1;
    int64_t batch = op.getBatchDimsAttr().getInt();
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), resultType, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> coords = addressedCoords(
              b, l, op.getIndices(), loopIndices(b, l, 0, outer), batch, data);
          llvm::append_range(
              coords, loopIndices(b, l, outer, resultType.getRank() - outer));
          return tensor::ExtractOp::create(b, l, op.getData(), coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The combination of a scatter's `reduction`; none for "none".
std::optional<Combiner> scatterCombiner(StringRef reduction) {
  if (reduction == "none")
    return std::nullopt;
  return llvm::StringSwitch<Combiner>(reduction)
      .Case("add", Combiner::Add)
      .Case("mul", Combiner::Mul)
      .Case("max", Combiner::Max)
      .Default(Combiner::Min);
}

/// Loops over the index tuples (updates' leading dims) read each tuple once;
/// nested loops over the slice then write result[tuple, slice index] = u
/// (or combine it with the old value).
struct ScatterNDLowering : OpRewritePattern<graph::ScatterNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::ScatterNDOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto data = typeOf(op.getData());
    auto updates = typeOf(op.getUpdates());
    StringRef reduction = op.getReduction();
    bool isUnsigned = data.getElementType().isUnsignedInteger();
    Value dataValue = castToSignless(rewriter, loc, op.getData());
    Value updatesValue = castToSignless(rewriter, loc, op.getUpdates());
    std::optional<Combiner> combiner = scatterCombiner(reduction);
    if (combiner && !isArithScalar(signlessType(data.getElementType())))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    int64_t outer = typeOf(op.getIndices()).getRank() - 1;
    auto bounds = [&](OpBuilder &b, ArrayRef<int64_t> sizes,
                      SmallVectorImpl<Value> &lbs, SmallVectorImpl<Value> &ubs,
                      SmallVectorImpl<Value> &steps) {
      for (int64_t size : sizes) {
        lbs.push_back(indexConstant(b, loc, 0));
        ubs.push_back(indexConstant(b, loc, size));
        steps.push_back(indexConstant(b, loc, 1));
      }
    };
    SmallVector<Value> lbs, ubs, steps;
    bounds(rewriter, updates.getShape().take_front(outer), lbs, ubs, steps);
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{dataValue},
        [&](OpBuilder &b, Location l, ValueRange tupleIvs,
            ValueRange tupleArgs) -> scf::ValueVector {
          SmallVector<Value> tuple(tupleIvs);
          SmallVector<Value> addressed =
              addressedCoords(b, l, op.getIndices(), tuple, 0, data);
          SmallVector<Value> innerLbs, innerUbs, innerSteps;
          bounds(b, updates.getShape().drop_front(outer), innerLbs, innerUbs,
                 innerSteps);
          scf::LoopNest inner = scf::buildLoopNest(
              b, l, innerLbs, innerUbs, innerSteps, tupleArgs,
              [&](OpBuilder &ib, Location il, ValueRange sliceIvs,
                  ValueRange iterArgs) -> scf::ValueVector {
                SmallVector<Value> at(tuple);
                llvm::append_range(at, sliceIvs);
                Value update =
                    tensor::ExtractOp::create(ib, il, updatesValue, at);
                SmallVector<Value> coords(addressed);
                llvm::append_range(coords, sliceIvs);
                if (combiner) {
                  Value old =
                      tensor::ExtractOp::create(ib, il, iterArgs[0], coords);
                  update = combineScalars(ib, il, *combiner, old, update,
                                          isUnsigned);
                }
                return {tensor::InsertOp::create(ib, il, update, iterArgs[0],
                                                 coords)};
              });
          return {inner.results.front()};
        });
    rewriter.replaceOp(
        op, castFromSignless(rewriter, loc, nest.results.front(), data));
    return success();
  }
};

/// Loops over the updates: result[i with i[axis] = indices[i]] = updates[i]
/// (or combined with the value there).
struct ScatterElementsLowering : OpRewritePattern<graph::ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::ScatterElementsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto data = typeOf(op.getData());
    int64_t axis = op.getAxisAttr().getInt();
    bool isUnsigned = data.getElementType().isUnsignedInteger();
    Value dataValue = castToSignless(rewriter, loc, op.getData());
    Value updatesValue = castToSignless(rewriter, loc, op.getUpdates());
    std::optional<Combiner> combiner = scatterCombiner(op.getReduction());
    if (combiner && !isArithScalar(signlessType(data.getElementType())))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    SmallVector<Value> lbs, ubs, steps;
    for (int64_t size : typeOf(op.getIndices()).getShape()) {
      lbs.push_back(indexConstant(rewriter, loc, 0));
      ubs.push_back(indexConstant(rewriter, loc, size));
      steps.push_back(indexConstant(rewriter, loc, 1));
    }
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{dataValue},
        [&](OpBuilder &b, Location l, ValueRange ivs,
            ValueRange iterArgs) -> scf::ValueVector {
          Value update = tensor::ExtractOp::create(b, l, updatesValue, ivs);
          Value index = tensor::ExtractOp::create(b, l, op.getIndices(), ivs);
          SmallVector<Value> coords(ivs);
          coords[axis] = wrapIndex(b, l, index, data.getDimSize(axis));
          if (combiner) {
            Value old = tensor::ExtractOp::create(b, l, iterArgs[0], coords);
            update = combineScalars(b, l, *combiner, old, update, isUnsigned);
          }
          return {tensor::InsertOp::create(b, l, update, iterArgs[0], coords)};
        });
    rewriter.replaceOp(
        op, castFromSignless(rewriter, loc, nest.results.front(), data));
    return success();
  }
};

/// Positive steps: tensor.extract_slice. Otherwise a generic reading
/// input[start + i * step].
struct SliceLowering : OpRewritePattern<graph::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::SliceOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = typeOf(op.getOutput());
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    // An empty slice reads nothing; its start may be the end of the
    // dimension (a Split with a zero-size part), which tensor.extract_slice
    // rejects.
    if (resultType.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(
          op, resultType.getShape(), resultType.getElementType());
      return success();
    }
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      MLIRContext *ctx = getContext();
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, resultType, op.getInput(), getAsIndexOpFoldResult(ctx, starts),
          getAsIndexOpFoldResult(ctx, op.getSizes()),
          getAsIndexOpFoldResult(ctx, steps));
      return success();
    }
    SmallVector<AffineExpr> exprs;
    for (auto [d, start, step] : llvm::enumerate(starts, steps))
      exprs.push_back(rewriter.getAffineDimExpr(d) * step + start);
    AffineMap map =
        AffineMap::get(resultType.getRank(), 0, exprs, getContext());
    rewriter.replaceOp(op, buildParallelGeneric(
                               rewriter, op.getLoc(), resultType, op.getInput(),
                               map, [](OpBuilder &, Location, ValueRange args) {
                                 return args[0];
                               }));
    return success();
  }
};

/// constant: tensor.pad. reflect / edge: a generic reading the mirrored or
/// clamped source coordinate.
struct PadLowering : OpRewritePattern<graph::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::PadOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = typeOf(op.getInput());
    auto resultType = typeOf(op.getOutput());
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == "constant") {
      Type element = signlessType(type.getElementType());
      if (!isArithScalar(element))
        return rewriter.notifyMatchFailure(op, "unsupported element type");
      // An unsigned value keeps its bits under the signless type.
      TypedAttr value = op.getValueAttr();
      if (auto integer = dyn_cast_or_null<IntegerAttr>(value))
        value = IntegerAttr::get(element, integer.getValue());
      Value padValue =
          value ? Value(arith::ConstantOp::create(rewriter, loc, value))
                : scalarConstant(rewriter, loc, element, 0);
      MLIRContext *ctx = getContext();
      Value padded = tensor::PadOp::create(
          rewriter, loc, signlessType(resultType),
          castToSignless(rewriter, loc, op.getInput()),
          getAsIndexOpFoldResult(ctx, pads.take_front(rank)),
          getAsIndexOpFoldResult(ctx, pads.drop_front(rank)), padValue);
      rewriter.replaceOp(op,
                         castFromSignless(rewriter, loc, padded, resultType));
      return success();
    }
    bool reflect = op.getMode() == "reflect";
    Value result = buildParallelGeneric(
        rewriter, loc, resultType, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> coords = loopIndices(b, l, 0, rank);
          for (int64_t d = 0; d < rank; ++d) {
            if (pads[d] == 0 && pads[d + rank] == 0)
              continue;
            int64_t size = type.getDimSize(d);
            Value i = arith::SubIOp::create(b, l, coords[d],
                                            indexConstant(b, l, pads[d]));
            Value zero = indexConstant(b, l, 0);
            Value last = indexConstant(b, l, size - 1);
            if (reflect) {
              // -i before the start; 2 * last - i after the end.
              Value before = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::slt, i, zero);
              i = arith::SelectOp::create(
                  b, l, before, arith::SubIOp::create(b, l, zero, i), i);
              Value after = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::sgt, i, last);
              Value mirrored = arith::SubIOp::create(
                  b, l, indexConstant(b, l, 2 * (size - 1)), i);
              i = arith::SelectOp::create(b, l, after, mirrored, i);
            } else {
              i = arith::MinSIOp::create(
                  b, l, arith::MaxSIOp::create(b, l, i, zero), last);
            }
            coords[d] = i;
          }
          return tensor::ExtractOp::create(b, l, op.getInput(), coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// [a, b] tiled [r, s]: a generic broadcasting to [r, a, s, b], collapsed
/// to [r * a, s * b].
struct TileLowering : OpRewritePattern<graph::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::TileOp op,
                                PatternRewriter &rewriter) const override {
    auto type = typeOf(op.getInput());
    int64_t rank = type.getRank();
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> exprs;
    SmallVector<ReassociationIndices> groups;
    for (auto [d, repeat] : llvm::enumerate(op.getRepeats())) {
      shape.append({repeat, type.getDimSize(d)});
      exprs.push_back(rewriter.getAffineDimExpr(2 * d + 1));
      groups.push_back(
          {static_cast<int64_t>(2 * d), static_cast<int64_t>(2 * d + 1)});
    }
    auto expandedType = RankedTensorType::get(shape, type.getElementType());
    Value expanded = buildParallelGeneric(
        rewriter, op.getLoc(), expandedType, op.getInput(),
        AffineMap::get(2 * rank, 0, exprs, getContext()),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, typeOf(op.getOutput()), expanded, groups);
    return success();
  }
};

struct ExpandLowering : OpRewritePattern<graph::ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::ExpandOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op,
        buildBroadcastElementwise(
            rewriter, op.getLoc(), typeOf(op.getOutput()), op.getInput(),
            [](OpBuilder &, Location, ValueRange args) { return args[0]; }));
    return success();
  }
};

struct TriluLowering : OpRewritePattern<graph::TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::TriluOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(signlessType(op.getType()));
    int64_t rank = type.getRank(), k = op.getKAttr().getInt();
    bool upper = op.getUpper();
    if (!isArithScalar(type.getElementType()))
      return rewriter.notifyMatchFailure(op, "unsupported element type");
    Value result = buildBroadcastElementwise(
        rewriter, loc, type, castToSignless(rewriter, loc, op.getInput()),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value row = linalg::IndexOp::create(b, l, rank - 2);
          Value col = linalg::IndexOp::create(b, l, rank - 1);
          Value diagonal = arith::SubIOp::create(b, l, col, row);
          Value keep = arith::CmpIOp::create(b, l,
                                             upper ? arith::CmpIPredicate::sge
                                                   : arith::CmpIPredicate::sle,
                                             diagonal, indexConstant(b, l, k));
          Value zero = scalarConstant(b, l, type.getElementType(), 0);
          return arith::SelectOp::create(b, l, keep, args[0], zero);
        });
    rewriter.replaceOp(op,
                       castFromSignless(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct OneHotLowering : OpRewritePattern<graph::OneHotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::OneHotOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = typeOf(op.getOutput());
    int64_t rank = resultType.getRank(), axis = op.getAxisAttr().getInt();
    int64_t depth = op.getDepthAttr().getInt();
    Type indexElement = typeOf(op.getIndices()).getElementType();
    bool unsignedIndices = indexElement.isUnsignedInteger();
    Value off =
        tensor::ExtractOp::create(rewriter, loc, op.getValues(),
                                  ValueRange{indexConstant(rewriter, loc, 0)});
    Value on =
        tensor::ExtractOp::create(rewriter, loc, op.getValues(),
                                  ValueRange{indexConstant(rewriter, loc, 1)});
    AffineMap indicesMap =
        rewriter.getMultiDimIdentityMap(rank).dropResult(axis);
    Value result = buildParallelGeneric(
        rewriter, loc, resultType,
        castToSignless(rewriter, loc, op.getIndices()), indicesMap,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value index = args[0];
          Type i64 = b.getI64Type();
          // Float indices are truncated toward zero (ONNX casts them).
          if (isa<FloatType>(index.getType()))
            index = arith::FPToSIOp::create(b, l, i64, index);
          else if (index.getType() != i64 && unsignedIndices)
            index = arith::ExtUIOp::create(b, l, i64, index);
          else if (index.getType() != i64)
            index = arith::ExtSIOp::create(b, l, i64, index);
          Value zero = arith::ConstantIntOp::create(b, l, i64, 0);
          Value negative = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::slt, index, zero);
          Value wrapped = arith::AddIOp::create(
              b, l, index, arith::ConstantIntOp::create(b, l, i64, depth));
          index = arith::SelectOp::create(b, l, negative, wrapped, index);
          Value position = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value hot = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            index, position);
          return arith::SelectOp::create(b, l, hot, on, off);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void strata::lowering::populateIndexingPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherLowering, GatherElementsLowering, GatherNDLowering,
               ScatterNDLowering, ScatterElementsLowering, SliceLowering,
               PadLowering, TileLowering, ExpandLowering, TriluLowering,
               OneHotLowering>(
      patterns.getContext());
}
