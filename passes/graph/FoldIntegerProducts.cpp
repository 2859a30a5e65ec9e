//===- FoldIntegerProducts.cpp - widened i32 products as int8 ones --------===//
//
// Part of strata-fold-qdq (see Passes.td). MatMulInteger and ConvInteger
// (and QLinearMatMul / QLinearConv, and ONNX Runtime's dynamic
// quantization: DynamicQuantizeLinear then MatMulInteger) are imported as
// i32 products of operands widened to i32 less their zero points:
//
//   matmul(cast(a) - cast(za), cast(b) - cast(zb))
//
// With a constant int8 b whose zero point is 0 and one zero point za for
// a, the product is the int8 one less za's share, a constant per column:
//
//   matmul_i8(a, b) - za * sum_k b[k][n]
//
// (za may be computed at run time, as DynamicQuantizeLinear does). A
// convolution takes the share into its bias and pads with za, which needs
// za constant. uint8 data becomes int8 with the zero point less 128, as in
// FoldQdq.cpp.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/QdqFolding.h"

using namespace mlir;
namespace graph = strata::graph;
using namespace strata::qdq;

namespace {

/// `v` = cast(x, i32), or cast(x, i32) - cast(z, i32), with x 8-bit.
struct Widened {
  Value data, zeroPoint; // zeroPoint null when absent
};

std::optional<Widened> widened(Value v) {
  Value zero;
  if (auto sub = v.getDefiningOp<graph::SubOp>()) {
    auto zeroCast = sub.getRhs().getDefiningOp<graph::CastOp>();
    if (!zeroCast)
      return std::nullopt;
    zero = zeroCast.getInput();
    v = sub.getLhs();
  }
  auto cast = v.getDefiningOp<graph::CastOp>();
  if (!cast || !elementOf(cast.getInput()).isInteger(8))
    return std::nullopt;
  return Widened{cast.getInput(), zero};
}

/// A constant int8 operand with zero point 0 (or none): its values.
std::optional<std::vector<int64_t>> symmetricWeight(const Widened &w) {
  if (!elementOf(w.data).isSignlessInteger(8))
    return std::nullopt;
  if (w.zeroPoint) {
    std::optional<std::vector<int64_t>> zero = integers(w.zeroPoint);
    if (!zero || llvm::any_of(*zero, [](int64_t z) { return z != 0; }))
      return std::nullopt;
  }
  return integers(w.data);
}

bool oneElement(Value v) {
  return cast<RankedTensorType>(v.getType()).getNumElements() == 1;
}

Value castTo(IRRewriter &rewriter, Location loc, Value v, Type type) {
  return graph::CastOp::create(rewriter, loc, v, TypeAttr::get(type));
}

/// A scalar (rank 0) form of a one-element tensor.
Value scalarOf(IRRewriter &rewriter, Location loc, Value v) {
  if (cast<RankedTensorType>(v.getType()).getRank() == 0)
    return v;
  return graph::ReshapeOp::create(rewriter, loc, v,
                                  rewriter.getDenseI64ArrayAttr({}));
}

} // namespace

namespace strata::qdq {

LogicalResult Folder::foldIntegerMatMul(graph::MatMulOp op) {
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  if (rhsType.getRank() != 2 ||
      cast<RankedTensorType>(op.getLhs().getType()).getRank() < 2)
    return fail("not a product of a matrix and a 2-D B");
  std::optional<Widened> a = widened(op.getLhs());
  std::optional<Widened> b = widened(op.getRhs());
  if (!a || !b)
    return fail("its operands are not widened 8-bit integers");
  std::optional<std::vector<int64_t>> values = symmetricWeight(*b);
  if (!values)
    return fail("B is not an int8 constant with zero point 0");
  if (a->zeroPoint && !oneElement(a->zeroPoint))
    return fail("A has a zero point per row");
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Type i32 = rewriter.getI32Type();
  // z as a rank-0 i32 (0 when absent), less 128 for uint8 data.
  Value zero = a->zeroPoint
                   ? castTo(rewriter, loc, scalarOf(rewriter, loc, a->zeroPoint),
                            i32)
                   : i32Constant(rewriter, loc, {}, {0});
  if (!elementOf(a->data).isSignlessInteger(8))
    zero = graph::SubOp::create(rewriter, loc, zero,
                                i32Constant(rewriter, loc, {}, {128}));
  Value data = signedData(a->data);
  int64_t k = rhsType.getDimSize(0), n = rhsType.getDimSize(1);
  std::vector<int32_t> sums(n, 0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      sums[j] += int32_t((*values)[i * n + j]);
  Value product = graph::MatMulOp::create(rewriter, loc, data, b->data);
  Value share = graph::MulOp::create(rewriter, loc, zero,
                                     i32Constant(rewriter, loc, {n}, sums));
  rewriter.replaceOp(op, graph::SubOp::create(rewriter, loc, product, share)
                             .getOutput());
  return success();
}

LogicalResult Folder::foldIntegerConv(graph::ConvOp op) {
  std::optional<Widened> x = widened(op.getInput());
  std::optional<Widened> w = widened(op.getWeight());
  if (!x || !w)
    return fail("its operands are not widened 8-bit integers");
  std::optional<std::vector<int64_t>> values = symmetricWeight(*w);
  if (!values)
    return fail("the weight is not an int8 constant with zero point 0");
  int64_t zeroPoint = 0;
  if (x->zeroPoint) {
    std::optional<std::vector<int64_t>> zero = integers(x->zeroPoint);
    if (!zero || zero->size() != 1)
      return fail("the input's zero point is not one constant (the padding "
                  "must hold it)");
    zeroPoint = (*zero)[0];
  }
  if (!elementOf(x->data).isSignlessInteger(8))
    zeroPoint -= 128;
  int64_t filters = cast<RankedTensorType>(op.getWeight().getType())
                        .getDimSize(0);
  std::vector<int64_t> bias(filters, 0);
  if (op.getBias()) {
    std::optional<std::vector<int64_t>> given = integers(op.getBias());
    if (!given)
      return fail("the bias is not a constant");
    bias = *given;
  }
  int64_t perFilter = values->size() / filters;
  std::vector<int32_t> folded(filters);
  for (int64_t f = 0; f < filters; ++f) {
    int64_t sum = 0;
    for (int64_t i = 0; i < perFilter; ++i)
      sum += (*values)[f * perFilter + i];
    int64_t value = bias[f] - zeroPoint * sum;
    if (value < INT32_MIN || value > INT32_MAX)
      return fail("the integer bias overflows i32");
    folded[f] = int32_t(value);
  }
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value data = signedData(x->data);
  Value conv = graph::ConvOp::create(
      rewriter, loc, data, w->data, i32Constant(rewriter, loc, {filters}, folded),
      op.getStridesAttr(), op.getDilationsAttr(), op.getPadsAttr(),
      op.getGroupAttr(), rewriter.getI64IntegerAttr(zeroPoint));
  rewriter.replaceOp(op, conv);
  return success();
}

} // namespace strata::qdq
