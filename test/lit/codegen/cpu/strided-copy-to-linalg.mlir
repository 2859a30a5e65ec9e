// RUN: strata-opt %s -strata-strided-copy-to-linalg | FileCheck %s

// A copy into a padded buffer's interior (strided) becomes linalg.copy.
// CHECK-LABEL: func @into_subview
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32>) outs(%{{.*}} : memref<2x3xf32, strided<[5, 1], offset: 6>>)
// CHECK-NOT: memref.copy
func.func @into_subview(%src: memref<2x3xf32>, %dst: memref<4x5xf32>) {
  %view = memref.subview %dst[1, 1] [2, 3] [1, 1] : memref<4x5xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  memref.copy %src, %view : memref<2x3xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  return
}

// A contiguous copy stays memref.copy (it lowers to llvm.memcpy).
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%src: memref<2x3xf32>, %dst: memref<2x3xf32>) {
  memref.copy %src, %dst : memref<2x3xf32> to memref<2x3xf32>
  return
}
