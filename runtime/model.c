/* runtime/model.c - creating and releasing models: dlopen of a compiled
 * library or a descriptor linked into the program, with the descriptor
 * checked once here so that strata_model_run can trust it. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Bounds of a sound descriptor (a damaged one may hold anything). */
enum { STRATA_MAX_TENSORS = 1u << 16, STRATA_MAX_RANK = 64 };

/* Checks one list of tensor descriptors ("input"/"output"). */
static strata_status check_tensor_descs(const char *kind,
                                        const strata_tensor_desc *descs,
                                        uint32_t count, uint32_t flags) {
  if (count > 0 && !descs)
    return strata_fail(STRATA_ERROR_ABI,
                       "descriptor: %u %ss declared but the %s list is null",
                       count, kind, kind);
  for (uint32_t i = 0; i < count; ++i) {
    const strata_tensor_desc *t = &descs[i];
    const char *name = strata_safe_name(t->name);
    if (!t->name)
      return strata_fail(STRATA_ERROR_ABI, "descriptor: %s %u has a null name",
                         kind, i);
    if (strata_dtype_size(t->dtype) == 0)
      return strata_fail(STRATA_ERROR_ABI,
                         "descriptor: %s %u ('%s') has unknown dtype %d", kind,
                         i, name, (int)t->dtype);
    if (t->rank < 0 || t->rank > STRATA_MAX_RANK || (t->rank > 0 && !t->shape))
      return strata_fail(STRATA_ERROR_ABI,
                         "descriptor: %s %u ('%s') has rank %d and %s shape",
                         kind, i, name, (int)t->rank,
                         t->shape ? "a" : "a null");
    /* One sample's bytes must fit in int64_t, so that the runtime's size
     * arithmetic cannot overflow. */
    uint64_t bytes = strata_dtype_size(t->dtype);
    for (int32_t d = 0; d < t->rank; ++d) {
      if (t->shape[d] < 0 &&
          !(d == 0 && t->shape[d] == -1 &&
            (flags & STRATA_MODEL_FLAG_BATCH_LOOP)))
        return strata_fail(STRATA_ERROR_ABI,
                           "descriptor: %s %u ('%s') has dynamic dimension %d, "
                           "which ABI version %u does not support",
                           kind, i, name, (int)d, STRATA_MODEL_ABI_VERSION);
      if (t->shape[d] >= 0 &&
          (__builtin_mul_overflow(bytes, (uint64_t)t->shape[d], &bytes) ||
           bytes > (uint64_t)INT64_MAX))
        return strata_fail(STRATA_ERROR_ABI,
                           "descriptor: %s %u ('%s') has a shape of more "
                           "than 2^63 bytes",
                           kind, i, name);
    }
  }
  return STRATA_OK;
}

static strata_status check_descriptor(const strata_model_desc *desc) {
  /* Versions only append fields, so every older one is still readable. */
  if (desc->abi_version < 1 || desc->abi_version > STRATA_MODEL_ABI_VERSION)
    return strata_fail(STRATA_ERROR_ABI,
                       "model was compiled for ABI version %u, this runtime "
                       "supports versions 1 to %u",
                       desc->abi_version, STRATA_MODEL_ABI_VERSION);
  if (!desc->entry)
    return strata_fail(STRATA_ERROR_ABI, "descriptor: entry function is null");
  if (desc->num_inputs > STRATA_MAX_TENSORS ||
      desc->num_outputs > STRATA_MAX_TENSORS)
    return strata_fail(STRATA_ERROR_ABI,
                       "descriptor: %u inputs and %u outputs (at most %u "
                       "each)",
                       desc->num_inputs, desc->num_outputs, STRATA_MAX_TENSORS);
  if (desc->abi_version >= 4 && desc->arena_bytes > (uint64_t)1 << 48)
    return strata_fail(STRATA_ERROR_ABI,
                       "descriptor: an arena of %llu bytes (more than 2^48)",
                       (unsigned long long)desc->arena_bytes);
  if (desc->abi_version >= 5) {
    if (desc->num_dispatches > STRATA_MAX_TENSORS ||
        (desc->num_dispatches > 0 && !desc->dispatches))
      return strata_fail(STRATA_ERROR_ABI,
                         "descriptor: %u dispatches and a %s table",
                         desc->num_dispatches,
                         desc->dispatches ? "non-null" : "null");
    for (uint32_t i = 0; i < desc->num_dispatches; ++i)
      if (!desc->dispatches[i].fn || !desc->dispatches[i].name)
        return strata_fail(STRATA_ERROR_ABI,
                           "descriptor: dispatch %u has a null function or "
                           "name",
                           i);
  }
  if (desc->abi_version >= 6 && desc->weights_file &&
      (!desc->weights_file[0] || !desc->weights_slot ||
       desc->weights_bytes == 0))
    return strata_fail(STRATA_ERROR_ABI,
                       "descriptor: external weights '%s' without a name, a "
                       "slot or a size",
                       desc->weights_file);
  if (desc->abi_version >= 7 &&
      ((desc->batch_entry != NULL) != (desc->batch_chunk > 1) ||
       (desc->batch_entry && !(desc->flags & STRATA_MODEL_FLAG_BATCH_LOOP)) ||
       desc->batch_chunk_arena_bytes > (uint64_t)1 << 48))
    return strata_fail(STRATA_ERROR_ABI,
                       "descriptor: a batch entry that is %s, for chunks of "
                       "%u samples, an arena of %llu bytes and a model %s "
                       "batch loop",
                       desc->batch_entry ? "set" : "null",
                       (unsigned)desc->batch_chunk,
                       (unsigned long long)desc->batch_chunk_arena_bytes,
                       (desc->flags & STRATA_MODEL_FLAG_BATCH_LOOP) ? "with a"
                                                                     : "without");
  if (desc->flags & ~STRATA_MODEL_FLAG_BATCH_LOOP)
    return strata_fail(STRATA_ERROR_ABI, "descriptor: unknown flags 0x%x",
                       (unsigned)desc->flags);
  strata_status status = check_tensor_descs("input", desc->inputs,
                                            desc->num_inputs, desc->flags);
  if (status != STRATA_OK) return status;
  if (desc->abi_version >= 2 && desc->pinned_inputs)
    for (uint32_t i = 0; i < desc->num_inputs; ++i) {
      if (!desc->pinned_inputs[i]) continue;
      for (int32_t d = 0; d < desc->inputs[i].rank; ++d)
        if (desc->inputs[i].shape[d] < 0)
          return strata_fail(STRATA_ERROR_ABI,
                             "descriptor: input %u ('%s') is pinned to a "
                             "value but has a batch dimension",
                             i, strata_safe_name(desc->inputs[i].name));
    }
  return check_tensor_descs("output", desc->outputs, desc->num_outputs,
                            desc->flags);
}

static strata_status wrap(const strata_model_desc *desc, void *dl_handle,
                          int32_t checksum, strata_model **out_model) {
  strata_model *model = calloc(1, sizeof *model);
  if (!model)
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY, "cannot allocate a model");
  model->desc = desc;
  atomic_init(&model->refs, 1);
  model->threads = strata_default_threads();
  model->dl_handle = dl_handle;
  model->checksum = checksum;
  *out_model = model;
  return STRATA_OK;
}

/* strata_load_options, read whatever version the caller knows. */
typedef struct load_settings {
  uint32_t flags, threads;
  const char *weights_path;
} load_settings;

static strata_status read_load_options(const strata_load_options *options,
                                       load_settings *out) {
  memset(out, 0, sizeof *out);
  if (!options) return STRATA_OK;
  /* Earlier versions ended before threads and before weights_path. */
  size_t first = offsetof(strata_load_options, threads);
  size_t second = offsetof(strata_load_options, weights_path);
  if (options->struct_size != first && options->struct_size != second &&
      options->struct_size < sizeof *options)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "options: struct_size %u, expected %zu",
                       options->struct_size, sizeof *options);
  out->flags = options->flags;
  if (options->struct_size >= second) out->threads = options->threads;
  if (options->struct_size >= sizeof *options)
    out->weights_path = options->weights_path;
  if (out->threads > STRATA_MAX_THREADS)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "options: threads %u, at most %u",
                       (unsigned)out->threads, (unsigned)STRATA_MAX_THREADS);
  return STRATA_OK;
}

/* Maps the external weights at `path` for a model just wrapped; on failure
 * frees the model (and with it the library it holds) and clears
 * *out_model. */
static strata_status attach_weights(strata_model **out_model, const char *path,
                                    int verify) {
  strata_model *model = *out_model;
  strata_status status =
      path ? strata_weights_attach(model->desc, path, verify, &model->weights)
           : strata_fail(STRATA_ERROR_OUT_OF_MEMORY, "cannot allocate a path");
  if (status != STRATA_OK) {
    strata_model_free(model);
    *out_model = NULL;
  }
  return status;
}

strata_status strata_model_from_desc_ex(const strata_model_desc *desc,
                                        const strata_load_options *options,
                                        strata_model **out_model) {
  if (!out_model)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "out_model is null");
  *out_model = NULL;
  if (!desc)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "descriptor is null");
  load_settings settings;
  strata_status status = read_load_options(options, &settings);
  if (status == STRATA_OK) status = check_descriptor(desc);
  if (status == STRATA_OK)
    status = strata_check_cpu(desc, strata_cpu_arch(), strata_cpu_features());
  if (status != STRATA_OK) return status;
  status = wrap(desc, NULL, STRATA_CHECKSUM_NOT_VERIFIED, out_model);
  if (status != STRATA_OK) return status;
  if (settings.threads) (*out_model)->threads = settings.threads;
  if (!strata_desc_has_external_weights(desc)) return STRATA_OK;
  return attach_weights(out_model,
                        settings.weights_path ? settings.weights_path
                                              : desc->weights_file,
                        !(settings.flags & STRATA_LOAD_SKIP_CHECKSUM));
}

strata_status strata_model_from_desc(const strata_model_desc *desc,
                                           strata_model **out_model) {
  return strata_model_from_desc_ex(desc, NULL, out_model);
}

/* Prefixes the path to the message the failing check recorded. */
static strata_status fail_with_path(strata_status status, const char *path) {
  char detail[768];
  snprintf(detail, sizeof detail, "%s", strata_last_error());
  return strata_fail(status, "'%s': %s", path, detail);
}

strata_status strata_model_load_ex(const char *path,
                                   const strata_load_options *options,
                                   strata_model **out_model) {
  if (!out_model)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "out_model is null");
  *out_model = NULL;
  if (!path)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "path is null");
  load_settings settings;
  strata_status status = read_load_options(options, &settings);
  if (status != STRATA_OK) return status;
  uint32_t flags = settings.flags, threads = settings.threads;
  int verify = !(flags & STRATA_LOAD_SKIP_CHECKSUM);

  /* The file first: nothing is mapped until its structure is sound. */
  library_file file;
  status = strata_check_library_file(path, verify, &file);
  if (status != STRATA_OK) return fail_with_path(status, path);

  dlerror(); /* clear any stale message */
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    return strata_fail(STRATA_ERROR_LOAD, "cannot load model library '%s': %s",
                       path, why ? why : "unknown dlopen error");
  }
  const strata_model_desc *desc = dlsym(handle, STRATA_DESCRIPTOR_SYMBOL);
  if (!desc) {
    dlclose(handle);
    return strata_fail(STRATA_ERROR_LOAD,
                       "'%s' is not a strata model: it does not export '%s'",
                       path, STRATA_DESCRIPTOR_SYMBOL);
  }
  status = check_descriptor(desc);
  if (status == STRATA_OK && verify && desc->abi_version >= 3 &&
      !file.has_note)
    status = strata_fail(STRATA_ERROR_LOAD,
                         "it has no integrity note, which every library of "
                         "ABI version %u carries: the file is damaged or "
                         "was not written by strata-compile",
                         desc->abi_version);
  strata_status cpu = STRATA_OK;
  if (status == STRATA_OK) {
    cpu = strata_check_cpu(desc, strata_cpu_arch(), strata_cpu_features());
    if (!(flags & STRATA_LOAD_INSPECT)) status = cpu;
  }
  if (status == STRATA_OK)
    status = wrap(desc, handle, verify ? file.checksum
                                       : STRATA_CHECKSUM_NOT_VERIFIED,
                  out_model);
  if (status == STRATA_OK && threads) (*out_model)->threads = threads;
  if (status == STRATA_OK && strata_desc_has_external_weights(desc)) {
    char *beside = settings.weights_path
                       ? NULL
                       : strata_weights_path_beside(path, desc->weights_file);
    /* On failure the model, which holds the library's handle, is freed. */
    status = attach_weights(out_model,
                            settings.weights_path ? settings.weights_path
                                                  : beside,
                            verify);
    free(beside);
    if (status != STRATA_OK) return fail_with_path(status, path);
  }
  if (status != STRATA_OK) {
    dlclose(handle);
    return fail_with_path(status, path);
  }
  if (cpu != STRATA_OK) { /* inspected only: remember why it cannot run */
    (*out_model)->runnable = cpu;
    snprintf((*out_model)->not_runnable, sizeof (*out_model)->not_runnable,
             "'%s': %s", path, strata_last_error());
    strata_fail(STRATA_OK, "%s", "");
  }
  return STRATA_OK;
}

strata_status strata_model_load(const char *path, strata_model **out_model) {
  return strata_model_load_ex(path, NULL, out_model);
}

int32_t strata_model_checksum(const strata_model *model) {
  return model ? model->checksum : STRATA_CHECKSUM_NOT_VERIFIED;
}

strata_status strata_model_runnable(const strata_model *model) {
  if (!model || !model->desc)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "model is null");
  if (model->runnable != STRATA_OK)
    return strata_fail(model->runnable, "%s", model->not_runnable);
  return STRATA_OK;
}

void strata_model_retain(strata_model *model) {
  atomic_fetch_add(&model->refs, 1);
}

void strata_model_free(strata_model *model) {
  if (!model) return;
  /* Sessions hold references: the last one out frees. */
  if (atomic_fetch_sub(&model->refs, 1) != 1) return;
  strata_pool_destroy(atomic_load(&model->pool));
  strata_profiler_free(model->profiler);
  strata_weights_detach(model->weights);
  if (model->dl_handle) dlclose(model->dl_handle);
  free(model->arena);
  free(model);
}

const strata_model_desc *strata_model_desc_of(const strata_model *model) {
  return model ? model->desc : NULL;
}

strata_status strata_model_set_threads(strata_model *model,
                                       uint32_t threads) {
  if (!model || !model->desc)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT, "model is null");
  if (threads > STRATA_MAX_THREADS)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "threads: %u, at most %u", (unsigned)threads,
                       (unsigned)STRATA_MAX_THREADS);
  unsigned want = threads ? threads : strata_default_threads();
  if (want == model->threads) return STRATA_OK;
  if (model->profiler)
    return strata_fail(STRATA_ERROR_INVALID_ARGUMENT,
                       "threads: not while the model is profiled (stop "
                       "profiling first)");
  strata_pool *old = atomic_exchange(&model->pool, NULL);
  strata_pool_destroy(old);
  model->threads = want;
  return STRATA_OK;
}

uint32_t strata_model_threads(const strata_model *model) {
  return model ? model->threads : 0;
}

size_t strata_model_arena_bytes(const strata_model *model) {
  if (!model || !model->desc) return 0;
  return strata_arena_size(model->desc);
}
