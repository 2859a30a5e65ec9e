// convert-graph-to-linalg of graph.conv_transpose: the input spread by the
// strides into a zero tensor (strided insert_slice), then one grouped
// linalg.generic convolution whose input map flips the kernel.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + -d6 + 2, d4 + -d7 + 2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, d6, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @strided_grouped
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<1x4x8x8xf32>
// CHECK: %[[SPREAD:.*]] = tensor.insert_slice %{{.*}} into %[[ZERO]][0, 0, 2, 2] [1, 4, 3, 3] [1, 1, 2, 2]
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x6x6xf32>)
// CHECK: %[[X:.*]] = tensor.expand_shape %[[SPREAD]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 8]
// CHECK: %[[WT:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 2, 1, 3, 3]
// CHECK: %[[INIT:.*]] = tensor.expand_shape %[[BIAS]]
// CHECK: %[[CONV:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[X]], %[[WT]] : {{.*}}) outs(%[[INIT]] : tensor<1x2x1x6x6xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[CONV]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x1x6x6xf32> into tensor<1x2x6x6xf32>
// CHECK-NOT: graph.
func.func @strided_grouped(%x: tensor<1x4x3x3xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x6x6xf32> {
  %0 = graph.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, output_padding = array<i64: 0, 0>, group = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<4x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Pads beyond the kernel's reach crop the spread input (a slice).
// CHECK-LABEL: func @crop_1d
// CHECK: %[[SPREAD:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0] [1, 2, 4] [1, 1, 3] : tensor<1x2x4xf32> into tensor<1x2x11xf32>
// CHECK: tensor.extract_slice %[[SPREAD]][0, 0, 1] [1, 2, 10] [1, 1, 1] : tensor<1x2x11xf32> to tensor<1x2x10xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x3x9xf32>)
func.func @crop_1d(%x: tensor<1x2x4xf32>, %w: tensor<2x3x2xf32>) -> tensor<1x3x9xf32> {
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 3>, dilations = array<i64: 1>, pads = array<i64: 2, 1>, output_padding = array<i64: 1>, group = 1 : i64} : (tensor<1x2x4xf32>, tensor<2x3x2xf32>) -> tensor<1x3x9xf32>
  return %0 : tensor<1x3x9xf32>
}
