// strata-release-unused-blobs frees the data of blobs nothing refers to
// (test/unit/ResourceBlobsTest.cpp measures that) and keeps the data of
// those still referred to: the module prints unchanged, with its blob.
// RUN: strata-opt %s -strata-release-unused-blobs | FileCheck %s

// CHECK: arith.constant dense_resource<used> : tensor<2xf32>
// CHECK: dialect_resources
// CHECK-NEXT: builtin
// CHECK-NEXT: used: "0x040000000000803F00000040"
// CHECK-NOT: unused
func.func @f() -> tensor<2xf32> {
  %0 = arith.constant dense_resource<used> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      used: "0x040000000000803F00000040",
      unused: "0x04000000000040400000803F"
    }
  }
#-}
