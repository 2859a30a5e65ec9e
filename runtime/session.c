/* runtime/session.c - the async API: instances (a thread pool that runs
 * submitted work), sessions (one model on one instance, with its own
 * arena, running its submissions in order) and fences (the completion of
 * one submission).
 *
 * A session hands the pool one submission at a time; the worker that
 * finishes it hands over the next, so a session's runs never overlap and
 * its arena needs no lock. Lock order: instance, session, pool; a fence's
 * lock is taken alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

enum fence_state { FENCE_QUEUED, FENCE_RUNNING, FENCE_DONE };

struct strata_fence {
  atomic_uint refs; /* the caller's and the submission's */
  pthread_mutex_t mutex;
  pthread_cond_t done; /* on CLOCK_MONOTONIC */
  int state; /* an enum fence_state; the rest under mutex too */
  int cancel;
  strata_status status;
  strata_fence_callback callback;
  void *user;
  char message[1024];
};

typedef struct submission {
  strata_task task; /* first: the pool hands it back to run_submission */
  strata_session *session;
  strata_fence *fence;
  int64_t batch;
  size_t num_inputs, num_outputs;
  struct submission *next; /* the session's queue */
  strata_tensor tensors[]; /* the inputs, then the outputs (data only) */
} submission;

struct strata_instance {
  strata_pool *pool;
  unsigned threads;
  pthread_mutex_t mutex;
  strata_session *sessions; /* open ones, linked through next/prev */
  int destroying;           /* strata_instance_destroy has begun */
  int destroyed;            /* ... and joined the threads */
};

struct strata_session {
  strata_instance *instance;
  strata_model *model;
  void *arena;
  int owns_arena;
  pthread_mutex_t mutex;
  pthread_cond_t idle;
  submission *head, *tail; /* waiting for the one running */
  int running;             /* one submission is in the pool */
  const char *closed;      /* why submits are refused, or null */
  strata_session *prev, *next;
};

/* ------------------------------------------------------------- fences */

static strata_fence *fence_create(void) {
  strata_fence *fence = calloc(1, sizeof *fence);
  if (!fence) return NULL;
  atomic_init(&fence->refs, 2);
  pthread_mutex_init(&fence->mutex, NULL);
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&fence->done, &attr);
  pthread_condattr_destroy(&attr);
  return fence;
}

void strata_fence_release(strata_fence *fence) {
  if (!fence || atomic_fetch_sub(&fence->refs, 1) != 1) return;
  pthread_cond_destroy(&fence->done);
  pthread_mutex_destroy(&fence->mutex);
  free(fence);
}

/* Completes the fence; returns its callback (called by the caller, after
 * whatever must happen before it). */
static strata_fence_callback fence_mark_done(strata_fence *fence,
                                             strata_status status,
                                             const char *message) {
  pthread_mutex_lock(&fence->mutex);
  fence->state = FENCE_DONE;
  fence->status = status;
  snprintf(fence->message, sizeof fence->message, "%s", message);
  strata_fence_callback callback = fence->callback;
  pthread_cond_broadcast(&fence->done);
  pthread_mutex_unlock(&fence->mutex);
  return callback;
}

static void fence_complete(strata_fence *fence, strata_status status,
                           const char *message) {
  strata_fence_callback callback = fence_mark_done(fence, status, message);
  if (callback) callback(fence, status, fence->user);
}

/* The completed fence's status, with its message as this thread's error. */
static strata_status fence_result(strata_fence *fence) {
  return strata_fail(fence->status, "%s", fence->message);
}

strata_status strata_fence_wait(strata_fence *fence, int64_t timeout_ns) {
  if (!fence) return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "fence is null");
  struct timespec deadline;
  if (timeout_ns > 0) {
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    int64_t seconds = timeout_ns / 1000000000;
    deadline.tv_sec += seconds;
    deadline.tv_nsec += timeout_ns - seconds * 1000000000;
    if (deadline.tv_nsec >= 1000000000) {
      deadline.tv_sec += 1;
      deadline.tv_nsec -= 1000000000;
    }
  }
  pthread_mutex_lock(&fence->mutex);
  while (fence->state != FENCE_DONE && timeout_ns != 0) {
    if (timeout_ns < 0) {
      pthread_cond_wait(&fence->done, &fence->mutex);
    } else if (pthread_cond_timedwait(&fence->done, &fence->mutex,
                                      &deadline) == ETIMEDOUT) {
      break;
    }
  }
  strata_status status =
      fence->state == FENCE_DONE
          ? fence_result(fence)
          : strata_fail(STRATA_ERROR_TIMEOUT,
                        "fence: the submission is still %s after %lld ns",
                        fence->state == FENCE_QUEUED ? "queued" : "running",
                        (long long)timeout_ns);
  pthread_mutex_unlock(&fence->mutex);
  return status;
}

strata_status strata_fence_poll(strata_fence *fence) {
  if (!fence) return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "fence is null");
  pthread_mutex_lock(&fence->mutex);
  strata_status status =
      fence->state == FENCE_DONE
          ? fence_result(fence)
          : strata_fail(STRATA_NOT_READY, "fence: the submission is still %s",
                        fence->state == FENCE_QUEUED ? "queued" : "running");
  pthread_mutex_unlock(&fence->mutex);
  return status;
}

const char *strata_fence_message(const strata_fence *fence) {
  if (!fence) return "";
  /* Written once, before state becomes DONE under the mutex. */
  strata_fence *mutable_fence = (strata_fence *)fence;
  pthread_mutex_lock(&mutable_fence->mutex);
  const char *message = fence->state == FENCE_DONE ? fence->message : "";
  pthread_mutex_unlock(&mutable_fence->mutex);
  return message;
}

strata_status strata_fence_set_callback(strata_fence *fence,
                                        strata_fence_callback callback,
                                        void *user) {
  if (!fence) return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "fence is null");
  if (!callback)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "callback is null");
  pthread_mutex_lock(&fence->mutex);
  if (fence->callback) {
    pthread_mutex_unlock(&fence->mutex);
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "fence: it already has a callback");
  }
  fence->callback = callback;
  fence->user = user;
  int done = fence->state == FENCE_DONE;
  strata_status status = fence->status;
  pthread_mutex_unlock(&fence->mutex);
  if (done) callback(fence, status, user);
  return STRATA_OK;
}

strata_status strata_fence_cancel(strata_fence *fence) {
  if (!fence) return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "fence is null");
  pthread_mutex_lock(&fence->mutex);
  if (fence->state == FENCE_QUEUED) fence->cancel = 1;
  pthread_mutex_unlock(&fence->mutex);
  return STRATA_OK;
}

/* ---------------------------------------------------------- instances */

void strata_instance_options_init(strata_instance_options *options) {
  if (!options) return;
  memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
}

strata_status strata_instance_create(const strata_instance_options *options,
                                     strata_instance **out_instance) {
  if (!out_instance)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "out_instance is null");
  *out_instance = NULL;
  strata_instance_options defaults;
  strata_instance_options_init(&defaults);
  if (!options) options = &defaults;
  if (options->struct_size != sizeof *options)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "instance options: struct_size %u, expected %zu "
                       "(call strata_instance_options_init)",
                       options->struct_size, sizeof *options);
  if (options->threads > STRATA_MAX_THREADS)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "instance options: threads %u, at most %u",
                       options->threads, STRATA_MAX_THREADS);
  strata_instance *instance = calloc(1, sizeof *instance);
  if (!instance)
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                       "cannot allocate an instance");
  instance->threads =
      options->threads ? options->threads : strata_default_threads();
  instance->pool = strata_pool_create(instance->threads);
  if (!instance->pool) {
    free(instance);
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                       "cannot start the instance's %u threads",
                       instance->threads);
  }
  pthread_mutex_init(&instance->mutex, NULL);
  *out_instance = instance;
  return STRATA_OK;
}

uint32_t strata_instance_threads(const strata_instance *instance) {
  return instance ? instance->threads : 0;
}

static void free_instance(strata_instance *instance) {
  pthread_mutex_destroy(&instance->mutex);
  free(instance);
}

static void cancel_all(submission *list, const char *why);

/* Refuses further submits and cancels the session's queue. */
static void close_session(strata_session *session, const char *why) {
  pthread_mutex_lock(&session->mutex);
  if (!session->closed) session->closed = why;
  submission *queued = session->head;
  session->head = session->tail = NULL;
  pthread_mutex_unlock(&session->mutex);
  cancel_all(queued, why);
}

void strata_instance_destroy(strata_instance *instance) {
  if (!instance) return;
  pthread_mutex_lock(&instance->mutex);
  instance->destroying = 1;
  for (strata_session *s = instance->sessions; s; s = s->next)
    close_session(s, "its instance was destroyed");
  pthread_mutex_unlock(&instance->mutex);
  /* Runs what the pool holds (each sees its session closed and cancels,
   * unless it had started) and joins the threads. */
  strata_pool_destroy(instance->pool);
  pthread_mutex_lock(&instance->mutex);
  instance->pool = NULL;
  instance->destroyed = 1;
  int last = instance->sessions == NULL;
  pthread_mutex_unlock(&instance->mutex);
  if (last) free_instance(instance);
}

/* ----------------------------------------------------------- sessions */

void strata_session_options_init(strata_session_options *options) {
  if (!options) return;
  memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
}

/* The session's arena: the caller's (checked) or a new one. */
static strata_status session_arena(strata_session *session,
                                   const strata_session_options *options) {
  const char *name = strata_safe_name(session->model->desc->model_name);
  size_t need = strata_arena_size(session->model->desc);
  if (options->arena || options->arena_bytes) {
    strata_status status =
        strata_check_arena(session->model->desc, options->arena,
                           options->arena_bytes, "session options: arena");
    if (status == STRATA_OK) session->arena = need > 0 ? options->arena : NULL;
    return status;
  }
  if (need == 0) return STRATA_OK;
  session->arena = strata_allocate_arena(need);
  if (!session->arena)
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                       "model '%s': cannot allocate a session arena of %zu "
                       "bytes",
                       name, need);
  session->owns_arena = 1;
  return STRATA_OK;
}

strata_status strata_session_create(strata_instance *instance,
                                    strata_model *model,
                                    const strata_session_options *options,
                                    strata_session **out_session) {
  if (!out_session)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "out_session is null");
  *out_session = NULL;
  if (!instance)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "instance is null");
  if (!model || !model->desc)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "model is null");
  strata_status status = strata_model_runnable(model);
  if (status != STRATA_OK) return status;
  strata_session_options defaults;
  strata_session_options_init(&defaults);
  if (!options) options = &defaults;
  if (options->struct_size != sizeof *options)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "session options: struct_size %u, expected %zu "
                       "(call strata_session_options_init)",
                       options->struct_size, sizeof *options);
  strata_session *session = calloc(1, sizeof *session);
  if (!session)
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY, "cannot allocate a session");
  session->model = model;
  status = session_arena(session, options);
  if (status != STRATA_OK) {
    free(session);
    return status;
  }
  session->instance = instance;
  pthread_mutex_init(&session->mutex, NULL);
  pthread_cond_init(&session->idle, NULL);
  pthread_mutex_lock(&instance->mutex);
  if (instance->destroying) {
    pthread_mutex_unlock(&instance->mutex);
    pthread_cond_destroy(&session->idle);
    pthread_mutex_destroy(&session->mutex);
    if (session->owns_arena) free(session->arena);
    free(session);
    return strata_fail(STRATA_ERROR_SHUTDOWN,
                       "instance: it is destroyed (or being destroyed)");
  }
  session->next = instance->sessions;
  if (instance->sessions) instance->sessions->prev = session;
  instance->sessions = session;
  pthread_mutex_unlock(&instance->mutex);
  strata_model_retain(model);
  *out_session = session;
  return STRATA_OK;
}

void strata_session_destroy(strata_session *session) {
  if (!session) return;
  close_session(session, "its session was destroyed");
  pthread_mutex_lock(&session->mutex);
  while (session->running) pthread_cond_wait(&session->idle, &session->mutex);
  pthread_mutex_unlock(&session->mutex);

  strata_instance *instance = session->instance;
  pthread_mutex_lock(&instance->mutex);
  if (session->prev) session->prev->next = session->next;
  else instance->sessions = session->next;
  if (session->next) session->next->prev = session->prev;
  int free_it = instance->destroyed && !instance->sessions;
  pthread_mutex_unlock(&instance->mutex);
  if (free_it) free_instance(instance);

  if (session->owns_arena) free(session->arena);
  strata_model_free(session->model);
  pthread_cond_destroy(&session->idle);
  pthread_mutex_destroy(&session->mutex);
  free(session);
}

/* -------------------------------------------------------- submissions */

static void free_submission(submission *sub) {
  strata_fence_release(sub->fence);
  free(sub);
}

static void cancel_all(submission *list, const char *why) {
  while (list) {
    submission *next = list->next;
    char message[128];
    snprintf(message, sizeof message, "cancelled: %s", why);
    fence_complete(list->fence, STRATA_ERROR_CANCELLED, message);
    free_submission(list);
    list = next;
  }
}

/* Runs one submission on a pool worker, then the session's next one: on
 * this thread while no other task waits for one (the run's data is in
 * this core's caches), else through the pool's queue. */
static void run_submission(strata_task *task) {
  for (submission *sub = (submission *)task; sub;) {
    strata_session *session = sub->session;
    strata_fence *fence = sub->fence;

    pthread_mutex_lock(&session->mutex);
    const char *closed = session->closed;
    pthread_mutex_unlock(&session->mutex);
    pthread_mutex_lock(&fence->mutex);
    int cancelled = fence->cancel || closed;
    if (!cancelled) fence->state = FENCE_RUNNING;
    pthread_mutex_unlock(&fence->mutex);

    strata_status status = STRATA_ERROR_CANCELLED;
    char message[1024] = "";
    if (cancelled) {
      snprintf(message, sizeof message, "cancelled: %s",
               closed ? closed : "strata_fence_cancel before it ran");
    } else {
      status = strata_call_entry(session->model, sub->tensors,
                                 sub->num_inputs,
                                 sub->tensors + sub->num_inputs,
                                 sub->num_outputs, sub->batch, session->arena,
                                 session->instance->pool, NULL);
      if (status != STRATA_OK)
        snprintf(message, sizeof message, "%s", strata_last_error());
    }

    /* The fence completes before the session lets go of the run, so that
     * a destroyed session has no fence in flight. */
    strata_fence_callback callback = fence_mark_done(fence, status, message);
    strata_pool *pool = session->instance->pool;
    pthread_mutex_lock(&session->mutex);
    submission *next = session->head;
    if (next) {
      session->head = next->next;
      if (!session->head) session->tail = NULL;
      if (strata_pool_queued(pool) > 0) {
        strata_pool_submit(pool, &next->task);
        next = NULL;
      }
    } else {
      session->running = 0;
      pthread_cond_broadcast(&session->idle);
    }
    pthread_mutex_unlock(&session->mutex);

    if (callback) callback(fence, status, fence->user);
    free_submission(sub);
    sub = next;
  }
}

strata_status strata_session_submit(strata_session *session,
                                    const strata_tensor *inputs,
                                    size_t num_inputs,
                                    const strata_tensor *outputs,
                                    size_t num_outputs,
                                    strata_fence **out_fence) {
  if (!out_fence)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "out_fence is null");
  *out_fence = NULL;
  if (!session)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "session is null");
  int64_t batch;
  strata_status status = strata_check_run(session->model, inputs, num_inputs,
                                          outputs, num_outputs, &batch);
  if (status != STRATA_OK) return status;

  size_t count = num_inputs + num_outputs;
  submission *sub = malloc(sizeof *sub + count * sizeof(strata_tensor));
  strata_fence *fence = sub ? fence_create() : NULL;
  if (!fence) {
    free(sub);
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                       "cannot allocate a submission");
  }
  sub->task.run = run_submission;
  sub->session = session;
  sub->fence = fence;
  sub->batch = batch;
  sub->num_inputs = num_inputs;
  sub->num_outputs = num_outputs;
  sub->next = NULL;
  for (size_t i = 0; i < count; ++i) {
    const strata_tensor *t = i < num_inputs ? &inputs[i]
                                            : &outputs[i - num_inputs];
    sub->tensors[i] = (strata_tensor){t->data, t->dtype, t->rank, NULL};
  }

  pthread_mutex_lock(&session->mutex);
  if (session->closed) {
    const char *why = session->closed;
    pthread_mutex_unlock(&session->mutex);
    free(sub);
    strata_fence_release(fence);
    strata_fence_release(fence);
    return strata_fail(STRATA_ERROR_SHUTDOWN, "session: %s", why);
  }
  if (session->running) {
    if (session->tail) session->tail->next = sub;
    else session->head = sub;
    session->tail = sub;
  } else {
    session->running = 1;
    strata_pool_submit(session->instance->pool, &sub->task);
  }
  pthread_mutex_unlock(&session->mutex);
  *out_fence = fence;
  return STRATA_OK;
}
