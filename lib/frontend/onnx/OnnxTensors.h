//===- OnnxTensors.h - ONNX tensors and types -> MLIR -----------*- C++ -*-===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXTENSORS_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXTENSORS_H

#include "lib/support/ConstantData.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"
#include <onnx/onnx_pb.h>
#include <optional>
#include <string>

namespace strata::onnx_import {

using strata::kResourceThresholdBytes; // lib/support/ConstantData.h

/// The element type of ONNX TensorProto.DataType `dataType`, or null if the
/// graph dialect has no such element type.
mlir::Type convertElementType(mlir::MLIRContext *context, int32_t dataType);

/// ONNX's element types after libonnx 1.12 (TensorProto.DataType numbers).
enum NarrowDataType : int32_t {
  kFloat8E4M3FN = 17,
  kFloat8E4M3FNUZ = 18,
  kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20,
  kUInt4 = 21,
  kInt4 = 22,
  kFloat4E2M1 = 23,
  kFloat8E8M0 = 24,
  kUInt2 = 25,
  kInt2 = 26,
};

/// The MLIR type of one of the types above (f8E4M3FN, ui4, i2, ...), or
/// null.
mlir::Type convertNarrowElementType(mlir::MLIRContext *context,
                                    int32_t dataType);

/// 4 or 2 for the types ONNX stores packed (u4 i4 f4e2m1, u2 i2), else 0.
unsigned packedBits(int32_t dataType);

/// "FLOAT16", or "<number>" for a value this libonnx does not know.
std::string dataTypeName(int32_t dataType);

/// The type of graph input `input`: dim_value -> static, dim_param or an
/// empty dim -> dynamic. Errors (no shape, unsupported type) name the input.
mlir::FailureOr<mlir::RankedTensorType>
convertInputType(const onnx::ValueInfoProto &input, mlir::Location loc);

/// Converts an initializer or a Constant node's value. Raw data of
/// kResourceThresholdBytes or more are moved out of `tensor` (hence not
/// const) into a dense_resource blob; external data are read relative to
/// `modelDir`. Errors are emitted at `loc` and name the tensor.
mlir::FailureOr<mlir::ElementsAttr> convertTensor(onnx::TensorProto &tensor,
                                                  mlir::Location loc,
                                                  llvm::StringRef modelDir);

/// A dense view of `attr`, or null; a dense_resource blob is copied (read
/// only small ones, such as shapes and bounds, as values).
mlir::DenseElementsAttr asDense(mlir::ElementsAttr attr);

/// The values of a constant integer tensor, or nullopt if it is not one.
std::optional<llvm::SmallVector<int64_t>>
getIntegerValues(mlir::ElementsAttr attr);

/// The values of a constant float tensor, or nullopt if it is not one.
std::optional<llvm::SmallVector<double>>
getFloatValues(mlir::ElementsAttr attr);

} // namespace strata::onnx_import

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXTENSORS_H
