//===- BatchChunk.cpp - a second program for whole chunks of a batch ------===//
#include "lib/driver/BatchChunk.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace strata {

ProgramIntensity measureIntensity(func::FuncOp func) {
  ProgramIntensity result;
  func.walk([&](Operation *op) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (linalgOp.getNumReductionLoops() == 0)
        return;
      double product = 1;
      for (int64_t range : linalgOp.getStaticLoopRanges())
        product *= ShapedType::isDynamic(range) ? 1.0 : double(range);
      result.multiplyAdds += product;
    } else if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      auto type = dyn_cast<RankedTensorType>(constant.getType());
      if (!type || !type.hasStaticShape() ||
          !type.getElementType().isIntOrFloat())
        return;
      int64_t bytes = type.getNumElements() *
                      ((type.getElementTypeBitWidth() + 7) / 8);
      if (bytes >= 1024)
        result.weightBytes += bytes;
    }
  });
  return result;
}

unsigned autoBatchChunk(const ProgramIntensity &intensity) {
  if (intensity.weightBytes < kChunkMinWeightBytes)
    return 0;
  double perByte = intensity.multiplyAdds / double(intensity.weightBytes);
  return perByte < kChunkMaxMacsPerByte ? 8 : 0;
}

namespace {

/// `chunked` is `perSample` with `chunk` samples in the leading dimension
/// where `batched`, and equal elsewhere.
bool matches(Type perSample, Type chunked, bool batched, unsigned chunk) {
  if (!batched)
    return perSample == chunked;
  auto one = dyn_cast<RankedTensorType>(perSample);
  auto many = dyn_cast<RankedTensorType>(chunked);
  return one && many && one.getRank() > 0 && one.getRank() == many.getRank() &&
         one.getElementType() == many.getElementType() &&
         one.getDimSize(0) == 1 && many.getDimSize(0) == int64_t(chunk) &&
         one.getShape().drop_front() == many.getShape().drop_front();
}

} // namespace

LogicalResult matchesChunkSignature(func::FuncOp perSample,
                                    func::FuncOp chunked, unsigned chunk,
                                    ArrayRef<bool> batchedInputs,
                                    ArrayRef<bool> batchedOutputs,
                                    std::string &why) {
  FunctionType one = perSample.getFunctionType();
  FunctionType many = chunked.getFunctionType();
  if (one.getNumInputs() != many.getNumInputs() ||
      one.getNumResults() != many.getNumResults() ||
      one.getNumInputs() != batchedInputs.size() ||
      one.getNumResults() != batchedOutputs.size()) {
    why = "the inputs or outputs differ in number";
    return failure();
  }
  auto describe = [](const char *kind, unsigned i, Type a, Type b) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << kind << " " << i << " is " << a << " for one sample but " << b
       << " for the chunk";
    return text;
  };
  for (unsigned i = 0; i < one.getNumInputs(); ++i)
    if (!matches(one.getInput(i), many.getInput(i), batchedInputs[i], chunk)) {
      why = describe("input", i, one.getInput(i), many.getInput(i));
      return failure();
    }
  for (unsigned i = 0; i < one.getNumResults(); ++i)
    if (!matches(one.getResult(i), many.getResult(i), batchedOutputs[i],
                 chunk)) {
      why = describe("output", i, one.getResult(i), many.getResult(i));
      return failure();
    }
  return success();
}

} // namespace strata
