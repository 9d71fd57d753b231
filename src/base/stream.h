/*
 * Byte streams: the callbacks through which the library reads and writes, so
 * that the programs decide where bytes come from and when output becomes
 * visible.
 */
#ifndef SEAL_STREAM_H
#define SEAL_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

/* Reads up to CAP bytes into BUF; *GOT == 0 means end of input. */
struct byte_source {
    gpg_err_code_t (*read)(void *ctx, uint8_t *buf, size_t cap, size_t *got);
    void *ctx;
};

/* Accepts N bytes. */
struct byte_sink {
    gpg_err_code_t (*write)(void *ctx, const uint8_t *buf, size_t n);
    void *ctx;
};

/* Called now and then with the number of input bytes processed so far. */
typedef void (*progress_fn)(void *ctx, uint64_t done);

#endif
