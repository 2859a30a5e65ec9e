//===- Signature.h - a model's inputs and outputs ---------------*- C++ -*-===//
#ifndef STRATA_LIB_DRIVER_SIGNATURE_H
#define STRATA_LIB_DRIVER_SIGNATURE_H

#include "codegen/cpu/ModelAbi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace strata {

/// Reads names ("graph.name" argument/result attributes), dtypes and shapes
/// of the imported entry function. Emits an error naming the input or
/// output for what ABI version 1 cannot describe (dynamic dims, dtypes
/// without a strata_dtype).
mlir::FailureOr<ModelSignature> extractSignature(mlir::func::FuncOp main,
                                                 llvm::StringRef modelName);

} // namespace strata

#endif // STRATA_LIB_DRIVER_SIGNATURE_H
