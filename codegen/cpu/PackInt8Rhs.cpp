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
// With `split-pairs` (vpmaddubsw, which sums two u8 x s8 products into a
// saturating i16), each pair of adjacent k of a column whose products
// could leave i16 (both weights of one sign, summing past 128 in
// magnitude: 255 * 129 > 32767) is halved, and the other half goes into
// a residual: for each panel, the k groups that hold any such half, as
// vectors of the same layout, their group numbers and their count. The
// product is then A * main + A * residual, both exact; the generic gets
// a sixth loop (r, over the residual's entries) and reads the residual.
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

  /// B packed, and (split-pairs) its residual; see the file comment.
  struct Packed {
    Value main;
    Value residual, groups, counts; // null without a residual

    int64_t group() const {
      return cast<ShapedType>(main.getType()).getDimSize(3);
    }
  };

  /// How B is packed: k per lane, i16 or i8, split pairs or not.
  struct Layout {
    int64_t group;
    bool wide, split;
  };

  /// The bytes of a packing, before they become constants.
  struct Bytes {
    Layout layout;
    int64_t n1, k1;
    std::vector<char> main;
    /// Per panel, its residual vectors, each with its k group.
    std::vector<std::vector<std::pair<int32_t, std::vector<int8_t>>>>
        residualOf;

    /// The share of (panel, k group) vectors with a residual entry.
    double residualShare() const {
      int64_t used = 0;
      for (const auto &list : residualOf)
        used += list.size();
      return double(used) / double(n1 * k1);
    }
  };

  ElementsAttr blob(ArrayRef<char> bytes, ArrayRef<int64_t> shape,
                    Type element, StringRef name) {
    return DenseResourceElementsAttr::get(
        RankedTensorType::get(shape, element), name,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64));
  }

  /// B (K x N i8, row-major) as [N1][K1][lanes][group], i8 or (wide) i16,
  /// with the residual of split pairs as [N1][R][lanes][group] i8, its
  /// group numbers [N1][R] and counts [N1] (i32).
  ///
  /// With split-pairs, a B whose residual would hold more than
  /// `max-residual` of its (panel, k group) vectors is packed as for
  /// vpmaddwd instead (words, groups of 2, nothing split): its residual
  /// would cost more than the faster instruction saves.
  Packed pack(OpBuilder &b, Location loc, ElementsAttr rhs, int64_t k,
              int64_t n) {
    if (!splitPairs)
      return constants(b, loc, bytesOf(rhs, k, n, {group, wide, false}));
    Bytes split = bytesOf(rhs, k, n, {group, false, true});
    if (split.residualShare() <= maxResidual)
      return constants(b, loc, split);
    return constants(b, loc, bytesOf(rhs, k, n, {2, true, false}));
  }

  /// Whether a pair of adjacent-k weights of one column could leave i16 in
  /// vpmaddubsw (times bytes up to 255): one sign, past 128 in magnitude.
  static bool overflows(int16_t value, int16_t other) {
    int pos = std::max<int>(value, 0) + std::max<int>(other, 0);
    int neg = std::min<int>(value, 0) + std::min<int>(other, 0);
    return pos > 128 || neg < -128;
  }

  Bytes bytesOf(ElementsAttr rhs, int64_t k, int64_t n, Layout layout) {
    ArrayRef<char> data = *strata::rawConstantData(rhs);
    const int8_t *from = reinterpret_cast<const int8_t *>(data.data());
    int64_t group = layout.group;
    int64_t n1 = ceilDiv(n, lanes), k1 = ceilDiv(k, group);
    int64_t width = layout.wide ? 2 : 1, vector = lanes * group;
    auto at = [&](int64_t row, int64_t col) -> int16_t {
      return row < k && col < n ? from[row * n + col] : 0;
    };
    Bytes result{layout, n1, k1,
                 std::vector<char>(n1 * k1 * vector * width, 0), {}};
    result.residualOf.resize(n1);
    for (int64_t p = 0; p < n1; ++p)
      for (int64_t g = 0; g < k1; ++g) {
        std::vector<int8_t> rest(vector, 0);
        bool any = false;
        for (int64_t l = 0; l < lanes; ++l)
          for (int64_t e = 0; e < group; ++e) {
            int64_t row = g * group + e, col = p * lanes + l;
            int16_t value = at(row, col);
            if (layout.split && overflows(value, at(row ^ 1, col))) {
              int16_t half = value / 2; // each part of the pair: |.| <= 64
              rest[l * group + e] = int8_t(value - half);
              value = half;
              any = true;
            }
            size_t offset = ((p * k1 + g) * vector + l * group + e) * width;
            std::memcpy(&result.main[offset], &value, width); // little-endian
          }
        if (any)
          result.residualOf[p].push_back({int32_t(g), std::move(rest)});
      }
    return result;
  }

  Packed constants(OpBuilder &b, Location loc, const Bytes &bytes) {
    int64_t n1 = bytes.n1, group = bytes.layout.group, vector = lanes * group;
    auto constant = [&](ElementsAttr attr) -> Value {
      return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
    };
    Packed result;
    result.main = constant(
        blob(bytes.main, {n1, bytes.k1, lanes, group},
             IntegerType::get(&getContext(), bytes.layout.wide ? 16 : 8),
             "int8_panels"));
    int64_t entries = 0;
    for (const auto &list : bytes.residualOf)
      entries = std::max<int64_t>(entries, list.size());
    if (entries == 0)
      return result;
    std::vector<char> residual(n1 * entries * vector, 0);
    std::vector<int32_t> groups(n1 * entries, 0), counts(n1, 0);
    for (int64_t p = 0; p < n1; ++p) {
      counts[p] = bytes.residualOf[p].size();
      for (auto [j, entry] : llvm::enumerate(bytes.residualOf[p])) {
        groups[p * entries + j] = entry.first;
        std::memcpy(&residual[(p * entries + j) * vector],
                    entry.second.data(), vector);
      }
    }
    auto asBytes = [](const std::vector<int32_t> &v) {
      return ArrayRef<char>(reinterpret_cast<const char *>(v.data()),
                            v.size() * sizeof(int32_t));
    };
    Type i32 = IntegerType::get(&getContext(), 32);
    result.residual =
        constant(blob(residual, {n1, entries, lanes, group},
                      IntegerType::get(&getContext(), 8), "int8_residual"));
    result.groups =
        constant(blob(asBytes(groups), {n1, entries}, i32, "int8_groups"));
    result.counts = constant(blob(asBytes(counts), {n1}, i32, "int8_counts"));
    return result;
  }

  void rewrite(IRRewriter &rewriter, const Candidate &c,
               llvm::DenseMap<Attribute, Packed> &packedOf) {
    const strata::panels::RowsContraction &p = c.product;
    linalg::LinalgOp op = p.op;
    Location loc = op.getLoc();
    MLIRContext *ctx = &getContext();
    auto found = packedOf.find(c.rhs);
    if (found == packedOf.end()) {
      // At the function's start, where every product that reads it sees it.
      Block &entry = op->getParentOfType<FunctionOpInterface>()
                         .getFunctionBody()
                         .front();
      rewriter.setInsertionPointToStart(&entry);
      found = packedOf.try_emplace(c.rhs, pack(rewriter, loc, c.rhs, p.k, p.n))
                  .first;
    }
    const Packed &packed = found->second;
    rewriter.setInsertionPoint(op);
    int64_t group = packed.group();
    int64_t n1 = ceilDiv(p.n, lanes), k1 = ceilDiv(p.k, group);
    Type i32 = rewriter.getI32Type();
    Value lhs = strata::panels::lhsAsRows(rewriter, loc, op.getDpsInputs()[0],
                                          p.rows, p.k, k1 * group);
    Value init =
        strata::panels::zeroPanels(rewriter, loc, p.rows, n1, lanes, i32);
    bool split = bool(packed.residual);
    AffineExpr m = getAffineDimExpr(0, ctx), panel = getAffineDimExpr(1, ctx),
               l = getAffineDimExpr(2, ctx), g = getAffineDimExpr(3, ctx),
               e = getAffineDimExpr(4, ctx), r = getAffineDimExpr(5, ctx);
    unsigned loops = split ? 6 : 5;
    SmallVector<AffineMap> maps = {
        AffineMap::get(loops, 0, {m, g * group + e}, ctx),
        AffineMap::get(loops, 0, {panel, g, l, e}, ctx)};
    SmallVector<Value> inputs = {lhs, packed.main};
    if (split) {
      maps.push_back(AffineMap::get(loops, 0, {panel, r, l, e}, ctx));
      maps.push_back(AffineMap::get(loops, 0, {panel, r}, ctx));
      maps.push_back(AffineMap::get(loops, 0, {panel}, ctx));
      inputs.append({packed.residual, packed.groups, packed.counts});
    }
    maps.push_back(AffineMap::get(loops, 0, {m, panel, l}, ctx));
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {
        IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction};
    if (split)
      iterators.push_back(IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(), inputs, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value a = arith::ExtSIOp::create(b, l, i32, args[0]);
          auto times = [&](Value w) {
            return arith::MulIOp::create(
                b, l, a, arith::ExtSIOp::create(b, l, i32, w));
          };
          Value sum = args.back();
          if (!split) {
            sum = arith::AddIOp::create(b, l, sum, times(args[1]));
            linalg::YieldOp::create(b, l, sum);
            return;
          }
          // The main product once (at r = 0), and the residual entry r
          // where it is one of the panel's and belongs to this k group.
          Value zero = arith::ConstantIntOp::create(b, l, i32, 0);
          Value entry = linalg::IndexOp::create(b, l, 5);
          Value first = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq, entry,
              arith::ConstantIndexOp::create(b, l, 0));
          Value kGroup = arith::IndexCastOp::create(
              b, l, i32, linalg::IndexOp::create(b, l, 3));
          Value entry32 = arith::IndexCastOp::create(b, l, i32, entry);
          Value used = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, entry32,
                                    args[4]),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[3],
                                    kGroup));
          sum = arith::AddIOp::create(
              b, l, sum,
              arith::SelectOp::create(b, l, first, times(args[1]), zero));
          sum = arith::AddIOp::create(
              b, l, sum,
              arith::SelectOp::create(b, l, used, times(args[2]), zero));
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
    if (splitPairs && (wide || group % 2 != 0)) {
      getOperation()->emitError("strata-pack-int8-rhs: split-pairs packs "
                                "bytes (not wide) in groups of pairs");
      return signalPassFailure();
    }
    SmallVector<Candidate> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<Candidate> c = match(op))
        candidates.push_back(*c);
    });
    strata::ResourceBlobReleaser releaser(getOperation());
    IRRewriter rewriter(&getContext(), &releaser);
    llvm::DenseMap<Attribute, Packed> packedOf;
    for (const Candidate &c : candidates)
      rewrite(rewriter, c, packedOf);
  }
};

} // namespace

