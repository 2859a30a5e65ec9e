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
    still name them. Anything else is left alone.

    The data of weights no operation refers to any more is freed as the
    fold goes (strata::ResourceBlobReleaser), so that the pass holds about
    one copy of the weights, not two: a module pass, as it counts
    references over the whole module.
  }];
  let dependentDialects = ["::strata::graph::GraphDialect"];
}

#endif // STRATA_PASSES_GRAPH
