//===- OnnxContribQuantOps.cpp - onnxruntime's quantized contrib ops ------===//
//
// Ops of onnxruntime's com.microsoft domain that its quantization tools
// write into models. Each is composed of standard ops here:
//
//  * QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu,
//    QLinearGlobalAveragePool, QLinearAveragePool, QLinearConcat: every
//    quantized input dequantized (graph.dequantize_linear), the standard
//    op of the same name in fp32 (imported by its own importer, with this
//    node's attributes), and the result quantized with the output's scale
//    and zero point. onnxruntime computes some of them in fixed point, so
//    results may differ from it by one step of the output's scale;
//  * QGemm: alpha * (A' * B' + C) of the dequantized operands (Gemm with
//    beta = alpha, as onnxruntime computes it), the int32 bias C
//    dequantized with a_scale * b_scale; quantized when y_scale is given,
//    fp32 otherwise;
//  * MatMulIntegerToFloat: MatMulInteger (exact int32), then times
//    a_scale * b_scale, plus the bias;
//  * DynamicQuantizeMatMul: A quantized as DynamicQuantizeLinear does
//    (uint8), then as MatMulIntegerToFloat;
//  * DynamicQuantizeLSTM: LSTM over the dequantized W and R (activations
//    stay fp32, where onnxruntime quantizes them per product);
//  * MatMulNBits (weight-only int4 / int8 with a constant B): B unpacked
//    into a uint4 (uint8) constant with a blocked DequantizeLinear along
//    K, then MatMul in fp32 (the weights are fp32 in the library for now).
//
// Integer kernels for these come with QDQ folding; today they run as the
// fp32 and int32 ops above.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxCompose.h"
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "onnx/onnx_pb.h"

#include <atomic>

using namespace mlir;

namespace strata::onnx_import {

namespace {

/// The opset the standard ops are imported at (AveragePool's ceil_mode,
/// count_include_pad and dilations; DequantizeLinear's axis).
constexpr int64_t kStandardOpset = 21;

using Attributes = SmallVector<onnx::AttributeProto>;

/// Imports the standard op `opType` over `inputs` (values, or null for an
/// absent optional input) with `attributes`, at the node's location, so
/// that its errors name this node. Returns its outputs (`numOutputs` of
/// them), empty after an error.
SmallVector<Value> standardOp(NodeContext &ctx, StringRef opType,
                              ArrayRef<Value> inputs,
                              ArrayRef<onnx::AttributeProto> attributes = {},
                              unsigned numOutputs = 1) {
  static std::atomic<unsigned> counter{0};
  GraphState &state = ctx.graphState();
  onnx::NodeProto node;
  node.set_op_type(opType.str());
  node.set_name(ctx.node.name());
  std::string prefix = "strata.contrib." + std::to_string(counter++) + ".";
  SmallVector<std::string> names;
  for (auto [i, value] : llvm::enumerate(inputs)) {
    if (!value) {
      node.add_input("");
      continue;
    }
    names.push_back(prefix + "in" + std::to_string(i));
    state.values[names.back()] = value;
    node.add_input(names.back());
  }
  for (unsigned i = 0; i < numOutputs; ++i) {
    names.push_back(prefix + "out" + std::to_string(i));
    node.add_output(names.back());
    state.usedNames.insert(names.back());
  }
  for (const onnx::AttributeProto &attr : attributes)
    *node.add_attribute() = attr;
  NodeContext inner(state, node, kStandardOpset, ctx.loc);
  OpImporter importer = lookupOpImporter(opType);
  SmallVector<Value> outputs;
  if (importer && succeeded(importer(inner)))
    for (unsigned i = 0; i < numOutputs; ++i)
      outputs.push_back(state.values.lookup(prefix + "out" +
                                            std::to_string(i)));
  for (const std::string &name : names) {
    state.values.erase(name);
    state.usedNames.erase(name);
  }
  if (llvm::any_of(outputs, [](Value v) { return !v; }))
    outputs.clear();
  return outputs;
}

Value standardOp1(NodeContext &ctx, StringRef opType, ArrayRef<Value> inputs,
                  ArrayRef<onnx::AttributeProto> attributes = {}) {
  if (llvm::any_of(inputs.take_front(1), [](Value v) { return !v; }))
    return nullptr;
  SmallVector<Value> outputs = standardOp(ctx, opType, inputs, attributes);
  return outputs.empty() ? nullptr : outputs.front();
}

/// This node's attributes, except those named in `drop`, for the standard
/// op it stands for.
Attributes nodeAttributes(NodeContext &ctx, ArrayRef<StringRef> drop = {}) {
  Attributes attributes;
  for (const onnx::AttributeProto &attr : ctx.node.attribute())
    if (!llvm::is_contained(drop, attr.name()))
      attributes.push_back(attr);
  return attributes;
}

/// Input `i`, which must be present (`what` names it in the error).
Value required(NodeContext &ctx, size_t i, StringRef what) {
  if (!ctx.hasInput(i)) {
    ctx.emitError() << "expects input '" << what << "' (#" << i << ")";
    return nullptr;
  }
  return ctx.input(i);
}

/// Input `i` or null when absent.
Value optional(NodeContext &ctx, size_t i) {
  return ctx.hasInput(i) ? ctx.input(i) : Value();
}

onnx::AttributeProto intAttribute(StringRef name, int64_t value) {
  onnx::AttributeProto attr;
  attr.set_name(name.str());
  attr.set_type(onnx::AttributeProto::INT);
  attr.set_i(value);
  return attr;
}

/// DequantizeLinear(x, scale, zero point) in fp32; a scale of several
/// elements applies along `axis` of x.
Value dequantize(NodeContext &ctx, Value x, Value scale, Value zeroPoint,
                 int64_t axis = 1) {
  if (!x || !scale)
    return nullptr;
  return standardOp1(ctx, "DequantizeLinear", {x, scale, zeroPoint},
                     {intAttribute("axis", axis)});
}

/// Input triple (x, scale, zero point) at `x`, `x + 1`, `x + 2` dequantized.
Value dequantizeInput(NodeContext &ctx, size_t x, StringRef what) {
  return dequantize(ctx, required(ctx, x, what),
                    required(ctx, x + 1, (what + "_scale").str()),
                    optional(ctx, x + 2));
}

/// QuantizeLinear(y, scale, zero point) to the zero point's type (uint8
/// without one).
Value quantize(NodeContext &ctx, Value y, Value scale, Value zeroPoint) {
  if (!y || !scale)
    return nullptr;
  return standardOp1(ctx, "QuantizeLinear", {y, scale, zeroPoint});
}

LogicalResult finish(NodeContext &ctx, Value result) {
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// NHWC <-> NCHW around a pooling op for channels_last = 1.
Value toChannelsFirst(Composer &c, Value v) {
  if (!v)
    return nullptr;
  int64_t rank = Composer::typeOf(v).getRank();
  SmallVector<int64_t> perm = {0, rank - 1};
  for (int64_t d = 1; d < rank - 1; ++d)
    perm.push_back(d);
  return c.transpose(v, perm);
}
Value toChannelsLast(Composer &c, Value v) {
  if (!v)
    return nullptr;
  int64_t rank = Composer::typeOf(v).getRank();
  SmallVector<int64_t> perm = {0};
  for (int64_t d = 2; d < rank; ++d)
    perm.push_back(d);
  perm.push_back(1);
  return c.transpose(v, perm);
}

/// (A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp) -> C.
LogicalResult importQLinearBinary(NodeContext &ctx, StringRef opType) {
  Value a = dequantizeInput(ctx, 0, "A");
  Value b = a ? dequantizeInput(ctx, 3, "B") : Value();
  Value result = standardOp1(ctx, opType, {a, b}, nodeAttributes(ctx));
  return finish(ctx, quantize(ctx, result, required(ctx, 6, "C_scale"),
                              optional(ctx, 7)));
}

/// (X, X_scale, X_zp, Y_scale, Y_zp) -> Y through `opType` in fp32.
LogicalResult importQLinearUnary(NodeContext &ctx, StringRef opType,
                                 bool channelsLastAttr) {
  int64_t channelsLast =
      channelsLastAttr ? ctx.attrs.getInt("channels_last", 0) : 0;
  if (ctx.attrs.failed())
    return failure();
  Composer c(ctx);
  Value x = dequantizeInput(ctx, 0, "X");
  if (channelsLast)
    x = toChannelsFirst(c, x);
  Value y =
      standardOp1(ctx, opType, {x}, nodeAttributes(ctx, {"channels_last"}));
  if (channelsLast)
    y = toChannelsLast(c, y);
  return finish(ctx, quantize(ctx, y, required(ctx, 3, "Y_scale"),
                              optional(ctx, 4)));
}

LogicalResult importQLinearAdd(NodeContext &ctx) {
  return importQLinearBinary(ctx, "Add");
}
LogicalResult importQLinearMul(NodeContext &ctx) {
  return importQLinearBinary(ctx, "Mul");
}
LogicalResult importQLinearSigmoid(NodeContext &ctx) {
  return importQLinearUnary(ctx, "Sigmoid", false);
}
LogicalResult importQLinearLeakyRelu(NodeContext &ctx) {
  return importQLinearUnary(ctx, "LeakyRelu", false);
}
LogicalResult importQLinearGlobalAveragePool(NodeContext &ctx) {
  return importQLinearUnary(ctx, "GlobalAveragePool", true);
}
LogicalResult importQLinearAveragePool(NodeContext &ctx) {
  return importQLinearUnary(ctx, "AveragePool", true);
}

/// (Y_scale, Y_zp, X1, X1_scale, X1_zp, X2, ...) -> Y, attribute axis.
LogicalResult importQLinearConcat(NodeContext &ctx) {
  int64_t count = ctx.node.input_size();
  if (count < 5 || (count - 2) % 3 != 0)
    return ctx.emitError() << "expects Y_scale, Y_zero_point and triples "
                              "(X, X_scale, X_zero_point), got "
                           << count << " inputs";
  SmallVector<Value> parts;
  for (int64_t i = 2; i < count; i += 3) {
    Value part = dequantizeInput(ctx, i, "X");
    if (!part)
      return failure();
    parts.push_back(part);
  }
  Value y = standardOp1(ctx, "Concat", parts, nodeAttributes(ctx));
  return finish(ctx, quantize(ctx, y, required(ctx, 0, "Y_scale"),
                              optional(ctx, 1)));
}

/// a_scale * b_scale (b_scale per tensor or per output column).
Value productScale(NodeContext &ctx, Value aScale, Value bScale) {
  return standardOp1(ctx, "Mul", {aScale, bScale});
}

/// (A, a_scale, a_zp, B, b_scale, b_zp, C, y_scale, y_zp) -> Y.
LogicalResult importQGemm(NodeContext &ctx) {
  float alpha = ctx.attrs.getFloat("alpha", 1.0f);
  int64_t transB = ctx.attrs.getInt("transB", 0);
  if (ctx.attrs.failed())
    return failure();
  Value a = dequantizeInput(ctx, 0, "A");
  // b_scale and b_zero_point hold one element or one per column of Y.
  Value b = a ? dequantize(ctx, required(ctx, 3, "B"),
                           required(ctx, 4, "b_scale"), optional(ctx, 5),
                           transB ? 0 : 1)
              : Value();
  if (!b)
    return failure();
  Value bias;
  if (Value c = optional(ctx, 6)) {
    Value scale = productScale(ctx, ctx.input(1), ctx.input(4));
    bias = dequantize(ctx, c, scale, Value(), /*axis=*/0);
    if (!bias)
      return failure();
  }
  // Y = alpha * (A' * B' + C): Gemm with beta = alpha (alpha, transA and
  // transB are this node's attributes).
  Attributes attributes = nodeAttributes(ctx);
  onnx::AttributeProto &beta = attributes.emplace_back();
  beta.set_name("beta");
  beta.set_type(onnx::AttributeProto::FLOAT);
  beta.set_f(alpha);
  Value y = standardOp1(ctx, "Gemm", {a, b, bias}, attributes);
  if (Value yScale = optional(ctx, 7))
    y = quantize(ctx, y, yScale, optional(ctx, 8));
  return finish(ctx, y);
}

/// (A - a_zp)(B - b_zp) in int32 times `scale`, plus `bias`, in fp32.
Value integerProductToFloat(NodeContext &ctx, Value a, Value b, Value aZero,
                            Value bZero, Value scale, Value bias) {
  if (!a || !b || !scale)
    return nullptr;
  Value product = standardOp1(ctx, "MatMulInteger", {a, b, aZero, bZero});
  Composer c(ctx);
  Value y = c.op("graph.mul", {c.cast(product, c.b.getF32Type()), scale});
  if (bias)
    y = c.op("graph.add", {y, bias});
  return y;
}

/// (A, B, a_scale, b_scale, a_zp, b_zp, bias) -> Y (fp32).
LogicalResult importMatMulIntegerToFloat(NodeContext &ctx) {
  Value scale = productScale(ctx, required(ctx, 2, "a_scale"),
                             required(ctx, 3, "b_scale"));
  return finish(ctx, integerProductToFloat(
                         ctx, required(ctx, 0, "A"), required(ctx, 1, "B"),
                         optional(ctx, 4), optional(ctx, 5), scale,
                         optional(ctx, 6)));
}

/// (A fp32, B, b_scale, b_zp, bias) -> Y (fp32).
LogicalResult importDynamicQuantizeMatMul(NodeContext &ctx) {
  Value a = required(ctx, 0, "A");
  if (!a)
    return failure();
  SmallVector<Value> quantized =
      standardOp(ctx, "DynamicQuantizeLinear", {a}, {}, /*numOutputs=*/3);
  if (quantized.empty())
    return failure();
  Value scale =
      productScale(ctx, quantized[1], required(ctx, 2, "b_scale"));
  return finish(ctx, integerProductToFloat(
                         ctx, quantized[0], required(ctx, 1, "B"),
                         quantized[2], optional(ctx, 3), scale,
                         optional(ctx, 4)));
}

/// ONNX's UINT4 data type, which Debian's libonnx predates.
constexpr int32_t kUint4 = 21;

/// A constant of `dataType` (kUint4 or UINT8) and `shape` from one value
/// per element (each < 16 for UINT4), packed as ONNX stores it.
Value packedConstant(NodeContext &ctx, int32_t dataType,
                     ArrayRef<int64_t> shape, ArrayRef<uint8_t> values) {
  onnx::TensorProto proto;
  proto.set_data_type(dataType);
  for (int64_t d : shape)
    proto.add_dims(d);
  std::string raw;
  if (dataType == kUint4) {
    raw.assign((values.size() + 1) / 2, '\0');
    for (size_t i = 0; i < values.size(); ++i)
      raw[i / 2] = char(uint8_t(raw[i / 2]) | (values[i] << (i % 2 ? 4 : 0)));
  } else {
    raw.assign(values.begin(), values.end());
  }
  proto.set_raw_data(raw);
  FailureOr<ElementsAttr> attr = convertTensor(proto, ctx.loc, ctx.modelDir());
  if (failed(attr))
    return nullptr;
  Composer c(ctx);
  return c.constant(*attr);
}

/// The bytes of a constant uint8 tensor.
std::optional<std::vector<uint8_t>> constantBytes(NodeContext &ctx, size_t i,
                                                  StringRef what) {
  FailureOr<ElementsAttr> value = ctx.constantInput(i, what);
  if (failed(value))
    return std::nullopt;
  auto type = cast<ShapedType>(value->getType());
  if (!type.getElementType().isUnsignedInteger(8)) {
    ctx.emitError() << "input '" << what << "' must be uint8, got "
                    << type.getElementType();
    return std::nullopt;
  }
  DenseElementsAttr dense = asDense(*value);
  if (!dense) {
    ctx.emitError() << "input '" << what << "' cannot be read";
    return std::nullopt;
  }
  std::vector<uint8_t> bytes;
  for (APInt v : dense.getValues<APInt>())
    bytes.push_back(uint8_t(v.getZExtValue()));
  return bytes;
}

/// MatMulNBits(A, B, scales, zero_points, g_idx, bias): A times the
/// transpose of B [N, K], whose `bits`-bit values are stored in blocks of
/// `block_size` along K (B: uint8 [N, blocks, block_size * bits / 8], the
/// first value in the low bits), each block with a scale and a zero point
/// (packed like B; 2^(bits - 1) when absent). B becomes a constant of
/// uint4 (or uint8) values and a blocked DequantizeLinear along K; the
/// product runs in fp32.
LogicalResult importMatMulNBits(NodeContext &ctx) {
  int64_t k = ctx.attrs.getInt("K", 0), n = ctx.attrs.getInt("N", 0);
  int64_t bits = ctx.attrs.getInt("bits", 4);
  int64_t blockSize = ctx.attrs.getInt("block_size", 0);
  if (ctx.attrs.failed())
    return failure();
  if (k <= 0 || n <= 0 || k > (int64_t(1) << 24) || n > (int64_t(1) << 24))
    return ctx.emitError() << "K = " << k << " and N = " << n
                           << " must be positive (and below 2^24)";
  if (bits != 4 && bits != 8)
    return ctx.emitError() << "bits = " << bits
                           << " is not supported (4 or 8)";
  if (blockSize < 16 || (blockSize & (blockSize - 1)))
    return ctx.emitError() << "block_size = " << blockSize
                           << " must be a power of 2 of at least 16";
  if (ctx.hasInput(4))
    return ctx.emitError() << "input 'g_idx' is not supported";
  int64_t blocks = (k + blockSize - 1) / blockSize;
  int64_t blob = blockSize * bits / 8;
  std::optional<std::vector<uint8_t>> packed = constantBytes(ctx, 1, "B");
  if (!packed)
    return failure();
  if (int64_t(packed->size()) != n * blocks * blob)
    return ctx.emitError() << "input 'B' has " << packed->size()
                           << " bytes, expected N * blocks * blob = " << n
                           << " * " << blocks << " * " << blob;
  // Value `index` of row `row` of a packed array `rowBytes` per row.
  auto valueAt = [&](const std::vector<uint8_t> &bytes, int64_t rowBytes,
                     int64_t row, int64_t index) -> uint8_t {
    uint8_t byte = bytes[row * rowBytes + (bits == 4 ? index / 2 : index)];
    return bits == 4 ? (index % 2 ? byte >> 4 : byte & 15) : byte;
  };
  std::vector<uint8_t> values;
  values.reserve(n * k);
  for (int64_t row = 0; row < n; ++row)
    for (int64_t col = 0; col < k; ++col)
      values.push_back(valueAt(*packed, blocks * blob, row, col));
  std::vector<uint8_t> zeros(n * blocks, uint8_t(1) << (bits - 1));
  if (ctx.hasInput(3)) {
    std::optional<std::vector<uint8_t>> zp =
        constantBytes(ctx, 3, "zero_points");
    if (!zp)
      return failure();
    int64_t rowBytes = bits == 4 ? (blocks + 1) / 2 : blocks;
    if (int64_t(zp->size()) != n * rowBytes)
      return ctx.emitError() << "input 'zero_points' has " << zp->size()
                             << " bytes, expected " << n * rowBytes;
    for (int64_t row = 0; row < n; ++row)
      for (int64_t b = 0; b < blocks; ++b)
        zeros[row * blocks + b] = valueAt(*zp, rowBytes, row, b);
  }
  int32_t dataType =
      bits == 4 ? kUint4 : int32_t(onnx::TensorProto::UINT8);
  Value weight = packedConstant(ctx, dataType, {n, k}, values);
  Value zeroPoint = packedConstant(ctx, dataType, {n, blocks}, zeros);
  Composer c(ctx);
  Value scales = c.reshape(required(ctx, 2, "scales"), {n, blocks});
  Value dequantized =
      weight && zeroPoint && scales
          ? standardOp1(ctx, "DequantizeLinear", {weight, scales, zeroPoint},
                        {intAttribute("axis", 1),
                         intAttribute("block_size", blockSize)})
          : Value();
  Value product = c.op("graph.matmul", {required(ctx, 0, "A"),
                                        c.transpose(dequantized, {1, 0})});
  if (Value bias = optional(ctx, 5))
    product = c.op("graph.add", {product, bias});
  return finish(ctx, product);
}

/// A DynamicQuantizeLSTM weight (W [D, input, 4H] or R [D, H, 4H], int8
/// or uint8) dequantized with its scale and zero point (one per direction,
/// [D], or one per gate column, [D, 4H]) and transposed to LSTM's layout
/// [D, 4H, input].
Value lstmWeight(NodeContext &ctx, size_t w, size_t scale, size_t zeroPoint,
                 StringRef what) {
  Value weight = required(ctx, w, what);
  Value s = required(ctx, scale, (what + "_scale").str());
  Value zp = required(ctx, zeroPoint, (what + "_zero_point").str());
  if (!weight || !s || !zp)
    return nullptr;
  auto type = Composer::typeOf(weight);
  auto scaleType = Composer::typeOf(s);
  if (type.getRank() != 3) {
    ctx.emitError() << "input '" << what << "' must have rank 3";
    return nullptr;
  }
  Composer c(ctx);
  int64_t directions = type.getDimSize(0);
  int64_t axis = 0;
  if (scaleType.getRank() == 2) {
    // Per gate column: one direction only (DequantizeLinear takes a 1-D
    // scale along one axis).
    if (directions != 1) {
      ctx.emitError() << "per-column '" << what << "_scale' with "
                      << directions << " directions is not supported";
      return nullptr;
    }
    s = c.reshape(s, {scaleType.getDimSize(1)});
    zp = c.reshape(zp, {scaleType.getDimSize(1)});
    axis = 2;
  }
  Value dequantized = dequantize(ctx, weight, s, zp, axis);
  return c.transpose(dequantized, {0, 2, 1});
}

/// DynamicQuantizeLSTM(X, W, R, B, sequence_lens, initial_h, initial_c, P,
/// W_scale, W_zero_point, R_scale, R_zero_point): the LSTM with W and R
/// dequantized. onnxruntime also quantizes X and each step's hidden state
/// to uint8 before its products; strata keeps them fp32, so results differ
/// from onnxruntime's by that rounding (about a part in 256 of their range).
LogicalResult importDynamicQuantizeLSTM(NodeContext &ctx) {
  if (ctx.hasInput(4))
    return ctx.emitError() << "input 'sequence_lens' is not supported";
  Value x = required(ctx, 0, "X");
  Value w = x ? lstmWeight(ctx, 1, 8, 9, "W") : Value();
  Value r = w ? lstmWeight(ctx, 2, 10, 11, "R") : Value();
  if (!r)
    return failure();
  SmallVector<Value> inputs = {x, w, r};
  for (size_t i = 3; i < 8; ++i)
    inputs.push_back(optional(ctx, i));
  SmallVector<Value> outputs =
      standardOp(ctx, "LSTM", inputs, nodeAttributes(ctx), /*numOutputs=*/3);
  if (outputs.empty())
    return failure();
  for (unsigned i = 0; i < 3; ++i)
    ctx.setOutput(i, outputs[i]);
  return success();
}

} // namespace

OpImporter lookupContribImporter(StringRef opType) {
  static const llvm::StringMap<OpImporter> table = {
      {"QLinearAdd", importQLinearAdd},
      {"QLinearMul", importQLinearMul},
      {"QLinearSigmoid", importQLinearSigmoid},
      {"QLinearLeakyRelu", importQLinearLeakyRelu},
      {"QLinearGlobalAveragePool", importQLinearGlobalAveragePool},
      {"QLinearAveragePool", importQLinearAveragePool},
      {"QLinearConcat", importQLinearConcat},
      {"QGemm", importQGemm},
      {"MatMulIntegerToFloat", importMatMulIntegerToFloat},
      {"DynamicQuantizeMatMul", importDynamicQuantizeMatMul},
      {"MatMulNBits", importMatMulNBits},
      {"DynamicQuantizeLSTM", importDynamicQuantizeLSTM},
  };
  return table.lookup(opType);
}

} // namespace strata::onnx_import
