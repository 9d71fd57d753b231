/*
 * Unseal to standard output in two passes.
 *
 * Standard output cannot be taken back, so nothing may reach it before the
 * whole envelope verified, and the message may be larger than memory. So:
 * pass 1 verifies everything and keeps the SHA-256 of every chunk's
 * plaintext (32 bytes per chunk, in an encrypted spool, envelope/spool.h:
 * in memory up to 1 MiB,
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
 * two_pass_release; two_pass_free on every path.
 */
#ifndef SEAL_CLI_TWO_PASS_H
#define SEAL_CLI_TWO_PASS_H

#include <stdbool.h>

#include "base/stream.h"

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
