//===- PanelProducts.h - products rewritten onto packed B panels -*- C++ -*-===//
//
// What strata-pack-int8-rhs and strata-pack-weight-only-rhs share: they
// match a contraction C[rows..., n] = sum_k A[rows..., k] * B(k, n) whose
// B is a constant (of some form) and whose accumulator starts at zero,
// and rewrite it as a generic over A as a rows x K matrix and B packed in
// panels of `lanes` columns, writing rows x panels x lanes, which is then
// cut back to the op's result.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_CODEGEN_CPU_PANELPRODUCTS_H
#define STRATA_CODEGEN_CPU_PANELPRODUCTS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace strata::panels {

/// A static contraction with A read at (rows..., k), B at (k, n) (or, with
/// `rhsTransposed`, at (n, k)) and C at (rows..., n), and no batch loop.
struct RowsContraction {
  mlir::linalg::LinalgOp op;
  int64_t rows, k, n; // rows: every row loop's extent multiplied
  bool rhsTransposed;
};

/// `op` in that form, or nullopt. B's map may be (n, k) only with
/// `allowTransposedRhs`.
std::optional<RowsContraction> matchRowsContraction(mlir::linalg::LinalgOp op,
                                                    bool allowTransposedRhs);

/// Whether `op`'s one init is a fill with zero (through reshapes).
bool startsAtZero(mlir::linalg::LinalgOp op);

/// The constant behind `value`, looking through collapse_shape and
/// expand_shape (which keep the row-major order of the data); null if none.
mlir::ElementsAttr constantOf(mlir::Value value);

/// A (rows..., K) as a rows x `paddedK` matrix: leading dims collapsed,
/// zero columns appended.
mlir::Value lhsAsRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                      int64_t rows, int64_t k, int64_t paddedK);

/// A zero-filled rows x `panels` x `lanes` tensor of `element`.
mlir::Value zeroPanels(mlir::OpBuilder &b, mlir::Location loc, int64_t rows,
                       int64_t panels, int64_t lanes, mlir::Type element);

/// `result` (rows x panels x lanes) as the op's result type `type`
/// (rows..., n): the first `n` columns, expanded to its leading dims.
mlir::Value panelsAsResult(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value result, mlir::RankedTensorType type,
                           int64_t rows, int64_t n);

/// Marks `generic` (the packed product) with `marker` and replaces `op`
/// with its result cut back to the op's shape (panelsAsResult).
void replaceWithPanels(mlir::RewriterBase &rewriter,
                       const RowsContraction &product,
                       mlir::linalg::GenericOp generic, llvm::StringRef marker);

} // namespace strata::panels

#endif // STRATA_CODEGEN_CPU_PANELPRODUCTS_H
