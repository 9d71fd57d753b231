/*
 * One helper thread for the envelope code: seal and unseal split each batch
 * of chunks in two halves, the helper takes one and the caller the other
 * (chunks are independent: their hashes and AEAD operations do not depend on
 * each other). The helper touches only what the job gives it.
 */
#ifndef SEAL_ENVELOPE_WORKERS_H
#define SEAL_ENVELOPE_WORKERS_H

#include "errors.h"

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

/* ---- batches of full-size chunks ---------------------------------------- */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunked.h"

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
