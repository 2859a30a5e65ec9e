//===- QuantizedTypes.h - storage of quantized element types ----*- C++ -*-===//
//
// The one table of what a quantized element type can hold: which element
// types graph.quantize_linear may produce, and each one's range. The
// verifier (GraphQuantizationShapes.cpp) and the lowering
// (passes/graph/LowerQuantization.cpp: rounding and saturation) both read
// it, so a new quantized type (float8, int4, ...) is one entry here, one
// case in the lowering's rounding and its name in the op's ODS type list.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_DIALECTS_GRAPH_QUANTIZEDTYPES_H
#define STRATA_DIALECTS_GRAPH_QUANTIZEDTYPES_H

#include "mlir/IR/Types.h"
#include <cstdint>
#include <optional>

namespace strata::graph {

/// How a quantized element type stores a value.
struct QuantizedStorage {
  enum class Kind {
    /// Round half to even, then clamp to [min, max] (ONNX saturation).
    Integer,
    /// A float8 / float4 type (`element`): the value converted to it,
    /// rounding to nearest even (saturating as the op's `saturate` says;
    /// float4 always saturates).
    Float,
  };
  Kind kind;
  bool isSigned; ///< signless graph integers are ONNX's signed types
  unsigned width;
  int64_t min, max; ///< Integer only
};

/// The storage of `element` when graph.quantize_linear may produce it (ONNX
/// int8, uint8, int16, uint16, int4, uint4, int2, uint2, float8e4m3fn(uz),
/// float8e5m2(fnuz), float4e2m1), else nullopt.
std::optional<QuantizedStorage> getQuantizedStorage(mlir::Type element);

} // namespace strata::graph

#endif // STRATA_DIALECTS_GRAPH_QUANTIZEDTYPES_H
