/* runtime/internal.h - private helpers shared by the runtime's C files. */
#ifndef STRATA_RUNTIME_INTERNAL_H
#define STRATA_RUNTIME_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include "strata/runtime.h"

struct strata_model {
  const strata_model_desc *desc;
  /* The caller's reference and one per session (strata_model_free drops
   * one; the last frees). */
  atomic_uint refs;
  void *dl_handle; /* null when wrapping a linked-in descriptor */
  int32_t checksum; /* a strata_checksum_state */
  /* STRATA_OK, or why strata_model_run refuses this model (a library
   * loaded with STRATA_LOAD_INSPECT for a CPU it cannot run on). */
  strata_status runnable;
  char not_runnable[768];
  /* The arena strata_model_run lends to one run at a time (allocated at the
   * first run, freed with the model); a run that finds it busy allocates
   * its own for the duration. */
  void *arena;
  atomic_int arena_busy;
  /* Threads that run the model's dispatches (the caller included), and
   * their pool, created at the first run that needs it. */
  unsigned threads;
  _Atomic(struct strata_pool *) pool;
  /* Profiling (runtime/profile.c): null when off. */
  struct strata_profiler *profiler;
  /* The mapped side file of a model with external weights (weights.c). */
  struct strata_weights *weights;
};

/* runtime/weights.c: external weights (model ABI version 6). */
typedef struct strata_weights strata_weights;
/* Whether the descriptor's weights live in a side file. */
int strata_desc_has_external_weights(const strata_model_desc *desc);
/* Maps the weights file at `path` into desc->weights_slot (or takes another
 * reference to the mapping a model of the same library made), checking its
 * size and, when `verify`, its CRC-32C. */
strata_status strata_weights_attach(const strata_model_desc *desc,
                                    const char *path, int verify,
                                    strata_weights **out);
/* Drops a reference; the last one unmaps and clears the slot. Null is
 * allowed. */
void strata_weights_detach(strata_weights *weights);
/* `file_name` in the directory of `library_path` (malloc'd; null when out
 * of memory). */
char *strata_weights_path_beside(const char *library_path,
                                 const char *file_name);

/* runtime/model.c: another reference, dropped by strata_model_free. */
void strata_model_retain(strata_model *model);

/* runtime/thread_pool.c */
typedef struct strata_pool strata_pool;
/* The CPUs this process may run on (sched_getaffinity), at least 1. */
unsigned strata_default_threads(void);
/* A pool of `workers` threads; null when workers < 1 or no thread starts
 * (dispatches then run on the caller's thread). */
strata_pool *strata_pool_create(unsigned workers);
/* Joins the workers after they have run every queued task. */
void strata_pool_destroy(strata_pool *pool);
/* A unit of queued work: run(task) is called once, on a worker. */
typedef struct strata_task {
  void (*run)(struct strata_task *task);
  struct strata_task *next; /* the pool's */
} strata_task;
void strata_pool_submit(strata_pool *pool, strata_task *task);
/* Tasks queued and not yet taken by a worker (a hint: it may change). */
int strata_pool_queued(strata_pool *pool);
/* Runs fn(bindings, w) for w in [0, grid) on the pool and the caller;
 * in order on the caller when the pool is null or busy. */
void strata_pool_dispatch(strata_pool *pool, strata_workgroup_fn fn,
                          const void *bindings, int64_t grid);
/* Runs `count` independent dispatches as one grid (strata_executor's
 * dispatch_group): the threads share the members' workgroups, with no
 * barrier between members. */
void strata_pool_dispatch_group(strata_pool *pool, uint32_t count,
                                const strata_workgroup_fn *fns,
                                const void *const *bindings,
                                const int64_t *grids);

/* runtime/run.c, shared with the async API (runtime/session.c). */
/* Checks a run's tensors against the model's descriptor; sets *batch (-1
 * when no tensor is batched). */
strata_status strata_check_run(const strata_model *model,
                               const strata_tensor *inputs, size_t num_inputs,
                               const strata_tensor *outputs,
                               size_t num_outputs, int64_t *batch);
/* Calls the entry (once per sample for a batch-loop model) with checked
 * tensors (only their data is read), an arena of the descriptor's
 * arena_bytes, and `pool` for its dispatches (null: in order, here), timed
 * by `profiler` unless it is null. */
struct strata_profiler;
strata_status strata_call_entry(strata_model *model,
                                const strata_tensor *inputs, size_t num_inputs,
                                const strata_tensor *outputs,
                                size_t num_outputs, int64_t batch, void *arena,
                                strata_pool *pool,
                                struct strata_profiler *profiler);
/* The descriptor's arena bytes (0 before ABI 4), and an allocation of that
 * many aligned to STRATA_ARENA_ALIGNMENT (release with free). */
size_t strata_arena_size(const strata_model_desc *desc);
void *strata_allocate_arena(size_t bytes);
/* Checks a caller's arena of `bytes` for the model of `desc`: large
 * enough, not null when it needs one, aligned to STRATA_ARENA_ALIGNMENT.
 * Messages start with `what` ("arena"). */
strata_status strata_check_arena(const strata_model_desc *desc,
                                 const void *arena, uint64_t bytes,
                                 const char *what);

/* CLOCK_MONOTONIC in nanoseconds (runtime/thread_pool.c). */
int64_t strata_now_ns(void);

/* runtime/profile.c */
typedef struct strata_profiler strata_profiler;
/* The executor of a profiled run: `pool`'s dispatches, timed per thread. */
strata_executor *strata_profiler_executor(strata_profiler *profiler,
                                          const strata_model_desc *desc,
                                          strata_pool *pool);
/* Serializes profiled runs and records one "run" event around each. */
void strata_profiler_begin_run(strata_profiler *profiler);
void strata_profiler_end_run(strata_profiler *profiler);
void strata_profiler_free(strata_profiler *profiler);

/* runtime/thread_pool.c: 0 on threads that are no pool's worker, else the
 * worker's number (1, 2, ...) in its pool. */
unsigned strata_worker_number(void);

/* What strata_check_library_file found in a library's file. */
typedef struct library_file {
  uint64_t size;
  int has_note;
  strata_integrity_note note;
  uint64_t crc_offset; /* file offset of note.crc32c */
  uint32_t computed_crc;
  int32_t checksum; /* a strata_checksum_state */
} library_file;

/* Checks a library file before dlopen: its ELF structure (every segment
 * the loader maps lies inside the file), and with `verify` the file size
 * and CRC-32C its integrity note records. STRATA_ERROR_LOAD with a message
 * (without the path) on failure. */
strata_status strata_check_library_file(const char *path, int verify,
                                        library_file *out);

/* Records a printf-style message as this thread's last error and returns
 * `status`, so that callers can write `return strata_fail(...)`. */
strata_status strata_fail(strata_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes "[d0,d1,...]" into buf (truncated to size, always terminated). */
void strata_format_shape(char *buf, size_t size, const int64_t *shape,
                         int32_t rank);

/* STRATA_OK, or STRATA_ERROR_UNSUPPORTED_CPU with a message naming what
 * is missing, when `desc` (ABI >= 3) asks for another architecture than
 * `arch` or for CPU features outside `have`. Parameters rather than the
 * running CPU's, so that tests can pose as other CPUs. */
strata_status strata_check_cpu(const strata_model_desc *desc, uint32_t arch,
                               uint64_t have);

/* A printable name for a possibly null tensor name. */
const char *strata_safe_name(const char *name);

#endif /* STRATA_RUNTIME_INTERNAL_H */
