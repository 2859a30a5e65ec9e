// Round trip of the reduction, indexing, normalization and einsum ops:
// parse, print, parse again.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %i: tensor<3x4xi32>) -> (tensor<2x4xf32>, tensor<1x1x4xf32>, tensor<2x3x4xf32>, tensor<2x1x4xi64>, tensor<3xi64>, tensor<2x3x4xf32>, tensor<4xi32>) {
  // CHECK: graph.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %0 = graph.reduce_sum %x {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: graph.reduce_mean %{{.*}} {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  %1 = graph.reduce_mean %x {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  // CHECK: graph.reduce_max
  %2 = graph.reduce_max %x {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  // CHECK: graph.reduce_min
  %3 = graph.reduce_min %x {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  // CHECK: graph.reduce_prod
  %4 = graph.reduce_prod %x {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  // CHECK: graph.reduce_l1
  %5 = graph.reduce_l1 %x {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  // CHECK: graph.reduce_l2
  %6 = graph.reduce_l2 %x {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  // CHECK: graph.reduce_log_sum %
  %7 = graph.reduce_log_sum %x {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  // CHECK: graph.reduce_log_sum_exp
  %8 = graph.reduce_log_sum_exp %x {axes = array<i64: 0, 1>} : tensor<2x3x4xf32> -> tensor<1x1x4xf32>
  // An empty `axes` reduces nothing.
  // CHECK: graph.reduce_sum_square %{{.*}} {axes = array<i64>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %9 = graph.reduce_sum_square %x {axes = array<i64>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: graph.arg_max %{{.*}} {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x1x4xi64>
  %10 = graph.arg_max %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x1x4xi64>
  // CHECK: graph.arg_min %{{.*}} {axis = 1 : i64, keepdims = false, select_last_index = true} : tensor<3x4xi32> -> tensor<3xi64>
  %11 = graph.arg_min %i {axis = 1 : i64, keepdims = false, select_last_index = true} : tensor<3x4xi32> -> tensor<3xi64>
  // CHECK: graph.cumsum %{{.*}} {axis = 2 : i64, exclusive = true, reverse = true}
  %12 = graph.cumsum %x {axis = 2 : i64, exclusive = true, reverse = true} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: graph.einsum %{{.*}} {equation = "ij->j"} : (tensor<3x4xi32>) -> tensor<4xi32>
  %13 = graph.einsum %i {equation = "ij->j"} : (tensor<3x4xi32>) -> tensor<4xi32>
  return %0, %1, %9, %10, %11, %12, %13 : tensor<2x4xf32>, tensor<1x1x4xf32>, tensor<2x3x4xf32>, tensor<2x1x4xi64>, tensor<3xi64>, tensor<2x3x4xf32>, tensor<4xi32>
}

// CHECK-LABEL: func @einsum
func.func @einsum(%a: tensor<2x3x4xf32>, %b: tensor<1x4x5xf32>) -> tensor<2x3x5xf32> {
  // CHECK: graph.einsum %{{.*}}, %{{.*}} {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<1x4x5xf32>) -> tensor<2x3x5xf32>
  %0 = graph.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<1x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// CHECK-LABEL: func @gathers
func.func @gathers(%x: tensor<5x4xf32>, %i: tensor<2x3xi64>, %j: tensor<3x1xi32>) -> (tensor<2x3x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<5x4xf32>) {
  // CHECK: graph.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %0 = graph.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  // CHECK: graph.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  %1 = graph.gather_elements %x, %i {axis = 1 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  // CHECK: graph.gather_nd %{{.*}}, %{{.*}} : (tensor<5x4xf32>, tensor<3x1xi32>) -> tensor<3x4xf32>
  %2 = graph.gather_nd %x, %j : (tensor<5x4xf32>, tensor<3x1xi32>) -> tensor<3x4xf32>
  // CHECK: graph.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = "add"} : (tensor<5x4xf32>, tensor<3x1xi32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %3 = graph.scatter_nd %x, %j, %2 {reduction = "add"} : (tensor<5x4xf32>, tensor<3x1xi32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  return %0, %1, %2, %3 : tensor<2x3x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<5x4xf32>
}

// CHECK-LABEL: func @movement
func.func @movement(%x: tensor<2x4xf32>, %k: tensor<3xi64>, %v: tensor<2xf32>) -> (tensor<2x2xf32>, tensor<4x7xf32>, tensor<4x7xf32>, tensor<4x12xf32>, tensor<3x2x4xf32>, tensor<2x4xf32>, tensor<3x5xf32>) {
  // CHECK: graph.slice %{{.*}} {sizes = array<i64: 2, 2>, starts = array<i64: 0, 3>, steps = array<i64: 1, -2>} : tensor<2x4xf32> -> tensor<2x2xf32>
  %0 = graph.slice %x {starts = array<i64: 0, 3>, sizes = array<i64: 2, 2>, steps = array<i64: 1, -2>} : tensor<2x4xf32> -> tensor<2x2xf32>
  // CHECK: graph.pad %{{.*}} {pads = array<i64: 1, 2, 1, 1>, value = 5.000000e-01 : f32} : tensor<2x4xf32> -> tensor<4x7xf32>
  %1 = graph.pad %x {pads = array<i64: 1, 2, 1, 1>, value = 0.5 : f32} : tensor<2x4xf32> -> tensor<4x7xf32>
  // CHECK: graph.pad %{{.*}} {mode = "reflect", pads = array<i64: 1, 2, 1, 1>}
  %2 = graph.pad %x {pads = array<i64: 1, 2, 1, 1>, mode = "reflect"} : tensor<2x4xf32> -> tensor<4x7xf32>
  // CHECK: graph.tile %{{.*}} {repeats = array<i64: 2, 3>} : tensor<2x4xf32> -> tensor<4x12xf32>
  %3 = graph.tile %x {repeats = array<i64: 2, 3>} : tensor<2x4xf32> -> tensor<4x12xf32>
  // CHECK: graph.expand %{{.*}} {shape = array<i64: 3, 1, 1>} : tensor<2x4xf32> -> tensor<3x2x4xf32>
  %4 = graph.expand %x {shape = array<i64: 3, 1, 1>} : tensor<2x4xf32> -> tensor<3x2x4xf32>
  // CHECK: graph.trilu %{{.*}} {k = -1 : i64, upper = false} : tensor<2x4xf32> -> tensor<2x4xf32>
  %5 = graph.trilu %x {upper = false, k = -1} : tensor<2x4xf32> -> tensor<2x4xf32>
  // CHECK: graph.one_hot %{{.*}}, %{{.*}} {axis = 1 : i64, depth = 5 : i64} : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x5xf32>
  %6 = graph.one_hot %k, %v {depth = 5, axis = 1} : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x5xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x2xf32>, tensor<4x7xf32>, tensor<4x7xf32>, tensor<4x12xf32>, tensor<3x2x4xf32>, tensor<2x4xf32>, tensor<3x5xf32>
}

// CHECK-LABEL: func @normalization
func.func @normalization(%x: tensor<2x6x5xf32>, %c: tensor<6xf32>, %g: tensor<3xf32>, %l: tensor<5xf32>) -> (tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>) {
  // CHECK: graph.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 9.99999974E-6 : f32}
  %0 = graph.layer_norm %x, %l, %l {axis = 2, epsilon = 1.0e-5 : f32} : (tensor<2x6x5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<2x6x5xf32>
  // CHECK: graph.instance_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon
  %1 = graph.instance_norm %x, %c, %c {epsilon = 1.0e-5 : f32} : (tensor<2x6x5xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x5xf32>
  // CHECK: graph.group_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = {{.*}}, num_groups = 3 : i64} : (tensor<2x6x5xf32>, tensor<3xf32>, tensor<3xf32>)
  %2 = graph.group_norm %x, %g, %g {num_groups = 3, epsilon = 1.0e-5 : f32} : (tensor<2x6x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x6x5xf32>
  // CHECK: graph.lp_norm %{{.*}} {axis = 1 : i64, p = 1 : i64}
  %3 = graph.lp_norm %x {axis = 1, p = 1} : tensor<2x6x5xf32> -> tensor<2x6x5xf32>
  // CHECK: graph.log_softmax %{{.*}} {axis = 0 : i64}
  %4 = graph.log_softmax %x {axis = 0} : tensor<2x6x5xf32> -> tensor<2x6x5xf32>
  // CHECK: graph.hardmax %{{.*}} {axis = 2 : i64}
  %5 = graph.hardmax %x {axis = 2} : tensor<2x6x5xf32> -> tensor<2x6x5xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>
}
