//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//
#ifndef STRATA_CODEGEN_CPU_PASSES
#define STRATA_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def StridedCopyToLinalg
    : Pass<"strata-strided-copy-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Rewrite memref.copy between non-contiguous buffers as "
                "linalg.copy";
  let description = [{
    Upstream's memref-to-LLVM lowering turns a `memref.copy` whose operands
    are not both contiguous into a call to `memrefCopy`, a function of MLIR's
    C runner utilities. Compiled models must depend on libc only, so such
    copies (from bufferized `tensor.pad` and `tensor.insert_slice`) become
    `linalg.copy`, which lowers to plain loops. Copies between contiguous
    buffers stay `memref.copy` (an `llvm.memcpy`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DistinctResults : Pass<"strata-distinct-results", "mlir::func::FuncOp"> {
  let summary = "Copy a tensor that a function returns more than once";
  let description = [{
    `buffer-results-to-out-params{hoist-static-allocs}` crashes (MLIR 22)
    when one allocation is returned twice, which happens when a model lists
    one tensor as two outputs or when CSE merges two equal outputs (e.g.
    Cast to i8 and to u8). Before bufferization, each repeated result (other
    than a function argument, which bufferizes to a copy anyway) becomes a
    `bufferization.alloc_tensor` copy of it.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

#endif // STRATA_CODEGEN_CPU_PASSES
