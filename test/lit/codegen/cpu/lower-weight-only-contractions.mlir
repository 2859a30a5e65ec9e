// A strata.weight_panels product on buffers (3 rows; one block of 2 steps
// of 2 nibbles; one panel of 4 lanes) becomes register blocks: a loop over
// whole 2-row blocks, looping over the blocks (loading the scales and zero
// points, offset = -Z * S) and their steps (a 4-byte load per panel,
// widened to i32, split into its low and high nibbles, converted and
// dequantized with one FMA each, then one FMA per row and nibble), and a
// 1-row remainder block, which factors the scale out of each block. The zero fill before the product is dropped: the
// accumulators start at zero. A product packed for another width is an
// error.
// RUN: strata-opt %s -split-input-file -verify-diagnostics -strata-lower-weight-only-contractions="lanes=4 rows=2 panels=1 row-panels=2" | FileCheck %s
// Staged (stage-rows=2: every product of 2 rows or more): per chunk of
// stage-k = 2 k (one step of two nibbles), the panel's weights are
// dequantized once into a stack buffer [2][panels][lanes] that the row
// blocks then read; the fill stays (C is loaded per chunk).
// RUN: strata-opt %s -split-input-file -verify-diagnostics -strata-lower-weight-only-contractions="lanes=4 rows=2 panels=1 row-panels=2 stage-rows=2 stage-k=2" | FileCheck %s --check-prefix=STAGED
// STAGED-LABEL: func.func @nibbles(
// STAGED: %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<2x1x4xf32>
// STAGED: linalg.fill
// STAGED: arith.shrui
// STAGED: vector.store %{{.*}}, %[[BUF]]
// STAGED: vector.store %{{.*}}, %[[BUF]]
// STAGED: vector.load %arg4
// STAGED: scf.for {{.*}} iter_args
// STAGED: vector.load %[[BUF]]
// STAGED-NOT: arith.shrui
// STAGED: vector.fma
// STAGED: vector.store %{{.*}}, %arg4
// STAGED-LABEL: func.func @bytes(
// STAGED-NOT: memref.alloca

// CHECK-LABEL: func.func @nibbles(
// CHECK-NOT: linalg.fill
// CHECK-NOT: linalg.generic
// The 2-row blocks, in the loop over the panels:
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %c2 step %c2
// CHECK:   scf.for {{.*}} iter_args
// CHECK:     vector.load %arg3{{.*}} : memref<1x1x4xi8>, vector<4xi8>
// CHECK:     arith.negf
// CHECK:     scf.for {{.*}} iter_args
// CHECK:       %[[B:.*]] = vector.load %arg1{{.*}} : memref<1x1x2x4xi8>, vector<4xi8>
// CHECK:       %[[W:.*]] = arith.extui %[[B]] : vector<4xi8> to vector<4xi32>
// CHECK:       %[[LO:.*]] = arith.andi %[[W]]
// CHECK:       %[[HI:.*]] = arith.shrui %[[W]]
// CHECK:       arith.sitofp %[[LO]] : vector<4xi32> to vector<4xf32>
// CHECK:       vector.fma
// CHECK:       arith.sitofp %[[HI]] : vector<4xi32> to vector<4xf32>
// CHECK:       vector.fma
// CHECK-COUNT-4: vector.fma
// CHECK:       scf.yield
// CHECK: vector.store
// CHECK: vector.store
// The remainder row: per block, the codes (not dequantized) times A in
// one chain per nibble, and the sum of A's elements; then C += the
// chains' sum * S + that sum * (-Z * S).
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[Z:.*]], %{{.*}} = %[[Z]], %{{.*}} = %{{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<2xf32>)
// CHECK:   arith.sitofp
// CHECK-NOT: vector.fma
// CHECK:   arith.sitofp
// CHECK:   %[[PAIR:.*]] = vector.load %arg0{{.*}} : memref<3x2x2xf32>, vector<2xf32>
// CHECK:   arith.addf %{{.*}}, %[[PAIR]] : vector<2xf32>
// CHECK:   vector.fma
// CHECK:   vector.fma
// CHECK: arith.negf
// CHECK: vector.reduction <add>
// CHECK: vector.fma
// CHECK: vector.fma
// CHECK: vector.store
// CHECK-NOT: vector.store
// CHECK: return
#a = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3 * 2 + d4, d5)>
#q = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#s = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#c = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @nibbles(%a: memref<3x2x2xf32>, %q: memref<1x1x2x4xi8>, %s: memref<1x1x4xf32>, %z: memref<1x1x4xi8>, %c: memref<3x1x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<3x1x4xf32>)
  linalg.generic {indexing_maps = [#a, #q, #s, #s, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%a, %q, %s, %z : memref<3x2x2xf32>, memref<1x1x2x4xi8>, memref<1x1x4xf32>, memref<1x1x4xi8>) outs(%c : memref<3x1x4xf32>) attrs = {strata.weight_panels} {
  ^bb0(%x: f32, %code: i8, %scale: f32, %zp: i8, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

// One byte per code (8 bits): no nibbles; C is loaded, not zero.
// CHECK-LABEL: func.func @bytes(
// CHECK-NOT: arith.shrui
// CHECK: vector.load %arg4{{.*}} : memref<1x1x4xf32>, vector<4xf32>
// CHECK: arith.extui {{.*}} : vector<4xi8> to vector<4xi32>
// CHECK-NOT: arith.shrui
// CHECK: vector.fma
#a1 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3 * 3 + d4, d5)>
#q1 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#s1 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#c1 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @bytes(%a: memref<1x3x1xf32>, %q: memref<1x1x3x4xi8>, %s: memref<1x1x4xf32>, %z: memref<1x1x4xi8>, %c: memref<1x1x4xf32>) {
  linalg.generic {indexing_maps = [#a1, #q1, #s1, #s1, #c1], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%a, %q, %s, %z : memref<1x3x1xf32>, memref<1x1x3x4xi8>, memref<1x1x4xf32>, memref<1x1x4xi8>) outs(%c : memref<1x1x4xf32>) attrs = {strata.weight_panels} {
  ^bb0(%x: f32, %code: i8, %scale: f32, %zp: i8, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

#a2 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3 * 2 + d4, d5)>
#q2 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#s2 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#c2 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @other_width(%a: memref<1x2x2xf32>, %q: memref<1x1x2x8xi8>, %s: memref<1x1x8xf32>, %z: memref<1x1x8xi8>, %c: memref<1x1x8xf32>) {
  // expected-error @+1 {{weight-only product packed for another width than 4 lanes}}
  linalg.generic {indexing_maps = [#a2, #q2, #s2, #s2, #c2], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%a, %q, %s, %z : memref<1x2x2xf32>, memref<1x1x2x8xi8>, memref<1x1x8xf32>, memref<1x1x8xi8>) outs(%c : memref<1x1x8xf32>) attrs = {strata.weight_panels} {
  ^bb0(%x: f32, %code: i8, %scale: f32, %zp: i8, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}
