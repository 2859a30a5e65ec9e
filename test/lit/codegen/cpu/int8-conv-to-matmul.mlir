// An i8 x i8 -> i32 NHWC convolution becomes an im2col copy (a generic
// over (n, oh, ow, kh, kw, c) reading the window element, no divisions)
// collapsed to (N*OH*OW) x (KH*KW*C), times the filter collapsed to
// (KH*KW*C) x F, expanded back. f32 convolutions are not touched.
// RUN: strata-opt %s -split-input-file -strata-int8-conv-to-matmul | FileCheck %s

// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4 * 2, d5)>
// CHECK-LABEL: func.func @conv(
// CHECK: %[[COLS:.*]] = linalg.generic {indexing_maps = [#[[WIN]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<1x9x9x4xi8>) outs(%{{.*}} : tensor<1x4x3x3x3x4xi8>)
// CHECK: %[[A:.*]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<1x4x3x3x3x4xi8> into tensor<12x36xi8>
// CHECK: %[[B:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1, 2], [3]] : tensor<3x3x4x8xi8> into tensor<36x8xi8>
// CHECK: %[[C:.*]] = tensor.collapse_shape %arg2 {{\[\[}}0, 1, 2], [3]] : tensor<1x4x3x8xi32> into tensor<12x8xi32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<12x36xi8>, tensor<36x8xi8>) outs(%[[C]] : tensor<12x8xi32>)
// CHECK: tensor.expand_shape %[[P]] {{\[\[}}0, 1, 2], [3]] output_shape [1, 4, 3, 8]
func.func @conv(%x: tensor<1x9x9x4xi8>, %w: tensor<3x3x4x8xi8>, %init: tensor<1x4x3x8xi32>) -> tensor<1x4x3x8xi32> {
  %0 = linalg.conv_2d_nhwc_hwcf {strides = dense<[2, 2]> : tensor<2xi64>, dilations = dense<[1, 2]> : tensor<2xi64>}
      ins(%x, %w : tensor<1x9x9x4xi8>, tensor<3x3x4x8xi8>) outs(%init : tensor<1x4x3x8xi32>) -> tensor<1x4x3x8xi32>
  return %0 : tensor<1x4x3x8xi32>
}

// -----

// CHECK-LABEL: func.func @f32_conv(
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @f32_conv(%x: tensor<1x9x9x4xf32>, %w: tensor<3x3x4x8xf32>, %init: tensor<1x7x7x8xf32>) -> tensor<1x7x7x8xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {strides = dense<1> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x9x9x4xf32>, tensor<3x3x4x8xf32>) outs(%init : tensor<1x7x7x8xf32>) -> tensor<1x7x7x8xf32>
  return %0 : tensor<1x7x7x8xf32>
}
