// Large linalg ops on tensors become scf.forall grids of equal workgroups,
// split along the loop each op kind prefers; small ops stay whole.
// RUN: strata-opt %s -split-input-file \
// RUN:   -pass-pipeline="builtin.module(func.func(strata-form-dispatches{workgroups=16 m-tile=8 n-tile=32}))" | FileCheck %s

// M <= N: split N (768 columns = 24 blocks of 32) into 12 pieces of 64.
// CHECK-LABEL: func.func @matmul_splits_n
// CHECK:         scf.forall (%[[J:.*]]) = (0) to (768) step (64) shared_outs(%{{.*}} = %{{.*}})
// CHECK:           linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<128x768xf32>, tensor<768x64xf32>) outs(%{{.*}} : tensor<128x64xf32>)
// CHECK:           tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %[[J]]] [128, 64] [1, 1]
func.func @matmul_splits_n(%a: tensor<128x768xf32>, %b: tensor<768x768xf32>,
                           %c: tensor<128x768xf32>) -> tensor<128x768xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<128x768xf32>, tensor<768x768xf32>)
                     outs(%c : tensor<128x768xf32>) -> tensor<128x768xf32>
  return %r : tensor<128x768xf32>
}

// -----

// M > N: split M in multiples of 8 rows (1024 rows: 16 pieces of 64).
// CHECK-LABEL: func.func @matmul_splits_m
// CHECK:         scf.forall (%{{.*}}) = (0) to (1024) step (64)
// CHECK:           linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<64x256xf32>, tensor<256x64xf32>)
func.func @matmul_splits_m(%a: tensor<1024x256xf32>, %b: tensor<256x64xf32>,
                           %c: tensor<1024x64xf32>) -> tensor<1024x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<1024x256xf32>, tensor<256x64xf32>)
                     outs(%c : tensor<1024x64xf32>) -> tensor<1024x64xf32>
  return %r : tensor<1024x64xf32>
}

// -----

// A batch matmul splits its batch (12 heads).
// CHECK-LABEL: func.func @batch_matmul
// CHECK:         scf.forall (%{{.*}}) in (12)
// CHECK:           linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<1x128x64xf32>, tensor<1x64x128xf32>)
func.func @batch_matmul(%a: tensor<12x128x64xf32>, %b: tensor<12x64x128xf32>,
                        %c: tensor<12x128x128xf32>) -> tensor<12x128x128xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<12x128x64xf32>, tensor<12x64x128xf32>)
                           outs(%c : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  return %r : tensor<12x128x128xf32>
}

// -----

// NHWC conv: the input (58x58x64) is larger than the filter (3x3x64x64),
// so output rows split (56 rows: 14 pieces of 4); with a filter larger
// than the input (3x3x512x512 on 9x9), output channels split.
// CHECK-LABEL: func.func @conv_rows
// CHECK:         scf.forall (%{{.*}}) = (0) to (56) step (4)
// CHECK:           linalg.conv_2d_nhwc_hwcf {{.*}} outs(%{{.*}} : tensor<1x4x56x64xf32>)
// CHECK-LABEL: func.func @conv_channels
// CHECK:         scf.forall (%{{.*}}) = (0) to (512) step (32)
// CHECK:           linalg.conv_2d_nhwc_hwcf {{.*}} outs(%{{.*}} : tensor<1x7x7x32xf32>)
func.func @conv_rows(%in: tensor<1x58x58x64xf32>, %f: tensor<3x3x64x64xf32>,
                     %out: tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%in, %f : tensor<1x58x58x64xf32>, tensor<3x3x64x64xf32>)
         outs(%out : tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
  return %r : tensor<1x56x56x64xf32>
}
func.func @conv_channels(%in: tensor<1x9x9x512xf32>, %f: tensor<3x3x512x512xf32>,
                         %out: tensor<1x7x7x512xf32>) -> tensor<1x7x7x512xf32> {
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%in, %f : tensor<1x9x9x512xf32>, tensor<3x3x512x512xf32>)
         outs(%out : tensor<1x7x7x512xf32>) -> tensor<1x7x7x512xf32>
  return %r : tensor<1x7x7x512xf32>
}

// -----

// Elementwise: the outermost parallel loop that splits (dim 0 is 1), in 4
// pieces: 16 would have fewer than min-workgroup-iterations (32768 by
// default) each. A small op (4096 iterations) stays whole.
// CHECK-LABEL: func.func @elementwise
// CHECK:         scf.forall (%{{.*}}) = (0) to (56) step (14)
// CHECK:           linalg.generic {{.*}} outs(%{{.*}} : tensor<1x14x56x64xf32>)
// CHECK:           tensor.parallel_insert_slice
// CHECK-NOT:     scf.forall (
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<64x64xf32>)
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<1x56x56x64xf32>, %y: tensor<64x64xf32>)
    -> (tensor<1x56x56x64xf32>, tensor<64x64xf32>) {
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x : tensor<1x56x56x64xf32>) outs(%x : tensor<1x56x56x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maximumf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x56x56x64xf32>
  %s = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
         ins(%y : tensor<64x64xf32>) outs(%y : tensor<64x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<64x64xf32>
  return %r, %s : tensor<1x56x56x64xf32>, tensor<64x64xf32>
}

// -----

// A static pad with a constant value becomes a fill of the padded tensor
// and a copy into its interior, both split into workgroups.
// CHECK-LABEL: func.func @pad
// CHECK-NOT:     tensor.pad
// CHECK:         scf.forall (%{{.*}}) = (0) to (58) step (29)
// CHECK:           linalg.fill {{.*}} -> tensor<1x29x58x64xf32>
// CHECK:         %[[INNER:.*]] = tensor.extract_slice %{{.*}}[0, 1, 1, 0] [1, 56, 56, 64] [1, 1, 1, 1]
// CHECK:         scf.forall (%{{.*}}) = (0) to (56) step (14) shared_outs(%{{.*}} = %[[INNER]])
// CHECK:           linalg.copy ins(%{{.*}} : tensor<1x14x56x64xf32>)
// CHECK:         tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [1, 56, 56, 64] [1, 1, 1, 1]
func.func @pad(%x: tensor<1x56x56x64xf32>) -> tensor<1x58x58x64xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x56x56x64xf32> to tensor<1x58x58x64xf32>
  return %p : tensor<1x58x58x64xf32>
}

// -----

// An elementwise op that only the pad reads writes into the interior
// itself: no copy.
// CHECK-LABEL: func.func @pad_of_relu
// CHECK-NOT:     tensor.pad
// CHECK:         linalg.fill
// CHECK:         %[[INNER:.*]] = tensor.extract_slice %{{.*}}[0, 1, 1, 0] [1, 56, 56, 64] [1, 1, 1, 1]
// CHECK:         scf.forall (%{{.*}}) = (0) to (56) step (14) shared_outs(%{{.*}} = %[[INNER]])
// CHECK:           arith.maximumf
// CHECK-NOT:     linalg.copy
// CHECK:         tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [1, 56, 56, 64] [1, 1, 1, 1]
#id4 = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @pad_of_relu(%x: tensor<1x56x56x64xf32>) -> tensor<1x58x58x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x56x56x64xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x : tensor<1x56x56x64xf32>) outs(%e : tensor<1x56x56x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x56x56x64xf32>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x56x56x64xf32> to tensor<1x58x58x64xf32>
  return %p : tensor<1x58x58x64xf32>
}
