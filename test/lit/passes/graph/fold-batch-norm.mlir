// RUN: strata-opt %s -split-input-file -strata-fold-batch-norm | FileCheck %s

// conv (no bias) -> BatchNorm (small constants stay inline; from 1 KiB on
// they are dense_resource blobs): s = gamma / sqrt(var + eps) = [2, 0.5];
// W' = W * s per output channel = [2, 4 | 1.5, 2]; b' = (0 - mean) * s +
// beta = [-2 + 1, -1 + 0] = [-1, -1].
// CHECK-LABEL: func @conv_bn
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}1.500000e+00]], {{\[\[}}2.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<-1.000000e+00> : tensor<2xf32>
// CHECK:     %[[C:.*]] = graph.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: graph.batch_norm
// CHECK:     return %[[C]]
func.func @conv_bn(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = graph.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %gamma = graph.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = graph.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = graph.constant dense<[4.0, 4.0]> : tensor<2xf32>
  %c = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = graph.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// The conv's output is used twice: folding would change the other use. The
// BatchNorm becomes x * s + t per channel: s = 1 / sqrt(1 + 1e-5),
// t = 1 - 1 * s.
// CHECK-LABEL: func @conv_used_twice
// CHECK-DAG: %[[T:.*]] = graph.constant dense<4.99996258E-6> : tensor<2x1x1xf32>
// CHECK-DAG: %[[S:.*]] = graph.constant dense<0.999994993> : tensor<2x1x1xf32>
// CHECK:     %[[C:.*]] = graph.conv
// CHECK:     %[[M:.*]] = graph.mul %[[C]], %[[S]]
// CHECK:     %[[A:.*]] = graph.add %[[M]], %[[T]]
// CHECK-NOT: graph.batch_norm
// CHECK:     return %[[C]], %[[A]]
func.func @conv_used_twice(%x: tensor<1x2x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = graph.constant dense<1.0> : tensor<2x2x1x1xf32>
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %c = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = graph.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %c, %y : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// Statistics that are inputs, not constants: left alone.
// CHECK-LABEL: func @runtime_statistics
// CHECK: graph.batch_norm
func.func @runtime_statistics(%x: tensor<1x2x3x3xf32>, %mean: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  %w = graph.constant dense<1.0> : tensor<2x2x1x1xf32>
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %c = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = graph.batch_norm %c, %p, %p, %mean, %p {epsilon = 1.0e-5 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Parameters that are DequantizeLinears of integer constants, as
// onnxruntime's quantizer writes a BatchNorm's scale and bias (the bias's
// scale a [1] constant reshaped to a scalar): dequantized here, so the
// BatchNorm becomes x * s + t. gamma = (4 - 2) * 0.5 = 1, beta = 6 * 0.25
// = 1.5; mean 0, var 1: s = 1 / sqrt(1 + 1e-5), t = 1.5.
// CHECK-LABEL: func @quantized_parameters
// CHECK-DAG: graph.constant dense<1.500000e+00> : tensor<2x1x1xf32>
// CHECK-DAG: graph.constant dense<0.999994993> : tensor<2x1x1xf32>
// CHECK:     graph.mul %arg0
// CHECK:     graph.add
// CHECK-NOT: graph.batch_norm
func.func @quantized_parameters(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %gq = graph.constant dense<4> : tensor<2xi8>
  %gs = graph.constant dense<0.5> : tensor<f32>
  %gz = graph.constant dense<2> : tensor<i8>
  %gamma = graph.dequantize_linear %gq, %gs, %gz {output_type = f32} : (tensor<2xi8>, tensor<f32>, tensor<i8>) -> tensor<2xf32>
  %bq = graph.constant dense<6> : tensor<2xi32>
  %bs1 = graph.constant dense<0.25> : tensor<1xf32>
  %bs = graph.reshape %bs1 {shape = array<i64>} : tensor<1xf32> -> tensor<f32>
  %beta = graph.dequantize_linear %bq, %bs {output_type = f32} : (tensor<2xi32>, tensor<f32>) -> tensor<2xf32>
  %mean = graph.constant dense<0.0> : tensor<2xf32>
  %var = graph.constant dense<1.0> : tensor<2xf32>
  %y = graph.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.0e-5 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
