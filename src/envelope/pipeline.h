/*
 * The chunk pipeline behind seal and unseal: a reader thread fills a ring of
 * page-aligned batches from the input, worker threads (one per core) take
 * whole batches in order and hash + encrypt (or decrypt + hash) their
 * full-size chunks, and the caller takes the finished batches back in input
 * order, chains the piece hashes into the message digest and writes the
 * output. Reading, computing and writing overlap; memory is the ring, a
 * constant PIPELINE_RING batches.
 *
 * Chunks are independent (their hashes and AEAD operations depend only on
 * their index), so the batches can be computed in any order; the digest is
 * chained, and the output written, in order by the caller alone.
 *
 * Only full-size chunks go through the workers. The input bytes after the
 * last full chunk (the short piece of a seal, the final chunk of an unseal)
 * come back untouched in the last batch: the caller handles the end.
 *
 * An input that fits in one batch is handled on the caller's thread with no
 * thread started (small messages stay fast); so is everything if no thread
 * can be had: slower, equally correct.
 */
#ifndef SEAL_ENVELOPE_PIPELINE_H
#define SEAL_ENVELOPE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/stream.h"
#include "envelope/chunked.h"

/* Chunks per batch: 64 x 16 KiB, so that a batch is a 1 MiB read(2) or
 * write(2) and worth one trip through the ring. */
#define CHUNK_BATCH 64

/* Batches in the ring: two held by the caller (the previous batch's last
 * chunk may still be needed), one per worker, and room for the reader to run
 * ahead. */
#define PIPELINE_RING 7

struct pipeline;

/* A finished batch, as pipeline_next hands it out. */
struct pipeline_batch {
    uint64_t first;                         /* index of its first chunk */
    size_t full;                            /* full-size chunks in it */
    const uint8_t *out;                     /* their output: ciphertext at CHUNK_CT_MAX
                                               strides (seal), plaintext at CHUNK_SIZE */
    const uint8_t (*hash)[SEAL_SHA256_LEN]; /* SHA-256 of each one's plaintext */
    const uint8_t *rest;                    /* the input after them (last batch only) */
    size_t rest_len;
    uint64_t in_bytes; /* input bytes read up to the end of this batch */
    bool last;         /* the input ended in this batch */
};

/* Starts transforming IN with (clones of) C: ENCRYPT takes plaintext in
 * CHUNK_SIZE pieces, otherwise ciphertext in CHUNK_CT_MAX chunks, from chunk
 * 0 on. The first batch is read before this returns.
 * From now until pipeline_free, only the pipeline reads IN, and C is the
 * caller's (the workers have their own contexts). */
gpg_err_code_t pipeline_start(struct byte_source in, struct chunked *c, bool encrypt,
                              struct pipeline **out);

/* The next batch, in input order. It stays valid (with the previous one)
 * until the call after next. Errors: the input's read error, or a chunk
 * that failed (decryption: GPG_ERR_CHECKSUM), with *BAD_INDEX its index.
 * After a batch with LAST set, GPG_ERR_EOF. */
gpg_err_code_t pipeline_next(struct pipeline *p, struct pipeline_batch *b, uint64_t *bad_index);

/* Stops the threads (a reader blocked in a read is cancelled), wipes and
 * frees everything. NULL is fine. */
void pipeline_free(struct pipeline *p);

#endif
