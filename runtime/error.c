/* runtime/error.c - thread-local last-error message, status names and dtype
 * helpers. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static _Thread_local char last_error[1024];

strata_status strata_fail(strata_status status, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, args);
  va_end(args);
  return status;
}

const char *strata_last_error(void) { return last_error; }

const char *strata_status_string(strata_status status) {
  switch (status) {
  case STRATA_OK: return "ok";
  case STRATA_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case STRATA_ERROR_LOAD: return "load error";
  case STRATA_ERROR_ABI: return "ABI mismatch";
  case STRATA_ERROR_EXECUTION: return "execution error";
  case STRATA_ERROR_OUT_OF_MEMORY: return "out of memory";
  case STRATA_ERROR_UNSUPPORTED_CPU: return "unsupported CPU";
  case STRATA_ERROR_TIMEOUT: return "timeout";
  case STRATA_ERROR_CANCELLED: return "cancelled";
  case STRATA_ERROR_SHUTDOWN: return "shut down";
  case STRATA_NOT_READY: return "not ready";
  }
  return "unknown status";
}

size_t strata_dtype_size(int32_t dtype) {
  switch (dtype) {
  case STRATA_DTYPE_U8: case STRATA_DTYPE_I8: case STRATA_DTYPE_BOOL: return 1;
  /* The narrow types take one byte per element (model_abi.h). */
  case STRATA_DTYPE_F8E4M3FN: case STRATA_DTYPE_F8E4M3FNUZ:
  case STRATA_DTYPE_F8E5M2: case STRATA_DTYPE_F8E5M2FNUZ:
  case STRATA_DTYPE_F8E8M0: case STRATA_DTYPE_F4E2M1:
  case STRATA_DTYPE_U4: case STRATA_DTYPE_I4:
  case STRATA_DTYPE_U2: case STRATA_DTYPE_I2: return 1;
  case STRATA_DTYPE_F16: case STRATA_DTYPE_BF16: return 2;
  case STRATA_DTYPE_I16: case STRATA_DTYPE_U16: return 2;
  case STRATA_DTYPE_F32: case STRATA_DTYPE_I32: case STRATA_DTYPE_U32: return 4;
  case STRATA_DTYPE_I64: case STRATA_DTYPE_U64: case STRATA_DTYPE_F64: return 8;
  }
  return 0;
}

const char *strata_dtype_name(int32_t dtype) {
  switch (dtype) {
  case STRATA_DTYPE_F32: return "f32";
  case STRATA_DTYPE_U8: return "u8";
  case STRATA_DTYPE_I8: return "i8";
  case STRATA_DTYPE_I32: return "i32";
  case STRATA_DTYPE_I64: return "i64";
  case STRATA_DTYPE_BOOL: return "bool";
  case STRATA_DTYPE_F16: return "f16";
  case STRATA_DTYPE_BF16: return "bf16";
  case STRATA_DTYPE_F64: return "f64";
  case STRATA_DTYPE_I16: return "i16";
  case STRATA_DTYPE_U16: return "u16";
  case STRATA_DTYPE_U32: return "u32";
  case STRATA_DTYPE_U64: return "u64";
  case STRATA_DTYPE_F8E4M3FN: return "f8e4m3fn";
  case STRATA_DTYPE_F8E4M3FNUZ: return "f8e4m3fnuz";
  case STRATA_DTYPE_F8E5M2: return "f8e5m2";
  case STRATA_DTYPE_F8E5M2FNUZ: return "f8e5m2fnuz";
  case STRATA_DTYPE_F8E8M0: return "f8e8m0";
  case STRATA_DTYPE_F4E2M1: return "f4e2m1";
  case STRATA_DTYPE_U4: return "u4";
  case STRATA_DTYPE_I4: return "i4";
  case STRATA_DTYPE_U2: return "u2";
  case STRATA_DTYPE_I2: return "i2";
  }
  return "unknown";
}

void strata_format_shape(char *buf, size_t size, const int64_t *shape,
                         int32_t rank) {
  size_t used = 0;
  if (size == 0) return;
  buf[0] = '\0';
  used += (size_t)snprintf(buf, size, "[");
  for (int32_t i = 0; i < rank && used < size; ++i)
    used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? "," : "",
                             (long long)shape[i]);
  if (used < size) snprintf(buf + used, size - used, "]");
}

const char *strata_safe_name(const char *name) {
  return name ? name : "(unnamed)";
}
