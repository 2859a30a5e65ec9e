//===- ConstantData.cpp - reading and reshaping constant tensors ----------===//
#include "lib/support/ConstantData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace strata {

std::optional<ArrayRef<char>> rawConstantData(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  Type element = type.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  size_t bytes = type.getNumElements() * (element.getIntOrFloatBitWidth() / 8);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return std::nullopt;
    ArrayRef<char> data = dense.getRawData();
    return data.size() == bytes ? std::optional(data) : std::nullopt;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != bytes)
      return std::nullopt;
    return blob->getData();
  }
  return std::nullopt;
}

ElementsAttr reshapeConstant(Attribute value, ShapedType type) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(type);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(type, resource.getRawHandle());
  return nullptr;
}

ElementsAttr transposeConstant(ElementsAttr attr, ArrayRef<int64_t> perm,
                               StringRef blobName) {
  std::optional<ArrayRef<char>> data = rawConstantData(attr);
  if (!data)
    return nullptr;
  auto type = cast<RankedTensorType>(attr.getType());
  size_t width = type.getElementType().getIntOrFloatBitWidth() / 8;
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape, strides(rank, 1), outShape;
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * type.getDimSize(d + 1);
  for (int64_t p : perm)
    outShape.push_back(type.getDimSize(p));
  // Walk the output in order, reading the input through the permuted
  // strides.
  std::vector<char> out(data->size());
  SmallVector<int64_t> index(rank, 0);
  for (size_t n = 0, total = type.getNumElements(); n < total; ++n) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += index[d] * strides[perm[d]];
    std::memcpy(&out[n * width], data->data() + source * width, width);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  auto outType = RankedTensorType::get(outShape, type.getElementType());
  return DenseResourceElementsAttr::get(
      outType, blobName,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(out, width));
}

std::optional<std::vector<float>> readF32Constant(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  if (!type.getElementType().isF32())
    return std::nullopt;
  size_t count = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat())
    return std::vector<float>(count, dense.getSplatValue<float>());
  std::optional<ArrayRef<char>> data = rawConstantData(attr);
  if (!data)
    return std::nullopt;
  std::vector<float> values(count);
  std::memcpy(values.data(), data->data(), count * sizeof(float));
  return values;
}

std::optional<std::vector<int64_t>> readIntegerConstant(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  auto element = dyn_cast<IntegerType>(type.getElementType());
  if (!element)
    return std::nullopt;
  unsigned width = element.getWidth();
  bool isUnsigned = element.isUnsigned();
  size_t count = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat()) {
    APInt v = dense.getSplatValue<APInt>();
    return std::vector<int64_t>(
        count, isUnsigned ? int64_t(v.getZExtValue()) : v.getSExtValue());
  }
  if (width != 8 && width != 16 && width != 32 && width != 64)
    return std::nullopt;
  std::optional<ArrayRef<char>> data = rawConstantData(attr);
  if (!data)
    return std::nullopt;
  std::vector<int64_t> values(count);
  const char *bytes = data->data();
  for (size_t i = 0; i < count; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, bytes + i * (width / 8), width / 8); // little-endian
    if (width < 64 && !isUnsigned && (raw >> (width - 1)) & 1)
      raw |= ~uint64_t(0) << width;
    values[i] = int64_t(raw);
  }
  return values;
}

ElementsAttr f32Constant(RankedTensorType type, ArrayRef<float> values,
                         StringRef blobName) {
  if (values.size() * sizeof(float) < kResourceThresholdBytes)
    return DenseElementsAttr::get(type, values);
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(float));
  return DenseResourceElementsAttr::get(
      type, blobName,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(float)));
}

} // namespace strata
