/*
 * One helper thread for the envelope code: seal and unseal split each batch
 * of chunks in two halves, the helper takes one and the caller the other
 * (chunks are independent: their hashes and AEAD operations do not depend on
 * each other). The helper touches only what the job gives it.
 */
#ifndef SEAL_ENVELOPE_WORKERS_H
#define SEAL_ENVELOPE_WORKERS_H

#include "base/errors.h"

struct helper;

/* Starts the helper thread. On failure the caller runs everything itself. */
gpg_err_code_t helper_start(struct helper **out);

/* Runs FN(ARG) on the helper thread; returns at once. One job at a time. */
void helper_submit(struct helper *h, void (*fn)(void *), void *arg);

/* Waits until the submitted job has finished. */
void helper_wait(struct helper *h);

/* Stops and frees the helper (waits for a running job). NULL is fine. */
void helper_stop(struct helper *h);

#endif

/* ---- write-behind ----------------------------------------------------------
 * Output I/O (a file write, armor encoding, the unseal spool's encryption)
 * runs on its own thread while the next batch is being encrypted or
 * decrypted: on two cores that overlaps what would otherwise follow each
 * other. One write is in flight at a time; its bytes must stay untouched
 * until the next async_writer_* call returns, so callers alternate buffers. */

#include "envelope/envelope.h"

struct async_writer;

/* Starts writing to SINK from a second thread. If no thread can be had,
 * writes happen synchronously: slower, equally correct. */
gpg_err_code_t async_writer_start(struct byte_sink sink, struct async_writer **out);

/* Waits for the write in flight (returning its error, if any), then starts
 * writing N1 bytes at P1 followed by N2 bytes at P2 (either may be 0). */
gpg_err_code_t async_writer_write(struct async_writer *w, const uint8_t *p1, size_t n1,
                                  const uint8_t *p2, size_t n2);

/* Waits for the write in flight; returns the first error of any write. */
gpg_err_code_t async_writer_flush(struct async_writer *w);

/* Waits for the write in flight and frees W. NULL is fine. */
void async_writer_free(struct async_writer *w);

/* ---- batches of full-size chunks ---------------------------------------- */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope/chunked.h"

/* Chunks per batch: 32 x 16 KiB, so a batch is worth splitting over two
 * threads and memory stays at about 1 MiB. */
#define CHUNK_BATCH 32

/* Encrypts (ENCRYPT) or decrypts the N full-size, non-final chunks FIRST ..
 * FIRST+N-1: plaintext is IN/OUT at CHUNK_SIZE strides, ciphertext at
 * CHUNK_CT_MAX strides. HASH[i] receives SHA-256 of chunk i's plaintext.
 * With helper H (may be NULL) and its own context HC, the second half runs on
 * the helper thread. On failure *BAD_INDEX is the first chunk that failed
 * (decryption: GPG_ERR_CHECKSUM). */
gpg_err_code_t chunk_batch(struct helper *h, struct chunked *c, struct chunked *hc, bool encrypt,
                           uint64_t first, size_t n, const uint8_t *in, uint8_t *out,
                           uint8_t (*hash)[32], uint64_t *bad_index);
