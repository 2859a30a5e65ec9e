//===- OnnxImporter.h - ONNX model -> graph dialect -------------*- C++ -*-===//
//
// The public entry point of the ONNX frontend. Protobuf types stay out of this
// header so that callers need neither the ONNX headers nor their flags.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXIMPORTER_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace strata {

struct OnnxImportOptions {
  /// Shapes that replace graph inputs' declared ones (by input name), to pin
  /// dynamic dimensions: same rank, and each static declared dimension must
  /// match. An unknown name is an error that lists the inputs.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// When >= 0: an input whose leading dimension is still dynamic after
  /// inputShapes gets this size there, and its argument the unit attribute
  /// "graph.symbolic_batch" (the driver's batch probes).
  int64_t dynamicLeadingDim = -1;
  /// Values that graph inputs are pinned to (by input name), as text:
  /// "v0,v1,..." in row-major order. Such an input is a constant for the
  /// importer but stays an argument, with the value in its
  /// "graph.pinned_value" attribute; the runtime checks each run's value.
  std::map<std::string, std::string> inputValues;
};

/// Reads an ONNX model file and builds a module holding
///   func.func @main(%x: tensor<...> {graph.name = "x"}, ...)
///       -> (tensor<...> {graph.name = "y"}, ...)
/// (only real graph inputs become arguments, not initializers listed as
/// inputs), with one graph op per ONNX node, each located at
/// makeNodeLocation(ctx, node.name(), node.op_type(), opset, nodeIndex).
/// On any error, emits diagnostics through the context (at the node's
/// location where there is one) and returns null.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext &context, llvm::StringRef path,
                const OnnxImportOptions &options = {});

/// importOnnxModel on a serialized model held in memory; `name` stands for
/// the file in messages, and external data is looked up beside it.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModelFromBytes(mlir::MLIRContext &context, llvm::StringRef bytes,
                         llvm::StringRef name,
                         const OnnxImportOptions &options = {});

} // namespace strata

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXIMPORTER_H
