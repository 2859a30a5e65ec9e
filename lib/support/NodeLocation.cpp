//===- NodeLocation.cpp - locations that name ONNX nodes ------------------===//
#include "lib/support/NodeLocation.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace strata {

Location makeNodeLocation(MLIRContext *context, StringRef name,
                          StringRef opType, int64_t opset, size_t index) {
  std::string nodeName =
      name.empty() ? ("#" + llvm::Twine(index)).str() : name.str();
  std::string kind = (opType + "@" + llvm::Twine(opset)).str();
  return NameLoc::get(StringAttr::get(context, nodeName),
                      NameLoc::get(StringAttr::get(context, kind)));
}

static std::optional<std::string> describeNode(Location loc) {
  if (auto named = dyn_cast<NameLoc>(loc)) {
    if (auto kind = dyn_cast<NameLoc>(named.getChildLoc())) {
      auto [opType, opset] = kind.getName().strref().split('@');
      std::string text;
      llvm::raw_string_ostream os(text);
      os << "node '" << named.getName().strref() << "' (" << opType;
      if (!opset.empty())
        os << ", opset " << opset;
      os << ")";
      return text;
    }
    return describeNode(named.getChildLoc());
  }
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      if (auto text = describeNode(inner))
        return text;
  }
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return describeNode(call.getCallee());
  return std::nullopt;
}

std::string describeLocation(Location location) {
  if (auto text = describeNode(location))
    return *text;
  // The importer places the module and @main at the model file, line 0.
  if (auto file = dyn_cast<FileLineColLoc>(location); file && file.getLine() == 0)
    return ("'" + file.getFilename().strref() + "'").str();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << location;
  return text;
}

static void collectNodes(Location loc,
                         SmallVectorImpl<std::pair<StringRef, StringRef>> &out) {
  if (auto named = dyn_cast<NameLoc>(loc)) {
    if (auto kind = dyn_cast<NameLoc>(named.getChildLoc())) {
      std::pair<StringRef, StringRef> node = {
          named.getName().strref(), kind.getName().strref().split('@').first};
      if (!llvm::is_contained(out, node))
        out.push_back(node);
      return;
    }
    return collectNodes(named.getChildLoc(), out);
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      collectNodes(inner, out);
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    collectNodes(call.getCallee(), out);
}

std::string nodeNames(Location location, unsigned most) {
  SmallVector<std::pair<StringRef, StringRef>> nodes;
  collectNodes(location, nodes);
  std::string text;
  llvm::raw_string_ostream os(text);
  for (auto [i, node] : llvm::enumerate(nodes)) {
    if (i == most) {
      os << " + " << nodes.size() - most << " more";
      break;
    }
    os << (i ? " + " : "") << node.first << " (" << node.second << ")";
  }
  return text;
}

} // namespace strata
