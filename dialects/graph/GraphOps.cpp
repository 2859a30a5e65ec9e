//===- GraphOps.cpp - graph dialect operations ----------------------------===//
//
// Op definitions generated from GraphOps.td, and folders. Result type
// inference (which is also each op's verifier) lives in GraphShapes.cpp.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphElementwise.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace strata::graph;

#define GET_OP_CLASSES
#include "dialects/graph/GraphOps.cpp.inc"

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }
