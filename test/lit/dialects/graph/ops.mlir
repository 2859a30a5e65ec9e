// Round trip of every graph op: parse, print, parse again.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: graph.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.sub
  %1 = graph.sub %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.mul
  %2 = graph.mul %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.div
  %3 = graph.div %2, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.relu %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = graph.relu %3 : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.sigmoid
  %5 = graph.sigmoid %4 : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.tanh
  %6 = graph.tanh %5 : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  %7 = graph.clip %6 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.softmax %{{.*}} {axis = 1 : i64}
  %8 = graph.softmax %7 {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %8 : tensor<2x3xf32>
}

// CHECK-LABEL: func @integers
func.func @integers(%a: tensor<4xi64>, %b: tensor<1xi64>) -> tensor<4xi64> {
  // CHECK: graph.add {{.*}} -> tensor<4xi64>
  %0 = graph.add %a, %b : (tensor<4xi64>, tensor<1xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// CHECK-LABEL: func @linear
func.func @linear(%x: tensor<5x4xf32>, %w: tensor<3x4xf32>, %c: tensor<3xf32>,
                  %b: tensor<2x1x4x6xf32>, %m: tensor<3x6x7xf32>) -> (tensor<5x3xf32>, tensor<2x3x4x7xf32>) {
  // CHECK: graph.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, trans_b = true}
  %0 = graph.gemm %x, %w, %c {alpha = 0.5 : f32, trans_b = true} : (tensor<5x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  // CHECK: graph.matmul {{.*}} -> tensor<2x3x4x7xf32>
  %1 = graph.matmul %b, %m : (tensor<2x1x4x6xf32>, tensor<3x6x7xf32>) -> tensor<2x3x4x7xf32>
  return %0, %1 : tensor<5x3xf32>, tensor<2x3x4x7xf32>
}

// CHECK-LABEL: func @cnn
func.func @cnn(%x: tensor<1x4x9x9xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>, %s: tensor<8xf32>) -> tensor<1x8x1x1xf32> {
  // CHECK: graph.conv {{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : {{.*}} -> tensor<1x8x5x5xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2} : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  // CHECK: graph.batch_norm
  %1 = graph.batch_norm %0, %s, %b, %b, %s {epsilon = 1.0e-5 : f32} : (tensor<1x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  // CHECK: graph.max_pool {{.*}} -> tensor<1x8x3x3xf32>
  %2 = graph.max_pool %1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = true} : tensor<1x8x5x5xf32> -> tensor<1x8x3x3xf32>
  // CHECK: graph.average_pool {{.*}} -> tensor<1x8x3x3xf32>
  %3 = graph.average_pool %2 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : tensor<1x8x3x3xf32> -> tensor<1x8x3x3xf32>
  // CHECK: graph.global_average_pool {{.*}} -> tensor<1x8x1x1xf32>
  %4 = graph.global_average_pool %3 : tensor<1x8x3x3xf32> -> tensor<1x8x1x1xf32>
  return %4 : tensor<1x8x1x1xf32>
}

// CHECK-LABEL: func @windows_1d_3d
func.func @windows_1d_3d(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>, %v: tensor<1x1x4x4x4xf32>, %k: tensor<2x1x2x2x2xf32>, %u: tensor<1x1x5x5xui8>) -> (tensor<1x4x6xf32>, tensor<1x2x3x3x3xf32>, tensor<1x1x2x2x2xf32>, tensor<1x1x2x2x2xf32>, tensor<1x1x4x4xui8>) {
  // CHECK: graph.conv {{.*}} -> tensor<1x4x6xf32>
  %0 = graph.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, group = 1} : (tensor<1x2x8xf32>, tensor<4x2x3xf32>) -> tensor<1x4x6xf32>
  // CHECK: graph.conv {{.*}} -> tensor<1x2x3x3x3xf32>
  %1 = graph.conv %v, %k {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, group = 1} : (tensor<1x1x4x4x4xf32>, tensor<2x1x2x2x2xf32>) -> tensor<1x2x3x3x3xf32>
  // CHECK: graph.max_pool {{.*}} -> tensor<1x1x2x2x2xf32>
  %2 = graph.max_pool %v {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>} : tensor<1x1x4x4x4xf32> -> tensor<1x1x2x2x2xf32>
  // CHECK: graph.average_pool {{.*}}dilations = array<i64: 2, 2, 2>{{.*}} -> tensor<1x1x2x2x2xf32>
  %3 = graph.average_pool %v {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 2, 2, 2>} : tensor<1x1x4x4x4xf32> -> tensor<1x1x2x2x2xf32>
  // CHECK: graph.max_pool {{.*}} -> tensor<1x1x4x4xui8>
  %4 = graph.max_pool %u {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x1x5x5xui8> -> tensor<1x1x4x4xui8>
  return %0, %1, %2, %3, %4 : tensor<1x4x6xf32>, tensor<1x2x3x3x3xf32>, tensor<1x1x2x2x2xf32>, tensor<1x1x2x2x2xf32>, tensor<1x1x4x4xui8>
}

// CHECK-LABEL: func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<2x12xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>) {
  // CHECK: graph.reshape %{{.*}} {shape = array<i64: 4, 6>}
  %0 = graph.reshape %x {shape = array<i64: 4, 6>} : tensor<2x3x4xf32> -> tensor<4x6xf32>
  // CHECK: graph.flatten %{{.*}} {axis = 1 : i64}
  %1 = graph.flatten %x {axis = 1} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  // CHECK: graph.transpose %{{.*}} {perm = array<i64: 2, 0, 1>}
  %2 = graph.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: graph.concat %{{.*}}, %{{.*}} {axis = 1 : i64}
  %3 = graph.concat %x, %x {axis = 1} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  return %0, %1, %2, %3 : tensor<4x6xf32>, tensor<2x12xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>
}

// Element types: every one the dialect accepts, quantized included.
// CHECK-LABEL: func @element_types
func.func @element_types(%a: tensor<2xf16>, %b: tensor<2xbf16>, %c: tensor<2xi8>, %d: tensor<2xui8>,
                         %e: tensor<2xi32>, %f: tensor<2xi1>,
                         %q: tensor<2x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.5:-3>> {
  %0 = graph.add %a, %a : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
  %1 = graph.relu %b : tensor<2xbf16> -> tensor<2xbf16>
  %2 = graph.mul %c, %c : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %3 = graph.sub %d, %d : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  %4 = graph.div %e, %e : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %5 = graph.reshape %f {shape = array<i64: 2, 1>} : tensor<2xi1> -> tensor<2x1xi1>
  // CHECK: graph.reshape %{{.*}} : tensor<2x!quant.uniform<i8:f32, {{.*}}>> -> tensor<1x2x!quant.uniform<i8:f32, {{.*}}>>
  %6 = graph.reshape %q {shape = array<i64: 1, 2>} : tensor<2x!quant.uniform<i8:f32, 0.5:-3>> -> tensor<1x2x!quant.uniform<i8:f32, 0.5:-3>>
  return %6 : tensor<1x2x!quant.uniform<i8:f32, 0.5:-3>>
}

// CHECK-LABEL: func @constants
func.func @constants() -> (tensor<2xf32>, tensor<3xi64>) {
  // CHECK: graph.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: graph.constant dense_resource<blob> : tensor<3xi64>
  %1 = graph.constant dense_resource<blob> : tensor<3xi64>
  return %0, %1 : tensor<2xf32>, tensor<3xi64>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x08000000010000000000000002000000000000000300000000000000"
    }
  }
#-}
