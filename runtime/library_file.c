/* runtime/library_file.c - checks a model library's file before dlopen
 * maps it: the ELF structure the dynamic loader relies on (so that a
 * truncated file is an error, not a SIGBUS when the loader touches a page
 * past its end), and the integrity note strata-compile wrote (file size and
 * CRC-32C, so that damaged code or weights are an error, not a crash or
 * silently wrong numbers). Damage is what this catches, not malice: a
 * library is native code, and loading one runs it. */
#define _POSIX_C_SOURCE 200809L /* pread, O_CLOEXEC under -std=c11 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "internal.h"

#if defined(__x86_64__)
#define EXPECTED_MACHINE EM_X86_64
#define MACHINE_NAME "x86-64"
#elif defined(__aarch64__)
#define EXPECTED_MACHINE EM_AARCH64
#define MACHINE_NAME "aarch64"
#else
#define EXPECTED_MACHINE EM_NONE
#define MACHINE_NAME "this machine"
#endif

enum { CHUNK = 1 << 20 };

/* Reads exactly `size` bytes at `offset`; 0 on success. */
static int read_at(int fd, void *buffer, size_t size, uint64_t offset) {
  char *p = buffer;
  while (size) {
    ssize_t got = pread(fd, p, size, (off_t)offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return -1;
    p += got, size -= (size_t)got, offset += (uint64_t)got;
  }
  return 0;
}

/* [offset, offset + size) lies inside a file of `file_size` bytes. */
static int inside(uint64_t offset, uint64_t size, uint64_t file_size) {
  uint64_t end;
  return !__builtin_add_overflow(offset, size, &end) && end <= file_size;
}

/* Finds the integrity note in one PT_NOTE segment; 1 if found. */
static int find_note(int fd, const Elf64_Phdr *ph, library_file *out) {
  unsigned char buffer[4096]; /* notes are small: ours and a build id */
  if (ph->p_filesz > sizeof buffer) return 0;
  if (read_at(fd, buffer, ph->p_filesz, ph->p_offset) != 0) return 0;
  uint64_t at = 0, align = ph->p_align > 4 ? 8 : 4;
  while (at + sizeof(Elf64_Nhdr) <= ph->p_filesz) {
    Elf64_Nhdr header;
    memcpy(&header, buffer + at, sizeof header);
    uint64_t name_at = at + sizeof header;
    uint64_t desc_at = (name_at + header.n_namesz + align - 1) & ~(align - 1);
    uint64_t next = (desc_at + header.n_descsz + align - 1) & ~(align - 1);
    if (header.n_namesz > ph->p_filesz || header.n_descsz > ph->p_filesz ||
        desc_at + header.n_descsz > ph->p_filesz)
      return 0;
    if (header.n_type == STRATA_NOTE_INTEGRITY &&
        header.n_namesz == sizeof STRATA_NOTE_NAME &&
        memcmp(buffer + name_at, STRATA_NOTE_NAME, sizeof STRATA_NOTE_NAME) ==
            0 &&
        header.n_descsz == sizeof(strata_integrity_note)) {
      memcpy(&out->note, buffer + desc_at, sizeof out->note);
      out->crc_offset = ph->p_offset + desc_at +
                        offsetof(strata_integrity_note, crc32c);
      return 1;
    }
    at = next;
  }
  return 0;
}

/* The ELF checks: everything the dynamic loader will map or read lies
 * inside the file. Records the integrity note if there is one. */
static strata_status check_elf(int fd, library_file *out) {
  uint64_t size = out->size;
  Elf64_Ehdr eh;
  if (size < sizeof eh || read_at(fd, &eh, sizeof eh, 0) != 0)
    return strata_fail(STRATA_ERROR_LOAD,
                       "file too short to be a library (%llu bytes)",
                       (unsigned long long)size);
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    return strata_fail(STRATA_ERROR_LOAD,
                       "not an ELF file (a compiled model is an ELF shared "
                       "library)");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_ident[EI_VERSION] != EV_CURRENT)
    return strata_fail(STRATA_ERROR_LOAD,
                       "not a 64-bit little-endian ELF file (class %u, data %u)",
                       eh.e_ident[EI_CLASS], eh.e_ident[EI_DATA]);
  if (eh.e_type != ET_DYN)
    return strata_fail(STRATA_ERROR_LOAD,
                       "not a shared library (ELF type %u)", eh.e_type);
  if (eh.e_machine != EXPECTED_MACHINE)
    return strata_fail(STRATA_ERROR_LOAD,
                       "built for ELF machine %u, not for " MACHINE_NAME,
                       eh.e_machine);
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
      eh.e_phnum > 4096)
    return strata_fail(STRATA_ERROR_LOAD,
                       "damaged ELF header: %u program headers of %u bytes",
                       eh.e_phnum, eh.e_phentsize);
  uint64_t table = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
  if (!inside(eh.e_phoff, table, size))
    return strata_fail(STRATA_ERROR_LOAD,
                       "truncated: its program headers end past the end of "
                       "the file (%llu bytes)",
                       (unsigned long long)size);
  if (eh.e_shnum &&
      (eh.e_shentsize != sizeof(Elf64_Shdr) ||
       !inside(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), size)))
    return strata_fail(STRATA_ERROR_LOAD,
                       "truncated: its section headers end past the end of "
                       "the file (%llu bytes)",
                       (unsigned long long)size);
  Elf64_Phdr phs[64];
  for (uint16_t first = 0; first < eh.e_phnum; first += 64) {
    uint16_t count = eh.e_phnum - first < 64 ? eh.e_phnum - first : 64;
    if (read_at(fd, phs, count * sizeof *phs,
                eh.e_phoff + first * sizeof *phs) != 0)
      return strata_fail(STRATA_ERROR_LOAD, "cannot read its program headers");
    for (uint16_t i = 0; i < count; ++i) {
      const Elf64_Phdr *ph = &phs[i];
      if (ph->p_type != PT_LOAD && ph->p_type != PT_DYNAMIC &&
          ph->p_type != PT_NOTE)
        continue;
      if (!inside(ph->p_offset, ph->p_filesz, size))
        return strata_fail(STRATA_ERROR_LOAD,
                           "truncated: segment %u (bytes %llu to %llu) lies "
                           "past the end of the file (%llu bytes)",
                           first + i, (unsigned long long)ph->p_offset,
                           (unsigned long long)(ph->p_offset + ph->p_filesz),
                           (unsigned long long)size);
      if (ph->p_type == PT_LOAD && ph->p_filesz > ph->p_memsz)
        return strata_fail(STRATA_ERROR_LOAD,
                           "damaged: segment %u is larger in the file than "
                           "in memory",
                           first + i);
      if (ph->p_type == PT_NOTE && !out->has_note)
        out->has_note = find_note(fd, ph, out);
    }
  }
  return STRATA_OK;
}

/* CRC-32C of the whole file with the 4 checksum bytes counted as zero. */
static strata_status file_crc(int fd, library_file *out, uint32_t *crc) {
  unsigned char *buffer = malloc(CHUNK);
  if (!buffer)
    return strata_fail(STRATA_ERROR_OUT_OF_MEMORY,
                       "cannot allocate a buffer to verify the checksum");
  uint32_t state = ~0u;
  for (uint64_t at = 0; at < out->size; at += CHUNK) {
    size_t n = out->size - at < CHUNK ? (size_t)(out->size - at) : CHUNK;
    if (read_at(fd, buffer, n, at) != 0) {
      free(buffer);
      return strata_fail(STRATA_ERROR_LOAD, "cannot read the file: %s",
                         strerror(errno ? errno : EIO));
    }
    for (int k = 0; k < 4; ++k) { /* the checksum's own bytes */
      uint64_t byte = out->crc_offset + (uint64_t)k;
      if (byte >= at && byte < at + n) buffer[byte - at] = 0;
    }
    state = strata_crc32c_update(state, buffer, n);
  }
  free(buffer);
  *crc = ~state;
  return STRATA_OK;
}

strata_status strata_check_library_file(const char *path, int verify,
                                        library_file *out) {
  memset(out, 0, sizeof *out);
  out->checksum = STRATA_CHECKSUM_NOT_VERIFIED;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return strata_fail(STRATA_ERROR_LOAD, "cannot open: %s", strerror(errno));
  struct stat st;
  strata_status status = STRATA_OK;
  if (fstat(fd, &st) != 0)
    status = strata_fail(STRATA_ERROR_LOAD, "cannot stat: %s", strerror(errno));
  else if (!S_ISREG(st.st_mode))
    status = strata_fail(STRATA_ERROR_LOAD, "not a regular file");
  if (status == STRATA_OK) {
    out->size = (uint64_t)st.st_size;
    status = check_elf(fd, out);
  }
  if (status == STRATA_OK && !out->has_note)
    out->checksum = STRATA_CHECKSUM_ABSENT;
  if (status == STRATA_OK && out->has_note && verify) {
    const strata_integrity_note *note = &out->note;
    if (note->version != 1 || note->algorithm != STRATA_CHECKSUM_CRC32C) {
      out->checksum = STRATA_CHECKSUM_MISMATCH;
      status = strata_fail(STRATA_ERROR_LOAD,
                           "damaged: its integrity note says version %u, "
                           "algorithm %u",
                           note->version, note->algorithm);
    } else if (note->file_size != out->size) {
      out->checksum = STRATA_CHECKSUM_MISMATCH;
      status = strata_fail(STRATA_ERROR_LOAD,
                           "the file has %llu bytes, strata-compile wrote "
                           "%llu: it is %s",
                           (unsigned long long)out->size,
                           (unsigned long long)note->file_size,
                           out->size < note->file_size
                               ? "truncated"
                               : "damaged (bytes were appended)");
    } else {
      status = file_crc(fd, out, &out->computed_crc);
      if (status == STRATA_OK && out->computed_crc != note->crc32c) {
        out->checksum = STRATA_CHECKSUM_MISMATCH;
        status = strata_fail(STRATA_ERROR_LOAD,
                             "checksum mismatch (CRC-32C 0x%08x, recorded "
                             "0x%08x): the file is damaged",
                             out->computed_crc, note->crc32c);
      } else if (status == STRATA_OK) {
        out->checksum = STRATA_CHECKSUM_OK;
      }
    }
  }
  close(fd);
  return status;
}
