//===- OnnxRecurrentOps.cpp - RNN, GRU, LSTM ------------------------------===//
//
// One graph.rnn / gru / lstm per node, in layout 0 ([seq, batch, ...]):
// layout 1 (batch first, opset 14) goes through transposes. The activation
// list is made explicit for every direction. `sequence_lens` is accepted
// only as a constant that keeps every sequence whole.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace strata::onnx_import {

namespace {

struct RecurrentKind {
  StringRef opName;
  int64_t gates;
  SmallVector<StringRef, 3> defaultActivations;
  size_t numInputs;  // ONNX inputs graph op takes (sequence_lens excluded)
  size_t numOutputs; // Y, Y_h (, Y_c)
};

RecurrentKind kindOf(StringRef opType) {
  if (opType == "LSTM")
    return {"graph.lstm", 4, {"Sigmoid", "Tanh", "Tanh"}, 7, 3};
  if (opType == "GRU")
    return {"graph.gru", 3, {"Sigmoid", "Tanh"}, 5, 2};
  return {"graph.rnn", 1, {"Tanh"}, 5, 2};
}

/// The activation names for every direction, canonically spelled.
FailureOr<SmallVector<Attribute>> readActivations(NodeContext &ctx,
                                                  const RecurrentKind &kind,
                                                  int64_t directions) {
  Builder b(ctx.getContext());
  SmallVector<StringRef> names(kind.defaultActivations.begin(),
                               kind.defaultActivations.end());
  if (const onnx::AttributeProto *attr = ctx.attrs.find("activations")) {
    names.clear();
    for (const std::string &name : attr->strings())
      names.push_back(name);
  }
  size_t perDirection = kind.defaultActivations.size();
  if (names.size() == perDirection && directions == 2)
    names.append(SmallVector<StringRef>(names)); // same for both directions
  if (names.size() != perDirection * directions)
    return ctx.emitError() << "attribute 'activations' must name "
                           << perDirection * directions << " functions, got "
                           << names.size();
  SmallVector<Attribute> result;
  for (StringRef name : names) {
    StringRef canonical = llvm::StringSwitch<StringRef>(name.lower())
                              .Case("sigmoid", "Sigmoid")
                              .Case("tanh", "Tanh")
                              .Case("relu", "Relu")
                              .Default("");
    if (canonical.empty())
      return ctx.emitError() << "attribute 'activations': '" << name
                             << "' is not supported (supported: Sigmoid, "
                             << "Tanh, Relu)";
    result.push_back(b.getStringAttr(canonical));
  }
  return result;
}

/// `value` with its first two dimensions swapped (layout 1 <-> 0), or with
/// `perm` in general.
Value transpose(NodeContext &ctx, Value value, ArrayRef<int64_t> perm) {
  if (!value)
    return nullptr;
  Builder b(ctx.getContext());
  return ctx.create("graph.transpose", {value},
                    {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
}

} // namespace

LogicalResult importRecurrent(NodeContext &ctx) {
  RecurrentKind kind = kindOf(ctx.node.op_type());
  for (size_t i = 0; i < 3; ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects the inputs X, W and R";
  RankedTensorType x = ctx.inputType(0), r = ctx.inputType(2);
  if (!x || !r)
    return failure();
  if (x.getRank() != 3 || r.getRank() != 3)
    return ctx.emitError() << "expects X and R of rank 3, got "
                           << formatShape(x.getShape()) << " and "
                           << formatShape(r.getShape());
  std::string direction = ctx.attrs.getString("direction", "forward");
  int64_t layout = ctx.attrs.getInt("layout", 0);
  int64_t hiddenSize = ctx.attrs.getInt("hidden_size", r.getDimSize(2));
  std::optional<float> clip;
  if (ctx.attrs.has("clip"))
    clip = ctx.attrs.getFloat("clip", 0.0f);
  bool inputForget = ctx.attrs.getInt("input_forget", 0) != 0;
  bool linearBeforeReset = ctx.attrs.getInt("linear_before_reset", 0) != 0;
  if (ctx.attrs.failed())
    return failure();
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return ctx.emitError() << "attribute 'direction' has unknown value '"
                           << direction << "'";
  if (layout != 0 && layout != 1)
    return ctx.emitError() << "attribute 'layout' must be 0 or 1, got "
                           << layout;
  if (ShapedType::isDynamic(hiddenSize))
    return ctx.emitError() << "attribute 'hidden_size' is required when R "
                           << "has a dynamic shape";
  int64_t directions = direction == "bidirectional" ? 2 : 1;
  FailureOr<SmallVector<Attribute>> activations =
      readActivations(ctx, kind, directions);
  if (failed(activations))
    return failure();

  // sequence_lens (input 4): only whole sequences.
  int64_t seqAxis = layout == 0 ? 0 : 1;
  if (ctx.hasInput(4)) {
    int64_t seq = x.getDimSize(seqAxis);
    ElementsAttr lens = ctx.constantValue(4);
    std::optional<SmallVector<int64_t>> values =
        lens ? getIntegerValues(lens) : std::nullopt;
    if (!values || ShapedType::isDynamic(seq) ||
        llvm::any_of(*values, [&](int64_t n) { return n != seq; }))
      return ctx.emitError() << "input 'sequence_lens' is supported only as "
                             << "a constant equal to seq_length (" << seq
                             << ") for every batch entry";
  }

  // Operands in layout 0: X, W, R, B, initial_h (, initial_c, P).
  SmallVector<Value> operands;
  SmallVector<int32_t> segments;
  auto add = [&](Value v) {
    if (v)
      operands.push_back(v);
    segments.push_back(v ? 1 : 0);
  };
  SmallVector<int64_t> swap = {1, 0, 2};
  add(layout == 0 ? ctx.input(0) : transpose(ctx, ctx.input(0), swap));
  add(ctx.input(1));
  add(ctx.input(2));
  add(ctx.input(3));
  for (size_t i = 5; i < kind.numInputs + 1; ++i) {
    Value v = ctx.input(i);
    if (v && layout == 1 && i != 7) // P has no batch dimension
      v = transpose(ctx, v, swap);
    add(v);
  }
  if (llvm::is_contained(operands, Value()))
    return failure(); // a transpose failed (reported)

  Builder b(ctx.getContext());
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("hidden_size", b.getI64IntegerAttr(hiddenSize)),
      b.getNamedAttr("direction", b.getStringAttr(direction)),
      b.getNamedAttr("activations", b.getArrayAttr(*activations)),
      b.getNamedAttr("operandSegmentSizes", b.getDenseI32ArrayAttr(segments))};
  if (clip)
    attrs.push_back(b.getNamedAttr("clip", b.getF32FloatAttr(*clip)));
  if (kind.gates == 4)
    attrs.push_back(b.getNamedAttr("input_forget", b.getBoolAttr(inputForget)));
  if (kind.gates == 3)
    attrs.push_back(b.getNamedAttr("linear_before_reset",
                                   b.getBoolAttr(linearBeforeReset)));
  Operation *op = ctx.createOp(kind.opName, operands, attrs, kind.numOutputs);
  if (!op)
    return failure();
  for (size_t i = 0; i < kind.numOutputs; ++i) {
    if (!ctx.hasOutput(i))
      continue;
    Value result = op->getResult(i);
    if (layout == 1)
      result =
          transpose(ctx, result, i == 0 ? ArrayRef<int64_t>{2, 0, 1, 3} : swap);
    if (!result)
      return failure();
    ctx.setOutput(i, result);
  }
  return success();
}

} // namespace strata::onnx_import
