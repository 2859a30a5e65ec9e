//===- QdqFolding.h - shared pieces of strata-fold-qdq ----------*- C++ -*-===//
//
// strata-fold-qdq folds two forms into i8 x i8 -> i32 graph ops: QDQ float
// ops (FoldQdq.cpp) and the widened i32 products that MatMulInteger,
// ConvInteger and the QLinear ops are imported as (FoldIntegerProducts.cpp).
// Both read constants, make int8 twins of uint8 quantizations and report
// why an op stays as it is.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_PASSES_GRAPH_QDQFOLDING_H
#define STRATA_PASSES_GRAPH_QDQFOLDING_H

#include "dialects/graph/GraphOps.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <string>
#include <vector>

namespace strata::qdq {

/// The data of a graph.constant `v` as floats (f32) or integers; nullopt
/// when `v` is not a readable constant of that kind.
std::optional<std::vector<float>> floats(mlir::Value v);
std::optional<std::vector<int64_t>> integers(mlir::Value v);

mlir::Type elementOf(mlir::Value v);

mlir::Value i32Constant(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<int64_t> shape,
                        llvm::ArrayRef<int32_t> values);

/// Folds one op; `why` says why it did not (for --report).
class Folder {
public:
  explicit Folder(mlir::IRRewriter &rewriter) : rewriter(rewriter) {}

  /// A quantize_linear like `q` producing int8 with zero point `zero` (an
  /// i8 scalar): the same bits as q's uint8 result with the top one
  /// flipped, when `zero` is q's zero point less 128. Made once per `q`.
  mlir::Value signedTwin(strata::graph::QuantizeLinearOp q, mlir::Value zero);

  /// QDQ ops (FoldQdq.cpp).
  mlir::LogicalResult foldConv(strata::graph::ConvOp conv);
  mlir::LogicalResult foldProduct(mlir::Operation *op, mlir::Value lhs,
                                  mlir::Value rhs, mlir::Value bias,
                                  bool transposed);
  /// Widened i32 products (FoldIntegerProducts.cpp).
  mlir::LogicalResult foldIntegerMatMul(strata::graph::MatMulOp op);
  mlir::LogicalResult foldIntegerConv(strata::graph::ConvOp op);

  std::string why;

private:
  mlir::LogicalResult fail(llvm::StringRef reason) {
    why = reason.str();
    return mlir::failure();
  }

  mlir::IRRewriter &rewriter;
  llvm::DenseMap<mlir::Operation *, mlir::Value> twins;
};

} // namespace strata::qdq

#endif // STRATA_PASSES_GRAPH_QDQFOLDING_H
