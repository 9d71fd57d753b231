/*
 * What the three programs share: how they talk to the user. Only programs
 * print; this is where failures become one-line messages and exit statuses.
 *
 * Exit statuses (the same for seal, unseal and seal-keygen; documented in
 * each man page):
 *   0  success
 *   1  authentication failed: tampered, truncated or forged input, bad signature
 *   2  usage error: bad or conflicting options
 *   3  malformed input: not an envelope or key file, bad armor, unknown version
 *   4  key problem: unreadable/weak/unsupported key, wrong or missing passphrase,
 *      private key file with unsafe permissions; also a policy refusal of a
 *      valid key file (KDF cost over the cap, unsupported encryption)
 *   5  the envelope is not addressed to this key
 *   6  the signature is valid but by a sender who is not trusted / not expected
 *   7  I/O error: cannot read or write a file, output exists
 *   8  (transport) no acknowledgment / peer unreachable
 *   9  (transport) the peer refused
 *  10  (transport) a receipt does not verify
 *  11  internal error: a bug or a libgcrypt failure
 */
#ifndef SEAL_CLI_H
#define SEAL_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/fileio.h"

enum cli_exit {
    EXIT_OK = 0,
    EXIT_AUTH = 1,
    EXIT_USAGE = 2,
    EXIT_FORMAT = 3,
    EXIT_KEY = 4,
    EXIT_NOT_RECIPIENT = 5,
    EXIT_UNTRUSTED = 6,
    EXIT_IO = 7,
    /* The transport modes (cli/deliver.h): */
    EXIT_NO_ACK = 8,       /* no acknowledgment / peer unreachable: outcome unknown */
    EXIT_REFUSED = 9,      /* the peer refused (ERR) */
    EXIT_BAD_RECEIPT = 10, /* an answer came, but it does not prove delivery */
    EXIT_INTERNAL = 11,
    EXIT_SESSION = 12, /* seal --chat: the session broke (replay, reorder, drop, reflection) */
};

/* Program name used in messages ("seal", "unseal", "seal-keygen"). */
void cli_set_program(const char *name);
const char *cli_program(void);

/* The exit status for CODE (the one mapping, see the table above). */
int cli_exit_status(gpg_err_code_t code);

/* Prints "PROG: error: FILE: DETAIL" (FILE omitted if NULL; DETAIL is
 * seal_detail() or, if none, libgpg-error's text for CODE) and returns
 * cli_exit_status(CODE). */
int cli_error(const char *file, gpg_err_code_t code);

/* Prints "PROG: error: " + the formatted message (usage problems). */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "PROG: hint: " + the formatted message. */
void cli_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "PROG: warning: " + the formatted message. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Progress on stderr, only when stderr is a terminal: call cli_progress_update
 * as work advances (cheap; redraws at most a few times per second) and
 * cli_progress_done at the end. TOTAL may be 0 if unknown. */
void cli_progress_start(const char *what, uint64_t total);
void cli_progress_update(void *ctx, uint64_t done);
void cli_progress_done(void);

/* Input and output for the envelope code (byte_source / byte_sink
 * callbacks over a file descriptor and an atomic output). FAILED records
 * that the failure was this side's, so the error names the right file. */
struct cli_input {
    int fd;
    bool failed;
    /* Bytes read so far. Atomic: the envelope pipeline reads on its own
     * thread while the progress display looks. */
    _Atomic uint64_t count;
};
gpg_err_code_t cli_input_read(void *ctx, uint8_t *buf, size_t cap, size_t *got);

/* A progress_fn whose CTX is a struct cli_input: progress counts the bytes
 * read from the input, the measure its size (the total) is in, so armored
 * input reaches 100 % too. */
void cli_progress_input(void *ctx, uint64_t done);

struct cli_output {
    struct atomic_out ao;
    bool failed;
};
gpg_err_code_t cli_output_write(void *ctx, const uint8_t *buf, size_t n);

/* Until called again (NULL: never), removes PATH if SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT or SIGPIPE ends the program, so no temporary file is left
 * behind; then dies of the signal as usual. */
void cli_remove_on_signal(const char *path);

/* The self-pipe: SIGINT and SIGTERM write a byte to a pipe whose read end
 * is *STOP_FD, and SIGPIPE is ignored (a vanished peer is an error on its
 * socket, not death), so that a program whose every wait goes through poll()
 * on *STOP_FD ends its waits and runs its normal cleanup, which wipes the
 * secrets. EXIT_OK, or the status of the error it printed. Once per
 * process. */
int cli_catch_stop_signals(int *stop_fd);

#endif
