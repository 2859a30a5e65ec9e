// Math functions and arithmetic on bf16 and f16 run in f32: no bf16 / f16
// value reaches an LLVM intrinsic or arithmetic instruction, so LLVM never
// legalizes one with a call to __truncsfbf2 (missing from Debian 12's
// libgcc) on CPUs without AVX512-BF16. Conversions back are bit operations.
// RUN: strata-opt %s -convert-graph-to-linalg -strata-cpu-lower-to-llvm | FileCheck %s

// CHECK-LABEL: llvm.func @model(
// CHECK-NOT:   (bf16) -> bf16
// CHECK-NOT:   llvm.fptrunc {{.*}} to bf16
// CHECK-NOT:   llvm.fmul {{.*}} : bf16
// exp's polynomial, in f32:
// CHECK:       llvm.intr.fma({{.*}}) : (f32, f32, f32) -> f32
// CHECK-NOT:   (bf16) -> bf16
// CHECK-NOT:   (f16) -> f16
// CHECK:       llvm.return
func.func @model(%x: tensor<4xbf16>, %h: tensor<4xf16>) -> (tensor<4xbf16>, tensor<4xf16>) {
  %0 = graph.exp %x : tensor<4xbf16> -> tensor<4xbf16>
  %1 = graph.mul %0, %x : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  %2 = graph.tanh %h : tensor<4xf16> -> tensor<4xf16>
  return %1, %2 : tensor<4xbf16>, tensor<4xf16>
}
