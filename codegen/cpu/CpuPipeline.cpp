//===- CpuPipeline.cpp - linalg on tensors -> LLVM dialect ----------------===//
#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/Passes.h"

#include "llvm/Support/FormatVariadic.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace strata {

// Why each step:
//  - static 2-D convolutions and pooling run in NHWC, with the relayouts
//    between them propagated away (strata-channels-last); the weights in
//    the old layout are freed (strata-release-unused-blobs);
//  - 1x1 convolutions with unit strides become matrix products over all
//    pixels (strata-conv1x1-to-matmul);
//  - the constant B of f32 contractions is packed into n-tile wide column
//    panels, each one contiguous stream for the register blocks
//    (strata-pack-constant-rhs); int8 convolutions (strata-fold-qdq's)
//    become matrix products (strata-int8-conv-to-matmul) whose B is packed
//    for the target's dot-product instruction (strata-pack-int8-rhs) and
//    which become register-blocked kernels on buffers
//    (strata-lower-int8-contractions); the 4- and 8-bit weights of
//    weight-only quantized f32 products stay packed
//    (strata-pack-weight-only-rhs) and are dequantized in registers
//    (strata-lower-weight-only-contractions);
//  - large ops are split into a grid of workgroups along one parallel loop
//    (strata-form-dispatches), which after bufferization become dispatch
//    functions that the runtime's threads run (strata-outline-dispatches);
//    loops that cannot be outlined run in order (scf-forall-to-for);
//  - the remaining NCHW convolutions become im2col + a matrix product
//    (strata-conv-to-im2col), and f32 contractions and NHWC convolutions
//    are tiled into register blocks of FMAs
//    (strata-vectorize-contractions), whose accumulator
//    blocks leave the reduction loop (loop-invariant-subset-hoisting) and so
//    stay in registers;
//  - named ops become generics whose loops are reordered so that LLVM's
//    loop vectorizer finds a parallel, contiguous innermost loop
//    (strata-interchange-for-vectorization); f32 elementwise generics are
//    vectorized along their contiguous innermost loop here, as LLVM would
//    vectorize the wrong loop with gathers (strata-vectorize-elementwise);
//    reductions that stay innermost may be reordered
//    (strata-reassociate-reductions);
//  - elementwise fusion merges the broadcast/activation generics that the
//    graph lowering emits one per op, but not into reductions
//    (strata-fuse-elementwise);
//  - arguments and results without elements become tensor<0xT>, as the
//    bare-pointer convention cannot convert memrefs with a zero dimension
//    (strata-collapse-empty-boundary-tensors);
//  - a tensor returned twice is copied once (strata-distinct-results), as
//    buffer-results-to-out-params cannot hoist one allocation into two
//    out-parameters;
//  - function-boundary bufferization with identity layouts gives the entry
//    function plain dense buffers;
//  - results become out-parameters (static allocations hoisted into them, so
//    outputs are written in place; canonicalize first, so that a loop that
//    carried the result's buffer (a vectorized elementwise op) no longer
//    hides the allocation), which the bare-pointer calling
//    convention then turns into `void f(float *in..., float *out...)`;
//  - static intermediate buffers share one arena at planned offsets, which
//    the caller passes as the last argument and keeps between runs
//    (strata-plan-arena): nothing is allocated, and no fresh page faulted
//    in, on the run path;
//  - copies into padded or sliced buffers become loops, not calls into
//    MLIR's runtime library (strata-strided-copy-to-linalg);
//  - expand-strided-metadata runs before lower-affine: a subview at a
//    loop-dependent offset (scf.for loops of top-k, recurrent layers)
//    expands into affine.apply ops that must be lowered too;
//  - bf16 (and f16) math functions and bf16 arithmetic run in f32, and
//    bf16 <-> f32 conversions become integer bit operations: LLVM would
//    call __truncsfbf2 on CPUs without AVX512-BF16, which the libgcc of
//    Debian 12 (GCC 12) lacks, so the library would not load;
//  - f32 exp, log, erf, tanh (and a few more) become polynomials in vector
//    registers (strata-approximate-math), not a libm call per lane; other
//    math ops without an LLVM intrinsic call libm;
//  - fixed-size allocas that lowering left in loop bodies (vector transfer
//    buffers) move to the entry block, or the stack grows every iteration
//    (strata-hoist-static-allocas).
std::string cpuLoweringPipelineText(const CpuTargetDescription &target,
                                    CpuPipelineEnd end) {
  std::string block =
      llvm::formatv("strata-vectorize-contractions{{m-tile={0} n-tile={1} "
                    "k-block={2} m-block={3} vector-width={4}}",
                    target.blockRows, target.blockColumns, target.cacheBlockK,
                    target.cacheBlockM, target.f32Lanes())
          .str();
  std::string dispatches =
      llvm::formatv("strata-form-dispatches{{m-tile={0} n-tile={1}}",
                    target.blockRows, target.blockColumns)
          .str();
  std::string packRhs =
      llvm::formatv("strata-pack-constant-rhs{{n-tile={0}}",
                    target.blockColumns)
          .str();
  // The int8 kernel's passes, where the target has one.
  std::string packInt8, lowerInt8;
  if (!target.int8Kernel.empty()) {
    bool madd = target.int8Kernel == "madd";
    bool maddubs = target.int8Kernel == "maddubs";
    packInt8 = llvm::formatv("strata-pack-int8-rhs{{lanes={0} group={1} "
                             "wide={2} split-pairs={3}},",
                             target.int8Lanes, madd ? 2 : 4,
                             madd ? "true" : "false",
                             maddubs ? "true" : "false")
                   .str();
    lowerInt8 = llvm::formatv("strata-lower-int8-contractions{{kind={0} "
                              "lanes={1} rows={2} panels={3}},",
                              target.int8Kernel, target.int8Lanes,
                              target.int8Rows, target.int8Panels)
                    .str();
  }
  std::string packWeightOnly =
      llvm::formatv("strata-pack-weight-only-rhs{{lanes={0}},",
                    target.f32Lanes())
          .str();
  std::string lowerWeightOnly =
      llvm::formatv("strata-lower-weight-only-contractions{{lanes={0} "
                    "rows={1} panels={2} row-panels={3}},",
                    target.f32Lanes(), target.weightOnlyRows,
                    target.weightOnlyPanels, target.weightOnlyRowPanels)
          .str();
  std::string elementwise =
      llvm::formatv("strata-vectorize-elementwise{{vector-width={0}}",
                    target.f32Lanes())
          .str();
  return "builtin.module("
         "strata-collapse-empty-boundary-tensors,"
         "canonicalize,"
         "strata-channels-last,"
         "canonicalize,strata-release-unused-blobs,"
         "func.func(strata-conv1x1-to-matmul,strata-int8-conv-to-matmul)," +
         // Before elementwise fusion, which rebuilds (and so unmarks) a
         // dequantization whose zero point is a splat.
         packWeightOnly +
         "func.func(strata-fuse-elementwise),"
         "cse,canonicalize," + packInt8 + packRhs + ","
         "func.func(" + dispatches + ",strata-conv-to-im2col," +
         block +
         ","
         "canonicalize,loop-invariant-subset-hoisting,canonicalize,"
         "linalg-generalize-named-ops,"
         "strata-interchange-for-vectorization," + elementwise +
         ",strata-reassociate-reductions),"
         "func.func(strata-distinct-results),"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "canonicalize,"
         "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
         "cse,canonicalize,"
         "strata-plan-arena,"
         "strata-outline-dispatches,"
         "strata-group-dispatches" +
         std::string(end == CpuPipelineEnd::Schedule ? ")" : ",") +
         (end == CpuPipelineEnd::Schedule ? "" :
         "scf-forall-to-for,"
         "buffer-deallocation-pipeline,"
         "func.func(" + lowerInt8 + lowerWeightOnly +
         "strata-strided-copy-to-linalg,convert-linalg-to-loops),"
         "convert-vector-to-scf,"
         "expand-strided-metadata,"
         "lower-affine,"
         "convert-scf-to-cf,"
         "canonicalize,cse,"
         "math-extend-to-supported-types{target-type=f32},"
         "strata-approximate-math,"
         "arith-emulate-unsupported-floats{source-types=bf16 target-type=f32},"
         "arith-expand{include-bf16},"
         "convert-vector-to-llvm,"
         "convert-math-to-llvm,"
         "convert-math-to-libm,"
         "finalize-memref-to-llvm,"
         "convert-arith-to-llvm,"
         "convert-cf-to-llvm,"
         "convert-index-to-llvm,"
         "convert-ub-to-llvm,"
         "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
         "reconcile-unrealized-casts,"
         "llvm.func(strata-hoist-static-allocas))");
}

LogicalResult buildCpuLoweringPipeline(OpPassManager &pm,
                                       const CpuTargetDescription &target,
                                       CpuPipelineEnd end) {
  // The text starts with the anchor `builtin.module(`; parse its body into
  // the given module-level manager.
  std::string text = cpuLoweringPipelineText(target, end);
  StringRef body =
      StringRef(text).drop_front(strlen("builtin.module(")).drop_back();
  return parsePassPipeline(body, pm);
}

void registerCpuPipelines() {
  registerStrataCpuPasses();
  PassPipelineRegistration<>(
      "strata-cpu-lower-to-llvm",
      "Lower linalg-on-tensors to the LLVM dialect for CPUs (fusion, "
      "bufferization, out-parameters, loops, LLVM)",
      [](OpPassManager &pm) {
        // The default description: 8 x 32 blocks (strata-compile picks
        // the target's own).
        if (failed(buildCpuLoweringPipeline(pm, CpuTargetDescription())))
          llvm::errs() << "strata: invalid built-in CPU pipeline\n";
      });
}

} // namespace strata
