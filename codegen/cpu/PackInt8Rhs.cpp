//===- PackInt8Rhs.cpp - int8 products onto packed dot-product panels -----===//
//
// See Passes.td (strata-pack-int8-rhs). The integer dot-product
// instructions multiply `group` adjacent k of one row of A with the same k
// of `lanes` columns of B and add them into one i32 lane per column
// (vpdpbusd: 4 bytes x 16 lanes; vpmaddwd: 2 words x 8 lanes). B is
// packed so that one k group of one panel is one vector:
//
//   packed[n1][k1][n0][k0] = B[k1 * group + k0][n1 * lanes + n0]
//
// with zeros past K and N. The product becomes a linalg.generic over
// (m, n1, n0, k1, k0), marked `strata.int8_panels`, which
// strata-lower-int8-contractions turns into the register-blocked kernel
// once it is on buffers; until then it is an ordinary generic that
// dispatch formation and bufferization handle.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "lib/support/ConstantData.h"
#include "lib/support/ResourceBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <cstring>

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_PACKINT8RHS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// An i8 x i8 -> i32 contraction with a constant K x N B read at (k, n),
/// A at (rows..., k) and C at (rows..., n), all static.
struct Candidate {
  linalg::LinalgOp op;
  ElementsAttr rhs;
  int64_t rows, k, n; // rows: every row loop's extent multiplied
};

/// The constant behind `value`, looking through collapse_shape (which
/// keeps the row-major order of the data).
ElementsAttr constantOf(Value value) {
  while (auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>())
    value = collapse.getSrc();
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  return constant ? dyn_cast<ElementsAttr>(constant.getValue()) : nullptr;
}

bool isI8(Value v) {
  return cast<ShapedType>(v.getType()).getElementType().isInteger(8);
}

std::optional<Candidate> match(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op) ||
      op->hasAttr("strata.int8_panels"))
    return std::nullopt;
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!outType || !outType.getElementType().isInteger(32) || !isI8(lhs) ||
      !isI8(rhs) || !outType.hasStaticShape() ||
      !cast<ShapedType>(lhs.getType()).hasStaticShape())
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  // B (K x N) has no batch dims; every loop of A and C besides k and n
  // is a row loop (an im2col product's image loop among them).
  if (failed(dims) || !dims->batch.empty() || dims->m.empty() ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return std::nullopt;
  unsigned n = dims->n[0], k = dims->k[0];
  SmallVector<unsigned> rowLoops(dims->m.begin(), dims->m.end());
  llvm::sort(rowLoops);
  MLIRContext *ctx = op.getContext();
  unsigned loops = op.getNumLoops();
  // A at (rows..., k), B at (k, n), C at (rows..., n).
  SmallVector<AffineExpr> lhsExprs, outExprs;
  for (unsigned r : rowLoops) {
    lhsExprs.push_back(getAffineDimExpr(r, ctx));
    outExprs.push_back(getAffineDimExpr(r, ctx));
  }
  lhsExprs.push_back(getAffineDimExpr(k, ctx));
  outExprs.push_back(getAffineDimExpr(n, ctx));
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != AffineMap::get(loops, 0, lhsExprs, ctx) ||
      maps[1] != AffineMap::get(loops, 0,
                                {getAffineDimExpr(k, ctx),
                                 getAffineDimExpr(n, ctx)},
                                ctx) ||
      maps[2] != AffineMap::get(loops, 0, outExprs, ctx))
    return std::nullopt;
  // The accumulator must start at zero: the packed product writes a fresh
  // (possibly wider) tensor.
  Value init = op.getDpsInits()[0];
  while (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
      init.getDefiningOp()))
    init = init.getDefiningOp()->getOperand(0);
  auto fill = init.getDefiningOp<linalg::FillOp>();
  auto zero = fill ? getConstantIntValue(fill.getInputs()[0]) : std::nullopt;
  if (!zero || *zero != 0)
    return std::nullopt;
  ElementsAttr data = constantOf(rhs);
  if (!data || !strata::rawConstantData(data))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rows = 1;
  for (unsigned r : rowLoops)
    rows *= ranges[r];
  return Candidate{op, data, rows, ranges[k], ranges[n]};
}

struct PackInt8RhsPass : strata::impl::PackInt8RhsBase<PackInt8RhsPass> {
  using Base::Base;

  int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

  /// B (K x N i8, row-major) as [N1][K1][lanes][group], i8 or (wide) i16.
  ElementsAttr pack(ElementsAttr rhs, int64_t k, int64_t n) {
    ArrayRef<char> data = *strata::rawConstantData(rhs);
    const int8_t *from = reinterpret_cast<const int8_t *>(data.data());
    int64_t n1 = ceilDiv(n, lanes), k1 = ceilDiv(k, group);
    int64_t width = wide ? 2 : 1;
    std::vector<char> packed(n1 * k1 * lanes * group * width, 0);
    for (int64_t p = 0; p < n1; ++p)
      for (int64_t g = 0; g < k1; ++g)
        for (int64_t l = 0; l < lanes; ++l)
          for (int64_t e = 0; e < group; ++e) {
            int64_t row = g * group + e, col = p * lanes + l;
            if (row >= k || col >= n)
              continue;
            int16_t value = from[row * n + col];
            size_t at = (((p * k1 + g) * lanes + l) * group + e) * width;
            std::memcpy(&packed[at], &value, width); // little-endian
          }
    Type element = IntegerType::get(&getContext(), wide ? 16 : 8);
    auto type = RankedTensorType::get({n1, k1, lanes, group}, element);
    return DenseResourceElementsAttr::get(
        type, "int8_panels",
        HeapAsmResourceBlob::allocateAndCopyWithAlign(packed, 64));
  }

  void rewrite(IRRewriter &rewriter, const Candidate &c,
               llvm::DenseMap<Attribute, Value> &packedOf) {
    linalg::LinalgOp op = c.op;
    Location loc = op.getLoc();
    MLIRContext *ctx = &getContext();
    Value &packed = packedOf[c.rhs];
    if (!packed) {
      // At the function's start, where every product that reads it sees it.
      Block &entry = op->getParentOfType<FunctionOpInterface>()
                         .getFunctionBody()
                         .front();
      rewriter.setInsertionPointToStart(&entry);
      packed = arith::ConstantOp::create(
          rewriter, loc, cast<TypedAttr>(pack(c.rhs, c.k, c.n)));
    }
    rewriter.setInsertionPoint(op);
    int64_t n1 = ceilDiv(c.n, lanes), k1 = ceilDiv(c.k, group);
    // A as rows x K, padded with zeros to K1 * group columns.
    Value lhs = op.getDpsInputs()[0];
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    if (lhsType.getRank() > 2) {
      ReassociationIndices front;
      for (int64_t d = 0; d + 1 < lhsType.getRank(); ++d)
        front.push_back(d);
      lhs = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({c.rows, c.k}, i8), lhs,
          ArrayRef<ReassociationIndices>{front, {lhsType.getRank() - 1}});
    }
    if (k1 * group != c.k) {
      Value zero = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getI8IntegerAttr(0));
      lhs = tensor::PadOp::create(
          rewriter, loc, RankedTensorType::get({c.rows, k1 * group}, i8), lhs,
          getAsIndexOpFoldResult(ctx, {0, 0}),
          getAsIndexOpFoldResult(ctx, {0, k1 * group - c.k}), zero);
    }
    // The result as rows x N1 x lanes, zero-filled.
    auto outType = RankedTensorType::get({c.rows, n1, lanes}, i32);
    Value empty = tensor::EmptyOp::create(rewriter, loc, outType.getShape(), i32);
    Value zero32 =
        arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(0));
    Value init = linalg::FillOp::create(rewriter, loc, zero32, empty).getResult(0);
    AffineExpr m = getAffineDimExpr(0, ctx), p = getAffineDimExpr(1, ctx),
               l = getAffineDimExpr(2, ctx), g = getAffineDimExpr(3, ctx),
               e = getAffineDimExpr(4, ctx);
    SmallVector<AffineMap> maps = {
        AffineMap::get(5, 0, {m, g * group + e}, ctx),
        AffineMap::get(5, 0, {p, g, l, e}, ctx),
        AffineMap::get(5, 0, {m, p, l}, ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {
        IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, outType, ValueRange{lhs, packed}, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value a = arith::ExtSIOp::create(b, l, i32, args[0]);
          Value w = arith::ExtSIOp::create(b, l, i32, args[1]);
          Value sum = arith::AddIOp::create(
              b, l, args[2], arith::MulIOp::create(b, l, a, w));
          linalg::YieldOp::create(b, l, sum);
        });
    generic->setAttr("strata.int8_panels", rewriter.getUnitAttr());
    // Back to the op's result: rows x N1 * lanes, the first N columns,
    // expanded to its batch dims.
    Value result = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({c.rows, n1 * lanes}, i32),
        generic.getResult(0), ArrayRef<ReassociationIndices>{{0}, {1, 2}});
    if (n1 * lanes != c.n)
      result = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get({c.rows, c.n}, i32), result,
          getAsIndexOpFoldResult(ctx, {0, 0}),
          getAsIndexOpFoldResult(ctx, {c.rows, c.n}),
          getAsIndexOpFoldResult(ctx, {1, 1}));
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (resultType.getRank() > 2) {
      ReassociationIndices front;
      for (int64_t d = 0; d + 1 < resultType.getRank(); ++d)
        front.push_back(d);
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, resultType, result,
          ArrayRef<ReassociationIndices>{front, {resultType.getRank() - 1}});
    }
    rewriter.replaceOp(op, result);
  }

  void runOnOperation() override {
    if (lanes < 1 || (group != 2 && group != 4)) {
      getOperation()->emitError("strata-pack-int8-rhs: lanes must be "
                                "positive and group 2 or 4");
      return signalPassFailure();
    }
    SmallVector<Candidate> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<Candidate> c = match(op))
        candidates.push_back(*c);
    });
    strata::ResourceBlobReleaser releaser(getOperation());
    IRRewriter rewriter(&getContext(), &releaser);
    llvm::DenseMap<Attribute, Value> packedOf;
    for (const Candidate &c : candidates)
      rewrite(rewriter, c, packedOf);
  }
};

} // namespace

