/* runtime/run.c - strata_model_run: checks every caller tensor against the
 * descriptor, then calls the model's entry with inputs, outputs and arena
 * (once per sample for a STRATA_MODEL_FLAG_BATCH_LOOP model). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { STACK_BUFFERS = 32 };

/* Checks one caller tensor against its descriptor. A leading -1 in the
 * descriptor (the batch) matches any size, which must equal `*batch` once
 * that is set (-1 before the first batched tensor). */
static strata_status check_tensor(const char *kind, size_t index,
                                  const strata_tensor_desc *want,
                                  const strata_tensor *got, int64_t *batch) {
  const char *name = strata_safe_name(want->name);
  char want_shape[256], got_shape[256];
  if (got->dtype != want->dtype)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s %zu ('%s'): expected dtype %s, got %s (%d)", kind,
                       index, name, strata_dtype_name(want->dtype),
                       strata_dtype_name(got->dtype), (int)got->dtype);
  if (got->rank != want->rank) {
    strata_format_shape(want_shape, sizeof want_shape, want->shape,
                        want->rank);
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s %zu ('%s'): expected rank %d (shape %s), got %d",
                       kind, index, name, (int)want->rank, want_shape,
                       (int)got->rank);
  }
  if (got->rank > 0 && !got->shape)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s %zu ('%s'): shape is null but rank is %d", kind,
                       index, name, (int)got->rank);
  for (int32_t d = 0; d < got->rank; ++d)
    if (got->shape[d] < 0) {
      strata_format_shape(got_shape, sizeof got_shape, got->shape, got->rank);
      return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                         "%s %zu ('%s'): shape %s has a negative dimension "
                         "(the batch, -1 in the descriptor, needs the "
                         "actual size)",
                         kind, index, name, got_shape);
    }
  /* One sample's elements: check_descriptor bounded their bytes. */
  int64_t elements = 1, samples = 1;
  for (int32_t d = 0; d < want->rank; ++d) {
    if (d == 0 && want->shape[0] == -1) {
      if (*batch >= 0 && got->shape[0] != *batch)
        return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                           "%s %zu ('%s'): batch %lld differs from the batch "
                           "%lld of the tensors before it",
                           kind, index, name, (long long)got->shape[0],
                           (long long)*batch);
      *batch = samples = got->shape[0];
      continue;
    }
    elements *= want->shape[d];
    if (got->shape[d] == want->shape[d]) continue;
    strata_format_shape(want_shape, sizeof want_shape, want->shape,
                        want->rank);
    strata_format_shape(got_shape, sizeof got_shape, got->shape, got->rank);
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s %zu ('%s'): expected shape %s, got %s", kind, index,
                       name, want_shape, got_shape);
  }
  /* The batch is the caller's: the whole tensor must stay addressable. */
  int64_t bytes;
  if (__builtin_mul_overflow(elements, samples, &elements) ||
      __builtin_mul_overflow(elements, (int64_t)strata_dtype_size(want->dtype),
                             &bytes))
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s %zu ('%s'): batch %lld makes the tensor larger "
                       "than 2^63 bytes",
                       kind, index, name, (long long)samples);
  if (!got->data && elements != 0)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s %zu ('%s'): data is null", kind, index, name);
  return STRATA_OK;
}

/* Checks the count, the array pointer and each tensor of one side. */
static strata_status check_side(const char *kind, const strata_tensor_desc *want,
                                uint32_t want_count, const strata_tensor *got,
                                size_t got_count, int64_t *batch) {
  if (got_count != want_count)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "expected %u %ss, got %zu", want_count, kind,
                       got_count);
  if (got_count > 0 && !got)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%ss is null but %zu %ss are expected", kind,
                       got_count, kind);
  for (size_t i = 0; i < got_count; ++i) {
    strata_status status = check_tensor(kind, i, &want[i], &got[i], batch);
    if (status != STRATA_OK) return status;
  }
  return STRATA_OK;
}

/* The pinned value of input `i`, or null (always null before ABI v2). */
static const void *pinned_input(const strata_model_desc *desc, size_t i) {
  if (desc->abi_version < 2 || !desc->pinned_inputs) return NULL;
  return desc->pinned_inputs[i];
}

/* An input pinned at compile time must hold exactly the pinned value: the
 * compiled code did not read it. */
static strata_status check_pinned(const strata_model_desc *desc,
                                  const strata_tensor *inputs) {
  for (size_t i = 0; i < desc->num_inputs; ++i) {
    const void *pinned = pinned_input(desc, i);
    if (!pinned) continue;
    const strata_tensor_desc *want = &desc->inputs[i];
    size_t size = strata_dtype_size(want->dtype);
    int64_t elements = 1;
    for (int32_t d = 0; d < want->rank; ++d) elements *= want->shape[d];
    for (int64_t e = 0; e < elements; ++e) {
      if (memcmp((const char *)inputs[i].data + e * size,
                 (const char *)pinned + e * size, size) == 0)
        continue;
      return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                         "input %zu ('%s'): the library was compiled for one "
                         "value of this input (--input-value), and element "
                         "%lld differs from it",
                         i, strata_safe_name(want->name), (long long)e);
    }
  }
  return STRATA_OK;
}

static int is_batched(const strata_tensor_desc *desc) {
  return desc->rank > 0 && desc->shape[0] == -1;
}

/* The bytes of one sample of a batched tensor. */
static size_t sample_bytes(const strata_tensor_desc *desc) {
  size_t bytes = strata_dtype_size(desc->dtype);
  for (int32_t d = 1; d < desc->rank; ++d) bytes *= (size_t)desc->shape[d];
  return bytes;
}

/* Where sample `b` of a tensor starts: batched tensors advance by one
 * sample's bytes, the others are shared by every sample. */
static void *sample(const strata_tensor_desc *desc, void *data, int64_t b) {
  if (!is_batched(desc)) return data;
  return (char *)data + (size_t)b * sample_bytes(desc);
}

/* Whether the model has an entry for whole chunks of samples (ABI 7). */
static int has_batch_entry(const strata_model_desc *desc) {
  return desc->abi_version >= 7 && desc->batch_entry && desc->batch_chunk > 1;
}

/* How many times a batch-loop model's entry must run for `batch` samples:
 * once per sample, but once in all when no batched tensor has a byte per
 * sample (every call would compute the same, and a batch of 2^40 empty
 * samples must not take hours), and once when no tensor is batched; -1
 * when the batch is 0 and an output does not depend on it, so that no call
 * would write it. */
static int64_t entry_calls(const strata_model_desc *desc, int64_t batch) {
  size_t data = 0;
  int unbatched_output = 0;
  for (uint32_t i = 0; i < desc->num_inputs; ++i)
    if (is_batched(&desc->inputs[i])) data |= sample_bytes(&desc->inputs[i]);
  for (uint32_t i = 0; i < desc->num_outputs; ++i) {
    if (is_batched(&desc->outputs[i]))
      data |= sample_bytes(&desc->outputs[i]);
    else
      unbatched_output = 1;
  }
  if (batch < 0) return 1; /* no batched tensor: one call */
  if (batch == 0) return unbatched_output ? -1 : 0;
  return data ? batch : 1;
}

/* Checks the caller's tensors against the descriptor; sets *batch (-1 when
 * no tensor is batched). */
strata_status strata_check_run(const strata_model *model,
                               const strata_tensor *inputs, size_t num_inputs,
                               const strata_tensor *outputs,
                               size_t num_outputs, int64_t *batch) {
  if (!model || !model->desc)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "model is null");
  if (model->runnable != STRATA_OK) return strata_model_runnable(model);
  const strata_model_desc *desc = model->desc;
  *batch = -1;
  strata_status status = check_side("input", desc->inputs, desc->num_inputs,
                                    inputs, num_inputs, batch);
  if (status == STRATA_OK)
    status = check_side("output", desc->outputs, desc->num_outputs, outputs,
                        num_outputs, batch);
  if (status == STRATA_OK) status = check_pinned(desc, inputs);
  return status;
}

/* The executor a run hands the entry: the model's thread pool. */
typedef struct run_executor {
  strata_executor base;
  strata_pool *pool;
} run_executor;

static void run_dispatch(strata_executor *self, strata_workgroup_fn fn,
                         const void *bindings, int64_t grid) {
  strata_pool_dispatch(((run_executor *)self)->pool, fn, bindings, grid);
}

static void run_dispatch_group(strata_executor *self, uint32_t count,
                               const strata_workgroup_fn *fns,
                               const void *const *bindings,
                               const int64_t *grids) {
  strata_pool_dispatch_group(((run_executor *)self)->pool, count, fns,
                             bindings, grids);
}

/* The model's pool, created by the first run that needs one; null for one
 * thread, or when threads cannot be started (dispatches then run on the
 * caller's thread). */
static strata_pool *model_pool(strata_model *model) {
  strata_pool *pool = atomic_load(&model->pool);
  if (pool || model->threads < 2) return pool;
  pool = strata_pool_create(model->threads - 1);
  strata_pool *expected = NULL;
  if (!atomic_compare_exchange_strong(&model->pool, &expected, pool)) {
    strata_pool_destroy(pool); /* another run made one first */
    pool = expected;
  }
  return pool;
}

strata_status strata_call_entry(strata_model *model,
                                const strata_tensor *inputs, size_t num_inputs,
                                const strata_tensor *outputs,
                                size_t num_outputs, int64_t batch, void *arena,
                                strata_pool *pool, strata_profiler *profiler) {
  const strata_model_desc *desc = model->desc;
  void *stack_buffers[STACK_BUFFERS];
  /* Inputs, outputs, the arena and the executor (read since ABI 4). */
  size_t count = num_inputs + num_outputs + 2;
  void **buffers = stack_buffers;
  if (count > STACK_BUFFERS) {
    buffers = malloc(count * sizeof *buffers);
    if (!buffers)
      return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                         "cannot allocate %zu buffer pointers", count);
  }
  run_executor executor = {
      {sizeof(strata_executor), run_dispatch, run_dispatch_group}, pool};
  buffers[num_inputs + num_outputs] = arena;
  buffers[num_inputs + num_outputs + 1] =
      profiler ? strata_profiler_executor(profiler, desc, pool)
               : &executor.base;
  int32_t code = 0;
  if (!(desc->flags & STRATA_MODEL_FLAG_BATCH_LOOP)) {
    for (size_t i = 0; i < num_inputs; ++i) buffers[i] = inputs[i].data;
    for (size_t i = 0; i < num_outputs; ++i)
      buffers[num_inputs + i] = outputs[i].data;
    code = desc->entry(buffers);
  } else {
    int64_t calls = entry_calls(desc, batch);
    if (calls < 0) {
      if (buffers != stack_buffers) free(buffers);
      return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                         "a batch of 0 samples: model '%s' has outputs that "
                         "do not depend on the batch, and no sample to "
                         "compute them with",
                         strata_safe_name(desc->model_name));
    }
    /* Whole chunks through the batch entry (only when every sample is
     * computed: calls == batch), the rest sample by sample. */
    int64_t chunk = has_batch_entry(desc) && calls == batch
                        ? (int64_t)desc->batch_chunk
                        : 1;
    for (int64_t b = 0; b < calls && code == 0;) {
      int whole = chunk > 1 && calls - b >= chunk;
      for (size_t i = 0; i < num_inputs; ++i)
        buffers[i] = sample(&desc->inputs[i], inputs[i].data, b);
      for (size_t i = 0; i < num_outputs; ++i)
        buffers[num_inputs + i] = sample(&desc->outputs[i], outputs[i].data, b);
      code = whole ? desc->batch_entry(buffers) : desc->entry(buffers);
      b += whole ? chunk : 1;
    }
  }
  if (buffers != stack_buffers) free(buffers);
  if (code != 0)
    return strata_fail(STRATA_ERROR_EXECUTION,
                       "model '%s': entry function failed with code %d",
                       strata_safe_name(desc->model_name), (int)code);
  return STRATA_OK;
}

/* A synchronous run on the model's pool, profiled when profiling is on. */
static strata_status call_sync(strata_model *model,
                               const strata_tensor *inputs, size_t num_inputs,
                               const strata_tensor *outputs,
                               size_t num_outputs, int64_t batch, void *arena) {
  strata_profiler *profiler = model->profiler;
  if (profiler) strata_profiler_begin_run(profiler);
  strata_status status =
      strata_call_entry(model, inputs, num_inputs, outputs, num_outputs, batch,
                        arena, model_pool(model), profiler);
  if (profiler) strata_profiler_end_run(profiler);
  return status;
}

size_t strata_arena_size(const strata_model_desc *desc) {
  size_t bytes = desc->abi_version >= 4 ? (size_t)desc->arena_bytes : 0;
  /* One arena serves both entries: they run one after another. */
  if (has_batch_entry(desc) && desc->batch_chunk_arena_bytes > bytes)
    bytes = (size_t)desc->batch_chunk_arena_bytes;
  return bytes;
}

strata_status strata_check_arena(const strata_model_desc *desc,
                                 const void *arena, uint64_t bytes,
                                 const char *what) {
  size_t need = strata_arena_size(desc);
  const char *name = strata_safe_name(desc->model_name);
  if (bytes < need)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s: %llu bytes, model '%s' needs %zu", what,
                       (unsigned long long)bytes, name, need);
  if (need > 0 && !arena)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s is null, model '%s' needs %zu bytes", what, name,
                       need);
  if ((uintptr_t)arena % STRATA_ARENA_ALIGNMENT != 0)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s: address %p is not aligned to %u bytes", what,
                       arena, STRATA_ARENA_ALIGNMENT);
  return STRATA_OK;
}

void *strata_allocate_arena(size_t bytes) {
  /* aligned_alloc wants a multiple of the alignment. */
  size_t rounded = (bytes + STRATA_ARENA_ALIGNMENT - 1) &
                   ~(size_t)(STRATA_ARENA_ALIGNMENT - 1);
  return aligned_alloc(STRATA_ARENA_ALIGNMENT, rounded);
}

strata_status strata_model_run(strata_model *model,
                               const strata_tensor *inputs, size_t num_inputs,
                               const strata_tensor *outputs,
                               size_t num_outputs) {
  int64_t batch;
  strata_status status =
      strata_check_run(model, inputs, num_inputs, outputs, num_outputs, &batch);
  if (status != STRATA_OK) return status;
  const strata_model_desc *desc = model->desc;
  size_t bytes = strata_arena_size(desc);
  if (bytes == 0)
    return call_sync(model, inputs, num_inputs, outputs, num_outputs, batch,
                     NULL);
  /* The model's own arena when no other run holds it, else one for this
   * run only. */
  void *arena = NULL;
  int owns_model_arena = !atomic_exchange(&model->arena_busy, 1);
  if (owns_model_arena) {
    if (!model->arena) model->arena = strata_allocate_arena(bytes);
    arena = model->arena;
  } else {
    arena = strata_allocate_arena(bytes);
  }
  if (!arena) {
    if (owns_model_arena) atomic_store(&model->arena_busy, 0);
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                       "model '%s': cannot allocate its arena of %zu bytes",
                       strata_safe_name(desc->model_name), bytes);
  }
  status = call_sync(model, inputs, num_inputs, outputs, num_outputs, batch,
                     arena);
  if (owns_model_arena)
    atomic_store(&model->arena_busy, 0);
  else
    free(arena);
  return status;
}

strata_status strata_model_run_with_arena(strata_model *model,
                                          const strata_tensor *inputs,
                                          size_t num_inputs,
                                          const strata_tensor *outputs,
                                          size_t num_outputs, void *arena,
                                          size_t arena_bytes) {
  int64_t batch;
  strata_status status =
      strata_check_run(model, inputs, num_inputs, outputs, num_outputs, &batch);
  if (status != STRATA_OK) return status;
  status = strata_check_arena(model->desc, arena, arena_bytes, "arena");
  if (status != STRATA_OK) return status;
  return call_sync(model, inputs, num_inputs, outputs, num_outputs, batch,
                   strata_arena_size(model->desc) > 0 ? arena : NULL);
}
