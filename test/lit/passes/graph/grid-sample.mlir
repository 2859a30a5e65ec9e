// graph.grid_sample and graph.bitcast -> linalg.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// Bilinear, zeros padding, 2-D: one generic over the output; per spatial
// dimension the grid coordinate (grid's last dim reversed: entry 1 is the
// height), its two taps with masks for zeros padding and NaN-safe clamped
// indices, then the four weighted reads.
// CHECK-LABEL: func @grid_sample_linear_zeros
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<1x2x3x3xf32>)
// CHECK:         %[[N:.*]] = linalg.index 0
// CHECK:         %[[C:.*]] = linalg.index 1
// CHECK:         %[[H:.*]] = linalg.index 2
// CHECK:         %[[W:.*]] = linalg.index 3
// CHECK:         tensor.extract %arg1[%[[N]], %[[H]], %[[W]], %c1]
// CHECK:         math.floor
// CHECK:         arith.cmpf oge
// CHECK:         arith.cmpf olt
// CHECK:         arith.maxnumf
// CHECK:         arith.minnumf
// CHECK:         arith.fptosi
// CHECK:         tensor.extract %arg1[%[[N]], %[[H]], %[[W]], %c0]
// CHECK-COUNT-4: tensor.extract %arg0[%[[N]], %[[C]],
// CHECK:         linalg.yield
func.func @grid_sample_linear_zeros(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = graph.grid_sample %x, %g {mode = "linear", padding_mode = "zeros"} : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Nearest rounds half to even; cubic reads 4 taps per dimension (16 in 2-D);
// border padding clamps the coordinate.
// CHECK-LABEL: func @grid_sample_nearest_cubic
// CHECK:         math.roundeven
// CHECK-COUNT-1: tensor.extract %arg0
// CHECK:         linalg.yield
// CHECK:       linalg.generic
// CHECK-COUNT-16: tensor.extract %arg0
// CHECK:         linalg.yield
func.func @grid_sample_nearest_cubic(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x3x2xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %0 = graph.grid_sample %x, %g {mode = "nearest", padding_mode = "reflection", align_corners = true} : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  %1 = graph.grid_sample %x, %g {mode = "cubic", padding_mode = "border"} : (tensor<1x2x4x5xf32>, tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  return %0, %1 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// BitCast: arith.bitcast between equal widths; bool -> byte is extui.
// CHECK-LABEL: func @bitcast
// CHECK:         arith.extui %{{.*}} : i1 to i8
// CHECK:         arith.bitcast %{{.*}} : f32 to i32
// CHECK:         arith.cmpi ne, %{{.*}}, %{{.*}} : i8
func.func @bitcast(%b: tensor<4xi1>, %f: tensor<4xf32>, %u: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xi32>, tensor<4xi1>) {
  %0 = graph.bitcast %b {to = ui8} : tensor<4xi1> -> tensor<4xui8>
  %1 = graph.bitcast %f {to = i32} : tensor<4xf32> -> tensor<4xi32>
  %2 = graph.bitcast %u {to = i1} : tensor<4xui8> -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xui8>, tensor<4xi32>, tensor<4xi1>
}
