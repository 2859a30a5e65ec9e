//===- PackWeightOnlyRhs.cpp - f32 products of packed 4/8-bit weights -----===//
//
// See Passes.td (strata-pack-weight-only-rhs). A weight-only quantized
// product (MatMulNBits, or a blocked DequantizeLinear of a constant int4 /
// int8 weight into a MatMul) reaches linalg as
//
//   B = dequantize(q, scale, zero point)  (strata.dequantize, a generic)
//   C = A x B   (or A x transpose(B))
//
// which would rebuild the f32 weight every run. It becomes one generic
// over (m, panel, lane, block, step, nibble) marked `strata.weight_panels`:
//
//   C[m][p][l] += A[m][b * block / per + s][e]
//                 * (u(Q[p][b][s][l], e) * S[p][b][l] - Z[p][b][l] * S[p][b][l])
//
// (A as rows x K / per x per: the nibble is a loop of A's) with the weight's unsigned codes u (its values less the type's minimum;
// two per byte for 4 bits, low nibble first, `per` = 2; one for 8 bits)
// packed per panel of `lanes` columns, and per block and column the scale
// S (f32) and the zero point less the minimum Z (a byte). The weights stay
// 4 or 8 bits in the library; strata-lower-weight-only-contractions turns
// the generic into register blocks that dequantize them in registers.
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

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_PACKWEIGHTONLYRHS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// Where one (row, column) of a 2-D dequantization reads a scale or zero
/// point: each of the map's results is a loop, a loop divided by a
/// constant, or a constant.
struct ScaleReader {
  AffineMap map;
  SmallVector<int64_t> strides; // row-major strides of the operand

  static std::optional<ScaleReader> of(AffineMap map, ShapedType type) {
    for (AffineExpr e : map.getResults()) {
      auto bin = dyn_cast<AffineBinaryOpExpr>(e);
      bool ok = isa<AffineDimExpr, AffineConstantExpr>(e) ||
                (bin && e.getKind() == AffineExprKind::FloorDiv &&
                 isa<AffineDimExpr>(bin.getLHS()) &&
                 isa<AffineConstantExpr>(bin.getRHS()));
      if (!ok)
        return std::nullopt;
    }
    ScaleReader r{map, SmallVector<int64_t>(type.getRank(), 1)};
    for (int64_t d = type.getRank() - 2; d >= 0; --d)
      r.strides[d] = r.strides[d + 1] * type.getDimSize(d + 1);
    return r;
  }

  int64_t at(int64_t i, int64_t j) const {
    int64_t index[2] = {i, j}, flat = 0;
    for (auto [e, stride] : llvm::zip(map.getResults(), strides)) {
      int64_t v;
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        v = index[dim.getPosition()];
      else if (auto c = dyn_cast<AffineConstantExpr>(e))
        v = c.getValue();
      else {
        auto bin = cast<AffineBinaryOpExpr>(e);
        v = index[cast<AffineDimExpr>(bin.getLHS()).getPosition()] /
            cast<AffineConstantExpr>(bin.getRHS()).getValue();
      }
      flat += v * stride;
    }
    return flat;
  }

  /// The block of loop `dim`'s that one value covers: the divisor where
  /// the map divides it, 1 where it reads it as is, 0 where it does not
  /// read it (the whole extent).
  int64_t blockOf(unsigned dim) const {
    for (AffineExpr e : map.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e); d && d.getPosition() == dim)
        return 1;
      if (auto bin = dyn_cast<AffineBinaryOpExpr>(e))
        if (cast<AffineDimExpr>(bin.getLHS()).getPosition() == dim)
          return cast<AffineConstantExpr>(bin.getRHS()).getValue();
    }
    return 0;
  }
};

/// A product of A and a dequantized constant weight, with what packing it
/// needs.
struct Candidate {
  strata::panels::RowsContraction product;
  Operation *dequantize = nullptr; // the strata.dequantize generic
  unsigned kDim = 0;      // the dequantization's loop along K
  ArrayRef<char> codes;   // its input, one i8 per value
  std::vector<float> scales;
  std::vector<int64_t> zeroPoints; // empty: zero
  std::optional<ScaleReader> scaleAt, zeroAt;
  unsigned bits = 0;
  bool isSigned = false;
  int64_t block = 0, blocks = 0;
};

std::optional<Candidate> match(linalg::LinalgOp op) {
  std::optional<strata::panels::RowsContraction> product =
      strata::panels::matchRowsContraction(op, /*allowTransposedRhs=*/true);
  if (!product ||
      !cast<ShapedType>(op->getResult(0).getType()).getElementType().isF32() ||
      !cast<ShapedType>(op.getDpsInputs()[0].getType())
           .getElementType()
           .isF32() ||
      !strata::panels::startsAtZero(op))
    return std::nullopt;
  // B, or its transpose, is the dequantization.
  Value rhs = op.getDpsInputs()[1];
  bool transposed = product->rhsTransposed;
  if (auto t = rhs.getDefiningOp<linalg::TransposeOp>()) {
    if (t.getPermutation() != ArrayRef<int64_t>{1, 0})
      return std::nullopt;
    rhs = t.getInput();
    transposed = !transposed;
  }
  auto dq = rhs.getDefiningOp<linalg::GenericOp>();
  auto kind = dq ? dq->getAttrOfType<StringAttr>("strata.dequantize") : nullptr;
  if (!kind || dq.getNumDpsInputs() < 2 || dq.getNumDpsInputs() > 3 ||
      dq.getNumLoops() != 2 || !dq.getIndexingMapsArray()[0].isIdentity())
    return std::nullopt;
  Candidate c;
  c.product = *product;
  c.dequantize = dq;
  c.kDim = transposed ? 1 : 0;
  StringRef name = kind.getValue();
  c.isSigned = !name.consume_front("ui") && name.consume_front("i");
  if (name == "4")
    c.bits = 4;
  else if (name == "8")
    c.bits = 8;
  else
    return std::nullopt; // 2-bit weights stay as they are
  ElementsAttr codes = strata::panels::constantOf(dq.getDpsInputs()[0]);
  ElementsAttr scales = strata::panels::constantOf(dq.getDpsInputs()[1]);
  std::optional<ArrayRef<char>> raw =
      codes ? strata::rawConstantData(codes) : std::nullopt;
  std::optional<std::vector<float>> scaleValues =
      scales ? strata::readF32Constant(scales) : std::nullopt;
  if (!raw || !codes.getElementType().isInteger(8) || !scaleValues)
    return std::nullopt;
  c.codes = *raw;
  c.scales = std::move(*scaleValues);
  SmallVector<AffineMap> maps = dq.getIndexingMapsArray();
  c.scaleAt = ScaleReader::of(
      maps[1], cast<ShapedType>(dq.getDpsInputs()[1].getType()));
  if (!c.scaleAt)
    return std::nullopt;
  if (dq.getNumDpsInputs() == 3) {
    ElementsAttr zeros = strata::panels::constantOf(dq.getDpsInputs()[2]);
    std::optional<std::vector<int64_t>> zeroValues =
        zeros ? strata::readIntegerConstant(zeros) : std::nullopt;
    c.zeroAt = ScaleReader::of(
        maps[2], cast<ShapedType>(dq.getDpsInputs()[2].getType()));
    if (!zeroValues || !c.zeroAt)
      return std::nullopt;
    c.zeroPoints = std::move(*zeroValues);
  }
  // The block along K: the scale's (and zero point's) divisor of the K
  // loop, or all of K where they do not read it.
  int64_t k = product->k;
  int64_t block = c.scaleAt->blockOf(c.kDim);
  if (c.zeroAt) {
    int64_t zeroBlock = c.zeroAt->blockOf(c.kDim);
    if (zeroBlock != 0 && block != 0 && zeroBlock != block)
      return std::nullopt;
    block = block ? block : zeroBlock;
  }
  if (block == 1)
    return std::nullopt; // a scale per weight: nothing to share
  if (block == 0 || block >= k)
    block = k;
  c.blocks = (k + block - 1) / block;
  if (c.bits == 4 && block % 2 != 0) {
    if (c.blocks != 1)
      return std::nullopt;
    ++block; // one block: pad K to whole bytes
  }
  c.block = block;
  return c;
}

struct PackWeightOnlyRhsPass
    : strata::impl::PackWeightOnlyRhsBase<PackWeightOnlyRhsPass> {
  using Base::Base;

  struct Packed {
    Value codes, scales, zeros;
  };

  /// A stored code (the i8 holding a `bits`-bit value) as its value.
  static int64_t valueOf(int64_t stored, unsigned bits, bool isSigned) {
    if (bits == 8)
      return isSigned ? int64_t(int8_t(stored)) : int64_t(uint8_t(stored));
    int64_t v = stored & 15;
    return isSigned && v >= 8 ? v - 16 : v;
  }

  Packed pack(OpBuilder &b, Location loc, const Candidate &c) {
    int64_t k = c.product.k, n = c.product.n;
    int64_t n1 = (n + lanes - 1) / lanes, per = c.bits == 4 ? 2 : 1;
    int64_t steps = c.block / per;
    int64_t minimum = c.isSigned ? -(int64_t(1) << (c.bits - 1)) : 0;
    // The dequantization's (row, column) of weight (kk, nn).
    auto at = [&](int64_t kk, int64_t nn) {
      return c.kDim == 0 ? std::make_pair(kk, nn) : std::make_pair(nn, kk);
    };
    auto dqType = cast<ShapedType>(c.dequantize->getResult(0).getType());
    int64_t columns = dqType.getDimSize(1);
    std::vector<uint8_t> codes(n1 * c.blocks * steps * lanes, 0);
    std::vector<float> scales(n1 * c.blocks * lanes, 0.f);
    std::vector<uint8_t> zeros(n1 * c.blocks * lanes, 0);
    for (int64_t p = 0; p < n1; ++p)
      for (int64_t l = 0; l < lanes; ++l) {
        int64_t nn = p * lanes + l;
        if (nn >= n)
          continue;
        for (int64_t blk = 0; blk < c.blocks; ++blk) {
          auto [i, j] = at(blk * c.block, nn);
          float scale = c.scales[c.scaleAt->at(i, j)];
          int64_t zero =
              c.zeroAt ? valueOf(c.zeroPoints[c.zeroAt->at(i, j)], c.bits,
                                 c.isSigned)
                       : 0;
          int64_t slot = (p * c.blocks + blk) * lanes + l;
          scales[slot] = scale;
          zeros[slot] = uint8_t(zero - minimum);
          for (int64_t s = 0; s < steps; ++s)
            for (int64_t e = 0; e < per; ++e) {
              int64_t kk = blk * c.block + s * per + e;
              if (kk >= k)
                continue;
              auto [ii, jj] = at(kk, nn);
              int64_t u = valueOf(c.codes[ii * columns + jj], c.bits,
                                  c.isSigned) -
                          minimum;
              codes[((p * c.blocks + blk) * steps + s) * lanes + l] |=
                  uint8_t(u << (4 * e));
            }
        }
      }
    MLIRContext *ctx = b.getContext();
    auto blob = [&](ArrayRef<int64_t> shape, Type element, const void *data,
                    size_t bytes, StringRef name) -> Value {
      auto type = RankedTensorType::get(shape, element);
      auto attr = DenseResourceElementsAttr::get(
          type, name,
          HeapAsmResourceBlob::allocateAndCopyWithAlign(
              ArrayRef<char>(static_cast<const char *>(data), bytes), 64));
      return arith::ConstantOp::create(b, loc, type, attr);
    };
    Type f32 = Float32Type::get(ctx);
    return {blob({n1, c.blocks, steps, lanes}, IntegerType::get(ctx, 8),
                 codes.data(), codes.size(), "weight_panels"),
            blob({n1, c.blocks, lanes}, f32, scales.data(), scales.size() * 4,
                 "weight_scales"),
            blob({n1, c.blocks, lanes}, IntegerType::get(ctx, 8), zeros.data(),
                 zeros.size(), "weight_zero_points")};
  }

  void rewrite(IRRewriter &rewriter, const Candidate &c,
               llvm::DenseMap<Operation *, Packed> &packedOf) {
    const strata::panels::RowsContraction &p = c.product;
    linalg::LinalgOp op = p.op;
    Location loc = op.getLoc();
    MLIRContext *ctx = &getContext();
    auto found = packedOf.find(c.dequantize);
    if (found == packedOf.end()) {
      // At the function's start, where every product that reads it sees it.
      Block &entry = op->getParentOfType<FunctionOpInterface>()
                         .getFunctionBody()
                         .front();
      rewriter.setInsertionPointToStart(&entry);
      found = packedOf.try_emplace(c.dequantize, pack(rewriter, loc, c)).first;
    }
    Packed packed = found->second;
    rewriter.setInsertionPoint(op);
    int64_t n1 = (p.n + lanes - 1) / lanes, per = c.bits == 4 ? 2 : 1;
    // A as rows x K / per x per, so that the nibble is a loop of its own.
    int64_t paddedK = c.blocks * c.block;
    Value lhs = strata::panels::lhsAsRows(rewriter, loc, op.getDpsInputs()[0],
                                          p.rows, p.k, paddedK);
    lhs = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({p.rows, paddedK / per, per},
                              rewriter.getF32Type()),
        lhs, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
    Type f32 = rewriter.getF32Type(), i32 = rewriter.getI32Type();
    Value init = strata::panels::zeroPanels(rewriter, loc, p.rows, n1, lanes, f32);
    AffineExpr m = getAffineDimExpr(0, ctx), panel = getAffineDimExpr(1, ctx),
               l = getAffineDimExpr(2, ctx), blk = getAffineDimExpr(3, ctx),
               s = getAffineDimExpr(4, ctx), e = getAffineDimExpr(5, ctx);
    SmallVector<AffineMap> maps = {
        AffineMap::get(6, 0, {m, blk * (c.block / per) + s, e}, ctx),
        AffineMap::get(6, 0, {panel, blk, s, l}, ctx),
        AffineMap::get(6, 0, {panel, blk, l}, ctx),
        AffineMap::get(6, 0, {panel, blk, l}, ctx),
        AffineMap::get(6, 0, {m, panel, l}, ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators(3, IteratorType::parallel);
    iterators.append(3, IteratorType::reduction);
    bool nibbles = c.bits == 4;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(),
        ValueRange{lhs, packed.codes, packed.scales, packed.zeros},
        ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location at, ValueRange args) {
          Value code = arith::ExtUIOp::create(b, at, i32, args[1]);
          if (nibbles) {
            Value index = linalg::IndexOp::create(b, at, 5);
            Value shift = arith::MulIOp::create(
                b, at,
                arith::IndexCastOp::create(b, at, i32, index),
                arith::ConstantIntOp::create(b, at, i32, 4));
            code = arith::AndIOp::create(
                b, at, arith::ShRUIOp::create(b, at, code, shift),
                arith::ConstantIntOp::create(b, at, i32, 15));
          }
          // code * S + T, T = -(zero point * S): one FMA per weight.
          Value zero = arith::SIToFPOp::create(
              b, at, f32, arith::ExtUIOp::create(b, at, i32, args[3]));
          Value offset = arith::NegFOp::create(
              b, at, arith::MulFOp::create(b, at, zero, args[2]));
          Value w = arith::SIToFPOp::create(b, at, f32, code);
          w = arith::AddFOp::create(
              b, at, arith::MulFOp::create(b, at, w, args[2]), offset);
          Value sum = arith::AddFOp::create(
              b, at, args[4], arith::MulFOp::create(b, at, args[0], w));
          linalg::YieldOp::create(b, at, sum);
        });
    strata::panels::replaceWithPanels(rewriter, p, generic, "strata.weight_panels");
  }

  void runOnOperation() override {
    if (lanes < 1) {
      getOperation()->emitError("strata-pack-weight-only-rhs: lanes must be "
                                "positive");
      return signalPassFailure();
    }
    std::vector<Candidate> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<Candidate> c = match(op))
        candidates.push_back(std::move(*c));
    });
    strata::ResourceBlobReleaser releaser(getOperation());
    IRRewriter rewriter(&getContext(), &releaser);
    llvm::DenseMap<Operation *, Packed> packedOf;
    for (const Candidate &c : candidates)
      rewrite(rewriter, c, packedOf);
    // The dequantizations (and transposes) that no product reads any more.
    for (auto &[dequantize, packed] : packedOf) {
      (void)packed;
      SmallVector<Operation *> users(dequantize->getUsers());
      for (Operation *user : users)
        if (isa<linalg::TransposeOp>(user) && user->use_empty())
          rewriter.eraseOp(user);
      if (dequantize->use_empty())
        rewriter.eraseOp(dequantize);
    }
  }
};

} // namespace
