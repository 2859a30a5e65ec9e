//===- NarrowTypes.cpp - narrow graph types -> i8 storage -----------------===//
//
// See NarrowTypes.h.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/NarrowTypes.h"

#include "dialects/graph/GraphElementwise.h"
#include "passes/graph/LoweringPatterns.h"

#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace strata::lowering {

Type storageType(Type type) {
  if (graph::isNarrowElementType(type))
    return IntegerType::get(type.getContext(), 8);
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    Type element = storageType(tensor.getElementType());
    return element == tensor.getElementType() ? type : tensor.clone(element);
  }
  return type;
}

Value castToStorage(OpBuilder &builder, Location loc, Value value) {
  Type type = storageType(value.getType());
  if (type == value.getType())
    return castToSignless(builder, loc, value);
  return UnrealizedConversionCastOp::create(builder, loc, type, value)
      .getResult(0);
}

Value castFromStorage(OpBuilder &builder, Location loc, Value value,
                      Type type) {
  if (storageType(type) == type)
    return castFromSignless(builder, loc, value, type);
  return UnrealizedConversionCastOp::create(builder, loc, type, value)
      .getResult(0);
}

namespace {

/// The storage byte of one element of dense data: the bit pattern, zero
/// extended (a 4-bit -1 is 0x0F).
APInt storageBits(const APInt &bits) { return bits.zextOrTrunc(8); }

} // namespace

void eraseNarrowTypes(Operation *root) {
  AttrTypeReplacer replacer;
  replacer.addReplacement([](Type type) -> std::optional<Type> {
    if (!graph::isNarrowElementType(type))
      return std::nullopt;
    return IntegerType::get(type.getContext(), 8);
  });
  replacer.addReplacement(
      [](DenseIntOrFPElementsAttr attr) -> std::optional<Attribute> {
        Type element = attr.getElementType();
        if (!graph::isNarrowElementType(element))
          return std::nullopt;
        auto type = cast<ShapedType>(storageType(attr.getType()));
        SmallVector<APInt> bytes;
        if (isa<FloatType>(element)) {
          for (const APFloat &v : attr.getValues<APFloat>())
            bytes.push_back(storageBits(v.bitcastToAPInt()));
        } else {
          for (const APInt &v : attr.getValues<APInt>())
            bytes.push_back(storageBits(v));
        }
        return DenseElementsAttr::get(type, bytes);
      });
  // Blobs already hold one storage byte per element (the importer unpacks
  // ONNX's packed data).
  replacer.addReplacement(
      [](DenseResourceElementsAttr attr) -> std::optional<Attribute> {
        auto type = cast<ShapedType>(storageType(attr.getType()));
        if (type == attr.getType())
          return std::nullopt;
        return DenseResourceElementsAttr::get(type, attr.getRawHandle());
      });
  replacer.recursivelyReplaceElementsIn(root, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/false,
                                        /*replaceTypes=*/true);
  root->walk([](UnrealizedConversionCastOp cast) {
    if (cast->getNumOperands() == 1 && cast->getNumResults() == 1 &&
        cast.getOperand(0).getType() == cast.getResult(0).getType()) {
      cast.getResult(0).replaceAllUsesWith(cast.getOperand(0));
      cast.erase();
    }
  });
}

} // namespace strata::lowering
