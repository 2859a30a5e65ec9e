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

// Extents without a large divisor get smaller blocks (6 rows), never
// partial ones. Columns come in vectors of a multiple of the lanes
// (vector-width, 16) or of a power of two below it: 7 as 4 + 2 + 1, and 24
// as 16 + 8 (LLVM scalarizes a <24 x float> accumulator).
// CHECK-LABEL: func @odd_sizes
// CHECK-DAG: vector.transfer_read {{.*}} : tensor<6x1xf32>, vector<6x1xf32>
// CHECK-DAG: vector.transfer_read {{.*}} : tensor<1x4xf32>, vector<1x4xf32>
// CHECK-DAG: vector.transfer_read {{.*}} : tensor<1x2xf32>, vector<1x2xf32>
// CHECK-DAG: vector.transfer_read {{.*}} : tensor<1x1xf32>, vector<1x1xf32>
// CHECK-NOT: vector<1x7xf32>
// CHECK-LABEL: func @twenty_four_columns
// CHECK-DAG: vector.transfer_write {{.*}} : vector<8x16xf32>, tensor<8x16xf32>
// CHECK-DAG: vector.transfer_write {{.*}} : vector<8x8xf32>, tensor<8x8xf32>
// CHECK-NOT: vector<8x24xf32>
func.func @odd_sizes(%a: tensor<6x5xf32>, %b: tensor<5x7xf32>, %c: tensor<6x7xf32>) -> tensor<6x7xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<6x5xf32>, tensor<5x7xf32>) outs(%c : tensor<6x7xf32>) -> tensor<6x7xf32>
  return %0 : tensor<6x7xf32>
}
func.func @twenty_four_columns(%a: tensor<8x16xf32>, %b: tensor<16x24xf32>, %c: tensor<8x24xf32>) -> tensor<8x24xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x24xf32>) outs(%c : tensor<8x24xf32>) -> tensor<8x24xf32>
  return %0 : tensor<8x24xf32>
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

// -----

// An NHWC 3x3 convolution: blocks of one output row, 8 columns (divides 56)
// by 32 output channels; the window and the input channels are loops of 1,
// and each step is an outer product of 8 input elements (one per column)
// with 32 filter values.
// CHECK-LABEL: func @conv_nhwc
// CHECK: scf.for %{{.*}} = %c0 to %c56 step %c8
// CHECK:   scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK:     scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:       scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:         scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK:           vector.transfer_read {{.*}} : tensor<1x8x1xf32>, vector<1x8x1xf32>
// CHECK:           vector.transfer_read {{.*}} : tensor<1x1x32xf32>, vector<1x1x32xf32>
// CHECK:           vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: linalg.conv
func.func @conv_nhwc(%in: tensor<1x58x58x64xf32>, %w: tensor<3x3x64x64xf32>, %init: tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in, %w : tensor<1x58x58x64xf32>, tensor<3x3x64x64xf32>) outs(%init : tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
  return %0 : tensor<1x56x56x64xf32>
}

// -----

// A strided depthwise convolution: 7 columns (divides 14) by 32 channels;
// at each window position, the 13 input columns the block needs are read
// once and every other one is multiplied by the filter row (one FMA of 32
// channels per output column).
// CHECK-LABEL: func @depthwise_nhwc
// CHECK: scf.for %{{.*}} = %c0 to %c14 step %c7
// CHECK:   scf.for %{{.*}} = %c0 to %c96 step %c32
// CHECK:     vector.transfer_read {{.*}} : tensor<1x13x32xf32>, vector<1x13x32xf32>
// CHECK:     vector.fma {{.*}} : vector<1x1x32xf32>
// CHECK-NOT: linalg.depthwise_conv
func.func @depthwise_nhwc(%in: tensor<1x29x29x96xf32>, %w: tensor<3x3x96xf32>, %init: tensor<1x14x14x96xf32>) -> tensor<1x14x14x96xf32> {
  %0 = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
     ins(%in, %w : tensor<1x29x29x96xf32>, tensor<3x3x96xf32>) outs(%init : tensor<1x14x14x96xf32>) -> tensor<1x14x14x96xf32>
  return %0 : tensor<1x14x14x96xf32>
}

// -----

// Cache blocks: K = 1024 in chunks of 512, outside M = 128 in chunks of 64;
// inside, the 32-wide column blocks run outside the 8-row blocks.
// CHECK-LABEL: func @cache_blocks
// CHECK: scf.for %{{.*}} = %c0 to %c1024 step %c512
// CHECK:   scf.for %{{.*}} = %c0 to %c128 step %c64
// CHECK:     scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK:       scf.for %{{.*}} = %c0 to %c64 step %c8
// CHECK:         scf.for %{{.*}} = %c0 to %c512 step %c1
// CHECK:           vector.fma {{.*}} : vector<32xf32>
func.func @cache_blocks(%a: tensor<128x1024xf32>, %b: tensor<1024x64xf32>, %c: tensor<128x64xf32>) -> tensor<128x64xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x1024xf32>, tensor<1024x64xf32>) outs(%c : tensor<128x64xf32>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}

// -----

// 6-row blocks (AVX2) and 22 rows: 18 rows in blocks of 6, then a block of
// 4 (2-row blocks for all 22 would leave most accumulators unused). 20
// rows would run as 4 blocks of 5.
// RUN: strata-opt %s -split-input-file -strata-vectorize-contractions="m-tile=6 n-tile=16" | FileCheck %s --check-prefix=AVX2
// AVX2-LABEL: func @split_rows
// AVX2: tensor.extract_slice %{{.*}}[0, 0] [18, 64]
// AVX2: scf.for %{{.*}} = %c0 to %c18 step %c6
// AVX2: vector.transfer_read {{.*}} : tensor<6x1xf32>, vector<6x1xf32>
// AVX2: tensor.extract_slice %{{.*}}[18, 0] [4, 64]
// AVX2: vector.transfer_read {{.*}} : tensor<4x1xf32>, vector<4x1xf32>
func.func @split_rows(%a: tensor<22x64xf32>, %b: tensor<64x32xf32>, %c: tensor<22x32xf32>) -> tensor<22x32xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<22x64xf32>, tensor<64x32xf32>) outs(%c : tensor<22x32xf32>) -> tensor<22x32xf32>
  return %0 : tensor<22x32xf32>
}

// -----

// An int8 depthwise convolution (i8 x i8 -> i32) takes the same blocks: the
// operands widened to i32 vectors, multiplied and added.
// CHECK-LABEL: func @depthwise_int8
// CHECK: scf.for %{{.*}} = %c0 to %c14 step %c7
// CHECK:   scf.for %{{.*}} = %c0 to %c96 step %c32
// CHECK:     arith.extsi {{.*}} : vector<1x1x32xi8> to vector<1x1x32xi32>
// CHECK:     arith.muli {{.*}} : vector<1x1x32xi32>
// CHECK:     arith.addi {{.*}} : vector<1x1x32xi32>
// CHECK-NOT: linalg.depthwise_conv
func.func @depthwise_int8(%in: tensor<1x29x29x96xi8>, %w: tensor<3x3x96xi8>, %init: tensor<1x14x14x96xi32>) -> tensor<1x14x14x96xi32> {
  %0 = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
     ins(%in, %w : tensor<1x29x29x96xi8>, tensor<3x3x96xi8>) outs(%init : tensor<1x14x14x96xi32>) -> tensor<1x14x14x96xi32>
  return %0 : tensor<1x14x14x96xi32>
}
