// A constant K x N right-hand side is packed into [N/n-tile][K][n-tile]
// panels: the n loop splits into (n1, n0), B is read at (n1, k, n0) and the
// output is expanded to (.., N/n-tile, n-tile) and collapsed back. One
// packed copy serves every contraction reading the same constant. Operands
// that are not constants, and N not a multiple of n-tile, stay.
// RUN: strata-opt %s -split-input-file -strata-pack-constant-rhs="n-tile=4" | FileCheck %s

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: %[[X:.*]]: tensor<3x2xf32>, %[[INIT:.*]]: tensor<3x8xf32>
// CHECK: %[[P:.*]] = arith.constant dense<{{\[\[\[}}0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00], [8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01]], {{\[\[}}4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00], [1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01]]]> : tensor<2x2x4xf32>
// CHECK-NOT: tensor<2x8xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[INIT]] {{\[\[}}0], [1, 2]] output_shape [3, 2, 4] : tensor<3x8xf32> into tensor<3x2x4xf32>
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[P]] : tensor<3x2xf32>, tensor<2x2x4xf32>) outs(%[[E]] : tensor<3x2x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2]] : tensor<3x2x4xf32> into tensor<3x8xf32>
// CHECK: %[[G2:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[P]] :
// CHECK: return %[[R]]
func.func @matmul(%x: tensor<3x2xf32>, %init: tensor<3x8xf32>) -> (tensor<3x8xf32>, tensor<3x8xf32>) {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
                             [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]]> : tensor<2x8xf32>
  %0 = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x8xf32>) outs(%init : tensor<3x8xf32>) -> tensor<3x8xf32>
  %1 = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x8xf32>) outs(%init : tensor<3x8xf32>) -> tensor<3x8xf32>
  return %0, %1 : tensor<3x8xf32>, tensor<3x8xf32>
}

// -----

// A batched activation times a weight matrix (BERT's projections).
// CHECK-DAG: #[[A3:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>
// CHECK-DAG: #[[B3:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d4, d3)>
// CHECK-DAG: #[[C3:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @batched(
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] output_shape [1, 3, 2, 4] : tensor<1x3x8xf32> into tensor<1x3x2x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[A3]], #[[B3]], #[[C3]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: tensor.collapse_shape
#lhs = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#rhs = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
#out = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @batched(%x: tensor<1x3x2xf32>, %init: tensor<1x3x8xf32>) -> tensor<1x3x8xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
                             [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]]> : tensor<2x8xf32>
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<1x3x2xf32>, tensor<2x8xf32>) outs(%init : tensor<1x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x3x8xf32>
  return %0 : tensor<1x3x8xf32>
}

// -----

// CHECK-LABEL: func.func @stays(
// CHECK-NOT: expand_shape
// CHECK: linalg.matmul
// CHECK: linalg.matmul
func.func @stays(%x: tensor<3x2xf32>, %y: tensor<2x8xf32>, %init: tensor<3x8xf32>, %init6: tensor<3x6xf32>) -> (tensor<3x8xf32>, tensor<3x6xf32>) {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
                             [8.0, 9.0, 10.0, 11.0, 12.0, 13.0]]> : tensor<2x6xf32>
  %0 = linalg.matmul ins(%x, %y : tensor<3x2xf32>, tensor<2x8xf32>) outs(%init : tensor<3x8xf32>) -> tensor<3x8xf32>
  %1 = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x6xf32>) outs(%init6 : tensor<3x6xf32>) -> tensor<3x6xf32>
  return %0, %1 : tensor<3x8xf32>, tensor<3x6xf32>
}
