//===- GraphQuantizationShapes.cpp - (de)quantization: inference ----------===//
//
// The quantized types' storage (QuantizedTypes.h) and the checks of
// graph.quantize_linear / graph.dequantize_linear: element types, and the
// scale's and zero point's shapes against the granularity (per tensor, per
// axis, blocked; GraphQuantizationOps.td).
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"
#include "dialects/graph/QuantizedTypes.h"

using namespace mlir;
using namespace strata::graph;

std::optional<QuantizedStorage> strata::graph::getQuantizedStorage(Type element) {
  if (isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type,
          Float8E5M2FNUZType, Float4E2M1FNType>(element))
    return QuantizedStorage{QuantizedStorage::Kind::Float, true,
                            element.getIntOrFloatBitWidth(), 0, 0};
  auto integer = dyn_cast<IntegerType>(element);
  if (!integer || integer.isSigned())
    return std::nullopt;
  unsigned width = integer.getWidth();
  if (width != 2 && width != 4 && width != 8 && width != 16)
    return std::nullopt;
  bool isSigned = integer.isSignless();
  int64_t min = isSigned ? -(int64_t(1) << (width - 1)) : 0;
  int64_t max = isSigned ? (int64_t(1) << (width - 1)) - 1
                         : (int64_t(1) << width) - 1;
  return QuantizedStorage{QuantizedStorage::Kind::Integer, isSigned, width,
                          min, max};
}

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

bool sameSize(int64_t a, int64_t b) { return a == kDyn || b == kDyn || a == b; }

/// Checks the scale's and zero point's shapes against `input` for the
/// granularity they and `blockSize` select.
LogicalResult checkQuantParams(std::optional<Location> loc,
                               RankedTensorType input, Value scale,
                               Value zeroPoint, int64_t axis,
                               int64_t blockSize) {
  auto scaleType = rankedOf(scale);
  if (!input || !scaleType)
    return emitOptionalError(loc, "expects ranked input and scale");
  // A per-tensor zero point may also have shape [1] (for the narrow types,
  // which graph.reshape does not take).
  auto zpType = rankedOf(zeroPoint);
  bool oneElementZeroPoint = zpType && scaleType.getRank() == 0 &&
                             blockSize == 0 &&
                             zpType.getShape() == ArrayRef<int64_t>{1};
  if (zeroPoint && !oneElementZeroPoint &&
      (!zpType || zpType.getShape() != scaleType.getShape()))
    return emitOptionalError(
        loc, "zero point of shape ",
        zpType ? formatShape(zpType.getShape()) : "?",
        " differs from the scale's shape ",
        formatShape(scaleType.getShape()));
  if (blockSize < 0)
    return emitOptionalError(loc, "'block_size' must be positive, got ",
                             blockSize);
  int64_t rank = input.getRank();
  if (blockSize == 0) {
    if (scaleType.getRank() == 0)
      return success(); // per tensor
    if (scaleType.getRank() != 1)
      return emitOptionalError(
          loc, "scale of shape ", formatShape(scaleType.getShape()),
          " needs a 'block_size' (per tensor: a scalar, per axis: 1-D)");
    if (failed(checkAxis(loc, axis, rank)))
      return failure();
    if (!sameSize(scaleType.getDimSize(0), input.getDimSize(axis)))
      return emitOptionalError(
          loc, "per-axis scale of shape ", formatShape(scaleType.getShape()),
          " does not match dimension ", axis, " of input ",
          formatShape(input.getShape()));
    return success();
  }
  if (scaleType.getRank() != rank)
    return emitOptionalError(loc, "blocked scale of shape ",
                             formatShape(scaleType.getShape()),
                             " must have the input's rank ", rank);
  if (failed(checkAxis(loc, axis, rank)))
    return failure();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = input.getDimSize(d);
    int64_t expected =
        d != axis || size == kDyn ? size : (size + blockSize - 1) / blockSize;
    if (!sameSize(scaleType.getDimSize(d), expected))
      return emitOptionalError(
          loc, "blocked scale of shape ", formatShape(scaleType.getShape()),
          " does not match input ", formatShape(input.getShape()),
          " with block_size ", blockSize, " along axis ", axis);
  }
  return success();
}

} // namespace

LogicalResult QuantizeLinearOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  TypeAttr outputType = adaptor.getOutputTypeAttr();
  if (!outputType || !getQuantizedStorage(outputType.getValue()))
    return emitOptionalError(loc, "'output_type' must be a quantized type "
                                  "(i2, ui2, i4, ui4, i8, ui8, i16, ui16, "
                                  "float8, f4E2M1FN)");
  Type element = outputType.getValue();
  if (auto zp = rankedOf(adaptor.getZeroPoint());
      zp && zp.getElementType() != element)
    return emitOptionalError(loc, "zero point of type ", zp.getElementType(),
                             " differs from 'output_type' ", element);
  if (TypeAttr precision = adaptor.getPrecisionAttr();
      precision && !isa<Float32Type, Float16Type, BFloat16Type>(
                       precision.getValue()))
    return emitOptionalError(loc, "'precision' must be f32, f16 or bf16, got ",
                             precision.getValue());
  if (failed(checkQuantParams(loc, input, adaptor.getScale(),
                              adaptor.getZeroPoint(), adaptor.getAxis(),
                              adaptor.getBlockSize())))
    return failure();
  results.push_back(RankedTensorType::get(input.getShape(), element));
  return success();
}

LogicalResult DequantizeLinearOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  TypeAttr outputType = adaptor.getOutputTypeAttr();
  if (!outputType ||
      !isa<Float32Type, Float16Type, BFloat16Type>(outputType.getValue()))
    return emitOptionalError(loc, "'output_type' must be f32, f16 or bf16");
  if (!input)
    return emitOptionalError(loc, "expects a ranked input");
  if (auto zp = rankedOf(adaptor.getZeroPoint());
      zp && zp.getElementType() != input.getElementType())
    return emitOptionalError(loc, "zero point of type ", zp.getElementType(),
                             " differs from the input's ",
                             input.getElementType());
  if (failed(checkQuantParams(loc, input, adaptor.getScale(),
                              adaptor.getZeroPoint(), adaptor.getAxis(),
                              adaptor.getBlockSize())))
    return failure();
  results.push_back(
      RankedTensorType::get(input.getShape(), outputType.getValue()));
  return success();
}
