// An i8 x i8 -> i32 product with a constant B (K = 3, N = 5) becomes a
// generic over (m, n1, n0, k1, k0) marked strata.int8_panels, reading B
// packed as [ceil(N / lanes)][ceil(K / group)][lanes][group] with zeros past
// K and N, and A padded with a zero column to whole groups; the result
// (rows x panels x lanes) is cut back to N columns. A product whose
// accumulator does not start at zero, or whose B is not a constant, stays.
// RUN: strata-opt %s -split-input-file -strata-pack-int8-rhs="lanes=4 group=4" | FileCheck %s
// RUN: strata-opt %s -split-input-file -strata-pack-int8-rhs="lanes=4 group=2 wide=true" | FileCheck %s --check-prefix=WIDE

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3 * 4 + d4)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d2, d4)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul(
// CHECK: %[[P:.*]] = arith.constant dense_resource<int8_panels> : tensor<2x1x4x4xi8>
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0] high[0, 1]
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PAD]], %[[P]] : tensor<2x4xi8>, tensor<2x1x4x4xi8>) outs(%{{.*}} : tensor<2x2x4xi32>) attrs = {strata.int8_panels}
// CHECK: arith.extsi
// CHECK: arith.extsi
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2]] : tensor<2x2x4xi32> into tensor<2x8xi32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[R]][0, 0] [2, 5] [1, 1] : tensor<2x8xi32> to tensor<2x5xi32>
// CHECK: return %[[S]]
// B[k][n] = 5k + n + 1; packed[p][g][l][e] = B[4g + e][4p + l]:
// CHECK: int8_panels: "0x4000000001060B0002070C0003080D0004090E00050A0F00000000000000000000000000"
// The vpmaddwd layout: words, groups of 2 k.
// WIDE: arith.constant dense_resource<int8_panels> : tensor<2x2x4x2xi16>
// WIDE: tensor<2x4xi8>, tensor<2x2x4x2xi16>
func.func @matmul(%x: tensor<2x3xi8>) -> tensor<2x5xi32> {
  %w = arith.constant dense<[[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]]> : tensor<3x5xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2x5xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<2x5xi32>) -> tensor<2x5xi32>
  %0 = linalg.matmul ins(%x, %w : tensor<2x3xi8>, tensor<3x5xi8>) outs(%init : tensor<2x5xi32>) -> tensor<2x5xi32>
  return %0 : tensor<2x5xi32>
}

// -----

// CHECK-LABEL: func.func @not_zero_init(
// CHECK: linalg.matmul
// CHECK-NOT: strata.int8_panels
func.func @not_zero_init(%x: tensor<2x4xi8>, %init: tensor<2x4xi32>) -> tensor<2x4xi32> {
  %w = arith.constant dense<1> : tensor<4x4xi8>
  %0 = linalg.matmul ins(%x, %w : tensor<2x4xi8>, tensor<4x4xi8>) outs(%init : tensor<2x4xi32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

// CHECK-LABEL: func.func @variable_rhs(
// CHECK: linalg.matmul
// CHECK-NOT: strata.int8_panels
func.func @variable_rhs(%x: tensor<2x4xi8>, %w: tensor<4x4xi8>) -> tensor<2x4xi32> {
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2x4xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<2x4xi32>) -> tensor<2x4xi32>
  %0 = linalg.matmul ins(%x, %w : tensor<2x4xi8>, tensor<4x4xi8>) outs(%init : tensor<2x4xi32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}
