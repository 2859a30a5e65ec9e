// Round trip of graph.top_k, graph.rnn, graph.gru and graph.lstm.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @top_k
func.func @top_k(%x: tensor<3x5xf32>, %i: tensor<6xi32>) -> (tensor<3x2xf32>, tensor<3x2xi64>, tensor<2xi32>, tensor<2xi64>) {
  // CHECK: %{{.*}}, %{{.*}} = graph.top_k %{{.*}} {axis = 1 : i64, k = 2 : i64} : tensor<3x5xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  %v, %idx = graph.top_k %x {k = 2 : i64, axis = 1 : i64} : tensor<3x5xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  // CHECK: graph.top_k %{{.*}} {axis = 0 : i64, k = 2 : i64, largest = false, sorted = false} : tensor<6xi32> -> tensor<2xi32>, tensor<2xi64>
  %v2, %idx2 = graph.top_k %i {k = 2 : i64, axis = 0 : i64, largest = false, sorted = false} : tensor<6xi32> -> tensor<2xi32>, tensor<2xi64>
  return %v, %idx, %v2, %idx2 : tensor<3x2xf32>, tensor<3x2xi64>, tensor<2xi32>, tensor<2xi64>
}

// CHECK-LABEL: func @rnn
func.func @rnn(%x: tensor<7x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %b: tensor<1x8xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>) {
  // CHECK: graph.rnn %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {activations = ["Tanh"], hidden_size = 4 : i64{{.*}}} : (tensor<7x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<1x8xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>)
  %y, %yh = graph.rnn %x, %w, %r bias %b {hidden_size = 4 : i64, activations = ["Tanh"]} : (tensor<7x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<1x8xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh : tensor<7x1x2x4xf32>, tensor<1x2x4xf32>
}

// CHECK-LABEL: func @gru
func.func @gru(%x: tensor<7x2x3xf32>, %w: tensor<2x12x3xf32>, %r: tensor<2x12x4xf32>, %h: tensor<2x2x4xf32>) -> (tensor<7x2x2x4xf32>, tensor<2x2x4xf32>) {
  // CHECK: graph.gru %{{.*}}, %{{.*}}, %{{.*}} initial_h %{{.*}} {activations = ["Sigmoid", "Tanh", "Sigmoid", "Tanh"], clip = 3.000000e+00 : f32, direction = "bidirectional", hidden_size = 4 : i64, linear_before_reset = true{{.*}}}
  %y, %yh = graph.gru %x, %w, %r initial_h %h {hidden_size = 4 : i64, direction = "bidirectional", activations = ["Sigmoid", "Tanh", "Sigmoid", "Tanh"], clip = 3.0 : f32, linear_before_reset = true} : (tensor<7x2x3xf32>, tensor<2x12x3xf32>, tensor<2x12x4xf32>, tensor<2x2x4xf32>) -> (tensor<7x2x2x4xf32>, tensor<2x2x4xf32>)
  return %y, %yh : tensor<7x2x2x4xf32>, tensor<2x2x4xf32>
}

// CHECK-LABEL: func @lstm
func.func @lstm(%x: tensor<7x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %b: tensor<1x32xf32>, %h: tensor<1x2x4xf32>, %c: tensor<1x2x4xf32>, %p: tensor<1x12xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  // CHECK: graph.lstm %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} initial_h %{{.*}} initial_c %{{.*}} peepholes %{{.*}} {activations = ["Sigmoid", "Tanh", "Tanh"], direction = "reverse", hidden_size = 4 : i64{{.*}}}
  %y, %yh, %yc = graph.lstm %x, %w, %r bias %b initial_h %h initial_c %c peepholes %p {hidden_size = 4 : i64, direction = "reverse", activations = ["Sigmoid", "Tanh", "Tanh"]} : (tensor<7x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x32xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x12xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  // CHECK: graph.lstm %{{.*}}, %{{.*}}, %{{.*}} initial_c %{{.*}} {activations
  %y2, %yh2, %yc2 = graph.lstm %x, %w, %r initial_c %c {hidden_size = 4 : i64, activations = ["Sigmoid", "Tanh", "Tanh"]} : (tensor<7x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x2x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh, %yc2 : tensor<7x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}
