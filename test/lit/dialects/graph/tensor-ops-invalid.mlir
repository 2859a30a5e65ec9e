// Verifier errors of the reduction, indexing, normalization and einsum ops
// (checked by type inference; the InferTypeOpInterface verifier adds
// "failed to infer returned types").
// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @reduce_axes(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{axes [1,0] must be increasing and in [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.reduce_sum %x {axes = array<i64: 1, 0>, keepdims = false} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_l2_int(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.reduce_l2 %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @arg_max_axis(%x: tensor<2x3xf32>) -> tensor<2x1xi64> {
  // expected-error @+2 {{axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.arg_max %x {axis = 2 : i64} : tensor<2x3xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

func.func @arg_min_result(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{result #0 must be ranked tensor of 64-bit signless integer values}}
  %0 = graph.arg_min %x {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @cumsum_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{axis -1 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.cumsum %x {axis = -1 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @einsum_sizes(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{letter 'j' of equation 'ij,jk->ik' has sizes 3 and 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @einsum_implicit(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{equation 'ij' must be explicit ('...->...')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.einsum %a {equation = "ij"} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @gather_axis(%x: tensor<5x4xf32>, %i: tensor<2xi64>) -> tensor<2x4xf32> {
  // expected-error @+2 {{axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.gather %x, %i {axis = 2 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gather_float_indices(%x: tensor<5x4xf32>, %i: tensor<2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = graph.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gather_elements_rank(%x: tensor<5x4xf32>, %i: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+2 {{indices of rank 1 must have the data's rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.gather_elements %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_nd_depth(%x: tensor<5x4xf32>, %i: tensor<2x3xi64>) -> tensor<2xf32> {
  // expected-error @+2 {{the last dimension of indices ([2,3]) must be static and address at most the 2 dimensions of data after the batch}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.gather_nd %x, %i : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scatter_nd_updates(%x: tensor<5x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<5x4xf32> {
  // expected-error @+2 {{updates must have shape [2,4], got [2,3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.scatter_nd %x, %i, %u : (tensor<5x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @scatter_nd_reduction(%x: tensor<5x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<5x4xf32> {
  // expected-error @+2 {{reduction 'sum' is not one of none, add, mul, max, min}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.scatter_nd %x, %i, %u {reduction = "sum"} : (tensor<5x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @slice_outside(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{dimension 1: 3 elements from 1 by step -1 do not fit in size 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.slice %x {starts = array<i64: 0, 1>, sizes = array<i64: 2, 3>, steps = array<i64: 1, -1>} : tensor<2x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_reflect(%x: tensor<2x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{reflect padding 2 of dimension 0 must be smaller than its size 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.pad %x {pads = array<i64: 2, 0, 0, 0>, mode = "reflect"} : tensor<2x4xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @pad_value_type(%x: tensor<2x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'value' has type 'i64', not the element type 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.pad %x {pads = array<i64: 1, 0, 0, 0>, value = 1 : i64} : tensor<2x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @tile_repeats(%x: tensor<2x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{'repeats' must have 2 non-negative values, got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.tile %x {repeats = array<i64: 2>} : tensor<2x4xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @expand_shape(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{cannot expand [2,4] to [3,4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.expand %x {shape = array<i64: 3, 4>} : tensor<2x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @trilu_rank(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{expects an input of rank 2 or more}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.trilu %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @one_hot_values(%i: tensor<3xi64>, %v: tensor<3xf32>) -> tensor<3x5xf32> {
  // expected-error @+2 {{values must have shape [2] (off, on), got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.one_hot %i, %v {depth = 5, axis = 1} : (tensor<3xi64>, tensor<3xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3xf32>, %s: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{scale and bias must broadcast to the input's shape [2,3] and element type, got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.layer_norm %x, %s {axis = 1, epsilon = 1.0e-5 : f32} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @instance_norm_scale(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+2 {{scale must have shape [3], got [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.instance_norm %x, %s, %s {epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @group_norm_groups(%x: tensor<2x6x4xf32>, %s: tensor<6xf32>) -> tensor<2x6x4xf32> {
  // expected-error @+2 {{num_groups 4 must be positive and divide the 6 channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.group_norm %x, %s, %s {num_groups = 4, epsilon = 1.0e-5 : f32} : (tensor<2x6x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4xf32>
  return %0 : tensor<2x6x4xf32>
}

// -----

func.func @lp_norm_p(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{p must be 1 or 2, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.lp_norm %x {axis = 1, p = 3} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @log_softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.log_softmax %x {axis = 2} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @hardmax_int(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.hardmax %x {axis = 1} : tensor<2x3xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}
