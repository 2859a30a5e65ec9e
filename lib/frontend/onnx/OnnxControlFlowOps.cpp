//===- OnnxControlFlowOps.cpp - Scan, Loop and If, by inlining -----------===//
//
// strata's graphs are static. A Scan runs its body a number of times that
// its inputs' static shapes fix, a Loop one that its (constant) trip count
// fixes: the importer unrolls them. Each iteration imports the body's nodes
// again, in a child scope where the body inputs name the loop-carried values
// and this iteration's slices of the scan inputs; per-iteration outputs are
// stacked with graph.concat. An If with a constant condition inlines one
// branch; otherwise both run and graph.where selects.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace strata::onnx_import {
namespace {

/// Above this many iterations, unrolling would make compile time and code
/// size unreasonable; such a Scan is reported instead.
constexpr int64_t kMaxUnrolledIterations = 4096;

/// `type`'s shape without dimension `axis`.
SmallVector<int64_t> dropDim(RankedTensorType type, int64_t axis) {
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  return shape;
}

/// The body's attribute `name` as a list of `count` axes or directions
/// (default 0 each).
std::optional<SmallVector<int64_t>> listAttr(NodeContext &ctx, StringRef name,
                                             size_t count) {
  std::optional<SmallVector<int64_t>> values = ctx.attrs.getInts(name);
  if (!values)
    return SmallVector<int64_t>(count, 0);
  if (values->size() != count) {
    ctx.emitError() << "attribute '" << name << "' has " << values->size()
                    << " values, expected " << count;
    return std::nullopt;
  }
  return values;
}

/// Iteration `t`'s slice of scan input `input` along `axis`, without that
/// axis.
Value sliceAt(NodeContext &ctx, Value input, int64_t axis, int64_t t) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape());
  starts[axis] = t;
  sizes[axis] = 1;
  Composer c(ctx);
  return c.reshape(c.slice(input, starts, sizes), dropDim(type, axis));
}

/// The same-typed `pieces` stacked along a new dimension `axis` (negative:
/// from the back of the result); null after an error.
Value stack(NodeContext &ctx, ArrayRef<Value> pieces, int64_t axis) {
  auto type = cast<RankedTensorType>(pieces.front().getType());
  std::optional<int64_t> at = normalizeAxis(ctx, axis, type.getRank() + 1);
  if (!at)
    return nullptr;
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + *at, 1);
  Builder b(ctx.getContext());
  SmallVector<Value> reshaped;
  for (Value value : pieces) {
    if (value.getType() != type) {
      ctx.emitError() << "iterations produce different types: " << type
                      << " and " << value.getType();
      return nullptr;
    }
    reshaped.push_back(ctx.create(
        "graph.reshape", {value},
        {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))}));
    if (!reshaped.back())
      return nullptr;
  }
  if (reshaped.size() == 1)
    return reshaped.front();
  return ctx.create("graph.concat", reshaped,
                    {b.getNamedAttr("axis", b.getI64IntegerAttr(*at))});
}

/// The graph attribute `name`, or null after reporting that it is missing.
const onnx::GraphProto *graphAttr(NodeContext &ctx, StringRef name) {
  const onnx::AttributeProto *attr = ctx.attrs.find(name);
  if (attr && attr->has_g())
    return &attr->g();
  ctx.emitError() << "attribute '" << name << "' (a graph) is required";
  return nullptr;
}

/// The boolean value of a constant scalar, if `value` is one.
std::optional<bool> constantBool(Value value) {
  DenseElementsAttr constant;
  if (!value || !matchPattern(value, m_Constant(&constant)) ||
      constant.getNumElements() != 1 ||
      !constant.getElementType().isInteger(1))
    return std::nullopt;
  return *constant.getValues<bool>().begin();
}

} // namespace

FailureOr<SmallVector<Value>> inlineSubgraph(NodeContext &ctx,
                                             const onnx::GraphProto &graph,
                                             ValueRange inputs) {
  if (graph.input_size() != static_cast<int>(inputs.size()))
    return ctx.emitError() << "the subgraph '" << graph.name() << "' takes "
                           << graph.input_size() << " inputs, "
                           << inputs.size() << " given";
  onnx::GraphProto body = graph; // importing may rewrite nodes
  GraphState scope(ctx.graphState());
  for (const onnx::NodeProto &node : body.node())
    for (const std::string &name : node.input())
      scope.usedNames.insert(name);
  for (const onnx::ValueInfoProto &output : body.output())
    scope.usedNames.insert(output.name());
  // A constant input stays a constant inside (a Loop's iteration number
  // feeds Slice starts, say), so that the body's shapes can fold.
  for (auto [input, value] : llvm::zip(body.input(), inputs)) {
    DenseElementsAttr constant;
    if (value && matchPattern(value, m_Constant(&constant)))
      scope.addConstant(input.name(), ctx.loc).value = constant;
    else
      scope.values[input.name()] = value;
  }
  for (onnx::TensorProto &init : *body.mutable_initializer())
    scope.addConstant(init.name(), ctx.loc).proto = &init;
  for (auto [index, node] : llvm::enumerate(*body.mutable_node()))
    if (failed(scope.importNode(scope, node, index)))
      return failure();
  SmallVector<Value> outputs;
  for (const onnx::ValueInfoProto &output : body.output()) {
    Value value = scope.getValue(output.name(), ctx.loc);
    if (!value)
      return ctx.emitError() << "the subgraph '" << graph.name()
                             << "' does not define its output '"
                             << output.name() << "'";
    outputs.push_back(value);
  }
  return outputs;
}

LogicalResult importScan(NodeContext &ctx) {
  if (ctx.opset < 9)
    return ctx.emitError() << "Scan before opset 9 (with a batch axis and "
                           << "'sequence_lens') is not supported";
  const onnx::AttributeProto *bodyAttr = ctx.attrs.find("body");
  if (!bodyAttr || !bodyAttr->has_g())
    return ctx.emitError() << "attribute 'body' (a graph) is required";
  const onnx::GraphProto &body = bodyAttr->g();
  int64_t numScanInputs = ctx.attrs.getInt("num_scan_inputs", -1);
  int64_t numInputs = ctx.node.input_size();
  int64_t numStates = numInputs - numScanInputs;
  if (ctx.attrs.failed())
    return failure();
  if (numScanInputs < 1 || numStates < 0)
    return ctx.emitError() << "attribute 'num_scan_inputs' = "
                           << numScanInputs << " does not fit the "
                           << numInputs << " inputs";
  if (body.input_size() != numInputs)
    return ctx.emitError() << "the body takes " << body.input_size()
                           << " inputs, the node gives " << numInputs;
  int64_t numScanOutputs = body.output_size() - numStates;
  if (numScanOutputs < 0 || ctx.node.output_size() > body.output_size())
    return ctx.emitError() << "the body has " << body.output_size()
                           << " outputs, fewer than the node's states and "
                           << "outputs";
  auto inAxes = listAttr(ctx, "scan_input_axes", numScanInputs);
  auto inDirections = listAttr(ctx, "scan_input_directions", numScanInputs);
  auto outAxes = listAttr(ctx, "scan_output_axes", numScanOutputs);
  auto outDirections =
      listAttr(ctx, "scan_output_directions", numScanOutputs);
  if (!inAxes || !inDirections || !outAxes || !outDirections)
    return failure();

  // The scan inputs, their axes and the common sequence length.
  SmallVector<Value> scanInputs;
  int64_t length = -1;
  for (int64_t i = 0; i < numScanInputs; ++i) {
    RankedTensorType type = ctx.inputType(numStates + i);
    if (!type || !type.hasStaticShape())
      return ctx.emitError() << "scan input #" << i
                             << " must have a static shape";
    std::optional<int64_t> axis =
        normalizeAxis(ctx, (*inAxes)[i], type.getRank());
    if (!axis)
      return failure();
    (*inAxes)[i] = *axis;
    int64_t size = type.getDimSize(*axis);
    if (length >= 0 && size != length)
      return ctx.emitError() << "scan inputs have different lengths ("
                             << length << " and " << size << ")";
    length = size;
    scanInputs.push_back(ctx.input(numStates + i));
  }
  if (length == 0)
    return ctx.emitError() << "a Scan of zero iterations is not supported";
  if (length > kMaxUnrolledIterations)
    return ctx.emitError() << "a Scan of " << length << " iterations is "
                           << "more than the " << kMaxUnrolledIterations
                           << " that strata unrolls";

  SmallVector<Value> states;
  for (int64_t j = 0; j < numStates; ++j) {
    if (!(states.emplace_back(ctx.input(j))))
      return ctx.emitError() << "state #" << j << " is missing";
  }
  SmallVector<SmallVector<Value>> perIteration(numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> bodyInputs(states);
    for (int64_t i = 0; i < numScanInputs; ++i) {
      int64_t at = (*inDirections)[i] ? length - 1 - t : t;
      Value slice = sliceAt(ctx, scanInputs[i], (*inAxes)[i], at);
      if (!slice)
        return failure();
      bodyInputs.push_back(slice);
    }
    FailureOr<SmallVector<Value>> outputs =
        inlineSubgraph(ctx, body, bodyInputs);
    if (failed(outputs))
      return failure();
    for (auto [k, value] : llvm::enumerate(*outputs)) {
      if (static_cast<int64_t>(k) < numStates)
        states[k] = value;
      else
        perIteration[k - numStates].push_back(value);
    }
  }

  for (int64_t j = 0; j < numStates; ++j)
    ctx.setOutput(j, states[j]);
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    if (!ctx.hasOutput(numStates + k))
      continue;
    if ((*outDirections)[k])
      std::reverse(perIteration[k].begin(), perIteration[k].end());
    Value stacked = stack(ctx, perIteration[k], (*outAxes)[k]);
    if (!stacked)
      return failure();
    ctx.setOutput(numStates + k, stacked);
  }
  return success();
}

namespace {

/// One branch of a run-time If, imported with its errors held back.
struct BranchImport {
  const char *name;
  FailureOr<SmallVector<Value>> outputs = failure();
  SmallVector<std::pair<Location, std::string>> errors;
};

BranchImport importBranch(NodeContext &ctx, const onnx::GraphProto &graph,
                          const char *name) {
  BranchImport branch;
  branch.name = name;
  ScopedDiagnosticHandler hold(ctx.getContext(), [&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return failure(); // warnings and remarks go on as usual
    branch.errors.emplace_back(diag.getLocation(), diag.str());
    return success();
  });
  branch.outputs = inlineSubgraph(ctx, graph, {});
  return branch;
}

} // namespace

LogicalResult importIf(NodeContext &ctx) {
  const onnx::GraphProto *thenGraph = graphAttr(ctx, "then_branch");
  const onnx::GraphProto *elseGraph = graphAttr(ctx, "else_branch");
  RankedTensorType condType = ctx.inputType(0);
  if (!thenGraph || !elseGraph)
    return failure();
  if (!condType || condType.getNumElements() != 1 ||
      !condType.getElementType().isInteger(1))
    return ctx.emitError() << "input 'cond' must be one bool";
  Value cond = ctx.input(0);
  if (std::optional<bool> known = constantBool(cond)) {
    FailureOr<SmallVector<Value>> outputs =
        inlineSubgraph(ctx, *known ? *thenGraph : *elseGraph, {});
    if (failed(outputs))
      return failure();
    for (auto [i, value] : llvm::enumerate(*outputs))
      ctx.setOutput(i, value);
    return success();
  }
  // A condition known only at run time: both branches run (they have no
  // side effects) and each output selects. A branch may not import at all
  // for the shapes at hand (an exporter's branch for another input size):
  // that is one error at the If, which says how to pick the other branch.
  BranchImport thenBranch = importBranch(ctx, *thenGraph, "then");
  BranchImport elseBranch = importBranch(ctx, *elseGraph, "else");
  if (failed(thenBranch.outputs) || failed(elseBranch.outputs)) {
    bool both = failed(thenBranch.outputs) && failed(elseBranch.outputs);
    InFlightDiagnostic diag = ctx.emitError();
    diag << "the condition is known only at run time, so both branches are "
         << "compiled, and "
         << (both                          ? "neither branch compiles"
             : failed(thenBranch.outputs) ? "the then branch does not compile"
                                          : "the else branch does not compile")
         << " for these input shapes (see the notes); make the condition a "
         << "constant to compile one branch";
    ctx.describePinning(diag, 0);
    for (BranchImport *branch : {&thenBranch, &elseBranch})
      for (auto &[loc, message] : branch->errors)
        diag.attachNote(loc) << branch->name << " branch: " << message;
    return diag;
  }
  SmallVector<Value> &thenOutputs = *thenBranch.outputs;
  SmallVector<Value> &elseOutputs = *elseBranch.outputs;
  if (thenOutputs.size() != elseOutputs.size())
    return ctx.emitError() << "the branches have " << thenOutputs.size()
                           << " and " << elseOutputs.size() << " outputs";
  for (auto [i, pair] : llvm::enumerate(llvm::zip(thenOutputs, elseOutputs))) {
    auto [a, b] = pair;
    if (a.getType() != b.getType()) {
      InFlightDiagnostic diag =
          ctx.emitError() << "output #" << i << " is " << a.getType()
                          << " in the then branch and " << b.getType()
                          << " in the else branch; with a condition known "
                          << "only at run time both must have one type";
      ctx.describePinning(diag, 0);
      return diag;
    }
    Value selected = ctx.create("graph.where", {cond, a, b});
    if (!selected)
      return failure();
    ctx.setOutput(i, selected);
  }
  return success();
}

LogicalResult importLoop(NodeContext &ctx) {
  const onnx::GraphProto *body = graphAttr(ctx, "body");
  if (!body)
    return failure();
  int64_t numCarried = ctx.node.input_size() - 2;
  if (numCarried < 0)
    return ctx.emitError() << "expects inputs M, cond and the loop-carried "
                           << "values";
  if (body->input_size() != numCarried + 2 ||
      body->output_size() < numCarried + 1)
    return ctx.emitError() << "the body takes " << body->input_size()
                           << " inputs and gives " << body->output_size()
                           << " outputs; the node carries " << numCarried
                           << " values";
  // The trip count must be known: it fixes the unrolling. (Without M, a
  // Loop runs until its condition turns false, which must then be known at
  // each iteration.)
  int64_t tripCount = kMaxUnrolledIterations + 1;
  if (ctx.hasInput(0)) {
    FailureOr<ElementsAttr> m = ctx.constantInput(0, "M");
    if (failed(m))
      return failure();
    tripCount = (*m->getValues<APInt>().begin()).getSExtValue();
  }
  MLIRContext *context = ctx.getContext();
  auto boolType = RankedTensorType::get({}, IntegerType::get(context, 1));
  auto indexType = RankedTensorType::get({}, IntegerType::get(context, 64));
  auto constant = [&](DenseElementsAttr value) {
    return ctx.create("graph.constant", {},
                      {NamedAttribute(StringAttr::get(context, "value"),
                                      value)});
  };
  // The first condition must be known too (a graph input can be pinned).
  if (ctx.hasInput(1) && !ctx.constantValue(1) &&
      failed(ctx.constantInput(1, "cond")))
    return failure();
  Value cond = ctx.hasInput(1) ? ctx.input(1)
                               : constant(DenseElementsAttr::get(boolType, true));
  SmallVector<Value> carried;
  for (int64_t j = 0; j < numCarried; ++j)
    carried.push_back(ctx.input(2 + j));
  int64_t numScanOutputs = body->output_size() - 1 - numCarried;
  SmallVector<SmallVector<Value>> perIteration(numScanOutputs);
  for (int64_t i = 0;; ++i) {
    std::optional<bool> running = constantBool(cond);
    if (!running)
      return ctx.emitError() << "the loop condition is known only at run "
                             << "time (iteration " << i << "); strata "
                             << "unrolls loops, so it must fold to a constant";
    if (!*running || i == tripCount)
      break;
    if (i == kMaxUnrolledIterations)
      return ctx.emitError() << "a Loop of more than "
                             << kMaxUnrolledIterations
                             << " iterations is not unrolled";
    SmallVector<Value> inputs = {
        constant(DenseElementsAttr::get(indexType, APInt(64, i))), cond};
    inputs.append(carried);
    FailureOr<SmallVector<Value>> outputs = inlineSubgraph(ctx, *body, inputs);
    if (failed(outputs))
      return failure();
    cond = (*outputs)[0];
    for (int64_t j = 0; j < numCarried; ++j)
      carried[j] = (*outputs)[1 + j];
    for (int64_t k = 0; k < numScanOutputs; ++k)
      perIteration[k].push_back((*outputs)[1 + numCarried + k]);
  }
  for (int64_t j = 0; j < numCarried; ++j)
    ctx.setOutput(j, carried[j]);
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    if (!ctx.hasOutput(numCarried + k))
      continue;
    if (perIteration[k].empty())
      return ctx.emitError() << "scan output #" << k << " of a Loop that "
                             << "runs zero times is not supported";
    Value stacked = stack(ctx, perIteration[k], 0);
    if (!stacked)
      return failure();
    ctx.setOutput(numCarried + k, stacked);
  }
  return success();
}

} // namespace strata::onnx_import
