//===- RegisterBlocks.cpp - loops over register blocks --------------------===//
#include "codegen/cpu/RegisterBlocks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace strata {

void forBlocks(OpBuilder &b, Location loc, int64_t extent, int64_t step,
               llvm::function_ref<void(Value, int64_t)> fn) {
  int64_t whole = extent / step * step;
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  if (whole > 0)
    scf::ForOp::create(
        b, loc, index(0), index(whole), index(step), ValueRange{},
        [&](OpBuilder &nb, Location l, Value start, ValueRange) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          fn(start, step);
          scf::YieldOp::create(b, l);
        });
  if (extent > whole)
    fn(index(whole), extent - whole);
}

linalg::FillOp zeroFillBefore(Operation *op, Value init) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || fill.getOutputs()[0] != init)
    return nullptr;
  Value value = fill.getInputs()[0];
  if (std::optional<int64_t> i = getConstantIntValue(value))
    return *i == 0 ? fill : nullptr;
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  auto f = constant ? dyn_cast<FloatAttr>(constant.getValue()) : nullptr;
  return f && f.getValue().isPosZero() ? fill : nullptr;
}

} // namespace strata
