// Elementwise math through the CPU pipeline: functions without an LLVM
// intrinsic call libm (f64 acosh -> acosh), erf on bf16 is computed in f32
// by a polynomial (no erff call), and bf16 <-> f32 conversions are integer
// bit operations (no call to __truncsfbf2, which Debian 12's libgcc lacks).
// RUN: strata-opt %s -convert-graph-to-linalg -strata-cpu-lower-to-llvm | FileCheck %s
// RUN: strata-opt %s -convert-graph-to-linalg -strata-cpu-lower-to-llvm | FileCheck %s --check-prefix=NOCALL
// NOCALL-NOT: erff
// NOCALL-NOT: __truncsfbf2

// CHECK-DAG: llvm.func @acosh(f64) -> f64
// CHECK-LABEL: llvm.func @model(
// CHECK:       llvm.call @acosh(%{{.*}}) : (f64) -> f64
// CHECK:       llvm.bitcast %{{.*}} : bf16 to i16
// CHECK:       llvm.intr.fma({{.*}}) : (f32, f32, f32) -> f32
// CHECK:       llvm.bitcast %{{.*}} : i16 to bf16
// CHECK:       llvm.intr.roundeven(%{{.*}}) : (f32) -> f32
// CHECK-NOT: llvm.fptrunc %{{.*}} to bf16
func.func @model(%x: tensor<8xf64>, %b: tensor<8xbf16>, %h: tensor<8xf16>) -> (tensor<8xf64>, tensor<8xbf16>, tensor<8xf16>) {
  %0 = graph.acosh %x : tensor<8xf64> -> tensor<8xf64>
  %1 = graph.erf %b : tensor<8xbf16> -> tensor<8xbf16>
  %2 = graph.round %h : tensor<8xf16> -> tensor<8xf16>
  return %0, %1, %2 : tensor<8xf64>, tensor<8xbf16>, tensor<8xf16>
}
