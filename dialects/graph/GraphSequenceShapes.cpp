//===- GraphSequenceShapes.cpp - top_k, rnn, gru, lstm: type inference ----===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace strata::graph;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

bool sameSize(int64_t a, int64_t b) { return a == b || a == kDyn || b == kDyn; }

/// What the three recurrent ops share. `gates` is 1 (RNN), 3 (GRU) or 4
/// (LSTM); `activationsPerDirection` 1, 2 or 3.
struct RecurrentOperands {
  Value x, w, r, b, initialH, initialC, p;
  IntegerAttr hiddenSize;
  StringRef direction;
  ArrayAttr activations;
  std::optional<APFloat> clip;
};

LogicalResult inferRecurrent(std::optional<Location> loc,
                             const RecurrentOperands &ops, int64_t gates,
                             size_t activationsPerDirection,
                             unsigned numResults,
                             SmallVectorImpl<Type> &results) {
  auto xt = rankedOf(ops.x), wt = rankedOf(ops.w), rt = rankedOf(ops.r);
  if (!xt || !wt || !rt || xt.getRank() != 3 || wt.getRank() != 3 ||
      rt.getRank() != 3)
    return emitOptionalError(loc, "expects x [seq_length, batch, "
                                  "input_size], w and r of rank 3");
  if (!ops.hiddenSize || ops.hiddenSize.getInt() < 1)
    return emitOptionalError(loc, "'hidden_size' must be positive");
  int64_t hidden = ops.hiddenSize.getInt();
  int64_t directions;
  if (ops.direction == "forward" || ops.direction == "reverse")
    directions = 1;
  else if (ops.direction == "bidirectional")
    directions = 2;
  else
    return emitOptionalError(loc, "direction '", ops.direction,
                             "' is not one of forward, reverse, "
                             "bidirectional");
  Type element = xt.getElementType();
  int64_t seq = xt.getDimSize(0), batch = xt.getDimSize(1),
          inputSize = xt.getDimSize(2);
  auto expectShape = [&](Value value, StringRef name,
                         ArrayRef<int64_t> shape) -> LogicalResult {
    auto t = rankedOf(value);
    bool ok = t && t.getElementType() == element &&
              t.getRank() == static_cast<int64_t>(shape.size());
    for (size_t i = 0; ok && i < shape.size(); ++i)
      ok = sameSize(t.getDimSize(i), shape[i]);
    if (ok)
      return success();
    return emitOptionalError(loc, "'", name, "' must be ", formatShape(shape),
                             " of ", element, ", got ",
                             t ? formatShape(t.getShape()) : std::string("?"),
                             t ? " of " : "", t ? t.getElementType() : Type());
  };
  if (failed(
          expectShape(ops.w, "w", {directions, gates * hidden, inputSize})) ||
      failed(expectShape(ops.r, "r", {directions, gates * hidden, hidden})) ||
      (ops.b &&
       failed(expectShape(ops.b, "b", {directions, 2 * gates * hidden}))) ||
      (ops.initialH && failed(expectShape(ops.initialH, "initial_h",
                                          {directions, batch, hidden}))) ||
      (ops.initialC && failed(expectShape(ops.initialC, "initial_c",
                                          {directions, batch, hidden}))) ||
      (ops.p && failed(expectShape(ops.p, "p", {directions, 3 * hidden}))))
    return failure();
  if (!ops.activations ||
      ops.activations.size() != activationsPerDirection * directions)
    return emitOptionalError(
        loc, "'activations' must name ", activationsPerDirection * directions,
        " functions (", activationsPerDirection, " per direction)");
  for (Attribute a : ops.activations) {
    auto name = dyn_cast<StringAttr>(a);
    if (!name ||
        !llvm::is_contained(ArrayRef<StringRef>{"Sigmoid", "Tanh", "Relu"},
                            name.getValue()))
      return emitOptionalError(loc, "activation ", a,
                               " is not one of Sigmoid, Tanh, Relu");
  }
  if (ops.clip && !(ops.clip->convertToDouble() > 0))
    return emitOptionalError(loc, "'clip' must be positive");
  results.push_back(
      RankedTensorType::get({seq, directions, batch, hidden}, element));
  for (unsigned i = 1; i < numResults; ++i)
    results.push_back(
        RankedTensorType::get({directions, batch, hidden}, element));
  return success();
}

template <typename Adaptor> RecurrentOperands commonOperands(Adaptor &adaptor) {
  RecurrentOperands ops;
  ops.x = adaptor.getX();
  ops.w = adaptor.getW();
  ops.r = adaptor.getR();
  ops.b = adaptor.getB();
  ops.initialH = adaptor.getInitialH();
  ops.hiddenSize = adaptor.getHiddenSizeAttr();
  ops.direction = adaptor.getDirection();
  ops.activations = adaptor.getActivationsAttr();
  if (FloatAttr clip = adaptor.getClipAttr())
    ops.clip = clip.getValue();
  return ops;
}

} // namespace

LogicalResult TopKOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput());
  if (!it || it.getRank() < 1 || !adaptor.getKAttr() || !adaptor.getAxisAttr())
    return emitOptionalError(loc, "expects an input of rank 1 or more, 'k' "
                                  "and 'axis'");
  int64_t axis = adaptor.getAxis(), k = adaptor.getK();
  if (axis < 0 || axis >= it.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range [0, ",
                             it.getRank(), ")");
  int64_t size = it.getDimSize(axis);
  if (k < 1 || (size != kDyn && k > size))
    return emitOptionalError(loc, "k = ", k, " must be in [1, ", size,
                             "], the size of axis ", axis);
  SmallVector<int64_t> shape(it.getShape());
  shape[axis] = k;
  results.push_back(RankedTensorType::get(shape, it.getElementType()));
  results.push_back(
      RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}

LogicalResult RNNOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  return inferRecurrent(loc, commonOperands(adaptor), 1, 1, 2, results);
}

LogicalResult GRUOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  return inferRecurrent(loc, commonOperands(adaptor), 3, 2, 2, results);
}

LogicalResult LSTMOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  RecurrentOperands ops = commonOperands(adaptor);
  ops.initialC = adaptor.getInitialC();
  ops.p = adaptor.getP();
  return inferRecurrent(loc, ops, 4, 3, 3, results);
}
