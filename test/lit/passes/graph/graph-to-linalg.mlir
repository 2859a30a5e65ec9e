// Before -> after of convert-graph-to-linalg, one op family per function.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// Broadcasting: the [3] operand is read through a map dropping dim 0.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
// CHECK-NOT: graph.
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A size-1 dim that broadcasts is collapsed away: the operand's map is a
// projected permutation.
// CHECK-DAG: #[[ONE:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @sub_unit_dim
// CHECK: %[[B:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x5xi64> into tensor<5xi64>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ONE]], #{{.*}}]{{.*}}ins(%{{.*}}, %[[B]] :
// CHECK: arith.subi
func.func @sub_unit_dim(%a: tensor<4x5xi64>, %b: tensor<1x5xi64>) -> tensor<4x5xi64> {
  %0 = graph.sub %a, %b : (tensor<4x5xi64>, tensor<1x5xi64>) -> tensor<4x5xi64>
  return %0 : tensor<4x5xi64>
}

// -----

// CHECK-LABEL: func @activations
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: math.tanh
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @activations(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = graph.relu %x : tensor<8xf32> -> tensor<8xf32>
  %1 = graph.sigmoid %0 : tensor<8xf32> -> tensor<8xf32>
  %2 = graph.tanh %1 : tensor<8xf32> -> tensor<8xf32>
  %3 = graph.clip %2 {min = 0.0 : f32, max = 6.0 : f32} : tensor<8xf32> -> tensor<8xf32>
  return %3 : tensor<8xf32>
}

// -----

// CHECK-LABEL: func @matmul_2d
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3x5xf32>) outs(%[[ZERO]] : tensor<4x5xf32>)
func.func @matmul_2d(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %0 = graph.matmul %a, %b : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Batch broadcasting: the 2-D rhs is shared by every batch.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @matmul_batch
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @matmul_batch(%a: tensor<2x4x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x4x5xf32> {
  %0 = graph.matmul %a, %b : (tensor<2x4x3xf32>, tensor<3x5xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// A 1-D lhs is promoted to 1xK, multiplied, and the unit dim dropped.
// CHECK-LABEL: func @matmul_vector
// CHECK: tensor.expand_shape
// CHECK: linalg.matmul
// CHECK: tensor.collapse_shape
func.func @matmul_vector(%a: tensor<3xf32>, %b: tensor<3x5xf32>) -> tensor<5xf32> {
  %0 = graph.matmul %a, %b : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Transposed b is read through a swapped map; alpha and c are applied after.
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func @gemm
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BT]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = graph.gemm %a, %b, %c {alpha = 0.5 : f32, trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @conv
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func @grouped_conv
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x2x6x6xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x4x4x4xf32>
func.func @grouped_conv(%x: tensor<1x4x6x6xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2} : (tensor<1x4x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Max pool pads with -inf; ceil mode adds one more row/column at the end.
// CHECK-LABEL: func @max_pool_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: 0xFF800000
// CHECK: linalg.pooling_nchw_max
func.func @max_pool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = graph.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = true} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Average pool without count_include_pad divides corner windows by 4, edges
// by 6 and the centre by 9.
// CHECK-LABEL: func @average_pool
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]>
// CHECK: arith.divf
func.func @average_pool(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = graph.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = false} : tensor<1x1x3x3xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func @global_average_pool
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.constant 2.000000e+01 : f32
// CHECK: tensor.expand_shape {{.*}} into tensor<2x3x1x1xf32>
func.func @global_average_pool(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32> {
  %0 = graph.global_average_pool %x : tensor<2x3x4x5xf32> -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

// CHECK-LABEL: func @batch_norm
// CHECK: linalg.generic
// CHECK: math.sqrt
func.func @batch_norm(%x: tensor<1x3x2x2xf32>, %p: tensor<3xf32>) -> tensor<1x3x2x2xf32> {
  %0 = graph.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

// Softmax: max, exp(x - max), sum, divide.
// CHECK-LABEL: func @softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = graph.softmax %x {axis = 1} : tensor<2x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func @data_movement
// CHECK: arith.constant dense<1.000000e+00> : tensor<2x3x4xf32>
// CHECK: tensor.collapse_shape
// CHECK: tensor.expand_shape
// CHECK: linalg.transpose
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0] [2, 3, 4] [1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 3, 0] [2, 3, 4] [1, 1, 1]
func.func @data_movement(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>) {
  %c = graph.constant dense<1.0> : tensor<2x3x4xf32>
  %0 = graph.reshape %x {shape = array<i64: 4, 6>} : tensor<2x3x4xf32> -> tensor<4x6xf32>
  %1 = graph.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %2 = graph.concat %x, %c {axis = 1} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  return %0, %1, %2 : tensor<4x6xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>
}

// -----

// A transposed constant b is transposed once at compile time: the
// contraction reads it as (k, n).
// CHECK-DAG: #[[KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func @gemm_constant_transposed_b
// CHECK: %[[W:.*]] = arith.constant dense_resource<transposed> : tensor<4x3xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KN]], #{{.*}}]
func.func @gemm_constant_transposed_b(%a: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %b = graph.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]> : tensor<3x4xf32>
  %0 = graph.gemm %a, %b {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// f16 products accumulate in f32 and round once at the end.
// CHECK-LABEL: func @matmul_f16
// CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x5xf32>)
// CHECK: %[[WIDE:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf16>, tensor<3x5xf16>) outs(%[[ACC]] : tensor<4x5xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[WIDE]] : tensor<4x5xf32>) outs(%{{.*}} : tensor<4x5xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @matmul_f16(%a: tensor<4x3xf16>, %b: tensor<3x5xf16>) -> tensor<4x5xf16> {
  %0 = graph.matmul %a, %b : (tensor<4x3xf16>, tensor<3x5xf16>) -> tensor<4x5xf16>
  return %0 : tensor<4x5xf16>
}

// -----

// CHECK-LABEL: func @matmul_batch_bf16
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x4x3xbf16>, tensor<3x5xbf16>) outs(%{{.*}} : tensor<2x4x5xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @matmul_batch_bf16(%a: tensor<2x4x3xbf16>, %b: tensor<3x5xbf16>) -> tensor<2x4x5xbf16> {
  %0 = graph.matmul %a, %b : (tensor<2x4x3xbf16>, tensor<3x5xbf16>) -> tensor<2x4x5xbf16>
  return %0 : tensor<2x4x5xbf16>
}

// -----

// An f16 softmax sums its exponentials in f32; the sum rounds to f16 before
// the division.
// CHECK-LABEL: func @softmax_f16
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<2x5xf16>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[SUM]] : tensor<2x5xf16>, tensor<2xf32>) outs(%{{.*}} : tensor<2x5xf16>)
// CHECK: %[[S:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.divf %{{.*}}, %[[S]] : f16
func.func @softmax_f16(%x: tensor<2x5xf16>) -> tensor<2x5xf16> {
  %0 = graph.softmax %x {axis = 1} : tensor<2x5xf16> -> tensor<2x5xf16>
  return %0 : tensor<2x5xf16>
}

// -----

// An empty concat operand inserts nothing.
// CHECK-LABEL: func @concat_empty_operand
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK: %[[R:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 8] [1, 1]
// CHECK-NOT: tensor.insert_slice
// CHECK: return %[[R]]
func.func @concat_empty_operand(%a: tensor<2x8xf32>, %b: tensor<2x0xf32>) -> tensor<2x8xf32> {
  %0 = graph.concat %a, %b {axis = 1} : (tensor<2x8xf32>, tensor<2x0xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
