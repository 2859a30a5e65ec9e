// convert-graph-to-linalg of scatter_elements: a loop nest over the updates
// inserting into the data.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// Each update is written at its own coordinates with the one along axis 1
// replaced by the (wrapped, clamped) index; add combines with the old value.
// CHECK-LABEL: func @scatter_elements_add
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x2xi64>, %[[U:.*]]: tensor<3x2xf32>)
// CHECK:      scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[A0:.*]] = %[[X]]) -> (tensor<3x4xf32>)
// CHECK:        scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[A1:.*]] = %[[A0]]) -> (tensor<3x4xf32>)
// CHECK:          %[[UPD:.*]] = tensor.extract %[[U]][%[[R]], %[[C]]] : tensor<3x2xf32>
// CHECK:          %[[IDX:.*]] = tensor.extract %[[I]][%[[R]], %[[C]]] : tensor<3x2xi64>
// CHECK:          arith.index_cast %[[IDX]] : i64 to index
// CHECK:          %[[COL:.*]] = arith.minsi
// CHECK:          %[[OLD:.*]] = tensor.extract %[[A1]][%[[R]], %[[COL]]] : tensor<3x4xf32>
// CHECK:          %[[SUM:.*]] = arith.addf %[[OLD]], %[[UPD]] : f32
// CHECK:          %[[NEW:.*]] = tensor.insert %[[SUM]] into %[[A1]][%[[R]], %[[COL]]] : tensor<3x4xf32>
// CHECK:          scf.yield %[[NEW]]
func.func @scatter_elements_add(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = graph.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Without reduction the update replaces the value.
// CHECK-LABEL: func @scatter_elements_none
// CHECK-SAME: (%[[X:.*]]: tensor<5xi32>, %[[I:.*]]: tensor<2xi32>, %[[U:.*]]: tensor<2xi32>)
// CHECK:      scf.for
// CHECK:        %[[UPD:.*]] = tensor.extract %[[U]]
// CHECK:        tensor.extract %[[I]]
// CHECK-NOT:    tensor.extract
// CHECK:        tensor.insert %[[UPD]] into
func.func @scatter_elements_none(%x: tensor<5xi32>, %i: tensor<2xi32>, %u: tensor<2xi32>) -> tensor<5xi32> {
  %0 = graph.scatter_elements %x, %i, %u {axis = 0 : i64} : (tensor<5xi32>, tensor<2xi32>, tensor<2xi32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}
