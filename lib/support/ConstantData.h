//===- ConstantData.h - reading and reshaping constant tensors --*- C++ -*-===//
#ifndef STRATA_LIB_SUPPORT_CONSTANTDATA_H
#define STRATA_LIB_SUPPORT_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"

#include <optional>
#include <vector>

namespace strata {

/// Constants of at least this many bytes are dense_resource blobs (the ONNX
/// importer's take over the protobuf's buffer); smaller ones stay inline as
/// dense<...>.
constexpr size_t kResourceThresholdBytes = 1024;

/// The row-major bytes of a dense or dense_resource constant whose elements
/// are whole bytes wide; nullopt otherwise (splats, i1, elided blobs).
std::optional<llvm::ArrayRef<char>> rawConstantData(mlir::ElementsAttr attr);

/// The same constant data under `type` (same element count, row-major
/// order kept): a reshaped dense attribute, or a dense_resource of the same
/// blob; null for other attributes.
mlir::ElementsAttr reshapeConstant(mlir::Attribute value,
                                   mlir::ShapedType type);

/// `attr` with its dimensions permuted (output dim i = input dim perm[i]),
/// as a dense_resource blob named `blobName`; null when the data cannot be
/// read (see rawConstantData).
mlir::ElementsAttr transposeConstant(mlir::ElementsAttr attr,
                                     llvm::ArrayRef<int64_t> perm,
                                     llvm::StringRef blobName);

/// The elements of an f32 constant (dense, splat or dense_resource);
/// nullopt for other element types or unreadable data.
std::optional<std::vector<float>> readF32Constant(mlir::ElementsAttr attr);

/// The elements of an integer constant of 8, 16, 32 or 64 bits (dense,
/// splat or dense_resource), widened by the element type's signedness
/// (signless counts as signed); nullopt for other types or unreadable data.
std::optional<std::vector<int64_t>>
readIntegerConstant(mlir::ElementsAttr attr);

/// An f32 constant of `type` holding `values`: dense_resource (a blob named
/// `blobName`) from kResourceThresholdBytes on, inline dense<...> below.
mlir::ElementsAttr f32Constant(mlir::RankedTensorType type,
                               llvm::ArrayRef<float> values,
                               llvm::StringRef blobName);

} // namespace strata

#endif // STRATA_LIB_SUPPORT_CONSTANTDATA_H
