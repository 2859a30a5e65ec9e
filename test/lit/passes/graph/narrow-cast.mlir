// graph.cast from / to the narrow types: one linalg.generic on the i8
// storage (NarrowTypes.h); afterwards no narrow type is left in the module:
// signatures and constants hold storage bytes (4-bit -1 is 0x0F).
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @to_float8(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>) -> tensor<4xi8>
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4xf32>) outs(%{{.*}} : tensor<4xi8>)
// CHECK:           ^bb0(%[[IN:.*]]: f32, %{{.*}}: i8):
// CHECK:             arith.bitcast %[[IN]] : f32 to i32
// Overflow without saturation: NaN (0x7F).
// CHECK:             %[[BIG:.*]] = arith.cmpi ugt, %{{.*}}, %c126_i32 : i32
// CHECK:             arith.select %[[BIG]], %c127_i32{{.*}}, %{{.*}} : i32
// CHECK:             %[[B:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK:             linalg.yield %[[B]] : i8
// CHECK:         return %[[R]] : tensor<4xi8>
// CHECK-NOT:     unrealized_conversion_cast
func.func @to_float8(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  %0 = graph.cast %x {to = f8E4M3FN, saturate = false} : tensor<4xf32> -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// CHECK-LABEL: func.func @from_float8(
// CHECK-SAME:    %[[X:.*]]: tensor<4xi8>) -> tensor<4xf16>
// CHECK:         linalg.generic {{.*}} ins(%[[X]] : tensor<4xi8>) outs(%{{.*}} : tensor<4xf16>)
// CHECK:           arith.extui %{{.*}} : i8 to i32
// CHECK:           %[[F:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK:           %[[H:.*]] = arith.truncf %[[F]] : f32 to f16
// CHECK:           linalg.yield %[[H]] : f16
func.func @from_float8(%x: tensor<4xf8E5M2>) -> tensor<4xf16> {
  %0 = graph.cast %x {to = f16} : tensor<4xf8E5M2> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// A 4-bit constant becomes its storage bytes; reading it sign-extends.
// CHECK-LABEL: func.func @int4_constant()
// CHECK:         %[[C:.*]] = arith.constant dense<[1, 14, 7, 8]> : tensor<4xi8>
// CHECK:         linalg.generic {{.*}} ins(%[[C]] : tensor<4xi8>)
// CHECK:           %[[UP:.*]] = arith.shli %{{.*}}, %c4_i8 : i8
// CHECK:           %[[V:.*]] = arith.shrsi %[[UP]], %c4_i8{{.*}} : i8
// CHECK:           arith.sitofp %[[V]] : i8 to f32
func.func @int4_constant() -> tensor<4xf32> {
  %c = graph.constant dense<[1, -2, 7, -8]> : tensor<4xi4>
  %0 = graph.cast %c {to = f32} : tensor<4xi4> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Unsigned 2-bit results keep the low bits of the wrapped value.
// CHECK-LABEL: func.func @to_uint2(
// CHECK-SAME:    %{{.*}}: tensor<4xi32>) -> tensor<4xi8>
// CHECK:           %[[T:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK:           %[[M:.*]] = arith.andi %[[T]], %c3_i8 : i8
// CHECK:           linalg.yield %[[M]] : i8
func.func @to_uint2(%x: tensor<4xi32>) -> tensor<4xui2> {
  %0 = graph.cast %x {to = ui2} : tensor<4xi32> -> tensor<4xui2>
  return %0 : tensor<4xui2>
}
