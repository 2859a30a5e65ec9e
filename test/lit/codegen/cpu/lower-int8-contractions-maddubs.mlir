// strata-lower-int8-contractions with kind=maddubs (AVX2 on Zen 1 to 3),
// on a product whose B has a residual of split pairs (strata-pack-int8-rhs
// split-pairs): a u8 x s8 vpmaddubsw into i16 pairs, a vpmaddwd with ones
// into i32, added to the accumulator. A's 4 bytes are broadcast, then
// flipped to unsigned in the vector (xor 0x80808080), and 128 * sum_k B is
// subtracted per panel: over the main panel's groups and its residual
// entries. After each block's k loop, each panel's residual entries (as
// many as its count says) are added at their own k group.
// A product that strata-pack-int8-rhs packed as words (its residual would
// have been too dense: max-residual) runs the madd kernel (WORDS).
// RUN: strata-opt %s -split-input-file -strata-lower-int8-contractions="kind=maddubs lanes=8 rows=4 panels=2" -canonicalize | FileCheck %s
// RUN: strata-opt %s -split-input-file -strata-lower-int8-contractions="kind=maddubs lanes=8 rows=4 panels=2" | FileCheck %s --check-prefix=WORDS
// RUN: not strata-opt %s -split-input-file -strata-lower-int8-contractions="kind=madd lanes=8 rows=4 panels=2" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MADD

// CHECK-LABEL: func.func @split(
// CHECK-SAME: %[[A:.*]]: memref<5x8xi8>, %[[B:.*]]: memref<3x2x8x4xi8>, %[[R:.*]]: memref<3x1x8x4xi8>, %[[G:.*]]: memref<3x1xi32>, %[[N:.*]]: memref<3xi32>, %[[C:.*]]: memref<5x3x8xi32>
// CHECK-DAG: %[[FLIPS:.*]] = arith.constant dense<-2139062144> : vector<8xi32>
// CHECK-DAG: %[[ONES:.*]] = arith.constant dense<1> : vector<16xi16>
// CHECK-DAG: %[[HIGH:.*]] = arith.constant dense<-128> : vector<32xi8>
// CHECK-DAG: %[[P:.*]] = memref.collapse_shape %[[B]] {{\[\[}}0], [1], [2, 3]] : memref<3x2x8x4xi8> into memref<3x2x32xi8>
// CHECK-DAG: %[[RP:.*]] = memref.collapse_shape %[[R]] {{\[\[}}0], [1], [2, 3]] : memref<3x1x8x4xi8> into memref<3x1x32xi8>
// The compensations: the main groups, then each panel's residual entries.
// CHECK: scf.for
// CHECK:   vector.load %[[P]]
// CHECK:   %[[W:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[HIGH]], %{{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
// CHECK:   llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[W]], %[[ONES]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK: %[[COUNT:.*]] = memref.load %[[N]]
// CHECK: %[[UPTO:.*]] = arith.index_cast %[[COUNT]] : i32 to index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[UPTO]]
// CHECK:   vector.load %[[RP]]
// CHECK:   llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[HIGH]]
// The block: rows broadcast and flipped, each against both panels.
// CHECK: scf.for
// CHECK:   %[[BYTES:.*]] = vector.load %[[A]]{{.*}} : memref<5x8xi8>, vector<4xi8>
// CHECK:   %[[WORD:.*]] = vector.bitcast %[[BYTES]] : vector<4xi8> to vector<1xi32>
// CHECK:   %[[SPLAT:.*]] = vector.broadcast %{{.*}} : i32 to vector<8xi32>
// CHECK:   %[[FLIPPED:.*]] = arith.xori %[[SPLAT]], %[[FLIPS]] : vector<8xi32>
// CHECK:   %[[ROW:.*]] = vector.bitcast %[[FLIPPED]] : vector<8xi32> to vector<32xi8>
// CHECK:   %[[PAIRS:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[ROW]], %{{.*}})
// CHECK:   %[[SUMS:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[PAIRS]], %[[ONES]])
// CHECK:   arith.addi %{{.*}}, %[[SUMS]] : vector<8xi32>
// CHECK:   scf.yield
// The first panel's residual: its group number picks A's bytes.
// CHECK: memref.load %[[N]]
// CHECK: scf.for
// CHECK:   %[[GROUP:.*]] = memref.load %[[G]]
// CHECK:   %[[AT:.*]] = arith.index_cast %[[GROUP]] : i32 to index
// CHECK:   vector.load %[[RP]]
// CHECK:   %[[COLUMN:.*]] = arith.muli %[[AT]], %{{.*}} : index
// CHECK:   vector.load %[[A]][%{{.*}}, %[[COLUMN]]] : memref<5x8xi8>, vector<4xi8>
// CHECK:   llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// CHECK: vector.store %{{.*}}, %[[C]]
// CHECK-NOT: linalg.generic

// MADD: error: int8 product with split pairs for the madd kernel
#a = affine_map<(m, p, l, g, e, r) -> (m, g * 4 + e)>
#b = affine_map<(m, p, l, g, e, r) -> (p, g, l, e)>
#res = affine_map<(m, p, l, g, e, r) -> (p, r, l, e)>
#grp = affine_map<(m, p, l, g, e, r) -> (p, r)>
#cnt = affine_map<(m, p, l, g, e, r) -> (p)>
#c = affine_map<(m, p, l, g, e, r) -> (m, p, l)>
func.func @split(%a: memref<5x8xi8>, %b: memref<3x2x8x4xi8>, %r: memref<3x1x8x4xi8>, %g: memref<3x1xi32>, %n: memref<3xi32>, %c: memref<5x3x8xi32>) {
  %zero = arith.constant 0 : i32
  linalg.fill ins(%zero : i32) outs(%c : memref<5x3x8xi32>)
  linalg.generic {indexing_maps = [#a, #b, #res, #grp, #cnt, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%a, %b, %r, %g, %n : memref<5x8xi8>, memref<3x2x8x4xi8>, memref<3x1x8x4xi8>, memref<3x1xi32>, memref<3xi32>) outs(%c : memref<5x3x8xi32>) attrs = {strata.int8_panels} {
  ^bb0(%x: i8, %w: i8, %rw: i8, %rg: i32, %rn: i32, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %c0 = arith.constant 0 : i32
    %i0 = arith.constant 0 : index
    %e = linalg.index 5 : index
    %first = arith.cmpi eq, %e, %i0 : index
    %kg = linalg.index 3 : index
    %kg32 = arith.index_cast %kg : index to i32
    %e32 = arith.index_cast %e : index to i32
    %in = arith.cmpi slt, %e32, %rn : i32
    %at = arith.cmpi eq, %rg, %kg32 : i32
    %used = arith.andi %in, %at : i1
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.select %first, %2, %c0 : i32
    %4 = arith.addi %acc, %3 : i32
    %5 = arith.extsi %rw : i8 to i32
    %6 = arith.muli %0, %5 : i32
    %7 = arith.select %used, %6, %c0 : i32
    %8 = arith.addi %4, %7 : i32
    linalg.yield %8 : i32
  }
  return
}

// -----

// WORDS-LABEL: func.func @words(
// WORDS-NOT: pmadd.ub.sw
// WORDS: arith.extsi %{{.*}} : vector<4xi8> to vector<4xi16>
// WORDS: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// WORDS-NOT: pmadd.ub.sw
#wa = affine_map<(m, p, l, g, e) -> (m, g * 2 + e)>
#wb = affine_map<(m, p, l, g, e) -> (p, g, l, e)>
#wc = affine_map<(m, p, l, g, e) -> (m, p, l)>
func.func @words(%a: memref<4x8xi8>, %b: memref<1x4x8x2xi16>, %c: memref<4x1x8xi32>) {
  linalg.generic {indexing_maps = [#wa, #wb, #wc], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<4x8xi8>, memref<1x4x8x2xi16>) outs(%c : memref<4x1x8xi32>) attrs = {strata.int8_panels} {
  ^bb0(%x: i8, %w: i16, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %w : i16 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}
