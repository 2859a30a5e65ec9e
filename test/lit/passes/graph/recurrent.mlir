// convert-graph-to-linalg of graph.rnn / gru / lstm: the input projections
// of all time steps in one contraction (biases as its initial value), then
// an scf.for over time carrying a [seq + 1, batch, hidden] history of each
// state and y; each step contracts the state with r and computes the new
// states in one generic over [batch, hidden].
// RUN: strata-opt %s -convert-graph-to-linalg -canonicalize -split-input-file | FileCheck %s

// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[ACC:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @rnn
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<5x2x3xf32> into tensor<10x3xf32>
// CHECK: %[[W:.*]] = tensor.extract_slice %arg1[0, 0, 0] [1, 4, 3] [1, 1, 1] : tensor<1x4x3xf32> to tensor<4x3xf32>
// CHECK: %[[PROJ:.*]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[ACC]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<10x3xf32>, tensor<4x3xf32>) outs(%{{.*}} : tensor<10x4xf32>)
// CHECK: %[[XW:.*]] = tensor.expand_shape %[[PROJ]]
// CHECK: %[[R:.*]] = tensor.extract_slice %arg2[0, 0, 0] [1, 4, 4] [1, 1, 1] : tensor<1x4x4xf32> to tensor<4x4xf32>
// CHECK: %[[H0:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0] [1, 2, 4] [1, 1, 1] : tensor<2x4xf32> into tensor<6x2x4xf32>
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[HIST:.*]] = %[[H0]], %[[Y:.*]] = %{{.*}}) -> (tensor<6x2x4xf32>, tensor<5x1x2x4xf32>)
// CHECK:   %[[GX:.*]] = tensor.extract_slice %[[XW]][%[[T]], 0, 0] [1, 2, 4]
// CHECK:   %[[H:.*]] = tensor.extract_slice %[[HIST]][%[[T]], 0, 0] [1, 2, 4]
// CHECK:   %[[PRE:.*]] = linalg.generic {{.*}} ins(%[[H]], %[[R]] : tensor<2x4xf32>, tensor<4x4xf32>) outs(%[[GX]] : tensor<2x4xf32>)
// CHECK:   %[[NEW:.*]] = linalg.generic {{.*}} ins(%[[PRE]] : tensor<2x4xf32>)
// CHECK:     math.tanh
// CHECK:   %[[NEXT:.*]] = arith.addi %[[T]], %{{.*}} : index
// CHECK:   %[[HIST2:.*]] = tensor.insert_slice %[[NEW]] into %[[HIST]][%[[NEXT]], 0, 0] [1, 2, 4]
// CHECK:   %[[Y2:.*]] = tensor.insert_slice %[[NEW]] into %[[Y]][%[[T]], 0, 0, 0] [1, 1, 2, 4]
// CHECK:   scf.yield %[[HIST2]], %[[Y2]]
// CHECK: %[[LAST:.*]] = tensor.extract_slice %[[LOOP]]#0[5, 0, 0] [1, 2, 4]
// CHECK: %[[YH:.*]] = tensor.insert_slice %[[LAST]] into %{{.*}}[0, 0, 0] [1, 2, 4] [1, 1, 1] : tensor<2x4xf32> into tensor<1x2x4xf32>
// CHECK: return %[[LOOP]]#1, %[[YH]]
func.func @rnn(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %b: tensor<1x8xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) {
  %y, %yh = graph.rnn %x, %w, %r bias %b {hidden_size = 4 : i64, activations = ["Tanh"]} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<1x8xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return %y, %yh : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// Bidirectional LSTM: two loops, the second backwards (time = seq - 1 - t);
// the cell is one generic with two results (h, c) reading the gate columns
// i, o, f, c as slices of [batch, 4 * hidden].
// CHECK-LABEL: func @lstm
// CHECK: scf.for %[[T:[a-z0-9]+]] =
// CHECK:   linalg.generic {{.*}} outs(%{{.*}} : tensor<2x12xf32>)
// CHECK:   tensor.extract_slice %{{.*}}[0, 0] [2, 3] [1, 1] : tensor<2x12xf32> to tensor<2x3xf32>
// CHECK:   tensor.extract_slice %{{.*}}[0, 9] [2, 3] [1, 1] : tensor<2x12xf32> to tensor<2x3xf32>
// CHECK:   %{{.*}}:2 = linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: scf.for %[[T2:[a-z0-9]+]] =
// CHECK:   arith.subi %{{.*}}, %[[T2]] : index
// CHECK:   %{{.*}}:2 = linalg.generic
func.func @lstm(%x: tensor<4x2x5xf32>, %w: tensor<2x12x5xf32>, %r: tensor<2x12x3xf32>) -> (tensor<4x2x2x3xf32>, tensor<2x2x3xf32>, tensor<2x2x3xf32>) {
  %y, %yh, %yc = graph.lstm %x, %w, %r {hidden_size = 3 : i64, direction = "bidirectional", activations = ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"]} : (tensor<4x2x5xf32>, tensor<2x12x5xf32>, tensor<2x12x3xf32>) -> (tensor<4x2x2x3xf32>, tensor<2x2x3xf32>, tensor<2x2x3xf32>)
  return %y, %yh, %yc : tensor<4x2x2x3xf32>, tensor<2x2x3xf32>, tensor<2x2x3xf32>
}

// -----

// GRU (linear_before_reset = 0): the reset gate scales the state before
// the hidden gate's contraction, so a step has two contractions.
// CHECK-LABEL: func @gru
// CHECK: scf.for
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2xf32>, tensor<4x2xf32>) outs(%{{.*}} : tensor<1x4xf32>)
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2xf32>, tensor<1x2xf32>)
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x2xf32>)
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>)
// CHECK:   scf.yield
func.func @gru(%x: tensor<3x1x2xf32>, %w: tensor<1x6x2xf32>, %r: tensor<1x6x2xf32>) -> (tensor<3x1x1x2xf32>, tensor<1x1x2xf32>) {
  %y, %yh = graph.gru %x, %w, %r {hidden_size = 2 : i64, activations = ["Sigmoid", "Tanh"]} : (tensor<3x1x2xf32>, tensor<1x6x2xf32>, tensor<1x6x2xf32>) -> (tensor<3x1x1x2xf32>, tensor<1x1x2xf32>)
  return %y, %yh : tensor<3x1x1x2xf32>, tensor<1x1x2xf32>
}
