//===- OnnxControlFlowOps.cpp - Scan, by unrolling its body ---------------===//
//
// strata's graphs are static, and a Scan runs its body a number of times
// that its inputs' static shapes fix. The importer unrolls it: each
// iteration imports the body's nodes again, in a child scope where the body
// inputs name the loop-carried states and this iteration's slices of the
// scan inputs. The per-iteration scan outputs are stacked with graph.concat.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"

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
  SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape()),
      steps(type.getRank(), 1);
  starts[axis] = t;
  sizes[axis] = 1;
  Builder b(ctx.getContext());
  Value slice =
      ctx.create("graph.slice", {input},
                 {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
                  b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
                  b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
  if (!slice)
    return nullptr;
  return ctx.create("graph.reshape", {slice},
                    {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(
                                                 dropDim(type, axis)))});
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
  for (auto [input, value] : llvm::zip(body.input(), inputs))
    scope.values[input.name()] = value;
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
  Builder b(ctx.getContext());
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    if (!ctx.hasOutput(numStates + k))
      continue;
    auto type = cast<RankedTensorType>(perIteration[k].front().getType());
    std::optional<int64_t> axis =
        normalizeAxis(ctx, (*outAxes)[k], type.getRank() + 1);
    if (!axis)
      return failure();
    SmallVector<int64_t> shape(type.getShape());
    shape.insert(shape.begin() + *axis, 1);
    SmallVector<Value> pieces;
    for (Value value : perIteration[k])
      pieces.push_back(ctx.create(
          "graph.reshape", {value},
          {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))}));
    if (llvm::is_contained(pieces, Value()))
      return failure();
    if ((*outDirections)[k])
      std::reverse(pieces.begin(), pieces.end());
    Value stacked =
        pieces.size() == 1
            ? pieces.front()
            : ctx.create("graph.concat", pieces,
                         {b.getNamedAttr("axis", b.getI64IntegerAttr(*axis))});
    if (!stacked)
      return failure();
    ctx.setOutput(numStates + k, stacked);
  }
  return success();
}

} // namespace strata::onnx_import
