//===- GraphImageOps.td - transposed convolution, resize ---*- tablegen -*-===//
//
// Included from GraphOps.td. Type inference is in GraphImageShapes.cpp, the
// lowerings in passes/graph/LowerConvTranspose.cpp and LowerResize.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_IMAGE_OPS
#define STRATA_GRAPH_IMAGE_OPS

def Graph_ConvTransposeOp : Graph_Op<"conv_transpose", [InferTypeOpAdaptor]> {
  let summary = "transposed N-D convolution: (N, C, D...) input, "
                "(C, M/group, K...) weight";
  let description = [{
    The gradient of `graph.conv` with respect to its input. With `k` spatial
    dimensions, `strides`, `dilations` and `output_padding` have `k` values
    and `pads` has `2k` (`[begin..., end...]`). Output dimension `i` is

        strides[i] * (in[i] - 1) + output_padding[i]
          + dilations[i] * (K[i] - 1) + 1 - pads[i] - pads[k + i]

    and output channel count `M` (the weight's dimension 1 times `group`).
    ONNX's `output_shape` and `auto_pad` are resolved into `pads` and
    `output_padding` by the importer.

    ```mlir
    %y = graph.conv_transpose %x, %w {strides = array<i64: 2, 2>,
           dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
           output_padding = array<i64: 0, 0>, group = 1 : i64}
        : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x11x11xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$weight,
                       Optional<Graph_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$output_padding, I64Attr:$group);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_ResizeOp : Graph_Op<"resize", [InferTypeOpAdaptor]> {
  let summary = "resamples a tensor to the shape `sizes` (ONNX Resize / "
                "Upsample)";
  let description = [{
    Each output index `x` of dimension `d` maps to an input coordinate by
    `coordinate_transformation_mode` (`half_pixel`, `half_pixel_symmetric`,
    `pytorch_half_pixel`, `align_corners`, `asymmetric`,
    `tf_half_pixel_for_nn` or `tf_crop_and_resize`, which reads `roi`:
    `[start..., end...]`, one pair per dimension) using `scales[d]`; ONNX's
    scales / sizes inputs, `axes` and `keep_aspect_ratio_policy` are resolved
    by the importer into one scale and one size per dimension.

    `mode` is `nearest` (rounding by `nearest_mode`: `round_prefer_floor`,
    `round_prefer_ceil`, `floor`, `ceil`, or `simple`, the rule of Resize-10
    and Upsample: `ceil` when downsampling, else truncation), `linear` or
    `cubic` (Keys' kernel with `cubic_coeff_a`; with `exclude_outside` the
    taps outside the input get weight 0 and the others are renormalized).
    Reads outside the input clamp to the edge, except with
    `tf_crop_and_resize`, where an output whose coordinate leaves the input
    is `extrapolation_value`.

    ```mlir
    %y = graph.resize %x {sizes = array<i64: 1, 3, 8, 8>,
           scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = "linear",
           coordinate_transformation_mode = "half_pixel"}
        : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$sizes,
                       DenseF32ArrayAttr:$scales, StrAttr:$mode,
                       StrAttr:$coordinate_transformation_mode,
                       DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">
                           :$nearest_mode,
                       DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                       DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value,
                       OptionalAttr<DenseF32ArrayAttr>:$roi);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

#endif // STRATA_GRAPH_IMAGE_OPS
