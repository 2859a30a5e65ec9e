//===- Conv1x1ToMatmul.cpp - pointwise NHWC convolutions as matmuls -------===//
//
// See Passes.td (strata-conv1x1-to-matmul).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "lib/support/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_CONV1X1TOMATMUL
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {

/// Whether `conv` is a static f32 (or i8 x i8 -> i32) 1x1 convolution
/// with unit strides.
bool isPointwise(linalg::Conv2DNhwcHwcfOp conv) {
  auto input = dyn_cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto filter = dyn_cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto output = dyn_cast<RankedTensorType>(conv->getResult(0).getType());
  if (!conv.hasPureTensorSemantics() || !input || !filter || !output ||
      !input.hasStaticShape() || !filter.hasStaticShape() ||
      !output.hasStaticShape() ||
      !(output.getElementType().isF32() || output.getElementType().isInteger(32)))
    return false;
  if (filter.getDimSize(0) != 1 || filter.getDimSize(1) != 1)
    return false;
  if (!llvm::all_of(conv.getStrides().getValues<int64_t>(),
                    [](int64_t s) { return s == 1; }))
    return false;
  // With a 1x1 window and unit strides the output covers the input.
  return input.getDimSize(1) == output.getDimSize(1) &&
         input.getDimSize(2) == output.getDimSize(2);
}

/// N x H x W x D <-> (N*H*W) x D: the pixels as rows.
SmallVector<ReassociationIndices> pixelRows() { return {{0, 1, 2}, {3}}; }

/// The 1 x 1 x C x F filter as C x F: the same constant data under the new
/// shape where it is a constant (so that strata-pack-constant-rhs sees a
/// constant), a reshape otherwise.
Value filterMatrix(OpBuilder &b, Location loc, Value filter) {
  auto type = cast<RankedTensorType>(filter.getType());
  auto matrix = RankedTensorType::get({type.getDimSize(2), type.getDimSize(3)},
                                      type.getElementType());
  if (auto constant = filter.getDefiningOp<arith::ConstantOp>())
    if (ElementsAttr data = strata::reshapeConstant(constant.getValue(), matrix))
      return arith::ConstantOp::create(b, loc, cast<TypedAttr>(data));
  return tensor::CollapseShapeOp::create(b, loc, matrix, filter, pixelRows());
}

struct Conv1x1ToMatmulPass
    : strata::impl::Conv1x1ToMatmulBase<Conv1x1ToMatmulPass> {
  void runOnOperation() override {
    SmallVector<linalg::Conv2DNhwcHwcfOp> convs;
    getOperation().walk([&](linalg::Conv2DNhwcHwcfOp conv) {
      if (isPointwise(conv))
        convs.push_back(conv);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::Conv2DNhwcHwcfOp conv : convs) {
      Location loc = conv.getLoc();
      rewriter.setInsertionPoint(conv);
      Value input = tensor::CollapseShapeOp::create(
          rewriter, loc, conv.getInputs()[0], pixelRows());
      Value filter = filterMatrix(rewriter, loc, conv.getInputs()[1]);
      Value init = tensor::CollapseShapeOp::create(
          rewriter, loc, conv.getOutputs()[0], pixelRows());
      auto matmul = linalg::MatmulOp::create(rewriter, loc, init.getType(),
                                             ValueRange{input, filter},
                                             ValueRange{init});
      auto outType = cast<RankedTensorType>(conv->getResult(0).getType());
      Value result = tensor::ExpandShapeOp::create(
          rewriter, loc, outType, matmul->getResult(0), pixelRows());
      Operation *oldFilter = conv.getInputs()[1].getDefiningOp();
      rewriter.replaceOp(conv, result);
      if (oldFilter && isa<arith::ConstantOp>(oldFilter) &&
          oldFilter->use_empty())
        rewriter.eraseOp(oldFilter);
    }
  }
};

} // namespace
