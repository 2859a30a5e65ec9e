//===- ResourceBlobsTest.cpp - freeing unreferenced weights ---------------===//
//
// lib/support/ResourceBlobs.h: blobs no attribute refers to lose their
// data; referenced ones keep it, also while rewrites erase some of their
// users.
//
//===----------------------------------------------------------------------===//
#include "lib/support/ResourceBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

// Three 16-byte blobs: `a` used twice, `b` once, `dead` not at all.
const char *kModule = R"mlir(
func.func @f() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %a = arith.constant dense_resource<a> : tensor<4xf32>
  %a2 = arith.constant dense_resource<a> : tensor<4xf32>
  %b = arith.constant dense_resource<b> : tensor<4xf32>
  return %a, %a2, %b : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      a: "0x040000000000803F000000400000404000008040",
      b: "0x04000000000080BF000000C0000040C0000080C0",
      dead: "0x040000000000A0400000C0400000E04000000041"
    }
  }
#-}
)mlir";

class ResourceBlobsTest : public ::testing::Test {
protected:
  void SetUp() override {
    context.loadDialect<arith::ArithDialect, func::FuncDialect>();
    module = parseSourceString<ModuleOp>(kModule, &context);
    ASSERT_TRUE(module);
  }

  /// Bytes of blob `name` (0 once released).
  size_t blobBytes(StringRef name) {
    auto *entry = DenseResourceElementsHandle::getManagerInterface(&context)
                      .getBlobManager()
                      .lookup(name);
    return entry && entry->getBlob() ? entry->getBlob()->getData().size() : 0;
  }

  SmallVector<arith::ConstantOp> constants() {
    SmallVector<arith::ConstantOp> ops;
    module->walk([&](arith::ConstantOp op) { ops.push_back(op); });
    return ops;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(ResourceBlobsTest, ReleasesOnlyUnreferencedBlobs) {
  ASSERT_EQ(blobBytes("a"), 16u);
  ASSERT_EQ(blobBytes("dead"), 16u);
  EXPECT_EQ(strata::releaseUnusedResourceBlobs(*module), 16u);
  EXPECT_EQ(blobBytes("dead"), 0u);
  EXPECT_EQ(blobBytes("a"), 16u);
  EXPECT_EQ(blobBytes("b"), 16u);
  // Nothing more to free.
  EXPECT_EQ(strata::releaseUnusedResourceBlobs(*module), 0u);
}

TEST_F(ResourceBlobsTest, ListenerFreesWithTheLastUser) {
  strata::ResourceBlobReleaser releaser(*module);
  IRRewriter rewriter(&context, &releaser);
  SmallVector<arith::ConstantOp> ops = constants();
  ASSERT_EQ(ops.size(), 3u);
  auto func = *module->getOps<func::FuncOp>().begin();
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());

  // A new user of `b` keeps it alive when the old one goes.
  rewriter.setInsertionPoint(ret);
  auto copy = arith::ConstantOp::create(rewriter, ops[2].getLoc(),
                                        ops[2].getValue());
  rewriter.replaceOp(ops[2], copy.getResult());
  EXPECT_EQ(blobBytes("b"), 16u);

  // `a` goes with its second user only.
  Value zero = copy.getResult();
  rewriter.modifyOpInPlace(ret, [&] { ret->setOperand(0, zero); });
  rewriter.eraseOp(ops[0]);
  EXPECT_EQ(blobBytes("a"), 16u);
  rewriter.modifyOpInPlace(ret, [&] { ret->setOperand(1, zero); });
  rewriter.eraseOp(ops[1]);
  EXPECT_EQ(blobBytes("a"), 0u);
  EXPECT_EQ(releaser.released(), 16u);

  rewriter.modifyOpInPlace(ret, [&] { ret->setOperand(2, ret->getOperand(0)); });
  EXPECT_EQ(blobBytes("b"), 16u);
}

} // namespace
