//===- BlockDims.cpp - the register-block loops of a linalg op ------------===//
#include "codegen/cpu/BlockDims.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;

namespace strata {

int64_t largestDivisor(int64_t extent, int64_t limit) {
  for (int64_t size = std::min(extent, limit); size > 1; --size)
    if (extent % size == 0)
      return size;
  return 1;
}

std::optional<BlockDims> blockDims(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1)
    return std::nullopt;
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return std::nullopt;
  // Loops: n, oh, ow, c, kh, kw. i32 depthwise convolutions (of int8
  // data, strata-fold-qdq) take the same blocks: i32 lanes are as wide as
  // f32 ones, and the vectorizer widens the i8 operands.
  Type element = resultType.getElementType();
  if (isa<linalg::DepthwiseConv2DNhwcHwcOp>(op) &&
      (element.isF32() || element.isInteger(32)))
    return BlockDims{2, 3, true, std::nullopt};
  if (!element.isF32())
    return std::nullopt;
  // Loops: n, oh, ow, f, kh, kw, c.
  if (isa<linalg::Conv2DNhwcHwcfOp>(op))
    return BlockDims{2, 3, true, std::nullopt};
  if (!linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty())
    return std::nullopt;
  std::optional<unsigned> k;
  if (!dims->k.empty())
    k = dims->k.back();
  return BlockDims{dims->m.back(), dims->n.back(), false, k};
}

} // namespace strata
