//===- GraphReductionOps.td - reductions, scans, einsum ----*- tablegen -*-===//
//
// Included from GraphOps.td. Type inference is in GraphReductionShapes.cpp,
// the lowering in passes/graph/LowerReductions.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_REDUCTION_OPS
#define STRATA_GRAPH_REDUCTION_OPS

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Graph_ReduceOp<string mnemonic, string what, Type tensor>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = what # " over `axes`";
  let description = [{
    `axes` are non-negative and strictly increasing. An empty `axes` reduces
    nothing: each element goes through the reduction's element transform
    alone (ONNX's `noop_with_empty_axes`: `reduce_l1` gives `abs(x)`,
    `reduce_sum_square` gives `x * x`). ONNX's default of reducing every
    axis is made explicit by the importer. With `keepdims` the reduced
    dimensions stay, with size 1.

    ```mlir
    %0 = graph.reduce_sum %x {axes = array<i64: 1>, keepdims = false}
        : tensor<2x3xf32> -> tensor<2xf32>
    ```
  }];
  let arguments = (ins tensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_ReduceSumOp
    : Graph_ReduceOp<"reduce_sum", "sum", Graph_NumericTensor>;
def Graph_ReduceMeanOp
    : Graph_ReduceOp<"reduce_mean", "arithmetic mean (integers: the sum "
                     "divided, rounding toward zero)", Graph_NumericTensor>;
def Graph_ReduceMaxOp
    : Graph_ReduceOp<"reduce_max", "maximum", Graph_NumericTensor>;
def Graph_ReduceMinOp
    : Graph_ReduceOp<"reduce_min", "minimum", Graph_NumericTensor>;
def Graph_ReduceProdOp
    : Graph_ReduceOp<"reduce_prod", "product", Graph_NumericTensor>;
def Graph_ReduceL1Op
    : Graph_ReduceOp<"reduce_l1", "sum of absolute values",
                     Graph_NumericTensor>;
def Graph_ReduceSumSquareOp
    : Graph_ReduceOp<"reduce_sum_square", "sum of squares",
                     Graph_NumericTensor>;
def Graph_ReduceL2Op
    : Graph_ReduceOp<"reduce_l2", "square root of the sum of squares",
                     Graph_FloatTensor>;
def Graph_ReduceLogSumOp
    : Graph_ReduceOp<"reduce_log_sum", "log of the sum", Graph_FloatTensor>;
def Graph_ReduceLogSumExpOp
    : Graph_ReduceOp<"reduce_log_sum_exp", "log of the sum of exponentials "
                     "(computed as max + log(sum(exp(x - max))))",
                     Graph_FloatTensor>;

class Graph_ArgReduceOp<string mnemonic, string what>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = "index (i64) of the " # what # " along `axis`";
  let description = [{
    Ties go to the first index, or to the last with `select_last_index`.
    `axis` is non-negative; with `keepdims` it stays, with size 1.
  }];
  let arguments = (ins Graph_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_ArgMaxOp : Graph_ArgReduceOp<"arg_max", "largest element">;
def Graph_ArgMinOp : Graph_ArgReduceOp<"arg_min", "smallest element">;

class Graph_CumulativeOp<string mnemonic, string what>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = "running " # what # " along `axis`";
  let description = [{
    Element i combines elements 0..i (`exclusive`: 0..i-1, the first element
    then being the identity); with `reverse` it runs from the end (i..n-1,
    or i+1..n-1).
  }];
  let arguments = (ins Graph_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Graph_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Graph_CumSumOp : Graph_CumulativeOp<"cumsum", "sum">;
def Graph_CumProdOp : Graph_CumulativeOp<"cumprod", "product">;

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Graph_EinsumOp : Graph_Op<"einsum", [InferTypeOpAdaptor]> {
  let summary = "Einstein summation of one or two operands";
  let description = [{
    `equation` is explicit and has no ellipsis: `"bij,bjk->bik"`, one
    lowercase or uppercase letter per dimension (the importer expands `...`
    and the implicit output form). A letter repeated within an operand
    reads its diagonal; letters missing from the output are summed over. A
    letter's dimensions must be equal, or 1 (broadcast).
  }];
  let arguments = (ins Variadic<Graph_NumericTensor>:$inputs,
                       StrAttr:$equation);
  let results = (outs Graph_NumericTensor:$output);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type($inputs, results)";
}

#endif // STRATA_GRAPH_REDUCTION_OPS
