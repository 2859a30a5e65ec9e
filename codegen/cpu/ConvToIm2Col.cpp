//===- ConvToIm2Col.cpp - 2-D convolutions as im2col + matmul -------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_CONVTOIM2COL
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

struct ConvToIm2ColPass
    : strata::impl::ConvToIm2ColBase<ConvToIm2ColPass> {
  void runOnOperation() override {
    // NCHW only: NHWC convolutions are register-tiled directly
    // (strata-vectorize-contractions).
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk(
        [&](linalg::Conv2DNchwFchwOp conv) { convs.push_back(conv); });
    IRRewriter rewriter(&getContext());
    for (linalg::Conv2DNchwFchwOp conv : convs) {
      rewriter.setInsertionPoint(conv);
      // Fails (and changes nothing) for shapes the rewrite does not cover.
      (void)linalg::rewriteInIm2Col(rewriter, conv);
    }
  }
};

} // namespace
