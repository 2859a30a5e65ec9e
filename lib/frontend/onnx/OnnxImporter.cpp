//===- OnnxImporter.cpp - ONNX model -> graph dialect ---------------------===//
//
// Reads the model, checks that every operator is supported, then walks the
// (topologically sorted) nodes once, building func.func @main. Errors are
// collected: a failing node is reported and its outputs are marked failed, so
// nodes reading them are skipped silently and the import goes on to report
// the other, independent problems.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/OnnxImporter.h"

#include "dialects/graph/GraphDialect.h"
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxPinnedValues.h"
#include "lib/frontend/onnx/OnnxTensors.h"
#include "lib/support/NodeLocation.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <fstream>
#include <limits>
#include <system_error>

using namespace mlir;
using namespace strata::onnx_import;

namespace strata {
namespace {

bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

class ModelImporter {
public:
  /// Reads the model from `path`, or from `bytes` when given (then `path`
  /// only names it, and external data is looked up beside it).
  ModelImporter(MLIRContext &context, StringRef path,
                const OnnxImportOptions &options,
                std::optional<StringRef> bytes = std::nullopt)
      : context(context), options(options), path(path.str()), bytes(bytes),
        fileLoc(FileLineColLoc::get(&context, path, 0, 0)),
        modelLoc(UnknownLoc::get(&context)) {}

  OwningOpRef<ModuleOp> run();

private:
  LogicalResult load();
  LogicalResult loadFile();
  LogicalResult readOpsets();
  LogicalResult checkSupported();
  int64_t opsetOf(StringRef domain) const {
    return opsets.lookup(isDefaultDomain(domain) ? "" : domain);
  }
  Location nodeLocation(const onnx::NodeProto &node, size_t index) {
    return makeNodeLocation(&context, node.name(), node.op_type(),
                            opsetOf(node.domain()), index);
  }
  Location nameLocation(StringRef name) {
    return NameLoc::get(StringAttr::get(&context, name));
  }
  /// Adds the initializers to `state` and returns the graph inputs that
  /// become arguments, with their types.
  LogicalResult
  collectInputs(GraphState &state,
                SmallVectorImpl<const onnx::ValueInfoProto *> &inputs,
                SmallVectorImpl<Type> &types);
  /// Imports node `index`; failure() if it reported an error.
  LogicalResult importNode(GraphState &state, onnx::NodeProto &node,
                           size_t index);
  LogicalResult buildMain(ModuleOp module);

  /// Replaces an input's declared type by options.inputShapes' entry.
  FailureOr<RankedTensorType> pinShape(const onnx::ValueInfoProto &input,
                                       RankedTensorType declared);
  /// Every name that --input-shape or --input-value gives must be a graph
  /// input.
  LogicalResult checkPinnedNames(const GraphState &state);

  MLIRContext &context;
  const OnnxImportOptions &options;
  /// Inputs whose dynamic leading dimension options.dynamicLeadingDim set.
  llvm::StringSet<> symbolicBatchInputs;
  std::string path;
  std::optional<StringRef> bytes;
  Location fileLoc; ///< of the module and @main
  /// Where model-level errors are reported: their messages name the file,
  /// input or output, and drivers print no location for UnknownLoc.
  Location modelLoc;
  onnx::ModelProto model;
  llvm::StringMap<int64_t> opsets; // domain ("" for ONNX) -> version
};

LogicalResult ModelImporter::load() {
  if (bytes) {
    // protobuf takes int sizes: a larger buffer is not a model.
    if (bytes->size() > size_t(std::numeric_limits<int>::max()) ||
        !model.ParseFromArray(bytes->data(), static_cast<int>(bytes->size())))
      return emitError(modelLoc) << "'" << path << "' is not a valid ONNX "
                                 << "model (protobuf parse failed)";
  } else if (failed(loadFile())) {
    return failure();
  }
  if (!model.has_graph())
    return emitError(modelLoc) << "'" << path << "' is not a valid ONNX model "
                               << "(it has no graph)";
  return success();
}

LogicalResult ModelImporter::loadFile() {
  if (llvm::sys::fs::is_directory(path))
    return emitError(modelLoc)
           << "cannot open '" << path << "': it is a directory";
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return emitError(modelLoc)
           << "cannot open '" << path << "': "
           << std::error_code(errno, std::generic_category()).message();
  // protobuf's default limit (INT_MAX bytes) admits models up to 2 GB, the
  // format's own limit; larger weights must use external data.
  if (!model.ParseFromIstream(&in))
    return emitError(modelLoc) << "'" << path << "' is not a valid ONNX model "
                               << "(protobuf parse failed)";
  return success();
}

LogicalResult ModelImporter::readOpsets() {
  for (const auto &opset : model.opset_import())
    opsets[isDefaultDomain(opset.domain()) ? "" : opset.domain()] =
        opset.version();
  if (!opsets.count(""))
    return emitError(modelLoc)
           << "'" << path << "' has no opset_import for the "
           << "default ONNX domain";
  return success();
}

LogicalResult ModelImporter::checkSupported() {
  std::string list;
  llvm::raw_string_ostream os(list);
  int unsupported = 0;
  for (const auto &[index, node] : llvm::enumerate(model.graph().node())) {
    if (lookupOpImporter(node.domain(), node.op_type()))
      continue;
    ++unsupported;
    os << "\n  node '"
       << (node.name().empty() ? "#" + std::to_string(index) : node.name())
       << "' (" << node.op_type();
    if (!isDefaultDomain(node.domain()))
      os << ", domain '" << node.domain() << "'";
    os << ", opset " << opsetOf(node.domain()) << ")";
  }
  if (!unsupported)
    return success();
  return emitError(modelLoc)
         << "'" << path << "' uses " << unsupported << " unsupported operator"
         << (unsupported == 1 ? "" : "s") << ":" << list;
}

LogicalResult ModelImporter::collectInputs(
    GraphState &state, SmallVectorImpl<const onnx::ValueInfoProto *> &inputs,
    SmallVectorImpl<Type> &types) {
  onnx::GraphProto &graph = *model.mutable_graph();
  bool ok = true;
  for (onnx::TensorProto &init : *graph.mutable_initializer())
    state.addConstant(init.name(), nameLocation(init.name())).proto = &init;
  if (graph.sparse_initializer_size()) {
    emitError(modelLoc) << "sparse initializers are not supported";
    ok = false;
  }
  // Older exporters list initializers as inputs too (overridable defaults);
  // they are constants here.
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (state.lookupConstant(input.name()))
      continue;
    FailureOr<RankedTensorType> type = convertInputType(input, modelLoc);
    if (succeeded(type))
      type = pinShape(input, *type);
    // A pinned 1-D input of unknown length has as many elements as its value.
    auto value = options.inputValues.find(input.name());
    if (succeeded(type) && value != options.inputValues.end() &&
        type->getRank() == 1 && type->isDynamicDim(0))
      type = RankedTensorType::get(
          {onnx_import::countPinnedElements(value->second)},
          type->getElementType());
    if (succeeded(type) && options.dynamicLeadingDim >= 0 &&
        type->getRank() > 0 && type->isDynamicDim(0)) {
      SmallVector<int64_t> shape(type->getShape());
      shape[0] = options.dynamicLeadingDim;
      type = RankedTensorType::get(shape, type->getElementType());
      symbolicBatchInputs.insert(input.name());
    }
    if (failed(type)) {
      state.failedNames.insert(input.name()); // readers are not reported
      ok = false;
      continue;
    }
    inputs.push_back(&input);
    types.push_back(*type);
  }
  return success(succeeded(checkPinnedNames(state)) && ok);
}

FailureOr<RankedTensorType>
ModelImporter::pinShape(const onnx::ValueInfoProto &input,
                        RankedTensorType declared) {
  auto it = options.inputShapes.find(input.name());
  if (it == options.inputShapes.end())
    return declared;
  ArrayRef<int64_t> pinned = it->second;
  auto fail = [&](StringRef why) {
    return emitError(modelLoc)
           << "input '" << input.name() << "' is declared "
           << formatShape(declared.getShape()) << ", cannot pin it to "
           << formatShape(pinned) << ": " << why;
  };
  if (static_cast<int64_t>(pinned.size()) != declared.getRank())
    return fail("the rank differs");
  for (auto [want, have] : llvm::zip(pinned, declared.getShape())) {
    if (want < 0)
      return fail("dimensions must be >= 0");
    if (have != ShapedType::kDynamic && have != want)
      return fail("only dynamic dimensions can be pinned");
  }
  return RankedTensorType::get(pinned, declared.getElementType());
}

LogicalResult ModelImporter::checkPinnedNames(const GraphState &state) {
  // Graph inputs that are not initializers, whether or not they converted.
  SmallVector<StringRef> inputs;
  for (const onnx::ValueInfoProto &input : model.graph().input())
    if (!state.lookupConstant(input.name()))
      inputs.push_back(input.name());
  bool ok = true;
  auto check = [&](StringRef option, StringRef name) {
    if (llvm::is_contained(inputs, name))
      return;
    std::string names;
    for (StringRef input : inputs)
      names += (names.empty() ? "'" : ", '") + input.str() + "'";
    emitError(modelLoc) << option << " names '" << name
                        << "', which is not a graph input (inputs: "
                        << (names.empty() ? "none" : names) << ")";
    ok = false;
  };
  for (const auto &entry : options.inputShapes)
    check("--input-shape", entry.first);
  for (const auto &entry : options.inputValues)
    check("--input-value", entry.first);
  return success(ok);
}

LogicalResult ModelImporter::importNode(GraphState &state,
                                        onnx::NodeProto &node, size_t index) {
  Location loc = nodeLocation(node, index);
  auto markOutputsFailed = [&]() {
    for (const std::string &name : node.output())
      if (!name.empty()) {
        state.values.erase(name);
        state.failedNames.insert(name);
      }
  };
  bool readsFailed = false, ok = true;
  for (const std::string &name : node.input()) {
    if (name.empty())
      continue;
    if (state.failedNames.contains(name)) {
      readsFailed = true;
    } else if (!state.isDefined(name)) {
      emitError(loc) << "input '" << name << "' is not defined by an earlier "
                     << "node, a graph input or an initializer";
      ok = false;
    } else if (ConstantTensor *c = state.lookupConstant(name)) {
      // A tensor that does not convert is reported once, at its first reader.
      if (failed(state.prepare(*c, loc)))
        readsFailed = true;
    }
  }
  for (const std::string &name : node.output()) {
    if (!name.empty() &&
        (state.isDefined(name) || state.failedNames.contains(name))) {
      emitError(loc) << "output '" << name << "' is already defined";
      ok = false;
    }
  }
  // Reading a failed value is not a new error, but the import has failed.
  if (!ok || readsFailed) {
    markOutputsFailed();
    return failure();
  }
  NodeContext ctx(state, node, opsetOf(node.domain()), loc);
  if (failed(lookupOpImporter(node.domain(), node.op_type())(ctx))) {
    markOutputsFailed();
    return failure();
  }
  // An output the builder did not define (Dropout's mask, say) is fine
  // unless something reads it.
  for (auto [i, name] : llvm::enumerate(node.output())) {
    if (!name.empty() && !state.isDefined(name) &&
        state.usedNames.contains(name)) {
      emitError(loc) << "output #" << i << " ('" << name
                     << "') is not supported";
      markOutputsFailed();
      return failure();
    }
  }
  return success();
}

LogicalResult ModelImporter::buildMain(ModuleOp module) {
  OpBuilder builder(module.getBodyRegion());
  GraphState state(builder, llvm::sys::path::parent_path(path));
  state.importNode = [this](GraphState &scope, onnx::NodeProto &node,
                            size_t index) -> LogicalResult {
    // checkSupported() saw only the main graph's nodes.
    if (!lookupOpImporter(node.domain(), node.op_type()))
      return emitError(nodeLocation(node, index))
             << "unsupported operator in a subgraph";
    return importNode(scope, node, index);
  };
  SmallVector<const onnx::ValueInfoProto *> inputs;
  SmallVector<Type> argTypes;
  bool ok = succeeded(collectInputs(state, inputs, argTypes));

  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  for (auto [i, input] : llvm::enumerate(inputs)) {
    func.setArgAttr(i, "graph.name", builder.getStringAttr(input->name()));
    if (symbolicBatchInputs.contains(input->name()))
      func.setArgAttr(i, "graph.symbolic_batch", builder.getUnitAttr());
    auto pinned = options.inputValues.find(input->name());
    if (pinned == options.inputValues.end()) {
      state.values[input->name()] = entry->getArgument(i);
      continue;
    }
    // The argument stays (the runtime checks it); readers see the constant.
    FailureOr<DenseElementsAttr> value = onnx_import::parsePinnedValue(
        input->name(), pinned->second, cast<RankedTensorType>(argTypes[i]),
        modelLoc);
    if (failed(value) || symbolicBatchInputs.contains(input->name())) {
      if (succeeded(value))
        emitError(modelLoc) << "--input-value " << input->name()
                            << ": the input has a symbolic batch; pin its "
                            << "shape too with --input-shape";
      state.failedNames.insert(input->name());
      ok = false;
      continue;
    }
    func.setArgAttr(i, "graph.pinned_value", *value);
    state.addConstant(input->name(), nameLocation(input->name())).value =
        *value;
  }

  onnx::GraphProto &graph = *model.mutable_graph();
  for (const onnx::NodeProto &node : graph.node()) {
    for (const std::string &name : node.input())
      state.usedNames.insert(name);
    for (const std::string &name : node.output())
      state.producers[name] = &node;
  }
  for (const onnx::ValueInfoProto &output : graph.output())
    state.usedNames.insert(output.name());

  for (auto [index, node] : llvm::enumerate(*graph.mutable_node()))
    ok = succeeded(importNode(state, node, index)) && ok;

  SmallVector<Value> results;
  SmallVector<StringRef> resultNames;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    if (state.failedNames.contains(output.name()))
      continue; // reported at the node that failed
    Value value = state.getValue(output.name(), modelLoc);
    if (!value) {
      if (!state.lookupConstant(output.name())) // else reported already
        emitError(modelLoc)
            << "graph output '" << output.name()
            << "' is not produced by any node, graph input or initializer";
      ok = false;
      continue;
    }
    results.push_back(value);
    resultNames.push_back(output.name());
  }
  if (!ok)
    return failure();
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(resultNames))
    func.setResultAttr(i, "graph.name", builder.getStringAttr(name));
  return success();
}

OwningOpRef<ModuleOp> ModelImporter::run() {
  context.loadDialect<graph::GraphDialect, func::FuncDialect,
                      quant::QuantDialect>();
  if (failed(load()) || failed(readOpsets()) || failed(checkSupported()))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  if (failed(buildMain(*module)))
    return nullptr;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importOnnxModel(MLIRContext &context, StringRef path,
                                      const OnnxImportOptions &options) {
  return ModelImporter(context, path, options).run();
}

OwningOpRef<ModuleOp> importOnnxModelFromBytes(MLIRContext &context,
                                               StringRef bytes, StringRef name,
                                               const OnnxImportOptions &options) {
  return ModelImporter(context, name, options, bytes).run();
}

} // namespace strata
