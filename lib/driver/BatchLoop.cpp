//===- BatchLoop.cpp - run a symbolic-batch model sample by sample --------===//
#include "lib/driver/BatchLoop.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace strata {
namespace {

const char *const kHint = "; pin the batch with --input-shape instead";

std::string shapeText(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// A result computed from the batch: leading dimension 1 at batch 1 and 2
/// at batch 2, everything else equal.
bool keepsBatchLeading(Type one, Type two) {
  auto a = dyn_cast<RankedTensorType>(one), b = dyn_cast<RankedTensorType>(two);
  return a && b && a.getRank() > 0 && a.getRank() == b.getRank() &&
         a.getElementType() == b.getElementType() && a.getDimSize(0) == 1 &&
         b.getDimSize(0) == 2 &&
         a.getShape().drop_front() == b.getShape().drop_front();
}

/// Axis attributes that make `op` work along dimension 0 of operand 0:
/// axis = 0, 0 in axes, or a permutation that moves dimension 0.
bool worksAlongAxisZero(Operation *op) {
  // A per-tensor (rank-0 scale) quantize / dequantize carries axis 0 but
  // uses no axis.
  StringRef name = op->getName().getStringRef();
  if ((name == "graph.quantize_linear" || name == "graph.dequantize_linear") &&
      op->getNumOperands() > 1) {
    auto scale = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
    if (scale && scale.getRank() == 0)
      return false;
  }
  for (NamedAttribute attr : op->getAttrs()) {
    StringRef name = attr.getName().strref();
    if (auto axis = dyn_cast<IntegerAttr>(attr.getValue())) {
      if (name == "axis" && axis.getInt() == 0)
        return true;
    } else if (auto values = dyn_cast<DenseI64ArrayAttr>(attr.getValue())) {
      ArrayRef<int64_t> list = values.asArrayRef();
      if (name == "axes" && llvm::is_contained(list, 0))
        return true;
      if (name == "perm" && !list.empty() && list[0] != 0)
        return true;
    }
  }
  return false;
}

/// For an op whose result is the numpy broadcast of its operands, a batched
/// operand of lower rank would align its batch with another dimension.
bool misalignsBatch(Operation *op, const llvm::DenseSet<Value> &batched) {
  if (op->getNumOperands() < 2 || op->getNumResults() != 1)
    return false;
  auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!result)
    return false;
  SmallVector<int64_t> shape;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type)
      return false;
    SmallVector<int64_t> merged;
    if (!OpTrait::util::getBroadcastedShape(shape, type.getShape(), merged))
      return false;
    shape = merged;
  }
  if (ArrayRef<int64_t>(shape) != result.getShape())
    return false; // not a broadcasting op
  return llvm::any_of(op->getOperands(), [&](Value operand) {
    return batched.contains(operand) &&
           cast<RankedTensorType>(operand.getType()).getRank() !=
               result.getRank();
  });
}

/// Whether the two probes' versions of an op that does not read the batch
/// differ: result types or attributes. Large weights are resource blobs
/// with per-import names, so those are compared by type only.
bool differs(Operation *one, Operation *two) {
  if (one->getName() != two->getName() ||
      one->getResultTypes() != two->getResultTypes() ||
      one->getAttrs().size() != two->getAttrs().size())
    return true;
  for (auto [a, b] : llvm::zip(one->getAttrs(), two->getAttrs())) {
    if (a.getName() != b.getName())
      return true;
    if (isa<DenseResourceElementsAttr>(a.getValue()) &&
        isa<DenseResourceElementsAttr>(b.getValue()))
      continue;
    if (a.getValue() != b.getValue())
      return true;
  }
  return false;
}

} // namespace

FailureOr<BatchPlan> planBatchLoop(func::FuncOp one, func::FuncOp two) {
  BatchPlan plan;
  llvm::DenseSet<Value> batched;    // values of `two` computed from the batch
  llvm::DenseSet<Value> batchSized; // values that depend on the batch size
  for (unsigned i = 0; i < two.getNumArguments(); ++i) {
    bool symbolic = two.getArgAttr(i, "graph.symbolic_batch") != nullptr;
    plan.inputs.push_back(symbolic);
    if (symbolic)
      batched.insert(two.getArgument(i));
  }
  auto &opsOne = one.getBody().front().getOperations();
  auto &opsTwo = two.getBody().front().getOperations();
  if (opsOne.size() != opsTwo.size())
    return two.emitError("the model imports differently at batch 1 and 2")
           << kHint;
  for (auto [a, b] : llvm::zip(opsOne, opsTwo)) {
    Operation *opOne = &a, *opTwo = &b;
    if (isa<func::ReturnOp>(opTwo))
      break;
    auto any = [&](const llvm::DenseSet<Value> &set) {
      return llvm::any_of(opTwo->getOperands(),
                          [&](Value v) { return set.contains(v); });
    };
    if (!any(batched)) {
      // Values folded from the batch size (Shape -> Gather -> ...) differ
      // between the probes. As shapes they end up in attributes (a Reshape
      // to [N, -1] is [1, -1] per sample, right); as data they would be
      // wrong per sample, which the check below rejects.
      if (any(batchSized) || differs(opOne, opTwo))
        batchSized.insert(opTwo->result_begin(), opTwo->result_end());
      continue;
    }
    if (any(batchSized))
      return opTwo->emitError("uses the batch size as a value, which a "
                              "per-sample loop cannot reproduce")
             << kHint;
    if (worksAlongAxisZero(opTwo) && batched.contains(opTwo->getOperand(0)))
      return opTwo->emitError("works along axis 0, the batch, so samples "
                              "cannot be computed one at a time")
             << kHint;
    if (misalignsBatch(opTwo, batched))
      return opTwo->emitError("broadcasts a batched operand of lower rank, "
                              "so its batch dimension meets another one")
             << kHint;
    for (auto [r1, r2] : llvm::zip(opOne->getResults(), opTwo->getResults())) {
      if (!keepsBatchLeading(r1.getType(), r2.getType()))
        return opTwo->emitError("does not keep the batch as the leading "
                                "dimension of its result (")
               << shapeText(r1.getType()) << " at batch 1, "
               << shapeText(r2.getType()) << " at batch 2)" << kHint;
      batched.insert(r2);
    }
  }
  auto ret = cast<func::ReturnOp>(two.getBody().front().getTerminator());
  for (Value value : ret.getOperands()) {
    if (batchSized.contains(value))
      return ret.emitError("an output depends on the batch size") << kHint;
    plan.outputs.push_back(batched.contains(value));
  }
  return plan;
}

} // namespace strata
