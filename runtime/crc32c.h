/* runtime/crc32c.h - CRC-32C of byte buffers (crc32c.c). Shared by the
 * runtime, which verifies a library's checksum, and strata-compile, which
 * writes it; not part of the public API. */
#ifndef STRATA_RUNTIME_CRC32C_H
#define STRATA_RUNTIME_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Incremental form: start with state ~0u, feed the bytes in order, and the
 * CRC is ~state. */
uint32_t strata_crc32c_update(uint32_t state, const void *data, size_t size);

/* The CRC-32C of one buffer (strata_crc32c("123456789", 9) == 0xe3069283). */
uint32_t strata_crc32c(const void *data, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_RUNTIME_CRC32C_H */
