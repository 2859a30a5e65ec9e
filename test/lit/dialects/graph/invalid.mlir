// Verifier errors of graph ops (ONNX's rules, checked by type inference;
// the InferTypeOpInterface verifier adds "failed to infer returned types").
// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{shapes [2,3] and [4] do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @element_types(%a: tensor<2xf32>, %b: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+2 {{operand element types differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.mul %a, %b : (tensor<2xf32>, tensor<2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @wrong_result(%a: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.relu %a : tensor<2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @relu_unsigned(%a: tensor<2xui8>) -> tensor<2xui8> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.relu %a : tensor<2xui8> -> tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

func.func @matmul_k(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{contraction sizes differ: lhs [2,3] and rhs [4,5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @gemm_c(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<4xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{'c' of shape [4] does not broadcast to [2,5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<4xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @conv_kernel(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x7x7xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+2 {{kernel [7,7] with dilations [1,1] does not fit the padded input [1,3,4,4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1} : (tensor<1x3x4x4xf32>, tensor<2x3x7x7xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

func.func @conv_group(%x: tensor<1x4x4x4xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{weight has 3 filters, not a multiple of group 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2} : (tensor<1x4x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @conv_strides(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+2 {{'strides' values must be positive, got [0,1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8xf32>, %w: tensor<2x3x1x1xf32>) -> tensor<1x2x8xf32> {
  // expected-error @+2 {{expects an input of rank 3 to 5 (NC[D]H[W]) and a weight of the same rank (F, C/group, K...)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, group = 1} : (tensor<1x3x8xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x8xf32>
  return %0 : tensor<1x2x8xf32>
}

// -----

func.func @conv3d_pads(%x: tensor<1x1x4x4x4xf32>, %w: tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32> {
  // expected-error @+2 {{'pads' must have 6 values, got 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1} : (tensor<1x1x4x4x4xf32>, tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32>
  return %0 : tensor<1x1x3x3x3xf32>
}

// -----

func.func @avg_pool_dilations(%x: tensor<1x1x8xf32>) -> tensor<1x1x6xf32> {
  // expected-error @+2 {{'dilations' must have 1 values, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.average_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x8xf32> -> tensor<1x1x6xf32>
  return %0 : tensor<1x1x6xf32>
}

// -----

func.func @max_pool_i32(%x: tensor<1x1x4x4xi32>) -> tensor<1x1x3x3xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x1x4x4xi32> -> tensor<1x1x3x3xi32>
  return %0 : tensor<1x1x3x3xi32>
}

// -----

func.func @batch_norm(%x: tensor<1x3x2x2xf32>, %p: tensor<4xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+2 {{scale, bias, mean and variance must have shape [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x3x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

func.func @pool_pads(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32> {
  // expected-error @+2 {{pads [2,2,2,2] must be smaller than kernel_shape [2,2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>} : tensor<1x1x4x4xf32> -> tensor<1x1x6x6xf32>
  return %0 : tensor<1x1x6x6xf32>
}

// -----

func.func @avg_pool_rank(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{expects a rank-3, rank-4 or rank-5 NC[D]H[W] input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.average_pool %x {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<4x4xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @global_pool(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{expects an input of rank 3 or more}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.global_average_pool %x : tensor<4x4xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @reshape(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+2 {{cannot reshape [2,3] (6 elements) to [7]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.reshape %x {shape = array<i64: 7>} : tensor<2x3xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @flatten(%x: tensor<2x3xf32>) -> tensor<6x1xf32> {
  // expected-error @+2 {{axis 3 is out of range [0, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.flatten %x {axis = 3} : tensor<2x3xf32> -> tensor<6x1xf32>
  return %0 : tensor<6x1xf32>
}

// -----

func.func @transpose(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{perm [1,1] is not a permutation of 2 dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.transpose %x {perm = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @concat(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{input shapes [2,3] and [3,3] differ outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.concat %a, %b {axis = 1} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.softmax %x {axis = 2} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @clip_type(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.clip %x : tensor<2xi1> -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @constant_type() -> tensor<2xi3> {
  // expected-error @+1 {{result #0 must be ranked tensor of}}
  %0 = graph.constant dense<[1, 2]> : tensor<2xi3>
  return %0 : tensor<2xi3>
}
