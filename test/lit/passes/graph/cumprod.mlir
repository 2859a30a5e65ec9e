// convert-graph-to-linalg of cumprod: cumsum's generic with a product.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// Loops (d0, d1, s); source s is multiplied into element d1 when s >= d1
// (inclusive, reverse); elsewhere the identity 1 is.
// CHECK-DAG: #[[SRC:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[DST:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @cumprod_reverse
// CHECK: %[[ONES:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x5xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[SRC]], #[[DST]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[ONES]] : tensor<2x5xf32>)
// CHECK:   %[[S:.*]] = linalg.index 2 : index
// CHECK:   %[[D:.*]] = linalg.index 1 : index
// CHECK:   %[[IN:.*]] = arith.cmpi sge, %[[S]], %[[D]] : index
// CHECK:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:   %[[T:.*]] = arith.select %[[IN]], %{{.*}}, %[[ONE]] : f32
// CHECK:   arith.mulf %{{.*}}, %[[T]] : f32
func.func @cumprod_reverse(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = graph.cumprod %x {axis = 1 : i64, reverse = true} : tensor<2x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Integers: muli, identity 1, exclusive.
// CHECK-LABEL: func @cumprod_int_exclusive
// CHECK:   arith.cmpi slt
// CHECK:   arith.constant 1 : i32
// CHECK:   arith.muli
func.func @cumprod_int_exclusive(%x: tensor<6xi32>) -> tensor<6xi32> {
  %0 = graph.cumprod %x {axis = 0 : i64, exclusive = true} : tensor<6xi32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
}
