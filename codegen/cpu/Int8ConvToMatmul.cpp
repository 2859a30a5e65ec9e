//===- Int8ConvToMatmul.cpp - i8 NHWC convolutions as im2col products -----===//
//
// See Passes.td (strata-int8-conv-to-matmul).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_INT8CONVTOMATMUL
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

bool isInt8Conv(linalg::Conv2DNhwcHwcfOp conv) {
  auto input = dyn_cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto filter = dyn_cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto output = dyn_cast<RankedTensorType>(conv->getResult(0).getType());
  return conv.hasPureTensorSemantics() && input && filter && output &&
         input.hasStaticShape() && filter.hasStaticShape() &&
         output.hasStaticShape() && input.getElementType().isInteger(8) &&
         filter.getElementType().isInteger(8) &&
         output.getElementType().isInteger(32);
}

/// The windows of `input` (N, H, W, C, padded) as an (N, OH, OW, KH, KW,
/// C) tensor: a copy whose innermost loop runs along C, contiguous on both
/// sides (upstream's im2col indexes a flattened (N, OH*OW, KH*KW*C) result
/// with divisions and remainders, which leaves a scalar loop per byte).
Value gatherWindows(OpBuilder &b, Location loc, linalg::Conv2DNhwcHwcfOp conv) {
  MLIRContext *ctx = b.getContext();
  Value input = conv.getInputs()[0];
  auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto outType = cast<RankedTensorType>(conv->getResult(0).getType());
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  SmallVector<int64_t> shape = {outType.getDimSize(0), outType.getDimSize(1),
                                outType.getDimSize(2), filterType.getDimSize(0),
                                filterType.getDimSize(1),
                                filterType.getDimSize(2)};
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < 6; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  AffineMap read = AffineMap::get(
      6, 0,
      {d[0], d[1] * strides[0] + d[3] * dilations[0],
       d[2] * strides[1] + d[4] * dilations[1], d[5]},
      ctx);
  Value empty = tensor::EmptyOp::create(b, loc, shape, b.getI8Type());
  SmallVector<utils::IteratorType> parallel(6, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, empty.getType(), ValueRange{input}, ValueRange{empty},
             ArrayRef<AffineMap>{read, b.getMultiDimIdentityMap(6)}, parallel,
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

struct Int8ConvToMatmulPass
    : strata::impl::Int8ConvToMatmulBase<Int8ConvToMatmulPass> {
  void runOnOperation() override {
    SmallVector<linalg::Conv2DNhwcHwcfOp> convs;
    getOperation().walk([&](linalg::Conv2DNhwcHwcfOp conv) {
      if (isInt8Conv(conv))
        convs.push_back(conv);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::Conv2DNhwcHwcfOp conv : convs) {
      Location loc = conv.getLoc();
      rewriter.setInsertionPoint(conv);
      auto outType = cast<RankedTensorType>(conv->getResult(0).getType());
      auto filterType = cast<RankedTensorType>(conv.getInputs()[1].getType());
      int64_t rows = outType.getDimSize(0) * outType.getDimSize(1) *
                     outType.getDimSize(2);
      int64_t depth = filterType.getDimSize(0) * filterType.getDimSize(1) *
                      filterType.getDimSize(2);
      int64_t filters = filterType.getDimSize(3);
      Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
      Value windows = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({rows, depth}, i8),
          gatherWindows(rewriter, loc, conv),
          ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
      Value filter = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({depth, filters}, i8),
          conv.getInputs()[1], ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
      SmallVector<ReassociationIndices> pixels = {{0, 1, 2}, {3}};
      Value init = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({rows, filters}, i32),
          conv.getOutputs()[0], pixels);
      Value product = linalg::MatmulOp::create(rewriter, loc, init.getType(),
                                               ValueRange{windows, filter},
                                               ValueRange{init})
                          .getResult(0);
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(conv, outType,
                                                         product, pixels);
    }
  }
};

} // namespace
