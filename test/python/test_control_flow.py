"""Subgraphs: Scan (unrolled at import) against onnxruntime, FlexAttention's
score_mod against onnx's reference (rtol 1e-4, atol 1e-5), and errors."""
import numpy as np
import pytest
from onnx import TensorProto, helper

from harness import check_against_onnxruntime, save_model

F = TensorProto.FLOAT


def scan_model(directions=(0, 0), out_axis=0, out_direction=0, opset=17):
    """Two states (running sum, running max) over two scan inputs; the body
    also reads `bias` from the outer graph. x: [5, 3], w: [3, 5] (scanned
    along axis 1)."""
    body = helper.make_graph(
        [helper.make_node("Add", ["sum_in", "x_t"], ["s1"]),
         helper.make_node("Mul", ["s1", "w_t"], ["s2"]),
         helper.make_node("Add", ["s2", "bias"], ["sum_out"]),
         helper.make_node("Max", ["max_in", "x_t"], ["max_out"]),
         helper.make_node("Tanh", ["sum_out"], ["y_t"])],
        "body",
        [helper.make_tensor_value_info("sum_in", F, [3]),
         helper.make_tensor_value_info("max_in", F, [3]),
         helper.make_tensor_value_info("x_t", F, [3]),
         helper.make_tensor_value_info("w_t", F, [3])],
        [helper.make_tensor_value_info("sum_out", F, [3]),
         helper.make_tensor_value_info("max_out", F, [3]),
         helper.make_tensor_value_info("y_t", F, [3])])
    scan = helper.make_node(
        "Scan", ["s0", "m0", "x", "w"], ["sum", "max", "ys"], name="scan",
        body=body, num_scan_inputs=2, scan_input_axes=[0, 1],
        scan_input_directions=list(directions), scan_output_axes=[out_axis],
        scan_output_directions=[out_direction])
    bias = helper.make_node("Constant", [], ["bias"], name="bias",
                            value=helper.make_tensor("b", F, [3], [0.1, -0.2, 0.3]))
    graph = helper.make_graph(
        [bias, scan], "scan",
        [helper.make_tensor_value_info("s0", F, [3]),
         helper.make_tensor_value_info("m0", F, [3]),
         helper.make_tensor_value_info("x", F, [5, 3]),
         helper.make_tensor_value_info("w", F, [3, 5])],
        [helper.make_tensor_value_info(n, F, None) for n in ("sum", "max", "ys")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


@pytest.mark.parametrize("directions, out_axis, out_direction", [
    ((0, 0), 0, 0), ((1, 0), 1, 0), ((0, 1), -1, 1)])
def test_scan_matches_onnxruntime(strata, tmp_path, directions, out_axis, out_direction):
    model = scan_model(directions, out_axis, out_direction)
    lib = strata.compile(save_model(model, tmp_path, "scan"), tmp_path / "out")
    check_against_onnxruntime(strata, lib, model)


def test_unsupported_op_in_the_body_is_named(strata, tmp_path):
    model = scan_model()
    model.graph.node[1].attribute[0].g.node[4].op_type = "NoSuchOp"
    with pytest.raises(strata.CompileError, match=r"\(NoSuchOp, opset 17\): unsupported "
                                                  r"operator in a subgraph"):
        strata.compile(save_model(model, tmp_path, "scan"), tmp_path / "out")


def test_scan_before_opset_9_is_rejected(strata, tmp_path):
    model = scan_model(opset=8)
    with pytest.raises(strata.CompileError, match=r"node 'scan' \(Scan, opset 8\): Scan "
                                                  r"before opset 9"):
        strata.compile(save_model(model, tmp_path, "scan"), tmp_path / "out")


def flex_attention_model(q_heads=4, kv_heads=2, score_mod=True):
    """ai.onnx.preview FlexAttention with a score_mod subgraph that adds a
    bias, an initializer of the subgraph."""
    attrs = {"scale": 0.3}
    if score_mod:
        attrs["score_mod"] = helper.make_graph(
            [helper.make_node("Add", ["s", "bias"], ["s_out"])], "score_mod",
            [helper.make_tensor_value_info("s", F, [1, q_heads, 3, 5])],
            [helper.make_tensor_value_info("s_out", F, [1, q_heads, 3, 5])],
            [helper.make_tensor("bias", F, [5], [0.0, -1.0, 0.5, 2.0, -0.25])])
    flex = helper.make_node("FlexAttention", ["Q", "K", "V"], ["Y"], name="flex",
                            domain="ai.onnx.preview", **attrs)
    graph = helper.make_graph(
        [flex], "flex",
        [helper.make_tensor_value_info("Q", F, [1, q_heads, 3, 8]),
         helper.make_tensor_value_info("K", F, [1, kv_heads, 5, 8]),
         helper.make_tensor_value_info("V", F, [1, kv_heads, 5, 6])],
        [helper.make_tensor_value_info("Y", F, None)])
    return helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 26), helper.make_opsetid("ai.onnx.preview", 1)])


@pytest.mark.parametrize("kv_heads, score_mod", [(4, False), (2, True), (1, True)])
def test_flex_attention_matches_onnx_reference(strata, tmp_path, kv_heads, score_mod):
    """onnxruntime has no FlexAttention: onnx's reference evaluator is the
    oracle (same tolerance)."""
    from onnx.reference import ReferenceEvaluator
    model = flex_attention_model(kv_heads=kv_heads, score_mod=score_mod)
    gen = np.random.default_rng(1)
    feeds = {"Q": gen.standard_normal((1, 4, 3, 8)).astype(np.float32),
             "K": gen.standard_normal((1, kv_heads, 5, 8)).astype(np.float32),
             "V": gen.standard_normal((1, kv_heads, 5, 6)).astype(np.float32)}
    (want,) = ReferenceEvaluator(model).run(None, feeds)
    lib = strata.compile(save_model(model, tmp_path, "flex"), tmp_path / "out")
    (got,) = strata.load(lib).run(feeds)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def if_model():
    """If(cond) then x * 2 else x - 1, x captured from the outer graph."""
    def branch(op, operand, name):
        const = helper.make_node("Constant", [], [name + "_c"],
                                 value=helper.make_tensor(name + "_t", F, [], [operand]))
        body = helper.make_node(op, ["x", name + "_c"], [name + "_out"])
        return helper.make_graph([const, body], name, [],
                                 [helper.make_tensor_value_info(name + "_out", F, [2, 3])])
    node = helper.make_node("If", ["cond"], ["y"], name="if",
                            then_branch=branch("Mul", 2.0, "then"),
                            else_branch=branch("Sub", 1.0, "else"))
    graph = helper.make_graph(
        [node], "if", [helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
                       helper.make_tensor_value_info("x", F, [2, 3])],
        [helper.make_tensor_value_info("y", F, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("cond", [True, False])
def test_if_with_a_runtime_condition_matches_onnxruntime(strata, tmp_path, cond):
    model = if_model()
    lib = strata.compile(save_model(model, tmp_path, "if"), tmp_path / "out")
    feeds = {"cond": np.array(cond),
             "x": np.arange(6, dtype=np.float32).reshape(2, 3)}
    check_against_onnxruntime(strata, lib, model, feeds)


def loop_model(trip_count=4):
    """A Loop of constant trip count: y += x[i] (a Slice at the iteration
    number), and the running y as a scan output."""
    body = helper.make_graph(
        [helper.make_node("Unsqueeze", ["i", "zero"], ["start"]),
         helper.make_node("Add", ["start", "one"], ["end"]),
         helper.make_node("Slice", ["x", "start", "end"], ["x_i"]),
         helper.make_node("Add", ["y_in", "x_i"], ["y_out"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Identity", ["y_out"], ["scan"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_in", F, [1])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_out", F, [1]),
         helper.make_tensor_value_info("scan", F, [1])],
        [helper.make_tensor("zero", TensorProto.INT64, [1], [0]),
         helper.make_tensor("one", TensorProto.INT64, [1], [1])])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["M", "", "y0"], ["y", "ys"], name="loop", body=body)],
        "loop", [helper.make_tensor_value_info("x", F, [6]),
                 helper.make_tensor_value_info("y0", F, [1])],
        [helper.make_tensor_value_info("y", F, None),
         helper.make_tensor_value_info("ys", F, None)],
        [helper.make_tensor("M", TensorProto.INT64, [], [trip_count])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_loop_with_a_constant_trip_count_matches_onnxruntime(strata, tmp_path):
    model = loop_model()
    lib = strata.compile(save_model(model, tmp_path, "loop"), tmp_path / "out")
    check_against_onnxruntime(strata, lib, model)


def test_loop_with_a_runtime_trip_count_asks_for_a_pin(strata, tmp_path):
    model = loop_model()
    model.graph.input.append(helper.make_tensor_value_info("M", TensorProto.INT64, []))
    del model.graph.initializer[:]
    with pytest.raises(strata.CompileError, match=r"node 'loop' \(Loop, opset 17\): input 'M' "
                                                  r"must be a constant.*--input-value M="):
        strata.compile(save_model(model, tmp_path, "loop"), tmp_path / "out")


def rank_fixing_if(name, x, rank):
    """What PyTorch exports around an RNN: If(Size(Shape(x)) == rank) then
    Unsqueeze(x, 0) else x. The condition depends only on x's shape."""
    nodes = [helper.make_node("Shape", [x], [f"{name}_shape"]),
             helper.make_node("Size", [f"{name}_shape"], [f"{name}_rank"]),
             helper.make_node("Constant", [], [f"{name}_want"],
                              value=helper.make_tensor(f"{name}_w", TensorProto.INT64,
                                                       [], [rank])),
             helper.make_node("Equal", [f"{name}_rank", f"{name}_want"], [f"{name}_eq"])]
    then_branch = helper.make_graph(
        [helper.make_node("Constant", [], [f"{name}_axes"],
                          value=helper.make_tensor(f"{name}_a", TensorProto.INT64, [1], [0])),
         helper.make_node("Unsqueeze", [x, f"{name}_axes"], [f"{name}_u"])],
        f"{name}_then", [], [helper.make_tensor_value_info(f"{name}_u", F, None)])
    else_branch = helper.make_graph(
        [helper.make_node("Identity", [x], [f"{name}_i"])], f"{name}_else", [],
        [helper.make_tensor_value_info(f"{name}_i", F, None)])
    nodes.append(helper.make_node("If", [f"{name}_eq"], [f"{name}_out"], name=name,
                                  then_branch=then_branch, else_branch=else_branch))
    return nodes


def lstm_after_shape_ifs(seq=5, features=4, hidden=3):
    """x [seq, features] and h, c [1, 1, hidden] reach an LSTM through
    rank-fixing Ifs, as in the public silero VAD model: once shapes are
    known each condition is a constant and picks the Unsqueeze (x) or the
    Identity (h, c)."""
    gen = np.random.default_rng(4)
    weights = [helper.make_tensor(n, F, s, gen.standard_normal(s).astype(np.float32).ravel())
               for n, s in (("W", [1, 4 * hidden, features]), ("R", [1, 4 * hidden, hidden]),
                            ("B", [1, 8 * hidden]))]
    nodes = (rank_fixing_if("fix_x", "x", 2) + rank_fixing_if("fix_h", "h", 2)
             + rank_fixing_if("fix_c", "c", 2))
    nodes.append(helper.make_node("Transpose", ["fix_x_out"], ["x_tbf"], perm=[1, 0, 2]))
    nodes.append(helper.make_node("LSTM", ["x_tbf", "W", "R", "B", "", "fix_h_out",
                                           "fix_c_out"], ["Y", "Y_h", "Y_c"],
                                  name="lstm", hidden_size=hidden))
    graph = helper.make_graph(
        nodes, "rnn", [helper.make_tensor_value_info("x", F, [seq, features]),
                       helper.make_tensor_value_info("h", F, [1, 1, hidden]),
                       helper.make_tensor_value_info("c", F, [1, 1, hidden])],
        [helper.make_tensor_value_info(n, F, None) for n in ("Y", "Y_h", "Y_c")],
        weights)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def test_if_on_shapes_alone_picks_its_branch_before_an_lstm(strata, tmp_path):
    model = lstm_after_shape_ifs()
    lib = strata.compile(save_model(model, tmp_path, "rnn"), tmp_path / "out")
    gen = np.random.default_rng(8)
    feeds = {"x": gen.standard_normal((5, 4)).astype(np.float32),
             "h": gen.standard_normal((1, 1, 3)).astype(np.float32),
             "c": gen.standard_normal((1, 1, 3)).astype(np.float32)}
    check_against_onnxruntime(strata, lib, model, feeds)


def runtime_if_with_a_branch_for_other_shapes():
    """If(rate == 16000) then x (an LSTM input of rank 3 as is) else
    Unsqueeze(x): an exporter's branch for inputs of another rank. With the
    condition known only at run time, the else branch cannot compile."""
    hidden = 2
    gen = np.random.default_rng(1)
    lstm = lambda n, x: helper.make_node("LSTM", [x, "W", "R"], [n], name=n,
                                         hidden_size=hidden)
    then_branch = helper.make_graph([lstm("lstm_then", "x")], "then", [],
                                    [helper.make_tensor_value_info("lstm_then", F, None)])
    else_branch = helper.make_graph(
        [helper.make_node("Constant", [], ["axes"],
                          value=helper.make_tensor("a", TensorProto.INT64, [1], [0])),
         helper.make_node("Unsqueeze", ["x", "axes"], ["x4"]), lstm("lstm_else", "x4")],
        "else", [], [helper.make_tensor_value_info("lstm_else", F, None)])
    graph = helper.make_graph(
        [helper.make_node("Constant", [], ["rate16k"],
                          value=helper.make_tensor("r", TensorProto.INT64, [], [16000])),
         helper.make_node("Equal", ["rate", "rate16k"], ["is16k"]),
         helper.make_node("If", ["is16k"], ["y"], name="by_rate",
                          then_branch=then_branch, else_branch=else_branch)],
        "rate", [helper.make_tensor_value_info("x", F, [3, 1, 4]),
                 helper.make_tensor_value_info("rate", TensorProto.INT64, [])],
        [helper.make_tensor_value_info("y", F, None)],
        [helper.make_tensor(n, F, s, gen.standard_normal(s).astype(np.float32).ravel())
         for n, s in (("W", [1, 4 * hidden, 4]), ("R", [1, 4 * hidden, hidden]))])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def test_runtime_if_whose_branch_cannot_compile_names_the_if(strata, tmp_path):
    model = runtime_if_with_a_branch_for_other_shapes()
    path = save_model(model, tmp_path, "rate")
    with pytest.raises(strata.CompileError) as error:
        strata.compile(path, tmp_path / "out")
    message = str(error.value)
    assert message.startswith("error: node 'by_rate' (If, opset 16): the condition is "
                              "known only at run time"), message
    assert "the else branch does not compile" in message, message
    assert "computed from the graph input(s) 'rate', which --input-value could pin" \
        in message, message
    assert "note: node 'lstm_else' (LSTM, opset 16): else branch: expects X" in message, message
    # Pinned as the message says, the condition picks the then branch.
    from onnx.reference import ReferenceEvaluator
    # (onnxruntime refuses the model: its shape inference rejects the else
    # branch too; ONNX's reference evaluator runs the branch taken.)
    lib = strata.compile(path, tmp_path / "pinned", input_values={"rate": 16000})
    feeds = {"x": np.random.default_rng(2).standard_normal((3, 1, 4)).astype(np.float32),
             "rate": np.array(16000)}
    (want,) = ReferenceEvaluator(model).run(None, feeds)
    (got,) = strata.load(lib).run(feeds)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_runtime_if_with_branches_of_other_shapes_says_so(strata, tmp_path):
    model = if_model()
    then_graph = next(a.g for a in model.graph.node[0].attribute if a.name == "then_branch")
    # then: x * 2 reshaped to [3, 2]; else stays [2, 3].
    then_graph.node.append(helper.make_node("Constant", [], ["shape32"], value=helper.make_tensor(
        "s", TensorProto.INT64, [2], [3, 2])))
    then_graph.node.append(helper.make_node("Reshape", ["then_out", "shape32"], ["then_r"]))
    then_graph.output[0].name = "then_r"
    with pytest.raises(strata.CompileError,
                       match=r"node 'if' \(If, opset 17\): output #0 is 'tensor<3x2xf32>' in "
                             r"the then branch and 'tensor<2x3xf32>' in the else branch; "
                             r"with a condition known only at run time both must have "
                             r"one type; it is the graph input 'cond': pin its value"):
        strata.compile(save_model(model, tmp_path, "if"), tmp_path / "out")
