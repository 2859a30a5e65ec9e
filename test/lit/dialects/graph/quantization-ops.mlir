// Round trip of graph.quantize_linear and graph.dequantize_linear, and the
// integer (i32) forms of graph.matmul and graph.conv.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @quantize
func.func @quantize(%x: tensor<2x4xf32>, %s: tensor<f32>, %zp: tensor<ui8>, %sa: tensor<4xf16>, %zpa: tensor<4xi8>, %sb: tensor<2x2xbf16>) -> (tensor<2x4xui8>, tensor<2x4xi8>, tensor<2x4xi16>) {
  // CHECK: graph.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {output_type = ui8} : (tensor<2x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x4xui8>
  %0 = graph.quantize_linear %x, %s, %zp {output_type = ui8} : (tensor<2x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x4xui8>
  // CHECK: graph.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, output_type = i8, precision = f32} : (tensor<2x4xf32>, tensor<4xf16>, tensor<4xi8>) -> tensor<2x4xi8>
  %1 = graph.quantize_linear %x, %sa, %zpa {axis = 1 : i64, output_type = i8, precision = f32} : (tensor<2x4xf32>, tensor<4xf16>, tensor<4xi8>) -> tensor<2x4xi8>
  // CHECK: graph.quantize_linear %{{.*}}, %{{.*}} {axis = 1 : i64, block_size = 2 : i64, output_type = i16} : (tensor<2x4xf32>, tensor<2x2xbf16>) -> tensor<2x4xi16>
  %2 = graph.quantize_linear %x, %sb {axis = 1 : i64, block_size = 2 : i64, output_type = i16} : (tensor<2x4xf32>, tensor<2x2xbf16>) -> tensor<2x4xi16>
  return %0, %1, %2 : tensor<2x4xui8>, tensor<2x4xi8>, tensor<2x4xi16>
}

// CHECK-LABEL: func @dequantize
func.func @dequantize(%x: tensor<3x5xui16>, %s: tensor<3xf32>, %zp: tensor<3xui16>, %b: tensor<3x5xi32>, %sb: tensor<3x2xf16>) -> (tensor<3x5xf32>, tensor<3x5xf16>) {
  // CHECK: graph.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} {output_type = f32} : (tensor<3x5xui16>, tensor<3xf32>, tensor<3xui16>) -> tensor<3x5xf32>
  %0 = graph.dequantize_linear %x, %s, %zp {axis = 0 : i64, output_type = f32} : (tensor<3x5xui16>, tensor<3xf32>, tensor<3xui16>) -> tensor<3x5xf32>
  // CHECK: graph.dequantize_linear %{{.*}}, %{{.*}} {axis = 1 : i64, block_size = 3 : i64, output_type = f16} : (tensor<3x5xi32>, tensor<3x2xf16>) -> tensor<3x5xf16>
  %1 = graph.dequantize_linear %b, %sb {axis = 1 : i64, block_size = 3 : i64, output_type = f16} : (tensor<3x5xi32>, tensor<3x2xf16>) -> tensor<3x5xf16>
  return %0, %1 : tensor<3x5xf32>, tensor<3x5xf16>
}

// CHECK-LABEL: func @integer_products
func.func @integer_products(%a: tensor<2x3xi32>, %b: tensor<3x4xi32>, %x: tensor<1x2x5x5xi32>, %w: tensor<3x2x3x3xi32>, %bias: tensor<3xi32>) -> (tensor<2x4xi32>, tensor<1x3x3x3xi32>) {
  // CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  %0 = graph.matmul %a, %b : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  // CHECK: graph.conv {{.*}} : (tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>, tensor<3xi32>) -> tensor<1x3x3x3xi32>
  %1 = graph.conv %x, %w, %bias {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>, tensor<3xi32>) -> tensor<1x3x3x3xi32>
  return %0, %1 : tensor<2x4xi32>, tensor<1x3x3x3xi32>
}

// Narrow quantized types; a per-tensor zero point may have shape [1].
// CHECK-LABEL: func @narrow
func.func @narrow(%x: tensor<4xf32>, %s: tensor<f32>, %z8: tensor<1xf8E4M3FN>, %z4: tensor<ui4>, %q: tensor<4xi2>, %z2: tensor<1xi2>, %f4: tensor<4xf4E2M1FN>) -> (tensor<4xf8E4M3FN>, tensor<4xui4>, tensor<4xf4E2M1FN>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK: graph.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {output_type = f8E4M3FN, saturate = false} : (tensor<4xf32>, tensor<f32>, tensor<1xf8E4M3FN>) -> tensor<4xf8E4M3FN>
  %0 = graph.quantize_linear %x, %s, %z8 {output_type = f8E4M3FN, saturate = false} : (tensor<4xf32>, tensor<f32>, tensor<1xf8E4M3FN>) -> tensor<4xf8E4M3FN>
  // CHECK: graph.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {output_type = ui4} : (tensor<4xf32>, tensor<f32>, tensor<ui4>) -> tensor<4xui4>
  %1 = graph.quantize_linear %x, %s, %z4 {output_type = ui4} : (tensor<4xf32>, tensor<f32>, tensor<ui4>) -> tensor<4xui4>
  // CHECK: graph.quantize_linear %{{.*}}, %{{.*}} {output_type = f4E2M1FN} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf4E2M1FN>
  %2 = graph.quantize_linear %x, %s {output_type = f4E2M1FN} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf4E2M1FN>
  // CHECK: graph.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} {output_type = f32} : (tensor<4xi2>, tensor<f32>, tensor<1xi2>) -> tensor<4xf32>
  %3 = graph.dequantize_linear %q, %s, %z2 {output_type = f32} : (tensor<4xi2>, tensor<f32>, tensor<1xi2>) -> tensor<4xf32>
  // CHECK: graph.dequantize_linear %{{.*}}, %{{.*}} {output_type = f32} : (tensor<4xf4E2M1FN>, tensor<f32>) -> tensor<4xf32>
  %4 = graph.dequantize_linear %f4, %s {output_type = f32} : (tensor<4xf4E2M1FN>, tensor<f32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf8E4M3FN>, tensor<4xui4>, tensor<4xf4E2M1FN>, tensor<4xf32>, tensor<4xf32>
}
