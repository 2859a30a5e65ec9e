//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//
#ifndef STRATA_CODEGEN_CPU_PASSES
#define STRATA_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def ChannelsLast : Pass<"strata-channels-last", "mlir::ModuleOp"> {
  let summary = "Compute 2-D convolutions and pooling in NHWC, with the "
                "relayouts propagated away between them";
  let description = [{
    Every static `linalg.conv_2d_nchw_fchw`, `linalg.depthwise_conv_2d_nchw_chw`
    and `linalg.pooling_nchw_{max,sum}` becomes its NHWC form
    (`conv_2d_nhwc_hwcf`, `depthwise_conv_2d_nhwc_hwc`, `pooling_nhwc_*`)
    between a relayout of its input and init (NCHW -> NHWC) and of its
    result (back to NCHW). Constant filters are transposed at compile time
    (FCHW -> HWCF, CHW -> HWC). The relayouts are transpose-only
    `linalg.pack` / `linalg.unpack` ops, which upstream's data-layout
    propagation (`populateDataLayoutPropagationPatterns`) moves through
    elementwise `linalg.generic` ops and `tensor.pad`; a pack that meets the
    unpack of the same permutation folds away. The relayouts that remain
    (at the model's inputs and outputs, before ops that are not elementwise)
    become `linalg.transpose`.

    Why: the register blocks of `strata-vectorize-contractions` put vectors
    along the output channels, which are multiples of the vector width in
    real networks; the spatial width often is not (7, 14, 28, 56).

    An f32 HWCF filter of a window larger than 1x1 whose rows (F output
    channels) are a multiple of 512 bytes apart is stored with 16 more
    channels per row and read through a `tensor.extract_slice`: a register
    block reads one row per (kh, kw, c) step, and at a 2 KB stride all of
    its rows fell into 2 of L1's 64 sets (ResNet-50's 3x3 convolutions at
    7x7 ran at 42 % of the FMA peak, 58 % padded; those at 14x14 went from
    76 to 85 %).

    The data of a filter in the old layout is freed as soon as nothing
    refers to it (strata::ResourceBlobReleaser): the pass holds about one
    copy of the weights, not two. It is a module pass because it counts
    those references over the whole module.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ApproximateMath : Pass<"strata-approximate-math"> {
  let summary = "Compute f32 exp, expm1, log, log1p, log2, erf and tanh with "
                "upstream's polynomial approximations";
  let description = [{
    Applies `populateMathPolynomialApproximationPatterns` to those seven
    functions on f32 scalars and vectors. LLVM lowers a vector `llvm.exp`
    (and erf, which has no intrinsic, through libm) to one scalar libm call
    per lane; the approximations stay in vector registers, so softmax, GELU,
    sigmoid and tanh vectorize. They handle infinities, NaN and overflow;
    their error is within a few ulp, far inside the rtol 1e-4 that outputs
    are compared at. f16 and bf16 math has been widened to f32 before
    (`math-extend-to-supported-types`).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

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

def CollapseEmptyBoundaryTensors
    : Pass<"strata-collapse-empty-boundary-tensors", "mlir::ModuleOp"> {
  let summary = "Give function arguments and results without elements the "
                "type tensor<0xT>";
  let description = [{
    The bare-pointer calling convention cannot convert a function whose
    memref types have a zero dimension (memref<2x0x4xf32>, MLIR 22), and the
    model's translation to LLVM IR then fails. Such a tensor holds no data:
    an argument becomes tensor<0xT> and its readers get a `tensor.empty` of
    the original type; a result is returned as an empty tensor<0xT>. Callers
    pass a pointer either way. Functions without a body are left alone.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
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

def InterchangeForVectorization
    : Pass<"strata-interchange-for-vectorization", "mlir::func::FuncOp"> {
  let summary = "Reorder the loops of reducing linalg.generic ops so that "
                "the innermost loop is parallel and walks contiguous memory";
  let description = [{
    For the contractions that strata-vectorize-contractions leaves as loops
    (non-f32, non-static, or not recognized as contractions), LLVM's loop
    vectorizer does the vectorizing, and it cannot vectorize a floating-point
    reduction loop
    (that would reassociate the sum). A generic contraction or convolution
    has its reduction loops innermost (`C[i,j] += A[i,k] * B[k,j]` iterates
    k last). This pass moves the parallel loop that indexes the output's
    innermost dimension to the innermost position, after the reductions
    (`i, k, j`), when that loop also indexes the innermost dimension of an
    input, so that the new inner loop reads and writes consecutive elements.
    Ops that do not fit the rule (all-parallel ops, reductions along the
    fastest dimension such as a row sum) are left alone.

    Runs on tensors, after `linalg-generalize-named-ops`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def VectorizeElementwise
    : Pass<"strata-vectorize-elementwise", "mlir::func::FuncOp"> {
  let summary = "Tile the innermost loop of f32 elementwise generics into "
                "whole vectors and vectorize them";
  let description = [{
    An all-parallel `linalg.generic` on f32 tensors (one result, static
    loops, arith and math ops only) whose innermost loop walks the last
    dimension of its output and of every input that uses it (inputs may
    broadcast along it: a bias over channels) and has a multiple of
    `vector-width` iterations is tiled with `scf::tileUsingSCF`: the
    innermost loop into pieces of up to `unroll` vectors, every other loop
    by 1. `linalg::vectorize` turns each piece into contiguous vector
    reads, arithmetic and a write. Transposes (an input's last dimension
    is another loop) and other ops are left to LLVM.

    Why: left to LLVM's loop vectorizer, a 32-channel NHWC bias add had its
    channel loop fully unrolled and the loop over pixels vectorized instead,
    with a gather per load (216 us for 400K elements on Zen 5, 4x a plain
    vector loop).
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes of a vector register">,
    Option<"unroll", "unroll", "int64_t", "4",
           "Most vectors per piece of the innermost loop">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def ReassociateReductions
    : Pass<"strata-reassociate-reductions", "mlir::func::FuncOp"> {
  let summary = "Mark the float arithmetic of reducing linalg ops "
                "reassociable (fastmath<reassoc,contract>)";
  let description = [{
    A reduction loop over floats (a dot product, a row sum) can only be
    vectorized, split across lanes, and use FMA if its additions may be
    reordered. This pass sets `fastmath<reassoc,contract>` on the
    floating-point `arith` ops inside every `linalg.generic` that has a
    reduction loop, and on nothing else: elementwise code keeps IEEE
    semantics. The summation order changes, so results differ from a
    sequential sum by rounding only (the tests compare with onnxruntime,
    which also sums in vector lanes, at rtol 1e-4).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def ConvToIm2Col : Pass<"strata-conv-to-im2col", "mlir::func::FuncOp"> {
  let summary = "Rewrite 2-D NCHW convolutions as im2col + matrix product";
  let description = [{
    Applies upstream's im2col rewrite (`linalg::rewriteInIm2Col`) to the
    `linalg.conv_2d_nchw_fchw` ops that strata-channels-last left in NCHW
    (those with dynamic shapes): the input is unfolded into a
    `(C*KH*KW) x (OH*OW)` matrix and the convolution becomes
    `(F) x (C*KH*KW)` times that matrix, whose innermost loop walks OH*OW
    contiguously once strata-interchange-for-vectorization has run. This
    trades memory traffic (the unfolded copy) for a vectorizable kernel.
    NHWC convolutions are left alone: strata-vectorize-contractions tiles
    them directly.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def VectorizeContractions
    : Pass<"strata-vectorize-contractions", "mlir::func::FuncOp"> {
  let summary = "Tile f32 contractions into register blocks and vectorize "
                "them into outer products";
  let description = [{
    Every static-shaped f32 linalg contraction (matmul, batch matmul, the
    im2col convolution, generic contractions) is tiled with upstream's
    `scf::tileUsingSCF` into blocks of `m-tile x n-tile` outputs with the
    reduction tiled by 1, each block is vectorized (`linalg::vectorize`),
    and the resulting `vector.contract` is lowered to outer products, i.e.
    FMAs of a broadcast A element with a vector of B. Upstream's
    `loop-invariant-subset-hoisting`, run next in the pipeline, then carries
    the output block through the reduction loop as a vector value, i.e. in
    registers.

    Static f32 NHWC convolutions (`conv_2d_nhwc_hwcf`,
    `depthwise_conv_2d_nhwc_hwc`, from strata-channels-last) are tiled the
    same way with M = output columns and N = output channels, one output row
    and window position at a time; upstream's size-one-window decomposition
    turns each block into a 1-D convolution, which `linalg::vectorize`
    turns into outer products (FMAs of a broadcast input element with a
    vector of filter values) for convolutions and into vector FMAs over the
    channels for depthwise ones.

    Before that, a contraction whose K extent exceeds `k-block` (or M
    `m-block`) is tiled into cache blocks: K chunks outside M chunks (the
    GotoBLAS order), so that the rows of A in a chunk stay in L2 while each
    register block's K x n-tile panel of B stays in L1. Inside, column
    blocks run outside row blocks, so a panel is reused by every row block.

    Blocks are never partial (no masks). The N loop is first split after
    its last whole `n-tile` block (`linalg::splitOp`: 40 channels with
    16-wide blocks run as 32 + 8); a part of at most `n-tile` is split
    again until each is a multiple of `vector-width` or a power of two
    below it (24 channels with 16 lanes run as 16 + 8: LLVM scalarizes a
    <24 x float> accumulator, with spills on every iteration, which made
    MobileNetV2's 24-channel 1x1 convs 20x slower). The M loop is split too unless it has a
    divisor of at least `m-tile` - 1 (1024 rows with 6-row blocks run as
    1020 + 4; 28 columns with 8-row blocks as 4 blocks of 7); each part is
    then tiled by the largest divisor of its M extent up to `m-tile` and of
    its N extent up to `n-tile`.
    strata-compile sets all four options from the target
    (codegen/cpu/TargetDescription: 8 x 32 on AVX-512, 6 x 16 on AVX2).
  }];
  let options = [
    Option<"mTile", "m-tile", "int64_t", "8",
           "Largest tile of the M (rows) dimension">,
    Option<"nTile", "n-tile", "int64_t", "32",
           "Largest tile of the N (columns) dimension, in elements">,
    Option<"kBlock", "k-block", "int64_t", "512",
           "Largest cache block of a contraction's K (reduction) dimension">,
    Option<"mBlock", "m-block", "int64_t", "64",
           "Largest cache block of a contraction's M (rows) dimension">,
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "f32 lanes of a vector register: N parts are multiples of it "
           "or powers of two below it">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def FuseElementwise : Pass<"strata-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise producers into consumers, except into "
                "reductions";
  let description = [{
    Upstream's elementwise fusion patterns with one restriction that its
    `linalg-fuse-elementwise-ops` pass cannot express: an elementwise
    producer is not fused into a consumer with reduction loops. Fused into a
    matmul, `relu(x + bias)` would be recomputed for every output column and
    the matmul would stop being a contraction that
    strata-vectorize-contractions can tile; kept apart, it runs once per
    element and the matmul stays fast. Chains of elementwise ops and
    reductions fed by nothing elementwise fuse as usual.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def HoistStaticAllocas
    : Pass<"strata-hoist-static-allocas", "mlir::LLVM::LLVMFuncOp"> {
  let summary = "Move fixed-size llvm.alloca ops into the function's entry "
                "block; reject run-time-sized ones elsewhere";
  let description = [{
    An `llvm.alloca` outside the entry block allocates anew each time its
    block runs, and LLVM only releases it when the function returns (there
    is no stacksave / stackrestore around it). Lowering leaves such allocas
    inside loop bodies: `convert-vector-to-scf` puts the buffers of 2-D
    vector transfers inside the loop that holds the transfer, and
    memref-to-LLVM puts the descriptors of library calls at the call site.
    In a convolution's tile loop they grew the stack by kilobytes per
    iteration until real CNNs died with SIGSEGV on an 8 MB stack.

    Each use of such a buffer is confined to one iteration, so one buffer
    for the whole function serves every iteration: this pass moves every
    alloca whose element count is a constant to the start of the entry
    block (where LLVM's SROA can also promote it to registers). An alloca
    of run-time size outside the entry block cannot be moved, nor can one
    whose pointer is passed to another block (iterations would then share
    it): both are errors, so that no compiled model can grow its stack in
    a loop.
    Neither MLIR nor LLVM has a pass that does this (LLVM's inliner only
    moves the static allocas of an inlined callee's entry block).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def PlanArena : Pass<"strata-plan-arena", "mlir::ModuleOp"> {
  let summary = "Place every static top-level buffer of a public function "
                "at a planned offset of one arena argument";
  let description = [{
    Runs on bufferized code, before deallocations are inserted. In each
    public function, every `memref.alloc` of the body's top-level block with
    a static shape, an identity layout and an integer, float or index
    element type gets a live range: from the first to the last top-level op
    that uses it or an alias of it (views, and the results of any op or
    region that takes it). Buffers whose ranges do not overlap share bytes;
    offsets are assigned largest buffer first, each at the lowest 64-byte
    aligned offset that clears the buffers placed before it and live at the
    same time. The function gets a trailing `memref<Nxi8>` argument, the
    arena (N bytes, 64-byte aligned by the caller), and each alloc becomes a
    `memref.view` into it. Buffers passed to a call or returned live to the
    end of the function. Allocations of run-time size, or inside loops and
    branches, stay heap allocations.

    The module gets `strata.arena_bytes` (N) and `strata.arena_lower_bound`
    (the largest total of the planned buffers live at one op), the largest
    over its public functions, and `strata.arena_per_entry`, each public
    function's own [N, bound], so that the driver can report both and write
    N into the model's descriptor.

    Why: a model that allocates its intermediates per run takes a page fault
    for every fresh page of every large buffer (glibc returns big blocks to
    the OS on free). With an arena that the runtime keeps between runs,
    nothing is allocated on the run path, and one arena serves every buffer
    whose lifetime ends before the next one starts. Upstream has no such
    planner: its buffer passes hoist and free allocations, they do not pack
    them.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def FormDispatches : Pass<"strata-form-dispatches", "mlir::func::FuncOp"> {
  let summary = "Split each large top-level linalg op on tensors into an "
                "scf.forall of workgroups";
  let description = [{
    A dispatch is a function over a grid of workgroups that the runtime
    runs on its threads (../shared/DESIGN.md, "Dispatch = workgroup grid").
    This pass forms the grids: every top-level linalg op on tensors with
    static loops and at least `min-iterations` iterations (all loops
    counted) is tiled with upstream's `scf::tileUsingSCF` (forall loops)
    along one parallel loop into at most `workgroups` equal pieces of at
    least `min-workgroup-iterations` iterations each. Pieces
    are equal so that no workgroup has a dynamic shape (the register blocks
    downstream need static ones), and a multiple of the register block
    (`m-tile` rows, `n-tile` columns) along M and N.

    The loop: a contraction's batch loop if it has one; else N when M <= N
    (each workgroup then reads A whole and its own columns of B) and M
    otherwise; for an NHWC convolution the output rows, or the output
    channels when the filter is larger than the input; for other ops the
    outermost parallel loop that splits evenly. An op that splits along no
    candidate stays whole, and runs on one thread.

    A static `tensor.pad` with a constant value becomes a fill of the
    padded tensor and a copy of its source into the interior, both split
    like any op; when the source is an elementwise `linalg.generic` that
    only the pad reads, that generic writes into the interior itself and
    there is no copy. A fill whose one use is another linalg op's output
    is tiled with that op.

    `strata-outline-dispatches` turns the loops into dispatch functions
    after bufferization.
  }];
  let options = [
    Option<"workgroups", "workgroups", "int64_t", "16",
           "Most workgroups per dispatch">,
    Option<"minIterations", "min-iterations", "int64_t", "65536",
           "Fewest loop iterations (all loops) that make an op a dispatch">,
    Option<"minWorkgroupIterations", "min-workgroup-iterations", "int64_t",
           "32768",
           "Fewest loop iterations per workgroup: smaller pieces cost more "
           "to hand out than they save">,
    Option<"mTile", "m-tile", "int64_t", "8",
           "Register block rows: pieces of M are multiples of it">,
    Option<"nTile", "n-tile", "int64_t", "32",
           "Register block columns: pieces of N are multiples of it">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def OutlineDispatches : Pass<"strata-outline-dispatches", "mlir::ModuleOp"> {
  let summary = "Outline each outermost scf.forall on buffers into a "
                "dispatch function launched through the runtime";
  let description = [{
    Runs after bufferization and strata-plan-arena. Every public function
    gets a trailing `!llvm.ptr` argument, the runtime's executor (null to
    run every workgroup on the calling thread). Every outermost
    `scf.forall` with static bounds becomes:
      - a private function `strata.dispatch.<f>.<k>(%workgroup: index,
        captures...)` holding the loop body, with the induction variables
        computed from the workgroup number (row-major over the grid);
      - a call of the declaration `strata.launch.<f>.<k>(%executor,
        %grid, captures...)` in its place.
    Captures are the values the body uses from outside that can cross a
    bare-pointer call: scalars and memrefs of static shape and identity
    layout (inputs, outputs, the arena). Constants and side-effect-free ops
    (views, subviews, reshapes, `memref.get_global`) whose operands are
    captured or cloned are cloned into the body instead. A loop whose body
    needs anything else stays, and `scf-forall-to-for` runs it in order.

    After translation to LLVM IR, `addDispatchAbi` (codegen/cpu) defines
    each launch: it stores the captures into an array of 8-byte slots and
    calls the executor's `dispatch` with a workgroup trampoline
    (`strata_workgroup_fn` in model_abi.h) that loads them back and calls
    the body.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def GroupDispatches : Pass<"strata-group-dispatches", "mlir::ModuleOp"> {
  let summary = "Launch consecutive independent dispatches as one group";
  let description = [{
    Runs after strata-outline-dispatches. In each public function, a run of
    consecutive `strata.launch.*` calls (with only side-effect-free ops,
    such as views and constants, between them) in which no dispatch writes
    memory that another one of the run reads or writes becomes one call of
    the declaration `strata.group.<f>.<k1>.<k2>...(%executor, %grid1,
    captures1..., %grid2, captures2...)` at the last member's place, up to
    `max-members` launches per group.

    A dispatch writes a capture when its body has a write effect on it or
    on a view of it (or a use no interface explains). Captures are told
    apart by origin: a static `memref.view` of the arena covers its bytes,
    a `memref.get_global` its global; every other buffer of the caller
    (inputs, outputs, views of them) counts as one region, since a caller
    may pass overlapping buffers.

    After translation, `addDispatchAbi` defines each group: it hands the
    executor's `dispatch_group` (model ABI 7) every member's workgroup
    function, slots and grid, so that the runtime's threads share the
    members' workgroups without a barrier between them; an executor
    without the callback runs the members one after another.

    Why: a barrier after each dispatch leaves threads idle while the last
    workgroups of a dispatch finish, and a dispatch with fewer workgroups
    than threads leaves some idle throughout (the shortcut and the first
    convolution of a ResNet block, the Q, K and V projections of an
    attention layer).
  }];
  let options = [
    Option<"maxMembers", "max-members", "int64_t", "8",
           "The most dispatches in one group">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def PackWeights : Pass<"strata-pack-weights", "mlir::ModuleOp"> {
  let summary = "Move large constant globals of the LLVM dialect into one "
                "weights pack, addressed as a symbol or a runtime pointer";
  let description = [{
    Runs on the LLVM dialect, before translation. Every constant
    `llvm.mlir.global` holding at least `min-bytes` bytes of elements (the
    model's weights) is removed, and its data laid out in one pack at an
    offset aligned to the global's alignment (at least 64). Each
    `llvm.mlir.addressof` of it becomes a `getelementptr` at that offset
    from the pack's base:
      - embedded weights (`external=false`): the base is the declared,
        hidden symbol `symbol`, which strata-compile defines in an object
        file of its own, written straight from the pack;
      - external weights (`external=true`): the base is loaded from the
        private pointer global `symbol`, which the runtime sets to the
        memory-mapped side file before the first run.
    Globals of equal content share one offset (a model compiled with a
    batch-chunk program has each weight in both programs). The pack is
    recorded on the module for the writer: `strata.weights` =
    {bytes, segments = [[offset, elements], ...]}.

    Weights then never become LLVM constants: translation, optimization and
    code generation do not copy them, and the object is small.
  }];
  let options = [
    Option<"symbol", "symbol", "std::string", "\"strata_weights\"",
           "The pack's symbol (embedded) or base pointer global (external)">,
    Option<"external", "external", "bool", "false",
           "Address the pack through a pointer the runtime sets">,
    Option<"minBytes", "min-bytes", "int64_t", "1024",
           "Smallest constant moved into the pack">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def ReleaseUnusedBlobs : Pass<"strata-release-unused-blobs", "mlir::ModuleOp"> {
  let summary = "Free the data of dense_resource blobs nothing refers to";
  let description = [{
    MLIR keeps a `dense_resource` blob for as long as its context lives,
    even when no attribute refers to it any more. Passes that rewrite
    weights (BatchNorm folding, the channels-last relayout) leave the old
    version behind, so that a compile would hold the weights several times.
    This pass frees the data of every blob of the context that no attribute
    under the module refers to. It assumes the context holds this module
    alone, which is how strata-compile and strata-opt use it.
  }];
}

def PackConstantRhs : Pass<"strata-pack-constant-rhs", "mlir::ModuleOp"> {
  let summary = "Pack the constant B of f32 contractions into column panels";
  let description = [{
    A static f32 contraction (matmul, or a generic such as a batched
    activation times a weight matrix) whose B operand is a constant K x N
    matrix read at (k, n), with N a multiple of `n-tile` and larger than it,
    is rewritten to read B packed at compile time as
    [N / n-tile][K][n-tile]: its n loop becomes (n1, n0), B is read at
    (n1, k, n0), and the output is expanded to (..., N / n-tile, n-tile)
    and collapsed back after.

    Why: strata-vectorize-contractions' register blocks read an n-tile row
    of B per k step. In row-major B those rows are N * 4 bytes apart,
    often a multiple of 4 KB (N = 1024, 3072), so a block's whole K x n-tile
    panel maps to one or two L1 sets and is evicted while it is reused.
    Packed, each panel is one contiguous stream (the probe in TOOLCHAIN.md:
    71 % of peak unpacked, 92 % packed).

    The old constant is freed once no contraction reads it; one packed copy
    serves every contraction that reads the same constant.
  }];
  let options = [
    Option<"nTile", "n-tile", "int64_t", "32",
           "Register block columns (the panel width), in elements">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def Conv1x1ToMatmul : Pass<"strata-conv1x1-to-matmul", "mlir::func::FuncOp"> {
  let summary = "Run static f32 1x1 NHWC convolutions with unit strides as "
                "matrix products";
  let description = [{
    A `linalg.conv_2d_nhwc_hwcf` with a 1 x 1 window and unit strides is a
    matrix product of the input's pixels (N*H*W x C) and the filter (C x F):
    it becomes a `linalg.matmul` between `tensor.collapse_shape`s of input
    and output, and a constant filter becomes a C x F constant of the same
    data.

    Why: as a matrix product, the register blocks run over all N*H*W rows
    (the convolution's blocks stop at each image row: 7, 14 and 28 columns
    fill 8-row blocks badly), the cache blocks apply, and
    strata-pack-constant-rhs packs the filter into column panels. Pointwise
    convolutions carry most of the FLOPs of ResNet's bottlenecks and of
    MobileNetV2.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def Int8ConvToMatmul
    : Pass<"strata-int8-conv-to-matmul", "mlir::func::FuncOp"> {
  let summary = "Run i8 NHWC convolutions as im2col and a matrix product";
  let description = [{
    A static `linalg.conv_2d_nhwc_hwcf` with i8 input and filter and an
    i32 result (strata-fold-qdq's integer convolutions) that
    strata-conv1x1-to-matmul left (windows larger than 1x1, strides)
    becomes an im2col copy and a `linalg.matmul`: a `linalg.generic`
    gathers the windows into an (N, OH, OW, KH, KW, C) i8 tensor (its
    innermost loop copies C contiguous bytes), which collapses to
    (N*OH*OW) x (KH*KW*C) and is multiplied with the filter collapsed to
    (KH*KW*C) x F; strata-pack-int8-rhs then packs that.

    Upstream's `linalg::rewriteInIm2Col` builds the flattened
    (N, OH*OW, KH*KW*C) tensor directly, indexing it with divisions and
    remainders: its copy ran as a scalar loop per byte, 6x the time of the
    product it feeds (ResNet-50's 3x3 at 56x56: 1.45 ms against 0.23 ms).

    Why: the int8 kernel is a matrix product (strata-lower-int8-
    contractions). The im2col copy is one byte per element, a quarter of
    what it would be in f32.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def PackInt8Rhs : Pass<"strata-pack-int8-rhs", "mlir::ModuleOp"> {
  let summary = "Pack the constant B of int8 products into dot-product "
                "panels";
  let description = [{
    A static i8 x i8 -> i32 contraction (a `linalg.matmul`, a batched
    generic, the product of an im2col) whose B is a constant K x N matrix
    read at (k, n), whose A is read at (batch..., m, k) and whose
    accumulator is a zero fill becomes a `linalg.generic` over
    (m, n1, n0, k1, k0) marked `strata.int8_panels`, reading
    B packed at compile time as [ceil(N / lanes)][ceil(K / group)][lanes]
    [group] (zeros past K and N; i16 with `wide`) and A as rows x K
    (the batch dims collapsed into M, padded with zero columns to whole
    groups). The result is rows x panels x lanes, cut back to N columns
    and expanded to the op's shape.

    Products with i8 operands come from strata-fold-qdq only, whose
    integer ops are signed x signed; the packed generic's body says so.
    strata-lower-int8-contractions turns the marked generics into the
    register-blocked kernel after bufferization.

    With `split-pairs`, a pair of adjacent k of a column whose weights
    have one sign and sum past 128 in magnitude is halved; the halves go
    into a residual, read as three more inputs over a sixth loop r: per
    panel, [R][lanes][group] i8 vectors of the k groups that hold any
    halves, their group numbers ([N1][R] i32) and how many there are
    ([N1] i32). vpmaddubsw sums two u8 x s8 products in a saturating i16:
    with each pair within +-128, 255 * 128 fits and the product is exact.
    A B with residual entries in more than `max-residual` of its vectors
    (weights spread evenly over the whole int8 range, say) is packed for
    vpmaddwd instead, as with `wide` and group 2, which
    strata-lower-int8-contractions runs with its madd kernel.

    Why: the dot-product instructions (vpdpbusd, vpmaddubsw, vpmaddwd)
    read `group` adjacent k of `lanes` columns of B as one vector; packed,
    each k step of a panel is one aligned load.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "i32 lanes of the accumulator vectors (columns per panel)">,
    Option<"group", "group", "int64_t", "4",
           "Adjacent k per lane and instruction (4: vpdpbusd, 2: vpmaddwd)">,
    Option<"wide", "wide", "bool", "false",
           "Store B as i16 (vpmaddwd multiplies words)">,
    Option<"splitPairs", "split-pairs", "bool", "false",
           "Halve the pairs of adjacent k whose u8 x s8 products could "
           "leave i16 into a residual (vpmaddubsw)">,
    Option<"maxResidual", "max-residual", "double", "0.5",
           "With split-pairs: the largest share of (panel, k group) "
           "vectors with a residual entry; a B above it is packed for "
           "vpmaddwd (words, groups of 2)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def PackWeightOnlyRhs : Pass<"strata-pack-weight-only-rhs", "mlir::ModuleOp"> {
  let summary = "Pack the constant 4- and 8-bit weights of weight-only "
                "quantized f32 products into panels";
  let description = [{
    A static f32 contraction whose B (read at (k, n) or (n, k), possibly
    through a linalg.transpose) is a dequantization of a constant integer
    weight of 4 or 8 bits (a generic marked `strata.dequantize`, with a
    constant f32 scale and an optional constant zero point, per tensor, per
    column or in blocks along K), whose A is read at (rows..., k) and whose
    accumulator is a zero fill, becomes a `linalg.generic` over
    (m, panel, lane, block, step, nibble) marked `strata.weight_panels`.
    It reads:
      * A as rows x K, padded with zero columns to whole blocks;
      * the weight's unsigned codes (value less the type's minimum) packed
        at compile time as [panels][blocks][block / per][lanes] bytes, two
        codes per byte (low nibble first) for 4 bits;
      * per panel, block and lane the scale S (f32) and the zero point
        less the minimum Z (a byte),
    and computes C += A * (code * S - Z * S). The result is rows x panels x
    lanes, cut back to N columns. The dequantization and its transpose are
    erased when nothing else reads them.

    Why: MatMulNBits (onnxruntime's weight-only int4) and blocked int4
    DequantizeLinear -> MatMul would otherwise rebuild the f32 weight every
    run and multiply with it: 8x the weight bytes of int4 read and written
    per run, on products of one row (a decoding step) that are bound by
    those bytes. strata-lower-weight-only-contractions dequantizes the
    packed codes in registers instead.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes of the kernel's vectors (columns per panel)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowerWeightOnlyContractions
    : Pass<"strata-lower-weight-only-contractions", "mlir::func::FuncOp"> {
  let summary = "Register-blocked f32 products that dequantize 4- and 8-bit "
                "weights in registers";
  let description = [{
    Every `linalg.generic` marked `strata.weight_panels` (on buffers,
    static) becomes loops over blocks of `rows` rows x `panels` panels whose
    f32 accumulators stay in vector registers over K. Per step each panel's
    `lanes` bytes are loaded, widened, split into nibbles (4 bits),
    converted and dequantized with one FMA against the block's scale and
    offset (-Z * S, once per block), then multiplied into every row's
    accumulators. A product of one row (a decoding step) takes
    `row-panels` per block and factors each block's scale out
    (C += S * sum A * code - Z * S * sum A), with one accumulator chain per
    nibble. A
    product of `stage-rows` rows or more (a prompt, an encoder's tokens)
    dequantizes each panel block's weights once per chunk of up to
    `stage-k` k into an f32 stack buffer (32 KB at 256 k, 2 panels of 16
    lanes), which all its row blocks then read as the f32 kernel reads a
    packed B. Plain vector arithmetic: any
    target with `lanes`-wide f32 vectors.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16", "f32 lanes per accumulator">,
    Option<"rows", "rows", "int64_t", "8", "Rows of A per register block">,
    Option<"panels", "panels", "int64_t", "2",
           "Panels of B per register block">,
    Option<"rowPanels", "row-panels", "int64_t", "4",
           "Panels of B per register block of a product of one row">,
    Option<"stageRows", "stage-rows", "int64_t", "24",
           "Products of at least this many rows dequantize each chunk of a "
           "panel block once, into a stack buffer their row blocks read">,
    Option<"stageK", "stage-k", "int64_t", "256",
           "Most k per staged chunk (the stack buffer holds stage-k x "
           "panels x lanes f32)">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowerInt8Contractions
    : Pass<"strata-lower-int8-contractions", "mlir::func::FuncOp"> {
  let summary = "Register-blocked int8 products on x86 dot-product "
                "instructions";
  let description = [{
    Every `linalg.generic` marked `strata.int8_panels` (on buffers, static)
    becomes loops over blocks of `rows` rows x `panels` panels whose
    accumulators stay in vector registers over K, then add into the
    output. `kind` picks the instruction:
      * `vnni`: `vpdpbusd` (AVX-512 VNNI at 16 lanes, AVX-VNNI or
        AVX-512 VNNI with VL at 8): u8 x s8, so A's bytes have their top
        bit flipped and 128 * sum_k B[k][n] is subtracted per panel;
      * `maddubs`: `vpmaddubsw` then `vpmaddwd` with ones (AVX2 at 8
        lanes, AVX-512BW at 16), u8 x s8 as vnni; the product must come
        from strata-pack-int8-rhs with split-pairs, whose residual entries
        (a generic with five inputs) are added after each block's k loop;
      * `madd`: `vpmaddwd` (AVX2 at 8 lanes, AVX-512BW at 16) on B packed
        as i16 and A widened to i16 pairs.
    All are exact (i32 sums of exact products). The intrinsics are called
    with `llvm.call_intrinsic`; upstream's x86vector dialect has no u8 x s8
    dot product (only `avx.dot.i8`, the s8 x s8 AVX-VNNI-INT8 one).
  }];
  let options = [
    Option<"kind", "kind", "std::string", "\"vnni\"",
           "vnni, maddubs or madd">,
    Option<"lanes", "lanes", "int64_t", "16", "i32 lanes per accumulator">,
    Option<"rows", "rows", "int64_t", "6", "Rows of A per register block">,
    Option<"panels", "panels", "int64_t", "4",
           "Panels of B per register block">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // STRATA_CODEGEN_CPU_PASSES
