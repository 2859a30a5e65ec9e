// Round trip of graph.conv_transpose and graph.resize.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @conv_transpose
func.func @conv_transpose(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> (tensor<1x4x11x11xf32>, tensor<1x4x10x10xf32>) {
  // CHECK: graph.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x11x11xf32>
  %0 = graph.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x11x11xf32>
  // CHECK: graph.conv_transpose %{{.*}}, %{{.*}} {{{.*}}output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>{{.*}}} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x10x10xf32>
  %1 = graph.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x10x10xf32>
  return %0, %1 : tensor<1x4x11x11xf32>, tensor<1x4x10x10xf32>
}

// CHECK-LABEL: func @conv_transpose_1d
func.func @conv_transpose_1d(%x: tensor<2x3x7xf32>, %w: tensor<3x5x2xf32>) -> tensor<2x5x8xf32> {
  // CHECK: graph.conv_transpose {{.*}} -> tensor<2x5x8xf32>
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, output_padding = array<i64: 0>, group = 1 : i64} : (tensor<2x3x7xf32>, tensor<3x5x2xf32>) -> tensor<2x5x8xf32>
  return %0 : tensor<2x5x8xf32>
}

// CHECK-LABEL: func @resize
func.func @resize(%x: tensor<1x3x4x4xf32>, %i: tensor<2x5xui8>) -> (tensor<1x3x8x8xf32>, tensor<1x3x3x6xf32>, tensor<4x3xui8>) {
  // CHECK: graph.resize %{{.*}} {coordinate_transformation_mode = "half_pixel", mode = "linear", scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>, sizes = array<i64: 1, 3, 8, 8>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  %0 = graph.resize %x {sizes = array<i64: 1, 3, 8, 8>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = "linear", coordinate_transformation_mode = "half_pixel"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  // CHECK: graph.resize %{{.*}} {coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = true, extrapolation_value = 1.000000e+01 : f32, mode = "cubic", roi = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00>
  %1 = graph.resize %x {sizes = array<i64: 1, 3, 3, 6>, scales = array<f32: 1.0, 1.0, 0.75, 1.5>, mode = "cubic", coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -0.5 : f32, exclude_outside = true, extrapolation_value = 10.0 : f32, roi = array<f32: 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0>} : tensor<1x3x4x4xf32> -> tensor<1x3x3x6xf32>
  // CHECK: graph.resize %{{.*}} {coordinate_transformation_mode = "asymmetric", mode = "nearest", nearest_mode = "simple", {{.*}}} : tensor<2x5xui8> -> tensor<4x3xui8>
  %2 = graph.resize %i {sizes = array<i64: 4, 3>, scales = array<f32: 2.0, 0.6>, mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "simple"} : tensor<2x5xui8> -> tensor<4x3xui8>
  return %0, %1, %2 : tensor<1x3x8x8xf32>, tensor<1x3x3x6xf32>, tensor<4x3xui8>
}
