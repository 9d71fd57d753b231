/*
 * The sending side (seal(1), "SENDING"): seal an envelope straight onto a
 * connection, wait for the peer's one-line answer and check its receipt.
 *
 * With a peer address (`seal --to`) the envelope is also kept in an
 * anonymous 0600 temporary file (already unlinked, so nothing is left even
 * after a crash), and on a lost connection, no answer or `ERR temp` the
 * same bytes are sent again, with backoff, for up to retry_for_ms: a retry
 * can never make a second envelope, and the receiver stores an envelope
 * once however often it arrives. With a listening address (`seal
 * --listen`) it waits for one peer, sends, and does not retry.
 */
#ifndef SEAL_TRANSPORT_CLIENT_H
#define SEAL_TRANSPORT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope/envelope.h"
#include "transport/wire.h"

struct send_config {
    const char *to;       /* HOST:PORT to connect to, or NULL */
    const char *listen;   /* [ADDR:]PORT to wait on for one peer, or NULL */
    int64_t retry_for_ms; /* --to: how long to keep trying */
    int64_t wait_ms;      /* longest wait on the peer: a write, the answer */
    int64_t connect_ms;   /* longest connection attempt */
    /* --to: keep trying to connect when the first attempt fails (the user
     * asked for --retry-for). Without it a peer never reached ends the
     * send at once, before the input is read. */
    bool retry_unreached;
    size_t peer; /* index of the acknowledging recipient in the request */
    /* Progress notes ("retrying in 4 s: ..."); may be NULL. */
    void (*note)(void *ctx, const char *line);
    void *note_ctx;
};

enum send_status {
    SEND_ACKED,       /* a valid receipt for this envelope came */
    SEND_NO_ACK,      /* unreachable, or no answer: outcome unknown */
    SEND_REFUSED,     /* ERR (perm, or temp until retry_for ran out) */
    SEND_BAD_RECEIPT, /* an answer came that does not prove delivery */
};

struct send_outcome {
    enum send_status status;
    bool temp;                         /* REFUSED: the last ERR was temp */
    char reason[WIRE_REASON_MAX + 64]; /* ERR reason, or what went wrong */
    uint8_t envelope_id[SEAL_ENVELOPE_ID_LEN];
    unsigned attempts;
    bool connected; /* some attempt connected: NO_ACK may have delivered */
};

/* Seals REQ (its out and result are set here) and delivers it as CFG says.
 * Returns 0 with OUT filled, or the code of a local failure (sealing
 * failed, the temporary file could not be written, a bad address). */
gpg_err_code_t transport_send(struct seal_request *req, const struct send_config *cfg,
                              struct send_outcome *out);

/* Reads one reply line from FD (up to LF or end of input, at most
 * WIRE_LINE_MAX bytes and one more to notice a longer line) before
 * DEADLINE. *LEN is 0 if the peer closed or DEADLINE passed first. */
gpg_err_code_t transport_read_reply(int fd, int64_t deadline, uint8_t buf[WIRE_LINE_MAX + 1],
                                    size_t *len);

#endif
