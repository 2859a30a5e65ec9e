//===- GraphSequenceOps.td - top-k and recurrent layers ----*- tablegen -*-===//
//
// Included from GraphOps.td. Type inference is in GraphSequenceShapes.cpp,
// the lowerings in passes/graph/LowerTopK.cpp and LowerRecurrent.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_SEQUENCE_OPS
#define STRATA_GRAPH_SEQUENCE_OPS

//===----------------------------------------------------------------------===//
// Selection
//===----------------------------------------------------------------------===//

def Graph_TopKOp : Graph_Op<"top_k", [InferTypeOpAdaptor]> {
  let summary = "the `k` largest (or smallest) elements along `axis` and "
                "their indices";
  let description = [{
    Both results have the input's shape with dimension `axis` (non-negative)
    replaced by `k`. Equal values keep their input order (the lower index
    first). With `sorted` false the order of the selected elements is
    unspecified by ONNX; they come sorted all the same.

    ```mlir
    %v, %i = graph.top_k %x {k = 2 : i64, axis = 1 : i64}
        : tensor<3x5xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
    ```
  }];
  let arguments = (ins Graph_NumericTensor:$input, I64Attr:$k, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Graph_NumericTensor:$values,
                      RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` "
                       "type($values) `,` type($indices)";
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

class Graph_RecurrentOp<string mnemonic, string what, string gates>
    : Graph_Op<mnemonic, [InferTypeOpAdaptor, AttrSizedOperandSegments]> {
  let summary = what # " over a whole sequence (ONNX layout 0)";
  let description = [{
    `x` is `[seq_length, batch, input_size]`. With `num_directions` 2 for
    `direction` = `bidirectional` and 1 for `forward` / `reverse`, `w` is
    `[num_directions, G * hidden_size, input_size]`, `r` is
    `[num_directions, G * hidden_size, hidden_size]` and the optional `b`
    (input then recurrence biases) is `[num_directions, 2 * G *
    hidden_size]`, with G gates in ONNX's order: }] # gates # [{. The
    optional initial states are `[num_directions, batch, hidden_size]`
    (zero when absent).

    `activations` names the activation functions, ONNX's list for every
    direction (Sigmoid, Tanh, Relu); `clip`, when set, bounds every
    activation's input to `[-clip, clip]`. Results: `y` is `[seq_length,
    num_directions, batch, hidden_size]`, every hidden state; `y_h` (and
    `y_c` for the LSTM) the last state of each direction,
    `[num_directions, batch, hidden_size]`.
  }];
  let assemblyFormat = "$x `,` $w `,` $r (`bias` $b^)? "
                       "(`initial_h` $initial_h^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def Graph_RNNOp : Graph_RecurrentOp<"rnn", "a simple recurrent layer",
                                    "i"> {
  let arguments = (ins Graph_FloatTensor:$x, Graph_FloatTensor:$w,
                       Graph_FloatTensor:$r, Optional<Graph_FloatTensor>:$b,
                       Optional<Graph_FloatTensor>:$initial_h,
                       I64Attr:$hidden_size,
                       DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                       StrArrayAttr:$activations, OptionalAttr<F32Attr>:$clip);
  let results = (outs Graph_FloatTensor:$y, Graph_FloatTensor:$y_h);
}

def Graph_GRUOp : Graph_RecurrentOp<"gru", "a gated recurrent unit layer",
                                    "z (update), r (reset), h (hidden)"> {
  let arguments = (ins Graph_FloatTensor:$x, Graph_FloatTensor:$w,
                       Graph_FloatTensor:$r, Optional<Graph_FloatTensor>:$b,
                       Optional<Graph_FloatTensor>:$initial_h,
                       I64Attr:$hidden_size,
                       DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                       StrArrayAttr:$activations, OptionalAttr<F32Attr>:$clip,
                       DefaultValuedAttr<BoolAttr, "false">
                           :$linear_before_reset);
  let results = (outs Graph_FloatTensor:$y, Graph_FloatTensor:$y_h);
}

def Graph_LSTMOp : Graph_RecurrentOp<"lstm", "a long short-term memory layer",
                                     "i (input), o (output), f (forget), "
                                     "c (cell)"> {
  let arguments = (ins Graph_FloatTensor:$x, Graph_FloatTensor:$w,
                       Graph_FloatTensor:$r, Optional<Graph_FloatTensor>:$b,
                       Optional<Graph_FloatTensor>:$initial_h,
                       Optional<Graph_FloatTensor>:$initial_c,
                       Optional<Graph_FloatTensor>:$p,
                       I64Attr:$hidden_size,
                       DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                       StrArrayAttr:$activations, OptionalAttr<F32Attr>:$clip,
                       DefaultValuedAttr<BoolAttr, "false">:$input_forget);
  let results = (outs Graph_FloatTensor:$y, Graph_FloatTensor:$y_h,
                      Graph_FloatTensor:$y_c);
  // The peepholes `p` are [num_directions, 3 * hidden_size] (i, o, f).
  let assemblyFormat = "$x `,` $w `,` $r (`bias` $b^)? "
                       "(`initial_h` $initial_h^)? (`initial_c` $initial_c^)? "
                       "(`peepholes` $p^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // STRATA_GRAPH_SEQUENCE_OPS
