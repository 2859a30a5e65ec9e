//===- OnnxReduceOps.cpp - Reduce*, ArgMax/ArgMin, CumSum/Prod, Einsum ----===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace strata::onnx_import {

/// Normalizes (negative from the back), sorts and deduplicates `axes` of a
/// rank-`rank` tensor; reports the first one out of range.
static FailureOr<SmallVector<int64_t>>
normalizeAxes(NodeContext &ctx, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    std::optional<int64_t> normalized = normalizeAxis(ctx, axis, rank);
    if (!normalized)
      return failure();
    result.push_back(*normalized);
  }
  llvm::sort(result);
  result.erase(llvm::unique(result), result.end());
  return result;
}

LogicalResult importReduce(NodeContext &ctx) {
  StringRef opType = ctx.node.op_type();
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects a 'data' input";
  StringRef opName = llvm::StringSwitch<StringRef>(opType)
                         .Case("ReduceSum", "graph.reduce_sum")
                         .Case("ReduceMean", "graph.reduce_mean")
                         .Case("ReduceMax", "graph.reduce_max")
                         .Case("ReduceMin", "graph.reduce_min")
                         .Case("ReduceProd", "graph.reduce_prod")
                         .Case("ReduceL1", "graph.reduce_l1")
                         .Case("ReduceL2", "graph.reduce_l2")
                         .Case("ReduceLogSum", "graph.reduce_log_sum")
                         .Case("ReduceLogSumExp", "graph.reduce_log_sum_exp")
                         .Default("graph.reduce_sum_square");
  // `axes` became an input in opset 13 for ReduceSum, 18 for the others.
  bool axesInput = ctx.opset >= (opType == "ReduceSum" ? 13 : 18);
  std::optional<SmallVector<int64_t>> axes;
  if (axesInput && ctx.hasInput(1)) {
    axes = constantInts(ctx, 1, "axes");
    if (!axes)
      return failure();
  } else if (!axesInput) {
    axes = ctx.attrs.getInts("axes");
  }
  bool keepdims = ctx.attrs.getInt("keepdims", 1) != 0;
  bool noop = axesInput && ctx.attrs.getInt("noop_with_empty_axes", 0) != 0;
  if (ctx.attrs.failed())
    return failure();
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  // No axes: reduce all of them, unless noop_with_empty_axes.
  SmallVector<int64_t> all;
  if ((!axes || axes->empty()) && !noop)
    all = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(
      ctx, axes && !axes->empty() ? ArrayRef<int64_t>(*axes) : all,
      type.getRank());
  if (failed(normalized))
    return failure();
  Builder b(ctx.getContext());
  // Bool max/min (any/all) reduce the 0/1 bytes and convert back.
  Value data = ctx.input(0);
  bool boolean = type.getElementType().isInteger(1) &&
                 (opType == "ReduceMax" || opType == "ReduceMin");
  auto castTo = [&](Value value, Type element) -> Value {
    return value ? ctx.create("graph.cast", {value},
                              {b.getNamedAttr("to", TypeAttr::get(element))})
                 : nullptr;
  };
  if (boolean)
    data = castTo(data, IntegerType::get(ctx.getContext(), 8,
                                         IntegerType::Unsigned));
  Value result =
      data ? ctx.create(opName, {data},
                        {b.getNamedAttr("axes",
                                        b.getDenseI64ArrayAttr(*normalized)),
                         b.getNamedAttr("keepdims", b.getBoolAttr(keepdims))})
           : nullptr;
  if (boolean)
    result = castTo(result, b.getI1Type());
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importArgReduce(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects a 'data' input";
  int64_t axis = ctx.attrs.getInt("axis", 0);
  bool keepdims = ctx.attrs.getInt("keepdims", 1) != 0;
  bool last = ctx.attrs.getInt("select_last_index", 0) != 0;
  if (ctx.attrs.failed())
    return failure();
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  std::optional<int64_t> normalized = normalizeAxis(ctx, axis, type.getRank());
  if (!normalized)
    return failure();
  Builder b(ctx.getContext());
  Value result = ctx.create(
      ctx.node.op_type() == "ArgMax" ? "graph.arg_max" : "graph.arg_min",
      {ctx.input(0)},
      {b.getNamedAttr("axis", b.getI64IntegerAttr(*normalized)),
       b.getNamedAttr("keepdims", b.getBoolAttr(keepdims)),
       b.getNamedAttr("select_last_index", b.getBoolAttr(last))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// CumSum / CumProd whose axis is known only at run time: the scan along
/// every axis, then the one the axis names selected with graph.where. It
/// costs rank times the work, for a case that exported models rarely have.
static LogicalResult importCumulativeWithRuntimeAxis(NodeContext &ctx,
                                                     StringRef opName,
                                                     bool exclusive,
                                                     bool reverse) {
  RankedTensorType type = ctx.inputType(0), axisType = ctx.inputType(1);
  if (!type || type.getRank() == 0)
    return ctx.emitError() << "expects an input of rank 1 or more";
  if (!axisType || axisType.getNumElements() != 1 ||
      !axisType.getElementType().isSignlessInteger())
    return ctx.emitError() << "input 'axis' must be an integer scalar";
  Builder b(ctx.getContext());
  int64_t rank = type.getRank();
  auto axisConstant = [&](int64_t value) {
    auto constantType = RankedTensorType::get({}, axisType.getElementType());
    return ctx.create(
        "graph.constant", {},
        {b.getNamedAttr("value",
                        DenseElementsAttr::get(
                            constantType,
                            b.getIntegerAttr(axisType.getElementType(), value)
                                .getValue()))});
  };
  Value result;
  for (int64_t d = rank - 1; d >= 0; --d) {
    Value scan = ctx.create(
        opName, {ctx.input(0)},
        {b.getNamedAttr("axis", b.getI64IntegerAttr(d)),
         b.getNamedAttr("exclusive", b.getBoolAttr(exclusive)),
         b.getNamedAttr("reverse", b.getBoolAttr(reverse))});
    if (!scan)
      return failure();
    if (!result) { // the last axis: also what an out-of-range axis gets
      result = scan;
      continue;
    }
    // axis == d or axis == d - rank (counted from the back).
    Value isD = ctx.create("graph.equal", {ctx.input(1), axisConstant(d)});
    Value isNeg =
        ctx.create("graph.equal", {ctx.input(1), axisConstant(d - rank)});
    Value pick = isD && isNeg ? ctx.create("graph.or", {isD, isNeg}) : nullptr;
    result = pick ? ctx.create("graph.where", {pick, scan, result}) : nullptr;
    if (!result)
      return failure();
  }
  ctx.setOutput(0, result);
  return success();
}

LogicalResult importCumSum(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects inputs 'x' and 'axis'";
  if (ctx.hasInput(1) && !ctx.constantValue(1)) {
    bool exclusive = ctx.attrs.getInt("exclusive", 0) != 0;
    bool reverse = ctx.attrs.getInt("reverse", 0) != 0;
    if (ctx.attrs.failed())
      return failure();
    return importCumulativeWithRuntimeAxis(
        ctx, ctx.node.op_type() == "CumProd" ? "graph.cumprod" : "graph.cumsum",
        exclusive, reverse);
  }
  std::optional<SmallVector<int64_t>> axis = constantInts(ctx, 1, "axis");
  if (!axis)
    return failure();
  if (axis->size() != 1)
    return ctx.emitError() << "input 'axis' must be a scalar";
  bool exclusive = ctx.attrs.getInt("exclusive", 0) != 0;
  bool reverse = ctx.attrs.getInt("reverse", 0) != 0;
  if (ctx.attrs.failed())
    return failure();
  RankedTensorType type = ctx.inputType(0);
  if (!type)
    return failure();
  std::optional<int64_t> normalized =
      normalizeAxis(ctx, axis->front(), type.getRank());
  if (!normalized)
    return failure();
  Builder b(ctx.getContext());
  Value result =
      ctx.create(ctx.node.op_type() == "CumProd" ? "graph.cumprod"
                                                 : "graph.cumsum",
                 {ctx.input(0)},
                 {b.getNamedAttr("axis", b.getI64IntegerAttr(*normalized)),
                  b.getNamedAttr("exclusive", b.getBoolAttr(exclusive)),
                  b.getNamedAttr("reverse", b.getBoolAttr(reverse))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// ONNX's einsum equation made explicit, with `...` spelled out in letters
/// the equation does not use (right-aligned across operands, as numpy
/// broadcasts them). Errors are reported.
static FailureOr<std::string>
explicitEquation(NodeContext &ctx, StringRef equation,
                 ArrayRef<RankedTensorType> types) {
  std::string text;
  for (char c : equation)
    if (c != ' ')
      text.push_back(c);
  auto [lhs, rhs] = StringRef(text).split("->");
  bool implicit = lhs.size() == text.size();
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != types.size())
    return ctx.emitError() << "equation '" << equation << "' has "
                           << terms.size() << " operand terms for "
                           << types.size() << " inputs";
  std::string unused;
  for (char c = 'a'; c <= 'z'; ++c)
    if (!StringRef(text).contains(c))
      unused.push_back(c);
  for (char c = 'A'; c <= 'Z'; ++c)
    if (!StringRef(text).contains(c))
      unused.push_back(c);
  // How many dims each term's ellipsis covers; the widest is spelled with
  // the first `ellipsisRank` unused letters.
  size_t ellipsisRank = 0;
  SmallVector<int64_t> covered;
  for (auto [term, type] : llvm::zip(terms, types)) {
    size_t letters = term.size();
    int64_t dims = -1;
    if (term.contains("...")) {
      letters -= 3;
      dims = type.getRank() - static_cast<int64_t>(letters);
      if (dims < 0 || StringRef(term).split("...").second.contains("..."))
        return ctx.emitError()
               << "term '" << term << "' of equation '" << equation
               << "' does not fit rank " << type.getRank();
      ellipsisRank = std::max<size_t>(ellipsisRank, dims);
    }
    covered.push_back(dims);
  }
  if (ellipsisRank > unused.size())
    return ctx.emitError() << "equation '" << equation << "' needs too many "
                           << "letters";
  StringRef ellipsis = StringRef(unused).take_front(ellipsisRank);
  std::string result;
  for (auto [i, term] : llvm::enumerate(terms)) {
    if (i)
      result.push_back(',');
    if (covered[i] < 0) {
      result += term.str();
      continue;
    }
    auto [before, after] = term.split("...");
    result += (before + ellipsis.take_back(covered[i]) + after).str();
  }
  result += "->";
  if (!implicit) {
    auto [before, after] = rhs.split("...");
    result +=
        rhs.contains("...") ? (before + ellipsis + after).str() : rhs.str();
    return result;
  }
  // Implicit output: the ellipsis dims, then the letters used once, sorted.
  result += ellipsis.str();
  std::string once;
  for (char c : lhs)
    if (llvm::isAlpha(c) && llvm::count(lhs, c) == 1)
      once.push_back(c);
  llvm::sort(once);
  return result + once;
}

LogicalResult importEinsum(NodeContext &ctx) {
  int count = ctx.node.input_size();
  if (count < 1 || count > 2)
    return ctx.emitError() << "Einsum with " << count
                           << " operands is not supported (1 or 2)";
  std::string equation = ctx.attrs.getString("equation", "");
  if (ctx.attrs.failed())
    return failure();
  if (equation.empty())
    return ctx.emitError() << "attribute 'equation' is required";
  SmallVector<Value> inputs;
  SmallVector<RankedTensorType> types;
  for (int i = 0; i < count; ++i) {
    inputs.push_back(ctx.input(i));
    types.push_back(ctx.inputType(i));
    if (!inputs.back() || !types.back())
      return ctx.emitError() << "input " << i << " must be a ranked tensor";
  }
  FailureOr<std::string> expanded = explicitEquation(ctx, equation, types);
  if (failed(expanded))
    return failure();
  Builder b(ctx.getContext());
  Value result =
      ctx.create("graph.einsum", inputs,
                 {b.getNamedAttr("equation", b.getStringAttr(*expanded))});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
