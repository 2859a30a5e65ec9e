//===- OnnxQuantizationOps.cpp - (de)quantization, integer products -------===//
//
// QuantizeLinear and DequantizeLinear become graph.quantize_linear /
// graph.dequantize_linear (their scale and zero point normalized: a
// one-element per-tensor scale becomes a scalar). The other ops are
// compositions:
//
//  * DynamicQuantizeLinear: reduce_min / reduce_max, the scale and zero
//    point as ONNX's reference computes them, then quantize_linear;
//  * MatMulInteger / ConvInteger: the operands widened to i32 (graph.cast)
//    minus their zero points, then an i32 graph.matmul / graph.conv;
//  * QLinearMatMul / QLinearConv: that i32 product, times
//    a_scale * b_scale / y_scale (in the scales' type, as ONNX's reference),
//    quantized with scale 1 and y's zero point (round half to even,
//    saturate).
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/GraphElementwise.h"
#include "dialects/graph/QuantizedTypes.h"
#include "lib/frontend/onnx/OnnxOps.h"
#include "lib/frontend/onnx/OnnxTensors.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace strata::onnx_import {

namespace {

RankedTensorType typeOf(Value v) {
  return v ? cast<RankedTensorType>(v.getType()) : nullptr;
}

/// A rank-0 graph.constant of float or integer type `element`.
Value scalar(NodeContext &ctx, Type element, double value) {
  Builder b(ctx.getContext());
  TypedAttr attr = isa<FloatType>(element)
                       ? TypedAttr(b.getFloatAttr(element, value))
                       : TypedAttr(b.getIntegerAttr(element, int64_t(value)));
  return ctx.create(
      "graph.constant", {},
      {b.getNamedAttr("value", DenseElementsAttr::get(
                                   RankedTensorType::get({}, element), attr))});
}

Value reshape(NodeContext &ctx, Value v, ArrayRef<int64_t> shape) {
  if (!v)
    return nullptr;
  if (typeOf(v).getShape() == shape)
    return v;
  Builder b(ctx.getContext());
  return ctx.create("graph.reshape", {v},
                    {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
}

Value castTo(NodeContext &ctx, Value v, Type element) {
  if (!v || typeOf(v).getElementType() == element)
    return v;
  Builder b(ctx.getContext());
  return ctx.create("graph.cast", {v},
                    {b.getNamedAttr("to", TypeAttr::get(element))});
}

Value binary(NodeContext &ctx, StringRef op, Value lhs, Value rhs) {
  return lhs && rhs ? ctx.create(op, {lhs, rhs}) : nullptr;
}

/// A one-element scale or zero point of a per-tensor (un-blocked)
/// quantization becomes a scalar: ONNX allows shape [1] for those. A zero
/// point of a narrow type (float8, int4, ...; graph.reshape does not take
/// those) stays as it is: the ops take a [1] zero point with a scalar scale.
Value perTensorScalar(NodeContext &ctx, Value v, int64_t blockSize) {
  RankedTensorType type = typeOf(v);
  if (!type || blockSize != 0 || type.getRank() == 0 ||
      !type.hasStaticShape() || type.getNumElements() != 1 ||
      graph::isNarrowElementType(type.getElementType()))
    return v;
  return reshape(ctx, v, {});
}

/// The attributes that QuantizeLinear and DequantizeLinear share: `axis`
/// (normalized where the granularity uses it) and `block_size`. Returns the
/// normalized scale and zero point through the arguments.
LogicalResult granularity(NodeContext &ctx, RankedTensorType input,
                          Value &scale, Value &zeroPoint,
                          SmallVectorImpl<NamedAttribute> &attrs) {
  Builder b(ctx.getContext());
  int64_t blockSize = ctx.attrs.getInt("block_size", 0);
  int64_t axis = ctx.attrs.getInt("axis", 1);
  if (ctx.attrs.failed())
    return failure();
  scale = perTensorScalar(ctx, scale, blockSize);
  zeroPoint = perTensorScalar(ctx, zeroPoint, blockSize);
  if (!scale || (ctx.hasInput(2) && !zeroPoint))
    return failure();
  if (typeOf(scale).getRank() == 0 && blockSize == 0) {
    axis = 0; // per tensor: axis unused (and may not fit a rank-0 input)
  } else {
    std::optional<int64_t> normalized =
        normalizeAxis(ctx, axis, input.getRank());
    if (!normalized)
      return failure();
    axis = *normalized;
  }
  attrs.push_back(b.getNamedAttr("axis", b.getI64IntegerAttr(axis)));
  attrs.push_back(
      b.getNamedAttr("block_size", b.getI64IntegerAttr(blockSize)));
  return success();
}

/// The element type of TensorProto data type attribute `name`, null when
/// absent (0); an error when the graph dialect lacks the type.
FailureOr<Type> dataTypeAttr(NodeContext &ctx, StringRef name,
                             StringRef what) {
  int64_t dataType = ctx.attrs.getInt(name, 0);
  if (ctx.attrs.failed())
    return failure();
  if (dataType == 0)
    return Type();
  Type element = convertElementType(ctx.getContext(), int32_t(dataType));
  if (!element)
    return ctx.emitError() << what << " " << dataTypeName(int32_t(dataType))
                           << " is not supported";
  return element;
}

/// graph.quantize_linear of `x` to `element` (per-tensor `scale`; the zero
/// point, if any, has type `element`).
Value quantize(NodeContext &ctx, Value x, Value scale, Value zeroPoint,
               Type element) {
  if (!x || !scale)
    return nullptr;
  Builder b(ctx.getContext());
  SmallVector<Value> operands = {x, scale};
  if (zeroPoint)
    operands.push_back(zeroPoint);
  return ctx.create(
      "graph.quantize_linear", operands,
      {b.getNamedAttr("output_type", TypeAttr::get(element))});
}

} // namespace

LogicalResult importQuantizeLinear(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1))
    return ctx.emitError() << "expects inputs 'x' and 'y_scale'";
  Value x = ctx.input(0), scale = ctx.input(1);
  Value zeroPoint = ctx.hasInput(2) ? ctx.input(2) : Value();
  if (!x || !scale || (ctx.hasInput(2) && !zeroPoint))
    return failure();
  Builder b(ctx.getContext());
  FailureOr<Type> outputType = dataTypeAttr(ctx, "output_dtype", "output_dtype");
  FailureOr<Type> precision = dataTypeAttr(ctx, "precision", "precision");
  int64_t saturate = ctx.attrs.getInt("saturate", 1);
  if (failed(outputType) || failed(precision) || ctx.attrs.failed())
    return failure();
  Type element = *outputType;
  if (zeroPoint) {
    Type zpElement = typeOf(zeroPoint).getElementType();
    if (element && element != zpElement)
      return ctx.emitError() << "output_dtype " << element
                             << " differs from the zero point's type "
                             << zpElement;
    element = zpElement;
  }
  if (!element)
    element = IntegerType::get(ctx.getContext(), 8, IntegerType::Unsigned);
  if (!graph::getQuantizedStorage(element))
    return ctx.emitError() << "quantizing to " << element
                           << " is not supported (int2, uint2, int4, uint4, "
                              "int8, uint8, int16, uint16, float8e4m3fn(uz), "
                              "float8e5m2(fnuz), float4e2m1)";
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("output_type", TypeAttr::get(element)),
      b.getNamedAttr("saturate", b.getBoolAttr(saturate != 0))};
  if (*precision)
    attrs.push_back(b.getNamedAttr("precision", TypeAttr::get(*precision)));
  if (failed(granularity(ctx, typeOf(x), scale, zeroPoint, attrs)))
    return failure();
  SmallVector<Value> operands = {x, scale};
  if (zeroPoint)
    operands.push_back(zeroPoint);
  Value result = ctx.create("graph.quantize_linear", operands, attrs);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importDequantizeLinear(NodeContext &ctx) {
  if (!ctx.hasInput(0) || !ctx.hasInput(1))
    return ctx.emitError() << "expects inputs 'x' and 'x_scale'";
  Value x = ctx.input(0), scale = ctx.input(1);
  Value zeroPoint = ctx.hasInput(2) ? ctx.input(2) : Value();
  if (!x || !scale || (ctx.hasInput(2) && !zeroPoint))
    return failure();
  Type inputElement = typeOf(x).getElementType();
  if (!graph::getQuantizedStorage(inputElement) && !inputElement.isInteger(32))
    return ctx.emitError() << "dequantizing " << inputElement
                           << " is not supported (int2, uint2, int4, uint4, "
                              "int8, uint8, int16, uint16, int32, "
                              "float8e4m3fn(uz), float8e5m2(fnuz), "
                              "float4e2m1)";
  Builder b(ctx.getContext());
  FailureOr<Type> outputType = dataTypeAttr(ctx, "output_dtype", "output_dtype");
  if (failed(outputType))
    return failure();
  Type element =
      *outputType ? *outputType : typeOf(scale).getElementType();
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("output_type", TypeAttr::get(element))};
  if (failed(granularity(ctx, typeOf(x), scale, zeroPoint, attrs)))
    return failure();
  SmallVector<Value> operands = {x, scale};
  if (zeroPoint)
    operands.push_back(zeroPoint);
  Value result = ctx.create("graph.dequantize_linear", operands, attrs);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

/// ONNX's reference: the range [min(x, 0), max(x, 0)] over 255 (1 / 255
/// when empty), zero point round(clamp(-min / scale, 0, 255)), then x
/// quantized to uint8.
LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  if (!ctx.hasInput(0))
    return ctx.emitError() << "expects an input";
  Value x = ctx.input(0);
  if (!x)
    return failure();
  RankedTensorType type = typeOf(x);
  if (!type.getElementType().isF32())
    return ctx.emitError() << "expects an f32 input, got "
                           << type.getElementType();
  Builder b(ctx.getContext());
  // The minimum (maximum) over every element in two steps: over the
  // leading axes first (a reduction whose innermost loop runs along the
  // last axis, contiguous and parallel: it vectorizes and forms
  // dispatches), then over the last axis' values. A reduction over all
  // axes at once ran as one scalar loop on one thread: 48 of them took a
  // third of a dynamically quantized BERT-base.
  auto reduceOver = [&](StringRef op, Value v, ArrayRef<int64_t> axes) {
    return v ? ctx.create(op, {v},
                          {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
                           b.getNamedAttr("keepdims", b.getBoolAttr(false))})
             : nullptr;
  };
  auto reduce = [&](StringRef op) {
    int64_t rank = type.getRank();
    if (rank < 2)
      return reduceOver(op, x, rank ? SmallVector<int64_t>{0}
                                    : SmallVector<int64_t>{});
    SmallVector<int64_t> leading;
    for (int64_t d = 0; d + 1 < rank; ++d)
      leading.push_back(d);
    return reduceOver(op, reduceOver(op, x, leading), {0});
  };
  Type f32 = b.getF32Type();
  Value zero = scalar(ctx, f32, 0.0), one = scalar(ctx, f32, 1.0);
  Value levels = scalar(ctx, f32, 255.0);
  Value low = binary(ctx, "graph.min", reduce("graph.reduce_min"), zero);
  Value high = binary(ctx, "graph.max", reduce("graph.reduce_max"), zero);
  Value range = binary(ctx, "graph.sub", high, low);
  Value empty = binary(ctx, "graph.equal", range, zero);
  Value safeRange =
      empty && one && range ? ctx.create("graph.where", {empty, one, range})
                            : nullptr;
  Value scale = binary(ctx, "graph.div", safeRange, levels);
  Value initial =
      binary(ctx, "graph.sub", zero, binary(ctx, "graph.div", low, scale));
  Value clipped =
      initial ? ctx.create("graph.clip", {initial},
                           {b.getNamedAttr("min", b.getF32FloatAttr(0.0f)),
                            b.getNamedAttr("max", b.getF32FloatAttr(255.0f))})
              : nullptr;
  Type u8 = IntegerType::get(ctx.getContext(), 8, IntegerType::Unsigned);
  Value zeroPoint = castTo(
      ctx, clipped ? ctx.create("graph.round", {clipped}) : nullptr, u8);
  Value y = quantize(ctx, x, scale, zeroPoint, u8);
  if (!y)
    return failure();
  ctx.setOutput(0, y);
  ctx.setOutput(1, scale);
  ctx.setOutput(2, zeroPoint);
  return success();
}

//===----------------------------------------------------------------------===//
// Integer products
//===----------------------------------------------------------------------===//

namespace {

/// `v` widened to i32 minus `zeroPoint` (absent: 0), the zero point first
/// reshaped to `zpShape` when it has more than one element (per row of a
/// matmul's A, per output channel of a conv's weight).
Value widen(NodeContext &ctx, Value v, Value zeroPoint,
            ArrayRef<int64_t> zpShape) {
  Type i32 = IntegerType::get(ctx.getContext(), 32);
  Value wide = castTo(ctx, v, i32);
  if (!zeroPoint || !wide)
    return wide;
  RankedTensorType zpType = typeOf(zeroPoint);
  if (zpType.getRank() > 1) {
    ctx.emitError() << "zero point of shape " << formatShape(zpType.getShape())
                    << " must be a scalar or 1-D";
    return nullptr;
  }
  if (zpType.getRank() == 1 && zpType.getNumElements() != 1 &&
      zpType.getDimSize(0) == zpShape.front())
    zeroPoint = reshape(ctx, zeroPoint, zpShape);
  return binary(ctx, "graph.sub", wide, castTo(ctx, zeroPoint, i32));
}

/// The zero point at input `i`, or null when absent; checks that it has
/// `v`'s element type.
FailureOr<Value> zeroPointInput(NodeContext &ctx, size_t i, Value v,
                                StringRef what) {
  if (!ctx.hasInput(i))
    return Value();
  Value zp = ctx.input(i);
  if (!zp || !v)
    return failure();
  if (typeOf(zp).getElementType() != typeOf(v).getElementType())
    return ctx.emitError() << what << " of type " << typeOf(zp).getElementType()
                           << " differs from its operand's type "
                           << typeOf(v).getElementType();
  return zp;
}

LogicalResult checkInt8(NodeContext &ctx, Value v, StringRef what) {
  Type t = typeOf(v).getElementType();
  if (t.isInteger(8))
    return success();
  return ctx.emitError() << what << " must be int8 or uint8, got " << t;
}

/// (a - a_zero_point) x (b - b_zero_point) in i32 for the matmul inputs at
/// `a`, `azp`, `b`, `bzp`.
Value integerMatMul(NodeContext &ctx, size_t a, size_t azp, size_t b,
                    size_t bzp) {
  if (!ctx.hasInput(a) || !ctx.hasInput(b)) {
    ctx.emitError() << "expects inputs #" << a << " and #" << b;
    return nullptr;
  }
  Value lhs = ctx.input(a), rhs = ctx.input(b);
  if (!lhs || !rhs || failed(checkInt8(ctx, lhs, "A")) ||
      failed(checkInt8(ctx, rhs, "B")))
    return nullptr;
  FailureOr<Value> lhsZp = zeroPointInput(ctx, azp, lhs, "a_zero_point");
  FailureOr<Value> rhsZp = zeroPointInput(ctx, bzp, rhs, "b_zero_point");
  if (failed(lhsZp) || failed(rhsZp))
    return nullptr;
  RankedTensorType lt = typeOf(lhs);
  if (lt.getRank() < 1 || typeOf(rhs).getRank() < 1) {
    ctx.emitError() << "expects operands of rank 1 or more";
    return nullptr;
  }
  int64_t rows = lt.getRank() >= 2 ? lt.getDimSize(lt.getRank() - 2) : 1;
  // a's zero point is per row: [M] -> [M, 1]; b's per column broadcasts.
  Value wideLhs = widen(ctx, lhs, *lhsZp, {rows, 1});
  Value wideRhs = widen(ctx, rhs, *rhsZp, {typeOf(rhs).getShape().back()});
  return binary(ctx, "graph.matmul", wideLhs, wideRhs);
}

/// `product` (i32) times scaleA * scaleB / scaleY (computed in the scales'
/// type), quantized to the type of zero point `yzp` (ui8 when absent, int8
/// for an int8 `like`).
Value requantize(NodeContext &ctx, Value product, Value scaleA, Value scaleB,
                 Value scaleY, Value yzp, Value like) {
  if (!product || !scaleA || !scaleB || !scaleY)
    return nullptr;
  Type f32 = Builder(ctx.getContext()).getF32Type();
  Value multiplier = castTo(
      ctx,
      binary(ctx, "graph.div", binary(ctx, "graph.mul", scaleA, scaleB),
             scaleY),
      f32);
  Value real = binary(ctx, "graph.mul", castTo(ctx, product, f32), multiplier);
  Type element = yzp ? typeOf(yzp).getElementType()
                     : typeOf(like).getElementType();
  return quantize(ctx, real, scalar(ctx, f32, 1.0),
                  perTensorScalar(ctx, yzp, /*blockSize=*/0), element);
}

/// A per-row (1-D of M) scale of A becomes [M, 1]; others stay.
Value rowScale(NodeContext &ctx, Value scale, Value a) {
  RankedTensorType st = typeOf(scale), at = typeOf(a);
  if (!st || !at || st.getRank() != 1 || st.getNumElements() == 1 ||
      at.getRank() < 2)
    return scale;
  return reshape(ctx, scale, {st.getDimSize(0), 1});
}

} // namespace

LogicalResult importMatMulInteger(NodeContext &ctx) {
  Value result = integerMatMul(ctx, 0, 2, 1, 3);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importQLinearMatMul(NodeContext &ctx) {
  for (size_t i : {1, 4, 6})
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects a_scale, b_scale and y_scale";
  Value product = integerMatMul(ctx, 0, 2, 3, 5);
  if (!product)
    return failure();
  Value yzp = ctx.hasInput(7) ? ctx.input(7) : Value();
  if (yzp && failed(checkInt8(ctx, yzp, "y_zero_point")))
    return failure();
  Value result =
      requantize(ctx, product, rowScale(ctx, ctx.input(1), ctx.input(0)),
                 ctx.input(4), ctx.input(6), yzp, ctx.input(0));
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

namespace {

/// (x - x_zero_point) conv (w - w_zero_point) in i32, plus `bias` (i32).
Value integerConv(NodeContext &ctx, size_t x, size_t xzp, size_t w,
                  size_t wzp, Value bias) {
  if (!ctx.hasInput(x) || !ctx.hasInput(w)) {
    ctx.emitError() << "expects inputs #" << x << " and #" << w;
    return nullptr;
  }
  Value input = ctx.input(x), weight = ctx.input(w);
  if (!input || !weight || failed(checkInt8(ctx, input, "x")) ||
      failed(checkInt8(ctx, weight, "w")))
    return nullptr;
  FailureOr<Value> inputZp = zeroPointInput(ctx, xzp, input, "x_zero_point");
  FailureOr<Value> weightZp = zeroPointInput(ctx, wzp, weight, "w_zero_point");
  if (failed(inputZp) || failed(weightZp))
    return nullptr;
  if (*inputZp && typeOf(*inputZp).getNumElements() != 1) {
    ctx.emitError() << "x_zero_point must have one element";
    return nullptr;
  }
  RankedTensorType wt = typeOf(weight);
  if (wt.getRank() != 4) {
    ctx.emitError() << "expects a rank-4 weight, got "
                    << formatShape(wt.getShape());
    return nullptr;
  }
  SmallVector<int64_t> perFilter(wt.getRank(), 1);
  perFilter[0] = wt.getDimSize(0);
  Value wideInput = widen(ctx, input, *inputZp, {1});
  Value wideWeight = widen(ctx, weight, *weightZp, perFilter);
  if (!wideInput || !wideWeight)
    return nullptr;
  return buildConv(ctx, wideInput, wideWeight, bias);
}

} // namespace

LogicalResult importConvInteger(NodeContext &ctx) {
  Value result = integerConv(ctx, 0, 2, 1, 3, nullptr);
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

LogicalResult importQLinearConv(NodeContext &ctx) {
  for (size_t i : {1, 4, 6})
    if (!ctx.hasInput(i))
      return ctx.emitError() << "expects x_scale, w_scale and y_scale";
  Value bias;
  if (ctx.hasInput(8)) {
    bias = ctx.input(8);
    if (!bias)
      return failure();
    if (!typeOf(bias).getElementType().isInteger(32) ||
        typeOf(bias).getElementType().isUnsignedInteger())
      return ctx.emitError() << "bias must be int32, got "
                             << typeOf(bias).getElementType();
  }
  Value product = integerConv(ctx, 0, 2, 3, 5, bias);
  if (!product)
    return failure();
  Value yzp = ctx.hasInput(7) ? ctx.input(7) : Value();
  if (yzp && failed(checkInt8(ctx, yzp, "y_zero_point")))
    return failure();
  // A per-output-channel w_scale [F] scales dimension 1 of NCHW: [F, 1, 1].
  Value wScale = ctx.input(4);
  RankedTensorType st = typeOf(wScale);
  if (st && st.getRank() == 1 && st.getNumElements() != 1)
    wScale = reshape(ctx, wScale, {st.getDimSize(0), 1, 1});
  Value result = requantize(ctx, product, ctx.input(1), wScale, ctx.input(6),
                            yzp, ctx.input(0));
  ctx.setOutput(0, result);
  return success(result != nullptr);
}

} // namespace strata::onnx_import
