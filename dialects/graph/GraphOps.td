//===- GraphOps.td - graph dialect operations --------------*- tablegen -*-===//
//
// Every op infers its result type (InferTypeOpAdaptor); the inference also
// checks the operands and attributes, so a verifier error and an import error
// are the same message.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_OPS
#define STRATA_GRAPH_OPS

include "GraphDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Graph_QuantElement : Type<
    CPred<"::llvm::isa<::mlir::quant::UniformQuantizedType, "
          "::mlir::quant::UniformQuantizedPerAxisType>($_self)">,
    "uniform quantized type">;

def Graph_Element : AnyTypeOf<[F32, F16, BF16, F64, I8, I16, I32, I64, UI8,
                               UI16, UI32, UI64, I1, Graph_QuantElement]>;
def Graph_Tensor : RankedTensorOf<[Graph_Element]>;
/// ONNX's float8 / float4 types and 4-bit / 2-bit integers: only constants
/// and casts take them (graph::isNarrowElementType).
def Graph_NarrowElement : AnyTypeOf<[F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ,
                                     F8E8M0FNU, F4E2M1FN, I<4>, UI<4>, I<2>,
                                     UI<2>]>;
def Graph_ConstantTensor : RankedTensorOf<[Graph_Element, Graph_NarrowElement]>;
def Graph_FloatTensor : RankedTensorOf<[F32, F16, BF16, F64]>;
/// Floats and integers of either signedness (not bool).
/// Operands of matmul and conv: floats, i32 for the integer products
/// that ONNX MatMulInteger / ConvInteger / QLinear* are imported as, and
/// signless i8 for the folded QDQ products (strata-fold-qdq), whose
/// result is i32.
def Graph_ProductTensor : RankedTensorOf<[F32, F16, BF16, F64, I32, I8]>;
def Graph_NumericTensor : RankedTensorOf<[F32, F16, BF16, F64, I8, I16, I32,
                                          I64, UI8, UI16, UI32, UI64]>;

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, !listconcat(traits, [Pure])>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Graph_ConstantOp : Graph_Op<"constant",
    [ConstantLike, AllTypesMatch<["value", "output"]>]> {
  let summary = "a constant tensor (an ONNX initializer or Constant node)";
  let description = [{
    Large weights are held as `dense_resource` blobs, so importing a model
    does not copy them again.

    ```mlir
    %w = graph.constant dense<1.0> : tensor<4x3xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Graph_ConstantTensor:$output);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

// Elementwise ops (arithmetic, math, activations, comparisons, logic, cast).
include "GraphElementwiseOps.td"

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Graph_MatMulOp : Graph_Op<"matmul", [InferTypeOpAdaptor]> {
  let summary = "numpy matmul: batch dimensions broadcast, 1-D operands "
                "are promoted and the promoted dimension dropped";
  let arguments = (ins Graph_ProductTensor:$lhs, Graph_ProductTensor:$rhs);
  let results = (outs Graph_ProductTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Graph_GemmOp : Graph_Op<"gemm", [InferTypeOpAdaptor]> {
  let summary = "alpha * op(a) * op(b) + beta * c, with c broadcast to MxN";
  let arguments = (ins Graph_FloatTensor:$a, Graph_FloatTensor:$b,
                       Optional<Graph_FloatTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Convolution, normalization and pooling (NCHW)
//===----------------------------------------------------------------------===//

def Graph_ConvOp : Graph_Op<"conv", [InferTypeOpAdaptor]> {
  let summary = "1-D, 2-D or 3-D convolution, NC[D]H[W] input, "
                "(F, C/group, K...) weight";
  let description = [{
    The input has rank 3, 4 or 5 (N, C and 1 to 3 spatial dimensions); the
    weight has the same rank. `strides` and `dilations` have one value per
    spatial dimension; `pads` is the beginnings then the ends (ONNX order,
    `[top, left, bottom, right]` in 2-D); ONNX's `auto_pad` is resolved into
    explicit pads by the importer.

    i8 operands give an i32 result (products widened, summed exactly).
    `pad_value` is what the padding holds (0 when absent): an integer
    convolution of quantized data pads with the input's zero point.
  }];
  let arguments = (ins Graph_ProductTensor:$input,
                       Graph_ProductTensor:$weight,
                       Optional<Graph_ProductTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads, I64Attr:$group,
                       OptionalAttr<I64Attr>:$pad_value);
  let results = (outs Graph_ProductTensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_BatchNormOp : Graph_Op<"batch_norm", [InferTypeOpAdaptor]> {
  let summary = "inference batch normalization over the channel axis (1)";
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Graph_FloatTensor:$bias, Graph_FloatTensor:$mean,
                       Graph_FloatTensor:$variance, F32Attr:$epsilon);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance "
                       "attr-dict `:` functional-type(operands, results)";
}

/// MaxPool's element types: floats and 8-bit integers.
def Graph_MaxPoolTensor : RankedTensorOf<[F32, F16, BF16, F64, I8, UI8]>;

def Graph_MaxPoolOp : Graph_Op<"max_pool", [InferTypeOpAdaptor]> {
  let summary = "1-D, 2-D or 3-D max pooling (NC[D]H[W]); padded cells never "
                "win";
  let arguments = (ins Graph_MaxPoolTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Graph_MaxPoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_AveragePoolOp : Graph_Op<"average_pool", [InferTypeOpAdaptor]> {
  let summary = "1-D, 2-D or 3-D average pooling (NC[D]H[W])";
  let description = [{
    With `count_include_pad` false, each window divides by the number of
    cells inside the unpadded input. `dilations` (all 1 when absent) spaces
    the window's cells.
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_GlobalAveragePoolOp
    : Graph_Op<"global_average_pool", [InferTypeOpAdaptor]> {
  let summary = "mean over all spatial dimensions; keeps them as size 1";
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [InferTypeOpAdaptor]> {
  let summary = "reshape to an explicit shape";
  let description = [{
    `shape` is fully resolved (no ONNX `0` or `-1` entries): the importer
    resolves them against the input shape.
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_FlattenOp : Graph_Op<"flatten", [InferTypeOpAdaptor]> {
  let summary = "collapses dimensions [0, axis) and [axis, rank) to a 2-D "
                "tensor";
  let arguments = (ins Graph_Tensor:$input, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_TransposeOp : Graph_Op<"transpose", [InferTypeOpAdaptor]> {
  let summary = "permutes dimensions: output dim i is input dim perm[i]";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_ConcatOp : Graph_Op<"concat", [InferTypeOpAdaptor]> {
  let summary = "concatenates along a (non-negative) axis";
  let arguments = (ins Variadic<Graph_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type($inputs, results)";
}

def Graph_SoftmaxOp : Graph_Op<"softmax", [InferTypeOpAdaptor]> {
  let summary = "softmax along one (non-negative) axis (ONNX opset 13 "
                "semantics; older opsets are rewritten at import)";
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

// Op families with their own files.
include "GraphReductionOps.td"
include "GraphIndexingOps.td"
include "GraphNormalizationOps.td"
include "GraphImageOps.td"
include "GraphSequenceOps.td"
include "GraphQuantizationOps.td"
include "GraphSamplingOps.td"

#endif // STRATA_GRAPH_OPS
