//===- OnnxCompose.h - building an ONNX op out of graph ops ------*- C++ -*-===//
//
// Composer wraps a NodeContext for importers that express one ONNX op as
// several graph ops (losses, scatters, pooling variants). Every builder
// returns null after an error and accepts null operands (then it does
// nothing and returns null), so a composition is a straight sequence of
// calls with one null check at the end; the first error has already been
// reported at the node.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_FRONTEND_ONNX_ONNXCOMPOSE_H
#define STRATA_LIB_FRONTEND_ONNX_ONNXCOMPOSE_H

#include "lib/frontend/onnx/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace strata::onnx_import {

class Composer {
public:
  explicit Composer(NodeContext &ctx) : ctx(ctx), b(ctx.getContext()) {}

  /// Graph op `name` of `operands` (null if any operand is null).
  mlir::Value op(llvm::StringRef name, mlir::ValueRange operands,
                 llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    if (llvm::any_of(operands, [](mlir::Value v) { return !v; }))
      return nullptr;
    return ctx.create(name, operands, attrs);
  }

  /// A graph.constant holding `value`.
  mlir::Value constant(mlir::ElementsAttr value) {
    return ctx.create("graph.constant", {}, {b.getNamedAttr("value", value)});
  }
  /// A rank-0 constant of `element` holding `value` (converted).
  mlir::Value scalar(mlir::Type element, double value) {
    auto type = mlir::RankedTensorType::get({}, element);
    if (mlir::isa<mlir::FloatType>(element))
      return constant(mlir::DenseElementsAttr::get(
          type, b.getFloatAttr(element, value)));
    return constant(mlir::DenseElementsAttr::get(
        type, b.getIntegerAttr(element, static_cast<int64_t>(value))));
  }
  /// A rank-1 i64 constant.
  mlir::Value int64s(llvm::ArrayRef<int64_t> values) {
    auto type = mlir::RankedTensorType::get(
        {static_cast<int64_t>(values.size())}, b.getI64Type());
    return constant(mlir::DenseElementsAttr::get(type, values));
  }

  /// An i64 tensor of `shape` whose elements are their coordinate along
  /// `dim`: a constant of shape[dim] values broadcast by graph.expand.
  mlir::Value iota(llvm::ArrayRef<int64_t> shape, int64_t dim) {
    llvm::SmallVector<int64_t> values, along(shape.size(), 1);
    for (int64_t i = 0; i < shape[dim]; ++i)
      values.push_back(i);
    along[dim] = shape[dim];
    auto type = mlir::RankedTensorType::get(along, b.getI64Type());
    mlir::Value line = constant(
        mlir::DenseElementsAttr::get(type, llvm::ArrayRef<int64_t>(values)));
    if (along == shape)
      return line;
    return op("graph.expand", line,
              {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
  }

  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape) {
    return op("graph.reshape", v,
              {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
  }
  /// graph.slice of `sizes` elements from `starts`, unit steps.
  mlir::Value slice(mlir::Value v, llvm::ArrayRef<int64_t> starts,
                    llvm::ArrayRef<int64_t> sizes) {
    llvm::SmallVector<int64_t> steps(starts.size(), 1);
    return op("graph.slice", v,
              {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
               b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
               b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
  }
  mlir::Value transpose(mlir::Value v, llvm::ArrayRef<int64_t> perm) {
    return op("graph.transpose", v,
              {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
  }
  mlir::Value cast(mlir::Value v, mlir::Type element) {
    if (v && typeOf(v).getElementType() == element)
      return v;
    return op("graph.cast", v,
              {b.getNamedAttr("to", mlir::TypeAttr::get(element))});
  }
  /// graph.<kind> (reduce_sum, reduce_mean, reduce_max, ...) over `axes`
  /// (every axis when empty).
  mlir::Value reduce(llvm::StringRef kind, mlir::Value v,
                     llvm::ArrayRef<int64_t> axes, bool keepdims) {
    if (!v)
      return nullptr;
    llvm::SmallVector<int64_t> all(axes);
    if (all.empty())
      for (int64_t d = 0; d < typeOf(v).getRank(); ++d)
        all.push_back(d);
    return op(("graph." + kind).str(), v,
              {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(all)),
               b.getNamedAttr("keepdims", b.getBoolAttr(keepdims))});
  }

  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }

  NodeContext &ctx;
  mlir::Builder b;
};

} // namespace strata::onnx_import

#endif // STRATA_LIB_FRONTEND_ONNX_ONNXCOMPOSE_H
