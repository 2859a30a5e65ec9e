/* runtime/weights.c - external weights (model ABI version 6): the side
 * file that `strata-compile --weights=external` writes beside a library.
 * It is mapped read-only, checked (size, and CRC-32C unless the caller
 * skips checksums), and its address stored in the library's weights slot.
 * Models loaded from the same library share the slot, so they share one
 * mapping, counted here and unmapped with the last of them. */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "internal.h"

struct strata_weights {
  void **slot;
  void *base;
  size_t bytes;
  unsigned refs;
  struct strata_weights *next;
};

static pthread_mutex_t mappings_lock = PTHREAD_MUTEX_INITIALIZER;
static strata_weights *mappings;

int strata_desc_has_external_weights(const strata_model_desc *desc) {
  return desc->abi_version >= 6 && desc->weights_file != NULL;
}

/* Maps `path` and checks it against the descriptor; on success *out holds
 * a mapping with one reference, not yet linked into the list. */
static strata_status map_file(const strata_model_desc *desc, const char *path,
                              int verify, strata_weights **out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return strata_fail(STRATA_ERROR_LOAD,
                       "cannot open the model's weights '%s': %s", path,
                       strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return strata_fail(STRATA_ERROR_LOAD,
                       "the model's weights '%s' are not a regular file",
                       path);
  }
  if ((uint64_t)st.st_size != desc->weights_bytes) {
    close(fd);
    return strata_fail(STRATA_ERROR_LOAD,
                       "the model's weights '%s' have %lld bytes, the "
                       "library expects %llu: the file is damaged or from "
                       "another compile",
                       path, (long long)st.st_size,
                       (unsigned long long)desc->weights_bytes);
  }
  void *base = mmap(NULL, (size_t)desc->weights_bytes, PROT_READ, MAP_PRIVATE,
                    fd, 0);
  int map_errno = errno;
  close(fd);
  if (base == MAP_FAILED)
    return strata_fail(STRATA_ERROR_LOAD,
                       "cannot map the model's weights '%s': %s", path,
                       strerror(map_errno));
  if (verify) {
    uint32_t crc = strata_crc32c(base, (size_t)desc->weights_bytes);
    if (crc != desc->weights_crc32c) {
      munmap(base, (size_t)desc->weights_bytes);
      return strata_fail(STRATA_ERROR_LOAD,
                         "the model's weights '%s' fail their checksum "
                         "(CRC-32C %08x, the library expects %08x): the "
                         "file is damaged or from another compile",
                         path, crc, desc->weights_crc32c);
    }
  }
  strata_weights *w = calloc(1, sizeof *w);
  if (!w) {
    munmap(base, (size_t)desc->weights_bytes);
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                       "cannot allocate a weights mapping");
  }
  w->slot = desc->weights_slot;
  w->base = base;
  w->bytes = (size_t)desc->weights_bytes;
  w->refs = 1;
  *out = w;
  return STRATA_OK;
}

strata_status strata_weights_attach(const strata_model_desc *desc,
                                    const char *path, int verify,
                                    strata_weights **out) {
  *out = NULL;
  pthread_mutex_lock(&mappings_lock);
  for (strata_weights *w = mappings; w; w = w->next)
    if (w->slot == desc->weights_slot) {
      ++w->refs;
      *out = w;
      pthread_mutex_unlock(&mappings_lock);
      return STRATA_OK;
    }
  strata_weights *w = NULL;
  strata_status status = map_file(desc, path, verify, &w);
  if (status == STRATA_OK) {
    *w->slot = w->base;
    w->next = mappings;
    mappings = w;
    *out = w;
  }
  pthread_mutex_unlock(&mappings_lock);
  return status;
}

void strata_weights_detach(strata_weights *weights) {
  if (!weights) return;
  pthread_mutex_lock(&mappings_lock);
  if (--weights->refs == 0) {
    for (strata_weights **at = &mappings; *at; at = &(*at)->next)
      if (*at == weights) {
        *at = weights->next;
        break;
      }
    *weights->slot = NULL;
    munmap(weights->base, weights->bytes);
    free(weights);
  }
  pthread_mutex_unlock(&mappings_lock);
}

char *strata_weights_path_beside(const char *library_path,
                                 const char *file_name) {
  const char *slash = strrchr(library_path, '/');
  size_t dir = slash ? (size_t)(slash - library_path) + 1 : 0;
  size_t name = strlen(file_name);
  char *path = malloc(dir + name + 1);
  if (!path) return NULL;
  memcpy(path, library_path, dir);
  memcpy(path + dir, file_name, name + 1);
  return path;
}
