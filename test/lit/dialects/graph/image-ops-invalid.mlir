// Verifier errors of graph.conv_transpose and graph.resize.
// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @conv_transpose_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  // expected-error @+2 {{input has 4 channels but the weight's dimension 0 is 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

func.func @conv_transpose_strides(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  // expected-error @+2 {{'strides' must have 2 values, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

func.func @conv_transpose_pads(%x: tensor<1x4x2x2xf32>, %w: tensor<4x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+2 {{pads [1,1,1,1] leave no output from input [1,4,2,2] and kernel [1,1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<4x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

func.func @resize_mode(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{mode 'area' is not one of nearest, linear, cubic}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.resize %x {sizes = array<i64: 1, 1, 8, 8>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = "area", coordinate_transformation_mode = "half_pixel"} : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

func.func @resize_transform(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{coordinate_transformation_mode 'center' is not one of half_pixel}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.resize %x {sizes = array<i64: 1, 1, 8, 8>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = "linear", coordinate_transformation_mode = "center"} : tensor<1x1x4x4xf32> -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

func.func @resize_scales(%x: tensor<4x4xf32>) -> tensor<8x8xf32> {
  // expected-error @+2 {{'scales' must have 2 positive values}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.resize %x {sizes = array<i64: 8, 8>, scales = array<f32: 2.0, 0.0>, mode = "nearest", coordinate_transformation_mode = "asymmetric"} : tensor<4x4xf32> -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

func.func @resize_linear_integers(%x: tensor<4x4xi32>) -> tensor<8x8xi32> {
  // expected-error @+2 {{mode 'linear' needs a floating-point input, got 'i32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.resize %x {sizes = array<i64: 8, 8>, scales = array<f32: 2.0, 2.0>, mode = "linear", coordinate_transformation_mode = "asymmetric"} : tensor<4x4xi32> -> tensor<8x8xi32>
  return %0 : tensor<8x8xi32>
}

// -----

func.func @resize_roi(%x: tensor<4x4xf32>) -> tensor<8x8xf32> {
  // expected-error @+2 {{tf_crop_and_resize needs a 'roi' of 4 values}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.resize %x {sizes = array<i64: 8, 8>, scales = array<f32: 2.0, 2.0>, mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize"} : tensor<4x4xf32> -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}
