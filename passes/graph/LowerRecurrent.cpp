//===- LowerRecurrent.cpp - rnn, gru, lstm -> scf.for over time steps -----===//
//
// Per direction:
//  * the input projections of all time steps at once, one contraction
//    x[seq * batch, input] . w[gates * hidden, input]^T, starting from the
//    biases (both the input and recurrence biases where they add up front);
//  * an scf.for over the time steps (backwards for `reverse` and for the
//    second direction of `bidirectional`) carrying the hidden state (and
//    the LSTM's cell state) and `y`: each step contracts the state with r
//    and computes the gates and the new states in one linalg.generic over
//    [batch, hidden] that reads each gate's columns through its own map;
//  * the new hidden state is inserted into `y` at its time step, the last
//    states into `y_h` / `y_c`.
// Contractions are linalg.generic ops with the weights read transposed
// (m, n, k) -> (n, k), so no weight is copied.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace strata;
using namespace strata::lowering;

namespace {

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return getAsIndexOpFoldResult(b.getContext(), values);
}

/// `source[offsets : offsets + sizes]` with unit dimensions dropped to give
/// `resultShape`.
Value slice(OpBuilder &b, Location loc, Value source,
            ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes,
            ArrayRef<int64_t> resultShape) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(resultShape, type.getElementType()), source,
      offsets, indexAttrs(b, sizes), strides);
}

/// `value[d]` of a [num_directions, ...] tensor.
Value directionSlice(OpBuilder &b, Location loc, Value value, int64_t d) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  offsets[0] = b.getIndexAttr(d);
  SmallVector<int64_t> sizes(type.getShape());
  sizes[0] = 1;
  return slice(b, loc, value, offsets, sizes, type.getShape().drop_front());
}

/// Inserts `source` (`sizes` without its unit dims) into `dest` at
/// `offsets`.
Value insert(OpBuilder &b, Location loc, Value source, Value dest,
             ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes) {
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, source, dest, offsets,
                                       indexAttrs(b, sizes), strides);
}

/// out[m, n] = init[m, n] + sum_k lhs[m, k] * rhs[n, k].
Value contractTransposed(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         Value init) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {d(0), d(2)}, ctx),
                                 AffineMap::get(3, 0, {d(1), d(2)}, ctx),
                                 AffineMap::get(3, 0, {d(0), d(1)}, ctx)};
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel,
                                                utils::IteratorType::parallel,
                                                utils::IteratorType::reduction};
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{lhs, rhs}, init, maps,
             iterators,
             [](OpBuilder &bb, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(bb, l, args[0], args[1]);
               linalg::YieldOp::create(
                   bb, l,
                   Value(arith::AddFOp::create(bb, l, args[2], product)));
             })
      .getResult(0);
}

/// What the three layers share; `gates` is 1, 3 or 4.
struct Recurrent {
  Location loc;
  Type element;
  int64_t seq, batch, inputSize, hidden, directions, gates;
  StringRef direction;
  ArrayAttr activations;
  std::optional<double> clip;
  Value x, w, r, b, initialH;

  int64_t width() const { return gates * hidden; }
  RankedTensorType stateType() const {
    return RankedTensorType::get({batch, hidden}, element);
  }
  bool reversed(int64_t d) const { return d == 1 || direction == "reverse"; }
  StringRef activation(int64_t d, int64_t i) const {
    int64_t perDirection = activations.size() / directions;
    return cast<StringAttr>(activations[d * perDirection + i]).getValue();
  }

  Value zeros(OpBuilder &b, RankedTensorType type) const {
    return buildFilled(b, loc, type, b.getFloatAttr(element, 0.0));
  }

  /// clip (unless `clipped` is false), then the activation `name`.
  Value activate(OpBuilder &b, Location l, StringRef name, Value v,
                 bool clipped = true) const {
    if (clip && clipped) {
      Value bound = scalarConstant(b, l, element, *clip);
      Value lowest = scalarConstant(b, l, element, -*clip);
      v = arith::MinimumFOp::create(
          b, l, arith::MaximumFOp::create(b, l, v, lowest), bound);
    }
    if (name == "Tanh")
      return math::TanhOp::create(b, l, v);
    if (name == "Relu")
      return arith::MaximumFOp::create(b, l, v,
                                       scalarConstant(b, l, element, 0.0));
    // Sigmoid.
    Value one = scalarConstant(b, l, element, 1.0);
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, v));
    return arith::DivFOp::create(b, l, one,
                                 arith::AddFOp::create(b, l, one, e));
  }

  /// x . w[d]^T plus the input biases and the recurrence biases of the
  /// first `foldedRecurrence` columns: [seq, batch, gates * hidden].
  Value inputProjection(OpBuilder &b, int64_t d,
                        int64_t foldedRecurrence) const {
    int64_t rows = seq * batch;
    auto projType = RankedTensorType::get({rows, width()}, element);
    Value init;
    if (this->b) {
      Value bd = directionSlice(b, loc, this->b, d); // [2 * width]
      Value wb = slice(b, loc, bd, indexAttrs(b, {0}), {width()}, {width()});
      Value rb =
          slice(b, loc, bd, indexAttrs(b, {width()}), {width()}, {width()});
      auto vecType = RankedTensorType::get({width()}, element);
      Value bias = buildBroadcastElementwise(
          b, loc, vecType, ValueRange{wb, rb},
          [&](OpBuilder &bb, Location l, ValueRange args) -> Value {
            Value j = linalg::IndexOp::create(bb, l, 0);
            Value folded = arith::CmpIOp::create(
                bb, l, arith::CmpIPredicate::slt, j,
                arith::ConstantIndexOp::create(bb, l, foldedRecurrence));
            Value zero = scalarConstant(bb, l, element, 0.0);
            return arith::AddFOp::create(
                bb, l, args[0],
                arith::SelectOp::create(bb, l, folded, args[1], zero));
          });
      init = buildBroadcastElementwise(
          b, loc, projType, ValueRange{bias},
          [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    } else {
      init = zeros(b, projType);
    }
    Value x2 = buildReshape(b, loc, x,
                            RankedTensorType::get({rows, inputSize}, element));
    Value proj =
        contractTransposed(b, loc, x2, directionSlice(b, loc, w, d), init);
    return buildReshape(b, loc, proj,
                        RankedTensorType::get({seq, batch, width()}, element));
  }

  Value initialState(OpBuilder &b, Value init, int64_t d) const {
    return init ? directionSlice(b, loc, init, d) : zeros(b, stateType());
  }

  /// A generic over [batch, hidden] whose inputs are the column blocks
  /// `offset` (in units of `hidden`) of [batch, n * hidden] or [n * hidden]
  /// operands, and whose `numResults` results are state-shaped.
  Value cellGeneric(
      OpBuilder &b, ArrayRef<std::pair<Value, int64_t>> inputs,
      unsigned numResults,
      function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body,
      SmallVectorImpl<Value> &results) const {
    MLIRContext *ctx = b.getContext();
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<Value> operands;
    SmallVector<AffineMap> maps;
    for (auto [value, offset] : inputs) {
      // Wider operands are sliced to their column block (a view once
      // bufferized), so that every map is a plain projection.
      auto type = cast<RankedTensorType>(value.getType());
      int64_t rank = type.getRank();
      if (type.getShape().back() != hidden) {
        int64_t start = std::max<int64_t>(offset, 0) * hidden;
        value = rank == 1 ? slice(b, loc, value, indexAttrs(b, {start}),
                                  {hidden}, {hidden})
                          : slice(b, loc, value, indexAttrs(b, {0, start}),
                                  {batch, hidden}, {batch, hidden});
      }
      operands.push_back(value);
      maps.push_back(rank == 1 ? AffineMap::get(2, 0, {d(1)}, ctx)
                               : b.getMultiDimIdentityMap(2));
    }
    SmallVector<Value> inits;
    SmallVector<Type> types;
    for (unsigned i = 0; i < numResults; ++i) {
      inits.push_back(
          tensor::EmptyOp::create(b, loc, stateType().getShape(), element));
      types.push_back(stateType());
      maps.push_back(b.getMultiDimIdentityMap(2));
    }
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, types, operands, inits, maps, iterators,
        [&](OpBuilder &bb, Location l, ValueRange args) {
          linalg::YieldOp::create(
              bb, l, body(bb, l, args.take_front(operands.size())));
        });
    results.assign(generic.getResults().begin(), generic.getResults().end());
    return results.front();
  }
};

/// The time loop of direction `d`: `step` maps (gates from x, states) to
/// new states; states[0] is the hidden state. Returns the final states and
/// updates `y`.
///
/// Each state lives in a history tensor [seq + 1, batch, hidden] that the
/// loop carries: step t reads slot t and writes slot t + 1 (slot 0 holds
/// the initial state). Every value the loop yields is thus an insert_slice
/// into what it carries, which one-shot bufferization requires of loops
/// (and updates in place); carrying the states themselves would yield new
/// tensors.
SmallVector<Value> timeLoop(
    OpBuilder &b, const Recurrent &rec, int64_t d, Value projection,
    ValueRange initialStates, Value &y,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> step) {
  Location loc = rec.loc;
  SmallVector<int64_t> slot = {1, rec.batch, rec.hidden};
  auto at = [&](OpBuilder &bb, OpFoldResult t) -> SmallVector<OpFoldResult> {
    return {t, bb.getIndexAttr(0), bb.getIndexAttr(0)};
  };
  SmallVector<Value> iterArgs;
  for (Value initial : initialStates) {
    Value history = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{rec.seq + 1, rec.batch, rec.hidden},
        rec.element);
    iterArgs.push_back(
        insert(b, loc, initial, history, at(b, b.getIndexAttr(0)), slot));
  }
  iterArgs.push_back(y);
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, rec.seq);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, one, iterArgs,
      [&](OpBuilder &bb, Location l, Value t, ValueRange iter) {
        Value time = t;
        if (rec.reversed(d))
          time = arith::SubIOp::create(
              bb, l, arith::ConstantIndexOp::create(bb, l, rec.seq - 1), t);
        Value gx = slice(bb, l, projection,
                         {time, bb.getIndexAttr(0), bb.getIndexAttr(0)},
                         {1, rec.batch, rec.width()}, {rec.batch, rec.width()});
        SmallVector<Value> states;
        for (Value history : iter.drop_back())
          states.push_back(
              slice(bb, l, history, at(bb, t), slot, {rec.batch, rec.hidden}));
        SmallVector<Value> next = step(bb, gx, states);
        Value tNext = arith::AddIOp::create(bb, l, t, one);
        SmallVector<Value> yields;
        for (auto [state, history] : llvm::zip(next, iter.drop_back()))
          yields.push_back(insert(bb, l, state, history, at(bb, tNext), slot));
        yields.push_back(insert(
            bb, l, next[0], iter.back(),
            {time, bb.getIndexAttr(d), bb.getIndexAttr(0), bb.getIndexAttr(0)},
            {1, 1, rec.batch, rec.hidden}));
        scf::YieldOp::create(bb, l, yields);
      });
  y = loop.getResults().back();
  SmallVector<Value> finals;
  for (Value history : loop.getResults().drop_back())
    finals.push_back(slice(b, loc, history, at(b, b.getIndexAttr(rec.seq)),
                           slot, {rec.batch, rec.hidden}));
  return finals;
}

/// [num_directions, batch, hidden] from each direction's state.
Value stackDirections(OpBuilder &b, const Recurrent &rec, ValueRange states) {
  auto type = RankedTensorType::get({rec.directions, rec.batch, rec.hidden},
                                    rec.element);
  Value result =
      tensor::EmptyOp::create(b, rec.loc, type.getShape(), rec.element);
  for (auto [d, state] : llvm::enumerate(states))
    result = insert(b, rec.loc, state, result,
                    indexAttrs(b, {static_cast<int64_t>(d), 0, 0}),
                    {1, rec.batch, rec.hidden});
  return result;
}

template <typename Op> Recurrent describe(Op op, int64_t gates) {
  auto xType = cast<RankedTensorType>(op.getX().getType());
  Recurrent rec{op.getLoc(),
                xType.getElementType(),
                xType.getDimSize(0),
                xType.getDimSize(1),
                xType.getDimSize(2),
                static_cast<int64_t>(op.getHiddenSize()),
                op.getDirection() == "bidirectional" ? 2 : 1,
                gates,
                op.getDirection(),
                op.getActivations(),
                std::nullopt,
                op.getX(),
                op.getW(),
                op.getR(),
                op.getB(),
                op.getInitialH()};
  if (auto clip = op.getClip())
    rec.clip = clip->convertToDouble();
  return rec;
}

struct RNNLowering : OpRewritePattern<graph::RNNOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::RNNOp op,
                                PatternRewriter &rewriter) const override {
    Recurrent rec = describe(op, 1);
    Value y = tensor::EmptyOp::create(
        rewriter, rec.loc,
        cast<RankedTensorType>(op.getY().getType()).getShape(), rec.element);
    SmallVector<Value> last;
    for (int64_t d = 0; d < rec.directions; ++d) {
      Value proj = rec.inputProjection(rewriter, d, rec.width());
      Value rd = directionSlice(rewriter, rec.loc, rec.r, d);
      StringRef f = rec.activation(d, 0);
      SmallVector<Value> states = timeLoop(
          rewriter, rec, d, proj, {rec.initialState(rewriter, rec.initialH, d)},
          y, [&](OpBuilder &b, Value gx, ValueRange state) {
            Value pre = contractTransposed(b, rec.loc, state[0], rd, gx);
            SmallVector<Value> results;
            rec.cellGeneric(
                b, {{pre, 0}}, 1,
                [&](OpBuilder &bb, Location l, ValueRange args) {
                  return SmallVector<Value>{rec.activate(bb, l, f, args[0])};
                },
                results);
            return results;
          });
      last.push_back(states[0]);
    }
    rewriter.replaceOp(op, {y, stackDirections(rewriter, rec, last)});
    return success();
  }
};

struct GRULowering : OpRewritePattern<graph::GRUOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::GRUOp op,
                                PatternRewriter &rewriter) const override {
    Recurrent rec = describe(op, 3);
    Location loc = rec.loc;
    int64_t h = rec.hidden;
    bool linearBeforeReset = op.getLinearBeforeReset();
    Value y = tensor::EmptyOp::create(
        rewriter, loc, cast<RankedTensorType>(op.getY().getType()).getShape(),
        rec.element);
    SmallVector<Value> last;
    for (int64_t d = 0; d < rec.directions; ++d) {
      // With linear_before_reset, the hidden gate's recurrence bias is
      // scaled by r, so it stays out of the projection.
      Value proj =
          rec.inputProjection(rewriter, d, linearBeforeReset ? 2 * h : 3 * h);
      Value rd = directionSlice(rewriter, loc, rec.r, d); // [3h, h]
      Value recurrenceBias;
      if (linearBeforeReset && rec.b) {
        Value bd = directionSlice(rewriter, loc, rec.b, d);
        recurrenceBias =
            slice(rewriter, loc, bd, indexAttrs(rewriter, {5 * h}), {h}, {h});
      }
      StringRef f = rec.activation(d, 0), g = rec.activation(d, 1);
      auto update = [&](OpBuilder &b, Location l, Value zPre, Value hidden,
                        Value state) -> Value {
        Value z = rec.activate(b, l, f, zPre);
        Value candidate = rec.activate(b, l, g, hidden);
        Value one = scalarConstant(b, l, rec.element, 1.0);
        // (1 - z) * candidate + z * state
        Value keep = arith::MulFOp::create(b, l, z, state);
        Value fresh = arith::MulFOp::create(
            b, l, arith::SubFOp::create(b, l, one, z), candidate);
        return arith::AddFOp::create(b, l, fresh, keep);
      };
      SmallVector<Value> states = timeLoop(
          rewriter, rec, d, proj, {rec.initialState(rewriter, rec.initialH, d)},
          y, [&](OpBuilder &b, Value gx, ValueRange state) {
            SmallVector<Value> results;
            Value hPrev = state[0];
            if (linearBeforeReset) {
              // gh = hPrev . r^T; h~ = g(xh + r * (gh_h + rbh)).
              auto ghType =
                  RankedTensorType::get({rec.batch, 3 * h}, rec.element);
              Value gh =
                  contractTransposed(b, loc, hPrev, rd, rec.zeros(b, ghType));
              SmallVector<std::pair<Value, int64_t>> inputs = {
                  {gx, 0}, {gx, 1}, {gx, 2},   {gh, 0},
                  {gh, 1}, {gh, 2}, {hPrev, 0}};
              if (recurrenceBias)
                inputs.push_back({recurrenceBias, -1});
              rec.cellGeneric(
                  b, inputs, 1,
                  [&](OpBuilder &bb, Location l, ValueRange a) {
                    Value zPre = arith::AddFOp::create(bb, l, a[0], a[3]);
                    Value rPre = arith::AddFOp::create(bb, l, a[1], a[4]);
                    Value r = rec.activate(bb, l, f, rPre);
                    Value linear = a[5];
                    if (recurrenceBias)
                      linear = arith::AddFOp::create(bb, l, linear, a[7]);
                    Value hidden = arith::AddFOp::create(
                        bb, l, a[2], arith::MulFOp::create(bb, l, r, linear));
                    return SmallVector<Value>{
                        update(bb, l, zPre, hidden, a[6])};
                  },
                  results);
              return results;
            }
            // zr = hPrev . r[0:2h]^T + gx[:, 0:2h]; then
            // h~ = g(gx_h + (r * hPrev) . r[2h:3h]^T).
            Value zrInit = slice(b, loc, gx, indexAttrs(b, {0, 0}),
                                 {rec.batch, 2 * h}, {rec.batch, 2 * h});
            Value rZR = slice(b, loc, rd, indexAttrs(b, {0, 0}), {2 * h, h},
                              {2 * h, h});
            Value zr = contractTransposed(b, loc, hPrev, rZR, zrInit);
            SmallVector<Value> reset;
            rec.cellGeneric(
                b, {{zr, 1}, {hPrev, 0}}, 1,
                [&](OpBuilder &bb, Location l, ValueRange a) {
                  Value r = rec.activate(bb, l, f, a[0]);
                  return SmallVector<Value>{
                      arith::MulFOp::create(bb, l, r, a[1])};
                },
                reset);
            Value hInit = slice(b, loc, gx, indexAttrs(b, {0, 2 * h}),
                                {rec.batch, h}, {rec.batch, h});
            Value rH =
                slice(b, loc, rd, indexAttrs(b, {2 * h, 0}), {h, h}, {h, h});
            Value hidden = contractTransposed(b, loc, reset[0], rH, hInit);
            rec.cellGeneric(
                b, {{zr, 0}, {hidden, 0}, {hPrev, 0}}, 1,
                [&](OpBuilder &bb, Location l, ValueRange a) {
                  return SmallVector<Value>{update(bb, l, a[0], a[1], a[2])};
                },
                results);
            return results;
          });
      last.push_back(states[0]);
    }
    rewriter.replaceOp(op, {y, stackDirections(rewriter, rec, last)});
    return success();
  }
};

struct LSTMLowering : OpRewritePattern<graph::LSTMOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::LSTMOp op,
                                PatternRewriter &rewriter) const override {
    Recurrent rec = describe(op, 4);
    Location loc = rec.loc;
    bool inputForget = op.getInputForget();
    Value y = tensor::EmptyOp::create(
        rewriter, loc, cast<RankedTensorType>(op.getY().getType()).getShape(),
        rec.element);
    SmallVector<Value> lastH, lastC;
    for (int64_t d = 0; d < rec.directions; ++d) {
      Value proj = rec.inputProjection(rewriter, d, rec.width());
      Value rd = directionSlice(rewriter, loc, rec.r, d);
      Value peepholes =
          op.getP() ? directionSlice(rewriter, loc, op.getP(), d) : Value();
      StringRef f = rec.activation(d, 0), g = rec.activation(d, 1),
                hAct = rec.activation(d, 2);
      SmallVector<Value> states = timeLoop(
          rewriter, rec, d, proj,
          {rec.initialState(rewriter, rec.initialH, d),
           rec.initialState(rewriter, op.getInitialC(), d)},
          y, [&](OpBuilder &b, Value gx, ValueRange state) {
            Value gates = contractTransposed(b, loc, state[0], rd, gx);
            // Gate columns: i, o, f, c.
            SmallVector<std::pair<Value, int64_t>> inputs = {
                {gates, 0}, {gates, 1}, {gates, 2}, {gates, 3}, {state[1], 0}};
            if (peepholes) // i, o, f
              inputs.append({{peepholes, 0}, {peepholes, 1}, {peepholes, 2}});
            SmallVector<Value> results;
            rec.cellGeneric(
                b, inputs, 2,
                [&](OpBuilder &bb, Location l, ValueRange a) {
                  Value cPrev = a[4];
                  auto peep = [&](Value pre, int64_t which, Value c) {
                    if (!peepholes)
                      return pre;
                    return Value(arith::AddFOp::create(
                        bb, l, pre,
                        arith::MulFOp::create(bb, l, a[5 + which], c)));
                  };
                  Value i = rec.activate(bb, l, f, peep(a[0], 0, cPrev));
                  Value forget;
                  if (inputForget)
                    forget = arith::SubFOp::create(
                        bb, l, scalarConstant(bb, l, rec.element, 1.0), i);
                  else
                    forget = rec.activate(bb, l, f, peep(a[2], 2, cPrev));
                  Value candidate = rec.activate(bb, l, g, a[3]);
                  Value c = arith::AddFOp::create(
                      bb, l, arith::MulFOp::create(bb, l, forget, cPrev),
                      arith::MulFOp::create(bb, l, i, candidate));
                  Value o = rec.activate(bb, l, f, peep(a[1], 1, c));
                  // As onnxruntime: the cell state is not clipped.
                  Value hNew = arith::MulFOp::create(
                      bb, l, o,
                      rec.activate(bb, l, hAct, c, /*clipped=*/false));
                  return SmallVector<Value>{hNew, c};
                },
                results);
            return results;
          });
      lastH.push_back(states[0]);
      lastC.push_back(states[1]);
    }
    rewriter.replaceOp(op, {y, stackDirections(rewriter, rec, lastH),
                            stackDirections(rewriter, rec, lastC)});
    return success();
  }
};

} // namespace

void strata::lowering::populateRecurrentPatterns(RewritePatternSet &patterns) {
  patterns.add<RNNLowering, GRULowering, LSTMLowering>(patterns.getContext());
}
