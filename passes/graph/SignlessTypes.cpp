//===- SignlessTypes.cpp - unsigned graph types -> signless linalg types --===//
//
// The graph dialect keeps ONNX's unsigned types (ui8, ui16, ui32, ui64)
// because they change the meaning of division, comparison, widening and
// conversion. arith only computes on signless integers, so:
//
//  * while graph ops are lowered, a pattern that computes on an unsigned
//    tensor reads it through castToSignless (a tensor.bitcast to the
//    signless tensor type; an unrealized_conversion_cast would make the
//    conversion driver reject the pattern), picks the unsigned arith op itself
//    (divui, cmpi ult, uitofp, extui, ...) and casts its result back with
//    castFromSignless, so that its users still see the graph type;
//  * once every graph op is lowered, eraseUnsignedTypes rewrites the types
//    left in the module (function signatures, block arguments, results,
//    constants) to their signless forms; the casts then connect equal types
//    and are dropped.
//
// Ops that only move data (reshape, transpose, concat, constants) need no
// cast: they never look at the bits, and the final rewrite retypes them.
// The model signature is read from the graph types before lowering, so a
// ui8 input stays STRATA_DTYPE_U8 for the runtime.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"

#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace strata::lowering {

Type signlessType(Type type) {
  if (auto integer = dyn_cast<IntegerType>(type))
    return integer.isUnsigned()
               ? IntegerType::get(type.getContext(), integer.getWidth())
               : type;
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    Type element = signlessType(tensor.getElementType());
    return element == tensor.getElementType() ? type
                                              : tensor.clone(element);
  }
  return type;
}

Value castToSignless(OpBuilder &builder, Location loc, Value value) {
  Type type = signlessType(value.getType());
  if (type == value.getType())
    return value;
  return tensor::BitcastOp::create(builder, loc, type, value);
}

Value castFromSignless(OpBuilder &builder, Location loc, Value value,
                       Type type) {
  if (type == value.getType())
    return value;
  return tensor::BitcastOp::create(builder, loc, type, value);
}

void eraseUnsignedTypes(Operation *root) {
  AttrTypeReplacer replacer;
  replacer.addReplacement([](IntegerType type) -> std::optional<Type> {
    if (!type.isUnsigned())
      return std::nullopt;
    return IntegerType::get(type.getContext(), type.getWidth());
  });
  // Dense data keep their bits under the signless type of the same width.
  replacer.addReplacement(
      [](DenseIntElementsAttr attr) -> std::optional<Attribute> {
        Type element = signlessType(attr.getElementType());
        if (element == attr.getElementType())
          return std::nullopt;
        return attr.bitcast(element);
      });
  replacer.addReplacement(
      [](DenseResourceElementsAttr attr) -> std::optional<Attribute> {
        auto type = cast<ShapedType>(signlessType(attr.getType()));
        if (type == attr.getType())
          return std::nullopt;
        return DenseResourceElementsAttr::get(type, attr.getRawHandle());
      });
  replacer.recursivelyReplaceElementsIn(root, /*replaceAttrs=*/true,
                                        /*replaceLocs=*/false,
                                        /*replaceTypes=*/true);
  // The bitcasts of castToSignless / castFromSignless now connect equal
  // types.
  root->walk([](tensor::BitcastOp cast) {
    if (cast.getSource().getType() == cast.getType()) {
      cast.getResult().replaceAllUsesWith(cast.getSource());
      cast.erase();
    }
  });
}

} // namespace strata::lowering
