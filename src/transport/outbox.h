/*
 * The outbox (man/seal.5, TRANSPORT "Outbox fetch"; unseal(1) "OUTBOX"):
 * envelopes an operator queued for a client in OUTBOX/ID/, served on the
 * listener's port to the client that proves it is ID with a signed,
 * encrypted, fresh fetch request, and moved to OUTBOX/ID/sent/ only after
 * the client's receipt for each verified. The request and receipt formats
 * are shared with the client side (fetch.h).
 *
 *   request plaintext:  "seal v1 fetch" 00 || listener fingerprint (32)
 *                       || u8 l || client ID (l) || session key (32)
 *   receipt: base64url(HMAC-SHA-256(session key, "seal v1 fetch receipt" 00
 *            || listener fpr || request ID || envelope ID || SHA-256(envelope)))
 *   end mac: base64url(HMAC-SHA-256(session key, "seal v2 fetch end" 00
 *            || listener fpr || request ID || u32 count || list))
 *   list:    SHA-256(SHA-256(envelope 1) || ... || SHA-256(envelope count)),
 *            the envelopes the listener sent whole, in order
 */
#ifndef SEAL_TRANSPORT_OUTBOX_H
#define SEAL_TRANSPORT_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errors.h"
#include "envelope/envelope.h"
#include "keys/keyring.h"
#include "keys/keys.h"
#include "transport/receipt.h"
#include "transport/registry.h"

#define FETCH_VERB "FETCH\n"
#define FETCH_LABEL "seal v1 fetch" /* and its NUL: 14 bytes */
#define FETCH_LABEL_LEN 14
#define FETCH_SESSION_KEY_LEN 32
#define FETCH_REQUEST_MAX 16384 /* the armored request */
#define FETCH_PLAIN_MAX                                                                            \
    (FETCH_LABEL_LEN + SEAL_FPR_LEN + 1 + REGISTRY_NAME_MAX + FETCH_SESSION_KEY_LEN)
#define FETCH_WINDOW 600         /* seconds either side of the listener's clock */
#define FETCH_MAX_ENVELOPES 1000 /* per connection */
#define FETCH_LINE_MAX 128       /* "ENVELOPE n", "END n mac" */
#define FETCH_REFUSED_TEXT "request refused"

/* A decoded request; SESSION_KEY is secret: keep the struct in secure
 * memory or wipe it. */
struct fetch_request {
    uint8_t server_fpr[SEAL_FPR_LEN];
    char name[REGISTRY_NAME_MAX + 1];
    uint8_t session_key[FETCH_SESSION_KEY_LEN];
};

/* Appends the request plaintext to W (a secure writer). */
gpg_err_code_t fetch_request_encode(const struct fetch_request *req, struct writer *w);

/* Parses a request plaintext: exactly the layout, a valid client ID.
 * GPG_ERR_INV_DATA / GPG_ERR_INV_NAME otherwise; OUT is wiped then. */
gpg_err_code_t fetch_request_parse(const uint8_t *pt, size_t len, struct fetch_request *out);

/* The receipt for one envelope (RECEIPT_TEXT_LEN characters and a NUL). */
gpg_err_code_t fetch_receipt(const struct fetch_request *req,
                             const uint8_t request_id[SEAL_ENVELOPE_ID_LEN],
                             const uint8_t envelope_id[SEAL_ENVELOPE_ID_LEN],
                             const uint8_t sha[SEAL_SHA256_LEN], char out[RECEIPT_TEXT_LEN + 1]);

/* The mac of the END line for COUNT envelopes whose list digest (above) is
 * LIST: it names the envelopes, not only their number. */
gpg_err_code_t fetch_end_mac(const struct fetch_request *req,
                             const uint8_t request_id[SEAL_ENVELOPE_ID_LEN], uint32_t count,
                             const uint8_t list[SEAL_SHA256_LEN], char out[RECEIPT_TEXT_LEN + 1]);

/* A socket read through a buffer, so that a line and the bytes after it
 * can be taken apart; every read waits at most until a deadline. */
struct fetch_stream {
    int fd;
    int stop_fd;
    uint8_t buf[16384];
    size_t start, len;
};

/* Reads one line (LF included, at most CAP - 1 bytes and a NUL written to
 * LINE without the LF) before DEADLINE: GPG_ERR_EOF if the peer closed
 * first (nothing at all), GPG_ERR_TIMEOUT, GPG_ERR_TOO_LARGE, GPG_ERR_CANCELED. */
gpg_err_code_t fetch_read_line(struct fetch_stream *s, int64_t deadline, char *line, size_t cap);

/* Reads up to CAP bytes (at least one) before DEADLINE into BUF. */
gpg_err_code_t fetch_read_some(struct fetch_stream *s, int64_t deadline, uint8_t *buf, size_t cap,
                               size_t *got);

/* Parses a decimal number of at most 10 digits, no leading zero, 1..MAX. */
bool fetch_parse_count(const char *s, uint64_t max, uint64_t *out);

/* What the listener needs to serve a fetch (besides the wire). */
struct outbox_config {
    const struct seal_key *key;      /* ours */
    struct trusted_senders *senders; /* the clients, as trusted now */
    const char *dir;                 /* OUTBOX */
    uint64_t max_size;
    int64_t idle_ms, total_ms;
    int stop_fd;
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

/* Serves one fetch on S (the verb already taken), PEER naming it in the
 * log. Never says why a request was refused (the log does). */
void outbox_serve(const struct outbox_config *cfg, struct fetch_stream *s, const char *peer);

#endif
