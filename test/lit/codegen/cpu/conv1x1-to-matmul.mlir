// A 1x1 NHWC convolution with unit strides becomes a matmul of the pixels
// (N*H*W x C) by the filter (C x F), its constant filter a C x F constant of
// the same data. Strided or larger windows stay convolutions.
// RUN: strata-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(strata-conv1x1-to-matmul))' | FileCheck %s

// CHECK-LABEL: func.func @pointwise(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x5x4xf32>, %[[INIT:.*]]: tensor<2x3x5x8xf32>
// CHECK: %[[A:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1, 2], [3]] : tensor<2x3x5x4xf32> into tensor<30x4xf32>
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<4x8xf32>
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[INIT]] {{\[\[}}0, 1, 2], [3]] : tensor<2x3x5x8xf32> into tensor<30x8xf32>
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[A]], %[[W]] : tensor<30x4xf32>, tensor<4x8xf32>) outs(%[[C]] : tensor<30x8xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0, 1, 2], [3]] output_shape [2, 3, 5, 8]
// CHECK-NOT: linalg.conv_2d
// CHECK: return %[[R]]
func.func @pointwise(%x: tensor<2x3x5x4xf32>, %init: tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32> {
  %w = arith.constant dense<0.5> : tensor<1x1x4x8xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<2x3x5x4xf32>, tensor<1x1x4x8xf32>) outs(%init : tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
  return %0 : tensor<2x3x5x8xf32>
}

// -----

// A filter computed at run time is reshaped.
// CHECK-LABEL: func.func @runtime_filter(
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2], [3]] : tensor<1x1x4x8xf32> into tensor<4x8xf32>
// CHECK: linalg.matmul
func.func @runtime_filter(%x: tensor<1x3x5x4xf32>, %w: tensor<1x1x4x8xf32>, %init: tensor<1x3x5x8xf32>) -> tensor<1x3x5x8xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x3x5x4xf32>, tensor<1x1x4x8xf32>) outs(%init : tensor<1x3x5x8xf32>) -> tensor<1x3x5x8xf32>
  return %0 : tensor<1x3x5x8xf32>
}

// -----

// CHECK-LABEL: func.func @stays(
// CHECK-NOT: linalg.matmul
// CHECK: linalg.conv_2d_nhwc_hwcf
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @stays(%x: tensor<1x4x4x4xf32>, %w: tensor<1x1x4x8xf32>, %w3: tensor<3x3x4x8xf32>,
                 %init: tensor<1x2x2x8xf32>) -> (tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>) {
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%x, %w : tensor<1x4x4x4xf32>, tensor<1x1x4x8xf32>) outs(%init : tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32>
  %1 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w3 : tensor<1x4x4x4xf32>, tensor<3x3x4x8xf32>) outs(%init : tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32>
  return %0, %1 : tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>
}

// -----

// An int8 1x1 convolution (strata-fold-qdq's: i8 x i8 -> i32) is a matmul
// too, its operands widened signed.
// CHECK-LABEL: func.func @pointwise_int8(
// CHECK: %[[M:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<15x4xi8>, tensor<4x8xi8>) outs(%{{.*}} : tensor<15x8xi32>)
// CHECK-NOT: linalg.conv_2d
func.func @pointwise_int8(%x: tensor<1x3x5x4xi8>, %init: tensor<1x3x5x8xi32>) -> tensor<1x3x5x8xi32> {
  %w = arith.constant dense<3> : tensor<1x1x4x8xi8>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x3x5x4xi8>, tensor<1x1x4x8xi8>) outs(%init : tensor<1x3x5x8xi32>) -> tensor<1x3x5x8xi32>
  return %0 : tensor<1x3x5x8xi32>
}
