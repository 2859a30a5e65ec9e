// convert-graph-to-linalg of graph.resize: per resized dimension and tap, an
// index column and a weight column (constants computed by the pass) read by
// one linalg.generic over the output that gathers with tensor.extract.
// RUN: strata-opt %s -convert-graph-to-linalg -canonicalize -split-input-file | FileCheck %s

// Bilinear, half_pixel: dims 0 and 1 map to themselves (no table); dim 2
// (4 -> 8) and dim 3 (4 -> 6) have two taps each, four gathers in all.
// CHECK-DAG: #[[H:.*]] = affine_map<(d0, d1, d2, d3) -> (d2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func @linear
// CHECK-DAG: arith.constant dense<[0, 0, 0, 1, 1, 2, 2, 3]> : tensor<8xi64>
// CHECK-DAG: arith.constant dense<[1.000000e+00, 7.500000e-01, 2.500000e-01, 7.500000e-01, 2.500000e-01, 7.500000e-01, 2.500000e-01, 1.000000e+00]> : tensor<8xf32>
// CHECK-DAG: arith.constant dense<[0, 0, 1, 1, 2, 3]> : tensor<6xi64>
// CHECK: linalg.generic {indexing_maps = [#[[H]], #[[H]], #[[H]], #[[H]], #[[W]], #[[W]], #[[W]], #[[W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK: linalg.yield
// CHECK-NOT: graph.
func.func @linear(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x8x6xf32> {
  %0 = graph.resize %x {sizes = array<i64: 1, 2, 8, 6>, scales = array<f32: 1.0, 1.0, 2.0, 1.5>, mode = "linear", coordinate_transformation_mode = "half_pixel"} : tensor<1x2x4x4xf32> -> tensor<1x2x8x6xf32>
  return %0 : tensor<1x2x8x6xf32>
}

// -----

// Nearest: one index column, no weights; unsigned data move as signless.
// CHECK-LABEL: func @nearest
// CHECK: %[[ROWS:.*]] = arith.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK: linalg.generic {{.*}} ins(%[[ROWS]] : tensor<4xi64>) outs(%{{.*}} : tensor<4x3xi8>)
// CHECK: ^bb0(%[[ROW:.*]]: i64, %{{.*}}: i8):
// CHECK: %[[I:.*]] = arith.index_cast %[[ROW]] : i64 to index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[V:.*]] = tensor.extract %arg0[%[[I]], %[[J]]] : tensor<2x3xi8>
// CHECK: linalg.yield %[[V]] : i8
func.func @nearest(%x: tensor<2x3xui8>) -> tensor<4x3xui8> {
  %0 = graph.resize %x {sizes = array<i64: 4, 3>, scales = array<f32: 2.0, 1.0>, mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : tensor<2x3xui8> -> tensor<4x3xui8>
  return %0 : tensor<4x3xui8>
}

// -----

// tf_crop_and_resize: an output outside the input has index -1 and gets
// the extrapolation value.
// CHECK-LABEL: func @crop
// CHECK-DAG: %[[FILL:.*]] = arith.constant 5.000000e+00 : f32
// CHECK-DAG: arith.constant dense<[-1, 1, 3]> : tensor<3xi64>
// CHECK: linalg.generic
// CHECK: %[[OUT:.*]] = arith.cmpi slt
// CHECK: %[[SAFE:.*]] = arith.maxsi
// CHECK: %[[V:.*]] = tensor.extract %arg0[%[[SAFE]], %{{.*}}]
// CHECK: arith.select %[[OUT]], %[[FILL]], %[[V]] : f32
func.func @crop(%x: tensor<4x4xf32>) -> tensor<3x3xf32> {
  %0 = graph.resize %x {sizes = array<i64: 3, 3>, scales = array<f32: 0.75, 0.75>, mode = "nearest", coordinate_transformation_mode = "tf_crop_and_resize", roi = array<f32: -0.5, 0.0, 1.0, 1.0>, extrapolation_value = 5.0 : f32} : tensor<4x4xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Cubic: four taps per resized dimension (16 gathers for two dims).
// CHECK-LABEL: func @cubic
// CHECK: linalg.generic
// CHECK-COUNT-16: tensor.extract %arg0
// CHECK: linalg.yield
func.func @cubic(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x7x8xf32> {
  %0 = graph.resize %x {sizes = array<i64: 1, 1, 7, 8>, scales = array<f32: 1.0, 1.0, 1.4, 1.6>, mode = "cubic", coordinate_transformation_mode = "half_pixel"} : tensor<1x1x5x5xf32> -> tensor<1x1x7x8xf32>
  return %0 : tensor<1x1x7x8xf32>
}
