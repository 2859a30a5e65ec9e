// Verifier errors of the narrow types: only constants and casts take them;
// Cast's round_mode is one of ONNX's three.
// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @bad_round_mode(%x: tensor<4xf32>) -> tensor<4xf8E8M0FNU> {
  // expected-error @+1 {{round_mode must be "up", "down" or "nearest", not "zero"}}
  %0 = graph.cast %x {to = f8E8M0FNU, round_mode = "zero"} : tensor<4xf32> -> tensor<4xf8E8M0FNU>
  return %0 : tensor<4xf8E8M0FNU>
}

// -----

func.func @cast_to_i3(%x: tensor<4xf32>) -> tensor<4xi3> {
  // expected-error @+1 {{result #0 must be ranked tensor of}}
  %0 = graph.cast %x {to = i3} : tensor<4xf32> -> tensor<4xi3>
  return %0 : tensor<4xi3>
}

// -----

func.func @add_float8(%x: tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.add %x, %x : (tensor<4xf8E4M3FN>, tensor<4xf8E4M3FN>) -> tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

func.func @reshape_int4(%x: tensor<4xi4>) -> tensor<2x2xi4> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.reshape %x {shape = array<i64: 2, 2>} : tensor<4xi4> -> tensor<2x2xi4>
  return %0 : tensor<2x2xi4>
}
