/* runtime/thread_pool.c - a fixed set of worker threads that run two kinds
 * of work: the workgroups of one dispatch at a time, which the dispatching
 * thread and the idle workers take from one atomic counter, and queued
 * tasks (whole runs submitted through the async API), one worker each.
 * Workers spin a little after a dispatch (the next one usually follows
 * within microseconds), then sleep on a condition variable. A dispatcher
 * that finds the pool busy runs its grid itself, so nothing oversubscribes
 * the cores; a worker inside a task helps with no other grid. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* How long an idle worker polls before it sleeps. Measured on a 2-core
 * VM: waking a sleeping worker costs tens of microseconds, which a model
 * with small dispatches pays at each one (a 32x32 CNN ran no faster on 2
 * threads than on 1 with 4096 pauses of polling, about 10 us there, and
 * 1.7x faster with this). A count of pauses says little: their latency
 * differs tenfold between CPUs. */
enum { SPIN_NS = 200 * 1000, PAUSES_PER_CLOCK_READ = 64 };

int64_t strata_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

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
  /* Queued tasks, first in first out (under mutex). */
  strata_task *tasks_head, *tasks_tail;
  atomic_int queued;
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

/* Work for a worker: a new open dispatch or a queued task. */
static int has_work(strata_pool *pool, unsigned seen) {
  return atomic_load_explicit(&pool->generation, memory_order_acquire) !=
             seen ||
         atomic_load_explicit(&pool->queued, memory_order_acquire) > 0;
}

static _Thread_local unsigned worker_number;

unsigned strata_worker_number(void) { return worker_number; }

typedef struct worker_start {
  strata_pool *pool;
  unsigned number;
} worker_start;

static void *worker_main(void *arg) {
  worker_start start = *(worker_start *)arg;
  free(arg);
  strata_pool *pool = start.pool;
  worker_number = start.number;
  unsigned seen = atomic_load(&pool->generation);
  for (;;) {
    int64_t give_up = strata_now_ns() + SPIN_NS;
    for (int i = 1; !has_work(pool, seen); ++i) {
      cpu_relax();
      if (i % PAUSES_PER_CLOCK_READ == 0 && strata_now_ns() > give_up)
        break;
    }
    pthread_mutex_lock(&pool->mutex);
    while (!pool->shutdown && !has_work(pool, seen))
      pthread_cond_wait(&pool->wake, &pool->mutex);
    if (atomic_load(&pool->generation) != seen) {
      seen = atomic_load(&pool->generation);
      if (pool->open) { /* else it finished before this worker woke */
        strata_workgroup_fn fn = pool->fn;
        const void *bindings = pool->bindings;
        int64_t grid = pool->grid;
        atomic_fetch_add(&pool->active, 1);
        pthread_mutex_unlock(&pool->mutex);
        run_workgroups(pool, fn, bindings, grid);
        atomic_fetch_sub_explicit(&pool->active, 1, memory_order_release);
        continue;
      }
    }
    strata_task *task = pool->tasks_head;
    if (task) {
      pool->tasks_head = task->next;
      if (!pool->tasks_head) pool->tasks_tail = NULL;
      atomic_fetch_sub(&pool->queued, 1);
      pthread_mutex_unlock(&pool->mutex);
      task->run(task);
      continue;
    }
    /* Shutdown leaves no queued task behind: the loop drains them. */
    int done = pool->shutdown;
    pthread_mutex_unlock(&pool->mutex);
    if (done) return NULL;
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

strata_pool *strata_pool_create(unsigned workers) {
  if (workers < 1) return NULL;
  strata_pool *pool = calloc(1, sizeof *pool);
  if (!pool) return NULL;
  pool->workers = calloc(workers, sizeof *pool->workers);
  if (!pool->workers) {
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->wake, NULL);
  atomic_flag_clear(&pool->busy);
  for (unsigned i = 0; i < workers; ++i) {
    worker_start *start = malloc(sizeof *start);
    if (!start) break;
    *start = (worker_start){pool, i + 1};
    if (pthread_create(&pool->workers[i], NULL, worker_main, start) != 0) {
      free(start);
      break; /* fewer workers: still correct */
    }
    pool->num_workers = i + 1;
  }
  if (pool->num_workers == 0) {
    strata_pool_destroy(pool);
    return NULL;
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

void strata_pool_submit(strata_pool *pool, strata_task *task) {
  task->next = NULL;
  pthread_mutex_lock(&pool->mutex);
  if (pool->tasks_tail)
    pool->tasks_tail->next = task;
  else
    pool->tasks_head = task;
  pool->tasks_tail = task;
  atomic_fetch_add(&pool->queued, 1);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
}

int strata_pool_queued(strata_pool *pool) {
  return atomic_load_explicit(&pool->queued, memory_order_relaxed);
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

/* The members of a group as one grid: workgroup w of it is workgroup
 * w - start[i] of member i. Members are few (strata-group-dispatches makes
 * at most 8 by default), so a linear search finds i. */
enum { GROUP_MAX = 64 };
typedef struct group_job {
  const strata_workgroup_fn *fns;
  const void *const *bindings;
  int64_t start[GROUP_MAX + 1];
} group_job;

static void group_workgroup(const void *context, int64_t w) {
  const group_job *g = context;
  uint32_t i = 0;
  while (w >= g->start[i + 1]) ++i;
  g->fns[i](g->bindings[i], w - g->start[i]);
}

void strata_pool_dispatch_group(strata_pool *pool, uint32_t count,
                                const strata_workgroup_fn *fns,
                                const void *const *bindings,
                                const int64_t *grids) {
  if (count > GROUP_MAX) {
    for (uint32_t i = 0; i < count; ++i)
      strata_pool_dispatch(pool, fns[i], bindings[i], grids[i]);
    return;
  }
  group_job g;
  g.fns = fns;
  g.bindings = bindings;
  g.start[0] = 0;
  for (uint32_t i = 0; i < count; ++i)
    g.start[i + 1] = g.start[i] + (grids[i] > 0 ? grids[i] : 0);
  strata_pool_dispatch(pool, group_workgroup, &g, g.start[count]);
}
