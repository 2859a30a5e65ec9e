// Outermost scf.forall loops on buffers become a dispatch function over the
// workgroup number and a call of its launch; the entry takes the executor.
// RUN: strata-opt %s -split-input-file -verify-diagnostics \
// RUN:   -pass-pipeline="builtin.module(strata-outline-dispatches)" | FileCheck %s

// The view into the arena is captured (static identity memref); the subview
// and the constant are cloned into the body; the 2-D grid (4 x 3) is
// delinearized row-major. The dispatch is named after the loop's ONNX node.
// CHECK: module attributes {strata.dispatch_names = {entry.0 = "add1 (Add) #0"}}
// CHECK-LABEL: func.func @entry(
// CHECK-SAME:      %[[IN:[^:]*]]: memref<8x6xf32>, %[[ARENA:[^:]*]]: memref<256xi8>, %[[EXEC:[^:]*]]: !llvm.ptr)
// CHECK:         %[[VIEW:.*]] = memref.view %[[ARENA]]
// CHECK:         %[[GRID:.*]] = arith.constant 12 : index
// CHECK:         call @strata.launch.entry.0(%[[EXEC]], %[[GRID]], %[[IN]], %[[VIEW]]) : (!llvm.ptr, index, memref<8x6xf32>, memref<8x6xf32>) -> ()
// CHECK-NOT:     scf.forall
// CHECK:         return
// CHECK-LABEL: func.func private @strata.dispatch.entry.0(
// CHECK-SAME:      %[[W:[^:]*]]: index, %[[A:[^:]*]]: memref<8x6xf32>, %[[B:[^:]*]]: memref<8x6xf32>)
// CHECK:         %[[ONE:.*]] = arith.constant 1.0
// CHECK:         %[[C3:.*]] = arith.constant 3 : index
// CHECK:         %[[COL:.*]] = arith.remui %[[W]], %[[C3]]
// CHECK:         %[[ROW:.*]] = arith.divui %[[W]], %[[C3]]
// CHECK:         arith.muli %[[COL]], %{{.*}}
// CHECK:         arith.muli %[[ROW]], %{{.*}}
// CHECK:         memref.subview %[[A]]
// CHECK:         memref.subview %[[B]]
// CHECK:         return
// CHECK-LABEL: func.func private @strata.launch.entry.0(!llvm.ptr, index, memref<8x6xf32>, memref<8x6xf32>)
func.func @entry(%in: memref<8x6xf32>, %arena: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %view = memref.view %arena[%c0][] : memref<256xi8> to memref<8x6xf32>
  scf.forall (%i, %j) = (0, 0) to (8, 6) step (2, 2) {
    %s = memref.subview %in[%i, %j] [2, 2] [1, 1] : memref<8x6xf32> to memref<2x2xf32, strided<[6, 1], offset: ?>>
    %d = memref.subview %view[%i, %j] [2, 2] [1, 1] : memref<8x6xf32> to memref<2x2xf32, strided<[6, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(a, b) -> (a, b)>, affine_map<(a, b) -> (a, b)>], iterator_types = ["parallel", "parallel"]}
        ins(%s : memref<2x2xf32, strided<[6, 1], offset: ?>>) outs(%d : memref<2x2xf32, strided<[6, 1], offset: ?>>) {
    ^bb0(%x: f32, %y: f32):
      %z = arith.addf %x, %one : f32
      linalg.yield %z : f32
    }
  } loc("add1"("Add@17"))
  return
}

// -----

// A loop whose body needs a value that is neither capturable nor
// side-effect free (a dynamic allocation) stays a loop; public functions
// without loops still get the executor argument.
// CHECK-LABEL: func.func @stays(
// CHECK-SAME:      %{{.*}}: index, %{{.*}}: !llvm.ptr)
// CHECK:         scf.forall
// CHECK-LABEL: func.func @no_loops(
// CHECK-SAME:      %{{.*}}: !llvm.ptr)
// CHECK-NOT:     func.func private @strata.dispatch
func.func @stays(%n: index) {
  %buf = memref.alloc(%n) : memref<?xf32>
  %one = arith.constant 1.0 : f32
  scf.forall (%i) in (4) {
    memref.store %one, %buf[%i] : memref<?xf32>
  }
  memref.dealloc %buf : memref<?xf32>
  return
}
func.func @no_loops() {
  return
}
