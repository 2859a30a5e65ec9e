/* test/tsan/async_stress.c - the async API under ThreadSanitizer
 * (test/python/test_runtime_tsan.py builds it with the runtime's sources
 * and test/unit/fake_model.c, -fsanitize=thread).
 *
 * Phase 1: an instance of 4 threads, 8 sessions of two models (the fake
 * grid model, whose runs dispatch onto the instance's threads, and the
 * arena model), and 2 submitting threads with 4 sessions each. Every
 * seventh submission is cancelled and every third gets a callback; each
 * fence must end cancelled or with the exact sum.
 * Phase 2: the same sessions loaded with work, and the instance destroyed
 * from another thread while it runs: every fence must still complete, as
 * cancelled or with the exact sum, and then the sessions are destroyed.
 * Exit 0 when all of that held. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "strata/runtime.h"

extern const strata_model_desc strata_fake_grid_descriptor;
extern const strata_model_desc strata_fake_arena_descriptor;

enum { SESSIONS = 8, SUBMITTERS = 2, RUNS = 100 };

static const int64_t shape23[] = {2, 3};

typedef struct work {
  float a[6], b[6], sum[6];
  strata_fence *fence;
} work;

static atomic_int callbacks_called;
static atomic_int failures;

static void on_done(strata_fence *fence, strata_status status, void *user) {
  (void)fence;
  (void)status;
  (void)user;
  atomic_fetch_add(&callbacks_called, 1);
}

static strata_session *sessions[SESSIONS];

static int submit(strata_session *session, work *w, float seed) {
  for (int i = 0; i < 6; ++i) {
    w->a[i] = seed + (float)i;
    w->b[i] = 0.25f * (float)i;
    w->sum[i] = 0.0f;
  }
  strata_tensor inputs[] = {{w->a, STRATA_DTYPE_F32, 2, shape23},
                            {w->b, STRATA_DTYPE_F32, 2, shape23}};
  strata_tensor outputs[] = {{w->sum, STRATA_DTYPE_F32, 2, shape23}};
  return strata_session_submit(session, inputs, 2, outputs, 1, &w->fence);
}

/* A finished fence: cancelled (allowed when `may_cancel`) or exact. */
static void check(work *w, int may_cancel) {
  strata_status status = strata_fence_wait(w->fence, -1);
  if (status == STRATA_ERROR_CANCELLED && may_cancel) {
  } else if (status != STRATA_OK) {
    fprintf(stderr, "run failed: %s\n", strata_last_error());
    atomic_fetch_add(&failures, 1);
  } else {
    for (int i = 0; i < 6; ++i)
      if (w->sum[i] != w->a[i] + w->b[i]) {
        atomic_fetch_add(&failures, 1);
        break;
      }
  }
  strata_fence_release(w->fence);
}

static void *submitter(void *arg) {
  int first = (int)(intptr_t)arg * (SESSIONS / SUBMITTERS);
  work *works = calloc(RUNS * (SESSIONS / SUBMITTERS), sizeof *works);
  int count = 0, expected_callbacks = 0;
  for (int r = 0; r < RUNS; ++r)
    for (int s = first; s < first + SESSIONS / SUBMITTERS; ++s) {
      work *w = &works[count];
      if (submit(sessions[s], w, (float)(r * SESSIONS + s)) != STRATA_OK) {
        fprintf(stderr, "submit failed: %s\n", strata_last_error());
        atomic_fetch_add(&failures, 1);
        continue;
      }
      if (count % 3 == 0) {
        strata_fence_set_callback(w->fence, on_done, NULL);
        ++expected_callbacks;
      }
      if (count % 7 == 0) strata_fence_cancel(w->fence);
      ++count;
    }
  for (int i = 0; i < count; ++i) check(&works[i], i % 7 == 0);
  free(works);
  return (void *)(intptr_t)expected_callbacks;
}

static void *destroyer(void *instance) {
  strata_instance_destroy(instance);
  return NULL;
}

int main(void) {
  strata_instance_options options;
  strata_instance_options_init(&options);
  options.threads = 4;
  strata_instance *instance = NULL;
  strata_model *grid = NULL, *arena = NULL;
  if (strata_instance_create(&options, &instance) != STRATA_OK ||
      strata_model_from_desc(&strata_fake_grid_descriptor, &grid) !=
          STRATA_OK ||
      strata_model_from_desc(&strata_fake_arena_descriptor, &arena) !=
          STRATA_OK) {
    fprintf(stderr, "%s\n", strata_last_error());
    return 2;
  }
  for (int s = 0; s < SESSIONS; ++s)
    if (strata_session_create(instance, s % 2 ? grid : arena, NULL,
                              &sessions[s]) != STRATA_OK) {
      fprintf(stderr, "%s\n", strata_last_error());
      return 2;
    }
  /* The sessions hold the models from here on. */
  strata_model_free(grid);
  strata_model_free(arena);

  pthread_t ids[SUBMITTERS];
  for (int t = 0; t < SUBMITTERS; ++t)
    pthread_create(&ids[t], NULL, submitter, (void *)(intptr_t)t);
  int expected_callbacks = 0;
  for (int t = 0; t < SUBMITTERS; ++t) {
    void *result;
    pthread_join(ids[t], &result);
    expected_callbacks += (int)(intptr_t)result;
  }
  /* Callbacks run after the fence completes: give stragglers a moment by
   * destroying the instance, which joins its threads. */

  static work pending[SESSIONS * 20];
  int count = 0;
  for (int r = 0; r < 20; ++r)
    for (int s = 0; s < SESSIONS; ++s)
      if (submit(sessions[s], &pending[count], (float)count) == STRATA_OK)
        ++count;
  pthread_t killer;
  pthread_create(&killer, NULL, destroyer, instance);
  for (int i = 0; i < count; ++i) check(&pending[i], 1);
  pthread_join(killer, NULL);
  if (atomic_load(&callbacks_called) != expected_callbacks) {
    fprintf(stderr, "%d callbacks for %d fences that asked\n",
            atomic_load(&callbacks_called), expected_callbacks);
    atomic_fetch_add(&failures, 1);
  }
  for (int s = 0; s < SESSIONS; ++s) strata_session_destroy(sessions[s]);
  printf("%d failed or differing runs\n", atomic_load(&failures));
  return atomic_load(&failures) != 0;
}
