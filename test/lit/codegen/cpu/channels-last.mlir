// RUN: strata-opt %s -split-input-file -pass-pipeline='builtin.module(strata-channels-last,canonicalize)' | FileCheck %s

// Two convolutions with a bias + ReLU between them: both run in NHWC, the
// constant filters are transposed at compile time (FCHW -> HWCF), and the
// relayouts between the convolutions fold away: one transpose in at the
// input, one out at the result, none between.
// CHECK-LABEL: func @conv_relu_conv
// CHECK-DAG:  %[[W1:.*]] = arith.constant dense_resource<[[BLOB:.*]]> : tensor<1x1x2x2xf32>
// CHECK-DAG:  %[[W2:.*]] = arith.constant dense<5.000000e-01> : tensor<3x3x2x2xf32>
// CHECK:      %[[IN:.*]] = linalg.transpose ins(%arg0 : tensor<1x2x4x4xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:      %[[C1:.*]] = linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[IN]], %[[W1]] :
// CHECK:      %[[R:.*]] = linalg.generic {{.*}} ins(%[[C1]], %arg1 : tensor<1x4x4x2xf32>, tensor<2xf32>)
// CHECK:      %[[P:.*]] = tensor.pad %[[R]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:      %[[C2:.*]] = linalg.conv_2d_nhwc_hwcf {{.*}} ins(%[[P]], %[[W2]] :
// CHECK:      %[[OUT:.*]] = linalg.transpose ins(%[[C2]] : tensor<1x4x4x2xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK:      return %[[OUT]]
// CHECK-NOT:  linalg.transpose
// W1 as HWCF: [c0: f0 f1, c1: f0 f1] = 1, 3, 2, 4.
// CHECK:      [[BLOB]]: "0x040000000000803F000040400000004000008040"
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @conv_relu_conv(%x: tensor<1x2x4x4xf32>, %bias: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %w2 = arith.constant dense<0.5> : tensor<2x2x3x3xf32>
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%x, %w1 : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) outs(%init : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
     ins(%c1, %bias : tensor<1x2x4x4xf32>, tensor<2xf32>) outs(%e : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%p, %w2 : tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) outs(%init : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %c2 : tensor<1x2x4x4xf32>
}

// -----

// Depthwise convolution and max pooling: NHWC forms, the depthwise filter
// CHW -> HWC; the relayout between them folds.
// CHECK-LABEL: func @depthwise_then_pool
// CHECK:      linalg.transpose {{.*}} permutation = [0, 2, 3, 1]
// CHECK:      %[[D:.*]] = linalg.depthwise_conv_2d_nhwc_hwc {{.*}} tensor<3x3x8xf32>
// CHECK-NOT:  linalg.transpose
// CHECK:      linalg.pooling_nhwc_max {{.*}} ins(%[[D]], %{{.*}} : tensor<1x4x4x8xf32>, tensor<2x2xf32>)
// CHECK:      linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
func.func @depthwise_then_pool(%x: tensor<1x8x6x6xf32>, %w: tensor<8x3x3xf32>) -> tensor<1x8x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %d = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%x, %w : tensor<1x8x6x6xf32>, tensor<8x3x3xf32>) outs(%init : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %lowest = arith.constant -3.4e38 : f32
  %pe = tensor.empty() : tensor<1x8x2x2xf32>
  %pinit = linalg.fill ins(%lowest : f32) outs(%pe : tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  %pool = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
     ins(%d, %window : tensor<1x8x4x4xf32>, tensor<2x2xf32>) outs(%pinit : tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  return %pool : tensor<1x8x2x2xf32>
}

// -----

// Dynamic shapes stay NCHW.
// CHECK-LABEL: func @dynamic_stays
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.transpose
func.func @dynamic_stays(%x: tensor<?x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %init: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%x, %w : tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) outs(%init : tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  return %c : tensor<?x2x4x4xf32>
}

// -----

// A 3x3 filter of 128 output channels (rows 512 bytes apart) is stored with
// 16 more channels per row and read through a slice; a 1x1 filter is not.
// CHECK-LABEL: func @padded_filter_rows
// CHECK-DAG: %[[STORED:.*]] = arith.constant dense_resource<{{.*}}> : tensor<3x3x1x144xf32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<5.000000e-01> : tensor<1x1x2x128xf32>
// CHECK: %[[FILTER:.*]] = tensor.extract_slice %[[STORED]][0, 0, 0, 0] [3, 3, 1, 128] [1, 1, 1, 1] : tensor<3x3x1x144xf32> to tensor<3x3x1x128xf32>
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %[[FILTER]] : tensor<1x6x6x1xf32>, tensor<3x3x1x128xf32>)
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %[[ONE]] : tensor<1x6x6x2xf32>, tensor<1x1x2x128xf32>)
func.func @padded_filter_rows(%x: tensor<1x1x6x6xf32>, %x2: tensor<1x2x6x6xf32>) -> (tensor<1x128x4x4xf32>, tensor<1x128x6x6xf32>) {
  %w = arith.constant dense<[[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]], [[[6.0, 0.0, 1.0], [2.0, 3.0, 4.0], [5.0, 6.0, 0.0]]], [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0], [6.0, 0.0, 1.0], [2.0, 3.0, 4.0]]], [[[5.0, 6.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 0.0, 1.0]]], [[[2.0, 3.0, 4.0], [5.0, 6.0, 0.0], [1.0, 2.0, 3.0]]]]> : tensor<128x1x3x3xf32>
  %w1 = arith.constant dense<0.5> : tensor<128x2x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x128x4x4xf32>
  %i = linalg.fill ins(%zero : f32) outs(%e : tensor<1x128x4x4xf32>) -> tensor<1x128x4x4xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x1x6x6xf32>, tensor<128x1x3x3xf32>) outs(%i : tensor<1x128x4x4xf32>) -> tensor<1x128x4x4xf32>
  %e1 = tensor.empty() : tensor<1x128x6x6xf32>
  %i1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x128x6x6xf32>) -> tensor<1x128x6x6xf32>
  %1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x2, %w1 : tensor<1x2x6x6xf32>, tensor<128x2x1x1xf32>) outs(%i1 : tensor<1x128x6x6xf32>) -> tensor<1x128x6x6xf32>
  return %0, %1 : tensor<1x128x4x4xf32>, tensor<1x128x6x6xf32>
}
