/*
 * The listener's two-way patterns (man/seal.5, TRANSPORT): the worker hook
 * that serves a fetch ("FETCH" LF), a registration ("REGISTER ") or a
 * delivery, as the listener's loop told them apart, and the trust directory
 * as the listener sees it now: it is looked at again for every connection
 * and re-read when it changed, so a key an operator just approved is trusted
 * without a restart.
 */
#ifndef SEAL_TRANSPORT_SERVE_REQUESTS_H
#define SEAL_TRANSPORT_SERVE_REQUESTS_H

#include "transport/serve.h"

#define REGISTER_VERB "REGISTER "

struct twoway_config {
    const struct seal_key *key; /* ours */
    const char *trust;          /* the trust directory (or one key file) */
    const char *outbox;         /* OUTBOX, or NULL: no fetches */
    const char *pending;        /* the pending directory, or NULL: no registrations */
    unsigned max_pending;
};

struct twoway;

/* Loads the trust directory (every key, so that threads only look up). */
gpg_err_code_t twoway_new(const struct twoway_config *cfg, struct twoway **out);
void twoway_free(struct twoway *tw);

/* The listener's worker hook (listener_config.job_fn): serves JOB, which
 * the listener's loop classified, as a fetch, a registration or
 * (serve_received) a delivery, with the trust directory as it is now.
 * Closes JOB->fd. CTX is the struct twoway. */
void twoway_serve(void *ctx, const struct serve_config *cfg, struct serve_job *job,
                  struct serve_result *res);

#endif
