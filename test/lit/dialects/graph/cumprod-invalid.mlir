// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @cumprod_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.cumprod %x {axis = 2 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cumprod_bool(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{operand #0 must be ranked tensor}}
  %0 = graph.cumprod %x {axis = 0 : i64} : tensor<4xi1> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}
