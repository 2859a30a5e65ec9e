//===- Signature.cpp - a model's inputs and outputs -----------------------===//
#include "lib/driver/Signature.h"

#include "strata/model_abi.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace strata {
namespace {

std::optional<int32_t> dtypeOf(Type type) {
  if (type.isF32())
    return STRATA_DTYPE_F32;
  if (type.isF16())
    return STRATA_DTYPE_F16;
  if (type.isBF16())
    return STRATA_DTYPE_BF16;
  if (type.isF64())
    return STRATA_DTYPE_F64;
  if (type.isUnsignedInteger(8))
    return STRATA_DTYPE_U8;
  if (type.isUnsignedInteger(16))
    return STRATA_DTYPE_U16;
  if (type.isUnsignedInteger(32))
    return STRATA_DTYPE_U32;
  if (type.isUnsignedInteger(64))
    return STRATA_DTYPE_U64;
  if (type.isSignlessInteger(16))
    return STRATA_DTYPE_I16;
  if (type.isSignlessInteger(8))
    return STRATA_DTYPE_I8;
  if (type.isSignlessInteger(32))
    return STRATA_DTYPE_I32;
  if (type.isSignlessInteger(64))
    return STRATA_DTYPE_I64;
  if (type.isSignlessInteger(1))
    return STRATA_DTYPE_BOOL;
  // The narrow types (one element per byte, model_abi.h).
  if (isa<Float8E4M3FNType>(type))
    return STRATA_DTYPE_F8E4M3FN;
  if (isa<Float8E4M3FNUZType>(type))
    return STRATA_DTYPE_F8E4M3FNUZ;
  if (isa<Float8E5M2Type>(type))
    return STRATA_DTYPE_F8E5M2;
  if (isa<Float8E5M2FNUZType>(type))
    return STRATA_DTYPE_F8E5M2FNUZ;
  if (isa<Float8E8M0FNUType>(type))
    return STRATA_DTYPE_F8E8M0;
  if (isa<Float4E2M1FNType>(type))
    return STRATA_DTYPE_F4E2M1;
  if (type.isUnsignedInteger(4))
    return STRATA_DTYPE_U4;
  if (type.isSignlessInteger(4))
    return STRATA_DTYPE_I4;
  if (type.isUnsignedInteger(2))
    return STRATA_DTYPE_U2;
  if (type.isSignlessInteger(2))
    return STRATA_DTYPE_I2;
  return std::nullopt;
}

/// `type` with its leading dimension dynamic again, for messages about an
/// input whose symbolic batch the importer set to 1.
RankedTensorType withDynamicBatch(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = ShapedType::kDynamic;
  return RankedTensorType::get(shape, type.getElementType());
}

FailureOr<TensorSignature> describe(func::FuncOp main, Type type,
                                    StringAttr nameAttr, StringRef kind,
                                    size_t index, bool symbolicBatch = false) {
  std::string name = nameAttr ? nameAttr.str()
                              : (kind + Twine(index)).str();
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return main.emitError() << kind << " '" << name << "' is not a tensor";
  std::optional<int32_t> dtype = dtypeOf(tensor.getElementType());
  if (!dtype)
    return main.emitError() << kind << " '" << name << "' has element type "
                            << tensor.getElementType()
                            << ", which a model signature cannot carry";
  if (!tensor.hasStaticShape() && kind == "input")
    return main.emitError()
           << "input '" << name << "' has a dynamic shape "
           << (symbolicBatch ? withDynamicBatch(tensor) : tensor)
           << "; dynamic dimensions are not supported yet: pin them with "
              "--input-shape "
           << name << "=D0xD1x... (Python: input_shapes={'" << name
           << "': (...)})";
  if (!tensor.hasStaticShape())
    return main.emitError() << "output '" << name << "' has a dynamic shape "
                            << type << " although every input is static";
  TensorSignature signature;
  signature.name = name;
  signature.dtype = *dtype;
  signature.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  return signature;
}

/// `value` in the ABI's layout: little-endian elements of the type's byte
/// size (one byte for i1).
std::vector<uint8_t> abiBytes(DenseElementsAttr value) {
  std::vector<uint8_t> bytes;
  auto append = [&](const APInt &bits) {
    if (bits.getBitWidth() < 8) {
      bytes.push_back(bits.getZExtValue());
      return;
    }
    for (unsigned b = 0; b < bits.getBitWidth() / 8; ++b)
      bytes.push_back(bits.extractBitsAsZExtValue(8, 8 * b));
  };
  if (isa<FloatType>(value.getElementType())) {
    for (const APFloat &v : value.getValues<APFloat>())
      append(v.bitcastToAPInt());
  } else {
    for (const APInt &v : value.getValues<APInt>())
      append(v);
  }
  return bytes;
}

} // namespace

FailureOr<ModelSignature> extractSignature(func::FuncOp main,
                                           StringRef modelName) {
  ModelSignature signature;
  signature.name = modelName.str();
  FunctionType type = main.getFunctionType();
  bool ok = true;
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    auto t = describe(main, type.getInput(i),
                      main.getArgAttrOfType<StringAttr>(i, "graph.name"),
                      "input", i,
                      main.getArgAttr(i, "graph.symbolic_batch") != nullptr);
    if (failed(t)) {
      ok = false;
      continue;
    }
    if (auto pinned =
            main.getArgAttrOfType<DenseElementsAttr>(i, "graph.pinned_value"))
      t->pinnedValue = abiBytes(pinned);
    signature.inputs.push_back(*t);
  }
  // Outputs are dynamic because inputs are: one error per input suffices.
  if (!ok)
    return failure();
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    auto t = describe(main, type.getResult(i),
                      main.getResultAttrOfType<StringAttr>(i, "graph.name"),
                      "output", i);
    if (failed(t))
      ok = false;
    else
      signature.outputs.push_back(*t);
  }
  if (!ok)
    return failure();
  return signature;
}

} // namespace strata
