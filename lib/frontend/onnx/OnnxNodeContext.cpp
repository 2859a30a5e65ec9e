//===- OnnxNodeContext.cpp - what an op builder sees of the graph ---------===//
#include "lib/frontend/onnx/OnnxNodeContext.h"

#include "dialects/graph/GraphOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;

namespace strata::onnx_import {

LogicalResult GraphState::prepare(ConstantTensor &c, Location where) {
  if (c.value)
    return success();
  if (!c.proto)
    return failure();
  FailureOr<ElementsAttr> value = convertTensor(*c.proto, where, modelDir);
  c.proto = nullptr; // convert (and report) once
  if (failed(value))
    return failure();
  c.value = *value;
  return success();
}

Value GraphState::getValue(StringRef name, Location where) {
  if (Value v = values.lookup(name))
    return v;
  if (parent && !constants.count(name))
    return parent->getValue(name, where);
  ConstantTensor *c = lookupConstant(name);
  if (!c || failed(prepare(*c, where)))
    return nullptr;
  if (!c->materialized)
    c->materialized = graph::ConstantOp::create(builder, c->loc, c->value);
  return c->materialized;
}

SmallVector<std::string> GraphState::pinnableSources(StringRef name) const {
  // Inputs with more elements than this are data, not shapes or counts.
  constexpr int64_t kMaxPinnableElements = 64;
  SmallVector<std::string> sources;
  llvm::StringSet<> seen;
  SmallVector<std::string> work = {name.str()};
  while (!work.empty()) {
    std::string current = work.pop_back_val();
    if (!seen.insert(current).second)
      continue;
    if (seen.size() > 256)
      return {}; // too far to be a shape computation
    const GraphState *scope = this;
    while (scope && !scope->values.count(current) &&
           !scope->constants.count(current))
      scope = scope->parent;
    if (!scope || scope->constants.count(current))
      continue;
    mlir::Value value = scope->values.lookup(current);
    if (isa<BlockArgument>(value) && !scope->parent) {
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || !type.hasStaticShape() ||
          type.getNumElements() > kMaxPinnableElements)
        return {};
      sources.push_back(current);
      continue;
    }
    const onnx::NodeProto *producer = nullptr;
    for (const GraphState *s = this; s && !producer; s = s->parent)
      producer = s->producers.lookup(current);
    if (!producer)
      return {}; // a subgraph's own input: varies per iteration
    for (const std::string &input : producer->input())
      if (!input.empty())
        work.push_back(input);
  }
  return sources;
}

bool NodeContext::hasInput(size_t i) const {
  return static_cast<int>(i) < node.input_size() && !node.input(i).empty();
}

Value NodeContext::input(size_t i) {
  return hasInput(i) ? graph.getValue(node.input(i), loc) : nullptr;
}

RankedTensorType NodeContext::inputType(size_t i) {
  Value v = input(i);
  return v ? dyn_cast<RankedTensorType>(v.getType()) : nullptr;
}

FailureOr<ElementsAttr> NodeContext::constantInput(size_t i, StringRef what) {
  ConstantTensor *c =
      hasInput(i) ? graph.lookupConstant(node.input(i)) : nullptr;
  if (!c) {
    InFlightDiagnostic diag = emitError()
                              << "input '" << what << "' must be a constant "
                              << "(an initializer or a Constant node's output)";
    describePinning(diag, i);
    return diag;
  }
  if (failed(graph.prepare(*c, loc)))
    return failure();
  return c->value;
}

void NodeContext::describePinning(InFlightDiagnostic &diag, size_t i) {
  // A graph input can be pinned at compile time: say how.
  if (auto arg = dyn_cast_or_null<BlockArgument>(input(i))) {
    diag << "; it is the graph input '" << node.input(i)
         << "': pin its value with --input-value " << node.input(i)
         << "=v0,v1,... (Python: input_values=)";
  } else if (hasInput(i)) {
    SmallVector<std::string> sources = graph.pinnableSources(node.input(i));
    if (!sources.empty()) {
      diag << "; it is computed from the graph input(s) ";
      llvm::interleaveComma(sources, diag, [&](const std::string &name) {
        diag << "'" << name << "'";
      });
      diag << ", which --input-value could pin";
    }
  }
}

ElementsAttr NodeContext::constantValue(size_t i) {
  ConstantTensor *c =
      hasInput(i) ? graph.lookupConstant(node.input(i)) : nullptr;
  if (!c || failed(graph.prepare(*c, loc)))
    return nullptr;
  return c->value;
}

bool NodeContext::hasOutput(size_t i) const {
  return static_cast<int>(i) < node.output_size() && !node.output(i).empty();
}

bool NodeContext::isOutputUsed(size_t i) const {
  return hasOutput(i) && graph.usedNames.contains(node.output(i));
}

void NodeContext::setOutput(size_t i, Value value) {
  if (value && hasOutput(i))
    graph.values[node.output(i)] = value;
}

void NodeContext::forwardInput(size_t j, size_t i) {
  if (!hasOutput(i) || !hasInput(j))
    return;
  if (ConstantTensor *c = graph.lookupConstant(node.input(j)))
    graph.constants[node.output(i)] = c;
  else
    graph.values[node.output(i)] = input(j);
}

/// Whether `type` has at most kMaxTensorElements elements, the bound that
/// keeps every size computation (elements, bytes) far from overflowing.
static bool withinSizeLimit(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return true;
  uint64_t elements = 1;
  for (int64_t dim : tensor.getShape()) {
    if (ShapedType::isDynamic(dim))
      continue;
    if (dim < 0 || __builtin_mul_overflow(elements, uint64_t(dim), &elements) ||
        elements > kMaxTensorElements)
      return false;
  }
  return true;
}

LogicalResult NodeContext::checkSize(Type type) {
  if (withinSizeLimit(type))
    return success();
  return emitError() << "its result " << type << " would have more than "
                     << kMaxTensorElements << " elements (2^36)";
}

void NodeContext::setConstantOutput(size_t i, ElementsAttr value) {
  if (hasOutput(i))
    graph.addConstant(node.output(i), loc).value = value;
}

Value NodeContext::create(StringRef opName, ValueRange operands,
                          ArrayRef<NamedAttribute> attributes) {
  Operation *op = createOp(opName, operands, attributes, 1);
  return op ? op->getResult(0) : nullptr;
}

Operation *NodeContext::createOp(StringRef opName, ValueRange operands,
                                 ArrayRef<NamedAttribute> attributes,
                                 unsigned numResults) {
  // Built generically with placeholder result types, so that no op builder
  // (which may assert on bad input) runs; the inference then decides.
  OperationState state(loc, opName);
  state.addOperands(operands);
  state.addAttributes(attributes);
  state.addTypes(
      SmallVector<Type>(numResults, NoneType::get(getContext())));
  Operation *op = builder().create(state);
  auto inferable = dyn_cast<InferTypeOpInterface>(op);
  if (!inferable) {
    emitError() << "internal error: " << opName << " cannot infer its type";
    op->erase();
    return nullptr;
  }
  SmallVector<Type, 1> types;
  if (failed(inferable.inferReturnTypes(
          getContext(), loc, op->getOperands(), op->getRawDictionaryAttrs(),
          op->getPropertiesStorage(), op->getRegions(), types)) ||
      types.size() != op->getNumResults()) {
    op->erase();
    return nullptr;
  }
  for (Type type : types)
    if (failed(checkSize(type))) {
      op->erase();
      return nullptr;
    }
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);
  // The inference checks shapes; the verifier adds the element types.
  if (failed(verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return nullptr;
  }
  return op;
}

} // namespace strata::onnx_import
