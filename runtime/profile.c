/* runtime/profile.c - profiling of synchronous runs: an executor that
 * times each thread's share of every dispatch (first workgroup's start to
 * last workgroup's end, and how many it ran) and records one event per
 * thread and dispatch, named from the model's dispatch table (ABI 5), plus
 * one "run" event per run. Profiled runs of a model are serialized by a
 * mutex, so the per-thread slots need no other synchronization: each
 * thread writes its own, and the dispatcher reads them after the grid's
 * fork-join. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* One thread's share of the dispatch in progress. */
typedef struct slot {
  int64_t start, end, workgroups;
} __attribute__((aligned(64))) slot;

struct strata_profiler {
  strata_executor base; /* first: the entry calls base.dispatch */
  pthread_mutex_t mutex; /* held for a whole profiled run */
  strata_profile_event *events;
  size_t capacity, count;
  uint32_t sequence;
  const strata_model_desc *desc;
  strata_pool *pool;
  unsigned num_slots;
  slot *slots;
  int64_t run_start;
  /* The grid being timed. */
  strata_workgroup_fn fn;
  const void *bindings;
};

static void record(strata_profiler *p, const char *name, int64_t start,
                   int64_t end, int64_t workgroups, uint32_t thread) {
  if (p->count < p->capacity)
    p->events[p->count] = (strata_profile_event){
        name, start, end, workgroups, thread, p->sequence};
  ++p->count;
}

static void timed_workgroup(const void *context, int64_t workgroup) {
  const strata_profiler *p = context;
  unsigned thread = strata_worker_number();
  slot *s = &p->slots[thread < p->num_slots ? thread : 0];
  int64_t start = strata_now_ns();
  if (s->workgroups == 0) s->start = start;
  p->fn(p->bindings, workgroup);
  s->end = strata_now_ns();
  ++s->workgroups;
}

static const char *dispatch_name(const strata_model_desc *desc,
                                 strata_workgroup_fn fn) {
  if (desc->abi_version >= 5)
    for (uint32_t i = 0; i < desc->num_dispatches; ++i)
      if (desc->dispatches[i].fn == fn) return desc->dispatches[i].name;
  return "dispatch";
}

static void timed_dispatch(strata_executor *self, strata_workgroup_fn fn,
                           const void *bindings, int64_t grid) {
  strata_profiler *p = (strata_profiler *)self;
  memset(p->slots, 0, p->num_slots * sizeof *p->slots);
  p->fn = fn;
  p->bindings = bindings;
  strata_pool_dispatch(p->pool, timed_workgroup, p, grid);
  const char *name = dispatch_name(p->desc, fn);
  for (unsigned t = 0; t < p->num_slots; ++t)
    if (p->slots[t].workgroups > 0)
      record(p, name, p->slots[t].start, p->slots[t].end,
             p->slots[t].workgroups, t);
  ++p->sequence;
}

/* A profile times each dispatch on its own, so the members of a group run
 * one after another here (each event then has one dispatch's name). */
static void timed_dispatch_group(strata_executor *self, uint32_t count,
                                 const strata_workgroup_fn *fns,
                                 const void *const *bindings,
                                 const int64_t *grids) {
  for (uint32_t i = 0; i < count; ++i)
    timed_dispatch(self, fns[i], bindings[i], grids[i]);
}

strata_executor *strata_profiler_executor(strata_profiler *profiler,
                                          const strata_model_desc *desc,
                                          strata_pool *pool) {
  profiler->desc = desc;
  profiler->pool = pool;
  return &profiler->base;
}

void strata_profiler_begin_run(strata_profiler *profiler) {
  pthread_mutex_lock(&profiler->mutex);
  profiler->run_start = strata_now_ns();
}

void strata_profiler_end_run(strata_profiler *profiler) {
  record(profiler, "run", profiler->run_start, strata_now_ns(), 0, 0);
  ++profiler->sequence;
  pthread_mutex_unlock(&profiler->mutex);
}

void strata_profiler_free(strata_profiler *profiler) {
  if (!profiler) return;
  pthread_mutex_destroy(&profiler->mutex);
  free(profiler->slots);
  free(profiler);
}

strata_status strata_model_profile(strata_model *model,
                                   strata_profile_event *events,
                                   size_t capacity) {
  if (!model || !model->desc)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "model is null");
  if (!events && capacity > 0)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "events is null but capacity is %zu", capacity);
  strata_profiler_free(model->profiler);
  model->profiler = NULL;
  if (!events) return STRATA_OK;
  strata_profiler *p = calloc(1, sizeof *p);
  /* A slot per thread: the caller and the pool's workers. */
  unsigned num_slots = model->threads ? model->threads : 1;
  slot *slots = p ? aligned_alloc(64, num_slots * sizeof(slot)) : NULL;
  if (!slots) {
    free(p);
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                       "cannot allocate a profiler for %u threads",
                       num_slots);
  }
  p->base = (strata_executor){sizeof(strata_executor), timed_dispatch,
                              timed_dispatch_group};
  pthread_mutex_init(&p->mutex, NULL);
  p->events = events;
  p->capacity = capacity;
  p->num_slots = num_slots;
  p->slots = slots;
  model->profiler = p;
  return STRATA_OK;
}

size_t strata_model_profile_count(const strata_model *model) {
  return model && model->profiler ? model->profiler->count : 0;
}
