//===- ConvToIm2Col.cpp - 2-D convolutions as im2col + matmul -------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_CONVTOIM2COL
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

struct ConvToIm2ColPass
    : strata::impl::ConvToIm2ColBase<ConvToIm2ColPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateConvertConv2DToImg2ColPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
