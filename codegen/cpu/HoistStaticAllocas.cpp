//===- HoistStaticAllocas.cpp - fixed-size allocas into the entry block ---===//
//
// See Passes.td (strata-hoist-static-allocas) for why: an alloca in a loop
// body grows the stack on every iteration.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_HOISTSTATICALLOCAS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

struct HoistStaticAllocasPass
    : strata::impl::HoistStaticAllocasBase<HoistStaticAllocasPass> {
  void runOnOperation() override {
    LLVM::LLVMFuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    SmallVector<LLVM::AllocaOp> movable;
    bool dynamicInLoop = false;
    func.walk([&](LLVM::AllocaOp alloca) {
      if (alloca->getBlock() == &entry)
        return;
      if (!matchPattern(alloca.getArraySize(), m_Constant())) {
        alloca.emitError("stack allocation of run-time size outside the "
                         "function's entry block: it would grow the stack "
                         "each time its block runs");
        dynamicInLoop = true;
        return;
      }
      movable.push_back(alloca);
    });
    if (dynamicInLoop)
      return signalPassFailure();

    // In their original order, after the allocas already at the top.
    OpBuilder builder(&getContext());
    builder.setInsertionPointToStart(&entry);
    for (LLVM::AllocaOp alloca : movable) {
      Operation *count = builder.clone(*alloca.getArraySize().getDefiningOp());
      alloca->moveBefore(&entry, builder.getInsertionPoint());
      alloca.getArraySizeMutable().assign(count->getResult(0));
    }
  }
};

} // namespace
