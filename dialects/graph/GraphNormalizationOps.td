//===- GraphNormalizationOps.td - normalizations ----------*- tablegen -*-===//
//
// Included from GraphOps.td. Type inference is in
// GraphNormalizationShapes.cpp, the lowering in
// passes/graph/LowerNormalization.cpp. Statistics are computed in the
// element type (ONNX's stash_type is f32 for f32 inputs).
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_NORMALIZATION_OPS
#define STRATA_GRAPH_NORMALIZATION_OPS

def Graph_LayerNormOp : Graph_Op<"layer_norm", [InferTypeOpAdaptor]> {
  let summary = "normalizes over dimensions [axis, rank), then scale and "
                "bias";
  let description = [{
    y = (x - mean) / sqrt(variance + epsilon) * scale + bias, mean and
    (biased) variance over dimensions `axis` (non-negative) and later.
    `scale` and `bias` broadcast (numpy rules) to the input's shape.
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Optional<Graph_FloatTensor>:$bias, I64Attr:$axis,
                       F32Attr:$epsilon);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_InstanceNormOp : Graph_Op<"instance_norm", [InferTypeOpAdaptor]> {
  let summary = "normalizes each (batch, channel) over the spatial "
                "dimensions, then per-channel scale and bias";
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Graph_FloatTensor:$bias, F32Attr:$epsilon);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_GroupNormOp : Graph_Op<"group_norm", [InferTypeOpAdaptor]> {
  let summary = "normalizes each group of channels over the group and the "
                "spatial dimensions, then scale and bias";
  let description = [{
    The channels (dimension 1) split into `num_groups` consecutive groups.
    `scale` and `bias` have one value per channel (ONNX opset 21) or one per
    group (opset 18); when the two counts are equal so are the meanings.
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Graph_FloatTensor:$bias, I64Attr:$num_groups,
                       F32Attr:$epsilon);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_LpNormOp : Graph_Op<"lp_norm", [InferTypeOpAdaptor]> {
  let summary = "divides by the L1 or L2 norm along `axis`";
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis, I64Attr:$p);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_LogSoftmaxOp : Graph_Op<"log_softmax", [InferTypeOpAdaptor]> {
  let summary = "log of softmax along one (non-negative) axis, computed as "
                "x - max - log(sum(exp(x - max)))";
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_HardmaxOp : Graph_Op<"hardmax", [InferTypeOpAdaptor]> {
  let summary = "1 at the first largest element along `axis`, 0 elsewhere";
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

#endif // STRATA_GRAPH_NORMALIZATION_OPS
