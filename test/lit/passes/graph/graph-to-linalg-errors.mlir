// Ops the lowering cannot handle fail at their location (the ONNX node).
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file -verify-diagnostics

func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{dynamic shape 'tensor<?x3xf32>' is not supported by the CPU lowering yet}}
  %0 = graph.relu %x : tensor<?x3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A static result is not enough: the lowering reads the operand's sizes
// (found by fuzzing: test/fuzz/regressions/onnx-import).
func.func @dynamic_operand(%x: tensor<?x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{dynamic shape 'tensor<?x3xf32>' is not supported by the CPU lowering yet}}
  %0 = graph.gather %x, %i {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
