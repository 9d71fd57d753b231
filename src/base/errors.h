/*
 * Error convention for all of seal.
 *
 * Every fallible function returns a gpg_err_code_t (libgpg-error's flat list,
 * shared with GnuPG and libgcrypt): 0 on success, a GPG_ERR_* code otherwise.
 * Library code never prints and never exits. Where a code alone would not
 * tell the user what was wrong ("Data truncated" of which field?), the failing
 * function also records a one-line detail with seal_fail(); the programs'
 * main files print it next to the file name. Details must never contain
 * secret material.
 *
 * Codes used and what they mean to the user (the programs map them to exit
 * statuses in exactly one place, cli_exit_status() in cli/cli.c):
 *   GPG_ERR_BAD_SIGNATURE, GPG_ERR_CHECKSUM, GPG_ERR_TRUNCATED,
 *   GPG_ERR_DECRYPT_FAILED           authentication failed (tampered, truncated)
 *   GPG_ERR_INV_DATA, GPG_ERR_BAD_DATA, GPG_ERR_INV_OBJ, GPG_ERR_UNKNOWN_VERSION,
 *   GPG_ERR_INV_ARMOR, GPG_ERR_TOO_LARGE, GPG_ERR_INV_LENGTH,
 *                                     malformed input (not an envelope, bad armor)
 *   GPG_ERR_BAD_SECKEY, GPG_ERR_BAD_PUBKEY, GPG_ERR_BAD_PASSPHRASE,
 *   GPG_ERR_WEAK_KEY, GPG_ERR_UNUSABLE_PUBKEY, GPG_ERR_PUBKEY_ALGO,
 *   GPG_ERR_NO_PASSPHRASE, GPG_ERR_CANCELED, GPG_ERR_DUP_KEY
 *                                     a key or passphrase problem
 *   GPG_ERR_UNUSABLE_SECKEY          a policy refusal of a valid key file
 *                                     (over-cap KDF cost, unsupported key)
 *   GPG_ERR_NO_SECKEY                the envelope is not addressed to this key
 *   GPG_ERR_NOT_TRUSTED              the signer is not an expected sender
 *   system codes (gpg_err_code_from_errno) and GPG_ERR_EOF
 *                                     I/O problem
 *   GPG_ERR_INV_ARG                  a caller's mistake (usage)
 *   GPG_ERR_BUG, GPG_ERR_INTERNAL and libgcrypt's own failures
 *                                     an internal error: a bug, never the input
 */
#ifndef SEAL_ERRORS_H
#define SEAL_ERRORS_H

#include <gpg-error.h>

/* Records DETAIL (a printf format; keep it short, lower case, no final
 * period, no secrets) as the explanation of the current failure and returns
 * CODE, so that `return seal_fail(GPG_ERR_TRUNCATED, "PEM body ends early");`
 * reads naturally. The first detail recorded since the last seal_clear_detail()
 * wins: it is the closest to the cause. The library's entry points
 * (key_load_*, envelope_seal, envelope_unseal, envelope_inspect,
 * trusted_senders_load) start by clearing it, so a detail always belongs to
 * the operation that just failed; code that recovers from a failure it
 * provoked itself (a trial parse) clears it too. */
gpg_err_code_t seal_fail(gpg_err_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Overwrites any recorded detail (for a caller that knows better). */
gpg_err_code_t seal_fail_override(gpg_err_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The recorded detail, or NULL if none was recorded. */
const char *seal_detail(void);

/* Forgets the recorded detail. */
void seal_clear_detail(void);

/* Scopes. A detail belongs to the scope of the thread that records it: by
 * default one for the whole process. A thread that runs an operation beside
 * others (a listener connection) enters a scope of its own, so that another
 * connection's failure cannot become its detail; a helper thread working for
 * an operation (the envelope pipeline's reader and workers) enters its
 * caller's scope, seal_detail_scope_current() taken on the caller's thread.
 * seal_detail_scope_new() returns NULL when out of memory (the thread then
 * stays in the process scope). A scope must outlive the threads in it. */
struct seal_detail_scope;
struct seal_detail_scope *seal_detail_scope_new(void);
void seal_detail_scope_free(struct seal_detail_scope *s);
struct seal_detail_scope *seal_detail_scope_current(void);
void seal_detail_scope_enter(struct seal_detail_scope *s);

/* The current errno as a code (never 0: GPG_ERR_EIO if errno was 0). */
gpg_err_code_t seal_errno_code(void);

#endif
