//===- NodeLocation.h - locations that name ONNX nodes ----------*- C++ -*-===//
//
// Every graph op carries the location of the ONNX node it came from:
//   loc("conv1"("Conv@17"))  =  NameLoc(node name, NameLoc("OpType@opset"))
// so diagnostics anywhere in the pipeline can say which node is at fault.
//
//===----------------------------------------------------------------------===//
#ifndef STRATA_LIB_SUPPORT_NODELOCATION_H
#define STRATA_LIB_SUPPORT_NODELOCATION_H

#include "mlir/IR/Location.h"
#include <string>

namespace strata {

/// The location of ONNX node `name` (may be empty: then "#index" names it).
mlir::Location makeNodeLocation(mlir::MLIRContext *context,
                                llvm::StringRef name, llvm::StringRef opType,
                                int64_t opset, size_t index);

/// "node 'conv1' (Conv, opset 17)" for a node location (looking through
/// fused and call-site locations); otherwise the location as MLIR prints it.
std::string describeLocation(mlir::Location location);

/// The ONNX nodes a location names, "conv1 (Conv) + relu1 (Relu)", each
/// once, in order, at most `most` (then "+ N more"); "" when it names none.
/// Profiles name dispatches with it.
std::string nodeNames(mlir::Location location, unsigned most = 4);

} // namespace strata

#endif // STRATA_LIB_SUPPORT_NODELOCATION_H
