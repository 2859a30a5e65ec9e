// Verifier errors of the elementwise graph ops: ONNX's type constraints,
// broadcasting, and the attributes ONNX restricts.
// RUN: strata-opt %s -split-input-file -verify-diagnostics

func.func @sqrt_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type or 64-bit float values}}
  %0 = graph.sqrt %x : tensor<4xi32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @neg_unsigned(%x: tensor<4xui8>) -> tensor<4xui8> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.neg %x : tensor<4xui8> -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

func.func @max_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{shapes [2,3] and [2] do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.max %a, %b, %c : (tensor<2x3xf32>, tensor<3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @equal_types(%a: tensor<2xi32>, %b: tensor<2xi64>) -> tensor<2xi1> {
  // expected-error @+2 {{operand element types differ: 'i32' vs 'i64'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.equal %a, %b : (tensor<2xi32>, tensor<2xi64>) -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @less_result(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = graph.less %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @shift_direction(%a: tensor<2xui8>) -> tensor<2xui8> {
  // expected-error @+1 {{direction must be "LEFT" or "RIGHT", got "UP"}}
  %0 = graph.bit_shift %a, %a {direction = "UP"} : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

func.func @shift_float(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 8-bit signless integer}}
  %0 = graph.bit_shift %a, %a {direction = "LEFT"} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gelu_mode(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{approximate must be "none" or "tanh", got "erf"}}
  %0 = graph.gelu %x {approximate = "erf"} : tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @celu_alpha(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{alpha must not be 0}}
  %0 = graph.celu %x {alpha = 0.0 : f32} : tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @clip_bound_type(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error @+1 {{'min' must be an integer attribute of type 'i32' for a tensor of 'i32', got 1.000000e+00 : f32}}
  %0 = graph.clip %x {min = 1.0 : f32} : tensor<2xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @clip_float_bound(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'max' must be a float attribute for a tensor of 'f32', got 6 : i32}}
  %0 = graph.clip %x {max = 6 : i32} : tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @prelu_slope(%x: tensor<2x3xf32>, %s: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{shape [2] does not broadcast to [2,3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.prelu %x, %s : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @where_types(%c: tensor<2xi1>, %x: tensor<2xf32>, %y: tensor<2xf16>) -> tensor<2xf32> {
  // expected-error @+2 {{x and y element types differ: 'f32' vs 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.where %c, %x, %y : (tensor<2xi1>, tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @cast_to(%x: tensor<2xf32>) -> tensor<2xi32> {
  // expected-error @+2 {{cannot cast to 'i3': 'to' must be a float, integer or bool type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.cast %x {to = i3} : tensor<2xf32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @cast_result(%x: tensor<2xf32>) -> tensor<2xi64> {
  // expected-error @+2 {{inferred type(s) 'tensor<2xi32>' are incompatible with return type(s) of operation 'tensor<2xi64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.cast %x {to = i32} : tensor<2xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @is_nan_int(%x: tensor<2xi32>) -> tensor<2xi1> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = graph.is_nan %x : tensor<2xi32> -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @variadic_empty() -> tensor<2xf32> {
  // expected-error @+2 {{expects at least one operand}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.sum : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
