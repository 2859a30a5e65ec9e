//===- NarrowTypes.h - storage of float8 / 4-bit / 2-bit tensors -*- C++ -*-===//
//
// ONNX's narrow types (graph::isNarrowElementType: f8E4M3FN f8E4M3FNUZ
// f8E5M2 f8E5M2FNUZ f8E8M0FNU f4E2M1FN i4 ui4 i2 ui2) are stored one element
// per byte, the bit pattern in the low bits and zeros above
// (strata/model_abi.h). LLVM has no arithmetic on them, and memrefs of i4
// would be laid out by LLVM's own rules, so the lowering computes on that
// storage byte:
//
//  * a pattern reads a narrow tensor through castToStorage (a
//    builtin.unrealized_conversion_cast to the i8 tensor of the same shape;
//    tensor.bitcast needs equal bit widths) and returns its result through
//    castFromStorage, so that users still see the graph type;
//  * after the conversion, eraseNarrowTypes rewrites every narrow type left
//    in the module (function signatures, constants and their data) to i8,
//    which makes those casts no-ops, and drops them.
//
// Only casts and (de)quantization compute on narrow tensors
// (LowerNarrowCast.cpp, LowerQuantization.cpp); constants,
// function arguments and results just carry them.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_PASSES_GRAPH_NARROWTYPES_H
#define STRATA_PASSES_GRAPH_NARROWTYPES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace strata::lowering {

/// `type` with a narrow element type replaced by i8 (tensors too), or
/// `type`.
mlir::Type storageType(mlir::Type type);

/// `value` (a tensor) as the i8 tensor of its storage; the signless tensor
/// for other types (castToSignless).
mlir::Value castToStorage(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value value);

/// The storage tensor `value` as a tensor of graph type `type`.
mlir::Value castFromStorage(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::Value value, mlir::Type type);

/// Rewrites the narrow types left in `root` to i8 storage (dense data to
/// their storage bytes) and drops the casts that then connect equal types.
/// Runs before eraseUnsignedTypes (ui4 and i4 data differ).
void eraseNarrowTypes(mlir::Operation *root);

} // namespace strata::lowering

#endif // STRATA_PASSES_GRAPH_NARROWTYPES_H
