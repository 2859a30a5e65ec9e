/* strata/runtime.h - load and run a model compiled by strata.
 *
 * A compiled model is native code: loading its library runs the dynamic
 * loader on it, and running the model runs its code. The runtime checks a
 * library file before mapping it (ELF structure, file size, CRC-32C), which
 * turns a truncated or damaged copy into an error instead of a crash or
 * wrong numbers; it does not make an untrusted library safe. Load only
 * libraries you trust.
 *
 * Depends on libc, libdl and nothing else. Every call returns a status code;
 * on failure strata_last_error() returns a message for the calling thread
 * that names the argument at fault (e.g. "input 'x': expected shape
 * [1,3,8,8], got [1,3,8,9]").
 *
 * Two ways to run:
 *  - strata_model_run: synchronous, on the calling thread and the model's
 *    own thread pool;
 *  - the async API (instance, session, fence; the second half of this
 *    header): runs are submitted to an instance's threads and complete
 *    fences that can be waited on, polled, or given a callback.
 */
#ifndef STRATA_RUNTIME_H
#define STRATA_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "strata/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_RUNTIME_API_VERSION 5u

/* Naming: no runtime symbol ends in `_descriptor`. Those names belong to
 * compiled models (`strata_<name>_descriptor`), so no model name can clash
 * with the runtime when both are linked statically. */

typedef enum strata_status {
  STRATA_OK = 0,
  STRATA_ERROR_INVALID_ARGUMENT = 1, /* null pointer, wrong count, shape, dtype */
  STRATA_ERROR_LOAD = 2,             /* dlopen / missing descriptor */
  STRATA_ERROR_ABI = 3,              /* library built for another ABI */
  STRATA_ERROR_EXECUTION = 4,        /* the model's entry reported failure */
  STRATA_ERROR_OUT_OF_MEMORY = 5,
  STRATA_ERROR_UNSUPPORTED_CPU = 6,  /* compiled for features this CPU lacks */
  STRATA_ERROR_TIMEOUT = 7,   /* strata_fence_wait: not done in time */
  STRATA_ERROR_CANCELLED = 8, /* a submission cancelled before it ran */
  STRATA_ERROR_SHUTDOWN = 9,  /* the instance or session was destroyed */
  STRATA_NOT_READY = 10,      /* strata_fence_poll: still queued or running */
} strata_status;

/* A caller-owned view of one tensor: a dense row-major buffer. */
typedef struct strata_tensor {
  void *data;
  int32_t dtype; /* a strata_dtype */
  int32_t rank;
  const int64_t *shape;
} strata_tensor;

typedef struct strata_model strata_model;

/* Message of the last failed call on this thread ("" if none). */
const char *strata_last_error(void);

/* Human-readable name of a status code. */
const char *strata_status_string(strata_status status);

/* Size in bytes of one element of `dtype`, 0 if unknown. */
size_t strata_dtype_size(int32_t dtype);

/* Name of a dtype ("f32", "i64", ...), "unknown" if unknown. */
const char *strata_dtype_name(int32_t dtype);

/* The running machine: its architecture (a strata_arch) and its
 * instruction set extensions as STRATA_CPU_* bits (strata/model_abi.h; x86
 * only, 0 elsewhere), including the OS's support for their registers. A
 * model whose descriptor asks for more is refused at load with
 * STRATA_ERROR_UNSUPPORTED_CPU, before any of its code runs. */
uint32_t strata_cpu_arch(void);
uint64_t strata_cpu_features(void);

/* Writes the names of the STRATA_CPU_* bits in `features` ("avx2, fma")
 * into `buffer` (truncated to `size`, always terminated when size > 0);
 * returns the length of the whole text, as snprintf does. */
size_t strata_cpu_feature_names(uint64_t features, char *buffer, size_t size);

/* Opens a shared library produced by strata-compile (dlopen). `path` is a
 * file path, relative to the working directory or absolute; it is not
 * searched for in the library path. Before the file is mapped, its ELF structure is checked (a truncated copy is an
 * error, not a SIGBUS) and, by default, its checksum: strata-compile
 * records the file's size and CRC-32C in it (model_abi.h, the integrity
 * note), which catches damaged code and weights (a few ms per 100 MB).
 * Then the descriptor is checked, and the CPU's features against the
 * library's (STRATA_ERROR_UNSUPPORTED_CPU). A model compiled with
 * `--weights=external` then maps its weights file (<name>.weights, beside
 * the library), checking its size and checksum the same way.
 *
 * A compiled model is native code: loading a library runs the dynamic
 * loader on it, and running the model runs its code. These checks catch
 * damage, not malice. Load only libraries you trust. */
strata_status strata_model_load(const char *path, strata_model **out_model);

typedef struct strata_load_options {
  uint32_t struct_size; /* sizeof(strata_load_options) */
  uint32_t flags;       /* STRATA_LOAD_* */
  /* Since runtime API version 3: threads that run the model's dispatches,
   * the calling thread included; 0 is the default, one per CPU this
   * process may run on. (A struct_size of 8, the first version's, is still
   * accepted and means 0.) */
  uint32_t threads;
  uint32_t reserved; /* zero */
  /* Since runtime API version 5: where the weights file of a model compiled
   * with `--weights=external` is; null looks for the descriptor's
   * weights_file beside the library (strata_model_load_ex) or in the
   * working directory (strata_model_from_desc_ex). Ignored for models whose
   * weights are linked in. (A struct_size of 16, the previous version's,
   * is still accepted and means null.) */
  const char *weights_path;
} strata_load_options;

/* The most threads a model may be given. */
#define STRATA_MAX_THREADS 1024u

/* Do not verify the file's checksum (its ELF structure is still checked). */
#define STRATA_LOAD_SKIP_CHECKSUM 1u
/* Load to read the descriptor only (tools such as strata-run --info): a
 * library compiled for CPU features this machine lacks loads, and
 * strata_model_run refuses it with the reason. */
#define STRATA_LOAD_INSPECT 2u

/* strata_model_load with options; null options are the defaults. */
strata_status strata_model_load_ex(const char *path,
                                   const strata_load_options *options,
                                   strata_model **out_model);

typedef enum strata_checksum_state {
  STRATA_CHECKSUM_NOT_VERIFIED = 0, /* linked in, or STRATA_LOAD_SKIP_CHECKSUM */
  STRATA_CHECKSUM_OK = 1,
  STRATA_CHECKSUM_ABSENT = 2,   /* no integrity note: a library of ABI < 3 */
  STRATA_CHECKSUM_MISMATCH = 3, /* (never on a loaded model) */
} strata_checksum_state;

/* How the model's file was verified (a strata_checksum_state). */
int32_t strata_model_checksum(const strata_model *model);

/* STRATA_OK if strata_model_run can run the model on this machine, else
 * the status it would fail with (strata_last_error() says why). */
strata_status strata_model_runnable(const strata_model *model);

/* Wraps a descriptor linked into the program (static library use):
 *   strata_model_from_desc(strata_mymodel_descriptor(), &m);
 * A model compiled with `--weights=external` maps its weights file, looked
 * for in the working directory under the descriptor's weights_file name;
 * strata_model_from_desc_ex takes another path. */
strata_status strata_model_from_desc(const strata_model_desc *desc,
                                           strata_model **out_model);

/* strata_model_from_desc with options (threads, weights_path, and
 * STRATA_LOAD_SKIP_CHECKSUM for the weights file); null options are the
 * defaults. */
strata_status strata_model_from_desc_ex(const strata_model_desc *desc,
                                        const strata_load_options *options,
                                        strata_model **out_model);

/* Releases the model (and dlcloses its library). Null is allowed. */
void strata_model_free(strata_model *model);

/* The descriptor: names, dtypes and shapes of inputs and outputs. */
const strata_model_desc *strata_model_desc_of(const strata_model *model);

/* Runs the model synchronously. `inputs` has desc->num_inputs entries and
 * `outputs` desc->num_outputs, in descriptor order, each with the exact
 * dtype and shape of the descriptor and caller-allocated data.
 *
 * The model's intermediate tensors live in its arena
 * (strata_model_arena_bytes), which the model allocates at its first run
 * and keeps until strata_model_free: later runs allocate nothing. Runs of
 * one model from several threads at once are allowed; while one of them
 * holds the model's arena, the others allocate one each for their run. */
strata_status strata_model_run(strata_model *model,
                               const strata_tensor *inputs, size_t num_inputs,
                               const strata_tensor *outputs,
                               size_t num_outputs);

/* Sets the threads that run the model's dispatches, the caller included
 * (0: one per CPU this process may run on, the default; 1: the caller
 * only). Results are bit-identical for every count. Not while a run of the
 * model is in progress. */
strata_status strata_model_set_threads(strata_model *model, uint32_t threads);

/* The threads the model's runs use. */
uint32_t strata_model_threads(const strata_model *model);

/* The bytes of scratch memory one run of the model needs (0 for models of
 * ABI version 3 or older, which allocate their own). Also in the
 * generated header as STRATA_<NAME>_ARENA_BYTES. */
size_t strata_model_arena_bytes(const strata_model *model);

/* strata_model_run with the caller's arena: `arena_bytes` at least
 * strata_model_arena_bytes(model), `arena` aligned to
 * STRATA_ARENA_ALIGNMENT (64) bytes (null allowed when the model needs
 * none). Nothing is allocated on this path. The arena belongs to this run
 * until it returns; its content before and after does not matter. */
strata_status strata_model_run_with_arena(strata_model *model,
                                          const strata_tensor *inputs,
                                          size_t num_inputs,
                                          const strata_tensor *outputs,
                                          size_t num_outputs, void *arena,
                                          size_t arena_bytes);


/* Profiling: a record of every dispatch on every thread. */
typedef struct strata_profile_event {
  /* The dispatch: the ONNX node(s) it computes ("conv1 (Conv) + relu1
   * (Relu)", from models of ABI version 5), "dispatch" for older ones, or
   * "run" for a whole strata_model_run. */
  const char *name;
  int64_t start_ns; /* CLOCK_MONOTONIC; first workgroup's start */
  int64_t end_ns;   /* last workgroup's end on this thread */
  int64_t workgroups; /* of the grid, that this thread ran (0 for a run) */
  /* 0: the thread that called strata_model_run; 1 to threads - 1: the
   * model's pool workers. */
  uint32_t thread;
  /* The same for the events of one dispatch (one per thread that took part
   * in it), counting from 0 in the order the dispatches ran. */
  uint32_t sequence;
} strata_profile_event;

/* Starts recording events of the model's synchronous runs
 * (strata_model_run, strata_model_run_with_arena) into `events`, which
 * holds `capacity` (the caller's, until profiling stops); null stops.
 * Events beyond the capacity are counted, not written. Profiled runs of
 * one model run one at a time. Not while a run of the model is in
 * progress. */
strata_status strata_model_profile(strata_model *model,
                                   strata_profile_event *events,
                                   size_t capacity);

/* Events recorded since profiling started (more than its capacity when
 * some were dropped); 0 when it is off. */
size_t strata_model_profile_count(const strata_model *model);

/* ---------------------------------------------------------------------
 * The async API (runtime API version 4).
 *
 *   strata_instance  a set of threads that run submitted work (one per CPU
 *                    by default); shared by any number of models.
 *   strata_session   one model on one instance, with its own arena. Its
 *                    submissions run one after another, in order; several
 *                    sessions (of one model or of several) run at once.
 *   strata_fence     the completion of one submission: wait with a
 *                    timeout, poll, or a callback.
 *
 * Every call that can fail returns a status, with a message in
 * strata_last_error() on the calling thread. The run's own status and
 * message travel with its fence (strata_fence_wait, strata_fence_poll,
 * strata_fence_message). Destroy and release calls accept null.
 *
 *   strata_instance *inst;  strata_session *sess;  strata_fence *fence;
 *   strata_instance_create(NULL, &inst);
 *   strata_session_create(inst, model, NULL, &sess);
 *   strata_session_submit(sess, inputs, 1, outputs, 1, &fence);
 *   strata_status s = strata_fence_wait(fence, -1);
 *   strata_fence_release(fence);
 *   strata_session_destroy(sess);
 *   strata_instance_destroy(inst);
 * ------------------------------------------------------------------- */

typedef struct strata_instance strata_instance;
typedef struct strata_session strata_session;
typedef struct strata_fence strata_fence;

typedef struct strata_instance_options {
  uint32_t struct_size; /* sizeof(strata_instance_options) */
  /* Threads that run submissions and their dispatches (0: one per CPU this
   * process may run on). A run's dispatches spread over the threads that
   * no other run occupies; with as many runs in flight as threads, each
   * runs on one. */
  uint32_t threads;
} strata_instance_options;

/* Fills the defaults (and struct_size). */
void strata_instance_options_init(strata_instance_options *options);

/* Starts an instance's threads; null options are the defaults. */
strata_status strata_instance_create(const strata_instance_options *options,
                                     strata_instance **out_instance);

/* The threads the instance runs submissions on. */
uint32_t strata_instance_threads(const strata_instance *instance);

/* Shuts the instance down: submissions that have not started complete
 * with STRATA_ERROR_CANCELLED, those running finish, then the threads
 * exit. Sessions still open stay valid handles whose submits fail with
 * STRATA_ERROR_SHUTDOWN; destroy them as usual. Not from a fence
 * callback (it runs on one of the threads this joins). */
void strata_instance_destroy(strata_instance *instance);

typedef struct strata_session_options {
  uint32_t struct_size; /* sizeof(strata_session_options) */
  uint32_t reserved;    /* zero */
  /* The caller's arena for this session's runs (at least
   * strata_model_arena_bytes(model), aligned to STRATA_ARENA_ALIGNMENT),
   * owned by the session until it is destroyed; null: the session
   * allocates one when it is created. */
  void *arena;
  uint64_t arena_bytes;
} strata_session_options;

void strata_session_options_init(strata_session_options *options);

/* A session runs `model` on `instance`. It holds a reference to the model:
 * strata_model_free before strata_session_destroy is allowed, and the
 * model is freed with its last session. */
strata_status strata_session_create(strata_instance *instance,
                                    strata_model *model,
                                    const strata_session_options *options,
                                    strata_session **out_session);

/* Queues one run of the session's model. The tensors are checked now, as
 * strata_model_run checks them, and an error is returned at once; their
 * data must stay valid, and the outputs untouched, until the fence
 * completes. On success *out_fence is a new fence the caller releases. */
strata_status strata_session_submit(strata_session *session,
                                    const strata_tensor *inputs,
                                    size_t num_inputs,
                                    const strata_tensor *outputs,
                                    size_t num_outputs,
                                    strata_fence **out_fence);

/* Cancels the session's submissions that have not started (their fences
 * complete with STRATA_ERROR_CANCELLED), waits for the running one's fence
 * to complete, and frees the session. Fences stay valid until released;
 * a fence callback may still be running when this returns (instance
 * destroy waits for those). Not from a fence callback. */
void strata_session_destroy(strata_session *session);

/* Waits until the fence completes or `timeout_ns` nanoseconds pass (< 0:
 * no limit; 0: do not wait). Returns the run's status (its message in
 * strata_last_error() and strata_fence_message), or STRATA_ERROR_TIMEOUT. */
strata_status strata_fence_wait(strata_fence *fence, int64_t timeout_ns);

/* STRATA_NOT_READY while queued or running, else the run's status. */
strata_status strata_fence_poll(strata_fence *fence);

/* The completed run's message ("" while pending or after success); valid
 * until the fence is released. */
const char *strata_fence_message(const strata_fence *fence);

/* Called once, with the run's status, when the fence completes: on the
 * runtime thread that completed it, or at once on the calling thread when
 * it is already complete. It must be short, and must not wait on fences
 * or destroy the session or the instance (it runs on the thread that
 * would run their work). One callback per fence. */
typedef void (*strata_fence_callback)(strata_fence *fence,
                                      strata_status status, void *user);
strata_status strata_fence_set_callback(strata_fence *fence,
                                        strata_fence_callback callback,
                                        void *user);

/* Asks that the submission not run. One that has not started completes
 * with STRATA_ERROR_CANCELLED once the session's run before it ends; one
 * running or complete is not affected (the fence's status says which
 * happened). STRATA_OK in every case on a valid fence. */
strata_status strata_fence_cancel(strata_fence *fence);

/* Drops the caller's reference; the submission, if still in flight, runs
 * to completion regardless. */
void strata_fence_release(strata_fence *fence);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_RUNTIME_H */
