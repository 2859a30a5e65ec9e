// convert-graph-to-linalg of graph.top_k: an scf.for over k whose body is
// one two-result linalg.generic reduction (value, index) over the axis,
// picking the first element after the previous pick in (value, index)
// order; each pick is inserted as slice j of both results.
// RUN: strata-opt %s -convert-graph-to-linalg -canonicalize | FileCheck %s

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[PLANE:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @middle_axis
// CHECK: %[[R:.*]]:2 = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[V:.*]] = %{{.*}}, %[[I:.*]] = %{{.*}}) -> (tensor<2x4x3xf32>, tensor<2x4x3xi64>)
// CHECK: %[[PV:.*]] = tensor.extract_slice %[[V]][0, %{{.*}}, 0] [2, 1, 3] [1, 1, 1] : tensor<2x4x3xf32> to tensor<2x3xf32>
// CHECK: %[[PI:.*]] = tensor.extract_slice %[[I]][0, %{{.*}}, 0] [2, 1, 3] [1, 1, 1] : tensor<2x4x3xi64> to tensor<2x3xi64>
// CHECK: %[[PICK:.*]]:2 = linalg.generic {indexing_maps = [#[[IN]], #[[PLANE]], #[[PLANE]], #[[PLANE]], #[[PLANE]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %[[PV]], %[[PI]] : {{.*}})
// CHECK: arith.cmpf olt
// CHECK: linalg.yield
// CHECK: %[[NV:.*]] = tensor.insert_slice %[[PICK]]#0 into %[[V]][0, %[[J]], 0] [2, 1, 3] [1, 1, 1]
// CHECK: %[[NI:.*]] = tensor.insert_slice %[[PICK]]#1 into %[[I]][0, %[[J]], 0] [2, 1, 3] [1, 1, 1]
// CHECK: scf.yield %[[NV]], %[[NI]]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @middle_axis(%x: tensor<2x7x3xf32>) -> (tensor<2x4x3xf32>, tensor<2x4x3xi64>) {
  %v, %i = graph.top_k %x {k = 4 : i64, axis = 1 : i64, largest = false} : tensor<2x7x3xf32> -> tensor<2x4x3xf32>, tensor<2x4x3xi64>
  return %v, %i : tensor<2x4x3xf32>, tensor<2x4x3xi64>
}
