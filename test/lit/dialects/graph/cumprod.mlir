// Round trip of graph.cumprod: parse, print, parse again.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @cumprod
func.func @cumprod(%x: tensor<2x3x4xf32>, %i: tensor<5xi32>) -> (tensor<2x3x4xf32>, tensor<5xi32>) {
  // CHECK: graph.cumprod %{{.*}} {axis = 2 : i64, exclusive = true, reverse = true} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %0 = graph.cumprod %x {axis = 2 : i64, exclusive = true, reverse = true} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: graph.cumprod %{{.*}} {axis = 0 : i64} : tensor<5xi32> -> tensor<5xi32>
  %1 = graph.cumprod %i {axis = 0 : i64} : tensor<5xi32> -> tensor<5xi32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<5xi32>
}
