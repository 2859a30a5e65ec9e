//===- LowerWeightOnlyContractions.cpp - dequantize-in-register blocks ----===//
//
// See Passes.td (strata-lower-weight-only-contractions). The products that
// strata-pack-weight-only-rhs marked (`strata.weight_panels`) are, on
// buffers,
//
//   C[m][p][l] += A[m][b * block / per + s][e]
//                 * (u(Q[p][b][s][l], e) * S[p][b][l] - Z[p][b][l] * S[p][b][l])
//
// Each becomes a loop nest of register blocks of `rows` rows by `panels`
// panels whose f32 accumulators stay in registers over K. Per step a block
// loads `lanes` bytes of each panel, widens them to i32 lanes, splits the
// two nibbles (4 bits) and converts them to f32, dequantizes each with one
// FMA against the block's scale and offset (-Z * S, once per block), and
// adds A's broadcast elements times it into every row's accumulator. The
// weights are read once per row block as 4 or 8 bits, never stored in
// f32: a product of one row (a decoding step) moves an eighth of an f32
// product's bytes.
//
// A block of one row factors the scale out of each block instead
// (C += S * sum A * code - Z * S * sum A: no FMA per step to dequantize),
// with one accumulator chain per nibble; a product of one row takes
// `row-panels` panels per block. Products of `stage-rows` rows or more
// dequantize each chunk of a panel block once into a stack buffer.
//
// The code is target-independent vector arithmetic: LLVM picks the
// widening (vpmovzxbd) and conversion (vcvtdq2ps) instructions.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/RegisterBlocks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_LOWERWEIGHTONLYCONTRACTIONS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

struct Emitter {
  OpBuilder &b;
  Location loc;
  int64_t lanes, rows, panels, rowPanels;
  Value lhs, codes, scales, zeros, out; // see the file comment
  int64_t blocks, steps, per;
  bool zeroed; // C holds zeros: start from them, not from loads of C
  Value scratch; // staged products: the dequantized chunk; else null
  int64_t chunkBlocks = 1, chunkSteps = 1; // a staged chunk

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value a, int64_t v) {
    return v == 0 ? a : arith::AddIOp::create(b, loc, a, index(v));
  }
  VectorType f32Vector() { return VectorType::get({lanes}, b.getF32Type()); }
  VectorType i32Vector() { return VectorType::get({lanes}, b.getI32Type()); }
  Value splat(Type type, TypedAttr value) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(cast<ShapedType>(type), value));
  }

  /// A loop from 0 to `count` carrying `init`, whose body `fn` returns the
  /// next values.
  SmallVector<Value>
  loop(int64_t count, ValueRange init,
       llvm::function_ref<SmallVector<Value>(Value, ValueRange)> fn) {
    auto forOp = scf::ForOp::create(
        b, loc, index(0), index(count), index(1), init,
        [&](OpBuilder &nb, Location l, Value iv, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          scf::YieldOp::create(b, l, fn(iv, carried));
        });
    return SmallVector<Value>(forOp.getResults());
  }

  /// The dequantized weights of step `s` of block `blk`, per panel and
  /// nibble: weights[p][e]; without `scale`, the codes converted to f32.
  SmallVector<SmallVector<Value>> weights(ArrayRef<Value> panelIndex,
                                          Value blk, Value s,
                                          ArrayRef<Value> scale,
                                          ArrayRef<Value> offset) {
    SmallVector<SmallVector<Value>> result;
    Value low = splat(i32Vector(), b.getI32IntegerAttr(15));
    Value four = splat(i32Vector(), b.getI32IntegerAttr(4));
    for (auto [p, panel] : llvm::enumerate(panelIndex)) {
      Value bytes = vector::LoadOp::create(
          b, loc, VectorType::get({lanes}, b.getI8Type()), codes,
          ValueRange{panel, blk, s, index(0)});
      Value wide = arith::ExtUIOp::create(b, loc, i32Vector(), bytes);
      SmallVector<Value> codesOf;
      if (per == 2)
        codesOf = {arith::AndIOp::create(b, loc, wide, low),
                   arith::ShRUIOp::create(b, loc, wide, four)};
      else
        codesOf = {wide};
      SmallVector<Value> dequantized;
      for (Value code : codesOf) {
        Value f = arith::SIToFPOp::create(b, loc, f32Vector(), code);
        dequantized.push_back(
            scale.empty() ? f
                          : vector::FMAOp::create(b, loc, f, scale[p], offset[p]));
      }
      result.push_back(dequantized);
    }
    return result;
  }

  /// acc[at(r, p)] += A[row r][column][e] * w[p] for every row and panel:
  /// one broadcast of A's element per row, one FMA per panel.
  void multiplyRows(ArrayRef<Value> rowIndex, Value column, int64_t e,
                    ArrayRef<Value> w, SmallVector<Value> &acc,
                    llvm::function_ref<int64_t(int64_t, int64_t)> at) {
    for (auto [r, row] : llvm::enumerate(rowIndex)) {
      Value a =
          memref::LoadOp::create(b, loc, lhs, ValueRange{row, column, index(e)});
      Value splatA = vector::BroadcastOp::create(b, loc, f32Vector(), a);
      for (auto [p, weight] : llvm::enumerate(w)) {
        Value &sum = acc[at(r, p)];
        sum = vector::FMAOp::create(b, loc, splatA, weight, sum);
      }
    }
  }

  /// Block `blk`'s scale S and offset -Z * S of each panel.
  void blockScales(ArrayRef<Value> panelIndex, Value blk,
                   SmallVector<Value> &scale, SmallVector<Value> &offset) {
    for (Value panel : panelIndex) {
      scale.push_back(vector::LoadOp::create(b, loc, f32Vector(), scales,
                                             ValueRange{panel, blk, index(0)}));
      Value zero = vector::LoadOp::create(
          b, loc, VectorType::get({lanes}, b.getI8Type()), zeros,
          ValueRange{panel, blk, index(0)});
      zero = arith::SIToFPOp::create(
          b, loc, f32Vector(), arith::ExtUIOp::create(b, loc, i32Vector(), zero));
      offset.push_back(arith::NegFOp::create(
          b, loc, arith::MulFOp::create(b, loc, zero, scale.back())));
    }
  }

  /// The panels from `panel0` of a product of many rows, staged: per chunk
  /// (`chunkBlocks` whole blocks, or `chunkSteps` steps of one block), each
  /// panel's weights are dequantized once into `scratch`
  /// ([chunk's k][panels][lanes] f32, in L1), which every row block then
  /// reads as an f32 panel. The accumulators go through C once per chunk
  /// (C starts as the fill left it).
  void stagedPanels(Value panel0, int64_t panelCount, int64_t m) {
    SmallVector<Value> panelIndex;
    for (int64_t p = 0; p < panelCount; ++p)
      panelIndex.push_back(add(panel0, p));
    int64_t chunkLength = chunkBlocks * chunkSteps; // steps per chunk
    loop(blocks / chunkBlocks, {}, [&](Value cb, ValueRange) {
      Value firstBlock = arith::MulIOp::create(b, loc, cb, index(chunkBlocks));
      loop(steps / chunkSteps, {}, [&](Value c, ValueRange) {
        Value firstStep = arith::MulIOp::create(b, loc, c, index(chunkSteps));
        loop(chunkBlocks, {}, [&](Value bl, ValueRange) {
          Value blk = arith::AddIOp::create(b, loc, firstBlock, bl);
          SmallVector<Value> scale, offset;
          blockScales(panelIndex, blk, scale, offset);
          Value base = arith::MulIOp::create(b, loc, bl, index(chunkSteps));
          loop(chunkSteps, {}, [&](Value s, ValueRange) {
            SmallVector<SmallVector<Value>> w = weights(
                panelIndex, blk, arith::AddIOp::create(b, loc, firstStep, s),
                scale, offset);
            Value row = arith::MulIOp::create(
                b, loc, arith::AddIOp::create(b, loc, base, s), index(per));
            for (int64_t p = 0; p < panelCount; ++p)
              for (int64_t e = 0; e < per; ++e)
                vector::StoreOp::create(
                    b, loc, w[p][e], scratch,
                    ValueRange{add(row, e), index(p), index(0)});
            return SmallVector<Value>{};
          });
          return SmallVector<Value>{};
        });
        // A's column (k / per) of the chunk's first step.
        Value column0 = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, firstBlock, index(steps)),
            firstStep);
        inBlocks(m, rows, [&](Value row0, int64_t rowCount) {
          SmallVector<Value> rowIndex, init;
          for (int64_t r = 0; r < rowCount; ++r)
            rowIndex.push_back(add(row0, r));
          for (int64_t r = 0; r < rowCount; ++r)
            for (int64_t p = 0; p < panelCount; ++p)
              init.push_back(vector::LoadOp::create(
                  b, loc, f32Vector(), out,
                  ValueRange{rowIndex[r], panelIndex[p], index(0)}));
          SmallVector<Value> sums =
              loop(chunkLength, init, [&](Value s, ValueRange acc) {
                SmallVector<Value> next(acc.begin(), acc.end());
                Value column = arith::AddIOp::create(b, loc, column0, s);
                Value row = arith::MulIOp::create(b, loc, s, index(per));
                for (int64_t e = 0; e < per; ++e) {
                  SmallVector<Value> w;
                  for (int64_t p = 0; p < panelCount; ++p)
                    w.push_back(vector::LoadOp::create(
                        b, loc, f32Vector(), scratch,
                        ValueRange{add(row, e), index(p), index(0)}));
                  multiplyRows(rowIndex, column, e, w, next,
                               [&](int64_t r, int64_t p) {
                                 return r * panelCount + p;
                               });
                }
                return next;
              });
          for (int64_t r = 0; r < rowCount; ++r)
            for (int64_t p = 0; p < panelCount; ++p)
              vector::StoreOp::create(
                  b, loc, sums[r * panelCount + p], out,
                  ValueRange{rowIndex[r], panelIndex[p], index(0)});
        });
        return SmallVector<Value>{};
      });
      return SmallVector<Value>{};
    });
  }

  /// C's vector at (row, panel), or zeros where C holds them.
  Value loadOut(Value row, Value panel) {
    if (zeroed)
      return splat(f32Vector(), b.getF32FloatAttr(0));
    return vector::LoadOp::create(b, loc, f32Vector(), out,
                                  ValueRange{row, panel, index(0)});
  }

  /// The block of `rowCount` rows from `row0` and `panelCount` panels from
  /// `panel0`; one row takes singleRow.
  void block(Value row0, int64_t rowCount, Value panel0, int64_t panelCount) {
    if (rowCount == 1)
      return singleRow(row0, panel0, panelCount);
    SmallVector<Value> rowIndex, panelIndex, init;
    for (int64_t r = 0; r < rowCount; ++r)
      rowIndex.push_back(add(row0, r));
    for (int64_t p = 0; p < panelCount; ++p)
      panelIndex.push_back(add(panel0, p));
    for (int64_t r = 0; r < rowCount; ++r)
      for (int64_t p = 0; p < panelCount; ++p)
        init.push_back(loadOut(rowIndex[r], panelIndex[p]));
    auto at = [&](int64_t r, int64_t p) { return r * panelCount + p; };
    SmallVector<Value> sums = loop(
        blocks, init, [&](Value blk, ValueRange carried) {
          SmallVector<Value> scale, offset;
          blockScales(panelIndex, blk, scale, offset);
          Value blockColumn = arith::MulIOp::create(b, loc, blk, index(steps));
          return loop(steps, carried, [&](Value s, ValueRange acc) {
            SmallVector<SmallVector<Value>> w =
                weights(panelIndex, blk, s, scale, offset);
            Value column = arith::AddIOp::create(b, loc, blockColumn, s);
            SmallVector<Value> next(acc.begin(), acc.end());
            for (int64_t e = 0; e < per; ++e) {
              SmallVector<Value> ofNibble;
              for (int64_t p = 0; p < panelCount; ++p)
                ofNibble.push_back(w[p][e]);
              multiplyRows(rowIndex, column, e, ofNibble, next, at);
            }
            return next;
          });
        });
    for (int64_t r = 0; r < rowCount; ++r)
      for (int64_t p = 0; p < panelCount; ++p)
        vector::StoreOp::create(b, loc, sums[at(r, p)], out,
                                ValueRange{rowIndex[r], panelIndex[p], index(0)});
  }

  /// One row (a decoding step): the scale is factored out of each block,
  ///   C += S * sum_k A[k] * code[k] - Z * S * sum_k A[k],
  /// so a step multiplies A into the converted codes directly (no FMA to
  /// dequantize them); per block, two FMAs per panel apply S and the
  /// offset. Two chains per panel (one per nibble) keep the FMAs apart.
  void singleRow(Value row, Value panel0, int64_t panelCount) {
    SmallVector<Value> panelIndex, init;
    for (int64_t p = 0; p < panelCount; ++p) {
      panelIndex.push_back(add(panel0, p));
      init.push_back(loadOut(row, panelIndex.back()));
    }
    Value zero = splat(f32Vector(), b.getF32FloatAttr(0));
    // A step's `per` elements of A, summed as one vector (one add per step
    // on the chain, not `per`).
    auto pairType = VectorType::get({per}, b.getF32Type());
    Value zeroPair = splat(pairType, b.getF32FloatAttr(0));
    SmallVector<Value> sums = loop(
        blocks, init, [&](Value blk, ValueRange carried) {
          Value blockColumn = arith::MulIOp::create(b, loc, blk, index(steps));
          // The block's partial sums [p][e], then the sums of A's elements.
          SmallVector<Value> partialInit(panelCount * per, zero);
          partialInit.push_back(zeroPair);
          SmallVector<Value> partial = loop(
              steps, partialInit, [&](Value s, ValueRange acc) {
                SmallVector<SmallVector<Value>> w =
                    weights(panelIndex, blk, s, {}, {});
                Value column = arith::AddIOp::create(b, loc, blockColumn, s);
                SmallVector<Value> next(acc.begin(), acc.end());
                Value pair = vector::LoadOp::create(
                    b, loc, pairType, lhs, ValueRange{row, column, index(0)});
                next.back() = arith::AddFOp::create(b, loc, next.back(), pair);
                for (int64_t e = 0; e < per; ++e) {
                  Value a = vector::ExtractOp::create(b, loc, pair,
                                                      ArrayRef<int64_t>{e});
                  Value splatA =
                      vector::BroadcastOp::create(b, loc, f32Vector(), a);
                  for (int64_t p = 0; p < panelCount; ++p) {
                    Value &sum = next[p * per + e];
                    sum = vector::FMAOp::create(b, loc, splatA, w[p][e], sum);
                  }
                }
                return next;
              });
          SmallVector<Value> scale, offset;
          blockScales(panelIndex, blk, scale, offset);
          Value sumA = vector::BroadcastOp::create(
              b, loc, f32Vector(),
              vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                          partial.back()));
          SmallVector<Value> next(carried.begin(), carried.end());
          for (int64_t p = 0; p < panelCount; ++p) {
            Value dot = partial[p * per];
            for (int64_t e = 1; e < per; ++e)
              dot = arith::AddFOp::create(b, loc, dot, partial[p * per + e]);
            next[p] = vector::FMAOp::create(b, loc, dot, scale[p], next[p]);
            next[p] = vector::FMAOp::create(b, loc, sumA, offset[p], next[p]);
          }
          return next;
        });
    for (int64_t p = 0; p < panelCount; ++p)
      vector::StoreOp::create(b, loc, sums[p], out,
                              ValueRange{row, panelIndex[p], index(0)});
  }

  void inBlocks(int64_t extent, int64_t step,
                llvm::function_ref<void(Value, int64_t)> fn) {
    strata::forBlocks(b, loc, extent, step, fn);
  }

  void emit(int64_t m, int64_t n1) {
    // One row leaves the registers of the other rows to more panels (not
    // when staged: the stack buffer holds `panels`).
    int64_t panelBlock = m == 1 && !scratch ? rowPanels : panels;
    inBlocks(n1, panelBlock, [&](Value panel0, int64_t panelCount) {
      if (scratch)
        return stagedPanels(panel0, panelCount, m);
      inBlocks(m, rows, [&](Value row0, int64_t rowCount) {
        block(row0, rowCount, panel0, panelCount);
      });
    });
  }
};

struct LowerWeightOnlyContractionsPass
    : strata::impl::LowerWeightOnlyContractionsBase<
          LowerWeightOnlyContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 1 || rows < 1 || panels < 1 || rowPanels < 1) {
      getOperation()->emitError("strata-lower-weight-only-contractions: "
                                "lanes, rows, panels and row-panels must be "
                                "positive");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->hasAttr("strata.weight_panels") && op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops) {
      auto lhsType = cast<MemRefType>(op.getDpsInputs()[0].getType());
      auto codesType = cast<MemRefType>(op.getDpsInputs()[1].getType());
      auto outType = cast<MemRefType>(op.getDpsInits()[0].getType());
      if (!lhsType.hasStaticShape() || !codesType.hasStaticShape() ||
          !outType.hasStaticShape() || codesType.getRank() != 4 ||
          codesType.getDimSize(3) != lanes || lhsType.getRank() != 3) {
        op.emitError("weight-only product packed for another width than ")
            << int64_t(lanes) << " lanes";
        return signalPassFailure();
      }
      int64_t blocks = codesType.getDimSize(1), steps = codesType.getDimSize(2);
      int64_t per = lhsType.getDimSize(2);
      // A zero fill of C just before (the dispatch's share of the
      // accumulator's fill): the accumulators start at zero instead, but
      // for staged products, which add into C once per chunk.
      linalg::FillOp fill = strata::zeroFillBefore(op, op.getDpsInits()[0]);
      bool zeroed = bool(fill);
      int64_t m = outType.getDimSize(0);
      bool staged = m >= stageRows;
      if (zeroed && !staged)
        fill.erase();
      OpBuilder b(op);
      Emitter emitter{b,
                      op.getLoc(),
                      lanes,
                      rows,
                      panels,
                      rowPanels,
                      op.getDpsInputs()[0],
                      op.getDpsInputs()[1],
                      op.getDpsInputs()[2],
                      op.getDpsInputs()[3],
                      op.getDpsInits()[0],
                      blocks,
                      steps,
                      per,
                      zeroed && !staged,
                      /*scratch=*/Value()};
      if (staged) {
        // Chunks of at most `stage-k` k: whole blocks where a block is
        // shorter, else steps of one block (divisors, so no remainder).
        int64_t most = std::max<int64_t>(1, stageK / per);
        auto divisor = [](int64_t of, int64_t atMost) {
          for (int64_t d = std::min(of, atMost); d > 1; --d)
            if (of % d == 0)
              return d;
          return int64_t(1);
        };
        if (steps <= most) {
          emitter.chunkSteps = steps;
          emitter.chunkBlocks = divisor(blocks, most / steps);
        } else {
          emitter.chunkSteps = divisor(steps, most);
        }
        int64_t chunkK = emitter.chunkBlocks * emitter.chunkSteps * per;
        OpBuilder entry = OpBuilder::atBlockBegin(
            &getOperation().getFunctionBody().front());
        emitter.scratch = memref::AllocaOp::create(
            entry, op.getLoc(),
            MemRefType::get({chunkK, panels, lanes}, b.getF32Type()),
            /*alignment=*/entry.getI64IntegerAttr(64));
      }
      emitter.emit(m, outType.getDimSize(1));
      op.erase();
    }
  }
};

} // namespace
