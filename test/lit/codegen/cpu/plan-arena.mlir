// Static top-level buffers become views of one trailing arena argument.
// Buffers whose live ranges are disjoint share bytes; offsets are 64-byte
// aligned; the module records the arena's size and the lower bound.
// RUN: strata-opt %s -split-input-file -pass-pipeline="builtin.module(strata-plan-arena)" | FileCheck %s

// %a (4 KiB) is dead once %b is written, so %c (4 KiB) reuses its bytes;
// %b (400 bytes) lives beside both. Arena: 4096 + 448 (400 aligned up).
// CHECK-LABEL: module attributes {strata.arena_bytes = 4544 : i64, strata.arena_lower_bound = 4544 : i64, strata.arena_per_entry = {chain = [4544, 4544]}}
// CHECK-LABEL: func.func @chain(
// CHECK-SAME:      %[[IN:.*]]: memref<1024xf32>, %[[OUT:.*]]: memref<1024xf32>, %[[ARENA:.*]]: memref<4544xi8>)
// CHECK-NOT:     memref.alloc
// CHECK:         %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<4544xi8> to memref<1024xf32>
// CHECK:         linalg.copy ins(%[[IN]] : {{.*}}) outs(%[[A]] :
// CHECK:         %[[B:.*]] = memref.view %[[ARENA]][%c4096{{.*}}][] : memref<4544xi8> to memref<100xf32>
// CHECK:         %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<4544xi8> to memref<1024xf32>
// CHECK-NOT:     memref.dealloc
// CHECK:         return
func.func @chain(%in: memref<1024xf32>, %out: memref<1024xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  linalg.copy ins(%in : memref<1024xf32>) outs(%a : memref<1024xf32>)
  %b = memref.alloc() : memref<100xf32>
  %sa = memref.subview %a[0] [100] [1] : memref<1024xf32> to memref<100xf32, strided<[1]>>
  linalg.copy ins(%sa : memref<100xf32, strided<[1]>>) outs(%b : memref<100xf32>)
  %c = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%in : memref<1024xf32>) outs(%c : memref<1024xf32>)
  %sc = memref.subview %c[0] [100] [1] : memref<1024xf32> to memref<100xf32, strided<[1]>>
  linalg.copy ins(%b : memref<100xf32>) outs(%sc : memref<100xf32, strided<[1]>>)
  linalg.copy ins(%c : memref<1024xf32>) outs(%out : memref<1024xf32>)
  memref.dealloc %a : memref<1024xf32>
  return
}

// -----

// A buffer used inside a loop lives through the whole loop: %x and %y are
// both used in it, so they do not overlap. A buffer of run-time size and one
// allocated inside the loop stay heap allocations; private functions keep
// their signature.
// CHECK-LABEL: module attributes {strata.arena_bytes = 128 : i64, strata.arena_lower_bound = 128 : i64, strata.arena_per_entry = {loop = [128, 128]}}
// CHECK-LABEL: func.func @loop(
// CHECK-SAME:      %{{.*}}: index, %{{.*}}: memref<16xf32>, %[[ARENA:.*]]: memref<128xi8>)
// CHECK-DAG:     memref.view %[[ARENA]][%c0{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK-DAG:     memref.view %[[ARENA]][%c64{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK:         memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         scf.for
// CHECK:           memref.alloc() : memref<4xf32>
// CHECK-LABEL: func.func private @helper(%{{.*}}: memref<8xf32>)
// CHECK-NEXT:    memref.alloc() : memref<8xf32>
func.func @loop(%n: index, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 1.0 : f32
  %x = memref.alloc() : memref<16xf32>
  linalg.fill ins(%cst : f32) outs(%x : memref<16xf32>)
  %y = memref.alloc() : memref<16xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<4xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%y : memref<16xf32>)
    memref.dealloc %t : memref<4xf32>
  }
  linalg.copy ins(%y : memref<16xf32>) outs(%out : memref<16xf32>)
  memref.dealloc %d : memref<?xf32>
  return
}
func.func private @helper(%arg: memref<8xf32>) {
  %t = memref.alloc() : memref<8xf32>
  linalg.copy ins(%t : memref<8xf32>) outs(%arg : memref<8xf32>)
  return
}

// -----

// A buffer passed to a call stays live to the end: %p cannot share with %q.
// No buffer at all still gives the arena argument (zero bytes).
// CHECK-LABEL: module attributes {strata.arena_bytes = 128 : i64
// CHECK-LABEL: func.func @escapes(
// CHECK-SAME:      %{{.*}}: memref<16xf32>, %[[ARENA:[^:]*]]: memref<128xi8>)
// CHECK:         memref.view %[[ARENA]][%c0{{.*}}][]
// CHECK:         call @sink
// CHECK:         memref.view %[[ARENA]][%c64{{.*}}][]
// CHECK-LABEL: func.func @empty(
// CHECK-SAME:      %{{.*}}: memref<0xi8>)
func.func private @sink(memref<16xf32>)
func.func @escapes(%out: memref<16xf32>) {
  %p = memref.alloc() : memref<16xf32>
  func.call @sink(%p) : (memref<16xf32>) -> ()
  %q = memref.alloc() : memref<16xf32>
  linalg.copy ins(%q : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}
func.func @empty() {
  return
}

// -----

// Two entries (a model's per-sample and batch-chunk programs): each gets its
// own arena; the module records the larger and each one's [bytes, bound].
// CHECK-LABEL: module attributes {strata.arena_bytes = 256 : i64, strata.arena_lower_bound = 256 : i64, strata.arena_per_entry = {one = [64, 64], two = [256, 256]}}
// CHECK-LABEL: func.func @one(
// CHECK-SAME:      %{{.*}}: memref<64xi8>)
// CHECK-LABEL: func.func @two(
// CHECK-SAME:      %{{.*}}: memref<256xi8>)
func.func @one(%out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}
func.func @two(%out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  linalg.copy ins(%a : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}
