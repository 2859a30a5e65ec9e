//===- ReassociateReductions.cpp - reassociable reduction arithmetic ------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_REASSOCIATEREDUCTIONS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

struct ReassociateReductionsPass
    : strata::impl::ReassociateReductionsBase<ReassociateReductionsPass> {
  void runOnOperation() override {
    auto flags = arith::FastMathFlagsAttr::get(
        &getContext(),
        arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.getNumReductionLoops() == 0)
        return;
      op.getRegion().walk([&](arith::ArithFastMathInterface math) {
        math->setAttr(math.getFastMathAttrName(), flags);
      });
    });
  }
};

} // namespace
