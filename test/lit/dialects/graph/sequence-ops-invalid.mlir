// Verifier errors of graph.top_k and the recurrent layers.
// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @top_k_too_many(%x: tensor<3x5xf32>) -> (tensor<3x6xf32>, tensor<3x6xi64>) {
  // expected-error @+2 {{k = 6 must be in [1, 5], the size of axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %v, %i = graph.top_k %x {k = 6 : i64, axis = 1 : i64} : tensor<3x5xf32> -> tensor<3x6xf32>, tensor<3x6xi64>
  return %v, %i : tensor<3x6xf32>, tensor<3x6xi64>
}

// -----

func.func @top_k_axis(%x: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  // expected-error @+2 {{axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %v, %i = graph.top_k %x {k = 2 : i64, axis = 2 : i64} : tensor<3x5xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

func.func @rnn_weight(%x: tensor<7x2x3xf32>, %w: tensor<1x4x5xf32>, %r: tensor<1x4x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>) {
  // expected-error @+2 {{'w' must be [1,4,3] of 'f32', got [1,4,5] of 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %yh = graph.rnn %x, %w, %r {hidden_size = 4 : i64, activations = ["Tanh"]} : (tensor<7x2x3xf32>, tensor<1x4x5xf32>, tensor<1x4x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh : tensor<7x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

func.func @gru_direction(%x: tensor<7x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>) {
  // expected-error @+2 {{direction 'sideways' is not one of forward, reverse, bidirectional}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %yh = graph.gru %x, %w, %r {hidden_size = 4 : i64, direction = "sideways", activations = ["Sigmoid", "Tanh"]} : (tensor<7x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh : tensor<7x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

func.func @lstm_activations(%x: tensor<7x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  // expected-error @+2 {{activation "Elu" is not one of Sigmoid, Tanh, Relu}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %yh, %yc = graph.lstm %x, %w, %r {hidden_size = 4 : i64, activations = ["Sigmoid", "Elu", "Tanh"]} : (tensor<7x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh, %yc : tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

func.func @lstm_peepholes(%x: tensor<7x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %p: tensor<1x16xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  // expected-error @+2 {{'p' must be [1,12] of 'f32', got [1,16] of 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %yh, %yc = graph.lstm %x, %w, %r peepholes %p {hidden_size = 4 : i64, activations = ["Sigmoid", "Tanh", "Tanh"]} : (tensor<7x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x16xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh, %yc : tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}
