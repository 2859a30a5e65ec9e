//===- GraphDialect.h - the graph dialect -----------------------*- C++ -*-===//
#ifndef STRATA_DIALECTS_GRAPH_GRAPHDIALECT_H
#define STRATA_DIALECTS_GRAPH_GRAPHDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/graph/GraphOpsDialect.h.inc"

#endif // STRATA_DIALECTS_GRAPH_GRAPHDIALECT_H
