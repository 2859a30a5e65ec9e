//===- GraphIndexingOps.td - gather, scatter, slice, pad ... -*- tablegen -*-===//
//
// Included from GraphOps.td. Type inference is in GraphIndexingShapes.cpp,
// the lowering in passes/graph/LowerIndexing.cpp. ONNX ops that are plain
// reshapes, transposes or slices (Squeeze, Unsqueeze, DepthToSpace,
// SpaceToDepth, Split) are imported as those and have no op here.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_INDEXING_OPS
#define STRATA_GRAPH_INDEXING_OPS

def Graph_IndexTensor : RankedTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// Gather and scatter
//===----------------------------------------------------------------------===//

def Graph_GatherOp : Graph_Op<"gather", [InferTypeOpAdaptor]> {
  let summary = "takes the slices of `data` along `axis` named by `indices`";
  let description = [{
    The result's shape is `data.shape[:axis] + indices.shape +
    data.shape[axis+1:]`. A negative index counts from the end; an index
    outside `[-n, n)` is clamped into range (ONNX leaves it undefined), so
    no read is ever out of bounds.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_GatherElementsOp : Graph_Op<"gather_elements", [InferTypeOpAdaptor]> {
  let summary = "output[i][j][k] = data[indices[i][j][k]][j][k] (axis 0)";
  let description = [{
    `indices` has `data`'s rank; the result has its shape. Indices wrap and
    clamp as in `graph.gather`.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_GatherNDOp : Graph_Op<"gather_nd", [InferTypeOpAdaptor]> {
  let summary = "gathers slices of `data` addressed by the last dimension "
                "of `indices`";
  let description = [{
    The first `batch_dims` dimensions of `data` and `indices` are shared.
    The result's shape is `indices.shape[:-1] + data.shape[batch_dims +
    indices.shape[-1]:]`. Indices wrap and clamp as in `graph.gather`.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_ScatterNDOp : Graph_Op<"scatter_nd", [InferTypeOpAdaptor]> {
  let summary = "a copy of `data` with the slices addressed by `indices` "
                "replaced by (or combined with) `updates`";
  let description = [{
    `updates` has shape `indices.shape[:-1] + data.shape[indices.shape[-1]:]`.
    `reduction` is `none` (later updates of the same slice win), `add`,
    `mul`, `max` or `min`. Indices wrap and clamp as in `graph.gather`.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       Graph_Tensor:$updates,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_ScatterElementsOp
    : Graph_Op<"scatter_elements", [InferTypeOpAdaptor]> {
  let summary = "a copy of `data` with element i with i[axis] replaced by "
                "indices[i] replaced by (or combined with) updates[i]";
  let description = [{
    `indices` and `updates` have the same shape, of `data`'s rank and no
    larger than `data` outside `axis`. `reduction` is as in
    `graph.scatter_nd`; indices wrap and clamp as in `graph.gather`.
  }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       Graph_Tensor:$updates, I64Attr:$axis,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` "
                       "functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Slicing, padding, repetition
//===----------------------------------------------------------------------===//

def Graph_SliceOp : Graph_Op<"slice", [InferTypeOpAdaptor]> {
  let summary = "a strided slice: `sizes[d]` elements from `starts[d]`, "
                "`steps[d]` apart";
  let description = [{
    One entry per dimension, fully resolved by the importer (ONNX's
    negative and out-of-range starts / ends are clamped there). A step may
    be negative (reading backwards) but not 0; every element read lies
    inside the input.

    ```mlir
    %0 = graph.slice %x {starts = array<i64: 0, 3>, sizes = array<i64: 2, 2>,
                         steps = array<i64: 1, -2>}
        : tensor<2x4xf32> -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_PadOp : Graph_Op<"pad", [InferTypeOpAdaptor]> {
  let summary = "pads each dimension with `constant` values, a reflection "
                "or the edge value";
  let description = [{
    `pads` is `[begin_0, ..., begin_n-1, end_0, ..., end_n-1]`, all
    non-negative. `mode` is `constant` (with `value`, of the element type;
    zero when absent), `reflect` (mirrored without repeating the edge: the
    padding must be smaller than the dimension) or `edge`.
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$mode,
                       OptionalAttr<TypedAttrInterface>:$value);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_TileOp : Graph_Op<"tile", [InferTypeOpAdaptor]> {
  let summary = "repeats the input `repeats[d]` times along dimension d";
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_ExpandOp : Graph_Op<"expand", [InferTypeOpAdaptor]> {
  let summary = "broadcasts the input with `shape` (numpy rules)";
  let description = [{
    The result's shape is the broadcast of the input's shape and `shape`,
    so a 1 in `shape` keeps the input's dimension (ONNX Expand).
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_TriluOp : Graph_Op<"trilu", [InferTypeOpAdaptor]> {
  let summary = "keeps the upper (or lower) triangle of the last two "
                "dimensions, zeroing the rest";
  let description = [{
    With `upper`, element (i, j) is kept when j - i >= k; otherwise when
    j - i <= k.
  }];
  let arguments = (ins Graph_Tensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$upper,
                       DefaultValuedAttr<I64Attr, "0">:$k);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_OneHotOp : Graph_Op<"one_hot", [InferTypeOpAdaptor]> {
  let summary = "values[1] where an index meets the new `axis`, values[0] "
                "elsewhere";
  let description = [{
    The result inserts a dimension of size `depth` at (non-negative) `axis`
    of `indices`' shape. An index in `[-depth, 0)` counts from the end; one
    outside `[-depth, depth)` gives a row of `values[0]`. `values` is
    `[off, on]`.
  }];
  let arguments = (ins Graph_NumericTensor:$indices, Graph_Tensor:$values,
                       I64Attr:$depth, I64Attr:$axis);
  let results = (outs Graph_Tensor:$output);
  let assemblyFormat = "$indices `,` $values attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // STRATA_GRAPH_INDEXING_OPS
