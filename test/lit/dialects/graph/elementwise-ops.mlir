// Round trip of the elementwise graph ops (GraphElementwiseOps.td): parse,
// print, parse again; and every element type of graph tensors.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @math
func.func @math(%x: tensor<2x3xf32>, %h: tensor<4xf16>, %d: tensor<4xf64>, %b: tensor<4xbf16>) {
  // CHECK: graph.exp %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf32>
  %0 = graph.exp %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.log {{.*}} : tensor<4xf16> -> tensor<4xf16>
  %1 = graph.log %h : tensor<4xf16> -> tensor<4xf16>
  // CHECK: graph.sqrt {{.*}} : tensor<4xf64> -> tensor<4xf64>
  %2 = graph.sqrt %d : tensor<4xf64> -> tensor<4xf64>
  // CHECK: graph.reciprocal {{.*}} : tensor<4xbf16> -> tensor<4xbf16>
  %3 = graph.reciprocal %b : tensor<4xbf16> -> tensor<4xbf16>
  // CHECK: graph.floor
  %4 = graph.floor %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.ceil
  %5 = graph.ceil %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.round
  %6 = graph.round %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.sin
  %7 = graph.sin %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.cos
  %8 = graph.cos %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.tan
  %9 = graph.tan %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.asin
  %10 = graph.asin %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.acos
  %11 = graph.acos %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.atan
  %12 = graph.atan %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.sinh
  %13 = graph.sinh %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.cosh
  %14 = graph.cosh %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.tanh
  %15 = graph.tanh %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.asinh
  %16 = graph.asinh %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.acosh
  %17 = graph.acosh %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.atanh
  %18 = graph.atanh %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.erf
  %19 = graph.erf %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.is_nan {{.*}} : tensor<2x3xf32> -> tensor<2x3xi1>
  %20 = graph.is_nan %x : tensor<2x3xf32> -> tensor<2x3xi1>
  // CHECK: graph.is_inf {{.*}} {detect_negative = false} : tensor<4xf64> -> tensor<4xi1>
  %21 = graph.is_inf %d {detect_negative = false} : tensor<4xf64> -> tensor<4xi1>
  return
}

// CHECK-LABEL: func @activations
func.func @activations(%x: tensor<2x3xf32>, %i: tensor<5xi16>, %u: tensor<5xui32>) {
  // CHECK: graph.relu {{.*}} : tensor<5xi16> -> tensor<5xi16>
  %0 = graph.relu %i : tensor<5xi16> -> tensor<5xi16>
  // CHECK: graph.sigmoid
  %1 = graph.sigmoid %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.softplus
  %2 = graph.softplus %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.softsign
  %3 = graph.softsign %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.mish
  %4 = graph.mish %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.hard_swish
  %5 = graph.hard_swish %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.hard_sigmoid {{.*}} {alpha = 3.000000e-01 : f32, beta = 4.000000e-01 : f32}
  %6 = graph.hard_sigmoid %x {alpha = 0.3 : f32, beta = 0.4 : f32} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.leaky_relu {{.*}} {alpha = 1.000000e-01 : f32}
  %7 = graph.leaky_relu %x {alpha = 0.1 : f32} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.elu
  %8 = graph.elu %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.selu
  %9 = graph.selu %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.celu {{.*}} {alpha = 2.000000e+00 : f32}
  %10 = graph.celu %x {alpha = 2.0 : f32} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.thresholded_relu
  %11 = graph.thresholded_relu %x : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.gelu {{.*}} {approximate = "tanh"}
  %12 = graph.gelu %x {approximate = "tanh"} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: graph.shrink {{.*}} {lambd = 2.000000e+00 : f32} : tensor<5xui32> -> tensor<5xui32>
  %13 = graph.shrink %u {lambd = 2.0 : f32} : tensor<5xui32> -> tensor<5xui32>
  // CHECK: graph.clip {{.*}} {max = 9 : i16, min = -3 : i16} : tensor<5xi16> -> tensor<5xi16>
  %14 = graph.clip %i {min = -3 : i16, max = 9 : i16} : tensor<5xi16> -> tensor<5xi16>
  // CHECK: graph.clip {{.*}} {min = 1 : ui32} : tensor<5xui32> -> tensor<5xui32>
  %15 = graph.clip %u {min = 1 : ui32} : tensor<5xui32> -> tensor<5xui32>
  // CHECK: graph.abs {{.*}} : tensor<5xui32> -> tensor<5xui32>
  %16 = graph.abs %u : tensor<5xui32> -> tensor<5xui32>
  // CHECK: graph.neg {{.*}} : tensor<5xi16> -> tensor<5xi16>
  %17 = graph.neg %i : tensor<5xi16> -> tensor<5xi16>
  // CHECK: graph.sign
  %18 = graph.sign %u : tensor<5xui32> -> tensor<5xui32>
  return
}

// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<3x1x5xi64>, %b: tensor<4x5xi64>, %u: tensor<4x5xui8>, %s: tensor<1xui8>, %f: tensor<3x4xf32>, %e: tensor<4xi32>) {
  // CHECK: graph.mod {{.*}} : (tensor<3x1x5xi64>, tensor<4x5xi64>) -> tensor<3x4x5xi64>
  %0 = graph.mod %a, %b : (tensor<3x1x5xi64>, tensor<4x5xi64>) -> tensor<3x4x5xi64>
  // CHECK: graph.mod {{.*}} {fmod = true}
  %1 = graph.mod %f, %f {fmod = true} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.pow {{.*}} : (tensor<3x4xf32>, tensor<4xi32>) -> tensor<3x4xf32>
  %2 = graph.pow %f, %e : (tensor<3x4xf32>, tensor<4xi32>) -> tensor<3x4xf32>
  // CHECK: graph.max {{.*}} : (tensor<3x1x5xi64>, tensor<4x5xi64>, tensor<4x5xi64>) -> tensor<3x4x5xi64>
  %3 = graph.max %a, %b, %b : (tensor<3x1x5xi64>, tensor<4x5xi64>, tensor<4x5xi64>) -> tensor<3x4x5xi64>
  // CHECK: graph.min {{.*}} : (tensor<4x5xui8>) -> tensor<4x5xui8>
  %4 = graph.min %u : (tensor<4x5xui8>) -> tensor<4x5xui8>
  // CHECK: graph.sum
  %5 = graph.sum %f, %f : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.mean
  %6 = graph.mean %f, %f, %f : (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.div {{.*}} : (tensor<4x5xui8>, tensor<1xui8>) -> tensor<4x5xui8>
  %7 = graph.div %u, %s : (tensor<4x5xui8>, tensor<1xui8>) -> tensor<4x5xui8>
  // CHECK: graph.bitwise_and {{.*}} : (tensor<4x5xui8>, tensor<1xui8>) -> tensor<4x5xui8>
  %10 = graph.bitwise_and %u, %s : (tensor<4x5xui8>, tensor<1xui8>) -> tensor<4x5xui8>
  // CHECK: graph.bitwise_or
  %11 = graph.bitwise_or %a, %b : (tensor<3x1x5xi64>, tensor<4x5xi64>) -> tensor<3x4x5xi64>
  // CHECK: graph.bitwise_xor
  %12 = graph.bitwise_xor %u, %u : (tensor<4x5xui8>, tensor<4x5xui8>) -> tensor<4x5xui8>
  // CHECK: graph.bitwise_not {{.*}} : tensor<4x5xi64> -> tensor<4x5xi64>
  %13 = graph.bitwise_not %b : tensor<4x5xi64> -> tensor<4x5xi64>
  // CHECK: graph.bit_shift {{.*}} {direction = "LEFT"}
  %8 = graph.bit_shift %u, %s {direction = "LEFT"} : (tensor<4x5xui8>, tensor<1xui8>) -> tensor<4x5xui8>
  // CHECK: graph.bit_shift {{.*}} {direction = "RIGHT"} : (tensor<3x1x5xi64>, tensor<4x5xi64>) -> tensor<3x4x5xi64>
  %14 = graph.bit_shift %a, %b {direction = "RIGHT"} : (tensor<3x1x5xi64>, tensor<4x5xi64>) -> tensor<3x4x5xi64>
  // CHECK: graph.mod {{.*}} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %15 = graph.mod %f, %f : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.prelu {{.*}} : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %slope = graph.constant dense<0.5> : tensor<3x1xf32>
  %9 = graph.prelu %f, %slope : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  return
}

// CHECK-LABEL: func @logic
func.func @logic(%a: tensor<3x1xi32>, %b: tensor<4xi32>, %p: tensor<3x4xi1>, %q: tensor<4xi1>, %x: tensor<3x4xui16>, %y: tensor<1x4xui16>) {
  // CHECK: graph.equal {{.*}} : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  %0 = graph.equal %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  // CHECK: graph.less
  %1 = graph.less %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  // CHECK: graph.less_or_equal
  %2 = graph.less_or_equal %x, %y : (tensor<3x4xui16>, tensor<1x4xui16>) -> tensor<3x4xi1>
  // CHECK: graph.greater
  %3 = graph.greater %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  // CHECK: graph.greater_or_equal
  %4 = graph.greater_or_equal %a, %b : (tensor<3x1xi32>, tensor<4xi32>) -> tensor<3x4xi1>
  // CHECK: graph.equal {{.*}} : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  %5 = graph.equal %p, %q : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  // CHECK: graph.not
  %6 = graph.not %p : tensor<3x4xi1> -> tensor<3x4xi1>
  // CHECK: graph.and
  %7 = graph.and %p, %q : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  // CHECK: graph.or
  %8 = graph.or %p, %q : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  // CHECK: graph.xor
  %9 = graph.xor %p, %q : (tensor<3x4xi1>, tensor<4xi1>) -> tensor<3x4xi1>
  // CHECK: graph.where {{.*}} : (tensor<3x4xi1>, tensor<3x4xui16>, tensor<1x4xui16>) -> tensor<3x4xui16>
  %10 = graph.where %p, %x, %y : (tensor<3x4xi1>, tensor<3x4xui16>, tensor<1x4xui16>) -> tensor<3x4xui16>
  return
}

// CHECK-LABEL: func @casts
func.func @casts(%x: tensor<4xf32>, %u: tensor<4xui64>, %p: tensor<4xi1>) {
  // CHECK: graph.cast {{.*}} {to = ui8} : tensor<4xf32> -> tensor<4xui8>
  %0 = graph.cast %x {to = ui8} : tensor<4xf32> -> tensor<4xui8>
  // CHECK: graph.cast {{.*}} {to = f64} : tensor<4xui64> -> tensor<4xf64>
  %1 = graph.cast %u {to = f64} : tensor<4xui64> -> tensor<4xf64>
  // CHECK: graph.cast {{.*}} {to = bf16} : tensor<4xi1> -> tensor<4xbf16>
  %2 = graph.cast %p {to = bf16} : tensor<4xi1> -> tensor<4xbf16>
  // CHECK: graph.cast {{.*}} {to = i1} : tensor<4xf32> -> tensor<4xi1>
  %3 = graph.cast %x {to = i1} : tensor<4xf32> -> tensor<4xi1>
  return
}

// Every element type of graph tensors flows through data movement ops.
// CHECK-LABEL: func @element_types
func.func @element_types(%a: tensor<2x2xf64>, %b: tensor<2x2xi16>, %c: tensor<2x2xui16>, %d: tensor<2x2xui32>, %e: tensor<2x2xui64>) -> (tensor<4xf64>, tensor<4xi16>, tensor<4xui16>, tensor<4xui32>, tensor<4xui64>) {
  // CHECK: graph.reshape {{.*}} : tensor<2x2xf64> -> tensor<4xf64>
  %0 = graph.reshape %a {shape = array<i64: 4>} : tensor<2x2xf64> -> tensor<4xf64>
  %1 = graph.reshape %b {shape = array<i64: 4>} : tensor<2x2xi16> -> tensor<4xi16>
  %2 = graph.reshape %c {shape = array<i64: 4>} : tensor<2x2xui16> -> tensor<4xui16>
  %3 = graph.reshape %d {shape = array<i64: 4>} : tensor<2x2xui32> -> tensor<4xui32>
  // CHECK: graph.reshape {{.*}} : tensor<2x2xui64> -> tensor<4xui64>
  %4 = graph.reshape %e {shape = array<i64: 4>} : tensor<2x2xui64> -> tensor<4xui64>
  return %0, %1, %2, %3, %4 : tensor<4xf64>, tensor<4xi16>, tensor<4xui16>, tensor<4xui32>, tensor<4xui64>
}
