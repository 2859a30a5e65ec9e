// Before -> after of convert-graph-to-linalg for the elementwise ops
// (LowerMath.cpp): one linalg.generic each, the scalar body from the op's
// table entry; unsigned types become signless with the unsigned arith ops;
// f16 / bf16 compute in f32.
// RUN: strata-opt %s -convert-graph-to-linalg -split-input-file | FileCheck %s

// Unsigned tensors: the signature and the generic are signless, the
// division is divui (a zero divisor is replaced by 1).
// CHECK-LABEL: func @unsigned_div
// CHECK-SAME:    (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<1xi8>) -> tensor<4xi8>
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
// CHECK:           %[[ZERO:.*]] = arith.cmpi eq, %[[B]]
// CHECK:           %[[D:.*]] = arith.select %[[ZERO]], %{{.*}}, %[[B]] : i8
// CHECK:           arith.divui %[[A]], %[[D]] : i8
// CHECK-NOT:     ui8
// CHECK-NOT:     tensor.bitcast
func.func @unsigned_div(%a: tensor<4xui8>, %b: tensor<1xui8>) -> tensor<4xui8> {
  %0 = graph.div %a, %b : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Signed integers: divsi truncates toward zero; divisors 0 and -1 never
// reach it (-1 would trap for MIN): x / -1 is 0 - x.
// CHECK-LABEL: func @signed_div
// CHECK:         ^bb0(%[[X:.*]]: i16, %[[Y:.*]]: i16, %{{.*}}: i16):
// CHECK:           %[[SAFE:.*]] = arith.select %{{.*}}, %{{.*}}, %[[Y]] : i16
// CHECK:           %[[Q:.*]] = arith.divsi %[[X]], %[[SAFE]] : i16
// CHECK:           %[[M1:.*]] = arith.cmpi eq, %[[Y]], %{{.*}} : i16
// CHECK:           %[[NEG:.*]] = arith.subi %{{.*}}, %[[X]] : i16
// CHECK:           arith.select %[[M1]], %[[NEG]], %[[Q]] : i16
func.func @signed_div(%a: tensor<4xi16>, %b: tensor<4xi16>) -> tensor<4xi16> {
  %0 = graph.div %a, %b : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  return %0 : tensor<4xi16>
}

// -----

// Mod without fmod takes the divisor's sign: remsi, then + divisor where
// the signs of the remainder and the divisor differ.
// CHECK-LABEL: func @mod
// CHECK:         %[[R:.*]] = arith.remsi
// CHECK:         %[[NZ:.*]] = arith.cmpi ne, %[[R]]
// CHECK:         %[[RNEG:.*]] = arith.cmpi slt, %[[R]]
// CHECK:         %[[DNEG:.*]] = arith.cmpi slt
// CHECK:         %[[DIFF:.*]] = arith.cmpi ne, %[[RNEG]], %[[DNEG]] : i1
// CHECK:         %[[FIX:.*]] = arith.andi %[[NZ]], %[[DIFF]]
// CHECK:         %[[SUM:.*]] = arith.addi %[[R]]
// CHECK:         arith.select %[[FIX]], %[[SUM]], %[[R]]
// CHECK-LABEL: func @fmod
// CHECK:         arith.remf
// CHECK-LABEL: func @umod
// CHECK:         arith.remui
// Float Mod without fmod is numpy.mod: remf, + divisor where the signs
// differ, a zero remainder takes the divisor's sign.
// CHECK-LABEL: func @float_mod
// CHECK:         %[[R:.*]] = arith.remf %[[X:.*]], %[[Y:.*]] : f32
// CHECK:         %[[NZ:.*]] = arith.cmpf une, %[[R]]
// CHECK:         %[[RNEG:.*]] = arith.cmpf olt, %[[R]]
// CHECK:         %[[DNEG:.*]] = arith.cmpf olt, %[[Y]]
// CHECK:         %[[DIFF:.*]] = arith.cmpi ne, %[[RNEG]], %[[DNEG]] : i1
// CHECK:         %[[FIX:.*]] = arith.andi %[[NZ]], %[[DIFF]]
// CHECK:         %[[Z:.*]] = math.copysign %{{.*}}, %[[Y]]
// CHECK:         %[[SUM:.*]] = arith.addf %[[R]], %[[Y]]
// CHECK:         %[[KEEP:.*]] = arith.select %[[NZ]], %[[R]], %[[Z]]
// CHECK:         arith.select %[[FIX]], %[[SUM]], %[[KEEP]]
func.func @mod(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = graph.mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
func.func @fmod(%a: tensor<4xf64>, %b: tensor<4xf64>) -> tensor<4xf64> {
  %0 = graph.mod %a, %b {fmod = true} : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}
func.func @umod(%a: tensor<4xui32>, %b: tensor<4xui32>) -> tensor<4xui32> {
  %0 = graph.mod %a, %b : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  return %0 : tensor<4xui32>
}
func.func @float_mod(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = graph.mod %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// 16-bit floats compute in f32 and round once.
// CHECK-LABEL: func @half_erf
// CHECK:         ^bb0(%[[X:.*]]: f16, %{{.*}}: f16):
// CHECK:           %[[W:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK:           %[[E:.*]] = math.erf %[[W]] : f32
// CHECK:           %[[N:.*]] = arith.truncf %[[E]] : f32 to f16
// CHECK:           linalg.yield %[[N]] : f16
// CHECK-LABEL: func @bf16_exp
// CHECK:           arith.extf %{{.*}} : bf16 to f32
// CHECK:           math.exp %{{.*}} : f32
// CHECK:           arith.truncf %{{.*}} : f32 to bf16
func.func @half_erf(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = graph.erf %x : tensor<4xf16> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
func.func @bf16_exp(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = graph.exp %x : tensor<4xbf16> -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// One math dialect op per math function; Round is roundeven (halves to
// even); IsNaN is an unordered self-comparison.
// CHECK-LABEL: func @math
// CHECK:         math.roundeven
// CHECK:         math.acosh
// CHECK:         math.atan
// CHECK:         math.floor
// CHECK:         arith.cmpf uno
func.func @math(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  %0 = graph.round %x : tensor<4xf32> -> tensor<4xf32>
  %1 = graph.acosh %0 : tensor<4xf32> -> tensor<4xf32>
  %2 = graph.atan %1 : tensor<4xf32> -> tensor<4xf32>
  %3 = graph.floor %2 : tensor<4xf32> -> tensor<4xf32>
  %4 = graph.is_nan %3 : tensor<4xf32> -> tensor<4xi1>
  return %3, %4 : tensor<4xf32>, tensor<4xi1>
}

// -----

// Comparisons give i1; unsigned ones use the unsigned predicates.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @compare
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK:           arith.cmpi ult, %{{.*}}, %{{.*}} : i16
// CHECK:         } -> tensor<3x4xi1>
// CHECK:           arith.cmpi sge, %{{.*}}, %{{.*}} : i16
// CHECK:           arith.cmpf oeq, %{{.*}}, %{{.*}} : f32
func.func @compare(%a: tensor<3x4xui16>, %b: tensor<4xui16>, %c: tensor<3x4xi16>, %d: tensor<4xi16>, %e: tensor<3x4xf32>) -> (tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>) {
  %0 = graph.less %a, %b : (tensor<3x4xui16>, tensor<4xui16>) -> tensor<3x4xi1>
  %1 = graph.greater_or_equal %c, %d : (tensor<3x4xi16>, tensor<4xi16>) -> tensor<3x4xi1>
  %2 = graph.equal %e, %e : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xi1>
  return %0, %1, %2 : tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>
}

// -----

// Cast: ONNX semantics per pair.
// CHECK-LABEL: func @casts
// CHECK:         arith.fptoui %{{.*}} : f32 to i8
// CHECK:         arith.uitofp %{{.*}} : i8 to f32
// CHECK:         arith.extui %{{.*}} : i8 to i32
// CHECK:         arith.extsi %{{.*}} : i16 to i64
// CHECK:         arith.trunci %{{.*}} : i64 to i16
// CHECK:         arith.fptosi %{{.*}} : f64 to i32
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         arith.cmpf une, %{{.*}}, %[[Z]] : f32
// CHECK:         arith.cmpi ne, %{{.*}}, %{{.*}} : i64
// CHECK:         %[[F:.*]] = arith.uitofp %{{.*}} : i1 to f32
// CHECK:         arith.truncf %[[F]] : f32 to bf16
// CHECK:         arith.truncf %{{.*}} : f64 to f16
func.func @casts(%x: tensor<4xf32>, %u: tensor<4xui8>, %s: tensor<4xi16>, %l: tensor<4xi64>, %d: tensor<4xf64>, %p: tensor<4xi1>) -> (tensor<4xui8>, tensor<4xf32>, tensor<4xi32>, tensor<4xi64>, tensor<4xi16>, tensor<4xi32>, tensor<4xi1>, tensor<4xi1>, tensor<4xbf16>, tensor<4xf16>) {
  %0 = graph.cast %x {to = ui8} : tensor<4xf32> -> tensor<4xui8>
  %1 = graph.cast %u {to = f32} : tensor<4xui8> -> tensor<4xf32>
  %2 = graph.cast %u {to = i32} : tensor<4xui8> -> tensor<4xi32>
  %3 = graph.cast %s {to = i64} : tensor<4xi16> -> tensor<4xi64>
  %4 = graph.cast %l {to = i16} : tensor<4xi64> -> tensor<4xi16>
  %5 = graph.cast %d {to = i32} : tensor<4xf64> -> tensor<4xi32>
  %6 = graph.cast %x {to = i1} : tensor<4xf32> -> tensor<4xi1>
  %7 = graph.cast %l {to = i1} : tensor<4xi64> -> tensor<4xi1>
  %8 = graph.cast %p {to = bf16} : tensor<4xi1> -> tensor<4xbf16>
  %9 = graph.cast %d {to = f16} : tensor<4xf64> -> tensor<4xf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<4xui8>, tensor<4xf32>, tensor<4xi32>, tensor<4xi64>, tensor<4xi16>, tensor<4xi32>, tensor<4xi1>, tensor<4xi1>, tensor<4xbf16>, tensor<4xf16>
}

// -----

// Pow: a float base takes an integer exponent as a float; integer powers
// go through f64.
// CHECK-LABEL: func @pow
// CHECK:         %[[E:.*]] = arith.sitofp %{{.*}} : i32 to f32
// CHECK:         math.powf %{{.*}}, %[[E]] : f32
// CHECK:         %[[B:.*]] = arith.sitofp %{{.*}} : i64 to f64
// CHECK:         %[[X:.*]] = arith.sitofp %{{.*}} : i64 to f64
// CHECK:         %[[P:.*]] = math.powf %[[B]], %[[X]] : f64
// CHECK:         arith.fptosi %[[P]] : f64 to i64
func.func @pow(%x: tensor<4xf32>, %n: tensor<4xi32>, %a: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = graph.pow %x, %n : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  %1 = graph.pow %a, %a : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// Where: three operands broadcast together.
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @where
// CHECK:         linalg.generic {indexing_maps = [#[[C]], #[[X]], #[[ID]], #[[ID]]]
// CHECK:           arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
func.func @where(%c: tensor<3x1xi1>, %x: tensor<4xui64>, %y: tensor<3x4xui64>) -> tensor<3x4xui64> {
  %0 = graph.where %c, %x, %y : (tensor<3x1xi1>, tensor<4xui64>, tensor<3x4xui64>) -> tensor<3x4xui64>
  return %0 : tensor<3x4xui64>
}

// -----

// Clip and Relu on integers: unsigned / signed max and min (the bound
// 200 : ui8 is -56 : i8).
// CHECK-LABEL: func @integer_activations
// CHECK:         %[[LO:.*]] = arith.constant 3 : i8
// CHECK:         %[[M:.*]] = arith.maxui %{{.*}}, %[[LO]] : i8
// CHECK:         %[[HI:.*]] = arith.constant -56 : i8
// CHECK:         arith.minui %[[M]], %[[HI]] : i8
// CHECK:         arith.maxsi %{{.*}}, %{{.*}} : i32
func.func @integer_activations(%u: tensor<4xui8>, %i: tensor<4xi32>) -> (tensor<4xui8>, tensor<4xi32>) {
  %0 = graph.clip %u {min = 3 : ui8, max = 200 : ui8} : tensor<4xui8> -> tensor<4xui8>
  %1 = graph.relu %i : tensor<4xi32> -> tensor<4xi32>
  return %0, %1 : tensor<4xui8>, tensor<4xi32>
}

// -----

// BitShift: shifts by the bit width or more give 0.
// CHECK-LABEL: func @bit_shift
// CHECK:         %[[W:.*]] = arith.constant 32 : i32
// CHECK:         %[[OK:.*]] = arith.cmpi ult, %[[N:.*]], %[[W]] : i32
// CHECK:         %[[S:.*]] = arith.shli %{{.*}}, %[[N]] : i32
// CHECK:         arith.select %[[OK]], %[[S]], %{{.*}} : i32
// CHECK:         arith.shrui
func.func @bit_shift(%x: tensor<4xui32>, %n: tensor<4xui32>) -> (tensor<4xui32>, tensor<4xui32>) {
  %0 = graph.bit_shift %x, %n {direction = "LEFT"} : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %1 = graph.bit_shift %x, %n {direction = "RIGHT"} : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  return %0, %1 : tensor<4xui32>, tensor<4xui32>
}

// -----

// Signed BitShift: a right shift is arithmetic, and an amount outside
// [0, width) (negative ones compare as large unsigned) shifts by width - 1.
// CHECK-LABEL: func @signed_bit_shift
// CHECK:         %[[W:.*]] = arith.constant 8 : i8
// CHECK:         %[[OK:.*]] = arith.cmpi ult, %[[N:.*]], %[[W]] : i8
// CHECK:         %[[MAX:.*]] = arith.constant 7 : i8
// CHECK:         %[[A:.*]] = arith.select %[[OK]], %[[N]], %[[MAX]] : i8
// CHECK:         arith.shrsi %{{.*}}, %[[A]] : i8
func.func @signed_bit_shift(%x: tensor<4xi8>, %n: tensor<4xi8>) -> tensor<4xi8> {
  %0 = graph.bit_shift %x, %n {direction = "RIGHT"} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// Variadic: Mean sums all operands then divides by their count.
// CHECK-LABEL: func @mean
// CHECK:         ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %[[C:.*]]: f64, %{{.*}}: f64):
// CHECK:           %[[S1:.*]] = arith.addf %[[A]], %[[B]] : f64
// CHECK:           %[[S2:.*]] = arith.addf %[[S1]], %[[C]] : f64
// CHECK:           %[[N:.*]] = arith.constant 3.000000e+00 : f64
// CHECK:           arith.divf %[[S2]], %[[N]] : f64
func.func @mean(%a: tensor<4xf64>, %b: tensor<4xf64>, %c: tensor<1xf64>) -> tensor<4xf64> {
  %0 = graph.mean %a, %b, %c : (tensor<4xf64>, tensor<4xf64>, tensor<1xf64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// Activations with attributes: the attribute is a constant of the body.
// CHECK-LABEL: func @leaky_gelu
// CHECK:         %[[ALPHA:.*]] = arith.constant 2.000000e-01 : f32
// CHECK:         %[[NEG:.*]] = arith.mulf %[[ALPHA]], %{{.*}} : f32
// CHECK:         arith.select %{{.*}}, %{{.*}}, %[[NEG]] : f32
// CHECK:         math.erf
// CHECK:         math.tanh
func.func @leaky_gelu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = graph.leaky_relu %x {alpha = 0.2 : f32} : tensor<4xf32> -> tensor<4xf32>
  %1 = graph.gelu %x : tensor<4xf32> -> tensor<4xf32>
  %2 = graph.gelu %x {approximate = "tanh"} : tensor<4xf32> -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Unsigned constants and data movement are retyped to signless, bits kept
// (200 : ui8 prints as -56 : i8).
// CHECK-LABEL: func @unsigned_constant
// CHECK-SAME:    -> tensor<2x2xi8>
// CHECK:         %[[C:.*]] = arith.constant dense<[-56, 1, 2, 3]> : tensor<4xi8>
// CHECK:         tensor.expand_shape %[[C]] {{.*}} : tensor<4xi8> into tensor<2x2xi8>
func.func @unsigned_constant() -> tensor<2x2xui8> {
  %0 = graph.constant dense<[200, 1, 2, 3]> : tensor<4xui8>
  %1 = graph.reshape %0 {shape = array<i64: 2, 2>} : tensor<4xui8> -> tensor<2x2xui8>
  return %1 : tensor<2x2xui8>
}

// -----

// Logical not on bools and bitwise not on integers: xor with all ones.
// CHECK-LABEL: func @nots
// CHECK:         %[[T:.*]] = arith.constant true
// CHECK:         arith.xori %{{.*}}, %[[T]] : i1
// CHECK:         %[[ONES:.*]] = arith.constant -1 : i16
// CHECK:         arith.xori %{{.*}}, %[[ONES]] : i16
// CHECK:         arith.andi %{{.*}}, %{{.*}} : i16
func.func @nots(%p: tensor<4xi1>, %x: tensor<4xui16>) -> (tensor<4xi1>, tensor<4xui16>, tensor<4xui16>) {
  %0 = graph.not %p : tensor<4xi1> -> tensor<4xi1>
  %1 = graph.bitwise_not %x : tensor<4xui16> -> tensor<4xui16>
  %2 = graph.bitwise_and %x, %1 : (tensor<4xui16>, tensor<4xui16>) -> tensor<4xui16>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xui16>, tensor<4xui16>
}
