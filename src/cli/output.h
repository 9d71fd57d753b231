/*
 * Where output goes, safely:
 *
 * - unseal's plaintext is held back until envelope_unseal() returned 0:
 *   written to a temporary file beside the destination (mode 0600) or to an
 *   encrypted spool (spool.h) for standard output, and made visible only by
 *   cli_plain_release(). Until then nobody else can see a byte of it. With
 *   READ_TWICE, standard output gets no spool: the envelope is read twice
 *   (spool.h) and cli_plain_release() is the second pass, which writes only
 *   chunks the first verified.
 * - Nothing is written over its own input (compared by device and inode,
 *   so a hard link or "./F" for "F" is caught too, even with -f).
 * - Binary is not written to a terminal unless "-o -" asked for it.
 */
#ifndef SEAL_CLI_OUTPUT_H
#define SEAL_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/fileio.h"
#include "base/stream.h"
#include "cli/cli.h"

struct spool;
struct two_pass;
struct envelope_reader;

struct cli_plain_out {
    bool to_stdout;
    bool refuse_binary;    /* standard output is a terminal and "-o -" was not given */
    bool binary;           /* a byte a terminal should not get was written */
    struct cli_output out; /* the file, or fd 1 for standard output; out.failed:
                              writing failed (not reading the input) */
    bool read_twice;       /* set after open: standard output by two passes, no spool */
    struct spool *spool;
    bool spool_failed; /* the spool could not hold the message */
};

/* Prepares private output to PATH ("-": standard output, through a spool).
 * EXPLICIT: "-o -" was given, so binary may go to a terminal. */
gpg_err_code_t cli_plain_open(struct cli_plain_out *p, const char *path, bool force, bool explicit);

/* The private sink for envelope_unseal(). */
struct byte_sink cli_plain_sink(struct cli_plain_out *p);

/* Makes the plaintext visible. Call only after envelope_unseal() returned
 * 0. With READ_TWICE (standard output), ENV was read through TP and this is
 * the second pass (two_pass_release); otherwise both are NULL. Binary for a
 * terminal is refused here (GPG_ERR_INV_ARG: a usage problem), before a
 * byte is written. */
gpg_err_code_t cli_plain_release(struct cli_plain_out *p, struct two_pass *tp,
                                 struct envelope_reader *env);

/* Throws the plaintext away (no-op after a release). Always safe. */
void cli_plain_discard(struct cli_plain_out *p);

/* Refuses (printing the error, returning EXIT_USAGE) to write OUTPUT ("-":
 * standard output) when it is the file open on IN_FD, named IN_NAME. */
int cli_refuse_same_file(int in_fd, const char *in_name, const char *output);

/* The hint after an output that exists (GPG_ERR_EEXIST): -f or -o. */
void cli_hint_existing_output(void);

/* True iff OUTPUT is standard output and that is a terminal. */
bool cli_output_is_terminal(const char *output);

#endif
