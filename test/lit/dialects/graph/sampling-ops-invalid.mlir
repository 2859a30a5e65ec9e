// Verifier errors of graph.grid_sample and graph.bitcast.
// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @grid_last_dim(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x3xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{grid [1,4,4,3] must be (N, O..., 2) for input [1,3,8,8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.grid_sample %x, %g {mode = "linear", padding_mode = "zeros"} : (tensor<1x3x8x8xf32>, tensor<1x4x4x3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @grid_mode(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{mode must be linear, nearest or cubic, got 'bilinear'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.grid_sample %x, %g {mode = "bilinear", padding_mode = "zeros"} : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @grid_padding(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{padding_mode must be zeros, border or reflection, got 'wrap'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.grid_sample %x, %g {mode = "linear", padding_mode = "wrap"} : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @bitcast_size(%x: tensor<4xf32>) -> tensor<4xi64> {
  // expected-error @+2 {{cannot bitcast 'f32' to 'i64': the element sizes differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.bitcast %x {to = i64} : tensor<4xf32> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}
