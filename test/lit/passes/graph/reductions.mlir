// convert-graph-to-linalg of reductions, arg-reductions, cumsum and einsum.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// One generic reduces both axes into a rank-1 accumulator; the mean divides
// it by 12; keepdims is an expand_shape.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func @reduce_mean_keepdims
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<2x3x4xf32>) outs(%[[ZERO]] : tensor<2xf32>)
// CHECK:   arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK:   arith.constant 1.200000e+01 : f32
// CHECK:   arith.divf
// CHECK: tensor.expand_shape %[[MEAN]] {{\[\[}}0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK-NOT: graph.
func.func @reduce_mean_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  %0 = graph.reduce_mean %x {axes = array<i64: 1, 2>} : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// log-sum-exp: the maximum first (from -inf), then sum(exp(x - max)), then
// log(sum) + max.
// CHECK-LABEL: func @reduce_log_sum_exp
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: %[[MAX:.*]] = linalg.generic
// CHECK:   arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]] : tensor<2x3xf32>, tensor<2xf32>)
// CHECK:   arith.subf
// CHECK:   math.exp
// CHECK:   arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[MAX]] : tensor<2xf32>, tensor<2xf32>)
// CHECK:   math.log
// CHECK:   arith.addf
func.func @reduce_log_sum_exp(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = graph.reduce_log_sum_exp %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Integer product: starts from 1, multiplies with muli.
// CHECK-LABEL: func @reduce_prod_int
// CHECK: arith.constant 1 : i64
// CHECK: linalg.generic
// CHECK:   arith.muli
func.func @reduce_prod_int(%x: tensor<2x3xi64>) -> tensor<3xi64> {
  %0 = graph.reduce_prod %x {axes = array<i64: 0>, keepdims = false} : tensor<2x3xi64> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// arg_min with select_last_index: (value, index) carried in two outputs;
// `<=` lets a later equal element win.
// CHECK-LABEL: func @arg_min_last
// CHECK: arith.constant 2147483647 : i32
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<2x3xi32>) outs(%{{.*}}, %{{.*}} : tensor<2xi32>, tensor<2xi64>)
// CHECK:   %[[BETTER:.*]] = arith.cmpi sle
// CHECK:   %[[I:.*]] = linalg.index 1 : index
// CHECK:   %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK:   arith.select %[[BETTER]], %[[I64]]
// CHECK: return %[[R]]#1
func.func @arg_min_last(%x: tensor<2x3xi32>) -> tensor<2xi64> {
  %0 = graph.arg_min %x {axis = 1 : i64, keepdims = false, select_last_index = true} : tensor<2x3xi32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// cumsum: loops (d0, d1, s); source s is added to element d1 when s < d1
// (exclusive, forward).
// CHECK-DAG: #[[SRC:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[DST:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @cumsum_exclusive
// CHECK: linalg.generic {indexing_maps = [#[[SRC]], #[[DST]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:   %[[S:.*]] = linalg.index 2 : index
// CHECK:   %[[D:.*]] = linalg.index 1 : index
// CHECK:   arith.cmpi slt, %[[S]], %[[D]] : index
// CHECK:   arith.select
// CHECK:   arith.addf
func.func @cumsum_exclusive(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = graph.cumsum %x {axis = 1 : i64, exclusive = true} : tensor<2x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// einsum: output letters b, i, k are the parallel loops, j the reduction;
// the size-1 batch of the rhs is read at 0.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @einsum_batch_matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:   arith.mulf
// CHECK:   arith.addf
func.func @einsum_batch_matmul(%a: tensor<2x3x4xf32>, %b: tensor<1x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = graph.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<1x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// A repeated letter reads the diagonal: trace.
// CHECK-DAG: #[[DIAG:.*]] = affine_map<(d0) -> (d0, d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @einsum_trace
// CHECK: linalg.generic {indexing_maps = [#[[DIAG]], #[[SCALAR]]], iterator_types = ["reduction"]}
func.func @einsum_trace(%a: tensor<4x4xf32>) -> tensor<f32> {
  %0 = graph.einsum %a {equation = "ii->"} : (tensor<4x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
