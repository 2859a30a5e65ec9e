// Large constant globals leave the module for the weights pack: each
// llvm.mlir.addressof becomes a GEP at the global's offset in the pack (an
// i64 value: static GEP indices have 29 bits, and packs exceed 256 MB)
// (offsets aligned to 64), from the hidden symbol (embedded weights) or from
// a pointer loaded once per function (external weights). Small constants,
// mutable globals and globals used other than by addressof stay.
// RUN: strata-opt %s -split-input-file \
// RUN:   -strata-pack-weights="symbol=strata_m_weights min-bytes=64" | FileCheck %s --check-prefix=EMBED
// RUN: strata-opt %s -split-input-file \
// RUN:   -strata-pack-weights="symbol=strata.weights_base external=true min-bytes=64" | FileCheck %s --check-prefix=EXTERNAL

// EMBED: module attributes {strata.weights = {bytes = 192 : i64, segments = [
// EMBED-SAME: [0, dense<[0.000000e+00, 1.000000e+00,
// EMBED-SAME: : tensor<20xf32>]
// EMBED-SAME: [128, dense<[5.000000e-01, 1.500000e+00,
// EMBED-SAME: : tensor<16xf32>]
// EMBED: llvm.mlir.global external hidden constant @strata_m_weights() {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<192 x i8>
// EMBED-NOT: @big
// EMBED-NOT: @aligned
// EMBED: llvm.mlir.global private constant @small(dense<3.000000e+00> : tensor<4xf32>)
// EMBED: llvm.mlir.global internal @mutable(dense<[2.500000e-01,
// EMBED-LABEL: llvm.func @use(
// EMBED: %[[BASE:.*]] = llvm.mlir.addressof @strata_m_weights : !llvm.ptr
// EMBED: llvm.load %[[BASE]]
// EMBED: %[[BASE2:.*]] = llvm.mlir.addressof @strata_m_weights : !llvm.ptr
// EMBED: %[[OFF:.*]] = llvm.mlir.constant(128 : i64) : i64
// EMBED: %[[AT:.*]] = llvm.getelementptr inbounds %[[BASE2]][%[[OFF]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// EMBED: llvm.load %[[AT]]
// EMBED: llvm.mlir.addressof @small
// EMBED: llvm.mlir.addressof @mutable

// EXTERNAL: llvm.mlir.global internal @strata.weights_base() {addr_space = 0 : i32, alignment = 8 : i64} : !llvm.ptr {
// EXTERNAL-NEXT: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// EXTERNAL-NEXT: llvm.return %[[NULL]] : !llvm.ptr
// EXTERNAL-LABEL: llvm.func @use(
// EXTERNAL-NEXT: %[[SLOT:.*]] = llvm.mlir.addressof @strata.weights_base : !llvm.ptr
// EXTERNAL-NEXT: %[[BASE:.*]] = llvm.load %[[SLOT]] {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
// EXTERNAL-NOT: llvm.load %[[SLOT]]
// EXTERNAL: llvm.load %[[BASE]]
// EXTERNAL: %[[OFF:.*]] = llvm.mlir.constant(128 : i64) : i64
// EXTERNAL: %[[AT:.*]] = llvm.getelementptr inbounds %[[BASE]][%[[OFF]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// EXTERNAL: llvm.load %[[AT]]
module {
  llvm.mlir.global private constant @big(dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0]> : tensor<20xf32>) {alignment = 64 : i64} : !llvm.array<20 x f32>
  llvm.mlir.global private constant @aligned(dense<[0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5]> : tensor<16xf32>) {alignment = 128 : i64} : !llvm.array<16 x f32>
  llvm.mlir.global private constant @small(dense<3.0> : tensor<4xf32>) : !llvm.array<4 x f32>
  llvm.mlir.global internal @mutable(dense<[0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, 8.25, 9.25, 10.25, 11.25, 12.25, 13.25, 14.25, 15.25, 16.25, 17.25, 18.25, 19.25, 20.25, 21.25, 22.25, 23.25, 24.25, 25.25, 26.25, 27.25, 28.25, 29.25, 30.25, 31.25]> : tensor<32xf32>) : !llvm.array<32 x f32>
  llvm.func @use() -> f32 {
    %0 = llvm.mlir.addressof @big : !llvm.ptr
    %1 = llvm.load %0 : !llvm.ptr -> f32
    %2 = llvm.mlir.addressof @aligned : !llvm.ptr
    %3 = llvm.load %2 : !llvm.ptr -> f32
    %4 = llvm.mlir.addressof @small : !llvm.ptr
    %5 = llvm.load %4 : !llvm.ptr -> f32
    %6 = llvm.mlir.addressof @mutable : !llvm.ptr
    %7 = llvm.load %6 : !llvm.ptr -> f32
    %8 = llvm.fadd %1, %3 : f32
    %9 = llvm.fadd %5, %7 : f32
    %10 = llvm.fadd %8, %9 : f32
    llvm.return %10 : f32
  }
}

// -----

// A global whose address another global holds stays in the module.
// EMBED-LABEL: module
// EMBED-NOT: strata.weights
// EMBED: llvm.mlir.global private constant @table(dense<[2.500000e-01,
// EXTERNAL-LABEL: module
// EXTERNAL-NOT: strata.weights
module {
  llvm.mlir.global private constant @table(dense<[0.25, 1.25, 2.25, 3.25, 4.25, 5.25, 6.25, 7.25, 8.25, 9.25, 10.25, 11.25, 12.25, 13.25, 14.25, 15.25, 16.25, 17.25, 18.25, 19.25, 20.25, 21.25, 22.25, 23.25, 24.25, 25.25, 26.25, 27.25, 28.25, 29.25, 30.25, 31.25]> : tensor<32xf32>) : !llvm.array<32 x f32>
  llvm.mlir.global internal constant @pointer() : !llvm.ptr {
    %0 = llvm.mlir.addressof @table : !llvm.ptr
    llvm.return %0 : !llvm.ptr
  }
}

// -----

// Globals of equal content share one segment (the per-sample and the
// batch-chunk programs of a model hold the same weights).
// EMBED-LABEL: module attributes {strata.weights = {bytes = 208 : i64, segments = [
// EMBED-SAME: [0, dense<[0.000000e+00, 1.000000e+00,
// EMBED-SAME: [128, dense<[1.000000e+00, 2.000000e+00,
// EMBED-NOT: [256,
// EMBED-LABEL: llvm.func @twice(
// EMBED-NEXT: %[[B1:.*]] = llvm.mlir.addressof @strata_m_weights
// EMBED-NEXT: llvm.load %[[B1]]
// EMBED-NEXT: %[[B2:.*]] = llvm.mlir.addressof @strata_m_weights
// EMBED-NEXT: llvm.load %[[B2]]
// EMBED-NEXT: %[[B3:.*]] = llvm.mlir.addressof @strata_m_weights
// EMBED-NEXT: llvm.mlir.constant(128 : i64)
// EXTERNAL-LABEL: module attributes {strata.weights = {bytes = 208 : i64
// EXTERNAL-LABEL: llvm.func @twice(
// EXTERNAL-NOT: llvm.mlir.constant(256
module {
  llvm.mlir.global private constant @first(dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0]> : tensor<20xf32>) {alignment = 64 : i64} : !llvm.array<20 x f32>
  llvm.mlir.global private constant @same(dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0]> : tensor<20xf32>) {alignment = 64 : i64} : !llvm.array<20 x f32>
  llvm.mlir.global private constant @other(dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0]> : tensor<20xf32>) {alignment = 64 : i64} : !llvm.array<20 x f32>
  llvm.func @twice() -> f32 {
    %0 = llvm.mlir.addressof @first : !llvm.ptr
    %1 = llvm.load %0 : !llvm.ptr -> f32
    %2 = llvm.mlir.addressof @same : !llvm.ptr
    %3 = llvm.load %2 : !llvm.ptr -> f32
    %4 = llvm.mlir.addressof @other : !llvm.ptr
    %5 = llvm.load %4 : !llvm.ptr -> f32
    %6 = llvm.fadd %1, %3 : f32
    %7 = llvm.fadd %6, %5 : f32
    llvm.return %7 : f32
  }
}
