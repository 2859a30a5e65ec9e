//===- LowerInt8Contractions.cpp - int8 register blocks on dot products ---===//
//
// See Passes.td (strata-lower-int8-contractions). The products that
// strata-pack-int8-rhs marked (`strata.int8_panels`) are, on buffers,
//
//   C[m][p][l] += sum over g, e of A[m][g * G + e] * B[p][g][l][e]
//
// (i8 x i8 -> i32, signed). Each becomes a loop nest of register blocks:
// `rows` rows of A by `panels` panels of B, whose accumulators (one vector
// of `lanes` i32 per row and panel) stay in registers over the k groups.
// Per k group a block loads one vector of B per panel and broadcasts G
// bytes of A per row:
//
//  * vnni: vpdpbusd (AVX-512 VNNI, AVX-VNNI) adds 4 products of an
//    unsigned byte of its first operand and a signed one of its second.
//    A's signed bytes are flipped to unsigned (x + 128, the top bit
//    toggled); the extra 128 * sum_k B[k][n] is subtracted once per panel
//    (computed by the same instruction on a row of 0x80 bytes).
//  * maddubs: vpmaddubsw (AVX2) sums pairs of u8 x s8 products into
//    saturating i16, a vpmaddwd with ones sums pairs of those into i32:
//    vpdpbusd in two instructions, with the same flip and compensation.
//    strata-pack-int8-rhs (split-pairs) keeps every pair of B within
//    +-128, so 255 * 128 fits; the halves it took out are a residual of
//    (k group, vector) entries per panel, added after each block's k loop.
//    Its A is a broadcast and one xor per row and group (madd widens A to
//    words first); on Zen 3 it ran ResNet-50's convolutions 1.3x faster.
//  * madd: vpmaddwd (AVX2) multiplies 16-bit words pairwise and adds
//    pairs; B is packed as words, A's bytes are widened to words. Exact:
//    a product of two int8 values fits in 15 bits, two of them in 16.
//
// The accumulators start from C, or from zero where a zero fill of C
// comes right before (the dispatch's share of the output's fill, which is
// then dropped).
//
// The loops are over static extents (dispatches are static pieces), so the
// remainders (rows % rows, panels % panels) get blocks of their own size.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/RegisterBlocks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_LOWERINT8CONTRACTIONS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

enum class Kind { Vnni, Madd, Maddubs };

struct Kernel {
  Kind kind;
  int64_t lanes;  // i32 lanes of an accumulator
  int64_t group;  // k per lane per instruction (4 or 2)
  int64_t rows, panels;
  /// u8 x s8 on bytes (vnni, maddubs): A's top bits are flipped and
  /// 128 * sum_k B[k][n] subtracted per panel.
  bool unsignedA() const { return kind != Kind::Madd; }
};

struct Emitter {
  OpBuilder &b;
  Location loc;
  Kernel k;
  Value lhs, rhs, out; // A [M, Kp], B [N1, K1, lanes * group], C [M, N1, L]
  int64_t groups;
  bool zeroed; // C holds zeros: start from them, not from loads of C
  /// strata-pack-int8-rhs's split pairs, or null: per panel, `counts[p]`
  /// vectors residual[p][j] (as B's) to add at k group groups[p][j].
  Value residual, residualGroups, residualCounts;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  VectorType accType() { return VectorType::get({k.lanes}, b.getI32Type()); }
  VectorType operandType() {
    return k.unsignedA() ? VectorType::get({k.lanes * 4}, b.getI8Type())
                         : VectorType::get({k.lanes * 2}, b.getI16Type());
  }

  Value intrinsic(StringRef name, Type type, ValueRange args) {
    return LLVM::CallIntrinsicOp::create(b, loc, type, b.getStringAttr(name),
                                         args)
        .getResult(0);
  }

  Value dot(Value acc, Value a, Value w) {
    bool wide = k.lanes == 16;
    switch (k.kind) {
    case Kind::Vnni:
      return intrinsic("llvm.x86.avx512.vpdpbusd." +
                           std::to_string(k.lanes * 32),
                       accType(), ValueRange{acc, a, w});
    case Kind::Madd:
      return arith::AddIOp::create(
          b, loc, acc,
          intrinsic(wide ? "llvm.x86.avx512.pmaddw.d.512"
                         : "llvm.x86.avx2.pmadd.wd",
                    accType(), ValueRange{a, w}));
    case Kind::Maddubs: {
      // Pairs of u8 x s8 products summed into i16 (saturating, so the
      // packing keeps each pair of B within +-128: exact), then pairs of
      // those into i32 by a vpmaddwd with ones.
      auto words = VectorType::get({k.lanes * 2}, b.getI16Type());
      Value pairs = intrinsic(wide ? "llvm.x86.avx512.pmaddubs.w.512"
                                   : "llvm.x86.avx2.pmadd.ub.sw",
                              words, ValueRange{a, w});
      Value ones = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(words, b.getI16IntegerAttr(1)));
      return arith::AddIOp::create(
          b, loc, acc,
          intrinsic(wide ? "llvm.x86.avx512.pmaddw.d.512"
                         : "llvm.x86.avx2.pmadd.wd",
                    accType(), ValueRange{pairs, ones}));
    }
    }
    llvm_unreachable("kind");
  }

  /// `count` k groups of A's row `row` from group `g`, each in every lane:
  /// vnni, 4 bytes with their top bits flipped; madd, 2 bytes widened to
  /// words. The row's bytes for all `count` groups are loaded and widened
  /// once (madd reads two groups per step: half the instructions of two
  /// 2-byte loads, moves, widenings and broadcasts).
  SmallVector<Value> broadcastRows(Value row, Value g, int64_t count) {
    Value column = arith::MulIOp::create(b, loc, g, index(k.group));
    Value piece = vector::LoadOp::create(
        b, loc, VectorType::get({k.group * count}, b.getI8Type()), lhs,
        ValueRange{row, column});
    if (!k.unsignedA())
      piece = arith::ExtSIOp::create(
          b, loc, VectorType::get({2 * count}, b.getI16Type()), piece);
    Value words = vector::BitCastOp::create(
        b, loc, VectorType::get({count}, b.getI32Type()), piece);
    SmallVector<Value> splats;
    for (int64_t i = 0; i < count; ++i) {
      Value scalar =
          vector::ExtractOp::create(b, loc, words, ArrayRef<int64_t>{i});
      Value splat = vector::BroadcastOp::create(b, loc, accType(), scalar);
      // The flip on the broadcast vector: a broadcast from memory and one
      // vector op, where a scalar xor would need a move into a vector
      // register and a register broadcast (two vector-pipe ops).
      if (k.unsignedA())
        splat = arith::XOrIOp::create(
            b, loc, splat,
            arith::ConstantOp::create(
                b, loc,
                DenseElementsAttr::get(
                    accType(), b.getI32IntegerAttr(int32_t(0x80808080)))));
      splats.push_back(vector::BitCastOp::create(b, loc, operandType(), splat));
    }
    return splats;
  }

  Value panelVector(Value panel, Value g) {
    return vector::LoadOp::create(b, loc, operandType(), rhs,
                                  ValueRange{panel, g, index(0)});
  }

  /// Runs `fn(group, vector, sums)` over the residual entries of `panel`,
  /// carrying `sums`; returns them.
  SmallVector<Value>
  overResidual(Value panel, ValueRange sums,
               llvm::function_ref<SmallVector<Value>(Value, Value, ValueRange)>
                   fn) {
    Value count = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        memref::LoadOp::create(b, loc, residualCounts, ValueRange{panel}));
    auto loop = scf::ForOp::create(
        b, loc, index(0), count, index(1), sums,
        [&](OpBuilder &nb, Location l, Value j, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value g = arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              memref::LoadOp::create(b, l, residualGroups,
                                     ValueRange{panel, j}));
          Value w = vector::LoadOp::create(b, l, operandType(), residual,
                                           ValueRange{panel, j, index(0)});
          scf::YieldOp::create(b, l, fn(g, w, carried));
        });
    return SmallVector<Value>(loop.getResults().begin(),
                              loop.getResults().end());
  }

  /// 128 * sum_k B[k][n] for each of `panels` (vnni, maddubs), in one loop
  /// over the k groups: independent chains, not one latency-bound chain
  /// per panel.
  SmallVector<Value> compensations(ArrayRef<Value> panels) {
    Value zero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType(), b.getI32IntegerAttr(0)));
    Value flips = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(operandType(),
                               b.getIntegerAttr(b.getI8Type(), -128)));
    SmallVector<Value> init(panels.size(), zero);
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(groups), index(1), init,
        [&](OpBuilder &nb, Location l, Value g, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          SmallVector<Value> sums;
          for (auto [panel, sum] : llvm::zip(panels, carried))
            sums.push_back(dot(sum, flips, panelVector(panel, g)));
          scf::YieldOp::create(b, l, sums);
        });
    SmallVector<Value> sums(loop.getResults().begin(), loop.getResults().end());
    if (residual)
      for (auto [panel, sum] : llvm::zip(panels, sums))
        sum = overResidual(panel, sum, [&](Value, Value w, ValueRange s) {
                return SmallVector<Value>{dot(s[0], flips, w)};
              })[0];
    return sums;
  }

  /// The block of `rowCount` rows from `row0` and `panelCount` panels from
  /// `panel0`: C (minus the compensations) in, the k groups, C out.
  void block(Value row0, int64_t rowCount, Value panel0, int64_t panelCount,
             ArrayRef<Value> compensations) {
    SmallVector<Value> rows, panels, init;
    for (int64_t r = 0; r < rowCount; ++r)
      rows.push_back(arith::AddIOp::create(b, loc, row0, index(r)));
    for (int64_t p = 0; p < panelCount; ++p)
      panels.push_back(arith::AddIOp::create(b, loc, panel0, index(p)));
    Value zero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(accType(), b.getI32IntegerAttr(0)));
    for (int64_t r = 0; r < rowCount; ++r)
      for (int64_t p = 0; p < panelCount; ++p) {
        Value c = zeroed ? zero
                         : vector::LoadOp::create(
                               b, loc, accType(), out,
                               ValueRange{rows[r], panels[p], index(0)});
        if (k.unsignedA())
          c = arith::SubIOp::create(b, loc, c, compensations[p]);
        init.push_back(c);
      }
    // One k group per step, or (madd) two: A's row is read once for both.
    // An odd last group of madd gets a step of its own.
    int64_t per = !k.unsignedA() && groups >= 2 ? 2 : 1;
    auto step = [&](Value g, int64_t count, ValueRange carried) {
      SmallVector<SmallVector<Value>> weights(count);
      for (int64_t j = 0; j < count; ++j)
        for (int64_t p = 0; p < panelCount; ++p)
          weights[j].push_back(panelVector(
              panels[p], arith::AddIOp::create(b, loc, g, index(j))));
      SmallVector<Value> next(carried.begin(), carried.end());
      for (int64_t r = 0; r < rowCount; ++r) {
        SmallVector<Value> a = broadcastRows(rows[r], g, count);
        for (int64_t j = 0; j < count; ++j)
          for (int64_t p = 0; p < panelCount; ++p)
            next[r * panelCount + p] =
                dot(next[r * panelCount + p], a[j], weights[j][p]);
      }
      return next;
    };
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(groups / per * per), index(per), init,
        [&](OpBuilder &nb, Location l, Value g, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          scf::YieldOp::create(b, l, step(g, per, carried));
        });
    SmallVector<Value> sums(loop.getResults().begin(), loop.getResults().end());
    if (groups % per != 0)
      sums = step(index(groups - 1), 1, sums);
    // Each panel's residual entries, into that panel's accumulators.
    if (residual)
      for (int64_t p = 0; p < panelCount; ++p) {
        SmallVector<Value> column;
        for (int64_t r = 0; r < rowCount; ++r)
          column.push_back(sums[r * panelCount + p]);
        column = overResidual(
            panels[p], column, [&](Value g, Value w, ValueRange carried) {
              SmallVector<Value> next;
              for (int64_t r = 0; r < rowCount; ++r)
                next.push_back(
                    dot(carried[r], broadcastRows(rows[r], g, 1)[0], w));
              return next;
            });
        for (int64_t r = 0; r < rowCount; ++r)
          sums[r * panelCount + p] = column[r];
      }
    for (int64_t r = 0; r < rowCount; ++r)
      for (int64_t p = 0; p < panelCount; ++p)
        vector::StoreOp::create(b, loc, sums[r * panelCount + p], out,
                                ValueRange{rows[r], panels[p], index(0)});
  }

  /// Every row block of `panelCount` panels from `panel0`.
  void panelRange(Value panel0, int64_t panelCount, int64_t m) {
    SmallVector<Value> panels, compensationsOf;
    for (int64_t p = 0; p < panelCount; ++p)
      panels.push_back(arith::AddIOp::create(b, loc, panel0, index(p)));
    if (k.unsignedA())
      compensationsOf = compensations(panels);
    ArrayRef<Value> compensations = compensationsOf;
    inBlocks(m, k.rows, [&](Value row0, int64_t rowCount) {
      block(row0, rowCount, panel0, panelCount, compensations);
    });
  }

  void inBlocks(int64_t extent, int64_t step,
                llvm::function_ref<void(Value, int64_t)> fn) {
    strata::forBlocks(b, loc, extent, step, fn);
  }

  void emit(int64_t m, int64_t n1) {
    inBlocks(n1, k.panels, [&](Value panel0, int64_t panelCount) {
      panelRange(panel0, panelCount, m);
    });
  }
};

struct LowerInt8ContractionsPass
    : strata::impl::LowerInt8ContractionsBase<LowerInt8ContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<Kind> which =
        llvm::StringSwitch<std::optional<Kind>>(kind)
            .Case("vnni", Kind::Vnni)
            .Case("madd", Kind::Madd)
            .Case("maddubs", Kind::Maddubs)
            .Default(std::nullopt);
    if (!which) {
      getOperation()->emitError("strata-lower-int8-contractions: kind must "
                                "be vnni, madd or maddubs, got '")
          << kind << "'";
      return signalPassFailure();
    }
    Kernel configured{*which, lanes, *which == Kind::Madd ? 2 : 4, rows,
                      panels};
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->hasAttr("strata.int8_panels") && op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops) {
      bool split = op.getNumDpsInputs() == 5;
      if (split && configured.kind == Kind::Madd) {
        op.emitError("int8 product with split pairs for the madd kernel");
        return signalPassFailure();
      }
      auto lhsType = cast<MemRefType>(op.getDpsInputs()[0].getType());
      auto rhsType = cast<MemRefType>(op.getDpsInputs()[1].getType());
      // maddubs: a B whose residual would have been too dense was packed
      // as words for vpmaddwd (strata-pack-int8-rhs max-residual).
      Kernel kernel = configured;
      if (kernel.kind == Kind::Maddubs &&
          rhsType.getElementType().isInteger(16))
        kernel.kind = Kind::Madd, kernel.group = 2;
      auto outType = cast<MemRefType>(op.getDpsInits()[0].getType());
      if (!lhsType.hasStaticShape() || !rhsType.hasStaticShape() ||
          !outType.hasStaticShape() || rhsType.getDimSize(2) != lanes ||
          rhsType.getDimSize(3) != kernel.group) {
        op.emitError("int8 product packed for another kernel than ")
            << std::string(kind) << " x " << int64_t(lanes);
        return signalPassFailure();
      }
      // A zero fill of C just before (the dispatch's share of the
      // accumulator's fill): the accumulators start at zero instead.
      linalg::FillOp fill = strata::zeroFillBefore(op, op.getDpsInits()[0]);
      bool zeroed = bool(fill);
      if (zeroed)
        fill.erase();
      OpBuilder b(op);
      Location loc = op.getLoc();
      // The lanes x group elements of one (panel, k group) of B (or of
      // its residual) as one row.
      auto vectorRows = [&](Value packed) -> Value {
        return memref::CollapseShapeOp::create(
            b, loc, packed, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
      };
      Emitter emitter{b,   loc, kernel, op.getDpsInputs()[0],
                      vectorRows(op.getDpsInputs()[1]),
                      op.getDpsInits()[0], rhsType.getDimSize(1), zeroed,
                      Value(),  Value(), Value()};
      if (split) {
        emitter.residual = vectorRows(op.getDpsInputs()[2]);
        emitter.residualGroups = op.getDpsInputs()[3];
        emitter.residualCounts = op.getDpsInputs()[4];
      }
      emitter.emit(outType.getDimSize(0), outType.getDimSize(1));
      op.erase();
    }
  }
};

} // namespace
