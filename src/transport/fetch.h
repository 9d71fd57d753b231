/*
 * The client side of the outbox (unseal --from HOST:PORT --fetch; man/seal.5
 * TRANSPORT "Outbox fetch"): a signed, encrypted, fresh request bound to the
 * listener's key, then every envelope waiting, each verified, stored in the
 * Maildir exactly once (inbox.h) and only then answered with its receipt.
 */
#ifndef SEAL_TRANSPORT_FETCH_H
#define SEAL_TRANSPORT_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "transport/inbox.h"
#include "transport/outbox.h"
#include "transport/wire.h"

struct fetch_config {
    const char *from;                /* HOST:PORT */
    const struct seal_key *key;      /* ours (a key pair): signs, decrypts */
    const struct seal_key *server;   /* the listener's public key */
    struct trusted_senders *senders; /* the listener's key as the one trusted sender */
    const char *name;                /* our client ID there */
    struct inbox *inbox;
    bool keep_sealed;
    uint64_t max_size, max_age;
    int64_t wait_ms;
    /* One line per envelope ("stored ...", "duplicate ..."); may be NULL. */
    void (*note)(void *ctx, const char *line);
    void *note_ctx;
};

enum fetch_status {
    FETCH_DONE,      /* the listener's END verified: nothing more was waiting */
    FETCH_REFUSED,   /* ERR (the reason in the outcome) */
    FETCH_DROPPED,   /* the connection ended (or timed out) before a valid END */
    FETCH_BAD_END,   /* an END line that does not prove the envelopes that arrived */
    FETCH_MALFORMED, /* a line that breaks the protocol, or an ENVELOPE over max_size */
};

struct fetch_outcome {
    enum fetch_status status;
    bool temp;
    unsigned stored, duplicates, rejected;
    char reason[WIRE_REASON_MAX + 64];
};

/* Runs one fetch. Returns 0 with OUT filled, or the code of a local failure
 * (cannot connect: GPG_ERR_ECONNREFUSED & co.; cannot seal; cannot store:
 * the detail says which). */
gpg_err_code_t transport_fetch(const struct fetch_config *cfg, struct fetch_outcome *out);

#endif
