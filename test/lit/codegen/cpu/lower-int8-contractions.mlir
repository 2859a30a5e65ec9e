// A packed int8 product (strata.int8_panels) on buffers becomes register
// blocks: 7 rows = a block of 6 and one of 1; 3 panels = a block of 2 and
// one of 1. vnni: per panel, 128 * sum_k B is subtracted from C once
// (vpdpbusd of 0x80 bytes); per k group each row's 4 bytes have their top
// bits flipped (xor 0x80808080) and are broadcast; each (row, panel)
// accumulator is one vpdpbusd. madd: A's 2 bytes widened to words,
// vpmaddwd, an add.
// RUN: strata-opt %s -strata-lower-int8-contractions="kind=vnni lanes=16 rows=6 panels=2" | FileCheck %s
// RUN: strata-opt %s -strata-lower-int8-contractions="kind=vnni lanes=16 rows=6 panels=2" | FileCheck %s --check-prefix=COUNT

// CHECK-LABEL: func.func @product(
// CHECK-SAME: %[[A:.*]]: memref<7x8xi8>, %[[B:.*]]: memref<3x2x16x4xi8>, %[[C:.*]]: memref<7x3x16xi32>
// CHECK: %[[P:.*]] = memref.collapse_shape %[[B]] {{\[\[}}0], [1], [2, 3]] : memref<3x2x16x4xi8> into memref<3x2x64xi8>
// CHECK: scf.for %[[PANEL:.*]] = %{{.*}} to %{{.*}} step
// The compensation: 0x80 bytes against each k group of the panel.
// CHECK:   %[[FLIP:.*]] = arith.constant dense<-128> : vector<64xi8>
// CHECK:   scf.for
// CHECK:     vector.load %[[P]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<3x2x64xi8>, vector<64xi8>
// CHECK:     llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %[[FLIP]], %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK:     vector.load %[[C]]{{.*}} : memref<7x3x16xi32>, vector<16xi32>
// CHECK:     arith.subi
// CHECK:     scf.for %[[G:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK:       vector.load %[[A]]{{.*}} : memref<7x8xi8>, vector<4xi8>
// CHECK:       vector.bitcast %{{.*}} : vector<4xi8> to vector<1xi32>
// CHECK:       %[[SPLAT:.*]] = vector.broadcast %{{.*}} : i32 to vector<16xi32>
// CHECK:       arith.xori %[[SPLAT]], %{{.*}} : vector<16xi32>
// CHECK:       llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK:     vector.store %{{.*}}, %[[C]]{{.*}} : memref<7x3x16xi32>, vector<16xi32>
// CHECK-NOT: linalg.generic
// 6 x 2 + 1 x 2 + 6 x 1 + 1 x 1 accumulators, plus 3 compensations.
// COUNT-COUNT-24: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// COUNT-NOT: llvm.call_intrinsic
#a = affine_map<(m, p, l, g, e) -> (m, g * 4 + e)>
#b = affine_map<(m, p, l, g, e) -> (p, g, l, e)>
#c = affine_map<(m, p, l, g, e) -> (m, p, l)>
func.func @product(%a: memref<7x8xi8>, %b: memref<3x2x16x4xi8>, %c: memref<7x3x16xi32>) {
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
