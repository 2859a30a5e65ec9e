//===- InterchangeForVectorization.cpp - parallel innermost loops ---------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_INTERCHANGEFORVECTORIZATION
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// The loop that the last result of `map` is, if that result is a plain
/// loop dimension.
std::optional<unsigned> innermostLoop(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  if (auto dim = dyn_cast<AffineDimExpr>(map.getResults().back()))
    return dim.getPosition();
  return std::nullopt;
}

/// Whether `loop` appears in the last result of `map` (e.g. `ow * 2 + kw`).
bool indexesInnermost(AffineMap map, unsigned loop) {
  return map.getNumResults() > 0 &&
         map.getResults().back().isFunctionOfDim(loop);
}

/// The new loop order for `op`, or an empty vector to leave it as it is.
SmallVector<unsigned> vectorFriendlyOrder(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return {};
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  std::optional<unsigned> inner = innermostLoop(maps.back());
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (!inner || iterators[*inner] != utils::IteratorType::parallel)
    return {};
  bool contiguousInput = llvm::any_of(
      ArrayRef(maps).drop_back(),
      [&](AffineMap map) { return indexesInnermost(map, *inner); });
  if (!contiguousInput)
    return {};
  // Parallel loops (but `inner`) in order, then the reductions, then `inner`.
  SmallVector<unsigned> order;
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (i != *inner && iterators[i] == utils::IteratorType::parallel)
      order.push_back(i);
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] == utils::IteratorType::reduction)
      order.push_back(i);
  order.push_back(*inner);
  bool identity = llvm::all_of(llvm::enumerate(order), [](auto entry) {
    return entry.index() == entry.value();
  });
  return identity ? SmallVector<unsigned>{} : order;
}

struct InterchangeForVectorizationPass
    : strata::impl::InterchangeForVectorizationBase<
          InterchangeForVectorizationPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      SmallVector<unsigned> order = vectorFriendlyOrder(op);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
