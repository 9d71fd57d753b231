/*
 * Passphrases for the programs: from the first line of a file
 * (--passphrase-file) or asked on /dev/tty with echo off. Never from an
 * environment variable or the command line, where other users could see it.
 *
 * Every passphrase lives in libgcrypt secure memory and is returned as
 * SEAL_PASSPHRASE_MAX bytes at most plus a terminating NUL; the caller frees
 * it with seal_secure_free(pass, len + 1), which wipes it.
 */
#ifndef SEAL_CLI_PASSPHRASE_H
#define SEAL_CLI_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#include "keys/keys.h"

/* Longest passphrase accepted, in bytes (a line of a file or of the tty). */
#define SEAL_PASSPHRASE_MAX 1024

/* Where passphrases come from: FILE (the --passphrase-file argument) or, if
 * FILE is NULL, the terminal. */
struct cli_passphrase {
    const char *file;
};

/* A key_passphrase_fn (keys.h); CTX is a struct cli_passphrase. With a file,
 * returns its first line without the line end (one "\n" or "\r\n"); an empty
 * first line, a NUL byte or an overlong line is an error naming the file.
 * Otherwise prompts "Enter passphrase for PATH: " on /dev/tty with echo off,
 * restoring the terminal on every path including SIGINT/SIGTERM/SIGHUP/
 * SIGQUIT (the handler restores and re-raises). Without a terminal:
 * GPG_ERR_NO_PASSPHRASE with a detail. End of input at the prompt:
 * GPG_ERR_CANCELED. */
gpg_err_code_t cli_passphrase_get(void *ctx, const char *path, char **pass, size_t *len);

/* A passphrase for a new key written to PATH. With a file, as above (read
 * once, no confirmation). At the terminal: asks twice; a mismatch asks again,
 * up to 3 tries (then GPG_ERR_BAD_PASSPHRASE). An empty answer warns on the
 * terminal that the key will be stored UNENCRYPTED and asks "[y/N]"; yes
 * returns success with *PASS = NULL and *LEN = 0, no asks again (it counts as
 * a try). Without a terminal: GPG_ERR_NO_PASSPHRASE. */
gpg_err_code_t cli_passphrase_new(const struct cli_passphrase *pp, const char *path, char **pass,
                                  size_t *len);

/* How many times a wrong passphrase may be typed at the terminal before
 * the key is refused, as ssh and gpg allow. */
#define CLI_PASSPHRASE_TRIES 3

/* Writes LINE and a line feed to the terminal (best effort): what the
 * person typing must see, such as "Wrong passphrase; try again." */
void cli_passphrase_tell(const char *line);

/* True iff this process can open its controlling terminal /dev/tty. */
bool cli_passphrase_have_tty(void);

#endif
