//===- OnnxPinnedValues.h - graph inputs given a value at compile time ---===//
//
// `--input-value NAME=v0,v1,...` turns a graph input into a constant for the
// importer (so that a Reshape's shape or a ReduceSum's axes fed as an input
// folds), while the input stays in the signature and the runtime checks that
// each run passes exactly that value.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXPINNEDVALUES_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXPINNEDVALUES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

namespace strata::onnx_import {

/// Parses `text` (comma-separated elements in row-major order, optionally in
/// brackets; integers, `true`/`false` for bool, decimal or `nan`/`inf` for
/// floats) as a value of `type`, which must have a static shape. Reports at
/// `loc`, naming input `name`, when the text does not fit the type.
mlir::FailureOr<mlir::DenseElementsAttr>
parsePinnedValue(llvm::StringRef name, llvm::StringRef text,
                 mlir::RankedTensorType type, mlir::Location loc);

/// How many elements `text` lists (what parsePinnedValue would read).
int64_t countPinnedElements(llvm::StringRef text);

} // namespace strata::onnx_import

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXPINNEDVALUES_H
