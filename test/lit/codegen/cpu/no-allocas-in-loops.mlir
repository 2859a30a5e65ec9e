// No compiled model grows its stack in a loop: after the whole CPU pipeline,
// every llvm.alloca is in the entry block (strata-hoist-static-allocas).
// The convolution and matrix product below are tiled into register blocks
// whose vector transfers lower to allocas inside the tile loops.
// RUN: strata-opt %s -convert-graph-to-linalg -strata-cpu-lower-to-llvm | FileCheck %s

// CHECK-LABEL: llvm.func @model(
// CHECK:       ^bb1
// CHECK-NOT:   llvm.alloca
// CHECK:       llvm.return
func.func @model(%x: tensor<1x3x34x34xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>, %m: tensor<1024x40xf32>) -> (tensor<1x16x32x32xf32>, tensor<16x40xf32>) {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1} : (tensor<1x3x34x34xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x32x32xf32>
  %1 = graph.relu %0 : tensor<1x16x32x32xf32> -> tensor<1x16x32x32xf32>
  %2 = graph.reshape %1 {shape = array<i64: 16, 1024>} : tensor<1x16x32x32xf32> -> tensor<16x1024xf32>
  %3 = graph.matmul %2, %m : (tensor<16x1024xf32>, tensor<1024x40xf32>) -> tensor<16x40xf32>
  return %1, %3 : tensor<1x16x32x32xf32>, tensor<16x40xf32>
}
