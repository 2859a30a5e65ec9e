/* runtime/thread_pool.c - runs the workgroups of one dispatch on a fixed
 * set of threads: the caller and `threads - 1` workers, which take
 * workgroup numbers from one atomic counter. Workers spin a little after a
 * dispatch (the next one usually follows within microseconds), then sleep
 * on a condition variable. One dispatch at a time: a caller that finds the
 * pool busy runs its grid itself, so nothing oversubscribes the cores. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

/* About 100 us of polling before a worker sleeps. */
enum { SPIN_ROUNDS = 4096 };

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

struct strata_pool {
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  pthread_t *workers;
  unsigned num_workers;
  int shutdown; /* under mutex */
  /* The current job, written under mutex by the dispatcher; a worker
   * copies it under mutex before it joins. */
  strata_workgroup_fn fn;
  const void *bindings;
  int64_t grid;
  int open; /* workers may join (under mutex) */
  atomic_uint generation;
  atomic_llong next;     /* next workgroup to take */
  atomic_llong finished; /* workgroups done */
  atomic_int active;     /* workers inside the job */
  atomic_flag busy;      /* a dispatch holds the pool */
};

static void run_workgroups(strata_pool *pool, strata_workgroup_fn fn,
                           const void *bindings, int64_t grid) {
  for (;;) {
    int64_t w = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
    if (w >= grid) return;
    fn(bindings, w);
    atomic_fetch_add_explicit(&pool->finished, 1, memory_order_release);
  }
}

static void *worker_main(void *arg) {
  strata_pool *pool = arg;
  unsigned seen = 0;
  for (;;) {
    for (int i = 0; i < SPIN_ROUNDS; ++i) {
      if (atomic_load_explicit(&pool->generation, memory_order_acquire) !=
          seen)
        break;
      cpu_relax();
    }
    pthread_mutex_lock(&pool->mutex);
    while (!pool->shutdown && atomic_load(&pool->generation) == seen)
      pthread_cond_wait(&pool->wake, &pool->mutex);
    if (pool->shutdown) {
      pthread_mutex_unlock(&pool->mutex);
      return NULL;
    }
    seen = atomic_load(&pool->generation);
    if (!pool->open) { /* finished before this worker woke */
      pthread_mutex_unlock(&pool->mutex);
      continue;
    }
    strata_workgroup_fn fn = pool->fn;
    const void *bindings = pool->bindings;
    int64_t grid = pool->grid;
    atomic_fetch_add(&pool->active, 1);
    pthread_mutex_unlock(&pool->mutex);
    run_workgroups(pool, fn, bindings, grid);
    atomic_fetch_sub_explicit(&pool->active, 1, memory_order_release);
  }
}

unsigned strata_default_threads(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0) return (unsigned)count;
  }
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? (unsigned)online : 1u;
}

strata_pool *strata_pool_create(unsigned threads) {
  if (threads < 2) return NULL;
  strata_pool *pool = calloc(1, sizeof *pool);
  if (!pool) return NULL;
  pool->workers = calloc(threads - 1, sizeof *pool->workers);
  if (!pool->workers) {
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->wake, NULL);
  atomic_flag_clear(&pool->busy);
  for (unsigned i = 0; i + 1 < threads; ++i) {
    if (pthread_create(&pool->workers[i], NULL, worker_main, pool) != 0)
      break; /* fewer workers: still correct */
    pool->num_workers = i + 1;
  }
  return pool;
}

void strata_pool_destroy(strata_pool *pool) {
  if (!pool) return;
  pthread_mutex_lock(&pool->mutex);
  pool->shutdown = 1;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  for (unsigned i = 0; i < pool->num_workers; ++i)
    pthread_join(pool->workers[i], NULL);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->mutex);
  free(pool->workers);
  free(pool);
}

static void run_in_order(strata_workgroup_fn fn, const void *bindings,
                         int64_t grid) {
  for (int64_t w = 0; w < grid; ++w) fn(bindings, w);
}

void strata_pool_dispatch(strata_pool *pool, strata_workgroup_fn fn,
                          const void *bindings, int64_t grid) {
  if (!pool || pool->num_workers == 0 || grid < 2 ||
      atomic_flag_test_and_set_explicit(&pool->busy, memory_order_acquire)) {
    run_in_order(fn, bindings, grid);
    return;
  }
  pthread_mutex_lock(&pool->mutex);
  pool->fn = fn;
  pool->bindings = bindings;
  pool->grid = grid;
  atomic_store(&pool->next, 0);
  atomic_store(&pool->finished, 0);
  pool->open = 1;
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);

  run_workgroups(pool, fn, bindings, grid);
  for (unsigned spins = 0;
       atomic_load_explicit(&pool->finished, memory_order_acquire) < grid;
       ++spins)
    if (spins % 1024 == 1023) sched_yield(); else cpu_relax();
  /* No worker joins from now on; wait for those inside to leave, so that
   * none takes a workgroup number of the next dispatch. */
  pthread_mutex_lock(&pool->mutex);
  pool->open = 0;
  pthread_mutex_unlock(&pool->mutex);
  while (atomic_load_explicit(&pool->active, memory_order_acquire) > 0)
    cpu_relax();
  atomic_flag_clear_explicit(&pool->busy, memory_order_release);
}
