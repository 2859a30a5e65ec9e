// RUN: strata-opt %s -strata-vectorize-contractions -split-input-file | FileCheck %s

// An 8x256 * 256x512 matmul: blocks of 8x32 outputs (the M tile divides 8,
// the N tile 512), reduction tiled by 1, each step an outer product: the
// broadcast A element times a 32-wide row of B, accumulated with FMAs.
// CHECK-LABEL: func @matmul
// CHECK: scf.for %{{.*}} = %c0 to %c512 step %c32
// CHECK:   scf.for %{{.*}} = %c0 to %c256 step %c1
// CHECK:     vector.transfer_read {{.*}} : tensor<8x1xf32>, vector<8x1xf32>
// CHECK:     vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK:     vector.fma {{.*}} : vector<32xf32>
// CHECK:     vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<8x32xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<8x256xf32>, %b: tensor<256x512xf32>, %c: tensor<8x512xf32>) -> tensor<8x512xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<8x256xf32>, tensor<256x512xf32>) outs(%c : tensor<8x512xf32>) -> tensor<8x512xf32>
  return %0 : tensor<8x512xf32>
}

// -----

// Extents without a large divisor get smaller blocks (6 rows, 7 columns),
// never partial ones.
// CHECK-LABEL: func @odd_sizes
// CHECK: vector.transfer_read {{.*}} : tensor<6x1xf32>, vector<6x1xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<1x7xf32>, vector<1x7xf32>
func.func @odd_sizes(%a: tensor<6x5xf32>, %b: tensor<5x7xf32>, %c: tensor<6x7xf32>) -> tensor<6x7xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<6x5xf32>, tensor<5x7xf32>) outs(%c : tensor<6x7xf32>) -> tensor<6x7xf32>
  return %0 : tensor<6x7xf32>
}

// -----

// Not a contraction (an elementwise add): left alone.
// CHECK-LABEL: func @not_a_contraction
// CHECK: linalg.add
// CHECK-NOT: vector.
func.func @not_a_contraction(%a: tensor<8x8xf32>, %c: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %0 = linalg.add ins(%a, %a : tensor<8x8xf32>, tensor<8x8xf32>) outs(%c : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}
