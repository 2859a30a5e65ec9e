// strata-pack-int8-rhs with split-pairs (the vpmaddubsw kernel): a pair of
// adjacent k of one column whose weights have one sign and sum past 128 in
// magnitude (100 + 100, -100 + -90) is halved (50 + 50, -50 + -45); the
// other halves go into a residual of the k groups that hold any, with
// their group numbers and count per panel. Pairs within +-128 (3 + 5,
// 127 + -128) stay whole. The generic gets a sixth loop over the
// residual's entries, and its body adds the main product once and each
// residual entry at its own k group. Without a pair to split the product
// is packed as without the option. split-pairs with wide is an error.
// With the default max-residual (0.5), @split, whose two vectors both have
// a residual entry, is packed for vpmaddwd instead: words in groups of 2,
// nothing split (FALLBACK).
// RUN: strata-opt %s -split-input-file -strata-pack-int8-rhs="lanes=2 group=4 split-pairs=true max-residual=1.0" | FileCheck %s
// RUN: strata-opt %s -split-input-file -strata-pack-int8-rhs="lanes=2 group=4 split-pairs=true" | FileCheck %s --check-prefix=FALLBACK
// RUN: not strata-opt %s -strata-pack-int8-rhs="lanes=2 group=2 wide=true split-pairs=true" 2>&1 | FileCheck %s --check-prefix=WIDE

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3 * 4 + d4)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2, d4)>
// CHECK-DAG: #[[RES:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d5, d2, d4)>
// CHECK-DAG: #[[GROUPS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d5)>
// CHECK-DAG: #[[COUNTS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @split(
// CHECK: %[[P:.*]] = arith.constant dense_resource<int8_panels> : tensor<1x2x2x4xi8>
// CHECK: %[[R:.*]] = arith.constant dense_resource<int8_residual> : tensor<1x2x2x4xi8>
// CHECK: %[[G:.*]] = arith.constant dense_resource<int8_groups> : tensor<1x2xi32>
// CHECK: %[[N:.*]] = arith.constant dense_resource<int8_counts> : tensor<1xi32>
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[RES]], #[[GROUPS]], #[[COUNTS]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%arg0, %[[P]], %[[R]], %[[G]], %[[N]] : {{.*}}) outs(%{{.*}} : tensor<2x1x2xi32>) attrs = {strata.int8_panels}
// CHECK: ^bb0(%[[X:.*]]: i8, %[[W:.*]]: i8, %[[RW:.*]]: i8, %[[RG:.*]]: i32, %[[RN:.*]]: i32, %[[ACC:.*]]: i32):
// CHECK: %[[ENTRY:.*]] = linalg.index 5 : index
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[ENTRY]], %{{.*}} : index
// CHECK: %[[KG:.*]] = linalg.index 3 : index
// CHECK: %[[INCOUNT:.*]] = arith.cmpi slt, %{{.*}}, %[[RN]] : i32
// CHECK: %[[ATGROUP:.*]] = arith.cmpi eq, %[[RG]], %{{.*}} : i32
// CHECK: %[[USED:.*]] = arith.andi %[[INCOUNT]], %[[ATGROUP]] : i1
// CHECK: arith.select %[[FIRST]]
// CHECK: arith.select %[[USED]]
// The main panel: lane 0's k 0..3 (100 100 3 5 -> 50 50 3 5), lane 1's
// (1 2 4 6), then group 1: (7 8 9 11) and (-100 -90 10 12 -> -50 -45 10 12);
// the residual: group 0 with lane 0's halves, group 1 with lane 1's.
// CHECK: int8_panels: "0x4000000032320305010204060708090BCED30A0C",
// CHECK: int8_residual: "0x40000000323200000000000000000000CED30000",
// CHECK: int8_groups: "0x400000000000000001000000",
// CHECK: int8_counts: "0x4000000002000000"
// WIDE: split-pairs packs bytes (not wide) in groups of pairs
// FALLBACK-LABEL: func.func @split(
// FALLBACK: %[[P:.*]] = arith.constant dense_resource<int8_panels> : tensor<1x4x2x2xi16>
// FALLBACK-NOT: int8_residual
// FALLBACK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}}, %[[P]] : tensor<2x8xi8>, tensor<1x4x2x2xi16>)
// FALLBACK-LABEL: func.func @nothing_to_split(
// FALLBACK: arith.constant dense_resource<int8_panels> : tensor<1x1x2x4xi8>
func.func @split(%x: tensor<2x8xi8>) -> tensor<2x2xi32> {
  %w = arith.constant dense<[[100, 1], [100, 2], [3, 4], [5, 6], [7, -100], [8, -90], [9, 10], [11, 12]]> : tensor<8x2xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2x2xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<2x2xi32>) -> tensor<2x2xi32>
  %0 = linalg.matmul ins(%x, %w : tensor<2x8xi8>, tensor<8x2xi8>) outs(%init : tensor<2x2xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func.func @nothing_to_split(
// CHECK: %[[P:.*]] = arith.constant dense_resource<int8_panels> : tensor<1x1x2x4xi8>
// CHECK-NOT: int8_residual
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}}, %[[P]] : tensor<2x4xi8>, tensor<1x1x2x4xi8>)
func.func @nothing_to_split(%x: tensor<2x4xi8>) -> tensor<2x2xi32> {
  %w = arith.constant dense<[[127, 3], [-128, 5], [64, -64], [64, -64]]> : tensor<4x2xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2x2xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<2x2xi32>) -> tensor<2x2xi32>
  %0 = linalg.matmul ins(%x, %w : tensor<2x4xi8>, tensor<4x2xi8>) outs(%init : tensor<2x2xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}
