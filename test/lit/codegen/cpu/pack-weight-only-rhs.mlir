// A product of A and a dequantized constant 4-bit weight (the form
// MatMulNBits takes: B [N, K] in blocks of 2 along K, dequantized, then
// transposed) becomes a generic over (m, panel, lane, block, step, nibble)
// marked strata.weight_panels. It reads A as rows x K / 2 x 2 (padded with
// a zero column to whole blocks), the codes packed two per byte as
// [panels][blocks][steps][lanes], and per panel, block and lane the scale
// and the zero point. The dequantization and the transpose are gone. A
// product whose weight is not a constant, or not a marked dequantization,
// or whose accumulator does not start at zero, stays.
// RUN: strata-opt %s -split-input-file -strata-pack-weight-only-rhs="lanes=2" | FileCheck %s

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3 + d4, d5)>
// CHECK-DAG: #[[QM:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
// CHECK-DAG: #[[SM:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @nbits(
// CHECK-DAG: %[[Q:.*]] = arith.constant dense_resource<weight_panels> : tensor<2x2x1x2xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense_resource<weight_scales> : tensor<2x2x2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense_resource<weight_zero_points> : tensor<2x2x2xi8>
// CHECK-NOT: linalg.transpose
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0] high[0, 1]
// CHECK: %[[AX:.*]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2]] output_shape [2, 2, 2] : tensor<2x4xf32> into tensor<2x2x2xf32>
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[QM]], #[[SM]], #[[SM]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[AX]], %[[Q]], %[[S]], %[[Z]] : tensor<2x2x2xf32>, tensor<2x2x1x2xi8>, tensor<2x2x2xf32>, tensor<2x2x2xi8>) outs(%{{.*}} : tensor<2x2x2xf32>) attrs =  {strata.weight_panels}
// The nibble: (code >> 4 * e) & 15.
// CHECK: linalg.index 5
// CHECK: arith.shrui
// CHECK: arith.andi
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2]] : tensor<2x2x2xf32> into tensor<2x4xf32>
// CHECK: %[[OUT:.*]] = tensor.extract_slice %[[R]][0, 0] [2, 3] [1, 1]
// CHECK: return %[[OUT]]
// Codes (uint4, so as they are) q[n][k] = 3n + k + 1, packed
// [p][b][s][l] = q[2p + l][2b] | q[2p + l][2b + 1] << 4; column 3 and k = 3
// are zeros:
// CHECK: weight_panels: "0x400000002154030687000900"
// Scales 0.5 (block 0) and 0.25 (block 1) of every column, zero points
// 8 + n, as [p][b][l]:
// CHECK: weight_scales: "0x400000000000003F0000003F0000803E0000803E0000003F000000000000803E00000000"
// CHECK: weight_zero_points: "0x40000000080908090A000A00"
#dq_b = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @nbits(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q = arith.constant dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9]]> : tensor<3x3xi8>
  %s = arith.constant dense<[[0.5, 0.25], [0.5, 0.25], [0.5, 0.25]]> : tensor<3x2xf32>
  %z = arith.constant dense<[[8, 8], [9, 9], [10, 10]]> : tensor<3x2xi8>
  %e = tensor.empty() : tensor<3x3xf32>
  %w = linalg.generic {indexing_maps = [#id, #dq_b, #dq_b, #id], iterator_types = ["parallel", "parallel"]} ins(%q, %s, %z : tensor<3x3xi8>, tensor<3x2xf32>, tensor<3x2xi8>) outs(%e : tensor<3x3xf32>) attrs = {strata.dequantize = "ui4"} {
  ^bb0(%in: i8, %sc: f32, %zp: i8, %out: f32):
    %c15 = arith.constant 15 : i8
    %0 = arith.andi %in, %c15 : i8
    %1 = arith.sitofp %0 : i8 to f32
    %2 = arith.andi %zp, %c15 : i8
    %3 = arith.sitofp %2 : i8 to f32
    %4 = arith.subf %1, %3 : f32
    %5 = arith.mulf %4, %sc : f32
    linalg.yield %5 : f32
  } -> tensor<3x3xf32>
  %te = tensor.empty() : tensor<3x3xf32>
  %wt = linalg.transpose ins(%w : tensor<3x3xf32>) outs(%te : tensor<3x3xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %ce = tensor.empty() : tensor<2x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ce : tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = linalg.matmul ins(%x, %wt : tensor<2x3xf32>, tensor<3x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// Signed int8 per column (no block along K): one block of all of K, codes
// stored as value + 128 ([[1, 3], [-1, -3]] -> 0x81 0x83 0x7F 0x7D), zero
// point 128.
// CHECK-LABEL: func.func @int8_per_column(
// CHECK: arith.constant dense_resource<weight_panels> : tensor<1x1x2x2xi8>
// CHECK: strata.weight_panels
// CHECK-NOT: linalg.index
// CHECK: weight_panels: "0x4000000081837F7D"
// CHECK: weight_zero_points: "0x400000008080"
#col = affine_map<(d0, d1) -> (d1)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @int8_per_column(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[1, 3], [-1, -3]]> : tensor<2x2xi8>
  %s = arith.constant dense<[0.5, 2.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %w = linalg.generic {indexing_maps = [#id2, #col, #id2], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<2x2xi8>, tensor<2xf32>) outs(%e : tensor<2x2xf32>) attrs = {strata.dequantize = "i8"} {
  ^bb0(%in: i8, %sc: f32, %out: f32):
    %0 = arith.sitofp %in : i8 to f32
    %1 = arith.mulf %0, %sc : f32
    linalg.yield %1 : f32
  } -> tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %ce = tensor.empty() : tensor<1x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ce : tensor<1x2xf32>) -> tensor<1x2xf32>
  %r = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}

// -----

// An unmarked B (a plain f32 generic) stays, as does a product that
// accumulates into a variable.
// CHECK-LABEL: func.func @stays(
// CHECK-NOT: strata.weight_panels
// CHECK: linalg.matmul
// CHECK: linalg.matmul
#id3 = affine_map<(d0, d1) -> (d0, d1)>
#col3 = affine_map<(d0, d1) -> (d1)>
func.func @stays(%x: tensor<1x2xf32>, %acc: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %q = arith.constant dense<[[1, 3], [-1, -3]]> : tensor<2x2xi8>
  %s = arith.constant dense<[0.5, 2.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %plain = linalg.generic {indexing_maps = [#id3, #col3, #id3], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<2x2xi8>, tensor<2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%in: i8, %sc: f32, %out: f32):
    %0 = arith.sitofp %in : i8 to f32
    %1 = arith.mulf %0, %sc : f32
    linalg.yield %1 : f32
  } -> tensor<2x2xf32>
  %marked = linalg.generic {indexing_maps = [#id3, #col3, #id3], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<2x2xi8>, tensor<2xf32>) outs(%e : tensor<2x2xf32>) attrs = {strata.dequantize = "i8"} {
  ^bb0(%in: i8, %sc: f32, %out: f32):
    %0 = arith.sitofp %in : i8 to f32
    %1 = arith.mulf %0, %sc : f32
    linalg.yield %1 : f32
  } -> tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %ce = tensor.empty() : tensor<1x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ce : tensor<1x2xf32>) -> tensor<1x2xf32>
  %r0 = linalg.matmul ins(%x, %plain : tensor<1x2xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2xf32>) -> tensor<1x2xf32>
  %r1 = linalg.matmul ins(%x, %marked : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %r0, %r1 : tensor<1x2xf32>, tensor<1x2xf32>
}
