// Consecutive launches of dispatches that touch disjoint memory become one
// group launch; a launch that reads what a member writes starts a new
// group. Views between launches do not order them; a copy does.
// RUN: strata-opt %s -split-input-file -strata-group-dispatches | FileCheck %s

// @a writes bytes [0, 64) of the arena, @b writes [64, 128): independent.
// @c reads [0, 64), which @a writes: it waits. @d writes the output and
// reads only the constant; it joins @c's group.
// CHECK-DAG:     func.func private @strata.group.strata_m_impl.0.1(!llvm.ptr, index, memref<16xf32>, memref<16xf32>, index, memref<16xf32>, memref<16xf32>)
// CHECK-DAG:     func.func private @strata.group.strata_m_impl.2.3(
// CHECK-LABEL: func.func @strata_m_impl(
// CHECK-SAME:      %[[IN:.*]]: memref<16xf32>, %[[OUT:.*]]: memref<16xf32>, %[[ARENA:.*]]: memref<128xi8>, %[[EXEC:.*]]: !llvm.ptr)
// CHECK:         %[[VA:.*]] = memref.view %[[ARENA]][%c0{{.*}}]
// CHECK:         %[[VB:.*]] = memref.view %[[ARENA]][%c64{{.*}}]
// CHECK-NOT:     call @strata.launch
// CHECK:         call @strata.group.strata_m_impl.0.1(%[[EXEC]], %c4{{.*}}, %[[IN]], %[[VA]], %c4{{.*}}, %[[IN]], %[[VB]])
// CHECK-NEXT:    %[[W:.*]] = memref.get_global @weights
// CHECK-NEXT:    call @strata.group.strata_m_impl.2.3(%[[EXEC]], %c4{{.*}}, %[[VA]], %[[VB]], %c4{{.*}}, %[[W]], %[[OUT]])
// CHECK-NEXT:    return
// The launches no call uses any more are gone.
// CHECK-NOT:     func.func private @strata.launch.strata_m_impl
module {
  memref.global "private" constant @weights : memref<16xf32> = dense<1.0>
  func.func @strata_m_impl(%in: memref<16xf32>, %out: memref<16xf32>, %arena: memref<128xi8>, %exec: !llvm.ptr) {
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %c64 = arith.constant 64 : index
    %va = memref.view %arena[%c0][] : memref<128xi8> to memref<16xf32>
    call @strata.launch.strata_m_impl.0(%exec, %c4, %in, %va) : (!llvm.ptr, index, memref<16xf32>, memref<16xf32>) -> ()
    %vb = memref.view %arena[%c64][] : memref<128xi8> to memref<16xf32>
    call @strata.launch.strata_m_impl.1(%exec, %c4, %in, %vb) : (!llvm.ptr, index, memref<16xf32>, memref<16xf32>) -> ()
    call @strata.launch.strata_m_impl.2(%exec, %c4, %va, %vb) : (!llvm.ptr, index, memref<16xf32>, memref<16xf32>) -> ()
    %w = memref.get_global @weights : memref<16xf32>
    call @strata.launch.strata_m_impl.3(%exec, %c4, %w, %out) : (!llvm.ptr, index, memref<16xf32>, memref<16xf32>) -> ()
    return
  }
  // Copies 4 elements of %src into %dst per workgroup.
  func.func private @strata.dispatch.strata_m_impl.0(%wg: index, %src: memref<16xf32>, %dst: memref<16xf32>) {
    %c4 = arith.constant 4 : index
    %at = arith.muli %wg, %c4 : index
    %s = memref.subview %src[%at] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1], offset: ?>>
    %d = memref.subview %dst[%at] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1], offset: ?>>
    memref.copy %s, %d : memref<4xf32, strided<[1], offset: ?>> to memref<4xf32, strided<[1], offset: ?>>
    return
  }
  func.func private @strata.dispatch.strata_m_impl.1(%wg: index, %src: memref<16xf32>, %dst: memref<16xf32>) {
    %c0 = arith.constant 0.0 : f32
    %v = memref.load %src[%wg] : memref<16xf32>
    memref.store %v, %dst[%wg] : memref<16xf32>
    return
  }
  // Reads %a, writes %b (through a view).
  func.func private @strata.dispatch.strata_m_impl.2(%wg: index, %a: memref<16xf32>, %b: memref<16xf32>) {
    %v = memref.load %a[%wg] : memref<16xf32>
    %view = memref.subview %b[0] [16] [1] : memref<16xf32> to memref<16xf32, strided<[1]>>
    memref.store %v, %view[%wg] : memref<16xf32, strided<[1]>>
    return
  }
  func.func private @strata.dispatch.strata_m_impl.3(%wg: index, %w: memref<16xf32>, %o: memref<16xf32>) {
    %v = memref.load %w[%wg] : memref<16xf32>
    memref.store %v, %o[%wg] : memref<16xf32>
    return
  }
  func.func private @strata.launch.strata_m_impl.0(!llvm.ptr, index, memref<16xf32>, memref<16xf32>)
  func.func private @strata.launch.strata_m_impl.1(!llvm.ptr, index, memref<16xf32>, memref<16xf32>)
  func.func private @strata.launch.strata_m_impl.2(!llvm.ptr, index, memref<16xf32>, memref<16xf32>)
  func.func private @strata.launch.strata_m_impl.3(!llvm.ptr, index, memref<16xf32>, memref<16xf32>)
}

// -----

// Two dispatches writing the caller's buffers (an output, and the input
// argument) conflict: the caller may have passed overlapping memory. A
// memref.copy between launches ends a group.
// CHECK-LABEL: func.func @strata_n_impl(
// CHECK:         call @strata.launch.strata_n_impl.0(
// CHECK-NEXT:    call @strata.launch.strata_n_impl.1(
// CHECK-NEXT:    memref.copy
// CHECK-NEXT:    call @strata.launch.strata_n_impl.2(
// CHECK-NOT:     call @strata.group
module {
  func.func @strata_n_impl(%in: memref<16xf32>, %out: memref<16xf32>, %arena: memref<64xi8>, %exec: !llvm.ptr) {
    %c4 = arith.constant 4 : index
    call @strata.launch.strata_n_impl.0(%exec, %c4, %out) : (!llvm.ptr, index, memref<16xf32>) -> ()
    call @strata.launch.strata_n_impl.1(%exec, %c4, %in) : (!llvm.ptr, index, memref<16xf32>) -> ()
    memref.copy %in, %out : memref<16xf32> to memref<16xf32>
    call @strata.launch.strata_n_impl.2(%exec, %c4, %in) : (!llvm.ptr, index, memref<16xf32>) -> ()
    return
  }
  func.func private @strata.dispatch.strata_n_impl.0(%wg: index, %o: memref<16xf32>) {
    %c = arith.constant 1.0 : f32
    memref.store %c, %o[%wg] : memref<16xf32>
    return
  }
  func.func private @strata.dispatch.strata_n_impl.1(%wg: index, %o: memref<16xf32>) {
    %c = arith.constant 2.0 : f32
    memref.store %c, %o[%wg] : memref<16xf32>
    return
  }
  func.func private @strata.dispatch.strata_n_impl.2(%wg: index, %o: memref<16xf32>) {
    %v = memref.load %o[%wg] : memref<16xf32>
    return
  }
  func.func private @strata.launch.strata_n_impl.0(!llvm.ptr, index, memref<16xf32>)
  func.func private @strata.launch.strata_n_impl.1(!llvm.ptr, index, memref<16xf32>)
  func.func private @strata.launch.strata_n_impl.2(!llvm.ptr, index, memref<16xf32>)
}

// -----

// A reshape of an arena view covers the view's bytes: writing it does not
// conflict with a launch on other bytes. A reinterpret_cast may reach past
// its source, so it covers the whole arena.
// CHECK-LABEL: func.func @strata_r_impl(
// CHECK:         call @strata.group.strata_r_impl.0.1(
// CHECK-NEXT:    %[[CAST:.*]] = memref.reinterpret_cast
// CHECK-NEXT:    call @strata.launch.strata_r_impl.2(
module {
  func.func @strata_r_impl(%arena: memref<128xi8>, %exec: !llvm.ptr) {
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %c64 = arith.constant 64 : index
    %va = memref.view %arena[%c0][] : memref<128xi8> to memref<16xf32>
    %ra = memref.expand_shape %va [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
    call @strata.launch.strata_r_impl.0(%exec, %c4, %ra) : (!llvm.ptr, index, memref<4x4xf32>) -> ()
    %vb = memref.view %arena[%c64][] : memref<128xi8> to memref<16xf32>
    call @strata.launch.strata_r_impl.1(%exec, %c4, %vb) : (!llvm.ptr, index, memref<16xf32>) -> ()
    %cast = memref.reinterpret_cast %arena to offset: [64], sizes: [16], strides: [1] : memref<128xi8> to memref<16xi8, strided<[1], offset: 64>>
    call @strata.launch.strata_r_impl.2(%exec, %c4, %cast) : (!llvm.ptr, index, memref<16xi8, strided<[1], offset: 64>>) -> ()
    return
  }
  func.func private @strata.dispatch.strata_r_impl.0(%wg: index, %o: memref<4x4xf32>) {
    %c = arith.constant 1.0 : f32
    memref.store %c, %o[%wg, %wg] : memref<4x4xf32>
    return
  }
  func.func private @strata.dispatch.strata_r_impl.1(%wg: index, %o: memref<16xf32>) {
    %c = arith.constant 2.0 : f32
    memref.store %c, %o[%wg] : memref<16xf32>
    return
  }
  func.func private @strata.dispatch.strata_r_impl.2(%wg: index, %o: memref<16xi8, strided<[1], offset: 64>>) {
    %v = memref.load %o[%wg] : memref<16xi8, strided<[1], offset: 64>>
    return
  }
  func.func private @strata.launch.strata_r_impl.0(!llvm.ptr, index, memref<4x4xf32>)
  func.func private @strata.launch.strata_r_impl.1(!llvm.ptr, index, memref<16xf32>)
  func.func private @strata.launch.strata_r_impl.2(!llvm.ptr, index, memref<16xi8, strided<[1], offset: 64>>)
}
