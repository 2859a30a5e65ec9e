//===- OnnxAttributes.h - typed access to ONNX node attributes --*- C++ -*-===//
//
// Getters report a wrongly typed attribute at the node's location and return
// the default; a builder checks failed() once before it creates its op, so all
// attribute errors of a node are reported together.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXATTRIBUTES_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXATTRIBUTES_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <onnx/onnx_pb.h>
#include <optional>
#include <string>

namespace strata::onnx_import {

class NodeAttributes {
public:
  NodeAttributes(const onnx::NodeProto &node, mlir::Location loc)
      : node(node), loc(loc) {}

  const onnx::AttributeProto *find(llvm::StringRef name) const;
  bool has(llvm::StringRef name) const { return find(name) != nullptr; }

  int64_t getInt(llvm::StringRef name, int64_t defaultValue);
  float getFloat(llvm::StringRef name, float defaultValue);
  std::string getString(llvm::StringRef name, llvm::StringRef defaultValue);
  /// nullopt when the attribute is absent (or wrongly typed).
  std::optional<llvm::SmallVector<int64_t>> getInts(llvm::StringRef name);
  std::optional<llvm::SmallVector<float>> getFloats(llvm::StringRef name);
  /// The tensor of a TENSOR attribute, or null.
  const onnx::TensorProto *getTensor(llvm::StringRef name);

  /// True once a getter met an attribute of the wrong type (error emitted).
  bool failed() const { return hadError; }

private:
  /// The attribute if it exists and has `kind`; reports a mismatch.
  const onnx::AttributeProto *findAs(llvm::StringRef name,
                                     onnx::AttributeProto::AttributeType kind);

  const onnx::NodeProto &node;
  mlir::Location loc;
  bool hadError = false;
};

} // namespace strata::onnx_import

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXATTRIBUTES_H
