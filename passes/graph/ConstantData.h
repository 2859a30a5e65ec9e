//===- ConstantData.h - reading and reshaping constant tensors --*- C++ -*-===//
#ifndef STRATA_PASSES_GRAPH_CONSTANTDATA_H
#define STRATA_PASSES_GRAPH_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

namespace strata {

/// The row-major bytes of a dense or dense_resource constant whose elements
/// are whole bytes wide; nullopt otherwise (splats, i1, elided blobs).
std::optional<llvm::ArrayRef<char>> rawConstantData(mlir::ElementsAttr attr);

/// `attr` with its dimensions permuted (output dim i = input dim perm[i]),
/// as a dense_resource blob named `blobName`; null when the data cannot be
/// read (see rawConstantData).
mlir::ElementsAttr transposeConstant(mlir::ElementsAttr attr,
                                     llvm::ArrayRef<int64_t> perm,
                                     llvm::StringRef blobName);

} // namespace strata

#endif // STRATA_PASSES_GRAPH_CONSTANTDATA_H
