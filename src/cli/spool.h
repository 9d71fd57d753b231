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
#ifndef SEAL_SPOOL_H
#define SEAL_SPOOL_H

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

/* Total bytes written so far. */
uint64_t spool_size(const struct spool *s);

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

/* ---- unseal to standard output in two passes --------------------------------
 * Standard output cannot be taken back, so nothing may reach it before the
 * whole envelope verified, and the message may be larger than memory. So:
 * pass 1 verifies everything and keeps the SHA-256 of every chunk's
 * plaintext (32 bytes per chunk, in a spool as above: in memory up to 1 MiB,
 * i.e. a 512 MiB message, then in an encrypted unlinked file); pass 2 reads
 * the envelope again, decrypts each chunk and writes it only if its hash is
 * the one pass 1 verified (envelope_reader_release). The input is read
 * twice: a regular file from where it started (it may have changed meanwhile:
 * then pass 2 stops at the first chunk that differs), anything else (a pipe)
 * from a copy of the ciphertext as received, kept in an unlinked file in
 * $TMPDIR (the envelope is encrypted already: the copy needs no more).
 *
 * Use: two_pass_open; pass 1 (envelope_reader_open, envelope_reader_unseal)
 * reads two_pass_input and writes the chunk hashes to two_pass_hashes; then
 * two_pass_release; two_pass_free on every path. */
struct two_pass;
struct cli_input;
struct envelope_reader;

/* Prepares to read IN (the envelope; IN counts the bytes and records a read
 * failure, as cli_input_read does) twice. */
gpg_err_code_t two_pass_open(struct cli_input *in, struct two_pass **out);

/* The first pass's input and chunk hash sink. */
struct byte_source two_pass_input(struct two_pass *t);
struct byte_sink two_pass_hashes(struct two_pass *t);

/* After the first pass verified ENV: the second pass, to OUT (errors as
 * envelope_reader_release). Progress is reported on the second reading. */
gpg_err_code_t two_pass_release(struct two_pass *t, struct envelope_reader *env,
                                struct byte_sink out);

/* The spool in $TMPDIR failed (the copy or the hashes), not the input. */
bool two_pass_spool_failed(const struct two_pass *t);

/* Wipes and frees T, deleting its files. NULL is fine. */
void two_pass_free(struct two_pass *t);

#endif
