// ONNX's narrow types (float8, float4, 4-bit and 2-bit integers): constants
// and casts take them, with Cast's saturate and round_mode.
// RUN: strata-opt %s | strata-opt | FileCheck %s

// CHECK-LABEL: func @narrow_casts
func.func @narrow_casts(%x: tensor<4xf32>, %h: tensor<4xf16>, %q: tensor<4xi4>)
    -> (tensor<4xf8E4M3FN>, tensor<4xf8E5M2FNUZ>, tensor<4xf8E8M0FNU>,
        tensor<4xf4E2M1FN>, tensor<4xui2>, tensor<4xi8>, tensor<4xf32>) {
  // CHECK: graph.cast %{{.*}} {to = f8E4M3FN} : tensor<4xf32> -> tensor<4xf8E4M3FN>
  %0 = graph.cast %x {to = f8E4M3FN} : tensor<4xf32> -> tensor<4xf8E4M3FN>
  // CHECK: graph.cast %{{.*}} {saturate = false, to = f8E5M2FNUZ} : tensor<4xf16> -> tensor<4xf8E5M2FNUZ>
  %1 = graph.cast %h {to = f8E5M2FNUZ, saturate = false} : tensor<4xf16> -> tensor<4xf8E5M2FNUZ>
  // CHECK: graph.cast %{{.*}} {round_mode = "nearest", to = f8E8M0FNU} : tensor<4xf32> -> tensor<4xf8E8M0FNU>
  %2 = graph.cast %x {to = f8E8M0FNU, round_mode = "nearest"} : tensor<4xf32> -> tensor<4xf8E8M0FNU>
  // CHECK: graph.cast %{{.*}} {to = f4E2M1FN} : tensor<4xf32> -> tensor<4xf4E2M1FN>
  %3 = graph.cast %x {to = f4E2M1FN} : tensor<4xf32> -> tensor<4xf4E2M1FN>
  // CHECK: graph.cast %{{.*}} {to = ui2} : tensor<4xi4> -> tensor<4xui2>
  %4 = graph.cast %q {to = ui2} : tensor<4xi4> -> tensor<4xui2>
  // CHECK: graph.cast %{{.*}} {to = i8} : tensor<4xi4> -> tensor<4xi8>
  %5 = graph.cast %q {to = i8} : tensor<4xi4> -> tensor<4xi8>
  // CHECK: %[[C:.*]] = graph.constant dense<[1.500000e+00, -2.000000e+00, 4.480000e+02, 0.000000e+00]> : tensor<4xf8E4M3FN>
  %c = graph.constant dense<[1.5, -2.0, 448.0, 0.0]> : tensor<4xf8E4M3FN>
  // CHECK: graph.cast %[[C]] {to = f32} : tensor<4xf8E4M3FN> -> tensor<4xf32>
  %6 = graph.cast %c {to = f32} : tensor<4xf8E4M3FN> -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xf8E4M3FN>, tensor<4xf8E5M2FNUZ>, tensor<4xf8E8M0FNU>, tensor<4xf4E2M1FN>, tensor<4xui2>, tensor<4xi8>, tensor<4xf32>
}
