/*
 * A private, encrypted, anonymous temporary store for bytes that must not be
 * seen by anyone else (unseal to standard output keeps the chunk hashes of
 * its first pass here; the store may be far larger than memory).
 *
 * Up to SPOOL_MEMORY_MAX bytes stay in process memory and never touch the
 * disk. Beyond that everything goes to an unlinked 0600 file
 * (file_open_spool), encrypted in 16 KiB chunks with Cobblestone raw mode
 * under a random key and base nonce that exist only in this process's secure
 * memory: the file is useless to anyone who finds it, and any change to it
 * (modified, truncated, extended) is detected on replay. Everything is wiped
 * on spool_free.
 *
 * Use: spool_new, spool_write ..., spool_finish, then spool_replay (once or
 * more) or spool_source (once), spool_free on every path.
 */
#ifndef SEAL_ENVELOPE_SPOOL_H
#define SEAL_ENVELOPE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/stream.h"

#define SPOOL_MEMORY_MAX (1024 * 1024)

struct spool;

/* An empty spool in memory (no file yet). */
gpg_err_code_t spool_new(struct spool **out);

/* Appends N bytes. The first write that takes the total beyond
 * SPOOL_MEMORY_MAX creates the encrypted file and moves everything there.
 * GPG_ERR_INV_STATE after spool_finish. I/O errors as system codes. */
gpg_err_code_t spool_write(struct spool *s, const uint8_t *buf, size_t n);

/* A sink that appends to S (spool_write), e.g. the private plaintext sink of
 * envelope_unseal. */
struct byte_sink spool_sink(struct spool *s);

/* Ends the input: encrypts and writes the final chunk. */
gpg_err_code_t spool_finish(struct spool *s);

/* True once a write failed: the spool is unusable. */
bool spool_failed(const struct spool *s);

/* Writes everything back, in order, to SINK (after spool_finish, else
 * GPG_ERR_INV_STATE). Every chunk is authenticated before it is passed on;
 * a spool file that was modified, truncated or extended is GPG_ERR_CHECKSUM
 * or GPG_ERR_TRUNCATED (detail "spool file ..."), after the verified chunks
 * before the damage were written. SINK errors are returned as is. */
gpg_err_code_t spool_replay(struct spool *s, struct byte_sink sink);

/* The other way to read it back (after spool_finish, once, instead of
 * spool_replay): a source that hands out everything in order, each chunk of
 * the file authenticated before any of its bytes (a modified, truncated or
 * extended file is an error as in spool_replay). */
gpg_err_code_t spool_source(struct spool *s, struct byte_source *src);

/* Wipes everything in memory and closes (and so deletes) the file. NULL is
 * fine. */
void spool_free(struct spool *s);

#endif
