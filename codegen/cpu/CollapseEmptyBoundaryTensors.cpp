//===- CollapseEmptyBoundaryTensors.cpp - no zero dims at the boundary ----===//
//
// The bare-pointer calling convention (convert-func-to-llvm with
// use-bare-ptr-memref-call-conv) leaves a function unconverted when one of
// its memref types has a zero dimension (memref<2x0x4xf32>, MLIR 22), and
// translation to LLVM IR then fails. A tensor without elements carries no
// data, so at the function boundary it may as well be tensor<0xT>: readers
// of such an argument get a tensor.empty of the original type, and such a
// result is returned as a fresh tensor<0xT>. The ABI is unaffected (a
// pointer is passed either way; the descriptor keeps the real shape).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_COLLAPSEEMPTYBOUNDARYTENSORS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// tensor<0xT> for a static tensor type without elements and of rank other
/// than 1; null otherwise.
RankedTensorType collapsedType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() || tensor.getNumElements() != 0 ||
      tensor.getRank() == 1)
    return nullptr;
  return RankedTensorType::get({0}, tensor.getElementType());
}

void collapse(func::FuncOp func) {
  Block &entry = func.front();
  OpBuilder builder = OpBuilder::atBlockBegin(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    RankedTensorType collapsed = collapsedType(arg.getType());
    if (!collapsed)
      continue;
    auto original = cast<RankedTensorType>(arg.getType());
    Value empty = tensor::EmptyOp::create(builder, func.getLoc(),
                                          original.getShape(),
                                          original.getElementType());
    arg.replaceAllUsesWith(empty);
    arg.setType(collapsed);
  }
  func.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    for (OpOperand &operand : ret->getOpOperands())
      if (RankedTensorType collapsed = collapsedType(operand.get().getType()))
        operand.set(tensor::EmptyOp::create(b, ret.getLoc(),
                                            collapsed.getShape(),
                                            collapsed.getElementType()));
  });
  SmallVector<Type> results;
  for (Type type : func.getResultTypes())
    results.push_back(collapsedType(type) ? collapsedType(type) : type);
  func.setType(FunctionType::get(func.getContext(),
                                 entry.getArgumentTypes(), results));
}

struct CollapseEmptyBoundaryTensorsPass
    : strata::impl::CollapseEmptyBoundaryTensorsBase<
          CollapseEmptyBoundaryTensorsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal())
        collapse(func);
  }
};

} // namespace
