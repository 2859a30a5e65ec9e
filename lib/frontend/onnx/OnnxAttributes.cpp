//===- OnnxAttributes.cpp - typed access to ONNX node attributes ----------===//
#include "lib/frontend/onnx/OnnxAttributes.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using onnx::AttributeProto;

namespace strata::onnx_import {

/// The attribute's kind. Models written before IR version 2 may leave `type`
/// unset; then the populated field tells.
static AttributeProto::AttributeType kindOf(const AttributeProto &attr) {
  if (attr.type() != AttributeProto::UNDEFINED)
    return attr.type();
  if (attr.has_f())
    return AttributeProto::FLOAT;
  if (attr.has_i())
    return AttributeProto::INT;
  if (attr.has_s())
    return AttributeProto::STRING;
  if (attr.has_t())
    return AttributeProto::TENSOR;
  if (attr.has_g())
    return AttributeProto::GRAPH;
  if (attr.floats_size())
    return AttributeProto::FLOATS;
  if (attr.ints_size())
    return AttributeProto::INTS;
  if (attr.strings_size())
    return AttributeProto::STRINGS;
  return AttributeProto::UNDEFINED;
}

static StringRef kindName(AttributeProto::AttributeType kind) {
  switch (kind) {
  case AttributeProto::FLOAT:
    return "a float";
  case AttributeProto::INT:
    return "an int";
  case AttributeProto::STRING:
    return "a string";
  case AttributeProto::TENSOR:
    return "a tensor";
  case AttributeProto::FLOATS:
    return "a list of floats";
  case AttributeProto::INTS:
    return "a list of ints";
  default:
    return "another kind";
  }
}

const AttributeProto *NodeAttributes::find(StringRef name) const {
  for (const AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

const AttributeProto *
NodeAttributes::findAs(StringRef name, AttributeProto::AttributeType kind) {
  const AttributeProto *attr = find(name);
  if (!attr)
    return nullptr;
  AttributeProto::AttributeType actual = kindOf(*attr);
  // An empty list written without `type` looks UNDEFINED: accept it.
  if (actual == kind ||
      (actual == AttributeProto::UNDEFINED &&
       (kind == AttributeProto::INTS || kind == AttributeProto::FLOATS)))
    return attr;
  emitError(loc) << "attribute '" << name << "' must be " << kindName(kind)
                 << ", got " << kindName(actual);
  hadError = true;
  return nullptr;
}

int64_t NodeAttributes::getInt(StringRef name, int64_t defaultValue) {
  const AttributeProto *attr = findAs(name, AttributeProto::INT);
  return attr ? attr->i() : defaultValue;
}

float NodeAttributes::getFloat(StringRef name, float defaultValue) {
  const AttributeProto *attr = findAs(name, AttributeProto::FLOAT);
  return attr ? attr->f() : defaultValue;
}

std::string NodeAttributes::getString(StringRef name, StringRef defaultValue) {
  const AttributeProto *attr = findAs(name, AttributeProto::STRING);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>> NodeAttributes::getInts(StringRef name) {
  const AttributeProto *attr = findAs(name, AttributeProto::INTS);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<SmallVector<float>> NodeAttributes::getFloats(StringRef name) {
  const AttributeProto *attr = findAs(name, AttributeProto::FLOATS);
  if (!attr)
    return std::nullopt;
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

const onnx::TensorProto *NodeAttributes::getTensor(StringRef name) {
  const AttributeProto *attr = findAs(name, AttributeProto::TENSOR);
  return attr ? &attr->t() : nullptr;
}

} // namespace strata::onnx_import
