//===- GraphDialect.td - strata's graph dialect ------------*- tablegen -*-===//
//
// The high-level dialect: one op per ONNX concept, tensor values, explicit
// attributes. Quantized tensors use the upstream quant element types.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_GRAPH_DIALECT
#define STRATA_GRAPH_DIALECT

include "mlir/IR/OpBase.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::strata::graph";
  let summary = "strata's model-level dialect, close to ONNX";
  let description = [{
    The `graph` dialect holds a model as imported from ONNX: one op per
    concept, with ONNX's semantics (numpy broadcasting, NCHW convolutions) and
    every attribute explicit. Attributes that later ONNX opsets turned into
    inputs (Reshape's shape, Clip's bounds) are folded into attributes at
    import, so a graph op never depends on the opset. Each op infers its
    result type from its operands and attributes (`InferTypeOpInterface`), and
    its verifier rejects what ONNX rejects.

    Element types: f32, f16, bf16, i8, ui8, i32, i64, i1 and the `quant`
    dialect's uniform quantized types.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let hasConstantMaterializer = 1;
}

#endif // STRATA_GRAPH_DIALECT
