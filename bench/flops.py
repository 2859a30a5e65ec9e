"""Floating-point operations of an ONNX model: 2 per multiply-add of its
Conv, ConvTranspose, MatMul and Gemm nodes (what GFLOP/s figures count;
elementwise ops, softmax and normalization are left out), from the shapes
ONNX's shape inference gives."""

import numpy as np
import onnx
from onnx import shape_inference


def _shapes(model):
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for value in list(inferred.graph.value_info) + list(inferred.graph.input) + \
            list(inferred.graph.output):
        dims = value.type.tensor_type.shape.dim
        shapes[value.name] = [d.dim_value for d in dims]
    for init in model.graph.initializer:
        shapes[init.name] = list(init.dims)
    return shapes


def per_node(model):
    """{node name: FLOPs (2 x multiply-adds)} of the model's contractions."""
    shapes = _shapes(model)
    flops = {}
    for node in model.graph.node:
        if node.op_type in ("Conv", "ConvTranspose"):
            out = shapes.get(node.output[0])
            w = shapes.get(node.input[1])
            if out and w:
                # every output element takes C_in/group * kernel MACs
                per_output = int(np.prod(w[1:])) if node.op_type == "Conv" else \
                    int(np.prod(w[2:])) * w[0] // max(1, out[1])
                flops[node.name] = 2 * int(np.prod(out)) * per_output
        elif node.op_type in ("MatMul", "Gemm"):
            a, out = shapes.get(node.input[0]), shapes.get(node.output[0])
            if a and out:
                trans_a = any(x.name == "transA" and x.i for x in node.attribute)
                k = a[-2] if trans_a and node.op_type == "Gemm" else a[-1]
                flops[node.name] = 2 * int(np.prod(out)) * k
    return flops


def count(model):
    """Total FLOPs (2 x multiply-adds) of the model's contractions."""
    return sum(per_node(model).values())


if __name__ == "__main__":
    import sys
    print(f"{count(onnx.load(sys.argv[1])) / 1e9:.3f} GFLOP")
