// Round trip of graph.grid_sample and graph.bitcast.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @grid_sample
func.func @grid_sample(%x: tensor<2x3x8x9xf32>, %g: tensor<2x4x5x2xf32>, %v: tensor<1x2x3x4x5xf16>, %h: tensor<1x2x2x2x3xf16>) -> (tensor<2x3x4x5xf32>, tensor<1x2x2x2x2xf16>) {
  // CHECK: graph.grid_sample %{{.*}}, %{{.*}} {align_corners = true, mode = "cubic", padding_mode = "reflection"} : (tensor<2x3x8x9xf32>, tensor<2x4x5x2xf32>) -> tensor<2x3x4x5xf32>
  %0 = graph.grid_sample %x, %g {mode = "cubic", padding_mode = "reflection", align_corners = true} : (tensor<2x3x8x9xf32>, tensor<2x4x5x2xf32>) -> tensor<2x3x4x5xf32>
  // CHECK: graph.grid_sample %{{.*}}, %{{.*}} {mode = "linear", padding_mode = "zeros"} : (tensor<1x2x3x4x5xf16>, tensor<1x2x2x2x3xf16>) -> tensor<1x2x2x2x2xf16>
  %1 = graph.grid_sample %v, %h {mode = "linear", padding_mode = "zeros"} : (tensor<1x2x3x4x5xf16>, tensor<1x2x2x2x3xf16>) -> tensor<1x2x2x2x2xf16>
  return %0, %1 : tensor<2x3x4x5xf32>, tensor<1x2x2x2x2xf16>
}

// CHECK-LABEL: func @bitcast
func.func @bitcast(%f: tensor<2x3xf32>, %b: tensor<4xi1>, %u: tensor<4xui16>) -> (tensor<2x3xi32>, tensor<4xui8>, tensor<4xf16>) {
  // CHECK: graph.bitcast %{{.*}} {to = i32} : tensor<2x3xf32> -> tensor<2x3xi32>
  %0 = graph.bitcast %f {to = i32} : tensor<2x3xf32> -> tensor<2x3xi32>
  // CHECK: graph.bitcast %{{.*}} {to = ui8} : tensor<4xi1> -> tensor<4xui8>
  %1 = graph.bitcast %b {to = ui8} : tensor<4xi1> -> tensor<4xui8>
  // CHECK: graph.bitcast %{{.*}} {to = f16} : tensor<4xui16> -> tensor<4xf16>
  %2 = graph.bitcast %u {to = f16} : tensor<4xui16> -> tensor<4xf16>
  return %0, %1, %2 : tensor<2x3xi32>, tensor<4xui8>, tensor<4xf16>
}
