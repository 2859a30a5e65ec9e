//===- GraphShapes.cpp - result type inference of graph ops ---------------===//
//
// Each op's inferReturnTypes both computes the result type and checks the
// operands and attributes against ONNX's rules. It runs when the importer
// builds an op (so the error points at the ONNX node) and again in the
// verifier, so there is one place per op that knows its shape rules.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/GraphShapeUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace strata::graph;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;
} // namespace

std::string strata::graph::formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (d == kDyn)
          os << '?';
        else
          os << d;
      },
      ",");
  os << ']';
  return text;
}

RankedTensorType strata::graph::rankedOf(Value value) {
  return value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
}

bool strata::graph::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                                    SmallVectorImpl<int64_t> &out) {
  size_t rank = std::max(a.size(), b.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1)
      out[i] = db;
    else if (db == 1)
      out[i] = da;
    else if (da == kDyn || db == kDyn)
      out[i] = da == kDyn ? db : da;
    else if (da == db)
      out[i] = da;
    else
      return false;
  }
  return true;
}

LogicalResult strata::graph::checkAxis(std::optional<Location> loc,
                                       int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "axis ", axis, " is out of range [0, ", rank,
                             ")");
  return success();
}

namespace {

/// Output extent of a sliding window (convolution or pooling), ONNX rules.
/// Returns a value < 1 when the window does not fit.
int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t padBegin, int64_t padEnd,
                     bool ceilMode) {
  if (in == kDyn)
    return kDyn;
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // In ceil mode the last window must start inside the input or left padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

LogicalResult checkPositive(std::optional<Location> loc, StringRef what,
                            ArrayRef<int64_t> values, size_t expectedSize,
                            bool allowZero = false) {
  if (values.size() != expectedSize)
    return emitOptionalError(loc, "'", what, "' must have ", expectedSize,
                             " values, got ", values.size());
  for (int64_t v : values)
    if (v < 0 || (!allowZero && v == 0))
      return emitOptionalError(loc, "'", what, "' values must be ",
                               allowZero ? "non-negative" : "positive",
                               ", got ", formatShape(values));
  return success();
}

/// Number of spatial dimensions of a sliding-window input: 1 to 3 (rank 3
/// to 5, NC[D]H[W]); 0 when the rank is outside that range.
int64_t windowSpatialDims(RankedTensorType type) {
  if (!type || type.getRank() < 3 || type.getRank() > 5)
    return 0;
  return type.getRank() - 2;
}

/// Shared by max_pool and average_pool.
LogicalResult inferPool(std::optional<Location> loc, Value input,
                        DenseI64ArrayAttr kernelAttr,
                        DenseI64ArrayAttr stridesAttr,
                        DenseI64ArrayAttr dilationsAttr,
                        DenseI64ArrayAttr padsAttr, bool ceilMode,
                        SmallVectorImpl<Type> &results) {
  auto type = rankedOf(input);
  int64_t spatial = windowSpatialDims(type);
  if (spatial == 0)
    return emitOptionalError(loc, "expects a rank-3, rank-4 or rank-5 "
                                  "NC[D]H[W] input");
  if (!kernelAttr || !stridesAttr || !padsAttr)
    return emitOptionalError(loc, "needs kernel_shape, strides and pads");
  ArrayRef<int64_t> kernel = kernelAttr.asArrayRef();
  ArrayRef<int64_t> strides = stridesAttr.asArrayRef();
  ArrayRef<int64_t> pads = padsAttr.asArrayRef();
  SmallVector<int64_t> dilations(spatial, 1);
  if (dilationsAttr)
    dilations.assign(dilationsAttr.asArrayRef().begin(),
                     dilationsAttr.asArrayRef().end());
  if (failed(checkPositive(loc, "kernel_shape", kernel, spatial)) ||
      failed(checkPositive(loc, "strides", strides, spatial)) ||
      failed(checkPositive(loc, "dilations", dilations, spatial)) ||
      failed(checkPositive(loc, "pads", pads, 2 * spatial, /*allowZero=*/true)))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t reach = dilations[i] * (kernel[i] - 1) + 1;
    if (pads[i] >= reach || pads[i + spatial] >= reach)
      return emitOptionalError(loc, "pads ", formatShape(pads),
                               " must be smaller than kernel_shape ",
                               formatShape(kernel));
    int64_t out = windowOutput(shape[2 + i], kernel[i], strides[i],
                               dilations[i], pads[i], pads[i + spatial],
                               ceilMode);
    if (out != kDyn && out < 1)
      return emitOptionalError(loc, "window ", formatShape(kernel),
                               " does not fit the padded input ",
                               formatShape(type.getShape()));
    shape[2 + i] = out;
  }
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

} // namespace

// Elementwise ops infer through GraphElementwiseShapes.cpp.

namespace {

/// The element type of a product of `operand`s: i32 for i8 (the folded
/// QDQ products sum exactly in i32), the operands' own type otherwise.
Type productElement(Type operand) {
  if (operand.isInteger(8))
    return IntegerType::get(operand.getContext(), 32);
  return operand;
}

} // namespace

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto lt = rankedOf(adaptor.getLhs()), rt = rankedOf(adaptor.getRhs());
  if (!lt || !rt || lt.getRank() < 1 || rt.getRank() < 1)
    return emitOptionalError(loc, "expects operands of rank 1 or more");
  if (lt.getElementType() != rt.getElementType())
    return emitOptionalError(loc, "operand element types differ");
  SmallVector<int64_t> l(lt.getShape()), r(rt.getShape());
  bool lhsVector = l.size() == 1, rhsVector = r.size() == 1;
  if (lhsVector)
    l.insert(l.begin(), 1);
  if (rhsVector)
    r.push_back(1);
  int64_t kl = l[l.size() - 1], kr = r[r.size() - 2];
  if (kl != kDyn && kr != kDyn && kl != kr)
    return emitOptionalError(loc, "contraction sizes differ: lhs ",
                             formatShape(lt.getShape()), " and rhs ",
                             formatShape(rt.getShape()));
  SmallVector<int64_t> shape;
  if (!broadcastShapes(ArrayRef(l).drop_back(2), ArrayRef(r).drop_back(2),
                       shape))
    return emitOptionalError(loc, "batch dimensions of ",
                             formatShape(lt.getShape()), " and ",
                             formatShape(rt.getShape()), " do not broadcast");
  if (!lhsVector)
    shape.push_back(l[l.size() - 2]);
  if (!rhsVector)
    shape.push_back(r.back());
  results.push_back(
      RankedTensorType::get(shape, productElement(lt.getElementType())));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto at = rankedOf(adaptor.getA()), bt = rankedOf(adaptor.getB());
  if (!at || !bt || at.getRank() != 2 || bt.getRank() != 2)
    return emitOptionalError(loc, "expects rank-2 'a' and 'b'");
  bool transA = adaptor.getTransA(), transB = adaptor.getTransB();
  int64_t m = at.getDimSize(transA ? 1 : 0), ka = at.getDimSize(transA ? 0 : 1);
  int64_t kb = bt.getDimSize(transB ? 1 : 0), n = bt.getDimSize(transB ? 0 : 1);
  if (ka != kDyn && kb != kDyn && ka != kb)
    return emitOptionalError(loc, "contraction sizes differ: op(a) is ",
                             formatShape({m, ka}), ", op(b) is ",
                             formatShape({kb, n}));
  if (Value c = adaptor.getC()) {
    auto ct = rankedOf(c);
    SmallVector<int64_t> merged;
    if (!ct || ct.getRank() > 2 ||
        !broadcastShapes(ct.getShape(), {m, n}, merged) ||
        (merged[0] != m && m != kDyn) || (merged[1] != n && n != kDyn))
      return emitOptionalError(loc, "'c' of shape ",
                               ct ? formatShape(ct.getShape()) : "?",
                               " does not broadcast to ", formatShape({m, n}));
  }
  results.push_back(RankedTensorType::get({m, n}, at.getElementType()));
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput()), wt = rankedOf(adaptor.getWeight());
  int64_t spatial = windowSpatialDims(it);
  if (spatial == 0 || !wt || wt.getRank() != it.getRank())
    return emitOptionalError(loc, "expects an input of rank 3 to 5 "
                                  "(NC[D]H[W]) and a weight of the same rank "
                                  "(F, C/group, K...)");
  if (!adaptor.getStridesAttr() || !adaptor.getDilationsAttr() ||
      !adaptor.getPadsAttr() || !adaptor.getGroupAttr())
    return emitOptionalError(loc, "needs strides, dilations, pads and group");
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    pads = adaptor.getPads();
  if (failed(checkPositive(loc, "strides", strides, spatial)) ||
      failed(checkPositive(loc, "dilations", dilations, spatial)) ||
      failed(checkPositive(loc, "pads", pads, 2 * spatial, /*allowZero=*/true)))
    return failure();
  int64_t group = adaptor.getGroup();
  int64_t channels = it.getDimSize(1), filters = wt.getDimSize(0);
  if (group < 1)
    return emitOptionalError(loc, "'group' must be positive, got ", group);
  if (filters != kDyn && filters % group != 0)
    return emitOptionalError(loc, "weight has ", filters,
                             " filters, not a multiple of group ", group);
  if (channels != kDyn && wt.getDimSize(1) != kDyn &&
      channels != wt.getDimSize(1) * group)
    return emitOptionalError(loc, "input has ", channels,
                             " channels but weight expects ",
                             wt.getDimSize(1), " x group ", group);
  Type element = productElement(it.getElementType());
  if (it.getElementType().isInteger(8) != wt.getElementType().isInteger(8))
    return emitOptionalError(loc, "an i8 input needs an i8 weight");
  if (Value bias = adaptor.getBias()) {
    auto bt = rankedOf(bias);
    if (!bt || bt.getRank() != 1 || bt.getDimSize(0) != filters)
      return emitOptionalError(loc, "bias must have shape [", filters, "]");
    if (bt.getElementType() != element)
      return emitOptionalError(loc, "bias must be ", element, ", got ",
                               bt.getElementType());
  }
  SmallVector<int64_t> shape(it.getShape());
  shape[1] = filters;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t out = windowOutput(it.getDimSize(2 + i), wt.getDimSize(2 + i),
                               strides[i], dilations[i], pads[i],
                               pads[i + spatial], /*ceilMode=*/false);
    if (out != kDyn && out < 1)
      return emitOptionalError(
          loc, "kernel ", formatShape(wt.getShape().drop_front(2)),
          " with dilations ", formatShape(dilations),
          " does not fit the padded input ", formatShape(it.getShape()));
    shape[2 + i] = out;
  }
  results.push_back(RankedTensorType::get(shape, element));
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput());
  if (!it || it.getRank() < 2)
    return emitOptionalError(loc, "expects an input of rank 2 or more");
  int64_t channels = it.getDimSize(1);
  for (Value param : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                      adaptor.getVariance()}) {
    auto pt = rankedOf(param);
    if (!pt || pt.getRank() != 1 ||
        (pt.getDimSize(0) != channels && channels != kDyn))
      return emitOptionalError(loc, "scale, bias, mean and variance must have "
                                    "shape [",
                               channels, "]");
  }
  results.push_back(it);
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor.getInput(), adaptor.getKernelShapeAttr(),
                   adaptor.getStridesAttr(), adaptor.getDilationsAttr(),
                   adaptor.getPadsAttr(), adaptor.getCeilMode(), results);
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor.getInput(), adaptor.getKernelShapeAttr(),
                   adaptor.getStridesAttr(), adaptor.getDilationsAttr(),
                   adaptor.getPadsAttr(),
                   adaptor.getCeilMode(), results);
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput());
  if (!it || it.getRank() < 3)
    return emitOptionalError(loc, "expects an input of rank 3 or more");
  SmallVector<int64_t> shape(it.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  results.push_back(RankedTensorType::get(shape, it.getElementType()));
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput());
  if (!it || !adaptor.getShapeAttr())
    return emitOptionalError(loc, "expects a ranked input and a 'shape'");
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (failed(checkPositive(loc, "shape", shape, shape.size(),
                           /*allowZero=*/true)))
    return failure();
  if (it.hasStaticShape() &&
      it.getNumElements() != ShapedType::getNumElements(shape))
    return emitOptionalError(loc, "cannot reshape ", formatShape(it.getShape()),
                             " (", it.getNumElements(), " elements) to ",
                             formatShape(shape));
  results.push_back(RankedTensorType::get(shape, it.getElementType()));
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput());
  if (!it || !adaptor.getAxisAttr())
    return emitOptionalError(loc, "expects a ranked input and an 'axis'");
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > it.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range [0, ",
                             it.getRank(), "]");
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t p = 1;
    for (int64_t d : dims) {
      if (d == kDyn)
        return kDyn;
      p *= d;
    }
    return p;
  };
  ArrayRef<int64_t> dims = it.getShape();
  results.push_back(RankedTensorType::get(
      {product(dims.take_front(axis)), product(dims.drop_front(axis))},
      it.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput());
  if (!it || !adaptor.getPermAttr())
    return emitOptionalError(loc, "expects a ranked input and a 'perm'");
  ArrayRef<int64_t> perm = adaptor.getPerm();
  SmallVector<bool> seen(it.getRank(), false);
  bool valid = static_cast<int64_t>(perm.size()) == it.getRank();
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= it.getRank() || seen[p]) {
      valid = false;
      break;
    }
    seen[p] = true;
  }
  if (!valid)
    return emitOptionalError(loc, "perm ", formatShape(perm),
                             " is not a permutation of ", it.getRank(),
                             " dimensions");
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(it.getDimSize(p));
  results.push_back(RankedTensorType::get(shape, it.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty() || !adaptor.getAxisAttr())
    return emitOptionalError(loc, "expects at least one input and an 'axis'");
  auto first = rankedOf(inputs.front());
  if (!first)
    return emitOptionalError(loc, "expects ranked inputs");
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range [0, ",
                             first.getRank(), ")");
  SmallVector<int64_t> shape(first.getShape());
  for (Value input : inputs.drop_front()) {
    auto t = rankedOf(input);
    if (!t || t.getRank() != first.getRank() ||
        t.getElementType() != first.getElementType())
      return emitOptionalError(loc, "inputs must share rank and element type");
    for (int64_t d = 0; d < first.getRank(); ++d) {
      if (d == axis) {
        shape[d] = (shape[d] == kDyn || t.getDimSize(d) == kDyn)
                       ? kDyn
                       : shape[d] + t.getDimSize(d);
      } else if (t.getDimSize(d) != shape[d] && t.getDimSize(d) != kDyn &&
                 shape[d] != kDyn) {
        return emitOptionalError(loc, "input shapes ",
                                 formatShape(first.getShape()), " and ",
                                 formatShape(t.getShape()),
                                 " differ outside axis ", axis);
      }
    }
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto it = rankedOf(adaptor.getInput());
  if (!it || !adaptor.getAxisAttr())
    return emitOptionalError(loc, "expects a ranked input and an 'axis'");
  if (failed(checkAxis(loc, adaptor.getAxis(), it.getRank())))
    return failure();
  results.push_back(it);
  return success();
}
