//===- GraphToLinalg.cpp - the convert-graph-to-linalg pass ---------------===//
//
// Runs the per-family patterns (Lower*.cpp) with the dialect conversion
// driver, so that a graph op left unlowered is an error at its location
// (which names the ONNX node). Also holds the helpers the families share.
//
//===----------------------------------------------------------------------===//
#include "passes/graph/LoweringPatterns.h"
#include "passes/graph/NarrowTypes.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace strata {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALG
#include "passes/graph/Passes.h.inc"
} // namespace strata

namespace strata::lowering {

Value scalarConstant(OpBuilder &builder, Location loc, Type type,
                     double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(builder, loc,
                                     builder.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      builder, loc, builder.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value buildFilled(OpBuilder &builder, Location loc, RankedTensorType type,
                  TypedAttr value) {
  Value empty = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                        type.getElementType());
  Value scalar = arith::ConstantOp::create(builder, loc, value);
  return linalg::FillOp::create(builder, loc, scalar, empty).getResult(0);
}

Value buildBroadcastElementwise(OpBuilder &builder, Location loc,
                                RankedTensorType resultType,
                                ValueRange operands, ScalarBody body) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = builder.getContext();
  SmallVector<AffineMap> maps;
  // An operand's broadcast unit dims are collapsed away, so that its map
  // is a projected permutation ((d1) for a [C, 1, 1] operand of an NCHW
  // result, not (d1, 0, 0)): data-layout propagation (strata-channels-last)
  // moves relayouts only through generics with such maps.
  SmallVector<Value> inputs;
  for (Value operand : operands) {
    auto type = cast<RankedTensorType>(operand.getType());
    int64_t offset = rank - type.getRank();
    SmallVector<AffineExpr> exprs;
    SmallVector<int64_t> kept;
    SmallVector<ReassociationIndices> groups;
    ReassociationIndices pending;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      bool repeated =
          type.getDimSize(d) == 1 && resultType.getDimSize(d + offset) != 1;
      pending.push_back(d);
      if (repeated)
        continue;
      exprs.push_back(getAffineDimExpr(d + offset, ctx));
      kept.push_back(type.getDimSize(d));
      groups.push_back(pending);
      pending.clear();
    }
    if (int64_t(kept.size()) != type.getRank()) {
      // Trailing unit dims join the last kept group.
      if (!groups.empty())
        groups.back().append(pending.begin(), pending.end());
      operand = tensor::CollapseShapeOp::create(
          builder, loc, RankedTensorType::get(kept, type.getElementType()),
          operand, groups);
    }
    inputs.push_back(operand);
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  return buildParallelGeneric(builder, loc, resultType, inputs, maps, body);
}

Value buildParallelGeneric(OpBuilder &builder, Location loc,
                           RankedTensorType resultType, ValueRange inputs,
                           ArrayRef<AffineMap> inputMaps, ScalarBody body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(builder.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(builder, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value result = body(b, l, args.drop_back());
        linalg::YieldOp::create(b, l, result);
      });
  return generic.getResult(0);
}

Type accumulatorType(Type element) {
  if (element.isF16() || element.isBF16())
    return Float32Type::get(element.getContext());
  return element;
}

Value convertFloats(OpBuilder &b, Location loc, Value value, Type element) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == element)
    return value;
  bool widen = element.getIntOrFloatBitWidth() >
               type.getElementType().getIntOrFloatBitWidth();
  return buildBroadcastElementwise(
      b, loc, RankedTensorType::get(type.getShape(), element), ValueRange{value},
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        if (widen)
          return arith::ExtFOp::create(nb, l, element, args[0]);
        return arith::TruncFOp::create(nb, l, element, args[0]);
      });
}

/// Splits dimension `dim` of `value` into (group, size / group).
Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t dim,
                  int64_t group) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] /= group;
  shape.insert(shape.begin() + dim, group);
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0, next = 0; d < type.getRank(); ++d) {
    if (d == dim) {
      groups.push_back({next, next + 1});
      next += 2;
    } else {
      groups.push_back({next++});
    }
  }
  return tensor::ExpandShapeOp::create(
             b, loc, RankedTensorType::get(shape, type.getElementType()), value,
             groups)
      .getResult();
}

Value buildReshape(OpBuilder &builder, Location loc, Value input,
                   RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType.getShape() == resultType.getShape())
    return input;
  // Through one dimension: collapse everything, then expand. Canonicalization
  // merges the pair into the minimal reassociation.
  if (inputType.getRank() > 0 && resultType.getRank() > 0) {
    auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                          inputType.getElementType());
    SmallVector<ReassociationIndices> collapseAll(1);
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      collapseAll[0].push_back(d);
    Value flat = input;
    if (inputType.getRank() != 1)
      flat = tensor::CollapseShapeOp::create(builder, loc, flatType, input,
                                             collapseAll);
    if (resultType.getRank() == 1)
      return flat;
    SmallVector<ReassociationIndices> expandAll(1);
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      expandAll[0].push_back(d);
    return tensor::ExpandShapeOp::create(builder, loc, resultType, flat,
                                         expandAll);
  }
  // Rank 0 on either side: a reassociation cannot express it.
  SmallVector<int64_t> shape(resultType.getShape());
  auto shapeType =
      RankedTensorType::get({resultType.getRank()}, builder.getI64Type());
  Value shapeValue = arith::ConstantOp::create(
      builder, loc, DenseIntElementsAttr::get(shapeType, ArrayRef(shape)));
  return tensor::ReshapeOp::create(builder, loc, resultType, input,
                                   shapeValue);
}

} // namespace strata::lowering

namespace {

struct ConvertGraphToLinalgPass
    : public strata::impl::ConvertGraphToLinalgBase<ConvertGraphToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The lowering handles static shapes only: say so at the node, rather
    // than failing deep inside a pattern.
    bool dynamic = false;
    module.walk([&](Operation *op) {
      if (op->getDialect() !=
          getContext().getLoadedDialect<strata::graph::GraphDialect>())
        return;
      // Operands too: a Gather along a dynamic axis can have a static
      // result, and its lowering reads the operand's sizes.
      auto types = llvm::concat<const Type>(op->getOperandTypes(),
                                            op->getResultTypes());
      for (Type type : types) {
        auto shaped = dyn_cast<RankedTensorType>(type);
        if (shaped && !shaped.hasStaticShape()) {
          op->emitError("dynamic shape ")
              << type << " is not supported by the CPU lowering yet";
          dynamic = true;
          break;
        }
      }
    });
    if (dynamic)
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    strata::lowering::populateElementwisePatterns(patterns);
    strata::lowering::populateLinearAlgebraPatterns(patterns);
    strata::lowering::populateConvPoolPatterns(patterns);
    strata::lowering::populateDataMovementPatterns(patterns);
    strata::lowering::populateReductionPatterns(patterns);
    strata::lowering::populateIndexingPatterns(patterns);
    strata::lowering::populateNormalizationPatterns(patterns);
    strata::lowering::populateConvTransposePatterns(patterns);
    strata::lowering::populateResizePatterns(patterns);
    strata::lowering::populateTopKPatterns(patterns);
    strata::lowering::populateRecurrentPatterns(patterns);
    strata::lowering::populateQuantizationPatterns(patterns);
    strata::lowering::populateBitCastPatterns(patterns);
    strata::lowering::populateGridSamplePatterns(patterns);
    strata::lowering::populateMathPatterns(patterns);
    strata::lowering::populateNarrowCastPatterns(patterns);

    ConversionTarget target(getContext());
    target.addIllegalDialect<strata::graph::GraphDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect, func::FuncDialect>();
    // Views of float8 / 4-bit tensors as their i8 storage (NarrowTypes.h).
    target.addLegalOp<UnrealizedConversionCastOp>();
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    // float8 / float4 / 4-bit / 2-bit tensors become their i8 storage.
    strata::lowering::eraseNarrowTypes(module);
    // arith computes on signless integers: ui8 tensors become i8 ones (the
    // patterns chose the unsigned ops already; see SignlessTypes.cpp).
    strata::lowering::eraseUnsignedTypes(module);
  }
};

} // namespace

std::unique_ptr<Pass> strata::createConvertGraphToLinalgPass() {
  return std::make_unique<ConvertGraphToLinalgPass>();
}
