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

#define STRATA_MODEL_ABI_VERSION 2u

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
 * described shape and dtype. Returns 0 on success. */
typedef int32_t (*strata_entry_fn)(void **buffers);

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
} strata_model_desc;

/* Every compiled library exports the data symbol `strata_descriptor` (weak,
 * so that several static models may be linked together; dlsym finds it) and
 * the function `const strata_model_desc *strata_<name>_descriptor(void)`,
 * declared in the generated <name>.h. No model name can make the two clash. */
#define STRATA_DESCRIPTOR_SYMBOL "strata_descriptor"

#ifdef __cplusplus
}
#endif

#endif /* STRATA_MODEL_ABI_H */
