//===- GraphElementwise.h - type inference of elementwise ops ---*- C++ -*-===//
//
// The helpers that GraphElementwiseOps.td's classes call from their
// generated inferReturnTypes (implemented in GraphElementwiseShapes.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_DIALECTS_GRAPH_GRAPHELEMENTWISE_H
#define STRATA_DIALECTS_GRAPH_GRAPHELEMENTWISE_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/ValueRange.h"
#include <optional>

namespace strata::graph {

/// numpy broadcasting of every operand (at least one). With `sameElement`
/// the operands must share their element type. The result has element type
/// `resultElement`, or the first operand's when null.
llvm::LogicalResult inferElementwise(std::optional<mlir::Location> loc,
                                     mlir::ValueRange operands,
                                     mlir::Type resultElement,
                                     bool sameElement,
                                     llvm::SmallVectorImpl<mlir::Type> &types);

/// `input`'s type, after checking that `other` broadcasts to its shape
/// (ONNX's unidirectional broadcasting, PRelu's slope) with the same
/// element type.
llvm::LogicalResult
inferUnidirectional(std::optional<mlir::Location> loc, mlir::Value input,
                    mlir::Value other,
                    llvm::SmallVectorImpl<mlir::Type> &types);

/// where(condition, x, y): a bool condition, x and y of one element type.
llvm::LogicalResult inferWhere(std::optional<mlir::Location> loc,
                               mlir::Value condition, mlir::Value x,
                               mlir::Value y,
                               llvm::SmallVectorImpl<mlir::Type> &types);

/// cast: `input`'s shape with element type `to`.
llvm::LogicalResult inferCast(std::optional<mlir::Location> loc,
                              mlir::Value input, mlir::TypeAttr to,
                              llvm::SmallVectorImpl<mlir::Type> &types);

/// An element type that graph tensors of values may have (every supported
/// type but the quantized ones): f16 bf16 f32 f64, i8..i64, ui8..ui64, i1.
bool isValueElementType(mlir::Type type);

/// ONNX's float8 / float4 types and 4-bit / 2-bit integers (f8E4M3FN
/// f8E4M3FNUZ f8E5M2 f8E5M2FNUZ f8E8M0FNU f4E2M1FN i4 ui4 i2 ui2): tensors of
/// them are only constants, function arguments / results and casts.
bool isNarrowElementType(mlir::Type type);

} // namespace strata::graph

#endif // STRATA_DIALECTS_GRAPH_GRAPHELEMENTWISE_H
