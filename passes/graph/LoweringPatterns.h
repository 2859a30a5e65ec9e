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
void populateMathPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
void populateConvTransposePatterns(mlir::RewritePatternSet &patterns);
void populateResizePatterns(mlir::RewritePatternSet &patterns);
void populateTopKPatterns(mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(mlir::RewritePatternSet &patterns);
void populateNarrowCastPatterns(mlir::RewritePatternSet &patterns);
void populateQuantizationPatterns(mlir::RewritePatternSet &patterns);
void populateBitCastPatterns(mlir::RewritePatternSet &patterns);
void populateGridSamplePatterns(mlir::RewritePatternSet &patterns);

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

/// A linalg.generic over `resultType` (parallel loops, identity output map)
/// reading `inputs` through `inputMaps`; `body` gets the input elements and
/// returns the result element (it may use linalg.index and tensor.extract).
mlir::Value buildParallelGeneric(mlir::OpBuilder &builder, mlir::Location loc,
                                 mlir::RankedTensorType resultType,
                                 mlir::ValueRange inputs,
                                 llvm::ArrayRef<mlir::AffineMap> inputMaps,
                                 ScalarBody body);

/// A tensor of `type` filled with `value` (tensor.empty + linalg.fill).
mlir::Value buildFilled(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::TypedAttr value);

/// A float or integer scalar constant of `type`.
mlir::Value scalarConstant(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Type type, double value);

/// The element type that products and sums of `element`s accumulate in: f32
/// for f16 and bf16, whose long sums would round at every step (onnxruntime
/// and numpy accumulate them in f32 too); `element` itself otherwise.
mlir::Type accumulatorType(mlir::Type element);

/// `value` converted elementwise to the float type `element` (extf or
/// truncf); `value` itself when it already has that element type.
mlir::Value convertFloats(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::Type element);

/// Splits dimension `dim` of `value` into (group, size / group), for grouped
/// convolutions.
mlir::Value splitGroups(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, int64_t dim, int64_t group);

/// The initial accumulator of a convolution of `type` [N, F, ...]: `bias`
/// [F] broadcast, or zeros when `bias` is null (LowerConvPool.cpp).
mlir::Value buildConvInit(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::RankedTensorType type, mlir::Value bias);

/// `value` [N, F, ...] plus `bias` [F] along dimension 1
/// (LowerConvPool.cpp).
mlir::Value buildBiasAdd(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, mlir::Value bias);

/// A float convolution with `group` groups as one linalg.generic over
/// (n, g, f, o..., c, k...), accumulating into `init` [N, F, O...]:
///   out[n, g, f, o...] += in[n, g, c, inputIndex(i, o_i, k_i)...]
///                         * weight[g, f, c, k...]   (or [g, c, f, k...]
///                           when !weightOutputChannelsFirst)
/// for an NC... `input` and a weight grouped on dimension 0
/// (LowerConvPool.cpp).
mlir::Value buildGroupedConvGeneric(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    mlir::Value input, mlir::Value weight, mlir::Value init, int64_t group,
    bool weightOutputChannelsFirst,
    llvm::function_ref<mlir::AffineExpr(int64_t, mlir::AffineExpr,
                                        mlir::AffineExpr)>
        inputIndex);

/// Reshape between static shapes with the same element count.
mlir::Value buildReshape(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::Value input, mlir::RankedTensorType resultType);

/// Reduces `inputs[0]` over `axes` (sorted) into a tensor without them,
/// starting from `init`. Further inputs have that reduced shape and are read
/// alongside. `combine` gets (inputs..., accumulator) and returns the new
/// accumulator (LowerReductions.cpp).
mlir::Value buildReduction(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::ValueRange inputs,
                           llvm::ArrayRef<int64_t> axes, mlir::TypedAttr init,
                           ScalarBody combine);

/// An elementwise generic over the shape of `full[0]`: the `full` operands
/// have that shape, the `reduced` ones lack `axes` (as buildReduction
/// leaves them) and repeat along them. `body` gets (full..., reduced...).
mlir::Value buildWithReduced(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::ValueRange full, mlir::ValueRange reduced,
                             llvm::ArrayRef<int64_t> axes, ScalarBody body);

/// Unsigned element types (SignlessTypes.cpp). arith computes on signless
/// integers only: a pattern that computes on a ui* tensor reads it through
/// castToSignless, chooses the unsigned arith ops itself, and returns its
/// result through castFromSignless (to the graph type); after the conversion
/// eraseUnsignedTypes makes every type in the module signless, which turns
/// those casts into no-ops and drops them.
mlir::Type signlessType(mlir::Type type); // ui8 -> i8, tensor<ui8> -> ...
mlir::Value castToSignless(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Value value);
mlir::Value castFromSignless(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::Value value, mlir::Type type);
void eraseUnsignedTypes(mlir::Operation *root);

} // namespace strata::lowering

#endif // STRATA_PASSES_GRAPH_LOWERINGPATTERNS_H
