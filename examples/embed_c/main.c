/* examples/embed_c/main.c - run a strata-compiled model linked into a C
 * program, with no dlopen and no file to ship beside the executable.
 *
 * The model was compiled with
 *     strata-compile model.onnx -o out --name classifier
 * which wrote out/libclassifier.a and out/classifier.h. This program links
 * the archive and the static runtime (see README.md), wraps the linked-in
 * descriptor, fills every input with a fixed pattern, runs the model once
 * and prints every output.
 *
 * Another model name: build with
 *     -DMODEL_HEADER='"mynet.h"' -DMODEL_DESCRIPTOR=strata_mynet_descriptor
 *
 * Output, one block per output:
 *     output <name> <element count>
 *     <one value per line, %.9g>
 */
#include <stdio.h>
#include <stdlib.h>

#include "strata/runtime.h"

#ifndef MODEL_HEADER
#define MODEL_HEADER "classifier.h"
#define MODEL_DESCRIPTOR strata_classifier_descriptor
#endif
#include MODEL_HEADER

static size_t element_count(const strata_tensor_desc *t) {
  size_t count = 1;
  for (int32_t d = 0; d < t->rank; ++d) count *= (size_t)t->shape[d];
  return count;
}

/* Input k, element i: ((7 i + 3 k) mod 23 - 11) / 11, exact in float. */
static void fill_input(float *data, size_t count, uint32_t k) {
  for (size_t i = 0; i < count; ++i)
    data[i] = (float)((int)((i * 7 + k * 3) % 23) - 11) / 11.0f;
}

int main(void) {
  strata_model *model = NULL;
  if (strata_model_from_desc(MODEL_DESCRIPTOR(), &model) != STRATA_OK) {
    fprintf(stderr, "error: %s\n", strata_last_error());
    return 1;
  }
  const strata_model_desc *desc = strata_model_desc_of(model);

  uint32_t total = desc->num_inputs + desc->num_outputs;
  strata_tensor *tensors = calloc(total ? total : 1, sizeof *tensors);
  int status = tensors ? 0 : 1;
  for (uint32_t i = 0; i < total && status == 0; ++i) {
    const strata_tensor_desc *t = i < desc->num_inputs
                                      ? &desc->inputs[i]
                                      : &desc->outputs[i - desc->num_inputs];
    if (t->dtype != STRATA_DTYPE_F32) {
      fprintf(stderr, "error: '%s' is %s; this example handles f32 only\n",
              t->name, strata_dtype_name(t->dtype));
      status = 1;
      break;
    }
    size_t count = element_count(t);
    tensors[i] = (strata_tensor){calloc(count ? count : 1, sizeof(float)),
                                 t->dtype, t->rank, t->shape};
    if (!tensors[i].data) {
      fprintf(stderr, "error: out of memory\n");
      status = 1;
    } else if (i < desc->num_inputs) {
      fill_input(tensors[i].data, count, i);
    }
  }

  if (status == 0 &&
      strata_model_run(model, tensors, desc->num_inputs,
                       tensors + desc->num_inputs,
                       desc->num_outputs) != STRATA_OK) {
    fprintf(stderr, "error: %s\n", strata_last_error());
    status = 1;
  }

  for (uint32_t o = 0; o < desc->num_outputs && status == 0; ++o) {
    const strata_tensor_desc *t = &desc->outputs[o];
    const float *values = tensors[desc->num_inputs + o].data;
    size_t count = element_count(t);
    printf("output %s %zu\n", t->name, count);
    for (size_t i = 0; i < count; ++i) printf("%.9g\n", values[i]);
  }

  for (uint32_t i = 0; tensors && i < total; ++i) free(tensors[i].data);
  free(tensors);
  strata_model_free(model);
  return status;
}
