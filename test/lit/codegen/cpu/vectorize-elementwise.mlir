// RUN: strata-opt %s -strata-vectorize-elementwise -split-input-file | FileCheck %s

// A bias add over 32 NHWC channels: the channel loop in pieces of 32 (two
// 16-lane vectors; up to 4 per piece), every other loop by 1; the bias is
// read as a vector along the channels and broadcast over the pixels.
// CHECK-LABEL: func @bias_add
// CHECK:       scf.for %{{.*}} = %{{.*}} to %c4 step %{{.*}}
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c8 step %{{.*}}
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c32 step %c32
// CHECK:           %[[X:.*]] = vector.transfer_read {{.*}} : tensor<1x1x1x32xf32>, vector<1x1x1x32xf32>
// CHECK:           %[[B:.*]] = vector.transfer_read {{.*}} : tensor<32xf32>, vector<1x1x1x32xf32>
// CHECK:           %[[S:.*]] = arith.addf %[[X]], %[[B]] : vector<1x1x1x32xf32>
// CHECK:           vector.transfer_write %[[S]]
// CHECK-NOT:   linalg.generic
#nhwc = affine_map<(n, h, w, c) -> (n, h, w, c)>
#chan = affine_map<(n, h, w, c) -> (c)>
func.func @bias_add(%x: tensor<1x4x8x32xf32>, %b: tensor<32xf32>) -> tensor<1x4x8x32xf32> {
  %r = linalg.generic {indexing_maps = [#nhwc, #chan, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x, %b : tensor<1x4x8x32xf32>, tensor<32xf32>) outs(%x : tensor<1x4x8x32xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x32xf32>
  return %r : tensor<1x4x8x32xf32>
}

// -----

// 256 columns: pieces of 4 vectors (64), with a clamp and a math op.
// CHECK-LABEL: func @clip_tanh
// CHECK:       scf.for %{{.*}} = %{{.*}} to %c256 step %c64
// CHECK:         math.tanh {{.*}} : vector<1x64xf32>
#id = affine_map<(i, j) -> (i, j)>
func.func @clip_tanh(%x: tensor<2x256xf32>) -> tensor<2x256xf32> {
  %lo = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
         ins(%x : tensor<2x256xf32>) outs(%x : tensor<2x256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %lo : f32
    %t = math.tanh %m : f32
    linalg.yield %t : f32
  } -> tensor<2x256xf32>
  return %r : tensor<2x256xf32>
}

// -----

// Left to LLVM: a transpose (the input's last dimension is not the
// innermost loop), an innermost extent that is no multiple of 16, an i32
// op, and a reduction.
// CHECK-LABEL: func @left_alone
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT:   vector.
#id = affine_map<(i, j) -> (i, j)>
#t = affine_map<(i, j) -> (j, i)>
#row = affine_map<(i, j) -> (i)>
func.func @left_alone(%x: tensor<32x32xf32>, %y: tensor<4x12xf32>, %z: tensor<4x32xi32>)
    -> (tensor<32x32xf32>, tensor<4x12xf32>, tensor<4x32xi32>, tensor<32xf32>) {
  %t = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
         ins(%x : tensor<32x32xf32>) outs(%x : tensor<32x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<32x32xf32>
  %n = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
         ins(%y : tensor<4x12xf32>) outs(%y : tensor<4x12xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<4x12xf32>
  %i = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
         ins(%z : tensor<4x32xi32>) outs(%z : tensor<4x32xi32>) {
  ^bb0(%a: i32, %o: i32):
    %m = arith.addi %a, %a : i32
    linalg.yield %m : i32
  } -> tensor<4x32xi32>
  %zero = tensor.empty() : tensor<32xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
         ins(%x : tensor<32x32xf32>) outs(%zero : tensor<32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.addf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<32xf32>
  return %t, %n, %i, %s : tensor<32x32xf32>, tensor<4x12xf32>, tensor<4x32xi32>, tensor<32xf32>
}
