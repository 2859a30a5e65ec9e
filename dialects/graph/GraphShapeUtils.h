//===- GraphShapeUtils.h - helpers of graph op type inference ---*- C++ -*-===//
//
// Shared by the inferReturnTypes implementations (GraphShapes.cpp and the
// per-family *Shapes.cpp files), so every op words shapes the same way.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_DIALECTS_GRAPH_GRAPHSHAPEUTILS_H
#define STRATA_DIALECTS_GRAPH_GRAPHSHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include <optional>
#include <string>

namespace strata::graph {

/// "[1,?,3]" for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The ranked tensor type of `value`, or null (also for a null value).
mlir::RankedTensorType rankedOf(mlir::Value value);

/// numpy broadcasting of two shapes. Returns false if they do not broadcast.
bool broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                     llvm::SmallVectorImpl<int64_t> &out);

/// Checks that `axis` is in [0, rank): "axis 3 is out of range [0, 2)".
llvm::LogicalResult checkAxis(std::optional<mlir::Location> loc, int64_t axis,
                              int64_t rank);

} // namespace strata::graph

#endif // STRATA_DIALECTS_GRAPH_GRAPHSHAPEUTILS_H
