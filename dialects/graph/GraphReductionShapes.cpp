//===- GraphReductionShapes.cpp - reductions, scans, einsum: inference ----===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace strata::graph;

namespace {

/// The shape left by reducing `axes` (sorted, unique, in range) of `shape`.
SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> axes, bool keepdims) {
  SmallVector<int64_t> out;
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(d)))
      out.push_back(size);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

LogicalResult inferReduce(std::optional<Location> loc, Value input,
                          DenseI64ArrayAttr axesAttr, bool keepdims,
                          SmallVectorImpl<Type> &results) {
  auto type = rankedOf(input);
  if (!type || !axesAttr)
    return emitOptionalError(loc, "expects a ranked input and 'axes'");
  ArrayRef<int64_t> axes = axesAttr.asArrayRef();
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= type.getRank() || (i > 0 && axis <= axes[i - 1]))
      return emitOptionalError(loc, "axes ", formatShape(axes),
                               " must be increasing and in [0, ",
                               type.getRank(), ")");
  }
  results.push_back(RankedTensorType::get(
      reducedShape(type.getShape(), axes, keepdims), type.getElementType()));
  return success();
}

} // namespace

#define STRATA_REDUCE_INFER(OP)                                                \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> l, \
                                     Adaptor a, SmallVectorImpl<Type> &r) {    \
    return inferReduce(l, a.getInput(), a.getAxesAttr(), a.getKeepdims(), r);  \
  }
STRATA_REDUCE_INFER(ReduceSumOp)
STRATA_REDUCE_INFER(ReduceMeanOp)
STRATA_REDUCE_INFER(ReduceMaxOp)
STRATA_REDUCE_INFER(ReduceMinOp)
STRATA_REDUCE_INFER(ReduceProdOp)
STRATA_REDUCE_INFER(ReduceL1Op)
STRATA_REDUCE_INFER(ReduceSumSquareOp)
STRATA_REDUCE_INFER(ReduceL2Op)
STRATA_REDUCE_INFER(ReduceLogSumOp)
STRATA_REDUCE_INFER(ReduceLogSumExpOp)
#undef STRATA_REDUCE_INFER

static LogicalResult inferArgReduce(std::optional<Location> loc, Value input,
                                    IntegerAttr axisAttr, bool keepdims,
                                    SmallVectorImpl<Type> &results) {
  auto type = rankedOf(input);
  if (!type || !axisAttr)
    return emitOptionalError(loc, "expects a ranked input and an 'axis'");
  int64_t axis = axisAttr.getInt();
  if (failed(checkAxis(loc, axis, type.getRank())))
    return failure();
  results.push_back(
      RankedTensorType::get(reducedShape(type.getShape(), {axis}, keepdims),
                            IntegerType::get(input.getContext(), 64)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferArgReduce(loc, adaptor.getInput(), adaptor.getAxisAttr(),
                        adaptor.getKeepdims(), results);
}

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferArgReduce(loc, adaptor.getInput(), adaptor.getAxisAttr(),
                        adaptor.getKeepdims(), results);
}

template <typename Adaptor>
static LogicalResult inferCumulative(std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &results) {
  auto type = rankedOf(adaptor.getInput());
  if (!type || !adaptor.getAxisAttr())
    return emitOptionalError(loc, "expects a ranked input and an 'axis'");
  if (failed(checkAxis(loc, adaptor.getAxis(), type.getRank())))
    return failure();
  results.push_back(type);
  return success();
}

LogicalResult CumSumOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferCumulative(loc, adaptor, results);
}

LogicalResult CumProdOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferCumulative(loc, adaptor, results);
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty() || inputs.size() > 2 || !adaptor.getEquationAttr())
    return emitOptionalError(loc, "expects one or two operands and an "
                                  "'equation'");
  StringRef equation = adaptor.getEquation();
  auto [lhs, output] = equation.split("->");
  if (lhs.size() == equation.size())
    return emitOptionalError(loc, "equation '", equation,
                             "' must be explicit ('...->...')");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != inputs.size())
    return emitOptionalError(loc, "equation '", equation, "' has ",
                             terms.size(), " operand terms for ", inputs.size(),
                             " operands");
  // Each letter's extent: equal in every use, or 1 where it broadcasts.
  llvm::SmallDenseMap<char, int64_t> extent;
  Type element;
  for (auto [term, input] : llvm::zip(terms, inputs)) {
    auto type = rankedOf(input);
    if (!type)
      return emitOptionalError(loc, "expects ranked operands");
    if (element && element != type.getElementType())
      return emitOptionalError(loc, "operand element types differ");
    element = type.getElementType();
    if (static_cast<int64_t>(term.size()) != type.getRank())
      return emitOptionalError(loc, "term '", term, "' of equation '", equation,
                               "' does not match rank ", type.getRank());
    for (auto [c, size] : llvm::zip(term, type.getShape())) {
      if (!llvm::isAlpha(c))
        return emitOptionalError(loc, "equation '", equation,
                                 "' may only use letters, got '", c, "'");
      auto [it, inserted] = extent.try_emplace(c, size);
      if (inserted || size == it->second || size == 1)
        continue;
      if (it->second != 1)
        return emitOptionalError(loc, "letter '", c, "' of equation '",
                                 equation, "' has sizes ", it->second, " and ",
                                 size);
      it->second = size;
    }
  }
  SmallVector<int64_t> shape;
  for (auto [i, c] : llvm::enumerate(output)) {
    if (!extent.count(c) || output.find(c, i + 1) != StringRef::npos)
      return emitOptionalError(loc, "output letter '", c, "' of equation '",
                               equation,
                               "' must appear in an operand, once in the "
                               "output");
    shape.push_back(extent[c]);
  }
  results.push_back(RankedTensorType::get(shape, element));
  return success();
}
