// Verifier errors of graph.quantize_linear and graph.dequantize_linear.
// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @per_axis_size(%x: tensor<2x4xf32>, %s: tensor<3xf32>) -> tensor<2x4xui8> {
  // expected-error @+2 {{per-axis scale of shape [3] does not match dimension 1 of input [2,4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.quantize_linear %x, %s {axis = 1 : i64, output_type = ui8} : (tensor<2x4xf32>, tensor<3xf32>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

func.func @blocked_shape(%x: tensor<2x5xf32>, %s: tensor<2x2xf32>) -> tensor<2x5xi8> {
  // expected-error @+2 {{blocked scale of shape [2,2] does not match input [2,5] with block_size 2 along axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.quantize_linear %x, %s {axis = 1 : i64, block_size = 2 : i64, output_type = i8} : (tensor<2x5xf32>, tensor<2x2xf32>) -> tensor<2x5xi8>
  return %0 : tensor<2x5xi8>
}

// -----

func.func @zero_point_type(%x: tensor<4xf32>, %s: tensor<f32>, %zp: tensor<i8>) -> tensor<4xui8> {
  // expected-error @+2 {{zero point of type 'i8' differs from 'output_type' 'ui8'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.quantize_linear %x, %s, %zp {output_type = ui8} : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

func.func @output_type(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xi8> {
  // expected-error @+2 {{'output_type' must be a quantized type (i2, ui2, i4, ui4, i8, ui8, i16, ui16, float8, f4E2M1FN)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.quantize_linear %x, %s {output_type = i32} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @zero_point_shape(%x: tensor<3x4xi8>, %s: tensor<4xf32>, %zp: tensor<i8>) -> tensor<3x4xf32> {
  // expected-error @+2 {{zero point of shape [] differs from the scale's shape [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.dequantize_linear %x, %s, %zp {axis = 1 : i64, output_type = f32} : (tensor<3x4xi8>, tensor<4xf32>, tensor<i8>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scale_rank(%x: tensor<3x4xi8>, %s: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{scale of shape [3,4] needs a 'block_size' (per tensor: a scalar, per axis: 1-D)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.dequantize_linear %x, %s {output_type = f32} : (tensor<3x4xi8>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @dequantize_output(%x: tensor<3xi8>, %s: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+2 {{'output_type' must be f32, f16 or bf16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.dequantize_linear %x, %s {output_type = i8} : (tensor<3xi8>, tensor<f32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// f8E8M0FNU (a scale type) is no quantized type.
func.func @output_e8m0(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xi8> {
  // expected-error @+2 {{'output_type' must be a quantized type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.quantize_linear %x, %s {output_type = f8E8M0FNU} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// A [1] zero point only goes with a scalar scale.
func.func @zero_point_one_element(%x: tensor<3x4xi4>, %s: tensor<4xf32>, %zp: tensor<1xi4>) -> tensor<3x4xf32> {
  // expected-error @+2 {{zero point of shape [1] differs from the scale's shape [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.dequantize_linear %x, %s, %zp {axis = 1 : i64, output_type = f32} : (tensor<3x4xi4>, tensor<4xf32>, tensor<1xi4>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
