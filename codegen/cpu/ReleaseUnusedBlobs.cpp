//===- ReleaseUnusedBlobs.cpp - free weights nothing refers to ------------===//
//
// See Passes.td (strata-release-unused-blobs); the work is
// strata::releaseUnusedResourceBlobs (lib/support/ConstantData.h).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "lib/support/ConstantData.h"
#include "lib/support/ResourceBlobs.h"

namespace strata {
#define GEN_PASS_DEF_RELEASEUNUSEDBLOBS
#include "codegen/cpu/Passes.h.inc"
} // namespace strata

namespace {
struct ReleaseUnusedBlobsPass
    : strata::impl::ReleaseUnusedBlobsBase<ReleaseUnusedBlobsPass> {
  void runOnOperation() override {
    strata::releaseUnusedResourceBlobs(getOperation());
  }
};
} // namespace
