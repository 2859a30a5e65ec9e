//===- OnnxPinnedValues.cpp - graph inputs given a value at compile time -===//
#include "lib/frontend/onnx/OnnxPinnedValues.h"

#include "dialects/graph/GraphShapeUtils.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"

using namespace mlir;

namespace strata::onnx_import {
namespace {

/// One element of an integer type; false with `why` set when it does not fit.
bool parseInteger(StringRef text, IntegerType type, APInt &value,
                  std::string &why) {
  unsigned width = type.getWidth();
  if (width == 1) {
    if (text == "1" || text.equals_insensitive("true"))
      value = APInt(1, 1);
    else if (text == "0" || text.equals_insensitive("false"))
      value = APInt(1, 0);
    else
      return why = "is not a bool (0, 1, true or false)", false;
    return true;
  }
  if (type.isUnsigned()) {
    uint64_t v;
    if (text.getAsInteger(10, v))
      return why = "is not an unsigned integer", false;
    if (width < 64 && v >> width)
      return why = "does not fit " + std::to_string(width) + " bits", false;
    value = APInt(width, v);
    return true;
  }
  int64_t v;
  if (text.getAsInteger(10, v))
    return why = "is not an integer", false;
  if (width < 64 && (v < -(int64_t(1) << (width - 1)) ||
                     v >= (int64_t(1) << (width - 1))))
    return why = "does not fit " + std::to_string(width) + " bits", false;
  value = APInt(width, v, /*isSigned=*/true);
  return true;
}

/// The comma-separated items of `text`, without enclosing brackets; false
/// for an unbalanced '['.
bool splitItems(StringRef text, SmallVectorImpl<StringRef> &items) {
  text = text.trim();
  if (text.consume_front("[") && !text.consume_back("]"))
    return false;
  if (!text.trim().empty())
    text.split(items, ',');
  return true;
}

} // namespace

int64_t countPinnedElements(StringRef text) {
  SmallVector<StringRef> items;
  splitItems(text, items);
  return items.size();
}

FailureOr<DenseElementsAttr> parsePinnedValue(StringRef name, StringRef text,
                                              RankedTensorType type,
                                              Location loc) {
  auto fail = [&]() {
    return emitError(loc) << "--input-value " << name << ": ";
  };
  if (!type.hasStaticShape())
    return fail() << "the input's shape " << graph::formatShape(type.getShape())
                  << " is dynamic; pin it too with --input-shape";
  SmallVector<StringRef> items;
  if (!splitItems(text, items))
    return fail() << "unbalanced '['";
  if (static_cast<int64_t>(items.size()) != type.getNumElements())
    return fail() << "the input has " << type.getNumElements()
                  << " element(s) (shape " << graph::formatShape(type.getShape())
                  << "), the value lists " << items.size();

  Type element = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> values;
    for (StringRef item : items) {
      item = item.trim();
      APFloat value(floatType.getFloatSemantics());
      auto status = value.convertFromString(item,
                                            APFloat::rmNearestTiesToEven);
      if (!status) {
        llvm::consumeError(status.takeError());
        return fail() << "'" << item << "' is not a number";
      }
      values.push_back(value);
    }
    return DenseElementsAttr::get(type, values);
  }
  auto intType = dyn_cast<IntegerType>(element);
  if (!intType)
    return fail() << "inputs of element type " << element
                  << " cannot be pinned";
  SmallVector<APInt> values;
  for (StringRef item : items) {
    item = item.trim();
    APInt value;
    std::string why;
    if (!parseInteger(item, intType, value, why))
      return fail() << "'" << item << "' " << why;
    values.push_back(value);
  }
  return DenseElementsAttr::get(type, values);
}

} // namespace strata::onnx_import
