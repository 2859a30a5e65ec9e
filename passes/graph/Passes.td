//===- Passes.td - graph-level passes ----------------------*- tablegen -*-===//
#ifndef STRATA_PASSES_GRAPH
#define STRATA_PASSES_GRAPH

include "mlir/Pass/PassBase.td"

def ConvertGraphToLinalg : Pass<"convert-graph-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower graph dialect ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every graph op into upstream tensor-level ops: elementwise ops
    become `linalg.generic` with broadcasting indexing maps, matmul / gemm
    become `linalg.matmul` / `linalg.batch_matmul`, conv becomes
    `linalg.conv_2d_nchw_fchw` (or the grouped form) on a `tensor.pad`ded
    input, pooling becomes `linalg.pooling_nchw_*`, reshapes become
    `tensor.collapse_shape` / `expand_shape` / `reshape`, concat becomes
    `tensor.concat`. A graph op that cannot be lowered (for example an
    element type the lowering does not support yet) is reported at its
    location, which names the ONNX node.
  }];
  let constructor = "::strata::createConvertGraphToLinalgPass()";
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def FoldBatchNorm : Pass<"strata-fold-batch-norm", "mlir::ModuleOp"> {
  let summary = "Fold inference BatchNormalization into the convolution "
                "before it";
  let description = [{
    A `graph.batch_norm` whose input is the only use of a `graph.conv` with
    constant f32 weights (and bias, if any), and whose scale, bias, mean and
    variance are constants, becomes that convolution with new constants:
    `W'[f] = W[f] * s[f]` and `b'[f] = (b[f] - mean[f]) * s[f] + beta[f]`,
    where `s[f] = scale[f] / sqrt(var[f] + epsilon)` (computed in double,
    rounded once). The new conv's location fuses both nodes', so errors
    still name them. Any other `graph.batch_norm` of f32 data with constant
    scale, bias, mean and variance becomes `x * s + t` (`graph.mul`,
    `graph.add`) with `s` and `t` constants of shape [C, 1...]: no square
    root and division per element. Anything else is left alone.

    The data of weights no operation refers to any more is freed as the
    fold goes (strata::ResourceBlobReleaser), so that the pass holds about
    one copy of the weights, not two: a module pass, as it counts
    references over the whole module.
  }];
  let dependentDialects = ["::strata::graph::GraphDialect"];
}

def FoldQdq : Pass<"strata-fold-qdq", "mlir::ModuleOp"> {
  let summary = "QDQ convolutions and matrix products as integer ones";
  let description = [{
    A `graph.conv`, `graph.matmul` or `graph.gemm` (alpha 1, beta 1, A not
    transposed, a 1-D bias) whose data operand is a `dequantize_linear` of
    an 8-bit activation (one scale and zero point, produced by a
    `quantize_linear`) and whose weight is a `dequantize_linear` of an int8
    constant (zero point 0, one scale or one per output channel) becomes
    the same op on the int8 data with an i32 result, then a cast to f32
    and a multiply by `x_scale * w_scale[f]`:

      conv(DQ(x), DQ(w), b) = x_scale * w_scale[f] *
          (conv_i32(x, w) + round(b[f] / (x_scale * w_scale[f]))
                          - x_zero_point * sum(w[f]))

    The widened i32 products that MatMulInteger, ConvInteger,
    QLinearMatMul and QLinearConv are imported as (operands cast to i32
    less their zero points) become the same int8 ops when B (the weight)
    is an int8 constant with zero point 0 and A has one zero point: a
    product less `a_zero_point * sum_k B[k][n]` (the zero point may be
    computed at run time, as DynamicQuantizeLinear does), a convolution
    with that share in its bias (the zero point must be a constant there).

    Where the op's one user is a per-tensor QuantizeLinear with a constant
    scale `y_scale`, the multiplier is `x_scale * w_scale[f] / y_scale`
    and the QuantizeLinear's scale 1 (as onnxruntime's QLinearConv
    requantizes): one multiply per output element instead of a multiply
    and a division (ResNet-50 int8 16.5 -> 15.2 ms on Zen 5).

    A convolution pads with the activation's zero point (`pad_value`),
    which the bias term cancels; a product adds the bias as an i32
    `graph.add`. Uint8 activations are quantized to int8 instead (a twin
    `quantize_linear` with the zero point less 128, the same bits with the
    top one flipped), since the integer products are signed x signed. The
    quantization after the op is not touched: it fuses with the multiply
    after lowering. Anything else (a float weight, a per-channel activation
    scale, a non-zero weight zero point, an i32 overflow of the bias) stays
    in float.

    ```mlir
    %x8 = graph.quantize_linear %x, %sx, %zx {output_type = ui8} ...
    %xf = graph.dequantize_linear %x8, %sx, %zx ...
    %wf = graph.dequantize_linear %w8, %sw, %zero {axis = 0} ...
    %y = graph.conv %xf, %wf ...
    // becomes
    %x8s = graph.quantize_linear %x, %sx, %zx_minus_128 {output_type = i8} ...
    %acc = graph.conv %x8s, %w8, %bias_i32 {pad_value = ...} ... -> i32
    %y = graph.mul (graph.cast %acc to f32), %scales
    ```
  }];
  let options = [
    Option<"report", "report", "bool", "false",
           "Emit a remark for each quantized product that stays as it is "
           "(and why), and one with the counts">,
  ];
  let dependentDialects = ["::strata::graph::GraphDialect"];
}

#endif // STRATA_PASSES_GRAPH
