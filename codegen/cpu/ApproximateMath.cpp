//===- ApproximateMath.cpp - f32 math functions as polynomials ------------===//
//
// LLVM lowers a vector exp, erf or tanh to one libm call per lane: softmax,
// GELU and sigmoid then run at scalar speed. Upstream's polynomial
// approximations compute them in vector registers instead.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// The functions approximated; what is not listed keeps its libm call or
/// LLVM intrinsic.
bool approximated(StringRef name) {
  name.consume_front("math.");
  return llvm::is_contained({"exp", "expm1", "log", "log1p", "log2", "erf",
                             "tanh"},
                            name);
}

struct ApproximateMathPass
    : strata::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
