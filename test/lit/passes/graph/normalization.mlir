// convert-graph-to-linalg of the normalizations: reductions of the sum and
// of the squared deviations, a generic standardizing with both, then scale
// and bias as a broadcasting generic.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// CHECK-DAG: #[[FULL:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func @layer_norm
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROWS]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROWS]], #[[ROWS]]], iterator_types = ["parallel", "reduction", "reduction"]} ins(%{{.*}}, %[[SUM]]
// CHECK:   arith.constant 1.200000e+01 : f32
// CHECK:   arith.subf
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: %[[NORM:.*]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROWS]], #[[ROWS]], #[[FULL]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}}, %[[SUM]], %[[SQ]]
// CHECK:   arith.constant 9.99999974E-6 : f32
// CHECK:   math.sqrt
// CHECK:   arith.divf
// CHECK: linalg.generic {indexing_maps = [#[[FULL]], #[[LAST]], #[[FULL]]], {{.*}} ins(%[[NORM]], %{{.*}} : tensor<2x3x4xf32>, tensor<3x4xf32>)
// CHECK:   arith.mulf
// CHECK-NOT: arith.addf
// CHECK: return
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = graph.layer_norm %x, %s {axis = 1, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// instance_norm: statistics per (n, c) over the spatial dims; scale and
// bias reshaped to [C, 1, 1].
// CHECK-DAG: #[[NC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @instance_norm
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[NC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [3, 1, 1] : tensor<3xf32> into tensor<3x1x1xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #{{.*}}]
// CHECK:   arith.mulf
// CHECK:   arith.addf
func.func @instance_norm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %0 = graph.instance_norm %x, %s, %b {epsilon = 1.0e-5 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// group_norm: [2, 6, 5] viewed as [2, 3, 2, 5] (3 groups of 2 channels);
// per-group scale / bias are [3, 1, 1], per-channel ones [3, 2, 1], read
// with their broadcast unit dims collapsed away.
// CHECK-DAG: #[[GROUP:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[CHAN:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-LABEL: func @group_norm_per_group
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 3, 2, 5]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[GROUP]], #[[GROUP]], #{{.*}}]
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 6, 5]
func.func @group_norm_per_group(%x: tensor<2x6x5xf32>, %g: tensor<3xf32>) -> tensor<2x6x5xf32> {
  %0 = graph.group_norm %x, %g, %g {num_groups = 3, epsilon = 1.0e-5 : f32} : (tensor<2x6x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x6x5xf32>
  return %0 : tensor<2x6x5xf32>
}

// CHECK-LABEL: func @group_norm_per_channel
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [3, 2, 1] : tensor<6xf32> into tensor<3x2x1xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CHAN]], #[[CHAN]], #{{.*}}]
func.func @group_norm_per_channel(%x: tensor<2x6x5xf32>, %c: tensor<6xf32>) -> tensor<2x6x5xf32> {
  %0 = graph.group_norm %x, %c, %c {num_groups = 3, epsilon = 1.0e-5 : f32} : (tensor<2x6x5xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x5xf32>
  return %0 : tensor<2x6x5xf32>
}

// -----

// lp_norm (p = 2): x / sqrt(sum(x * x)) along the axis.
// CHECK-LABEL: func @lp_norm
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[SUM]]
// CHECK:   math.sqrt
// CHECK:   arith.divf
func.func @lp_norm(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = graph.lp_norm %x {axis = 0, p = 2} : tensor<3x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// log_softmax: max, sum(exp(x - max)), then x - max - log(sum).
// CHECK-LABEL: func @log_softmax
// CHECK: %[[MAX:.*]] = linalg.generic
// CHECK:   arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]]
// CHECK:   math.exp
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]], %[[SUM]]
// CHECK:   arith.subf
// CHECK:   math.log
// CHECK:   arith.subf
func.func @log_softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = graph.log_softmax %x {axis = 1} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// hardmax: arg_max's index (first of ties) compared with the position.
// CHECK-LABEL: func @hardmax
// CHECK: %[[ARG:.*]]:2 = linalg.generic
// CHECK:   arith.cmpf ogt
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[ARG]]#1 : tensor<2x3xf32>, tensor<2xi64>)
// CHECK:   %[[P:.*]] = linalg.index 1 : index
// CHECK:   %[[P64:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK:   arith.cmpi eq, %[[P64]]
// CHECK:   arith.select
func.func @hardmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = graph.hardmax %x {axis = 1} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
