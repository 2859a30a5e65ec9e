// RUN: strata-opt %s -split-input-file -strata-approximate-math | FileCheck %s

// erf, exp and tanh on f32 vectors become arithmetic on the same vectors
// (no math call left to scalarize); sin is not in the list and stays.
// CHECK-LABEL: func @activations
// CHECK-NOT:   math.erf
// CHECK-NOT:   math.exp
// CHECK-NOT:   math.tanh
// CHECK:       arith.mulf {{.*}} : vector<16xf32>
// CHECK:       math.sin %{{.*}} : vector<16xf32>
func.func @activations(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %e = math.erf %x : vector<16xf32>
  %x2 = math.exp %x : vector<16xf32>
  %t = math.tanh %x : vector<16xf32>
  %s = math.sin %x : vector<16xf32>
  return %e, %x2, %t, %s : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// -----

// f64 is left to libm.
// CHECK-LABEL: func @double
// CHECK: math.exp %{{.*}} : f64
func.func @double(%x: f64) -> f64 {
  %e = math.exp %x : f64
  return %e : f64
}
