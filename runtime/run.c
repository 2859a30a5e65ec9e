/* runtime/run.c - strata_model_run: checks every caller tensor against the
 * descriptor, then calls the model's entry with inputs followed by outputs. */
#include <stdlib.h>

#include "internal.h"

enum { STACK_BUFFERS = 16 };

/* Checks one caller tensor against its descriptor. */
static strata_status check_tensor(const char *kind, size_t index,
                                  const strata_tensor_desc *want,
                                  const strata_tensor *got) {
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
  int64_t elements = 1;
  for (int32_t d = 0; d < want->rank; ++d) {
    elements *= want->shape[d];
    if (got->shape[d] == want->shape[d]) continue;
    strata_format_shape(want_shape, sizeof want_shape, want->shape,
                        want->rank);
    strata_format_shape(got_shape, sizeof got_shape, got->shape, got->rank);
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s %zu ('%s'): expected shape %s, got %s", kind, index,
                       name, want_shape, got_shape);
  }
  if (!got->data && elements != 0)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%s %zu ('%s'): data is null", kind, index, name);
  return STRATA_OK;
}

/* Checks the count, the array pointer and each tensor of one side. */
static strata_status check_side(const char *kind, const strata_tensor_desc *want,
                                uint32_t want_count, const strata_tensor *got,
                                size_t got_count) {
  if (got_count != want_count)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "expected %u %ss, got %zu", want_count, kind,
                       got_count);
  if (got_count > 0 && !got)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "%ss is null but %zu %ss are expected", kind,
                       got_count, kind);
  for (size_t i = 0; i < got_count; ++i) {
    strata_status status = check_tensor(kind, i, &want[i], &got[i]);
    if (status != STRATA_OK) return status;
  }
  return STRATA_OK;
}

strata_status strata_model_run(strata_model *model,
                               const strata_tensor *inputs, size_t num_inputs,
                               const strata_tensor *outputs,
                               size_t num_outputs) {
  if (!model || !model->desc)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "model is null");
  const strata_model_desc *desc = model->desc;
  strata_status status =
      check_side("input", desc->inputs, desc->num_inputs, inputs, num_inputs);
  if (status == STRATA_OK)
    status = check_side("output", desc->outputs, desc->num_outputs, outputs,
                        num_outputs);
  if (status != STRATA_OK) return status;

  void *stack_buffers[STACK_BUFFERS];
  size_t count = num_inputs + num_outputs;
  void **buffers = stack_buffers;
  if (count > STACK_BUFFERS) {
    buffers = malloc(count * sizeof *buffers);
    if (!buffers)
      return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                         "cannot allocate %zu buffer pointers", count);
  }
  for (size_t i = 0; i < num_inputs; ++i) buffers[i] = inputs[i].data;
  for (size_t i = 0; i < num_outputs; ++i)
    buffers[num_inputs + i] = outputs[i].data;

  int32_t code = desc->entry(buffers);
  if (buffers != stack_buffers) free(buffers);
  if (code != 0)
    return strata_fail(STRATA_ERROR_EXECUTION,
                       "model '%s': entry function failed with code %d",
                       strata_safe_name(desc->model_name), (int)code);
  return STRATA_OK;
}
