/*
 * The spool's state, shared by spool.c and tests/testing.c (which hands the
 * unit tests the file descriptor, to check and tamper with the file). No
 * other file includes it (tests/no_test_symbols.sh checks it).
 */
#ifndef SEAL_ENVELOPE_SPOOL_INTERNAL_H
#define SEAL_ENVELOPE_SPOOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

struct chunked;

struct spool {
    gpg_err_code_t err; /* sticky: a write failed, the spool is unusable */
    bool finished;
    uint64_t total;
    /* In memory, while total <= SPOOL_MEMORY_MAX. */
    uint8_t *mem;
    size_t memlen, memcap;
    /* In the file, afterwards. */
    int fd;
    struct chunked *c;
    uint64_t index; /* next chunk */
    uint8_t *chunk; /* plaintext of the chunk being filled (CHUNK_SIZE) */
    size_t chunklen;
    uint8_t *batch; /* ciphertext waiting to be written (BATCH_SIZE) */
    size_t batchlen;
    /* Reading back (spool_source): the next chunk to read, the current
     * chunk's bytes in CHUNK, how many of them were handed out. */
    bool reading;
    uint64_t rindex;
    size_t rlen, roff;
    uint64_t rpos; /* bytes handed out (memory) */
};

#endif
