//===- PackConstantRhs.cpp - constant B operands into column panels -------===//
//
// See Passes.td (strata-pack-constant-rhs). A register block reads one
// n-tile wide row of B per k step; in B's row-major K x N layout those rows
// are N * 4 bytes apart, a multiple of 4 KB for N = 1024 or 3072, so that
// every row of a block's panel falls into the same L1 set and the panel
// is evicted while it is being reused. Packed as [N / n-tile][K][n-tile],
// a block's panel is one contiguous stream.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "lib/support/ConstantData.h"
#include "lib/support/ResourceBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cstring>

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_PACKCONSTANTRHS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// What a packable contraction looks like: B = inputs[1], a constant
/// K x N f32 matrix read at (k, n), with n also the innermost result of
/// the output's map and of no other operand's.
struct Candidate {
  linalg::LinalgOp op;
  arith::ConstantOp rhs;
  unsigned kLoop, nLoop;
  int64_t k, n;
};

std::optional<Candidate> match(linalg::LinalgOp op, int64_t nTile) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  auto rhs = op.getDpsInputs()[1].getDefiningOp<arith::ConstantOp>();
  auto rhsType = dyn_cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!rhs || !rhsType || !outType || rhsType.getRank() != 2 ||
      !rhsType.getElementType().isF32() || !outType.getElementType().isF32() ||
      !rhsType.hasStaticShape() || !outType.hasStaticShape())
    return std::nullopt;
  // The body must not depend on the iteration indices (which change).
  bool usesIndex = false;
  op->walk([&](linalg::IndexOp) { usesIndex = true; });
  auto data = dyn_cast<ElementsAttr>(rhs.getValue());
  if (usesIndex || !data || !strata::rawConstantData(data))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap rhsMap = maps[1], outMap = maps[2];
  auto kExpr = dyn_cast<AffineDimExpr>(rhsMap.getResult(0));
  auto nExpr = dyn_cast<AffineDimExpr>(rhsMap.getResult(1));
  if (!kExpr || !nExpr || outMap.getNumResults() == 0 ||
      outMap.getResults().back() != nExpr ||
      maps[0].isFunctionOfDim(nExpr.getPosition()))
    return std::nullopt;
  for (unsigned i = 0; i + 1 < outMap.getNumResults(); ++i)
    if (outMap.getResult(i).isFunctionOfDim(nExpr.getPosition()))
      return std::nullopt;
  int64_t k = rhsType.getDimSize(0), n = rhsType.getDimSize(1);
  // Narrow outputs gain nothing (their rows are few lines apart).
  if (n % nTile != 0 || n <= nTile)
    return std::nullopt;
  return Candidate{op, rhs, kExpr.getPosition(), nExpr.getPosition(), k, n};
}

/// B (K x N, row-major) as [N / tile][K][tile].
ElementsAttr packPanels(ElementsAttr rhs, int64_t k, int64_t n, int64_t tile,
                        MLIRContext *context) {
  ArrayRef<char> data = *strata::rawConstantData(rhs);
  const float *from = reinterpret_cast<const float *>(data.data());
  std::vector<float> packed(k * n);
  for (int64_t panel = 0; panel < n / tile; ++panel)
    for (int64_t row = 0; row < k; ++row)
      std::memcpy(&packed[(panel * k + row) * tile],
                  from + row * n + panel * tile, tile * sizeof(float));
  auto type = RankedTensorType::get({n / tile, k, tile},
                                    Float32Type::get(context));
  return strata::f32Constant(type, packed, "packed_rhs");
}

/// `op` over loops where `n` became (n1, n0): n1 at n's place, n0 right
/// after it; B read at (n1, k, n0) from the packed constant, the output at
/// (..., n1, n0) of the expanded output.
void rewrite(IRRewriter &rewriter, Candidate c, int64_t tile,
             llvm::DenseMap<Operation *, Value> &packedOf) {
  linalg::LinalgOp op = c.op;
  MLIRContext *context = op.getContext();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  unsigned loops = op.getNumLoops();
  // Old dim d -> new dim: d (d <= n), d + 1 (d > n); n0 = n + 1.
  SmallVector<AffineExpr> shifted;
  for (unsigned d = 0; d < loops; ++d)
    shifted.push_back(getAffineDimExpr(d <= c.nLoop ? d : d + 1, context));
  AffineExpr n1 = getAffineDimExpr(c.nLoop, context);
  AffineExpr n0 = getAffineDimExpr(c.nLoop + 1, context);
  AffineExpr kDim = shifted[c.kLoop];
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap lhsMap = maps[0].replaceDimsAndSymbols(shifted, {}, loops + 1, 0);
  AffineMap rhsMap = AffineMap::get(loops + 1, 0, {n1, kDim, n0}, context);
  SmallVector<AffineExpr> outResults;
  for (AffineExpr e : maps[2].getResults().drop_back())
    outResults.push_back(e.replaceDims(shifted));
  outResults.push_back(n1);
  outResults.push_back(n0);
  AffineMap outMap = AffineMap::get(loops + 1, 0, outResults, context);

  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators.insert(iterators.begin() + c.nLoop + 1,
                   utils::IteratorType::parallel);

  // One packed copy per constant, however many contractions read it.
  Value &packed = packedOf[c.rhs];
  if (!packed) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointAfter(c.rhs);
    packed = arith::ConstantOp::create(
        rewriter, c.rhs.getLoc(),
        cast<TypedAttr>(
            packPanels(cast<ElementsAttr>(c.rhs.getValue()), c.k, c.n, tile,
                       context)));
  }
  Value init = op.getDpsInits()[0];
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t rank = outType.getRank();
  SmallVector<int64_t> expandedShape(outType.getShape().drop_back());
  expandedShape.push_back(c.n / tile);
  expandedShape.push_back(tile);
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d + 1 < rank; ++d)
    reassociation.push_back({d});
  reassociation.push_back({rank - 1, rank});
  auto expandedType = RankedTensorType::get(expandedShape,
                                            outType.getElementType());
  // A fill of the output is redone on the expanded tensor, so that the
  // dispatch that computes the contraction still takes the fill in.
  Value expanded;
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    Value dest = tensor::ExpandShapeOp::create(
        rewriter, loc, expandedType, fill.getOutputs()[0], reassociation);
    expanded = linalg::FillOp::create(rewriter, fill.getLoc(),
                                      fill.getInputs()[0], dest)
                   .getResult(0);
  } else {
    expanded = tensor::ExpandShapeOp::create(rewriter, loc, expandedType,
                                             init, reassociation);
  }
  auto generic = linalg::GenericOp::create(
      rewriter, loc, expandedType, ValueRange{op.getDpsInputs()[0], packed},
      ValueRange{expanded}, ArrayRef<AffineMap>{lhsMap, rhsMap, outMap},
      iterators);
  // The body computes on elements only: the same region serves.
  rewriter.cloneRegionBefore(op->getRegion(0), generic.getRegion(),
                             generic.getRegion().end());
  Value result = tensor::CollapseShapeOp::create(
      rewriter, loc, outType, generic.getResult(0), reassociation);
  rewriter.replaceOp(op, result);
  // The unpacked data goes as soon as nothing reads it (the listener frees
  // it), so that the pass never holds every B twice.
  if (c.rhs->use_empty()) {
    packedOf.erase(c.rhs);
    rewriter.eraseOp(c.rhs);
  }
}

struct PackConstantRhsPass
    : strata::impl::PackConstantRhsBase<PackConstantRhsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Candidate> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<Candidate> c = match(op, nTile))
        candidates.push_back(*c);
    });
    // Frees each unpacked B once its last user is gone.
    strata::ResourceBlobReleaser releaser(getOperation());
    IRRewriter rewriter(&getContext(), &releaser);
    llvm::DenseMap<Operation *, Value> packedOf;
    for (const Candidate &c : candidates)
      rewrite(rewriter, c, nTile, packedOf);
  }
};

} // namespace
