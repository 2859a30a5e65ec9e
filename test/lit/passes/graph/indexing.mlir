// convert-graph-to-linalg of gathers, scatters, slices, padding, tiling,
// expand, trilu and one_hot.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// gather: a generic over the result reads the index through the indices'
// map, wraps a negative one, clamps it into [0, 4] and extracts.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @gather
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<2xi32>) outs(%{{.*}} : tensor<3x2x4xf32>)
// CHECK: ^bb0(%[[I:.*]]: i32, %{{.*}}: f32):
// CHECK:   %[[D0:.*]] = linalg.index 0 : index
// CHECK:   %[[CAST:.*]] = arith.index_cast %[[I]] : i32 to index
// CHECK:   %[[NEG:.*]] = arith.cmpi slt, %[[CAST]]
// CHECK:   %[[WRAP:.*]] = arith.addi %[[CAST]]
// CHECK:   %[[SEL:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[CAST]]
// CHECK:   %[[LO:.*]] = arith.maxsi %[[SEL]]
// CHECK:   %[[HI:.*]] = arith.minsi %[[LO]]
// CHECK:   %[[D2:.*]] = linalg.index 2 : index
// CHECK:   tensor.extract %{{.*}}[%[[D0]], %[[HI]], %[[D2]]] : tensor<3x5x4xf32>
func.func @gather(%x: tensor<3x5x4xf32>, %i: tensor<2xi32>) -> tensor<3x2x4xf32> {
  %0 = graph.gather %x, %i {axis = 1 : i64} : (tensor<3x5x4xf32>, tensor<2xi32>) -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

// -----

// gather_elements: the index replaces the loop index along the axis.
// CHECK-LABEL: func @gather_elements
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xi64>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:   %[[R:.*]] = linalg.index 0 : index
// CHECK:   arith.index_cast
// CHECK:   %[[C:.*]] = arith.minsi
// CHECK:   tensor.extract %{{.*}}[%[[R]], %[[C]]] : tensor<2x4xf32>
func.func @gather_elements(%x: tensor<2x4xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %0 = graph.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// gather_nd: each coordinate is read from the indices tensor in the body.
// CHECK-LABEL: func @gather_nd
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2xf32>)
// CHECK:   tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<2x2xi32>
// CHECK:   tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<2x2xi32>
// CHECK:   tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<4x3xf32>
func.func @gather_nd(%x: tensor<4x3xf32>, %i: tensor<2x2xi32>) -> tensor<2xf32> {
  %0 = graph.gather_nd %x, %i : (tensor<4x3xf32>, tensor<2x2xi32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// scatter_nd: the outer loop reads each index tuple once, the inner one
// combines the slice into the result.
// CHECK-LABEL: func @scatter_nd_max
// CHECK: scf.for %[[T:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<4x3xf32>)
// CHECK:   tensor.extract %{{.*}}[%[[T]], %{{.*}}] : tensor<2x1xi64>
// CHECK:   %[[ROW:.*]] = arith.minsi
// CHECK:   scf.for %[[J:.*]] = {{.*}} iter_args(%[[IN:.*]] = %[[ACC]]) -> (tensor<4x3xf32>)
// CHECK:     %[[U:.*]] = tensor.extract %{{.*}}[%[[T]], %[[J]]] : tensor<2x3xf32>
// CHECK:     %[[OLD:.*]] = tensor.extract %[[IN]][%[[ROW]], %[[J]]]
// CHECK:     %[[NEW:.*]] = arith.maximumf %[[OLD]], %[[U]]
// CHECK:     tensor.insert %[[NEW]] into %[[IN]][%[[ROW]], %[[J]]]
func.func @scatter_nd_max(%x: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = graph.scatter_nd %x, %i, %u {reduction = "max"} : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Positive steps: one extract_slice.
// CHECK-LABEL: func @slice_forward
// CHECK: tensor.extract_slice %{{.*}}[1, 0] [2, 2] [2, 3] : tensor<5x4xf32> to tensor<2x2xf32>
func.func @slice_forward(%x: tensor<5x4xf32>) -> tensor<2x2xf32> {
  %0 = graph.slice %x {starts = array<i64: 1, 0>, sizes = array<i64: 2, 2>, steps = array<i64: 2, 3>} : tensor<5x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// An empty slice (a zero-size Split part) may start at the end of its
// dimension: it reads nothing and becomes tensor.empty.
// CHECK-LABEL: func @slice_empty_at_end
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x0xf32>
// CHECK: return %[[E]]
func.func @slice_empty_at_end(%x: tensor<2x8xf32>) -> tensor<2x0xf32> {
  %0 = graph.slice %x {starts = array<i64: 0, 8>, sizes = array<i64: 2, 0>, steps = array<i64: 1, 1>} : tensor<2x8xf32> -> tensor<2x0xf32>
  return %0 : tensor<2x0xf32>
}

// -----

// A negative step: a copy through the map start + i * step.
// CHECK-DAG: #[[BACK:.*]] = affine_map<(d0, d1) -> (d0 * -3 + 4, d1)>
// CHECK-LABEL: func @slice_backward
// CHECK: linalg.generic {indexing_maps = [#[[BACK]], #{{.*}}]
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:   linalg.yield %[[IN]]
func.func @slice_backward(%x: tensor<5x4xf32>) -> tensor<2x4xf32> {
  %0 = graph.slice %x {starts = array<i64: 4, 0>, sizes = array<i64: 2, 4>, steps = array<i64: -3, 1>} : tensor<5x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @pad_constant
// CHECK: %[[V:.*]] = arith.constant 7 : i32
// CHECK: tensor.pad %{{.*}} low[2] high[1]
// CHECK:   tensor.yield %[[V]] : i32
func.func @pad_constant(%x: tensor<3xi32>) -> tensor<6xi32> {
  %0 = graph.pad %x {pads = array<i64: 2, 1>, value = 7 : i32} : tensor<3xi32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

// reflect: i - 2 mirrored at 0 (-i) and at the last index (4 - i).
// CHECK-LABEL: func @pad_reflect
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<6xf32>)
// CHECK:   %[[I:.*]] = arith.subi
// CHECK:   arith.cmpi slt, %[[I]]
// CHECK:   %[[M:.*]] = arith.select
// CHECK:   arith.cmpi sgt, %[[M]]
// CHECK:   %[[C4:.*]] = arith.constant 4 : index
// CHECK:   arith.subi %[[C4]], %[[M]]
// CHECK:   tensor.extract
func.func @pad_reflect(%x: tensor<3xf32>) -> tensor<6xf32> {
  %0 = graph.pad %x {pads = array<i64: 2, 1>, mode = "reflect"} : tensor<3xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// edge: i - 2 clamped into [0, 2].
// CHECK-LABEL: func @pad_edge
// CHECK:   arith.subi
// CHECK:   arith.maxsi
// CHECK:   arith.minsi
// CHECK:   tensor.extract
func.func @pad_edge(%x: tensor<3xf32>) -> tensor<6xf32> {
  %0 = graph.pad %x {pads = array<i64: 2, 1>, mode = "edge"} : tensor<3xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// tile: broadcast to [repeat, dim] pairs, then collapse each pair.
// CHECK-DAG: #[[SRC:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-LABEL: func @tile
// CHECK: %[[B:.*]] = linalg.generic {indexing_maps = [#[[SRC]], #{{.*}}]{{.*}} outs(%{{.*}} : tensor<2x2x1x3xf32>)
// CHECK: tensor.collapse_shape %[[B]] {{\[\[}}0, 1], [2, 3]] : tensor<2x2x1x3xf32> into tensor<4x3xf32>
func.func @tile(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = graph.tile %x {repeats = array<i64: 2, 1>} : tensor<2x3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// expand: a broadcasting copy; the size-1 dim repeats (collapsed away).
// CHECK-DAG: #[[SRC:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @expand
// CHECK: linalg.generic {indexing_maps = [#[[SRC]], #{{.*}}]{{.*}} outs(%{{.*}} : tensor<2x3x4xf32>)
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = graph.expand %x {shape = array<i64: 2, 1, 4>} : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// trilu (lower, k = 1): keep where col - row <= 1.
// CHECK-LABEL: func @trilu
// CHECK:   %[[R:.*]] = linalg.index 0 : index
// CHECK:   %[[C:.*]] = linalg.index 1 : index
// CHECK:   %[[D:.*]] = arith.subi %[[C]], %[[R]] : index
// CHECK:   arith.cmpi sle, %[[D]]
// CHECK:   arith.select
func.func @trilu(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = graph.trilu %x {upper = false, k = 1} : tensor<3x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// one_hot: off / on are read once; the wrapped index is compared with the
// position along the new axis.
// CHECK-LABEL: func @one_hot
// CHECK: %[[OFF:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<2xf32>
// CHECK: %[[ON:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<2xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<3xi64>) outs(%{{.*}} : tensor<3x5xf32>)
// CHECK:   %[[P:.*]] = linalg.index 1 : index
// CHECK:   %[[P64:.*]] = arith.index_cast %[[P]] : index to i64
// CHECK:   %[[HOT:.*]] = arith.cmpi eq, %{{.*}}, %[[P64]] : i64
// CHECK:   arith.select %[[HOT]], %[[ON]], %[[OFF]] : f32
func.func @one_hot(%i: tensor<3xi64>, %v: tensor<2xf32>) -> tensor<3x5xf32> {
  %0 = graph.one_hot %i, %v {depth = 5, axis = 1} : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}
