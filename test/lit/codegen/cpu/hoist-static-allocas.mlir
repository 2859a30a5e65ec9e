// Fixed-size allocas move from loop bodies into the entry block (with their
// element count), in their original order; one of run-time size outside the
// entry block, or one passed to another block, is an error.
// RUN: strata-opt %s -split-input-file -verify-diagnostics \
// RUN:   -pass-pipeline="builtin.module(llvm.func(strata-hoist-static-allocas))" | FileCheck %s

// CHECK-LABEL: llvm.func @loop(
// CHECK-NEXT:    %[[C4:.*]] = llvm.mlir.constant(4 : i64) : i64
// CHECK-NEXT:    %[[A:.*]] = llvm.alloca %[[C4]] x !llvm.array<8 x vector<32xf32>> {alignment = 64 : i64} : (i64) -> !llvm.ptr
// CHECK-NEXT:    %[[C1:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT:    %[[B:.*]] = llvm.alloca %[[C1]] x f32 : (i64) -> !llvm.ptr
// CHECK-NEXT:    llvm.mlir.constant(1 : i64)
// CHECK-NEXT:    llvm.alloca %{{.*}} x i32
// CHECK-NEXT:    llvm.mlir.constant(0 : i64)
// CHECK-NEXT:    llvm.br ^bb1
// CHECK:       ^bb1(
// CHECK-NOT:     llvm.alloca
// CHECK:         llvm.store %{{.*}}, %[[A]]
// CHECK:         llvm.store %{{.*}}, %[[B]]
// CHECK:         llvm.return
llvm.func @loop(%n: i64, %v: vector<32xf32>, %f: f32) {
  %one = llvm.mlir.constant(1 : i64) : i64
  %entry = llvm.alloca %one x i32 : (i64) -> !llvm.ptr
  %zero = llvm.mlir.constant(0 : i64) : i64
  llvm.br ^bb1(%zero : i64)
^bb1(%i: i64):
  %done = llvm.icmp "sge" %i, %n : i64
  llvm.cond_br %done, ^bb3, ^bb2
^bb2:
  %four = llvm.mlir.constant(4 : i64) : i64
  %a = llvm.alloca %four x !llvm.array<8 x vector<32xf32>> {alignment = 64 : i64} : (i64) -> !llvm.ptr
  llvm.store %v, %a : vector<32xf32>, !llvm.ptr
  %b = llvm.alloca %one x f32 : (i64) -> !llvm.ptr
  llvm.store %f, %b : f32, !llvm.ptr
  %next = llvm.add %i, %one : i64
  llvm.br ^bb1(%next : i64)
^bb3:
  llvm.return
}

// -----

// Entry-block allocas of run-time size run once per call and stay.
// CHECK-LABEL: llvm.func @dynamic_in_entry(
// CHECK-NEXT:    llvm.alloca %arg0 x f32
llvm.func @dynamic_in_entry(%n: i64) {
  %a = llvm.alloca %n x f32 : (i64) -> !llvm.ptr
  llvm.return
}

// -----

llvm.func @dynamic_in_loop(%n: i64, %c: i1) {
  llvm.cond_br %c, ^bb1, ^bb2
^bb1:
  // expected-error @below {{stack allocation of run-time size outside the function's entry block}}
  %a = llvm.alloca %n x f32 : (i64) -> !llvm.ptr
  llvm.br ^bb2
^bb2:
  llvm.return
}

// -----

// A buffer handed to the next iteration must stay distinct per iteration.
llvm.func @carried(%n: i64) {
  %one = llvm.mlir.constant(1 : i64) : i64
  %first = llvm.alloca %one x f32 : (i64) -> !llvm.ptr
  llvm.br ^bb1(%first : !llvm.ptr)
^bb1(%previous: !llvm.ptr):
  // expected-error @below {{stack allocation outside the entry block is passed to another block}}
  %next = llvm.alloca %one x f32 : (i64) -> !llvm.ptr
  llvm.br ^bb1(%next : !llvm.ptr)
}
