//===- Registration.h - dialects and passes strata uses ---------*- C++ -*-===//
#ifndef STRATA_LIB_DRIVER_REGISTRATION_H
#define STRATA_LIB_DRIVER_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace strata {

/// Every dialect (ours and upstream) and external interface model
/// (bufferization, LLVM translation) that a strata pipeline touches.
void registerStrataDialects(mlir::DialectRegistry &registry);

/// Our passes and pipelines plus the upstream passes the pipelines name.
/// Idempotent.
void registerStrataPasses();

} // namespace strata

#endif // STRATA_LIB_DRIVER_REGISTRATION_H
