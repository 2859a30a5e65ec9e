//===- OnnxFolding.h - computing constant nodes at import -------*- C++ -*-===//
//
// Shape computations as exporters write them (Shape -> Gather -> Unsqueeze
// -> Concat -> Reshape, with Cast / Add / Mul / Div / Slice / Squeeze on
// small int64 tensors) must end in a constant, because graph.reshape and
// its kin take static shapes. A node whose inputs are all constants is
// therefore computed here and its output becomes a constant
// (NodeContext::setConstantOutput), like an initializer; no graph op is
// built for it. Each helper returns true when it defined the node's output
// that way, and false, without reporting anything, when the node is to be
// imported as usual (an input is not constant, the result is large, or the
// case is one the helper does not compute).
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXFOLDING_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXFOLDING_H

#include "lib/frontend/onnx/OnnxNodeContext.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace strata::onnx_import {

/// Results with more elements than this are left to run time.
constexpr int64_t kMaxFoldElements = int64_t(1) << 16;

/// Input `i` as a dense constant, or null when it is not a constant.
mlir::DenseElementsAttr denseInput(NodeContext &ctx, size_t i);

/// The type of input `i` without materializing a constant input (null when
/// absent).
mlir::RankedTensorType peekInputType(NodeContext &ctx, size_t i);

/// peekInputType, reported ("input '<what>' ...") when absent or not static:
/// ops whose results are computed from the input's shape need it static.
mlir::RankedTensorType staticInputType(NodeContext &ctx, size_t i,
                                       llvm::StringRef what);

/// Data movement: when input 0 is a constant, output `output` becomes the
/// tensor of `shape` whose element at each index is input 0's element at
/// the row-major position `source(index)`.
bool foldMoved(NodeContext &ctx, size_t output, llvm::ArrayRef<int64_t> shape,
               llvm::function_ref<int64_t(llvm::ArrayRef<int64_t>)> source);

/// Expand: a constant input 0 broadcast (numpy rules) to `shape`.
bool foldBroadcast(NodeContext &ctx, llvm::ArrayRef<int64_t> shape);

/// Row-major strides of `shape` (for foldMoved's `source`).
llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape);

/// Reshape, Flatten, Squeeze, Unsqueeze of a constant input 0 to `shape`.
bool foldReshape(NodeContext &ctx, llvm::ArrayRef<int64_t> shape);

/// Transpose of a constant input 0 by `perm` (false when `perm` is not a
/// permutation of its dimensions: graph.transpose reports that).
bool foldTranspose(NodeContext &ctx, llvm::ArrayRef<int64_t> perm);

/// Concat of constant inputs along (non-negative, valid) `axis`.
bool foldConcat(NodeContext &ctx, int64_t axis);

/// Elementwise ops with numpy broadcasting on constant inputs: Add, Sub,
/// Mul, Div, Mod, Neg, Abs, Min, Max, Sqrt, Floor, Ceil, Equal, Less,
/// LessOrEqual, Greater, GreaterOrEqual, Not, And, Or, Where, Cast (by the
/// node's op type and attributes). Importers of these ops call it first.
bool foldElementwise(NodeContext &ctx);

} // namespace strata::onnx_import

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXFOLDING_H
