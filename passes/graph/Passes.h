//===- Passes.h - graph-level passes ----------------------------*- C++ -*-===//
#ifndef STRATA_PASSES_GRAPH_PASSES_H
#define STRATA_PASSES_GRAPH_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace strata {

std::unique_ptr<mlir::Pass> createConvertGraphToLinalgPass();

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "passes/graph/Passes.h.inc"

} // namespace strata

#endif // STRATA_PASSES_GRAPH_PASSES_H
