//===- GraphQuantizationOps.td - linear (de)quantization ---*- tablegen -*-===//
//
// Included from GraphOps.td. ONNX QuantizeLinear / DequantizeLinear with
// tensor scales and zero points (they may be computed at run time, as
// DynamicQuantizeLinear does, so they are operands, not `!quant.uniform`
// parameters). Type inference and checks are in
// GraphQuantizationShapes.cpp, the quantized types' ranges in
// QuantizedTypes.h, the lowering in passes/graph/LowerQuantization.cpp.
//
// Granularity follows from the scale's shape:
//   * per tensor: a rank-0 scale (`axis` and `block_size` unused);
//   * per axis: a 1-D scale with one value per index of dimension `axis`;
//   * blocked (`block_size` B > 0): the scale has the input's rank and
//     shape, except that dimension `axis` has ceil(D / B) entries, each one
//     serving B consecutive input indices.
// The zero point, when present, has the scale's shape (per tensor, also
// [1]: the importer keeps a float8 / 4-bit zero point of that shape as it
// is, since graph.reshape does not take those types).
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_QUANTIZATION_OPS
#define STRATA_GRAPH_QUANTIZATION_OPS

/// Element types graph.quantize_linear produces (QuantizedTypes.h has their
/// ranges).
def Graph_QuantizedElement : AnyTypeOf<[I8, UI8, I16, UI16, I<4>, UI<4>, I<2>,
    UI<2>, F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F4E2M1FN]>;
def Graph_QuantizedTensor : RankedTensorOf<[Graph_QuantizedElement]>;
/// What graph.dequantize_linear reads: quantized types and i32 (biases).
def Graph_DequantizableTensor :
    RankedTensorOf<[Graph_QuantizedElement, I32]>;
def Graph_ScaleTensor : RankedTensorOf<[F32, F16, BF16]>;

def Graph_QuantizeLinearOp : Graph_Op<"quantize_linear",
    [InferTypeOpAdaptor]> {
  let summary = "y = saturate(round(x / scale) + zero_point)";
  let description = [{
    `x / scale` is computed in `precision` (when absent: the wider of a
    float input's and the scale's types, as ONNX's reference divides;
    ONNX's text says the scale's), rounded half to even, offset by the zero point (0 when absent)
    and clamped to the range of `output_type`, the result's element type
    (the zero point's type when there is one). `saturate` is ONNX's
    attribute for float8 results; it does not change integer results.

    Float8 / float4 results (as ONNX's reference): `x / scale` converted
    to `output_type`, rounding to nearest even; with `saturate`, overflow
    gives the largest finite value, without it inf or NaN (float4 always
    saturates). Float8 ignores the zero point (ONNX requires it to be 0);
    float4 adds it before the conversion.

    ```mlir
    %y = graph.quantize_linear %x, %s, %zp {axis = 1 : i64, output_type = ui8}
        : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<2x3xui8>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32, F16, BF16, I32]>:$input,
                       Graph_ScaleTensor:$scale,
                       Optional<Graph_QuantizedTensor>:$zero_point,
                       TypeAttr:$output_type,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$block_size,
                       OptionalAttr<TypeAttr>:$precision,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs Graph_QuantizedTensor:$output);
  let assemblyFormat = "$input `,` $scale (`,` $zero_point^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_DequantizeLinearOp : Graph_Op<"dequantize_linear",
    [InferTypeOpAdaptor]> {
  let summary = "y = (x - zero_point) * scale";
  let description = [{
    Computed in f32 and rounded to `output_type`, the result's element type.
    The zero point (0 when absent) has the input's element type; float8 and
    float4 inputs ignore it (ONNX requires it to be 0).

    ```mlir
    %y = graph.dequantize_linear %x, %s {output_type = f32}
        : (tensor<4xi8>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Graph_DequantizableTensor:$input,
                       Graph_ScaleTensor:$scale,
                       Optional<Graph_DequantizableTensor>:$zero_point,
                       TypeAttr:$output_type,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs Graph_ScaleTensor:$output);
  let assemblyFormat = "$input `,` $scale (`,` $zero_point^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // STRATA_GRAPH_QUANTIZATION_OPS
