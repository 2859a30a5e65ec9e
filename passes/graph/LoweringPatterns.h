//===- LoweringPatterns.h - graph -> linalg patterns (internal) -*- C++ -*-===//
//
// The graph-to-linalg conversion is split by op family; each file adds its
// patterns through one populate function. Helpers shared by several families
// live here too.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_PASSES_GRAPH_LOWERINGPATTERNS_H
#define STRATA_PASSES_GRAPH_LOWERINGPATTERNS_H

#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace strata::lowering {

void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateLinearAlgebraPatterns(mlir::RewritePatternSet &patterns);
void populateConvPoolPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);

/// Builds the scalar body of an elementwise generic from its block arguments.
using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic computing `body` over `resultType`, with each operand
/// read through numpy broadcasting (right-aligned; size-1 dims repeat).
mlir::Value buildBroadcastElementwise(mlir::OpBuilder &builder,
                                      mlir::Location loc,
                                      mlir::RankedTensorType resultType,
                                      mlir::ValueRange operands,
                                      ScalarBody body);

/// A tensor of `type` filled with `value` (tensor.empty + linalg.fill).
mlir::Value buildFilled(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::TypedAttr value);

/// A float or integer scalar constant of `type`.
mlir::Value scalarConstant(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Type type, double value);

/// Reshape between static shapes with the same element count.
mlir::Value buildReshape(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::Value input, mlir::RankedTensorType resultType);

} // namespace strata::lowering

#endif // STRATA_PASSES_GRAPH_LOWERINGPATTERNS_H
