//===- OnnxOps.h - per-operator import functions ----------------*- C++ -*-===//
//
// One function per ONNX operator (or family), found by op type in a table.
// A function reads its node through NodeContext, emits its errors at the
// node's location, and defines the node's outputs on success.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXOPS_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXOPS_H

#include "dialects/graph/GraphShapeUtils.h"
#include "lib/frontend/onnx/OnnxNodeContext.h"

namespace strata::onnx_import {

using OpImporter = mlir::LogicalResult (*)(NodeContext &);

/// The importer of `opType` in the default ONNX domain, or null if strata
/// does not support it.
OpImporter lookupOpImporter(llvm::StringRef opType);
/// The importer of `opType` in `domain` ("" or "ai.onnx" for the default
/// one), or null.
OpImporter lookupOpImporter(llvm::StringRef domain, llvm::StringRef opType);
/// onnxruntime's quantized ops of the com.microsoft domain
/// (OnnxContribQuantOps.cpp); null for the others.
OpImporter lookupContribImporter(llvm::StringRef opType);

// OnnxOps.cpp: elementwise, matrix products, constants, pass-throughs.
mlir::LogicalResult importBinary(NodeContext &ctx);
mlir::LogicalResult importUnary(NodeContext &ctx);
mlir::LogicalResult importMatMul(NodeContext &ctx);
mlir::LogicalResult importGemm(NodeContext &ctx);
mlir::LogicalResult importConstant(NodeContext &ctx);
mlir::LogicalResult importIdentity(NodeContext &ctx);
mlir::LogicalResult importOptionalHasElement(NodeContext &ctx);
mlir::LogicalResult importDropout(NodeContext &ctx);

// OnnxElementwiseOps.cpp: every other elementwise op, found through
// lookupElementwiseImporter when lookupOpImporter's own table has no entry.
OpImporter lookupElementwiseImporter(llvm::StringRef opType);
mlir::LogicalResult importClip(NodeContext &ctx);

// OnnxShapeOps.cpp: shape and data movement.
mlir::LogicalResult importReshape(NodeContext &ctx);
mlir::LogicalResult importFlatten(NodeContext &ctx);
mlir::LogicalResult importTranspose(NodeContext &ctx);
mlir::LogicalResult importConcat(NodeContext &ctx);
/// Softmax, LogSoftmax and Hardmax (with their pre-13 semantics).
mlir::LogicalResult importSoftmax(NodeContext &ctx);

// OnnxReduceOps.cpp: reductions, arg-reductions, scans, einsum.
mlir::LogicalResult importReduce(NodeContext &ctx);
mlir::LogicalResult importArgReduce(NodeContext &ctx);
/// CumSum and CumProd.
mlir::LogicalResult importCumSum(NodeContext &ctx);
mlir::LogicalResult importEinsum(NodeContext &ctx);

// OnnxIndexingOps.cpp: gathers, scatters, slices, padding.
mlir::LogicalResult importGather(NodeContext &ctx);
mlir::LogicalResult importGatherElements(NodeContext &ctx);
mlir::LogicalResult importGatherND(NodeContext &ctx);
mlir::LogicalResult importScatterND(NodeContext &ctx);
mlir::LogicalResult importSlice(NodeContext &ctx);
mlir::LogicalResult importSplit(NodeContext &ctx);
mlir::LogicalResult importPad(NodeContext &ctx);
mlir::LogicalResult importTrilu(NodeContext &ctx);
mlir::LogicalResult importOneHot(NodeContext &ctx);

// OnnxLayoutOps.cpp: reshape-like ops, repetition, shape constants.
mlir::LogicalResult importSqueeze(NodeContext &ctx);
mlir::LogicalResult importUnsqueeze(NodeContext &ctx);
mlir::LogicalResult importDepthSpace(NodeContext &ctx);
mlir::LogicalResult importTile(NodeContext &ctx);
mlir::LogicalResult importExpand(NodeContext &ctx);
mlir::LogicalResult importShape(NodeContext &ctx);
mlir::LogicalResult importSize(NodeContext &ctx);
mlir::LogicalResult importRange(NodeContext &ctx);
mlir::LogicalResult importConstantOfShape(NodeContext &ctx);

// OnnxNormalizationOps.cpp: normalizations over axes.
mlir::LogicalResult importLayerNormalization(NodeContext &ctx);
mlir::LogicalResult importInstanceNormalization(NodeContext &ctx);
mlir::LogicalResult importGroupNormalization(NodeContext &ctx);
mlir::LogicalResult importLpNormalization(NodeContext &ctx);
mlir::LogicalResult importRMSNormalization(NodeContext &ctx);

// OnnxAttentionOps.cpp: Attention composed of graph ops.
mlir::LogicalResult importAttention(NodeContext &ctx);
// OnnxRotaryEmbeddingOps.cpp, OnnxGatedActivationOps.cpp: compositions.
mlir::LogicalResult importRotaryEmbedding(NodeContext &ctx);
/// Swish and SwiGLU.
mlir::LogicalResult importGatedActivation(NodeContext &ctx);

// OnnxNNOps.cpp: convolution, pooling, normalization.
mlir::LogicalResult importConv(NodeContext &ctx);
mlir::LogicalResult importMaxPool(NodeContext &ctx);
mlir::LogicalResult importAveragePool(NodeContext &ctx);
mlir::LogicalResult importGlobalAveragePool(NodeContext &ctx);
mlir::LogicalResult importBatchNormalization(NodeContext &ctx);
/// Conv's attributes (strides, pads or auto_pad, ...) applied to the given
/// operands (bias may be null): a graph.conv, or null after an error.
mlir::Value buildConv(NodeContext &ctx, mlir::Value input, mlir::Value weight,
                      mlir::Value bias);
/// MaxPool's Indices output for `pooled` (OnnxMaxPoolIndices.cpp).
mlir::Value buildMaxPoolIndices(NodeContext &ctx, mlir::Value pooled,
                                llvm::ArrayRef<int64_t> kernel,
                                llvm::ArrayRef<int64_t> strides,
                                llvm::ArrayRef<int64_t> dilations,
                                llvm::ArrayRef<int64_t> pads, bool columnMajor);

// OnnxQuantizationOps.cpp: linear (de)quantization and integer products.
mlir::LogicalResult importQuantizeLinear(NodeContext &ctx);
mlir::LogicalResult importDequantizeLinear(NodeContext &ctx);
mlir::LogicalResult importDynamicQuantizeLinear(NodeContext &ctx);
mlir::LogicalResult importMatMulInteger(NodeContext &ctx);
mlir::LogicalResult importQLinearMatMul(NodeContext &ctx);
mlir::LogicalResult importConvInteger(NodeContext &ctx);
mlir::LogicalResult importQLinearConv(NodeContext &ctx);

// OnnxConvTransposeOps.cpp, OnnxResizeOps.cpp, OnnxTopKOps.cpp,
// OnnxRecurrentOps.cpp.
mlir::LogicalResult importConvTranspose(NodeContext &ctx);
mlir::LogicalResult importResize(NodeContext &ctx);
mlir::LogicalResult importUpsample(NodeContext &ctx);
mlir::LogicalResult importTopK(NodeContext &ctx);
mlir::LogicalResult importBitCast(NodeContext &ctx);
mlir::LogicalResult importGridSample(NodeContext &ctx);
/// RNN, GRU and LSTM.
mlir::LogicalResult importRecurrent(NodeContext &ctx);

// OnnxControlFlowOps.cpp: Scan and Loop, unrolled; If; subgraphs inlined.
mlir::LogicalResult importScan(NodeContext &ctx);
mlir::LogicalResult importLoop(NodeContext &ctx);
mlir::LogicalResult importIf(NodeContext &ctx);
/// Imports the nodes of `graph` (a node's graph attribute) at the current
/// insertion point, in a child scope of the node's, with its inputs bound to
/// `inputs`; returns its outputs' values, or failure after reporting.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
inlineSubgraph(NodeContext &ctx, const onnx::GraphProto &graph,
               mlir::ValueRange inputs);

// OnnxSelectOps.cpp: a statically known part of the input.
mlir::LogicalResult importCenterCropPad(NodeContext &ctx);
mlir::LogicalResult importCompress(NodeContext &ctx);

// OnnxLinearAttentionOps.cpp: LinearAttention, unrolled over tokens.
mlir::LogicalResult importLinearAttention(NodeContext &ctx);

// OnnxCausalConvOps.cpp: CausalConvWithState as shifted slices.
mlir::LogicalResult importCausalConvWithState(NodeContext &ctx);

// OnnxDftOps.cpp: DFT as products with constant matrices.
mlir::LogicalResult importDft(NodeContext &ctx);

// OnnxWindowFunctionOps.cpp: Hann, Hamming and Blackman windows, computed at
// import.
mlir::LogicalResult importWindow(NodeContext &ctx);
mlir::LogicalResult importMelWeightMatrix(NodeContext &ctx);

// OnnxFlexAttentionOps.cpp (domain ai.onnx.preview).
mlir::LogicalResult importFlexAttention(NodeContext &ctx);

// OnnxLossOps.cpp: losses composed of graph ops.
mlir::LogicalResult importNegativeLogLikelihoodLoss(NodeContext &ctx);
mlir::LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &ctx);

// OnnxScatterElementsOps.cpp: ScatterElements (and Scatter) as scatter_nd.
mlir::LogicalResult importScatterElements(NodeContext &ctx);

// OnnxSlidingWindowOps.cpp, OnnxComposedOps.cpp: more graph-op compositions.
mlir::LogicalResult importLpPool(NodeContext &ctx);
mlir::LogicalResult importLRN(NodeContext &ctx);
mlir::LogicalResult importGlobalMaxPool(NodeContext &ctx);
mlir::LogicalResult importMeanVarianceNormalization(NodeContext &ctx);
mlir::LogicalResult importEyeLike(NodeContext &ctx);
mlir::LogicalResult importReverseSequence(NodeContext &ctx);

/// Before opset 7, binary ops broadcast only with `broadcast` = 1 (and
/// then from `axis`): accepts the node when that agrees with numpy
/// broadcasting of `a` and `b`, otherwise reports it.
mlir::LogicalResult checkLegacyBroadcast(NodeContext &ctx,
                                         mlir::RankedTensorType a,
                                         mlir::RankedTensorType b);

/// The values of input `i` (ONNX name `what`), which must be a constant
/// integer tensor; nullopt after reporting that it is not.
std::optional<llvm::SmallVector<int64_t>>
constantInts(NodeContext &ctx, size_t i, llvm::StringRef what);

/// "[1,?,3]" for diagnostics.
using ::strata::graph::formatShape;

/// Normalizes an `axis` in [-rank, rank + extra) of a rank-`rank` tensor
/// (negative counts from the back) into [0, rank + extra); emits an error
/// and returns nullopt when out of range.
std::optional<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                     int64_t rank, int64_t extra = 0);

} // namespace strata::onnx_import

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXOPS_H
