//===- DistinctResults.cpp - copy results returned more than once ---------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

struct DistinctResultsPass
    : strata::impl::DistinctResultsBase<DistinctResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder builder(ret);
      llvm::SmallPtrSet<Value, 8> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (!type || isa<BlockArgument>(value) || seen.insert(value).second)
          continue;
        operand.set(bufferization::AllocTensorOp::create(
            builder, ret.getLoc(), type, ValueRange{}, /*copy=*/value));
      }
    });
  }
};

} // namespace
