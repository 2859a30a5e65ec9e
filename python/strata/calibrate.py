"""Post-training quantization (strata.quantize, strata-quantize): calibrate
on sample inputs, write QDQ ONNX.

    strata.quantize("model.onnx", "calibration.npz", "model.qdq.onnx",
                    method="minmax", per_channel=False, weights="int8")

or, from a shell, `strata-quantize model.onnx --calibration data.npz -o
model.qdq.onnx [--method minmax|percentile|entropy] [--per-channel]
[--weights int8|int4]`.

The inputs of every Conv, MatMul and Gemm get a QuantizeLinear /
DequantizeLinear pair: activations as uint8 with a zero point, over the
range the calibration data reach; constant weights as int8 (or int4)
with zero point 0, per tensor or per output channel. The result is a
standard QDQ model, the form onnxruntime's quantize_static writes: any
ONNX runtime runs it, and strata compiles it like any other model.

Activation ranges come from running the fp32 model with strata on every
calibration sample, with the tensors to quantize made graph outputs:
  * minmax: the smallest and largest value seen (widened to include 0);
  * percentile: the `percentile` and 100 - `percentile` percentiles of the
    values seen (outliers clipped);
  * entropy: the clipping threshold whose 128-level quantization of the
    values' histogram loses the least information (KL divergence), as
    TensorRT's calibrator chooses it; symmetric around 0, or [0, T] for
    tensors without negative values. A tensor with fewer than 8192 values
    over all samples (too few for a 2048-bin histogram) keeps its full
    range.
"""

import argparse
import os
import sys
import tempfile

import numpy as np

METHODS = ("minmax", "percentile", "entropy")
WEIGHT_TYPES = ("int8", "int4")
QUANTIZED_OPS = ("Conv", "MatMul", "Gemm")
_INT4 = 22  # TensorProto.INT4, which older onnx packages lack
_HISTOGRAM_BINS = 2048
_MIN_ENTROPY_VALUES = 4 * _HISTOGRAM_BINS


class QuantizeError(Exception):
    """Bad arguments or calibration data; the message says which."""


def quantize(model_path, calibration, output_path, method="minmax", per_channel=False,
             weights="int8", percentile=99.99):
    """Writes the QDQ model to `output_path` and returns the activation
    ranges used, {tensor name: (low, high)}. `calibration` is a .npz path
    or a {input name: array} dict whose arrays hold one sample per row of
    their leading axis (every input the same number of samples)."""
    import onnx
    if method not in METHODS:
        raise QuantizeError(f"unknown method {method!r} (expected {', '.join(METHODS)})")
    if weights not in WEIGHT_TYPES:
        raise QuantizeError(f"unknown weight type {weights!r} (expected int8 or int4)")
    if not 50.0 < float(percentile) <= 100.0:
        raise QuantizeError(f"percentile {percentile} must be in (50, 100]")
    model = onnx.load(os.fspath(model_path))
    needed = 21 if weights == "int4" else 13 if per_channel else 10
    model = _with_opset(model, needed)
    samples = _calibration_samples(model, calibration)
    initializers = {i.name: i for i in model.graph.initializer}
    targets = [i for i, n in enumerate(model.graph.node)
               if n.op_type in QUANTIZED_OPS and n.domain in ("", "ai.onnx")]
    activations = []
    for node in (model.graph.node[i] for i in targets):
        for name in _activation_inputs(node, initializers):
            if name not in activations:
                activations.append(name)
    ranges = _calibrate(model, activations, samples, method, float(percentile))
    _insert_qdq(model, targets, ranges, per_channel, weights)
    onnx.checker.check_model(model)
    onnx.save(model, os.fspath(output_path))
    return ranges


def _with_opset(model, needed):
    import onnx
    from onnx import version_converter
    current = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 1)
    if current >= needed:
        return model
    try:
        return version_converter.convert_version(model, needed)
    except Exception as error:  # the converter raises several kinds
        raise QuantizeError(f"the model's opset {current} is older than the {needed} that "
                            f"these Q/DQ nodes need, and onnx could not convert it: "
                            f"{error}") from None


def _graph_inputs(model):
    initializers = {i.name for i in model.graph.initializer}
    return [v for v in model.graph.input if v.name not in initializers]


def _calibration_samples(model, calibration):
    """[{input name: one sample, leading axis 1}] from a .npz or a dict."""
    if isinstance(calibration, (str, os.PathLike)):
        if not os.path.exists(calibration):
            raise QuantizeError(f"calibration file '{calibration}' does not exist")
        with np.load(calibration) as data:
            arrays = {k: data[k] for k in data.files}
    else:
        arrays = dict(calibration)
    count = None
    for value in _graph_inputs(model):
        if value.name not in arrays:
            raise QuantizeError(f"the calibration data have no array for input '{value.name}' "
                                f"(they have: {', '.join(sorted(arrays)) or 'none'})")
        n = len(arrays[value.name])
        if count is not None and n != count:
            raise QuantizeError(f"input '{value.name}' has {n} calibration samples, "
                                f"the others {count}")
        count = n
    if not count:
        raise QuantizeError("the calibration data hold no sample")
    return [{v.name: np.ascontiguousarray(arrays[v.name][i:i + 1]) for v in _graph_inputs(model)}
            for i in range(count)]


def _activation_inputs(node, initializers):
    """The inputs of a Conv / MatMul / Gemm that are computed (not
    initializers): the data, and MatMul's second operand when it is not
    constant."""
    names = [node.input[0]]
    if node.op_type == "MatMul" and node.input[1] not in initializers:
        names.append(node.input[1])
    return [n for n in names if n and n not in initializers]


def _calibrate(model, names, samples, method, percentile):
    """{name: (low, high)} over every sample, by `method`."""
    import onnx
    from onnx import helper, shape_inference
    import strata
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    inferred = shape_inference.infer_shapes(probe)
    types = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.input)
             + list(inferred.graph.output)}
    outputs = {o.name for o in probe.graph.output}
    feeds = {v.name for v in _graph_inputs(model)}
    for name in names:
        if name in outputs or name in feeds:
            continue
        if name in types:
            probe.graph.output.append(types[name])
        else:
            probe.graph.output.append(helper.make_tensor_value_info(name, 1, None))
    work = tempfile.mkdtemp(prefix="strata-quantize-")
    path = os.path.join(work, "probe.onnx")
    onnx.save(probe, path)
    # The samples' shapes pin the model's dynamic dimensions (a batch, an
    # image size), which the probe could not be compiled with otherwise.
    shapes = {name: value.shape for name, value in samples[0].items()}
    loaded = strata.load(strata.compile(path, work, name="probe", input_shapes=shapes))
    position = {name: i for i, name in enumerate(loaded.output_names)}
    values = {name: [] for name in names}
    for sample in samples:
        results = loaded.run(sample)
        for name in names:
            value = sample[name] if name in feeds else results[position[name]]
            values[name].append(_subsample(np.asarray(value, np.float32).ravel()))
    ranges = {}
    for name in names:
        data = np.concatenate(values[name]).astype(np.float64)
        if method == "minmax":
            low, high = float(data.min()), float(data.max())
        elif method == "percentile":
            low = float(np.percentile(data, 100.0 - percentile))
            high = float(np.percentile(data, percentile))
        elif data.size < _MIN_ENTROPY_VALUES:
            # Too few values for a meaningful histogram: the full range.
            low, high = float(data.min()), float(data.max())
        else:
            threshold = _entropy_threshold(np.abs(data))
            low = 0.0 if data.min() >= 0 else -threshold
            high = threshold
        ranges[name] = (min(low, 0.0), max(high, 0.0))
    return ranges


def _subsample(values, most=1 << 20):
    """At most `most` values of one sample (evenly spaced), so that the
    percentile and entropy methods hold bounded memory."""
    if values.size <= most:
        return values
    return values[np.linspace(0, values.size - 1, most).astype(np.int64)]


def _entropy_threshold(magnitudes, levels=128):
    """The clipping threshold T of |x| minimizing KL(P || Q), P the
    histogram clipped at T (the tail folded into its last bin), Q the same
    merged into `levels` bins and expanded back over P's nonzero bins."""
    # Zeros (half of a ReLU's outputs) quantize exactly whatever the range:
    # left in, their spike in the first bin would favour tiny thresholds.
    magnitudes = magnitudes[magnitudes > 0]
    if magnitudes.size == 0:
        return 1.0
    top = float(magnitudes.max())
    histogram, edges = np.histogram(magnitudes, bins=_HISTOGRAM_BINS, range=(0.0, top))
    histogram = histogram.astype(np.float64)
    best, best_divergence = _HISTOGRAM_BINS, np.inf
    for stop in range(levels, _HISTOGRAM_BINS + 1, 16):
        p = histogram[:stop].copy()
        p[-1] += histogram[stop:].sum()
        nonzero = p > 0
        # Merge into `levels` groups, spread each group's mass over its
        # nonzero bins.
        groups = np.array_split(np.arange(stop), levels)
        q = np.zeros(stop)
        for group in groups:
            mask = nonzero[group]
            if mask.any():
                q[group[mask]] = histogram[group].sum() / mask.sum()
        # Q lacks the folded tail: smooth its empty bins where P has mass.
        q[nonzero & (q == 0)] = 1e-4 * max(histogram[:stop].sum(), 1.0) / stop
        p /= p.sum()
        q /= q.sum()
        divergence = float(np.sum(p[nonzero] * np.log(p[nonzero] / q[nonzero])))
        if divergence < best_divergence:
            best, best_divergence = stop, divergence
    return float(edges[best])


def _activation_params(low, high):
    """uint8 scale and zero point covering [low, high] (which holds 0)."""
    scale = (high - low) / 255.0
    if scale <= 0.0:
        return np.float32(1.0), np.uint8(0)
    zero = int(np.clip(np.round(-low / scale), 0, 255))
    return np.float32(scale), np.uint8(zero)


def _weight_axis(node, rank):
    """The output-channel axis of a weight: Conv's filters, MatMul's and
    Gemm's columns."""
    if node.op_type == "Conv":
        return 0
    if node.op_type == "Gemm":
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    return rank - 1


def _quantize_weight(w, axis, bits):
    """Symmetric: scales (per tensor, or along `axis`) and integer values."""
    limit = 127 if bits == 8 else 7
    if axis is None:
        peak = np.abs(w).max()
        scale = np.float32(peak / limit if peak > 0 else 1.0)
        shape = ()
    else:
        other = tuple(d for d in range(w.ndim) if d != axis)
        peak = np.abs(w).max(axis=other)
        scale = np.where(peak > 0, peak / limit, 1.0).astype(np.float32)
        shape = [1] * w.ndim
        shape[axis] = -1
    q = np.clip(np.round(w / np.reshape(scale, shape)), -limit - 1, limit).astype(np.int8)
    return np.asarray(scale, np.float32), q


def _insert_qdq(model, targets, ranges, per_channel, weights):
    from onnx import helper, numpy_helper
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    taken = set(initializers) | {v.name for v in list(graph.input) + list(graph.output)}
    for node in graph.node:
        taken.update(node.input)
        taken.update(node.output)
    new_inits, replaced, inserted = [], {}, {}
    # Q / DQ nodes to insert before each node, by its position (protobuf
    # messages have no stable identity in Python).
    before = [[] for _ in graph.node]

    def fresh(base):
        name, k = base, 0
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        return name

    for position in targets:
        node = graph.node[position]
        for name in _activation_inputs(node, initializers):
            if name not in inserted:
                scale, zero = _activation_params(*ranges[name])
                s, z = fresh(f"{name}_scale"), fresh(f"{name}_zero_point")
                new_inits += [numpy_helper.from_array(np.array(scale), s),
                              numpy_helper.from_array(np.array(zero), z)]
                q, dq = fresh(f"{name}_quantized"), fresh(f"{name}_dequantized")
                before[position] += [
                    helper.make_node("QuantizeLinear", [name, s, z], [q], name=f"{name}_Q"),
                    helper.make_node("DequantizeLinear", [q, s, z], [dq], name=f"{name}_DQ")]
                inserted[name] = dq
            for i, input_name in enumerate(node.input):
                if input_name == name:
                    node.input[i] = inserted[name]
        # The weight: input 1 (Conv's W, MatMul's and Gemm's B) when constant.
        if len(node.input) > 1 and node.input[1] in initializers:
            name = node.input[1]
            if name not in replaced:
                w = numpy_helper.to_array(initializers[name]).astype(np.float32)
                axis = _weight_axis(node, w.ndim) if per_channel and w.ndim >= 2 else None
                scale, q = _quantize_weight(w, axis, 8 if weights == "int8" else 4)
                qn, s, z = fresh(f"{name}_quantized"), fresh(f"{name}_scale"), \
                    fresh(f"{name}_zero_point")
                if weights == "int8":
                    qt = numpy_helper.from_array(q, qn)
                    zt = numpy_helper.from_array(np.zeros(scale.shape, np.int8), z)
                else:
                    qt = helper.make_tensor(qn, _INT4, q.shape, q.ravel().tolist())
                    zt = helper.make_tensor(z, _INT4, scale.shape,
                                            [0] * int(np.prod(scale.shape, dtype=np.int64)))
                new_inits += [qt, numpy_helper.from_array(scale, s), zt]
                dq = fresh(f"{name}_dequantized")
                attrs = {"axis": axis} if axis is not None else {}
                before[position].append(helper.make_node(
                    "DequantizeLinear", [qn, s, z], [dq], name=f"{name}_DQ", **attrs))
                replaced[name] = dq
            node.input[1] = replaced[name]
    nodes = []
    for position, node in enumerate(graph.node):
        nodes += before[position]
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    still_used = {name for node in graph.node for name in node.input}
    kept = [i for i in graph.initializer if i.name in still_used or i.name not in replaced]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    # Graph inputs that named a replaced initializer (old IR versions) go too.
    inputs = [v for v in graph.input if v.name not in replaced or v.name in still_used]
    del graph.input[:]
    graph.input.extend(inputs)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="strata-quantize",
        description="Calibrate a float ONNX model on sample inputs and write a QDQ model "
                    "(uint8 activations, int8 or int4 weights) for the inputs of every Conv, "
                    "MatMul and Gemm.")
    parser.add_argument("model", help="the fp32 .onnx model")
    parser.add_argument("--calibration", required=True,
                        help=".npz with one array per graph input, one sample per row of "
                             "its leading axis")
    parser.add_argument("-o", "--output", required=True, help="the QDQ .onnx to write")
    parser.add_argument("--method", choices=METHODS, default="minmax",
                        help="how activation ranges are chosen (default: minmax)")
    parser.add_argument("--percentile", type=float, default=99.99,
                        help="for --method percentile: the percentile kept (default 99.99)")
    parser.add_argument("--per-channel", action="store_true",
                        help="one weight scale per output channel (opset 13 or later)")
    parser.add_argument("--weights", choices=WEIGHT_TYPES, default="int8",
                        help="weight type (int4 needs opset 21; default: int8)")
    args = parser.parse_args(argv)
    if not os.path.exists(args.model):
        print(f"strata-quantize: error: model '{args.model}' does not exist", file=sys.stderr)
        return 1
    try:
        ranges = quantize(args.model, args.calibration, args.output, method=args.method,
                          per_channel=args.per_channel, weights=args.weights,
                          percentile=args.percentile)
    except Exception as error:  # QuantizeError, a model strata cannot compile, a bad file
        print(f"strata-quantize: error: {error}", file=sys.stderr)
        return 1
    print(f"strata-quantize: wrote {args.output} ({len(ranges)} activation tensors "
          f"calibrated, method {args.method}, {args.weights} weights"
          f"{', per channel' if args.per_channel else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
