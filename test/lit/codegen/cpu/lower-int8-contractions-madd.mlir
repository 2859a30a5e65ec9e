// strata-lower-int8-contractions with kind=madd (AVX2): two k groups per
// step, A's 4 bytes of them loaded once, widened to words and each pair
// broadcast; vpmaddwd against the panel's words, added into the
// accumulator; no compensation. An odd last group (K = 6: 3 groups) takes
// a step of its own (2 bytes). A product packed for another kernel is an
// error.
// RUN: strata-opt %s -split-input-file -verify-diagnostics -strata-lower-int8-contractions="kind=madd lanes=8 rows=4 panels=2" | FileCheck %s --check-prefix=MADD

// MADD-LABEL: func.func @product(
// MADD: scf.for
// MADD:   vector.load %{{.*}} : memref<4x6xi8>, vector<4xi8>
// MADD:   arith.extsi %{{.*}} : vector<4xi8> to vector<4xi16>
// MADD:   vector.bitcast %{{.*}} : vector<4xi16> to vector<2xi32>
// MADD:   llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// MADD:   arith.addi %{{.*}} : vector<8xi32>
// MADD: scf.yield
// MADD: vector.load %{{.*}} : memref<4x6xi8>, vector<2xi8>
// MADD: arith.extsi %{{.*}} : vector<2xi8> to vector<2xi16>
// MADD: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"

#a = affine_map<(m, p, l, g, e) -> (m, g * 2 + e)>
#b = affine_map<(m, p, l, g, e) -> (p, g, l, e)>
#c = affine_map<(m, p, l, g, e) -> (m, p, l)>
func.func @product(%a: memref<4x6xi8>, %b: memref<1x3x8x2xi16>, %c: memref<4x1x8xi32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<4x6xi8>, memref<1x3x8x2xi16>) outs(%c : memref<4x1x8xi32>) attrs = {strata.int8_panels} {
  ^bb0(%x: i8, %w: i16, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i16 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}

// -----

// Packed for another kernel (16 lanes, groups of 4) than the pass's.
#a = affine_map<(m, p, l, g, e) -> (m, g * 4 + e)>
#b = affine_map<(m, p, l, g, e) -> (p, g, l, e)>
#c = affine_map<(m, p, l, g, e) -> (m, p, l)>
func.func @mismatch(%a: memref<7x8xi8>, %b: memref<3x2x16x4xi8>, %c: memref<7x3x16xi32>) {
  // expected-error @+1 {{int8 product packed for another kernel than madd x 8}}
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<7x8xi8>, memref<3x2x16x4xi8>) outs(%c : memref<7x3x16xi32>) attrs = {strata.int8_panels} {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}
