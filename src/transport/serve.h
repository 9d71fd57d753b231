/*
 * The receiving side of one connection (man/seal.5, TRANSPORT; unseal(1)):
 * read one envelope to its end (the peer's half-close) under a size cap and
 * deadlines, verify it completely, store it, and answer with one OK or ERR
 * line. serve_connection() does it all on one thread for `unseal --from`;
 * the listener's loop (listener.h) receives the envelope itself and hands
 * the rest to serve_received() on a worker.
 *
 * The order is the promise: the size cap applies while the bytes arrive,
 * before any decryption; nothing is stored before it verified; OK is sent
 * only after the message is durable (the destination's commit,
 * transport/destination.h); any failure is an ERR line, never an OK.
 */
#ifndef SEAL_TRANSPORT_SERVE_H
#define SEAL_TRANSPORT_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/stream.h"
#include "crypto/crypto.h"
#include "envelope/envelope.h"
#include "keys/keyring.h"
#include "keys/keys.h"
#include "transport/destination.h"
#include "transport/inbox.h"
#include "transport/net.h"
#include "transport/wire.h"

struct proxy_allow;

struct serve_config {
    const struct seal_key *key;      /* ours: decrypts, and names the receipts */
    struct trusted_senders *senders; /* registered clients (all loaded: shared by threads) */
    /* The Maildir the envelope is spooled in (tmp/) and whose free space is
     * checked; NULL: spooled in an unnamed file under $TMPDIR. */
    struct inbox *inbox;
    /* Where verified messages go; NULL: the inbox (dest_inbox()). */
    const struct serve_destination *dest;
    /* --proxy-from: connections from these peers begin with a PROXY header
     * (transport/proxy.h) whose address names the peer; NULL: none do.
     * Read by the listener's loop (--from connects out: never a proxy). */
    const struct proxy_allow *proxy_from;
    bool keep_sealed;  /* store the envelope, not the plaintext */
    uint64_t max_size; /* envelope bytes */
    int64_t idle_ms;   /* longest wait for the next bytes */
    int64_t total_ms;  /* longest connection */
    uint64_t min_free; /* bytes the inbox's file system must keep free */
    uint64_t max_age;  /* seconds: older envelopes are refused */
    int stop_fd;       /* readable: shutting down (or -1) */
    /* One line per event (never a secret); may be NULL. */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

/* Envelopes created more than this far in the future are refused. */
#define SERVE_MAX_FUTURE 600
/* After refusing a peer that is still sending, read (and drop) its bytes
 * for this long, so the refusal is not lost in a reset; but at most this
 * many, so a refused peer cannot make us read for free (on loopback 2 s are
 * hundreds of MiB). The refusal is written before this, so a peer that
 * keeps sending past the bound gets a reset with the line already in its
 * receive buffer (seal --to reads it after a failed write). The listener's
 * loop and --from's serve_connection() both keep it. */
#define SERVE_LINGER_MS 2000
#define SERVE_LINGER_MAX_BYTES (1024 * 1024)

/* The replay window: where a signed creation time CREATED lies, for a
 * receiver whose clock says NOW, that keeps envelopes MAX_AGE seconds.
 * Computed without overflow: any u64 CREATED is old, fine or future (a
 * time near 2^64 is in the future, not "too old"). */
enum serve_window {
    SERVE_WINDOW_OK,
    SERVE_WINDOW_TOO_OLD,  /* created more than MAX_AGE before NOW */
    SERVE_WINDOW_IN_FUTURE /* created more than SERVE_MAX_FUTURE after NOW */
};
enum serve_window serve_window_check(uint64_t created, uint64_t now, uint64_t max_age);

enum serve_outcome {
    SERVE_PROBE,     /* the peer closed without sending a byte: nothing said */
    SERVE_DELIVERED, /* stored, OK sent (or the peer left before reading it) */
    SERVE_DUPLICATE, /* stored before, OK sent again */
    SERVE_REFUSED,   /* ERR sent */
};

struct serve_result {
    enum serve_outcome outcome;
    enum wire_kind err_kind; /* REFUSED: temp or perm */
    char reason[WIRE_REASON_MAX + 1];
    gpg_err_code_t code; /* REFUSED: the underlying code */
    char peer[NET_PEER_MAX];
    char name[INBOX_NAME_MAX + 1]; /* DELIVERED/DUPLICATE: the file in new/ */
    uint64_t size;                 /* envelope bytes received */
    struct envelope_info info;
};

/* Serves FD (a connected socket; closed here): the whole exchange on the
 * calling thread, blocking (unseal --from). */
void serve_connection(const struct serve_config *cfg, int fd, struct serve_result *res);

/* What the listener's event loop (listener.h) hands to a worker once a
 * connection has shown what it is: an envelope received whole (up to the
 * peer's half-close, within the size cap), or a fetch or registration whose
 * verb line is complete. */
enum serve_kind {
    SERVE_KIND_ENVELOPE,
    SERVE_KIND_FETCH,    /* FETCH_VERB taken; REST holds what followed it */
    SERVE_KIND_REGISTER, /* REGISTER_VERB taken; REST holds what followed it */
};

struct serve_job {
    enum serve_kind kind;
    int fd;                  /* the connection; the worker closes it */
    char peer[NET_PEER_MAX]; /* as the log names it (the PROXY header's client) */
    /* ENVELOPE: the envelope as received, its SHA-256 and length. */
    struct inbox_file spool;
    uint8_t digest[SEAL_SHA256_LEN];
    uint64_t size;
    /* FETCH, REGISTER: the bytes read after the verb (at most a few
     * hundred), to be read before the socket. */
    const uint8_t *rest;
    size_t rest_len;
};

/* Serves an ENVELOPE job: verifies and stores it, answers (OK with the
 * receipt, or ERR), logs one line, removes the spool file, closes the
 * connection; fills RES as serve_connection() does. */
void serve_received(const struct serve_config *cfg, struct serve_job *job,
                    struct serve_result *res);

/* The ERR reason for an envelope over CFG->max_size ("too big: ..."),
 * naming the limit as the fleet's store does. */
void serve_too_big(const struct serve_config *cfg, char out[WIRE_REASON_MAX + 1]);

/* An envelope's spool file as it arrives: a private temporary in the
 * inbox's tmp/ (named ".envelope"), or an unnamed file for --from. */
gpg_err_code_t serve_spool_open(const struct serve_config *cfg, struct inbox_file *spool);

/* Removes and closes SPOOL; nothing if it is not open. */
void serve_spool_discard(const struct serve_config *cfg, struct inbox_file *spool);

#endif
