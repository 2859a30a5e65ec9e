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
#include "codegen/cpu/PanelProducts.h"
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
  strata::panels::RowsContraction product;
  ElementsAttr rhs;
};

bool isI8(Value v) {
  return cast<ShapedType>(v.getType()).getElementType().isInteger(8);
}

std::optional<Candidate> match(linalg::LinalgOp op) {
  if (op->hasAttr("strata.int8_panels"))
    return std::nullopt;
  std::optional<strata::panels::RowsContraction> product =
      strata::panels::matchRowsContraction(op, /*allowTransposedRhs=*/false);
  if (!product)
    return std::nullopt;
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  if (!outType.getElementType().isInteger(32) || !isI8(lhs) || !isI8(rhs))
    return std::nullopt;
  // The accumulator must start at zero: the packed product writes a fresh
  // (possibly wider) tensor.
  if (!strata::panels::startsAtZero(op))
    return std::nullopt;
  ElementsAttr data = strata::panels::constantOf(rhs);
  if (!data || !strata::rawConstantData(data))
    return std::nullopt;
  return Candidate{*product, data};
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
    const strata::panels::RowsContraction &p = c.product;
    linalg::LinalgOp op = p.op;
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
          rewriter, loc, cast<TypedAttr>(pack(c.rhs, p.k, p.n)));
    }
    rewriter.setInsertionPoint(op);
    int64_t n1 = ceilDiv(p.n, lanes), k1 = ceilDiv(p.k, group);
    Type i32 = rewriter.getI32Type();
    Value lhs = strata::panels::lhsAsRows(rewriter, loc, op.getDpsInputs()[0],
                                          p.rows, p.k, k1 * group);
    Value init =
        strata::panels::zeroPanels(rewriter, loc, p.rows, n1, lanes, i32);
    AffineExpr m = getAffineDimExpr(0, ctx), panel = getAffineDimExpr(1, ctx),
               l = getAffineDimExpr(2, ctx), g = getAffineDimExpr(3, ctx),
               e = getAffineDimExpr(4, ctx);
    SmallVector<AffineMap> maps = {
        AffineMap::get(5, 0, {m, g * group + e}, ctx),
        AffineMap::get(5, 0, {panel, g, l, e}, ctx),
        AffineMap::get(5, 0, {m, panel, l}, ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {
        IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(), ValueRange{lhs, packed},
        ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value a = arith::ExtSIOp::create(b, l, i32, args[0]);
          Value w = arith::ExtSIOp::create(b, l, i32, args[1]);
          Value sum = arith::AddIOp::create(
              b, l, args[2], arith::MulIOp::create(b, l, a, w));
          linalg::YieldOp::create(b, l, sum);
        });
    strata::panels::replaceWithPanels(rewriter, p, generic, "strata.int8_panels");
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

