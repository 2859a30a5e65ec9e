//===- PanelProducts.cpp - products rewritten onto packed B panels --------===//
#include "codegen/cpu/PanelProducts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace strata::panels {

std::optional<RowsContraction> matchRowsContraction(linalg::LinalgOp op,
                                                    bool allowTransposedRhs) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  auto lhsType = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhsType || !outType || !lhsType.hasStaticShape() ||
      !outType.hasStaticShape())
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  // B has no batch dims; every loop of A and C besides k and n is a row
  // loop (an im2col product's image loop among them).
  if (failed(dims) || !dims->batch.empty() || dims->m.empty() ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return std::nullopt;
  unsigned n = dims->n[0], k = dims->k[0];
  SmallVector<unsigned> rowLoops(dims->m.begin(), dims->m.end());
  llvm::sort(rowLoops);
  MLIRContext *ctx = op.getContext();
  unsigned loops = op.getNumLoops();
  SmallVector<AffineExpr> lhsExprs, outExprs;
  for (unsigned r : rowLoops) {
    lhsExprs.push_back(getAffineDimExpr(r, ctx));
    outExprs.push_back(getAffineDimExpr(r, ctx));
  }
  lhsExprs.push_back(getAffineDimExpr(k, ctx));
  outExprs.push_back(getAffineDimExpr(n, ctx));
  AffineExpr kExpr = getAffineDimExpr(k, ctx), nExpr = getAffineDimExpr(n, ctx);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  bool transposed = maps[1] == AffineMap::get(loops, 0, {nExpr, kExpr}, ctx);
  if (maps[0] != AffineMap::get(loops, 0, lhsExprs, ctx) ||
      maps[2] != AffineMap::get(loops, 0, outExprs, ctx) ||
      (maps[1] != AffineMap::get(loops, 0, {kExpr, nExpr}, ctx) &&
       !(allowTransposedRhs && transposed)))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rows = 1;
  for (unsigned r : rowLoops)
    rows *= ranges[r];
  return RowsContraction{op, rows, ranges[k], ranges[n], transposed};
}

bool startsAtZero(linalg::LinalgOp op) {
  Value init = op.getDpsInits()[0];
  while (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
      init.getDefiningOp()))
    init = init.getDefiningOp()->getOperand(0);
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  Value value = fill.getInputs()[0];
  if (std::optional<int64_t> i = getConstantIntValue(value))
    return *i == 0;
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  auto f = constant ? dyn_cast<FloatAttr>(constant.getValue()) : nullptr;
  return f && f.getValue().isZero();
}

ElementsAttr constantOf(Value value) {
  while (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
      value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  return constant ? dyn_cast<ElementsAttr>(constant.getValue()) : nullptr;
}

Value lhsAsRows(OpBuilder &b, Location loc, Value lhs, int64_t rows, int64_t k,
                int64_t paddedK) {
  auto type = cast<RankedTensorType>(lhs.getType());
  Type element = type.getElementType();
  if (type.getRank() > 2) {
    ReassociationIndices front;
    for (int64_t d = 0; d + 1 < type.getRank(); ++d)
      front.push_back(d);
    lhs = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({rows, k}, element), lhs,
        ArrayRef<ReassociationIndices>{front, {type.getRank() - 1}});
  }
  if (paddedK == k)
    return lhs;
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  MLIRContext *ctx = b.getContext();
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get({rows, paddedK}, element), lhs,
      getAsIndexOpFoldResult(ctx, {0, 0}),
      getAsIndexOpFoldResult(ctx, {0, paddedK - k}), zero);
}

Value zeroPanels(OpBuilder &b, Location loc, int64_t rows, int64_t panels,
                 int64_t lanes, Type element) {
  Value empty = tensor::EmptyOp::create(b, loc, {rows, panels, lanes}, element);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

Value panelsAsResult(OpBuilder &b, Location loc, Value result,
                     RankedTensorType type, int64_t rows, int64_t n) {
  auto panelsType = cast<RankedTensorType>(result.getType());
  Type element = panelsType.getElementType();
  int64_t columns = panelsType.getDimSize(1) * panelsType.getDimSize(2);
  MLIRContext *ctx = b.getContext();
  result = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({rows, columns}, element), result,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  if (columns != n)
    result = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({rows, n}, element), result,
        getAsIndexOpFoldResult(ctx, {0, 0}),
        getAsIndexOpFoldResult(ctx, {rows, n}),
        getAsIndexOpFoldResult(ctx, {1, 1}));
  if (type.getRank() > 2) {
    ReassociationIndices front;
    for (int64_t d = 0; d + 1 < type.getRank(); ++d)
      front.push_back(d);
    result = tensor::ExpandShapeOp::create(
        b, loc, type, result,
        ArrayRef<ReassociationIndices>{front, {type.getRank() - 1}});
  }
  return result;
}

void replaceWithPanels(RewriterBase &rewriter, const RowsContraction &product,
                       linalg::GenericOp generic, StringRef marker) {
  generic->setAttr(marker, rewriter.getUnitAttr());
  Operation *op = product.op;
  rewriter.replaceOp(
      op, panelsAsResult(rewriter, op->getLoc(), generic.getResult(0),
                         cast<RankedTensorType>(op->getResult(0).getType()),
                         product.rows, product.n));
}

} // namespace strata::panels
