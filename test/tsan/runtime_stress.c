/* test/tsan/runtime_stress.c - concurrent runs of one model, for
 * ThreadSanitizer (test/python/test_runtime_tsan.py builds the runtime,
 * this file and test/unit/fake_model.c with -fsanitize=thread).
 *
 *   runtime_stress                 the fake grid and arena models
 *   runtime_stress LIB.so THREADS  a compiled model with f32 tensors
 *
 * 8 threads run the model 200 times each (50 for a compiled model), on a
 * pool of 4 threads (THREADS for a compiled model), and every output must
 * equal, bit for bit, what one thread computed alone. Exit 0 when all did. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/runtime.h"

extern const strata_model_desc strata_fake_grid_descriptor;
extern const strata_model_desc strata_fake_arena_descriptor;

enum { CALLERS = 8 };

typedef struct job {
  strata_model *model;
  int runs;
  size_t num_inputs, num_outputs;
  strata_tensor inputs[8];
  const float *expected[8];
  size_t elements[8];
  int failures;
} job;

static size_t elements_of(const strata_tensor_desc *d) {
  size_t n = 1;
  for (int32_t i = 0; i < d->rank; ++i) n *= (size_t)d->shape[i];
  return n;
}

static void *caller(void *arg) {
  job *j = arg;
  strata_tensor outputs[8];
  const strata_model_desc *desc = strata_model_desc_of(j->model);
  for (size_t o = 0; o < j->num_outputs; ++o) {
    outputs[o].dtype = desc->outputs[o].dtype;
    outputs[o].rank = desc->outputs[o].rank;
    outputs[o].shape = desc->outputs[o].shape;
    outputs[o].data = calloc(j->elements[o], sizeof(float));
  }
  for (int r = 0; r < j->runs; ++r) {
    if (strata_model_run(j->model, j->inputs, j->num_inputs, outputs,
                         j->num_outputs) != STRATA_OK) {
      fprintf(stderr, "run failed: %s\n", strata_last_error());
      ++j->failures;
      continue;
    }
    for (size_t o = 0; o < j->num_outputs; ++o)
      if (memcmp(outputs[o].data, j->expected[o],
                 j->elements[o] * sizeof(float)) != 0)
        ++j->failures;
  }
  for (size_t o = 0; o < j->num_outputs; ++o) free(outputs[o].data);
  return NULL;
}

/* Runs `model` once alone for the expected outputs, then from CALLERS
 * threads at once; returns the number of failed or differing runs. */
static int stress(strata_model *model, uint32_t threads, int runs) {
  const strata_model_desc *desc = strata_model_desc_of(model);
  if (desc->num_inputs > 8 || desc->num_outputs > 8) return 1;
  job base = {model, runs, desc->num_inputs, desc->num_outputs};
  for (size_t i = 0; i < desc->num_inputs; ++i) {
    if (desc->inputs[i].dtype != STRATA_DTYPE_F32) return 1;
    size_t n = elements_of(&desc->inputs[i]);
    float *data = malloc(n * sizeof(float));
    for (size_t e = 0; e < n; ++e) data[e] = (float)((e * 7919) % 1000) / 500.0f - 1.0f;
    base.inputs[i] = (strata_tensor){data, STRATA_DTYPE_F32,
                                     desc->inputs[i].rank, desc->inputs[i].shape};
  }
  strata_tensor outputs[8];
  for (size_t o = 0; o < desc->num_outputs; ++o) {
    if (desc->outputs[o].dtype != STRATA_DTYPE_F32) return 1;
    base.elements[o] = elements_of(&desc->outputs[o]);
    outputs[o] = (strata_tensor){calloc(base.elements[o], sizeof(float)),
                                 STRATA_DTYPE_F32, desc->outputs[o].rank,
                                 desc->outputs[o].shape};
    base.expected[o] = outputs[o].data;
  }
  strata_model_set_threads(model, 1);
  if (strata_model_run(model, base.inputs, base.num_inputs, outputs,
                       base.num_outputs) != STRATA_OK) {
    fprintf(stderr, "reference run failed: %s\n", strata_last_error());
    return 1;
  }
  strata_model_set_threads(model, threads);
  job jobs[CALLERS];
  pthread_t ids[CALLERS];
  for (int t = 0; t < CALLERS; ++t) {
    jobs[t] = base;
    pthread_create(&ids[t], NULL, caller, &jobs[t]);
  }
  int failures = 0;
  for (int t = 0; t < CALLERS; ++t) {
    pthread_join(ids[t], NULL);
    failures += jobs[t].failures;
  }
  for (size_t i = 0; i < base.num_inputs; ++i) free(base.inputs[i].data);
  for (size_t o = 0; o < base.num_outputs; ++o) free(outputs[o].data);
  return failures;
}

int main(int argc, char **argv) {
  int failures = 0;
  strata_model *model = NULL;
  if (argc == 3) {
    strata_load_options options = {sizeof options, 0, 0, 0, NULL};
    if (strata_model_load_ex(argv[1], &options, &model) != STRATA_OK) {
      fprintf(stderr, "%s\n", strata_last_error());
      return 2;
    }
    failures = stress(model, (uint32_t)atoi(argv[2]), 50);
    strata_model_free(model);
  } else {
    const strata_model_desc *descs[] = {&strata_fake_grid_descriptor,
                                        &strata_fake_arena_descriptor};
    for (int d = 0; d < 2; ++d) {
      if (strata_model_from_desc(descs[d], &model) != STRATA_OK) return 2;
      failures += stress(model, 4, 200);
      strata_model_free(model);
    }
  }
  printf("%d failed or differing runs\n", failures);
  return failures != 0;
}
