// RUN: strata-opt %s --strata-collapse-empty-boundary-tensors --split-input-file | FileCheck %s

// An argument without elements becomes tensor<0xf32>; its reader gets an
// empty tensor of the original type. Other arguments are left alone.
// CHECK-LABEL: func.func @arg(
// CHECK-SAME:    %{{.*}}: tensor<0xf32>, %[[B:.*]]: tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x0x4xf32>
// CHECK:         linalg.reduce ins(%[[E]] : tensor<2x0x4xf32>) outs(%[[B]] : tensor<2x4xf32>)
func.func @arg(%a: tensor<2x0x4xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %r = linalg.reduce ins(%a : tensor<2x0x4xf32>) outs(%b : tensor<2x4xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<2x4xf32>
}

// -----

// A result without elements is returned as a fresh tensor<0xi64>; rank-1
// empty tensors already have that form.
// CHECK-LABEL: func.func @result(
// CHECK-SAME:    %[[A:.*]]: tensor<0xi64>) -> (tensor<0xi64>, tensor<0xi64>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<0xi64>
// CHECK:         return %[[E]], %[[A]]
func.func @result(%a: tensor<0xi64>) -> (tensor<3x0xi64>, tensor<0xi64>) {
  %e = tensor.empty() : tensor<3x0xi64>
  return %e, %a : tensor<3x0xi64>, tensor<0xi64>
}

// -----

// CHECK-LABEL: func.func private @external(tensor<2x0xf32>)
func.func private @external(tensor<2x0xf32>)
