/* test/unit/fake_model.c - a hand-written stand-in for a compiled model
 * library: sum = a + b over f32 [2,3]. Besides the standard descriptor it
 * exports a descriptor with a wrong ABI version, one whose entry fails and
 * one with more buffers than the runtime keeps on its stack, an ABI
 * version 1 one, and one whose input `b` is pinned, which the runtime tests
 * fetch with dlsym. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, under -std=c11 */
#include "strata/model_abi.h"

#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

static const int64_t shape23[] = {2, 3};

static const strata_tensor_desc inputs[] = {
    {"a", STRATA_DTYPE_F32, 2, shape23},
    {"b", STRATA_DTYPE_F32, 2, shape23},
};
static const strata_tensor_desc outputs[] = {
    {"sum", STRATA_DTYPE_F32, 2, shape23},
};

static int32_t add_entry(void **buffers) {
  const float *a = buffers[0], *b = buffers[1];
  float *sum = buffers[2];
  for (int i = 0; i < 6; ++i) sum[i] = a[i] + b[i];
  return 0;
}

static int32_t failing_entry(void **buffers) {
  (void)buffers;
  return 7;
}

/* Portable C: no architecture or CPU feature to check, and no arena. */
#define NOTARGET 0, 0, STRATA_ARCH_ANY, 0, 0, 0

/* Weak, as in libraries produced by strata-compile. */
EXPORT __attribute__((weak)) const strata_model_desc strata_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_add", inputs, outputs, add_entry, 0, NOTARGET};

EXPORT const strata_model_desc strata_fake_bad_abi_descriptor = {
    999, 2, 1, 0, "fake_bad_abi", inputs, outputs, add_entry, 0, NOTARGET};

EXPORT const strata_model_desc strata_fake_failing_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_failing", inputs, outputs,
    failing_entry, 0, NOTARGET};

/* total = sum of 20 i32 scalars (rank 0). */
enum { WIDE_INPUTS = 20 };
#define SCALAR(name) {#name, STRATA_DTYPE_I32, 0, 0}
static const strata_tensor_desc scalar_inputs[WIDE_INPUTS] = {
    SCALAR(x0),  SCALAR(x1),  SCALAR(x2),  SCALAR(x3),  SCALAR(x4),
    SCALAR(x5),  SCALAR(x6),  SCALAR(x7),  SCALAR(x8),  SCALAR(x9),
    SCALAR(x10), SCALAR(x11), SCALAR(x12), SCALAR(x13), SCALAR(x14),
    SCALAR(x15), SCALAR(x16), SCALAR(x17), SCALAR(x18), SCALAR(x19),
};
static const strata_tensor_desc scalar_output[] = {SCALAR(total)};

static int32_t wide_entry(void **buffers) {
  int32_t total = 0;
  for (int i = 0; i < WIDE_INPUTS; ++i) total += *(const int32_t *)buffers[i];
  *(int32_t *)buffers[WIDE_INPUTS] = total;
  return 0;
}

EXPORT const strata_model_desc strata_fake_wide_descriptor = {
    STRATA_MODEL_ABI_VERSION, WIDE_INPUTS, 1, 0, "fake_wide", scalar_inputs,
    scalar_output, wide_entry, 0, NOTARGET};

/* A batch-loop model: twice = 2 * x per sample, x and twice [-1, 3], plus
 * an unbatched input `bias` [3] shared by every sample (added once). The
 * entry sees one sample; the runtime calls it once per sample. */
static const int64_t batched3[] = {-1, 3};
static const int64_t plain3[] = {3};
static const strata_tensor_desc batch_inputs[] = {
    {"x", STRATA_DTYPE_F32, 2, batched3},
    {"bias", STRATA_DTYPE_F32, 1, plain3},
};
static const strata_tensor_desc batch_outputs[] = {
    {"twice", STRATA_DTYPE_F32, 2, batched3},
};

static int32_t batch_entry(void **buffers) {
  const float *x = buffers[0], *bias = buffers[1];
  float *twice = buffers[2];
  for (int i = 0; i < 3; ++i) twice[i] = 2.0f * x[i] + bias[i];
  return 0;
}

EXPORT const strata_model_desc strata_fake_batch_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, STRATA_MODEL_FLAG_BATCH_LOOP, "fake_batch",
    batch_inputs, batch_outputs, batch_entry, 0, NOTARGET};

/* The same tensors without the flag: -1 is then invalid. */
EXPORT const strata_model_desc strata_fake_unflagged_batch_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_unflagged", batch_inputs,
    batch_outputs, batch_entry, 0, NOTARGET};

/* ABI version 1 had no pinned_inputs: the runtime must not read it. */
EXPORT const strata_model_desc strata_fake_v1_descriptor = {
    1, 2, 1, 0, "fake_v1", inputs, outputs, add_entry,
    (const void *const *)1 /* never read */, NOTARGET};

/* Input `b` was pinned to 0.5 * i at compile time. */
static const float pinned_b[6] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f};
static const void *const pinned_add_inputs[] = {0, pinned_b};
EXPORT const strata_model_desc strata_fake_pinned_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_pinned", inputs, outputs,
    add_entry, pinned_add_inputs, NOTARGET};

/* ABI version 3 records the target. Bit 63 is no feature any CPU has, so
 * this model must be refused; the code itself is portable C. */
EXPORT const strata_model_desc strata_fake_future_cpu_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_future_cpu", inputs, outputs,
    add_entry, 0, "future", "cpu-of-2040", STRATA_ARCH_X86_64, 0,
    (uint64_t)1 << 63, 0};
EXPORT const strata_model_desc strata_fake_other_arch_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_other_arch", inputs, outputs,
    add_entry, 0, "elsewhere", "elsewhere", 77, 0, 0, 0};

/* ABI version 4: the entry takes an arena after the outputs. This one
 * computes a + b into the arena and copies it out, after checking that the
 * arena is there, aligned, and holds what it needs (12 floats: 6 for the
 * sum, 6 it fills and checks, so that two runs sharing one arena at the
 * same time would be caught by a stress test). */
static int32_t arena_entry(void **buffers) {
  const float *a = buffers[0], *b = buffers[1];
  float *sum = buffers[2], *arena = buffers[3];
  if (!arena || (uintptr_t)arena % STRATA_ARENA_ALIGNMENT != 0) return 9;
  for (int i = 0; i < 6; ++i) arena[i] = a[i] + b[i];
  for (int i = 0; i < 6; ++i) arena[6 + i] = a[i];
  for (int round = 0; round < 100; ++round)
    for (int i = 0; i < 6; ++i)
      if (arena[6 + i] != a[i] || arena[i] != a[i] + b[i]) return 10;
  for (int i = 0; i < 6; ++i) sum[i] = arena[i];
  return 0;
}
EXPORT const strata_model_desc strata_fake_arena_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_arena", inputs, outputs,
    arena_entry, 0, 0, 0, STRATA_ARCH_ANY, 0, 0, 12 * sizeof(float)};

/* ABI version 4 with dispatches: sum = a + b as a grid of 6 workgroups of
 * one element each, handed to the executor (or run in order when it is
 * null, as a compiled model's launch does). Each workgroup also spins a
 * little, so that a pool of several threads really shares the grid. */
struct grid_bindings {
  const float *a, *b;
  float *sum;
};

static void grid_workgroup(const void *bindings, int64_t w) {
  const struct grid_bindings *g = bindings;
  volatile float acc = 0.0f;
  for (int i = 0; i < 2000; ++i) acc += 1.0f;
  g->sum[w] = g->a[w] + g->b[w] + (acc - 2000.0f);
}

static int32_t grid_entry(void **buffers) {
  struct grid_bindings g = {buffers[0], buffers[1], buffers[2]};
  strata_executor *executor = buffers[4];
  if (executor) {
    if (executor->struct_size < sizeof(strata_executor)) return 11;
    executor->dispatch(executor, grid_workgroup, &g, 6);
  } else {
    for (int64_t w = 0; w < 6; ++w) grid_workgroup(&g, w);
  }
  return 0;
}
/* ABI version 5 names the dispatches, for profiles. */
static const strata_dispatch_info grid_dispatches[] = {
    {grid_workgroup, "sum (Add)"}};
EXPORT const strata_model_desc strata_fake_grid_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_grid", inputs, outputs,
    grid_entry, 0, 0, 0, STRATA_ARCH_ANY, 0, 0, 0, 1, 0, grid_dispatches};

/* A gated sum = a + b for the async tests: its entry counts itself in,
 * then waits until the test opens the gate (strata_fake_gate_set), so that
 * a test can hold a run in flight for as long as it needs. */
#include <stdatomic.h>
#include <time.h>

static atomic_int gate_open = 1;
static atomic_int gate_entered;

EXPORT void strata_fake_gate_set(int open) { atomic_store(&gate_open, open); }
EXPORT int strata_fake_gate_entered(void) { return atomic_load(&gate_entered); }
EXPORT void strata_fake_gate_reset(void) { atomic_store(&gate_entered, 0); }

static int32_t gate_entry(void **buffers) {
  atomic_fetch_add(&gate_entered, 1);
  struct timespec pause = {0, 100000};
  while (!atomic_load(&gate_open)) nanosleep(&pause, 0);
  return add_entry(buffers);
}
EXPORT const strata_model_desc strata_fake_gate_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_gate", inputs, outputs,
    gate_entry, 0, NOTARGET};

/* ABI version 7: the batch model with a second entry for chunks of 4
 * samples. It marks its output (+1000) so that a test sees which entry
 * computed each sample, counts its calls, and checks its arena (48 bytes,
 * more than the per-sample entry's 0). */
static atomic_int chunk_calls;
EXPORT int strata_fake_chunk_calls(void) { return atomic_load(&chunk_calls); }

static int32_t chunk_entry(void **buffers) {
  const float *x = buffers[0], *bias = buffers[1];
  float *twice = buffers[2];
  const unsigned char *arena = buffers[3];
  if (!arena || (uintptr_t)arena % STRATA_ARENA_ALIGNMENT != 0) return 12;
  atomic_fetch_add(&chunk_calls, 1);
  for (int s = 0; s < 4; ++s)
    for (int i = 0; i < 3; ++i)
      twice[3 * s + i] = 2.0f * x[3 * s + i] + bias[i] + 1000.0f;
  return 0;
}
EXPORT const strata_model_desc strata_fake_chunked_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, STRATA_MODEL_FLAG_BATCH_LOOP, "fake_chunked",
    batch_inputs, batch_outputs, batch_entry, 0, 0, 0, STRATA_ARCH_ANY, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, chunk_entry, 4, 0, 48};

/* A chunk entry without the chunk size: refused at load. */
EXPORT const strata_model_desc strata_fake_bad_chunk_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, STRATA_MODEL_FLAG_BATCH_LOOP, "fake_bad_chunk",
    batch_inputs, batch_outputs, batch_entry, 0, 0, 0, STRATA_ARCH_ANY, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, chunk_entry, 1, 0, 48};

/* ABI version 7's dispatch_group: sum = a + b as two independent members,
 * elements 0..1 (grid 2) and 2..5 (grid 4), launched together; the second
 * member also counts how many distinct threads ran its workgroups. */
static atomic_int group_calls;
EXPORT int strata_fake_group_calls(void) { return atomic_load(&group_calls); }

struct half_bindings {
  const float *a, *b;
  float *sum;
  int64_t first;
};
static void half_workgroup(const void *bindings, int64_t w) {
  const struct half_bindings *h = bindings;
  volatile float acc = 0.0f;
  for (int i = 0; i < 2000; ++i) acc += 1.0f;
  int64_t e = h->first + w;
  h->sum[e] = h->a[e] + h->b[e] + (acc - 2000.0f);
}
static int32_t group_entry(void **buffers) {
  struct half_bindings low = {buffers[0], buffers[1], buffers[2], 0};
  struct half_bindings high = {buffers[0], buffers[1], buffers[2], 2};
  strata_executor *executor = buffers[4];
  const strata_workgroup_fn fns[] = {half_workgroup, half_workgroup};
  const void *const bindings[] = {&low, &high};
  const int64_t grids[] = {2, 4};
  if (!executor || executor->struct_size < sizeof(strata_executor) ||
      !executor->dispatch_group)
    return 13;
  atomic_fetch_add(&group_calls, 1);
  executor->dispatch_group(executor, 2, fns, bindings, grids);
  return 0;
}
static const strata_dispatch_info group_dispatches[] = {
    {half_workgroup, "half (Add)"}};
EXPORT const strata_model_desc strata_fake_group_descriptor = {
    STRATA_MODEL_ABI_VERSION, 2, 1, 0, "fake_group", inputs, outputs,
    group_entry, 0, 0, 0, STRATA_ARCH_ANY, 0, 0, 0, 1, 0, group_dispatches};
