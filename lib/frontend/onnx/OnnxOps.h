//===- OnnxOps.h - per-operator import functions ----------------*- C++ -*-===//
//
// One function per ONNX operator (or family), found by op type in a table.
// A function reads its node through NodeContext, emits its errors at the
// node's location, and defines the node's outputs on success.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXOPS_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXOPS_H

#include "lib/frontend/onnx/OnnxNodeContext.h"

namespace strata::onnx_import {

using OpImporter = mlir::LogicalResult (*)(NodeContext &);

/// The importer of `opType` in the default ONNX domain, or null if strata
/// does not support it.
OpImporter lookupOpImporter(llvm::StringRef opType);

// OnnxOps.cpp: elementwise, matrix products, constants, pass-throughs.
mlir::LogicalResult importBinary(NodeContext &ctx);
mlir::LogicalResult importUnary(NodeContext &ctx);
mlir::LogicalResult importClip(NodeContext &ctx);
mlir::LogicalResult importMatMul(NodeContext &ctx);
mlir::LogicalResult importGemm(NodeContext &ctx);
mlir::LogicalResult importConstant(NodeContext &ctx);
mlir::LogicalResult importIdentity(NodeContext &ctx);
mlir::LogicalResult importDropout(NodeContext &ctx);

// OnnxShapeOps.cpp: shape and data movement.
mlir::LogicalResult importReshape(NodeContext &ctx);
mlir::LogicalResult importFlatten(NodeContext &ctx);
mlir::LogicalResult importTranspose(NodeContext &ctx);
mlir::LogicalResult importConcat(NodeContext &ctx);
mlir::LogicalResult importSoftmax(NodeContext &ctx);

// OnnxNNOps.cpp: convolution, pooling, normalization.
mlir::LogicalResult importConv(NodeContext &ctx);
mlir::LogicalResult importMaxPool(NodeContext &ctx);
mlir::LogicalResult importAveragePool(NodeContext &ctx);
mlir::LogicalResult importGlobalAveragePool(NodeContext &ctx);
mlir::LogicalResult importBatchNormalization(NodeContext &ctx);

/// "[1,?,3]" for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Normalizes an `axis` in [-rank, rank + extra) of a rank-`rank` tensor
/// (negative counts from the back) into [0, rank + extra); emits an error
/// and returns nullopt when out of range.
std::optional<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                     int64_t rank, int64_t extra = 0);

} // namespace strata::onnx_import

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXOPS_H
