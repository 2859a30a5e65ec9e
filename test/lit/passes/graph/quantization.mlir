// convert-graph-to-linalg of graph.quantize_linear / graph.dequantize_linear
// (one elementwise generic each; the scale and zero point are read through
// maps that encode the granularity) and of i32 matmul / conv.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// Blocked: the scale and zero point are read at column floordiv block_size.
// The f16 quotient is rounded to f16, then half to even; the
// unsigned zero point and result use uitofp / fptoui on signless i8.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-LABEL: func @quantize_blocked
// CHECK-SAME: %{{.*}}: tensor<2x2xi8>) -> tensor<2x4xi8>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[BLOCK]], #[[BLOCK]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: ^bb0(%[[X:.*]]: f16, %[[S:.*]]: f16, %[[ZP:.*]]: i8, %{{.*}}: i8):
// CHECK:   %[[XF:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK:   %[[SF:.*]] = arith.extf %[[S]] : f16 to f32
// CHECK:   %[[Q:.*]] = arith.divf %[[XF]], %[[SF]] : f32
// CHECK:   %[[QH:.*]] = arith.truncf %[[Q]] : f32 to f16
// CHECK:   %[[QF:.*]] = arith.extf %[[QH]] : f16 to f32
// CHECK:   %[[R:.*]] = math.roundeven %[[QF]] : f32
// CHECK:   %[[Z:.*]] = arith.uitofp %[[ZP]] : i8 to f32
// CHECK:   %[[SUM:.*]] = arith.addf %[[R]], %[[Z]] : f32
// CHECK:   %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:   %[[A:.*]] = arith.maxnumf %[[SUM]], %[[LO]] : f32
// CHECK:   %[[HI:.*]] = arith.constant 2.550000e+02 : f32
// CHECK:   %[[B:.*]] = arith.minnumf %[[A]], %[[HI]] : f32
// CHECK:   %[[Y:.*]] = arith.fptoui %[[B]] : f32 to i8
// CHECK:   linalg.yield %[[Y]] : i8
func.func @quantize_blocked(%x: tensor<2x4xf16>, %s: tensor<2x2xf16>, %zp: tensor<2x2xui8>) -> tensor<2x4xui8> {
  %0 = graph.quantize_linear %x, %s, %zp {axis = 1 : i64, block_size = 2 : i64, output_type = ui8} : (tensor<2x4xf16>, tensor<2x2xf16>, tensor<2x2xui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

// Per tensor, int16, f32 precision over f16 operands: no rounding to f16,
// signed saturation.
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @quantize_per_tensor
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR]], #{{.*}}]
// CHECK:   arith.divf
// CHECK-NOT: arith.truncf
// CHECK:   math.roundeven
// CHECK-NOT: arith.addf
// CHECK:   arith.constant -3.276800e+04 : f32
// CHECK:   arith.constant 3.276700e+04 : f32
// CHECK:   arith.fptosi %{{.*}} : f32 to i16
func.func @quantize_per_tensor(%x: tensor<6xf16>, %s: tensor<f16>) -> tensor<6xi16> {
  %0 = graph.quantize_linear %x, %s {output_type = i16, precision = f32} : (tensor<6xf16>, tensor<f16>) -> tensor<6xi16>
  return %0 : tensor<6xi16>
}

// -----

// Per axis: the scale and zero point are read at the axis' loop.
// CHECK-DAG: #[[AXIS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @dequantize_axis
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[AXIS]], #[[AXIS]], #{{.*}}]
// CHECK: ^bb0(%[[X:.*]]: i8, %[[S:.*]]: f32, %[[ZP:.*]]: i8, %{{.*}}: bf16):
// CHECK:   %[[XF:.*]] = arith.sitofp %[[X]] : i8 to f32
// CHECK:   %[[ZF:.*]] = arith.sitofp %[[ZP]] : i8 to f32
// CHECK:   %[[D:.*]] = arith.subf %[[XF]], %[[ZF]] : f32
// CHECK:   %[[Y:.*]] = arith.mulf %[[D]], %[[S]] : f32
// CHECK:   arith.truncf %[[Y]] : f32 to bf16
func.func @dequantize_axis(%x: tensor<3x5xi8>, %s: tensor<5xf32>, %zp: tensor<5xi8>) -> tensor<3x5xbf16> {
  %0 = graph.dequantize_linear %x, %s, %zp {axis = 1 : i64, output_type = bf16} : (tensor<3x5xi8>, tensor<5xf32>, tensor<5xi8>) -> tensor<3x5xbf16>
  return %0 : tensor<3x5xbf16>
}

// -----

// A dequantization of integers of up to 8 bits into f32 is marked with the
// input's type, for strata-pack-weight-only-rhs; into bf16 (above) or from
// float8 it is not.
// CHECK-LABEL: func @dequantize_marked
// CHECK: linalg.generic {{.*}} attrs = {strata.dequantize = "ui4"}
// CHECK: linalg.generic {{.*}} attrs = {strata.dequantize = "i8"}
// CHECK-NOT: strata.dequantize
func.func @dequantize_marked(%x: tensor<4x8xui4>, %s: tensor<4x2xf32>, %zp: tensor<4x2xui4>, %y: tensor<8xi8>, %t: tensor<f32>, %f: tensor<8xf8E4M3FN>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0 = graph.dequantize_linear %x, %s, %zp {axis = 1 : i64, block_size = 4 : i64, output_type = f32} : (tensor<4x8xui4>, tensor<4x2xf32>, tensor<4x2xui4>) -> tensor<4x8xf32>
  %1 = graph.dequantize_linear %y, %t {output_type = f32} : (tensor<8xi8>, tensor<f32>) -> tensor<8xf32>
  %2 = graph.dequantize_linear %f, %t {output_type = f32} : (tensor<8xf8E4M3FN>, tensor<f32>) -> tensor<8xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// i32 products: linalg.matmul, a batch contraction with muli / addi, and
// the integer convolution.
// CHECK-LABEL: func @integer_products
// CHECK: linalg.fill ins(%{{.*}} : i32)
// CHECK: linalg.matmul ins(%{{.*}} : tensor<2x3xi32>, tensor<3x4xi32>)
// CHECK: linalg.generic
// CHECK:   arith.muli
// CHECK:   arith.addi
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}} : tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>)
func.func @integer_products(%a: tensor<2x3xi32>, %b: tensor<3x4xi32>, %c: tensor<2x2x3xi32>, %x: tensor<1x2x5x5xi32>, %w: tensor<3x2x3x3xi32>) -> (tensor<2x4xi32>, tensor<2x2x4xi32>, tensor<1x3x3x3xi32>) {
  %0 = graph.matmul %a, %b : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  %1 = graph.matmul %c, %b : (tensor<2x2x3xi32>, tensor<3x4xi32>) -> tensor<2x2x4xi32>
  %2 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32>) -> tensor<1x3x3x3xi32>
  return %0, %1, %2 : tensor<2x4xi32>, tensor<2x2x4xi32>, tensor<1x3x3x3xi32>
}

// -----

// Narrow types compute on their i8 storage (NarrowTypes.h). int4: round,
// the sign-extended zero point (of shape [1]: read at 0), clamp to [-8, 7],
// then the low 4 bits.
// CHECK-DAG: #[[ZP0:.*]] = affine_map<(d0) -> (0)>
// CHECK-LABEL: func @quantize_int4
// CHECK-SAME: %{{.*}}: tensor<1xi8>) -> tensor<4xi8>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[ZP0]], #{{.*}}]
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32, %[[ZP:.*]]: i8, %{{.*}}: i8):
// CHECK:   %[[R:.*]] = math.roundeven
// CHECK:   %[[HI:.*]] = arith.shli %[[ZP]], %{{.*}} : i8
// CHECK:   %[[Z:.*]] = arith.shrsi %[[HI]], %{{.*}} : i8
// CHECK:   %[[ZF:.*]] = arith.sitofp %[[Z]] : i8 to f32
// CHECK:   arith.addf %[[R]], %[[ZF]] : f32
// CHECK:   arith.constant -8.000000e+00 : f32
// CHECK:   arith.constant 7.000000e+00 : f32
// CHECK:   %[[Q:.*]] = arith.fptosi %{{.*}} : f32 to i8
// CHECK:   %[[Y:.*]] = arith.andi %[[Q]], %c15_i8 : i8
// CHECK:   linalg.yield %[[Y]] : i8
// CHECK-NOT: unrealized_conversion_cast
func.func @quantize_int4(%x: tensor<4xf32>, %s: tensor<f32>, %zp: tensor<1xi4>) -> tensor<4xi4> {
  %0 = graph.quantize_linear %x, %s, %zp {output_type = i4} : (tensor<4xf32>, tensor<f32>, tensor<1xi4>) -> tensor<4xi4>
  return %0 : tensor<4xi4>
}

// -----

// float8: x / scale converted by MiniFloat.h (no rounding to an integer,
// the zero point unused); without saturate, overflow is inf (0x7C).
// CHECK-LABEL: func @quantize_float8
// CHECK-SAME: -> tensor<4xi8>
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: i8, %{{.*}}: i8):
// CHECK:   %[[Q:.*]] = arith.divf
// CHECK-NOT: math.roundeven
// CHECK:   arith.bitcast %[[Q]] : f32 to i32
// CHECK:   arith.constant 124 : i32
// CHECK:   %[[B:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK:   linalg.yield %[[B]] : i8
func.func @quantize_float8(%x: tensor<4xf32>, %s: tensor<f32>, %zp: tensor<f8E5M2>) -> tensor<4xf8E5M2> {
  %0 = graph.quantize_linear %x, %s, %zp {output_type = f8E5M2, saturate = false} : (tensor<4xf32>, tensor<f32>, tensor<f8E5M2>) -> tensor<4xf8E5M2>
  return %0 : tensor<4xf8E5M2>
}

// -----

// uint2: the storage's low 2 bits, zero-extended, minus the zero point's.
// CHECK-LABEL: func @dequantize_uint2
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<i8>) -> tensor<4xf32>
// CHECK: ^bb0(%[[X:.*]]: i8, %[[S:.*]]: f32, %[[ZP:.*]]: i8, %{{.*}}: f32):
// CHECK:   %[[XB:.*]] = arith.andi %[[X]], %c3_i8 : i8
// CHECK:   %[[XF:.*]] = arith.sitofp %[[XB]] : i8 to f32
// CHECK:   %[[ZB:.*]] = arith.andi %[[ZP]], %{{.*}} : i8
// CHECK:   %[[ZF:.*]] = arith.sitofp %[[ZB]] : i8 to f32
// CHECK:   %[[D:.*]] = arith.subf %[[XF]], %[[ZF]] : f32
// CHECK:   %[[Y:.*]] = arith.mulf %[[D]], %[[S]] : f32
// CHECK:   linalg.yield %[[Y]] : f32
func.func @dequantize_uint2(%x: tensor<4xui2>, %s: tensor<f32>, %zp: tensor<ui2>) -> tensor<4xf32> {
  %0 = graph.dequantize_linear %x, %s, %zp {output_type = f32} : (tensor<4xui2>, tensor<f32>, tensor<ui2>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// float4: decoded exactly to f32 (MiniFloat.h); the zero point is ignored.
// CHECK-LABEL: func @dequantize_float4
// CHECK: ^bb0(%[[X:.*]]: i8, %[[S:.*]]: f32, %{{.*}}: i8, %{{.*}}: f32):
// CHECK:   arith.extui %[[X]] : i8 to i32
// CHECK-NOT: arith.subf
// CHECK:   %[[F:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK:   %[[Y:.*]] = arith.mulf %[[F]], %[[S]] : f32
// CHECK:   linalg.yield %[[Y]] : f32
func.func @dequantize_float4(%x: tensor<4xf4E2M1FN>, %s: tensor<f32>, %zp: tensor<f4E2M1FN>) -> tensor<4xf32> {
  %0 = graph.dequantize_linear %x, %s, %zp {output_type = f32} : (tensor<4xf4E2M1FN>, tensor<f32>, tensor<f4E2M1FN>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
