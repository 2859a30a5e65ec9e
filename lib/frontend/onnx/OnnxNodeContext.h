//===- OnnxNodeContext.h - what an op builder sees of the graph -*- C++ -*-===//
//
// GraphState maps ONNX value names to MLIR values and constants; NodeContext
// is one node's view of it, handed to the per-op builders in OnnxOps.h.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXNODECONTEXT_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXNODECONTEXT_H

#include "lib/frontend/onnx/OnnxAttributes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include <deque>
#include <functional>

namespace strata::onnx_import {

/// A tensor known at import time: an initializer or a Constant node's
/// output. It is converted when a node first reads it, and becomes a
/// graph.constant only when a node needs it as a value (a Reshape's shape
/// does not).
struct ConstantTensor {
  onnx::TensorProto *proto = nullptr; ///< still to convert, when set
  mlir::ElementsAttr value;
  mlir::Location loc;
  mlir::Value materialized;
};

/// The names of the graph being imported. ONNX graphs are in SSA form and
/// topologically sorted, so one pass over the nodes fills it.
struct GraphState;

/// Imports one node of a subgraph (a Scan body) into `state`, as the
/// importer imports the main graph's nodes; failure() after reporting.
using SubgraphNodeImporter = std::function<mlir::LogicalResult(
    GraphState &state, onnx::NodeProto &node, size_t index)>;

struct GraphState {
  GraphState(mlir::OpBuilder &builder, llvm::StringRef modelDir)
      : builder(builder), modelDir(modelDir) {}
  /// The scope of a subgraph: its own names shadow those of `parent`,
  /// whose values it may read (ONNX subgraphs capture outer names).
  explicit GraphState(GraphState &parent)
      : builder(parent.builder), modelDir(parent.modelDir), parent(&parent),
        importNode(parent.importNode) {}

  bool isDefined(llvm::StringRef name) const {
    return values.count(name) || constants.count(name) ||
           (parent && parent->isDefined(name));
  }
  ConstantTensor *lookupConstant(llvm::StringRef name) const {
    auto it = constants.find(name);
    if (it != constants.end())
      return it->second;
    return parent && !values.count(name) ? parent->lookupConstant(name)
                                         : nullptr;
  }
  ConstantTensor &addConstant(llvm::StringRef name, mlir::Location loc) {
    ConstantTensor &c =
        constantStorage.emplace_back(ConstantTensor{{}, {}, loc, {}});
    constants[name] = &c;
    return c;
  }
  /// Converts `c` if that is still to do, reporting errors at `where` (the
  /// first reader: the tensor's own location names no node); failure()
  /// after an error, now or before.
  mlir::LogicalResult prepare(ConstantTensor &c, mlir::Location where);
  /// The value named `name`; a constant becomes a graph.constant at the
  /// builder's insertion point the first time. Null if undefined or if the
  /// constant fails to convert (reported at `where`).
  mlir::Value getValue(llvm::StringRef name, mlir::Location where);

  /// The small graph inputs (a few elements, shape-like) that the value
  /// `name` is computed from, when it depends on nothing else that varies;
  /// for an error to suggest pinning them (--input-value).
  llvm::SmallVector<std::string> pinnableSources(llvm::StringRef name) const;

  mlir::OpBuilder &builder;
  std::string modelDir;
  GraphState *parent = nullptr;
  /// The node defining each name of the main graph.
  llvm::StringMap<const onnx::NodeProto *> producers;
  SubgraphNodeImporter importNode;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<ConstantTensor *> constants;
  std::deque<ConstantTensor> constantStorage; // stable addresses
  /// Outputs of nodes that failed: their readers are skipped silently, as
  /// the failure was reported already.
  llvm::StringSet<> failedNames;
  /// Every name some node or graph output reads.
  llvm::StringSet<> usedNames;
};

/// The most elements any tensor may have: 2^36 (256 GiB of f32), beyond
/// every model that fits in memory, and far enough from 2^63 that byte
/// counts cannot overflow.
constexpr uint64_t kMaxTensorElements = uint64_t(1) << 36;

/// One node being imported. Builders read inputs and attributes, create graph
/// ops with create(), and define the node's outputs.
class NodeContext {
public:
  NodeContext(GraphState &graph, onnx::NodeProto &node, int64_t opset,
              mlir::Location loc)
      : node(node), opset(opset), loc(loc), attrs(node, loc), graph(graph) {}

  mlir::MLIRContext *getContext() { return loc.getContext(); }
  mlir::OpBuilder &builder() { return graph.builder; }
  llvm::StringRef modelDir() const { return graph.modelDir; }

  /// Input `i` is listed with a non-empty name (ONNX's "optional, present").
  bool hasInput(size_t i) const;
  /// The value of input `i`; null when absent.
  mlir::Value input(size_t i);
  /// The type of input `i`; null when absent.
  mlir::RankedTensorType inputType(size_t i);
  /// The value of input `i` (ONNX name `what`), which must be a constant;
  /// otherwise emits "input '<what>' must be a constant".
  mlir::FailureOr<mlir::ElementsAttr> constantInput(size_t i,
                                                    llvm::StringRef what);
  /// Appends to `diag` how a user can make input `i` a constant: "; it is
  /// the graph input 'x': pin its value with --input-value ..." or "; it is
  /// computed from the graph input(s) 'a', 'b', which --input-value could
  /// pin"; nothing when no small graph input decides it.
  void describePinning(mlir::InFlightDiagnostic &diag, size_t i);
  /// The value of input `i` if it is a constant, else null (no error; a
  /// constant that fails to convert is reported once, as for any reader).
  /// Unlike input(), it does not materialize a graph.constant.
  mlir::ElementsAttr constantValue(size_t i);

  /// Output `i` is listed with a non-empty name.
  bool hasOutput(size_t i) const;
  /// Some node or graph output reads output `i`.
  bool isOutputUsed(size_t i) const;
  void setOutput(size_t i, mlir::Value value);
  /// Output `i` is input `j` under another name (Identity, Dropout); a
  /// constant stays a constant.
  void forwardInput(size_t j, size_t i);
  /// Output `i` is the constant `value`, materialized when first needed.
  void setConstantOutput(size_t i, mlir::ElementsAttr value);

  mlir::InFlightDiagnostic emitError() { return mlir::emitError(loc); }
  /// Fails with an error at the node when `type` has more than
  /// kMaxTensorElements elements (a malformed model asking for a tensor no
  /// machine holds, whose size would overflow the compiler's arithmetic).
  mlir::LogicalResult checkSize(mlir::Type type);
  /// The scope the node is imported in (control flow ops import their
  /// subgraphs in child scopes of it).
  GraphState &graphState() { return graph; }

  /// Creates graph op `opName` (e.g. "graph.relu") with its result type
  /// inferred; the inference also validates operands and attributes and
  /// reports problems at the node's location. Returns null after an error.
  mlir::Value create(llvm::StringRef opName, mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attributes = {});
  /// create() for an op with `numResults` results (TopK, LSTM): returns the
  /// op, or null after an error.
  mlir::Operation *createOp(llvm::StringRef opName, mlir::ValueRange operands,
                            llvm::ArrayRef<mlir::NamedAttribute> attributes,
                            unsigned numResults);

  onnx::NodeProto &node;
  const int64_t opset; ///< of the node's domain
  const mlir::Location loc;
  NodeAttributes attrs;

private:
  GraphState &graph;
};

} // namespace strata::onnx_import

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXNODECONTEXT_H
