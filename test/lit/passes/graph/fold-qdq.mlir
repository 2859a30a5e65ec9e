// RUN: strata-opt %s -split-input-file -strata-fold-qdq | FileCheck %s

// A QDQ conv: x (uint8, scale 0.5, zero point 130) and w (int8 per filter,
// scales [0.25, 0.125]) become an i8 x i8 -> i32 conv. x is quantized to
// int8 with zero point 2 (130 - 128), which the padding holds; the bias
// (DequantizeLinear of int32 [8, -4], scale x_scale * w_scale) is
// [8 - 2 * (1 + 2), -4 - 2 * (-3 + 4)] = [2, -6]; the i32 result is scaled
// by x_scale * w_scale = [0.125, 0.0625].
// CHECK-LABEL: func @conv
// CHECK-DAG: %[[Z:.*]] = graph.constant dense<2> : tensor<i8>
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{.*}}> : tensor<2x1x1x2xi8>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<[2, -6]> : tensor<2xi32>
// CHECK-DAG: %[[S:.*]] = graph.constant dense<{{\[\[\[}}1.250000e-01]], {{\[\[}}6.250000e-02]]]> : tensor<2x1x1xf32>
// CHECK-DAG: %[[X:.*]] = graph.quantize_linear %arg0, %{{.*}}, %[[Z]] {output_type = i8}
// CHECK-DAG: %[[C:.*]] = graph.conv %[[X]], %[[W]], %[[B]] {{{.*}}pad_value = 2 : i64{{.*}}} : (tensor<1x1x3x4xi8>, tensor<2x1x1x2xi8>, tensor<2xi32>) -> tensor<1x2x5x3xi32>
// CHECK-DAG: %[[F:.*]] = graph.cast %[[C]] {to = f32}
// CHECK-DAG: %[[Y:.*]] = graph.mul %[[F]], %[[S]]
// CHECK-NOT: graph.dequantize_linear
// CHECK:     return %[[Y]]
func.func @conv(%x: tensor<1x1x3x4xf32>) -> tensor<1x2x5x3xf32> {
  %sx = graph.constant dense<0.5> : tensor<f32>
  %zx = graph.constant dense<130> : tensor<ui8>
  %q = graph.quantize_linear %x, %sx, %zx {output_type = ui8} : (tensor<1x1x3x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x1x3x4xui8>
  %xf = graph.dequantize_linear %q, %sx, %zx {output_type = f32} : (tensor<1x1x3x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x3x4xf32>
  %w = graph.constant dense<[[[[1, 2]]], [[[-3, 4]]]]> : tensor<2x1x1x2xi8>
  %sw = graph.constant dense<[0.25, 0.125]> : tensor<2xf32>
  %zw = graph.constant dense<0> : tensor<2xi8>
  %wf = graph.dequantize_linear %w, %sw, %zw {output_type = f32} : (tensor<2x1x1x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x1x1x2xf32>
  %b = graph.constant dense<[8, -4]> : tensor<2xi32>
  %sb = graph.constant dense<[0.125, 0.0625]> : tensor<2xf32>
  %bf = graph.dequantize_linear %b, %sb {output_type = f32} : (tensor<2xi32>, tensor<2xf32>) -> tensor<2xf32>
  %y = graph.conv %xf, %wf, %bf {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 0>, group = 1 : i64} : (tensor<1x1x3x4xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x2x5x3xf32>
  return %y : tensor<1x2x5x3xf32>
}

// -----

// Gemm with transB: the int8 weight [N, K] is transposed to [K, N]; an int8
// activation (zero point -1) is read as it is; the f32 bias [1.0, 0.5]
// over x_scale * w_scale = 0.5 is [2, 1], less -1 * column sums [3, 1].
// CHECK-LABEL: func @gemm
// CHECK-DAG: %[[WT:.*]] = graph.constant dense_resource<qdq_weight_t> : tensor<2x2xi8>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<[5, 2]> : tensor<2xi32>
// CHECK-DAG: %[[P:.*]] = graph.matmul %{{.*}}, %[[WT]] : (tensor<3x2xi8>, tensor<2x2xi8>) -> tensor<3x2xi32>
// CHECK-DAG: %[[A:.*]] = graph.add %[[P]], %[[B]]
// CHECK-DAG: graph.cast %[[A]] {to = f32}
// CHECK-NOT: graph.gemm
func.func @gemm(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %sx = graph.constant dense<0.5> : tensor<f32>
  %zx = graph.constant dense<-1> : tensor<i8>
  %q = graph.quantize_linear %x, %sx, %zx {output_type = i8} : (tensor<3x2xf32>, tensor<f32>, tensor<i8>) -> tensor<3x2xi8>
  %xf = graph.dequantize_linear %q, %sx, %zx {output_type = f32} : (tensor<3x2xi8>, tensor<f32>, tensor<i8>) -> tensor<3x2xf32>
  %w = graph.constant dense<[[1, 2], [0, 1]]> : tensor<2x2xi8>
  %sw = graph.constant dense<1.0> : tensor<f32>
  %wf = graph.dequantize_linear %w, %sw {output_type = f32} : (tensor<2x2xi8>, tensor<f32>) -> tensor<2x2xf32>
  %c = graph.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %y = graph.gemm %xf, %wf, %c {trans_b = true} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A weight zero point that is not 0 stays in float.
// CHECK-LABEL: func @asymmetric_weight
// CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
func.func @asymmetric_weight(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %sx = graph.constant dense<0.5> : tensor<f32>
  %zx = graph.constant dense<0> : tensor<i8>
  %q = graph.quantize_linear %x, %sx, %zx {output_type = i8} : (tensor<3x2xf32>, tensor<f32>, tensor<i8>) -> tensor<3x2xi8>
  %xf = graph.dequantize_linear %q, %sx, %zx {output_type = f32} : (tensor<3x2xi8>, tensor<f32>, tensor<i8>) -> tensor<3x2xf32>
  %w = graph.constant dense<[[1, 2], [0, 1]]> : tensor<2x2xi8>
  %sw = graph.constant dense<1.0> : tensor<f32>
  %zw = graph.constant dense<3> : tensor<i8>
  %wf = graph.dequantize_linear %w, %sw, %zw {output_type = f32} : (tensor<2x2xi8>, tensor<f32>, tensor<i8>) -> tensor<2x2xf32>
  %y = graph.matmul %xf, %wf : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// MatMulInteger as imported (operands widened to i32 less their zero
// points): uint8 A with a run-time zero point z, constant int8 B with zero
// point 0 -> A flipped to int8 (z - 128), the i8 product, less
// (z - 128) * column sums [4, 6].
// CHECK-LABEL: func @matmul_integer
// CHECK-DAG: %[[B:.*]] = graph.constant dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi8>
// CHECK-DAG: %[[SUMS:.*]] = graph.constant dense<[4, 6]> : tensor<2xi32>
// CHECK-DAG: %[[Z:.*]] = graph.sub %{{.*}}, %{{.*}} : (tensor<i32>, tensor<i32>) -> tensor<i32>
// CHECK-DAG: %[[P:.*]] = graph.matmul %{{.*}}, %[[B]] : (tensor<3x2xi8>, tensor<2x2xi8>) -> tensor<3x2xi32>
// CHECK-DAG: %[[S:.*]] = graph.mul %[[Z]], %[[SUMS]]
// CHECK-DAG: %[[R:.*]] = graph.sub %[[P]], %[[S]]
// CHECK: return %[[R]]
func.func @matmul_integer(%a: tensor<3x2xui8>, %z: tensor<ui8>) -> tensor<3x2xi32> {
  %b = graph.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %zb = graph.constant dense<0> : tensor<i8>
  %aw = graph.cast %a {to = i32} : tensor<3x2xui8> -> tensor<3x2xi32>
  %zw = graph.cast %z {to = i32} : tensor<ui8> -> tensor<i32>
  %ad = graph.sub %aw, %zw : (tensor<3x2xi32>, tensor<i32>) -> tensor<3x2xi32>
  %bw = graph.cast %b {to = i32} : tensor<2x2xi8> -> tensor<2x2xi32>
  %zbw = graph.cast %zb {to = i32} : tensor<i8> -> tensor<i32>
  %bd = graph.sub %bw, %zbw : (tensor<2x2xi32>, tensor<i32>) -> tensor<2x2xi32>
  %y = graph.matmul %ad, %bd : (tensor<3x2xi32>, tensor<2x2xi32>) -> tensor<3x2xi32>
  return %y : tensor<3x2xi32>
}

// -----

// The product's one user quantizes it (scale 0.25): the multiplier goes
// straight to the output's units (0.5 * 0.5 / 0.25 = 1.0) and the
// quantization divides by 1.
// CHECK-LABEL: func @requantize
// CHECK-DAG: %[[M:.*]] = graph.constant dense<1.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[ONE:.*]] = graph.constant dense<1.000000e+00> : tensor<f32>
// CHECK-DAG: %[[R:.*]] = graph.mul %{{.*}}, %[[M]]
// CHECK-DAG: %[[Q:.*]] = graph.quantize_linear %[[R]], %[[ONE]], %{{.*}} {output_type = ui8}
// CHECK: return %[[Q]]
func.func @requantize(%x: tensor<3x2xf32>) -> tensor<3x2xui8> {
  %sx = graph.constant dense<0.5> : tensor<f32>
  %zx = graph.constant dense<0> : tensor<i8>
  %q = graph.quantize_linear %x, %sx, %zx {output_type = i8} : (tensor<3x2xf32>, tensor<f32>, tensor<i8>) -> tensor<3x2xi8>
  %xf = graph.dequantize_linear %q, %sx, %zx {output_type = f32} : (tensor<3x2xi8>, tensor<f32>, tensor<i8>) -> tensor<3x2xf32>
  %w = graph.constant dense<[[1, 2], [0, 1]]> : tensor<2x2xi8>
  %sw = graph.constant dense<0.5> : tensor<f32>
  %wf = graph.dequantize_linear %w, %sw {output_type = f32} : (tensor<2x2xi8>, tensor<f32>) -> tensor<2x2xf32>
  %y = graph.matmul %xf, %wf : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %sy = graph.constant dense<0.25> : tensor<f32>
  %zy = graph.constant dense<128> : tensor<ui8>
  %yq = graph.quantize_linear %y, %sy, %zy {output_type = ui8} : (tensor<3x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<3x2xui8>
  return %yq : tensor<3x2xui8>
}

// -----

// The int8 twin of a uint8 quantization keeps its own bits: its zero point
// is the QuantizeLinear's less 128 (10 -> -118), whatever zero point the
// consumer reads the data with (ConvInteger's 20: padding and bias use
// 20 - 128 = -108; bias = -(-108) * (1 + 2) = 324).
// CHECK-LABEL: func @twin_keeps_its_zero_point
// CHECK-DAG: %[[TZ:.*]] = graph.constant dense<-118> : tensor<i8>
// CHECK-DAG: %[[X:.*]] = graph.quantize_linear %arg0, %{{.*}}, %[[TZ]] {output_type = i8}
// CHECK-DAG: %[[B:.*]] = graph.constant dense<324> : tensor<1xi32>
// CHECK-DAG: graph.conv %[[X]], %{{.*}}, %[[B]] {{{.*}}pad_value = -108 : i64{{.*}}} : (tensor<1x1x3x3xi8>, tensor<1x1x1x2xi8>, tensor<1xi32>) -> tensor<1x1x3x2xi32>
func.func @twin_keeps_its_zero_point(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x2xi32> {
  %s = graph.constant dense<0.5> : tensor<f32>
  %zq = graph.constant dense<10> : tensor<ui8>
  %q = graph.quantize_linear %x, %s, %zq {output_type = ui8} : (tensor<1x1x3x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x1x3x3xui8>
  %zc = graph.constant dense<20> : tensor<ui8>
  %w = graph.constant dense<[[[[1, 2]]]]> : tensor<1x1x1x2xi8>
  %zw = graph.constant dense<0> : tensor<i8>
  %xw = graph.cast %q {to = i32} : tensor<1x1x3x3xui8> -> tensor<1x1x3x3xi32>
  %zcw = graph.cast %zc {to = i32} : tensor<ui8> -> tensor<i32>
  %xd = graph.sub %xw, %zcw : (tensor<1x1x3x3xi32>, tensor<i32>) -> tensor<1x1x3x3xi32>
  %ww = graph.cast %w {to = i32} : tensor<1x1x1x2xi8> -> tensor<1x1x1x2xi32>
  %zww = graph.cast %zw {to = i32} : tensor<i8> -> tensor<i32>
  %wd = graph.sub %ww, %zww : (tensor<1x1x1x2xi32>, tensor<i32>) -> tensor<1x1x1x2xi32>
  %y = graph.conv %xd, %wd {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x1x3x3xi32>, tensor<1x1x1x2xi32>) -> tensor<1x1x3x2xi32>
  return %y : tensor<1x1x3x2xi32>
}
