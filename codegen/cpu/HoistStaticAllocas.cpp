//===- HoistStaticAllocas.cpp - fixed-size allocas into the entry block ---===//
//
// See Passes.td (strata-hoist-static-allocas) for why: an alloca in a loop
// body grows the stack on every iteration.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"

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
    bool unmovable = false;
    func.walk([&](LLVM::AllocaOp alloca) {
      if (alloca->getBlock() == &entry)
        return;
      if (!matchPattern(alloca.getArraySize(), m_Constant())) {
        alloca.emitError("stack allocation of run-time size outside the "
                         "function's entry block: it would grow the stack "
                         "each time its block runs");
        unmovable = true;
        return;
      }
      // A buffer that one iteration hands to a later one (through a block
      // argument) must stay distinct per iteration: moving it would make
      // them share memory. Lowering never does this; refuse if it starts.
      for (Operation *user : alloca->getUsers())
        if (isa<BranchOpInterface>(user)) {
          alloca.emitError("stack allocation outside the entry block is "
                           "passed to another block; it cannot be hoisted");
          unmovable = true;
          return;
        }
      movable.push_back(alloca);
    });
    if (unmovable)
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
