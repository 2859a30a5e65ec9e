//===- strata-opt.cpp - run strata and upstream passes on MLIR ------------===//
//
// mlir-opt with the graph dialect and strata's passes and pipelines
// registered: the tool the lit tests drive each pass with.
//
//===----------------------------------------------------------------------===//
#include "lib/driver/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  strata::registerStrataPasses();
  mlir::DialectRegistry registry;
  strata::registerStrataDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "strata optimizer driver: graph dialect and passes\n",
      registry));
}
