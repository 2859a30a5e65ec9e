// 1-D and 3-D convolution and pooling, integer max pooling, pooling with
// dilations, f16 convolution in f32.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// A 1-D convolution is the 2-D one over an N,C,1,W view.
// CHECK-LABEL: func @conv1d
// CHECK: tensor.expand_shape %arg0 {{\[\[}}0], [1], [2, 3]] {{.*}} into tensor<1x2x1x8xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 1] high[0, 0, 0, 0]
// CHECK: tensor.expand_shape %arg1 {{.*}} into tensor<4x2x1x3xf32>
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x4x4xf32>
func.func @conv1d(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x4xf32> {
  %0 = graph.conv %x, %w {strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 1, 0>, group = 1} : (tensor<1x2x8xf32>, tensor<4x2x3xf32>) -> tensor<1x4x4xf32>
  return %0 : tensor<1x4x4xf32>
}

// -----

// A grouped 3-D f16 convolution: operands widened to f32, one generic over
// (n, g, f, od, oh, ow, c, kd, kh, kw), the result rounded back to f16.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d6, d3 + d7 * 2, d4 + d8, d5 + d9)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d1, d2, d6, d7, d8, d9)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: func @conv3d_f16
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins({{.*}} : tensor<1x2x2x7x5x5xf32>, tensor<2x1x2x3x3x3xf32>) outs({{.*}} : tensor<1x2x1x3x3x3xf32>)
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x3x3x3xf32>
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @conv3d_f16(%x: tensor<1x4x7x5x5xf16>, %w: tensor<2x2x3x3x3xf16>) -> tensor<1x2x3x3x3xf16> {
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 2, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, group = 2} : (tensor<1x4x7x5x5xf16>, tensor<2x2x3x3x3xf16>) -> tensor<1x2x3x3x3xf16>
  return %0 : tensor<1x2x3x3x3xf16>
}

// -----

// Unsigned max pooling: padding and initial value 0, arith.maxui.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 * 2 + d3)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func @max_pool_1d_u8
// CHECK: tensor.pad %{{.*}} low[0, 0, 1] high[0, 0, 0]
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:   arith.maxui
func.func @max_pool_1d_u8(%x: tensor<1x1x5xui8>) -> tensor<1x1x3xui8> {
  %0 = graph.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 1, 0>} : tensor<1x1x5xui8> -> tensor<1x1x3xui8>
  return %0 : tensor<1x1x3xui8>
}

// -----

// Signed 8-bit max pooling pads with -128.
// CHECK-LABEL: func @max_pool_i8
// CHECK: arith.constant -128 : i8
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK:   arith.maxsi
func.func @max_pool_i8(%x: tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8> {
  %0 = graph.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : tensor<1x1x4x4xi8> -> tensor<1x1x4x4xi8>
  return %0 : tensor<1x1x4x4xi8>
}

// -----

// 3-D average pooling with dilations: the window reads every other cell;
// the counts (8 cells each here) follow the dilated windows.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 + d5 * 2, d3 + d6 * 2, d4 + d7 * 2)>
// CHECK-LABEL: func @average_pool_3d_dilated
// CHECK: linalg.generic {indexing_maps = [#[[IN]], {{.*}}]
// CHECK:   arith.addf
// CHECK: arith.constant dense<8.000000e+00> : tensor<2x2x2xf32>
// CHECK: arith.divf
func.func @average_pool_3d_dilated(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x2x2x2xf32> {
  %0 = graph.average_pool %x {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 2, 2, 2>} : tensor<1x1x4x4x4xf32> -> tensor<1x1x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2xf32>
}

// -----

// 2-D average pooling with dilations keeps the named op; a padded cell is
// not counted: the first window of [0, 2) dilated by 2 over a row padded by
// one reads cells -1 and 1.
// CHECK-LABEL: func @average_pool_2d_dilated
// CHECK: linalg.pooling_nchw_sum {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 1.000000e+00], [2.000000e+00, 4.000000e+00, 2.000000e+00], [1.000000e+00, 2.000000e+00, 1.000000e+00]]>
func.func @average_pool_2d_dilated(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = graph.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>} : tensor<1x1x3x3xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}
