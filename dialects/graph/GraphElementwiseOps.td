//===- GraphElementwiseOps.td - elementwise graph ops ------*- tablegen -*-===//
//
// Every elementwise ONNX operator: arithmetic, math functions, activations,
// comparisons, logic, bit shifts, select and cast. The ops come from a few
// classes; each class infers its result type with one helper of
// GraphElementwise.h (numpy broadcasting of all operands), so a new op is one
// line here, one in the importer's table and one in the lowering's table
// (passes/graph/LowerMath.cpp). Ops with attributes to check have a verifier
// in GraphElementwiseShapes.cpp.
//
// Element types follow ONNX's type constraints. Integers are signless for
// ONNX's signed types (int8..int64) and `ui*` for its unsigned ones; i1 is
// bool.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_ELEMENTWISE_OPS
#define STRATA_GRAPH_ELEMENTWISE_OPS

//===----------------------------------------------------------------------===//
// Type groups
//===----------------------------------------------------------------------===//

/// Floats and signed integers (ONNX Neg, Relu, ...).
def Graph_SignedTensor
    : RankedTensorOf<[F32, F16, BF16, F64, I8, I16, I32, I64]>;
def Graph_BoolTensor : RankedTensorOf<[I1]>;
/// Integers of either signedness (ONNX Bitwise*).
def Graph_IntegerTensor
    : RankedTensorOf<[I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;
/// Every element type but the quantized ones (ONNX Cast, Equal, Where).
def Graph_ValueTensor
    : RankedTensorOf<[F32, F16, BF16, F64, I8, I16, I32, I64, UI8, UI16, UI32,
                      UI64, I1]>;

//===----------------------------------------------------------------------===//
// Classes
//===----------------------------------------------------------------------===//

/// The inference shared by the classes below: numpy broadcasting of all
/// operands, which must share their element type (unless `same` is 0); the
/// result has `result` element type ("" for the operands' one).
class Graph_InferElementwise<string result, int same = 1> {
  code body = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, ::std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::strata::graph::inferElementwise(
          loc, adaptor.getOperands(), }] # !if(!empty(result), "nullptr",
          "::mlir::Builder(context).get" # result # "Type()") # [{, }] #
          !if(same, "true", "false") # [{, types);
    }
  }];
}

/// y = f(x), same type; `attrs` are the op's attributes.
class Graph_UnaryOp<string mnemonic, Type tensor, string what,
                    dag attrs = (ins)>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = what;
  let arguments = !con((ins tensor:$input), attrs);
  let results = (outs tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let extraClassDefinition = Graph_InferElementwise<"">.body;
}

/// A float predicate (IsNaN, IsInf): bool result.
class Graph_FloatTestOp<string mnemonic, string what, dag attrs = (ins)>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = what;
  let arguments = !con((ins Graph_FloatTensor:$input), attrs);
  let results = (outs Graph_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let extraClassDefinition = Graph_InferElementwise<"I1">.body;
}

/// z = f(x, y) with numpy broadcasting; operands share their element type.
class Graph_BinaryOp<string mnemonic, Type tensor, string what,
                     dag attrs = (ins)>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = what # " with numpy broadcasting";
  let description = [{
    Both operands have the same element type; shapes broadcast as in numpy
    (and ONNX opset 7 and later).
  }];
  let arguments = !con((ins tensor:$lhs, tensor:$rhs), attrs);
  let results = (outs tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = Graph_InferElementwise<"">.body;
}

/// A comparison with numpy broadcasting: bool result.
class Graph_CompareOp<string mnemonic, Type tensor, string what>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = what # " (bool result, numpy broadcasting)";
  let description = [{
    Float comparisons are ordered: any comparison with NaN is false (and
    `equal` of NaN with anything is false).
  }];
  let arguments = (ins tensor:$lhs, tensor:$rhs);
  let results = (outs Graph_BoolTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = Graph_InferElementwise<"I1">.body;
}

/// One or more operands, all broadcast together (ONNX Max, Min, Sum, Mean).
class Graph_VariadicOp<string mnemonic, Type tensor, string what>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = what # " of one or more tensors, with numpy broadcasting";
  let arguments = (ins Variadic<tensor>:$inputs);
  let results = (outs tensor:$output);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type($inputs, results)";
  let extraClassDefinition = Graph_InferElementwise<"">.body;
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

def Graph_AddOp : Graph_BinaryOp<"add", Graph_NumericTensor,
                                 "elementwise addition">;
def Graph_SubOp : Graph_BinaryOp<"sub", Graph_NumericTensor,
                                 "elementwise subtraction">;
def Graph_MulOp : Graph_BinaryOp<"mul", Graph_NumericTensor,
                                 "elementwise multiplication">;
def Graph_DivOp : Graph_BinaryOp<"div", Graph_NumericTensor,
                                 "elementwise division (integers truncate "
                                 "toward zero)">;

def Graph_ModOp : Graph_BinaryOp<"mod", Graph_NumericTensor, "remainder",
    (ins DefaultValuedAttr<BoolAttr, "false">:$fmod)> {
  let description = [{
    With `fmod` false the result takes the divisor's sign, as Python's `%`
    and numpy.mod (for floats: a zero result is +-0 with the divisor's sign,
    x mod +-inf is x or +-inf); with `fmod` true it takes the dividend's, as
    C's `fmod`.
  }];
}

def Graph_PowOp : Graph_Op<"pow", [InferTypeOpAdaptor]> {
  let summary = "base ^ exponent with numpy broadcasting";
  let description = [{
    The exponent may have another element type than the base; the result
    has the base's. Integer powers are computed in double and truncated,
    as onnxruntime does.
  }];
  let arguments = (ins Graph_NumericTensor:$lhs, Graph_NumericTensor:$rhs);
  let results = (outs Graph_NumericTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = Graph_InferElementwise<"", 0>.body;
}

def Graph_MaxOp : Graph_VariadicOp<"max", Graph_NumericTensor,
                                   "elementwise maximum">;
def Graph_MinOp : Graph_VariadicOp<"min", Graph_NumericTensor,
                                   "elementwise minimum">;
def Graph_SumOp : Graph_VariadicOp<"sum", Graph_FloatTensor,
                                   "elementwise sum">;
def Graph_MeanOp : Graph_VariadicOp<"mean", Graph_FloatTensor,
                                    "elementwise mean">;

def Graph_AbsOp : Graph_UnaryOp<"abs", Graph_NumericTensor, "|x|">;
def Graph_NegOp : Graph_UnaryOp<"neg", Graph_SignedTensor, "-x">;
def Graph_SignOp : Graph_UnaryOp<"sign", Graph_NumericTensor,
                                 "-1, 0 or 1 by the sign of x">;
def Graph_ReciprocalOp : Graph_UnaryOp<"reciprocal", Graph_FloatTensor,
                                       "1 / x">;

//===----------------------------------------------------------------------===//
// Math functions (floats)
//===----------------------------------------------------------------------===//

def Graph_ExpOp : Graph_UnaryOp<"exp", Graph_FloatTensor, "e^x">;
def Graph_LogOp : Graph_UnaryOp<"log", Graph_FloatTensor, "natural log">;
def Graph_SqrtOp : Graph_UnaryOp<"sqrt", Graph_FloatTensor, "square root">;
def Graph_FloorOp : Graph_UnaryOp<"floor", Graph_FloatTensor,
                                  "round toward -inf">;
def Graph_CeilOp : Graph_UnaryOp<"ceil", Graph_FloatTensor,
                                 "round toward +inf">;
def Graph_RoundOp : Graph_UnaryOp<"round", Graph_FloatTensor,
                                  "round to nearest, halves to even">;
def Graph_SinOp : Graph_UnaryOp<"sin", Graph_FloatTensor, "sine">;
def Graph_CosOp : Graph_UnaryOp<"cos", Graph_FloatTensor, "cosine">;
def Graph_TanOp : Graph_UnaryOp<"tan", Graph_FloatTensor, "tangent">;
def Graph_AsinOp : Graph_UnaryOp<"asin", Graph_FloatTensor, "arcsine">;
def Graph_AcosOp : Graph_UnaryOp<"acos", Graph_FloatTensor, "arccosine">;
def Graph_AtanOp : Graph_UnaryOp<"atan", Graph_FloatTensor, "arctangent">;
def Graph_SinhOp : Graph_UnaryOp<"sinh", Graph_FloatTensor,
                                 "hyperbolic sine">;
def Graph_CoshOp : Graph_UnaryOp<"cosh", Graph_FloatTensor,
                                 "hyperbolic cosine">;
def Graph_TanhOp : Graph_UnaryOp<"tanh", Graph_FloatTensor,
                                 "hyperbolic tangent">;
def Graph_AsinhOp : Graph_UnaryOp<"asinh", Graph_FloatTensor,
                                  "inverse hyperbolic sine">;
def Graph_AcoshOp : Graph_UnaryOp<"acosh", Graph_FloatTensor,
                                  "inverse hyperbolic cosine">;
def Graph_AtanhOp : Graph_UnaryOp<"atanh", Graph_FloatTensor,
                                  "inverse hyperbolic tangent">;
def Graph_ErfOp : Graph_UnaryOp<"erf", Graph_FloatTensor, "error function">;

def Graph_IsNaNOp : Graph_FloatTestOp<"is_nan", "x is NaN">;
def Graph_IsInfOp : Graph_FloatTestOp<"is_inf", "x is an infinity",
    (ins DefaultValuedAttr<BoolAttr, "true">:$detect_negative,
         DefaultValuedAttr<BoolAttr, "true">:$detect_positive)>;

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def Graph_ReluOp : Graph_UnaryOp<"relu", Graph_SignedTensor, "max(x, 0)">;
def Graph_SigmoidOp : Graph_UnaryOp<"sigmoid", Graph_FloatTensor,
                                    "1 / (1 + exp(-x))">;
def Graph_SoftplusOp : Graph_UnaryOp<"softplus", Graph_FloatTensor,
                                     "log(1 + exp(x))">;
def Graph_SoftsignOp : Graph_UnaryOp<"softsign", Graph_FloatTensor,
                                     "x / (1 + |x|)">;
def Graph_MishOp : Graph_UnaryOp<"mish", Graph_FloatTensor,
                                 "x * tanh(softplus(x))">;
def Graph_HardSwishOp : Graph_UnaryOp<"hard_swish", Graph_FloatTensor,
                                      "x * max(0, min(1, x / 6 + 1 / 2))">;
def Graph_HardSigmoidOp : Graph_UnaryOp<"hard_sigmoid", Graph_FloatTensor,
    "max(0, min(1, alpha * x + beta))",
    (ins DefaultValuedAttr<F32Attr, "0.2">:$alpha,
         DefaultValuedAttr<F32Attr, "0.5">:$beta)>;
def Graph_LeakyReluOp : Graph_UnaryOp<"leaky_relu", Graph_FloatTensor,
    "x >= 0 ? x : alpha * x",
    (ins DefaultValuedAttr<F32Attr, "0.01">:$alpha)>;
def Graph_EluOp : Graph_UnaryOp<"elu", Graph_FloatTensor,
    "x >= 0 ? x : alpha * (exp(x) - 1)",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def Graph_SeluOp : Graph_UnaryOp<"selu", Graph_FloatTensor,
    "gamma * (x > 0 ? x : alpha * (exp(x) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.67326319217681884765625">:$alpha,
         DefaultValuedAttr<F32Attr, "1.05070102214813232421875">:$gamma)>;
def Graph_CeluOp : Graph_UnaryOp<"celu", Graph_FloatTensor,
    "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)> {
  let hasVerifier = 1;
}
def Graph_ThresholdedReluOp : Graph_UnaryOp<"thresholded_relu",
    Graph_FloatTensor, "x > alpha ? x : 0",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def Graph_GeluOp : Graph_UnaryOp<"gelu", Graph_FloatTensor,
    "x * Phi(x) (approximate = \"none\") or its tanh approximation",
    (ins DefaultValuedAttr<StrAttr, "\"none\"">:$approximate)> {
  let hasVerifier = 1;
}
def Graph_ShrinkOp : Graph_UnaryOp<"shrink", Graph_NumericTensor,
    "x < -lambd ? x + bias : x > lambd ? x - bias : 0",
    (ins DefaultValuedAttr<F32Attr, "0.0">:$bias,
         DefaultValuedAttr<F32Attr, "0.5">:$lambd)>;

def Graph_ClipOp : Graph_UnaryOp<"clip", Graph_NumericTensor,
    "clamps to [min, max]; a missing bound is unbounded",
    (ins OptionalAttr<TypedAttrInterface>:$min,
         OptionalAttr<TypedAttrInterface>:$max)> {
  let description = [{
    ONNX Clip's `min` / `max` inputs (opset 11 and later) must be constants;
    the importer folds them into these attributes: a float attribute (any
    float type) for float tensors, an integer attribute of the element type
    for integer tensors.
  }];
  let hasVerifier = 1;
}

def Graph_PReluOp : Graph_Op<"prelu", [InferTypeOpAdaptor]> {
  let summary = "x < 0 ? slope * x : x, slope broadcast to x's shape";
  let arguments = (ins Graph_NumericTensor:$input,
                       Graph_NumericTensor:$slope);
  let results = (outs Graph_NumericTensor:$output);
  let assemblyFormat =
      "$input `,` $slope attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, ::std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::strata::graph::inferUnidirectional(loc, adaptor.getInput(),
                                                  adaptor.getSlope(), types);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Comparison, logic, bits
//===----------------------------------------------------------------------===//

def Graph_EqualOp : Graph_CompareOp<"equal", Graph_ValueTensor, "x == y">;
def Graph_LessOp : Graph_CompareOp<"less", Graph_NumericTensor, "x < y">;
def Graph_LessOrEqualOp : Graph_CompareOp<"less_or_equal",
                                          Graph_NumericTensor, "x <= y">;
def Graph_GreaterOp : Graph_CompareOp<"greater", Graph_NumericTensor,
                                      "x > y">;
def Graph_GreaterOrEqualOp : Graph_CompareOp<"greater_or_equal",
                                             Graph_NumericTensor, "x >= y">;

def Graph_NotOp : Graph_UnaryOp<"not", Graph_BoolTensor, "logical not">;
def Graph_AndOp : Graph_BinaryOp<"and", Graph_BoolTensor, "logical and">;
def Graph_OrOp : Graph_BinaryOp<"or", Graph_BoolTensor, "logical or">;
def Graph_XorOp : Graph_BinaryOp<"xor", Graph_BoolTensor, "logical xor">;

def Graph_BitwiseNotOp : Graph_UnaryOp<"bitwise_not", Graph_IntegerTensor,
                                       "~x">;
def Graph_BitwiseAndOp : Graph_BinaryOp<"bitwise_and", Graph_IntegerTensor,
                                        "x & y">;
def Graph_BitwiseOrOp : Graph_BinaryOp<"bitwise_or", Graph_IntegerTensor,
                                       "x | y">;
def Graph_BitwiseXorOp : Graph_BinaryOp<"bitwise_xor", Graph_IntegerTensor,
                                        "x ^ y">;

def Graph_BitShiftOp : Graph_BinaryOp<"bit_shift", Graph_IntegerTensor,
    "x << y or x >> y (logical for unsigned, arithmetic for signed types)",
    (ins StrAttr:$direction)> {
  let description = [{
    `direction` is "LEFT" or "RIGHT". A shift amount outside [0, width)
    (negative, or the bit width or more) gives 0, except a signed right
    shift, which gives the sign: -1 for negative x, else 0 (onnx 1.23's
    reference). Left shifts wrap.
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Select and conversion
//===----------------------------------------------------------------------===//

def Graph_WhereOp : Graph_Op<"where", [InferTypeOpAdaptor]> {
  let summary = "condition ? x : y, all three broadcast together";
  let arguments = (ins Graph_BoolTensor:$condition, Graph_ValueTensor:$x,
                       Graph_ValueTensor:$y);
  let results = (outs Graph_ValueTensor:$output);
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` "
                       "functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, ::std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::strata::graph::inferWhere(loc, adaptor.getCondition(),
                                         adaptor.getX(), adaptor.getY(),
                                         types);
    }
  }];
}

/// What Cast converts between: the value types and the narrow ones.
def Graph_CastTensor
    : RankedTensorOf<[F32, F16, BF16, F64, I8, I16, I32, I64, UI8, UI16, UI32,
                      UI64, I1, Graph_NarrowElement]>;

def Graph_CastOp : Graph_Op<"cast", [InferTypeOpAdaptor]> {
  let summary = "converts elements to the type `to` (ONNX Cast, CastLike)";
  let description = [{
    ONNX semantics: floats to integers truncate toward zero, anything to
    bool is `x != 0` (NaN is true), bool to anything is 0 or 1, integers
    narrow by truncation and widen by their own signedness.

    The narrow types (f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU,
    f4E2M1FN, i4, ui4, i2, ui2) convert as ml_dtypes does: floats round to
    nearest even; `saturate` (ONNX opset 19+, float8 targets) clamps
    overflow and infinities to the largest finite value, otherwise they
    become infinity (f8E5M2) or NaN; f4E2M1FN always saturates. f8E8M0FNU
    targets round by `round_mode` ("up", "down" or "nearest"). Integers
    of 4 and 2 bits wrap (floats truncate toward zero first).

    ```mlir
    %y = graph.cast %x {to = ui8} : tensor<4xf32> -> tensor<4xui8>
    %z = graph.cast %x {to = f8E4M3FN, saturate = false}
        : tensor<4xf32> -> tensor<4xf8E4M3FN>
    ```
  }];
  let arguments = (ins Graph_CastTensor:$input, TypeAttr:$to,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate,
                       DefaultValuedAttr<StrAttr, "\"up\"">:$round_mode);
  let results = (outs Graph_CastTensor:$output);
  let hasVerifier = 1;
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, ::std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::strata::graph::inferCast(loc, adaptor.getInput(),
                                        adaptor.getToAttr(), types);
    }
  }];
}

def Graph_BitCastOp : Graph_Op<"bitcast", [InferTypeOpAdaptor]> {
  let summary = "reinterprets each element's bits as the type `to` (ONNX "
                "BitCast)";
  let description = [{
    `to` has the input element's size; a bool is one byte (0 or 1), so
    bool <-> 8-bit integers are 0 / 1 and `byte != 0`.

    ```mlir
    %y = graph.bitcast %x {to = i32} : tensor<4xf32> -> tensor<4xi32>
    ```
  }];
  let arguments = (ins Graph_ValueTensor:$input, TypeAttr:$to);
  let results = (outs Graph_ValueTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

#endif // STRATA_GRAPH_ELEMENTWISE_OPS
