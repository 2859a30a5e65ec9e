// The CPU pipeline: results become out-parameters, the entry takes bare
// pointers, and nothing but malloc/free (and libm) is called.
// RUN: strata-opt %s -convert-graph-to-linalg -strata-cpu-lower-to-llvm | FileCheck %s

// CHECK-NOT: memrefCopy
// CHECK-LABEL: llvm.func @model(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) {
// tanh is a polynomial (strata-approximate-math), not an intrinsic or call.
// CHECK-NOT: tanh
// CHECK: llvm.intr.fma
// CHECK: llvm.return
// CHECK-NOT: llvm.call @memrefCopy
func.func @model(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %1 = graph.relu %0 : tensor<1x4x4x4xf32> -> tensor<1x4x4x4xf32>
  %2 = graph.tanh %1 : tensor<1x4x4x4xf32> -> tensor<1x4x4x4xf32>
  return %2, %1 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}
