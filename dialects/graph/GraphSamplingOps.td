//===- GraphSamplingOps.td - grid sampling -----------------*- tablegen -*-===//
//
// Included from GraphOps.td. Type inference is in GraphSamplingShapes.cpp,
// the lowering in passes/graph/LowerGridSample.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_SAMPLING_OPS
#define STRATA_GRAPH_SAMPLING_OPS

def Graph_GridSampleOp : Graph_Op<"grid_sample", [InferTypeOpAdaptor]> {
  let summary = "samples an (N, C, D...) input at the grid's normalized "
                "coordinates (ONNX GridSample)";
  let description = [{
    With `k` spatial dimensions the grid is `(N, O..., k)` and the result
    `(N, C, O...)`. `grid[n, o..., j]` is the coordinate in [-1, 1] along
    input dimension `2 + k - 1 - j` (the last grid entry is the first
    spatial dimension: x is the width). It maps to a pixel coordinate by
    `align_corners` (-1 and 1 are the centres of the corner pixels, or
    their outer edges). `mode` is `linear`, `nearest` (rounding half to
    even) or `cubic` (Keys' kernel, a = -0.75); `padding_mode` reads
    outside the input as `zeros`, clamps to the `border`, or reflects
    (`reflection`) at the borders.

    ```mlir
    %y = graph.grid_sample %x, %grid {mode = "linear",
           padding_mode = "zeros", align_corners = false}
        : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$grid,
                       StrAttr:$mode, StrAttr:$padding_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs Graph_FloatTensor:$output);
  let assemblyFormat = "$input `,` $grid attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // STRATA_GRAPH_SAMPLING_OPS
