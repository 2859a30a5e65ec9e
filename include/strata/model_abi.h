/* strata/model_abi.h - the contract between a compiled model and the runtime.
 *
 * Every library that strata-compile produces exports one descriptor of the
 * types below. The runtime reads it; nothing flows the other way. The layout
 * is versioned by STRATA_MODEL_ABI_VERSION: a later version may append fields
 * at the end of strata_model_desc, never reorder or remove them.
 *
 * Plain C, no dependencies: included by generated headers and the runtime.
 */
#ifndef STRATA_MODEL_ABI_H
#define STRATA_MODEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_MODEL_ABI_VERSION 7u

/* Element types. Values are ONNX's TensorProto.DataType numbers so that
 * tools can map them without a table. */
typedef enum strata_dtype {
  STRATA_DTYPE_F32 = 1,
  STRATA_DTYPE_U8 = 2,
  STRATA_DTYPE_I8 = 3,
  STRATA_DTYPE_I32 = 6,
  STRATA_DTYPE_I64 = 7,
  STRATA_DTYPE_BOOL = 9,
  STRATA_DTYPE_F16 = 10,
  STRATA_DTYPE_BF16 = 16,
  STRATA_DTYPE_U16 = 4,
  STRATA_DTYPE_I16 = 5,
  STRATA_DTYPE_F64 = 11,
  STRATA_DTYPE_U32 = 12,
  STRATA_DTYPE_U64 = 13,
  /* Narrow types: one element per byte (see below). */
  STRATA_DTYPE_F8E4M3FN = 17,
  STRATA_DTYPE_F8E4M3FNUZ = 18,
  STRATA_DTYPE_F8E5M2 = 19,
  STRATA_DTYPE_F8E5M2FNUZ = 20,
  STRATA_DTYPE_U4 = 21,
  STRATA_DTYPE_I4 = 22,
  STRATA_DTYPE_F4E2M1 = 23,
  STRATA_DTYPE_F8E8M0 = 24,
  STRATA_DTYPE_U2 = 25,
  STRATA_DTYPE_I2 = 26,
} strata_dtype;

/* Storage of the narrow types (17..26): one element per byte, as numpy's
 * ml_dtypes arrays hold them (not packed as in ONNX's TensorProto). The byte
 * holds the element's bit pattern in its low bits: all 8 for the float8
 * types, the low 4 for u4 / i4 / f4e2m1 and the low 2 for u2 / i2 (two's
 * complement for i4 / i2). A model writes the unused high bits as zero and
 * ignores them when it reads. */

/* One input or output of a model. `shape` has `rank` entries. A leading
 * dimension of -1 is the batch of a STRATA_MODEL_FLAG_BATCH_LOOP model; no
 * other dimension is ever -1 in ABI version 1. */
typedef struct strata_tensor_desc {
  const char *name;
  int32_t dtype; /* a strata_dtype */
  int32_t rank;
  const int64_t *shape;
} strata_tensor_desc;

/* The model's entry point. `buffers` holds num_inputs input pointers followed
 * by num_outputs output pointers, each a dense row-major buffer of the
 * described shape and dtype, and since ABI version 4 two more pointers:
 *  - the arena, `arena_bytes` of scratch memory aligned to
 *    STRATA_ARENA_ALIGNMENT bytes (null when arena_bytes is 0) that the
 *    entry uses for its intermediate tensors. Its content on entry does not
 *    matter and is garbage on return; two calls running at once need two
 *    arenas;
 *  - the executor (a strata_executor, below), or null: the entry then runs
 *    every workgroup itself, in order.
 * Returns 0 on success. */
typedef int32_t (*strata_entry_fn)(void **buffers);

/* A workgroup of a dispatch: `bindings` is the dispatch's argument block
 * (opaque to the runtime), `workgroup` its number in [0, grid). */
typedef void (*strata_workgroup_fn)(const void *bindings, int64_t workgroup);

/* What the entry hands its dispatches to (ABI version 4). `dispatch` runs
 * fn(bindings, w) once for every w in [0, grid), in any order and on any
 * threads, and returns when all have returned. The workgroups of one
 * dispatch write disjoint memory; dispatches run one after another. */
/* One dispatch of a model (ABI version 5): its workgroup function and a
 * printable name. */
typedef struct strata_dispatch_info {
  strata_workgroup_fn fn;
  const char *name;
} strata_dispatch_info;

typedef struct strata_executor strata_executor;
struct strata_executor {
  uint64_t struct_size; /* sizeof(strata_executor) */
  void (*dispatch)(strata_executor *self, strata_workgroup_fn fn,
                   const void *bindings, int64_t grid);
  /* Since ABI version 7 (read when struct_size covers it and it is not
   * null): runs `count` independent dispatches as one: fns[i](bindings[i],
   * w) for every i and every w in [0, grids[i]), in any order and on any
   * threads, and returns when all have returned. No member writes memory
   * that another one reads or writes (strata-group-dispatches). Without
   * it, the entry dispatches the members one after another. */
  void (*dispatch_group)(strata_executor *self, uint32_t count,
                         const strata_workgroup_fn *fns,
                         const void *const *bindings, const int64_t *grids);
};

/* The entry computes one sample: the tensors whose shape[0] is -1 hold a
 * batch of B samples (the same B for all of them), and the runtime calls the
 * entry B times, each time with the buffers advanced to sample b. */
#define STRATA_MODEL_FLAG_BATCH_LOOP 1u

typedef struct strata_model_desc {
  uint32_t abi_version; /* STRATA_MODEL_ABI_VERSION of the compiler */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t flags; /* STRATA_MODEL_FLAG_* (was `reserved`, always zero) */
  const char *model_name;
  const strata_tensor_desc *inputs;
  const strata_tensor_desc *outputs;
  strata_entry_fn entry;
  /* Since ABI version 2: num_inputs pointers, one per input. Null, or the
   * value the input was pinned to at compile time (strata-compile
   * --input-value): a dense row-major buffer of the input's dtype and
   * shape. The compiled code computed with that value, so the runtime
   * rejects a run whose input differs from it. */
  const void *const *pinned_inputs;
  /* Since ABI version 3: what the code was compiled for. `target` is the
   * preset (strata-compile --target: "host", "x86-64-v3", ...) and `cpu`
   * the CPU that LLVM generated code for ("znver5", "x86-64-v3"), both
   * printable and possibly null. The runtime refuses to run a model whose
   * `arch` differs from the machine's or whose `cpu_features` (STRATA_CPU_*
   * bits: every instruction set extension the code may use) the running
   * CPU lacks. */
  const char *target;
  const char *cpu;
  uint32_t arch; /* a strata_arch; STRATA_ARCH_ANY asks for nothing */
  uint32_t reserved; /* zero */
  uint64_t cpu_features;
  /* Since ABI version 4: the bytes of the arena that the entry takes after
   * the outputs (a per-sample arena for a batch-loop model: the runtime
   * runs the samples one after another with the same arena). */
  uint64_t arena_bytes;
  /* Since ABI version 5: the model's dispatches, for profiles: each
   * workgroup function the entry hands the executor, with the ONNX
   * node(s) it computes ("conv1 (Conv) + relu1 (Relu)"). */
  uint32_t num_dispatches;
  uint32_t reserved2; /* zero */
  const strata_dispatch_info *dispatches;
  /* Since ABI version 6: weights in a side file (strata-compile
   * --weights=external); all zero when the weights are linked into the
   * library. `weights_file` is the file's name, looked for in the library's
   * directory (or where the caller says: strata_load_options). The runtime
   * maps the file read-only, checks its size and CRC-32C, and stores the
   * mapping's address in `*weights_slot` before the first run. */
  const char *weights_file;
  uint64_t weights_bytes;
  void **weights_slot;
  uint32_t weights_crc32c;
  uint32_t reserved3; /* zero */
  /* Since ABI version 7, for a STRATA_MODEL_FLAG_BATCH_LOOP model: a second
   * entry that computes `batch_chunk` samples at once (strata-compile
   * --batch-chunk), with the buffers of `entry` advanced to the chunk's
   * first sample, and an arena of `batch_chunk_arena_bytes`. The batch is
   * a dimension of each of its dispatches: chunk-sample GEMMs instead of
   * chunk matrix-vector products. The runtime runs whole chunks through it
   * and the rest of a batch through `entry`, one sample at a time. Null
   * (and batch_chunk 0) when the model has none. */
  strata_entry_fn batch_entry;
  uint32_t batch_chunk;
  uint32_t reserved4; /* zero */
  uint64_t batch_chunk_arena_bytes;
} strata_model_desc;

/* The alignment, in bytes, of the arena passed to an entry. */
#define STRATA_ARENA_ALIGNMENT 64u

typedef enum strata_arch {
  STRATA_ARCH_ANY = 0,
  STRATA_ARCH_X86_64 = 1,
  STRATA_ARCH_AARCH64 = 2,
} strata_arch;

/* x86-64 instruction set extensions, one bit each in cpu_features. Each
 * entry is X(NAME, bit, "llvm-feature-name"): the name is the one LLVM's
 * x86 backend uses (and that strata's messages print). The bits are ABI:
 * new extensions take new bits, none is ever renumbered. */
#define STRATA_X86_FEATURES(X)                                                 \
  X(SSE3, 0, "sse3")                                                           \
  X(SSSE3, 1, "ssse3")                                                         \
  X(SSE4_1, 2, "sse4.1")                                                       \
  X(SSE4_2, 3, "sse4.2")                                                       \
  X(POPCNT, 4, "popcnt")                                                       \
  X(CX16, 5, "cx16")                                                           \
  X(SAHF, 6, "sahf")                                                           \
  X(AVX, 7, "avx")                                                             \
  X(AVX2, 8, "avx2")                                                           \
  X(FMA, 9, "fma")                                                             \
  X(F16C, 10, "f16c")                                                          \
  X(BMI, 11, "bmi")                                                            \
  X(BMI2, 12, "bmi2")                                                          \
  X(LZCNT, 13, "lzcnt")                                                        \
  X(MOVBE, 14, "movbe")                                                        \
  X(AVX512F, 15, "avx512f")                                                    \
  X(AVX512CD, 16, "avx512cd")                                                  \
  X(AVX512BW, 17, "avx512bw")                                                  \
  X(AVX512DQ, 18, "avx512dq")                                                  \
  X(AVX512VL, 19, "avx512vl")                                                  \
  X(AVX512VNNI, 20, "avx512vnni")                                              \
  X(AVX512BF16, 21, "avx512bf16")                                              \
  X(AVX512FP16, 22, "avx512fp16")                                              \
  X(AVX512VBMI, 23, "avx512vbmi")                                              \
  X(AVX512VBMI2, 24, "avx512vbmi2")                                            \
  X(AVX512IFMA, 25, "avx512ifma")                                              \
  X(AVX512BITALG, 26, "avx512bitalg")                                          \
  X(AVX512VPOPCNTDQ, 27, "avx512vpopcntdq")                                    \
  X(AVX512VP2INTERSECT, 28, "avx512vp2intersect")                              \
  X(AVXVNNI, 29, "avxvnni")                                                    \
  X(AVXIFMA, 30, "avxifma")                                                    \
  X(AVXVNNIINT8, 31, "avxvnniint8")                                            \
  X(AVXNECONVERT, 32, "avxneconvert")                                          \
  X(GFNI, 33, "gfni")                                                          \
  X(VAES, 34, "vaes")                                                          \
  X(VPCLMULQDQ, 35, "vpclmulqdq")                                              \
  X(PCLMUL, 36, "pclmul")                                                      \
  X(AES, 37, "aes")                                                            \
  X(SHA, 38, "sha")                                                            \
  X(ADX, 39, "adx")                                                            \
  X(PRFCHW, 40, "prfchw")                                                      \
  X(FMA4, 41, "fma4")                                                          \
  X(XOP, 42, "xop")                                                            \
  X(AMX_TILE, 43, "amx-tile")                                                  \
  X(AMX_INT8, 44, "amx-int8")                                                  \
  X(AMX_BF16, 45, "amx-bf16")

/* STRATA_CPU_X86_AVX2_BIT = 8, ...; STRATA_CPU(X86_AVX2) is its mask. */
#define STRATA_CPU_X86_BIT_(NAME, BIT, TEXT) STRATA_CPU_X86_##NAME##_BIT = BIT,
enum strata_cpu_x86_bit { STRATA_X86_FEATURES(STRATA_CPU_X86_BIT_) };
#undef STRATA_CPU_X86_BIT_
#define STRATA_CPU(NAME) ((uint64_t)1 << STRATA_CPU_##NAME##_BIT)

/* The x86-64 micro-architecture levels of the psABI, strata-compile's
 * --target presets x86-64-v2, -v3 and -v4. */
#define STRATA_CPU_X86_64_V2                                                   \
  (STRATA_CPU(X86_SSE3) | STRATA_CPU(X86_SSSE3) | STRATA_CPU(X86_SSE4_1) |     \
   STRATA_CPU(X86_SSE4_2) | STRATA_CPU(X86_POPCNT) | STRATA_CPU(X86_CX16) |    \
   STRATA_CPU(X86_SAHF))
#define STRATA_CPU_X86_64_V3                                                   \
  (STRATA_CPU_X86_64_V2 | STRATA_CPU(X86_AVX) | STRATA_CPU(X86_AVX2) |         \
   STRATA_CPU(X86_FMA) | STRATA_CPU(X86_F16C) | STRATA_CPU(X86_BMI) |          \
   STRATA_CPU(X86_BMI2) | STRATA_CPU(X86_LZCNT) | STRATA_CPU(X86_MOVBE))
#define STRATA_CPU_X86_64_V4                                                   \
  (STRATA_CPU_X86_64_V3 | STRATA_CPU(X86_AVX512F) |                            \
   STRATA_CPU(X86_AVX512CD) | STRATA_CPU(X86_AVX512BW) |                       \
   STRATA_CPU(X86_AVX512DQ) | STRATA_CPU(X86_AVX512VL))

/* The integrity note (ABI version 3). A shared library written by
 * strata-compile carries one ELF note, in a PT_NOTE segment, named
 * STRATA_NOTE_NAME and of type STRATA_NOTE_INTEGRITY, whose descriptor is a
 * strata_integrity_note: the file's size and the CRC-32C (Castagnoli) of
 * all of its bytes, the 4 bytes of `crc32c` itself counted as zero. The
 * runtime verifies both before it maps the file (strata_model_load). */
#define STRATA_NOTE_NAME "strata"
#define STRATA_NOTE_INTEGRITY 1u
#define STRATA_CHECKSUM_CRC32C 1u

typedef struct strata_integrity_note {
  uint32_t version;   /* 1 */
  uint32_t algorithm; /* STRATA_CHECKSUM_CRC32C */
  uint64_t file_size; /* bytes of the whole file */
  uint32_t crc32c;
  uint32_t reserved; /* zero */
} strata_integrity_note;

/* Every compiled library exports the data symbol `strata_descriptor` (weak,
 * so that several static models may be linked together; dlsym finds it) and
 * the function `const strata_model_desc *strata_<name>_descriptor(void)`,
 * declared in the generated <name>.h. No model name can make the two clash. */
#define STRATA_DESCRIPTOR_SYMBOL "strata_descriptor"

#ifdef __cplusplus
}
#endif

#endif /* STRATA_MODEL_ABI_H */
