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

  /// 8-bit data as int8: int8 data itself; uint8 data with the top bit of
  /// every byte flipped (x - 128), by a twin of the quantize_linear that
  /// produces it (q's zero point less 128, made once per q, right after
  /// it) or else by an elementwise flip. The consumer's zero point for the
  /// result is its own less 128.
  mlir::Value signedData(mlir::Value data);

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

  mlir::Value signedTwin(strata::graph::QuantizeLinearOp q);

  mlir::IRRewriter &rewriter;
  llvm::DenseMap<mlir::Operation *, mlir::Value> twins;
};

} // namespace strata::qdq

#endif // STRATA_PASSES_GRAPH_QDQFOLDING_H
