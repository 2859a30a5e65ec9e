//===- OnnxTensors.cpp - ONNX tensors and types -> MLIR -------------------===//
//
// TensorProto -> ElementsAttr. Large weights are not copied: the protobuf's
// raw_data string (or the mapped external-data file) becomes the storage of a
// dense_resource blob owned by the MLIRContext.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <memory>

using namespace mlir;
using onnx::TensorProto;

namespace strata::onnx_import {

Type convertElementType(MLIRContext *context, int32_t dataType) {
  Builder b(context);
  switch (dataType) {
  case TensorProto::FLOAT:
    return b.getF32Type();
  case TensorProto::FLOAT16:
    return b.getF16Type();
  case TensorProto::BFLOAT16:
    return b.getBF16Type();
  case TensorProto::INT8:
    return b.getIntegerType(8);
  case TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case TensorProto::INT32:
    return b.getI32Type();
  case TensorProto::INT64:
    return b.getI64Type();
  case TensorProto::BOOL:
    return b.getI1Type();
  case TensorProto::DOUBLE:
    return b.getF64Type();
  case TensorProto::INT16:
    return b.getIntegerType(16);
  case TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  default:
    return convertNarrowElementType(context, dataType);
  }
}

Type convertNarrowElementType(MLIRContext *context, int32_t dataType) {
  Builder b(context);
  // Numbers, not TensorProto's names: libonnx 1.12 predates these types.
  switch (dataType) {
  case kFloat8E4M3FN:
    return b.getType<Float8E4M3FNType>();
  case kFloat8E4M3FNUZ:
    return b.getType<Float8E4M3FNUZType>();
  case kFloat8E5M2:
    return b.getType<Float8E5M2Type>();
  case kFloat8E5M2FNUZ:
    return b.getType<Float8E5M2FNUZType>();
  case kUInt4:
    return b.getIntegerType(4, /*isSigned=*/false);
  case kInt4:
    return b.getIntegerType(4);
  case kFloat4E2M1:
    return b.getType<Float4E2M1FNType>();
  case kFloat8E8M0:
    return b.getType<Float8E8M0FNUType>();
  case kUInt2:
    return b.getIntegerType(2, /*isSigned=*/false);
  case kInt2:
    return b.getIntegerType(2);
  default:
    return nullptr;
  }
}

unsigned packedBits(int32_t dataType) {
  switch (dataType) {
  case kUInt4:
  case kInt4:
  case kFloat4E2M1:
    return 4;
  case kUInt2:
  case kInt2:
    return 2;
  default:
    return 0;
  }
}

std::string dataTypeName(int32_t dataType) {
  static const char *const narrow[] = {
      "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ",
      "UINT4",        "INT4",           "FLOAT4E2M1", "FLOAT8E8M0",
      "UINT2",        "INT2"};
  if (dataType >= kFloat8E4M3FN && dataType <= kInt2)
    return narrow[dataType - kFloat8E4M3FN];
  if (onnx::TensorProto_DataType_IsValid(dataType))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(dataType));
  return std::to_string(dataType);
}

FailureOr<RankedTensorType> convertInputType(const onnx::ValueInfoProto &input,
                                             Location loc) {
  if (!input.type().has_tensor_type())
    return emitError(loc) << "graph input '" << input.name()
                          << "' is not a tensor";
  const auto &tensorType = input.type().tensor_type();
  Type element = convertElementType(loc.getContext(), tensorType.elem_type());
  if (!element)
    return emitError(loc) << "graph input '" << input.name()
                          << "' has unsupported element type "
                          << dataTypeName(tensorType.elem_type());
  if (!tensorType.has_shape())
    return emitError(loc) << "graph input '" << input.name()
                          << "' has no shape (its rank must be known)";
  SmallVector<int64_t> shape;
  for (const auto &dim : tensorType.shape().dim())
    shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0
                        ? dim.dim_value()
                        : ShapedType::kDynamic);
  return RankedTensorType::get(shape, element);
}

namespace {

/// Converts one tensor; `error()` starts a diagnostic that names it.
class TensorConverter {
public:
  TensorConverter(TensorProto &tensor, Location loc, StringRef modelDir)
      : tensor(tensor), loc(loc), modelDir(modelDir),
        name(tensor.name().empty() ? "<unnamed>" : tensor.name()) {}

  FailureOr<ElementsAttr> convert();

private:
  InFlightDiagnostic error() {
    return emitError(loc) << "tensor '" << name << "': ";
  }
  size_t byteWidth() const {
    Type e = type.getElementType();
    return e.getIntOrFloatBitWidth() < 8 ? 1 : e.getIntOrFloatBitWidth() / 8;
  }
  /// Bytes of the stored data: 4-bit and 2-bit types are packed (two or four
  /// elements per byte, the first in the low bits).
  size_t storedBytes() const {
    unsigned bits = packedBits(tensor.data_type());
    if (!bits)
      return numElements * byteWidth();
    return (numElements * bits + 7) / 8;
  }
  /// Packed 4-bit / 2-bit data -> one element per byte in the low bits
  /// (the storage of model_abi.h).
  FailureOr<ElementsAttr> fromPacked(ArrayRef<uint8_t> packed);
  FailureOr<ElementsAttr> fromRawData();
  FailureOr<ElementsAttr> fromExternalData();
  FailureOr<ElementsAttr> fromTypedFields();
  /// `data` (numElements * byteWidth bytes) as an attribute. Small data are
  /// copied and `release` is called at once; large data become a blob that
  /// calls `release` when the context drops it.
  ElementsAttr fromBytes(ArrayRef<char> data,
                         AsmResourceBlob::DeleterFn release);
  template <typename T> FailureOr<ElementsAttr> fromValues(ArrayRef<T> values);
  LogicalResult checkCount(int64_t actual, StringRef field);

  TensorProto &tensor;
  Location loc;
  StringRef modelDir;
  std::string name;
  RankedTensorType type;
  int64_t numElements = 1;
};

} // namespace

FailureOr<ElementsAttr> TensorConverter::convert() {
  Type element = convertElementType(loc.getContext(), tensor.data_type());
  if (!element)
    return error() << "unsupported element type "
                   << dataTypeName(tensor.data_type());
  if (tensor.has_segment())
    return error() << "segmented tensors are not supported";
  SmallVector<int64_t> shape;
  for (int64_t dim : tensor.dims()) {
    // The cap keeps numElements * byteWidth far from overflowing.
    if (dim < 0 || (dim != 0 && numElements > (int64_t(1) << 48) / dim))
      return error() << "invalid or too large dimensions";
    numElements *= dim;
    shape.push_back(dim);
  }
  type = RankedTensorType::get(shape, element);
  if (tensor.data_location() == TensorProto::EXTERNAL)
    return fromExternalData();
  if (tensor.has_raw_data())
    return fromRawData();
  return fromTypedFields();
}

ElementsAttr TensorConverter::fromBytes(ArrayRef<char> data,
                                        AsmResourceBlob::DeleterFn release) {
  auto releaseNow = [&]() -> void {
    if (release)
      release(const_cast<char *>(data.data()), data.size(), 1);
  };
  if (type.getElementType().isInteger(1)) {
    // ONNX stores one byte per bool; DenseElementsAttr packs bits.
    SmallVector<bool> bits;
    for (char byte : data)
      bits.push_back(byte != 0);
    ElementsAttr attr = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
    releaseNow();
    return attr;
  }
  if (data.size() < kResourceThresholdBytes) {
    ElementsAttr attr = DenseElementsAttr::getFromRawBuffer(type, data);
    releaseNow();
    return attr;
  }
  size_t align = byteWidth();
  std::string blobName = tensor.name().empty() ? "onnx_tensor" : tensor.name();
  if (reinterpret_cast<uintptr_t>(data.data()) % align != 0) {
    // Only odd external-data offsets get here: heap buffers are aligned.
    AsmResourceBlob copy = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        data, align, /*dataIsMutable=*/false);
    releaseNow();
    return DenseResourceElementsAttr::get(type, blobName, std::move(copy));
  }
  AsmResourceBlob blob(data, align, std::move(release),
                       /*dataIsMutable=*/false);
  return DenseResourceElementsAttr::get(type, blobName, std::move(blob));
}

FailureOr<ElementsAttr>
TensorConverter::fromPacked(ArrayRef<uint8_t> packed) {
  unsigned bits = packedBits(tensor.data_type());
  unsigned perByte = 8 / bits;
  uint8_t mask = (1u << bits) - 1;
  SmallVector<uint8_t> unpacked(numElements);
  for (int64_t i = 0; i < numElements; ++i)
    unpacked[i] = (packed[i / perByte] >> (bits * (i % perByte))) & mask;
  return fromValues(ArrayRef<uint8_t>(unpacked));
}

FailureOr<ElementsAttr> TensorConverter::fromRawData() {
  size_t expected = storedBytes();
  if (tensor.raw_data().size() != expected)
    return error() << "raw_data has " << tensor.raw_data().size()
                   << " bytes, expected " << expected << " for " << type;
  if (packedBits(tensor.data_type()))
    return fromPacked(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(tensor.raw_data().data()),
        expected));
  if (expected < kResourceThresholdBytes)
    return fromBytes(ArrayRef<char>(tensor.raw_data().data(), expected),
                     nullptr);
  // Take the protobuf's buffer: swapping heap strings moves no bytes.
  auto *owned = new std::string();
  owned->swap(*tensor.mutable_raw_data());
  return fromBytes(ArrayRef<char>(owned->data(), owned->size()),
                   [owned](void *, size_t, size_t) { delete owned; });
}

FailureOr<ElementsAttr> TensorConverter::fromExternalData() {
  std::string location;
  std::optional<uint64_t> offset, length;
  for (const auto &entry : tensor.external_data()) {
    uint64_t number = 0;
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      if (StringRef(entry.value()).getAsInteger(10, number))
        return error() << "external data '" << entry.key()
                       << "' is not a number: '" << entry.value() << "'";
      (entry.key() == "offset" ? offset : length) = number;
    }
  }
  if (location.empty())
    return error() << "external data has no 'location'";
  // Like onnx.checker: the file must lie inside the model's directory.
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    return error() << "external data location '" << location
                   << "' must be a relative path inside the model's directory";
  SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  uint64_t fileSize = 0;
  if (llvm::sys::fs::file_size(path, fileSize))
    return error() << "cannot open external data file '" << path << "'";
  uint64_t begin = offset.value_or(0);
  uint64_t size = storedBytes();
  if (length && *length != size)
    return error() << "external data length is " << *length
                   << " bytes, expected " << size << " for " << type;
  if (begin > fileSize || fileSize - begin < size)
    return error() << "external data file '" << path << "' has " << fileSize
                   << " bytes, fewer than offset " << begin << " + length "
                   << size;
  if (size == 0)
    return fromBytes({}, nullptr);
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, size, begin);
  if (!buffer)
    return error() << "cannot read external data file '" << path
                   << "': " << buffer.getError().message();
  if (packedBits(tensor.data_type()))
    return fromPacked(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()), size));
  // The blob keeps the (possibly memory-mapped) buffer alive.
  llvm::MemoryBuffer *owned = buffer->release();
  return fromBytes(ArrayRef<char>(owned->getBufferStart(), size),
                   [owned](void *, size_t, size_t) { delete owned; });
}

LogicalResult TensorConverter::checkCount(int64_t actual, StringRef field) {
  if (actual == numElements)
    return success();
  return error() << field << " holds " << actual << " values, expected "
                 << numElements << " for " << type;
}

template <typename T>
FailureOr<ElementsAttr> TensorConverter::fromValues(ArrayRef<T> values) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(T));
  if (type.getElementType().isInteger(1) ||
      bytes.size() < kResourceThresholdBytes)
    return fromBytes(bytes, nullptr);
  // Large typed data are rare (exporters write raw_data); copy them.
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      bytes, alignof(T), /*dataIsMutable=*/false);
  std::string blobName = tensor.name().empty() ? "onnx_tensor" : tensor.name();
  return ElementsAttr(
      DenseResourceElementsAttr::get(type, blobName, std::move(blob)));
}

FailureOr<ElementsAttr> TensorConverter::fromTypedFields() {
  switch (tensor.data_type()) {
  case TensorProto::FLOAT:
    if (failed(checkCount(tensor.float_data_size(), "float_data")))
      return failure();
    return fromValues(
        ArrayRef<float>(tensor.float_data().data(), tensor.float_data_size()));
  case TensorProto::INT64:
    if (failed(checkCount(tensor.int64_data_size(), "int64_data")))
      return failure();
    return fromValues(ArrayRef<int64_t>(tensor.int64_data().data(),
                                        tensor.int64_data_size()));
  case TensorProto::INT32:
    if (failed(checkCount(tensor.int32_data_size(), "int32_data")))
      return failure();
    return fromValues(ArrayRef<int32_t>(tensor.int32_data().data(),
                                        tensor.int32_data_size()));
  case TensorProto::DOUBLE:
    if (failed(checkCount(tensor.double_data_size(), "double_data")))
      return failure();
    return fromValues(ArrayRef<double>(tensor.double_data().data(),
                                       tensor.double_data_size()));
  case TensorProto::UINT64:
    if (failed(checkCount(tensor.uint64_data_size(), "uint64_data")))
      return failure();
    return fromValues(ArrayRef<uint64_t>(tensor.uint64_data().data(),
                                         tensor.uint64_data_size()));
  case TensorProto::UINT32: {
    // UINT32 values live in uint64_data too.
    if (failed(checkCount(tensor.uint64_data_size(), "uint64_data")))
      return failure();
    SmallVector<uint32_t> values(tensor.uint64_data().begin(),
                                 tensor.uint64_data().end());
    return fromValues(ArrayRef<uint32_t>(values));
  }
  default:
    break;
  }
  // The narrow types live in int32_data: one value (or, for FLOAT16,
  // BFLOAT16 and the float8 types, the bit pattern) per entry; INT16 and
  // UINT16 keep their low 16 bits. 4-bit and 2-bit types are packed, one
  // byte per entry.
  if (packedBits(tensor.data_type())) {
    if (static_cast<size_t>(tensor.int32_data_size()) != storedBytes())
      return error() << "int32_data holds " << tensor.int32_data_size()
                     << " values, expected " << storedBytes()
                     << " (packed) for " << type;
    SmallVector<uint8_t> packed(tensor.int32_data().begin(),
                                tensor.int32_data().end());
    return fromPacked(packed);
  }
  if (failed(checkCount(tensor.int32_data_size(), "int32_data")))
    return failure();
  if (byteWidth() == 2) {
    SmallVector<uint16_t> bits(tensor.int32_data().begin(),
                               tensor.int32_data().end());
    return fromValues(ArrayRef<uint16_t>(bits));
  }
  SmallVector<uint8_t> bytes;
  for (int32_t v : tensor.int32_data())
    bytes.push_back(static_cast<uint8_t>(v));
  return fromValues(ArrayRef<uint8_t>(bytes));
}

FailureOr<ElementsAttr> convertTensor(TensorProto &tensor, Location loc,
                                      StringRef modelDir) {
  return TensorConverter(tensor, loc, modelDir).convert();
}

/// A dense view of `attr`; dense_resource blobs are copied (only small ones,
/// such as shapes and bounds, are ever read as values).
DenseElementsAttr asDense(ElementsAttr attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense;
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource || !resource.getRawHandle().getBlob())
    return nullptr;
  ArrayRef<char> data = resource.getRawHandle().getBlob()->getData();
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(resource.getType(), data, splat))
    return nullptr;
  return DenseElementsAttr::getFromRawBuffer(resource.getType(), data);
}

std::optional<SmallVector<int64_t>> getIntegerValues(ElementsAttr attr) {
  DenseElementsAttr dense = asDense(attr);
  if (!dense || !isa<IntegerType>(dense.getElementType()))
    return std::nullopt;
  bool isUnsigned = dense.getElementType().isUnsignedInteger();
  SmallVector<int64_t> values;
  for (const APInt &v : dense.getValues<APInt>())
    values.push_back(isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                                : v.getSExtValue());
  return values;
}

std::optional<SmallVector<double>> getFloatValues(ElementsAttr attr) {
  DenseElementsAttr dense = asDense(attr);
  if (!dense || !isa<FloatType>(dense.getElementType()))
    return std::nullopt;
  SmallVector<double> values;
  for (APFloat v : dense.getValues<APFloat>()) {
    bool lost = false;
    v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(v.convertToDouble());
  }
  return values;
}

} // namespace strata::onnx_import
