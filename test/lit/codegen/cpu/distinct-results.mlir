// A tensor returned twice gets a copy for its second result, so that
// buffer-results-to-out-params can hoist each allocation into one
// out-parameter; function arguments and single results are left alone.
// RUN: strata-opt %s -pass-pipeline="builtin.module(func.func(strata-distinct-results))" | FileCheck %s
// RUN: strata-opt %s -strata-cpu-lower-to-llvm | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func @twice
// CHECK:         %[[V:.*]] = linalg.generic
// CHECK:         %[[COPY:.*]] = bufferization.alloc_tensor() copy(%[[V]]) : tensor<4xf32>
// CHECK:         return %[[V]], %[[COPY]], %arg0, %arg0
// LLVM-LABEL: llvm.func @twice(
func.func @twice(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.addf %in, %in : f32
    linalg.yield %1 : f32
  } -> tensor<4xf32>
  return %0, %0, %a, %a : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
