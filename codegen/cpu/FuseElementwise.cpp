//===- FuseElementwise.cpp - elementwise fusion that spares reductions ----===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

struct FuseElementwisePass
    : strata::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
          // As upstream's default: only a producer with a single user.
          if (!producer || !producer->hasOneUse())
            return false;
          return !consumer || consumer.getNumReductionLoops() == 0;
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
