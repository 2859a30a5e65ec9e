//===- OnnxOps.cpp - op table; elementwise, matrix and constant ops -------===//
#include "lib/frontend/onnx/OnnxOps.h"

#include "lib/frontend/onnx/OnnxFolding.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace strata::onnx_import {

OpImporter lookupOpImporter(StringRef domain, StringRef opType) {
  if (domain.empty() || domain == "ai.onnx")
    return lookupOpImporter(opType);
  if (domain == "ai.onnx.preview" && opType == "FlexAttention")
    return importFlexAttention;
  if (domain == "com.microsoft")
    return lookupContribImporter(opType);
  return nullptr;
}

OpImporter lookupOpImporter(StringRef opType) {
  static const llvm::StringMap<OpImporter> table = {
      {"Add", importBinary},
      {"Sub", importBinary},
      {"Mul", importBinary},
      {"Div", importBinary},
      {"Relu", importUnary},
      {"Sigmoid", importUnary},
      {"Tanh", importUnary},
      {"Clip", importClip},
      {"MatMul", importMatMul},
      {"Gemm", importGemm},
      {"Constant", importConstant},
      {"Identity", importIdentity},
      {"OptionalHasElement", importOptionalHasElement},
      // Values are plain tensors: an optional holding one is that tensor.
      {"OptionalGetElement", importIdentity},
      {"Dropout", importDropout},
      {"Reshape", importReshape},
      {"Flatten", importFlatten},
      {"Transpose", importTranspose},
      {"Concat", importConcat},
      {"Softmax", importSoftmax},
      {"Conv", importConv},
      {"MaxPool", importMaxPool},
      {"AveragePool", importAveragePool},
      {"GlobalAveragePool", importGlobalAveragePool},
      {"BatchNormalization", importBatchNormalization},
      // Transposed convolution, resampling, top-k, recurrent layers.
      {"ConvTranspose", importConvTranspose},
      {"Resize", importResize},
      {"Upsample", importUpsample},
      {"TopK", importTopK},
      {"BitCast", importBitCast},
      {"GridSample", importGridSample},
      {"RNN", importRecurrent},
      {"GRU", importRecurrent},
      {"LSTM", importRecurrent},
      {"LogSoftmax", importSoftmax},
      {"Hardmax", importSoftmax},
      // Reductions, scans, einsum.
      {"ReduceSum", importReduce},
      {"ReduceMean", importReduce},
      {"ReduceMax", importReduce},
      {"ReduceMin", importReduce},
      {"ReduceProd", importReduce},
      {"ReduceL1", importReduce},
      {"ReduceL2", importReduce},
      {"ReduceLogSum", importReduce},
      {"ReduceLogSumExp", importReduce},
      {"ReduceSumSquare", importReduce},
      {"ArgMax", importArgReduce},
      {"ArgMin", importArgReduce},
      {"CumSum", importCumSum},
      {"CumProd", importCumSum},
      {"Einsum", importEinsum},
      // Indexing and data movement.
      {"Gather", importGather},
      {"GatherElements", importGatherElements},
      {"GatherND", importGatherND},
      {"ScatterND", importScatterND},
      {"ScatterElements", importScatterElements},
      {"Scatter", importScatterElements},
      {"Slice", importSlice},
      {"Split", importSplit},
      {"Pad", importPad},
      {"Trilu", importTrilu},
      {"OneHot", importOneHot},
      {"Squeeze", importSqueeze},
      {"Unsqueeze", importUnsqueeze},
      {"DepthToSpace", importDepthSpace},
      {"SpaceToDepth", importDepthSpace},
      {"Tile", importTile},
      {"Expand", importExpand},
      {"Shape", importShape},
      {"Size", importSize},
      {"Range", importRange},
      {"Scan", importScan},
      {"HannWindow", importWindow},
      {"DFT", importDft},
      {"CausalConvWithState", importCausalConvWithState},
      {"LinearAttention", importLinearAttention},
      {"CenterCropPad", importCenterCropPad},
      {"Compress", importCompress},
      {"HammingWindow", importWindow},
      {"BlackmanWindow", importWindow},
      {"MelWeightMatrix", importMelWeightMatrix},
      {"Loop", importLoop},
      {"If", importIf},
      {"ConstantOfShape", importConstantOfShape},
      // Normalization.
      {"LayerNormalization", importLayerNormalization},
      {"InstanceNormalization", importInstanceNormalization},
      {"GroupNormalization", importGroupNormalization},
      {"LpNormalization", importLpNormalization},
      {"RMSNormalization", importRMSNormalization},
      {"Attention", importAttention},
      {"RotaryEmbedding", importRotaryEmbedding},
      {"Swish", importGatedActivation},
      {"SwiGLU", importGatedActivation},
      // Losses and other compositions of graph ops.
      {"NegativeLogLikelihoodLoss", importNegativeLogLikelihoodLoss},
      {"SoftmaxCrossEntropyLoss", importSoftmaxCrossEntropyLoss},
      {"LpPool", importLpPool},
      {"LRN", importLRN},
      {"GlobalMaxPool", importGlobalMaxPool},
      {"MeanVarianceNormalization", importMeanVarianceNormalization},
      {"EyeLike", importEyeLike},
      {"ReverseSequence", importReverseSequence},
      // Quantization.
      {"QuantizeLinear", importQuantizeLinear},
      {"DequantizeLinear", importDequantizeLinear},
      {"DynamicQuantizeLinear", importDynamicQuantizeLinear},
      {"MatMulInteger", importMatMulInteger},
      {"QLinearMatMul", importQLinearMatMul},
      {"ConvInteger", importConvInteger},
      {"QLinearConv", importQLinearConv},
  };
  if (OpImporter importer = table.lookup(opType))
    return importer;
  return lookupElementwiseImporter(opType);
}

std::optional<SmallVector<int64_t>> constantInts(NodeContext &ctx, size_t i,
                                                 StringRef what) {
  FailureOr<ElementsAttr> value = ctx.constantInput(i, what);
  if (failed(value))
    return std::nullopt;
  std::optional<SmallVector<int64_t>> values = getIntegerValues(*value);
  if (!values)
    ctx.emitError() << "input '" << what << "' must be an integer tensor";
  return values;
}

std::optional<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                     int64_t rank, int64_t extra) {
  if (axis < -rank || axis >= rank + extra) {
    ctx.emitError() << "axis " << axis << " is out of range [" << -rank << ", "
                    << rank + extra << ") for a rank-" << rank << " input";
    return std::nullopt;
  }
  return axis < 0 ? axis + rank : axis;
}

/// Checks that the first `min` inputs are present.
static LogicalResult expectInputs(NodeContext &ctx, size_t min) {
  for (size_t i = 0; i < min; ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects at least " << min << " inputs";
  return success();
}

/// Before opset 7, Add/Sub/Mul/Div broadcast only with `broadcast` = 1, and
/// then aligned B with A's dimensions from `axis` on (default: the trailing
/// ones). The graph dialect broadcasts as numpy does; accept the model when
/// both rules agree.
LogicalResult checkLegacyBroadcast(NodeContext &ctx, RankedTensorType a,
                                   RankedTensorType b) {
  int64_t broadcast = ctx.attrs.getInt("broadcast", 0);
  std::optional<int64_t> axis;
  if (ctx.attrs.has("axis"))
    axis = ctx.attrs.getInt("axis", 0);
  if (ctx.attrs.failed())
    return failure();
  auto compatible = [](int64_t x, int64_t y) {
    return x == y || ShapedType::isDynamic(x) || ShapedType::isDynamic(y);
  };
  ArrayRef<int64_t> as = a.getShape(), bs = b.getShape();
  if (!broadcast) {
    if (as.size() == bs.size() && llvm::all_of(llvm::zip(as, bs), [&](auto p) {
          return compatible(std::get<0>(p), std::get<1>(p));
        }))
      return success();
    return ctx.emitError() << "shapes " << formatShape(as) << " and "
                           << formatShape(bs) << " differ and 'broadcast' is "
                           << "not set (opset " << ctx.opset << " < 7)";
  }
  int64_t rank = as.size(), brank = bs.size();
  int64_t start = axis.value_or(rank - brank);
  bool fits = brank <= rank && start >= 0 && start + brank <= rank;
  // B as legacy broadcasting places it, padded with 1s to A's rank, against
  // where numpy places it; then each dimension must fit A's.
  SmallVector<int64_t> legacy(rank, 1), numpy(rank, 1);
  for (int64_t i = 0; fits && i < brank; ++i) {
    legacy[start + i] = bs[i];
    numpy[rank - brank + i] = bs[i];
  }
  fits = fits && legacy == numpy &&
         llvm::all_of(llvm::seq<int64_t>(0, rank), [&](int64_t i) {
           return numpy[i] == 1 || compatible(numpy[i], as[i]);
         });
  if (fits)
    return success();
  return ctx.emitError() << "legacy broadcasting (opset " << ctx.opset
                         << " < 7) of " << formatShape(bs) << " to "
                         << formatShape(as)
                         << (axis ? " at axis " + std::to_string(*axis) : "")
                         << " differs from numpy broadcasting";
}

LogicalResult importBinary(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2)))
    return failure();
  if (foldElementwise(ctx)) // constant inputs (shape computations)
    return success();
  StringRef opType = ctx.node.op_type();
  StringRef opName = llvm::StringSwitch<StringRef>(opType)
                         .Case("Add", "graph.add")
                         .Case("Sub", "graph.sub")
                         .Case("Mul", "graph.mul")
                         .Default("graph.div");
  if (ctx.opset < 7 &&
      failed(checkLegacyBroadcast(ctx, ctx.inputType(0), ctx.inputType(1))))
    return failure();
  Value result = ctx.create(opName, {ctx.input(0), ctx.input(1)});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importUnary(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1)))
    return failure();
  if (foldElementwise(ctx)) // Relu of a constant (shape computations)
    return success();
  StringRef opName = llvm::StringSwitch<StringRef>(ctx.node.op_type())
                         .Case("Relu", "graph.relu")
                         .Case("Sigmoid", "graph.sigmoid")
                         .Default("graph.tanh");
  Value result = ctx.create(opName, {ctx.input(0)});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importMatMul(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2)))
    return failure();
  Value result = ctx.create("graph.matmul", {ctx.input(0), ctx.input(1)});
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importGemm(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 2)))
    return failure();
  // C is optional from opset 11; the pre-7 `broadcast` attribute only
  // allowed a subset of what numpy broadcasting accepts, so it is ignored.
  Builder b(ctx.getContext());
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("alpha",
                     b.getF32FloatAttr(ctx.attrs.getFloat("alpha", 1))),
      b.getNamedAttr("beta", b.getF32FloatAttr(ctx.attrs.getFloat("beta", 1))),
      b.getNamedAttr("trans_a", b.getBoolAttr(ctx.attrs.getInt("transA", 0))),
      b.getNamedAttr("trans_b", b.getBoolAttr(ctx.attrs.getInt("transB", 0)))};
  if (ctx.attrs.failed())
    return failure();
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.hasInput(2))
    operands.push_back(ctx.input(2));
  Value result = ctx.create("graph.gemm", operands, attrs);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importConstant(NodeContext &ctx) {
  Builder b(ctx.getContext());
  if (ctx.node.attribute_size() != 1)
    return ctx.emitError() << "expects exactly one attribute holding the value";
  onnx::AttributeProto &attr = *ctx.node.mutable_attribute(0);
  StringRef name = attr.name();
  ElementsAttr value;
  if (name == "value") {
    // The tensor's name (often empty here) names its errors and its blob.
    if (attr.t().name().empty() && ctx.hasOutput(0))
      attr.mutable_t()->set_name(ctx.node.output(0));
    FailureOr<ElementsAttr> converted =
        convertTensor(*attr.mutable_t(), ctx.loc, ctx.modelDir());
    if (failed(converted))
      return failure();
    value = *converted;
  } else if (name == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   ctx.attrs.getFloat(name, 0));
  } else if (name == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   ctx.attrs.getInt(name, 0));
  } else if (name == "value_floats") {
    SmallVector<float> v =
        ctx.attrs.getFloats(name).value_or(SmallVector<float>());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()),
        ArrayRef<float>(v));
  } else if (name == "value_ints") {
    SmallVector<int64_t> v =
        ctx.attrs.getInts(name).value_or(SmallVector<int64_t>());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()),
        ArrayRef<int64_t>(v));
  } else {
    return ctx.emitError() << "Constant with attribute '" << name
                           << "' is not supported";
  }
  if (ctx.attrs.failed())
    return failure();
  ctx.setConstantOutput(0, value);
  return success();
}

LogicalResult importIdentity(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1)))
    return failure();
  ctx.forwardInput(0, 0);
  return success();
}

LogicalResult importOptionalHasElement(NodeContext &ctx) {
  // strata values are plain tensors, never empty optionals: only a missing
  // input is "no element".
  auto type = RankedTensorType::get({}, IntegerType::get(ctx.getContext(), 1));
  ctx.setConstantOutput(0, DenseElementsAttr::get(type, ctx.hasInput(0)));
  return success();
}

LogicalResult importDropout(NodeContext &ctx) {
  if (failed(expectInputs(ctx, 1)))
    return failure();
  // Inference: Dropout is the identity. Opset 12 made training a (usually
  // constant) input; training with a constant ratio of 0 is the identity
  // too. A random mask (training with another ratio) cannot be compiled.
  if (ctx.opset >= 12 && ctx.hasInput(2)) {
    FailureOr<ElementsAttr> training = ctx.constantInput(2, "training_mode");
    if (failed(training))
      return failure();
    std::optional<SmallVector<int64_t>> v = getIntegerValues(*training);
    if (!v || v->size() != 1)
      return ctx.emitError() << "'training_mode' must be a scalar";
    if (v->front() != 0) {
      if (!ctx.hasInput(1))
        return ctx.emitError() << "training (random dropout, default ratio "
                                  "0.5) is not supported";
      FailureOr<ElementsAttr> ratio = ctx.constantInput(1, "ratio");
      if (failed(ratio))
        return failure();
      if (ratio->getNumElements() != 1 ||
          !isa<FloatType>(ratio->getElementType()) ||
          !(*ratio).getValues<APFloat>()[0].isZero())
        return ctx.emitError() << "training is supported only with a "
                                  "constant 'ratio' of 0 (random dropout "
                                  "cannot be compiled)";
    }
  }
  if (ctx.isOutputUsed(1)) {
    // Nothing is dropped: the mask is all true.
    RankedTensorType type = ctx.inputType(0);
    if (!type)
      return failure();
    if (!type.hasStaticShape())
      return ctx.emitError() << "the 'mask' output needs a static input "
                                "shape, got "
                             << formatShape(type.getShape());
    Builder b(ctx.getContext());
    auto maskType = RankedTensorType::get(type.getShape(), b.getI1Type());
    ctx.setConstantOutput(1, DenseElementsAttr::get(maskType, true));
  }
  ctx.forwardInput(0, 0);
  return success();
}

} // namespace strata::onnx_import
