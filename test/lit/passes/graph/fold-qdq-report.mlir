// strata-fold-qdq{report}: a remark for each quantized product that stays
// as it is, naming why, and one with the counts.
// RUN: strata-opt %s -strata-fold-qdq="report=true" -verify-diagnostics -o /dev/null

// expected-remark@unknown {{quantized products: 0 of 1 run as int8 products}}
func.func @asymmetric_weight(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %sx = graph.constant dense<0.5> : tensor<f32>
  %zx = graph.constant dense<0> : tensor<i8>
  %q = graph.quantize_linear %x, %sx, %zx {output_type = i8} : (tensor<3x2xf32>, tensor<f32>, tensor<i8>) -> tensor<3x2xi8>
  %xf = graph.dequantize_linear %q, %sx, %zx {output_type = f32} : (tensor<3x2xi8>, tensor<f32>, tensor<i8>) -> tensor<3x2xf32>
  %w = graph.constant dense<[[1, 2], [0, 1]]> : tensor<2x2xi8>
  %sw = graph.constant dense<1.0> : tensor<f32>
  %zw = graph.constant dense<3> : tensor<i8>
  %wf = graph.dequantize_linear %w, %sw, %zw {output_type = f32} : (tensor<2x2xi8>, tensor<f32>, tensor<i8>) -> tensor<2x2xf32>
  // expected-remark @below {{not an int8 product (runs on 'f32' values): its weight is not a DequantizeLinear of an int8 constant with zero point 0}}
  %y = graph.matmul %xf, %wf : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
