//===- VectorizeElementwise.cpp - f32 elementwise generics as vectors -----===//
//
// See Passes.td (strata-vectorize-elementwise). LLVM's loop vectorizer,
// left to itself, fully unrolls a short innermost channel loop (32 NHWC
// channels) and then vectorizes the next loop out, whose accesses are
// strided: every load becomes a gather. This pass vectorizes the innermost
// (contiguous) loop itself, with upstream's tiling and linalg::vectorize.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/TileInPlace.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace strata {
#define GEN_PASS_DEF_VECTORIZEELEMENTWISE
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

using namespace mlir;

namespace {

bool isF32Operand(Type type) {
  if (auto shaped = dyn_cast<RankedTensorType>(type))
    return shaped.getElementType().isF32();
  return type.isF32();
}

/// An all-parallel f32 generic with one result whose innermost loop walks
/// the last dimension of every operand that uses it (a broadcast operand
/// may not use it), with static loops and arithmetic only in its body.
bool isCandidate(linalg::GenericOp op, int64_t lanes) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0 || op.getNumReductionLoops() != 0)
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic) ||
      ranges.back() % lanes != 0)
    return false;
  unsigned inner = ranges.size() - 1;
  AffineExpr innerDim = getAffineDimExpr(inner, op.getContext());
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isF32Operand(operand.get().getType()))
      return false;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isProjectedPermutation())
      return false;
    bool uses = map.isFunctionOfDim(inner);
    if (uses && map.getResults().back() != innerDim)
      return false;
    if (!uses && op.isDpsInit(&operand))
      return false;
  }
  for (Operation &inside : op.getBody()->without_terminator())
    if (!isa<arith::ArithDialect, math::MathDialect>(inside.getDialect()))
      return false;
  return true;
}

struct VectorizeElementwisePass
    : strata::impl::VectorizeElementwiseBase<VectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isCandidate(op, vectorWidth))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      // The innermost loop in pieces of whole vectors, up to `unroll` of
      // them; every other loop by 1.
      int64_t vectors = ranges.back() / vectorWidth;
      int64_t per = std::min<int64_t>(vectors, unroll);
      while (vectors % per != 0)
        --per;
      SmallVector<int64_t> sizes(ranges.size(), 1);
      sizes.back() = per * vectorWidth;
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      FailureOr<Operation *> tiled = strata::tileInPlace(rewriter, op, options);
      if (failed(tiled))
        continue;
      Operation *tile = *tiled;
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, tile);
      if (succeeded(vectorized))
        rewriter.replaceOp(tile, vectorized->replacements);
    }
  }
};

} // namespace
