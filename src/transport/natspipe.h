/*
 * The pipe between `unseal --listen --deliver` and its NATS publisher
 * (unseal(1), FLEET). The listener holds the server's key and verifies;
 * the publisher, unseal-nats, the only program that links libnats (and the
 * OpenSSL it brings), holds no key: it gets each verified message over a
 * Unix socket pair, publishes it and answers with the stream's verdict.
 *
 * Every frame is a u32 big-endian body length and the body, read with a cap
 * (NATSPIPE_REQUEST_MAX, NATSPIPE_REPLY_MAX) and parsed with the one reader
 * (base/buf.h), all integers big-endian:
 *
 *   request = "P" fpr[32] envelope-id[16] u64 created
 *             u16-prefixed sender name (0..255) data (the rest of the frame)
 *   reply   = u8 status (0 stored, 1 stored before, 2 refused)
 *             u8 kind (0 temp, 1 perm) u32 code (gpg_err_code_t)
 *             u64 max_payload (the server's, as now known)
 *             u16-prefixed reason (0..200 bytes of 0x20..0x7E)
 *
 * The publisher answers each request with one reply, in order; once ready
 * (connected, stream checked) it sends one reply with status 0 first. A
 * closed socket ends it.
 */
#ifndef SEAL_TRANSPORT_NATSPIPE_H
#define SEAL_TRANSPORT_NATSPIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "envelope/envelope.h"
#include "transport/wire.h"

/* nats-server's max_payload is at most 64 MiB. */
#define NATSPIPE_DATA_MAX (UINT64_C(64) << 20)
#define NATSPIPE_NAME_MAX 255
#define NATSPIPE_REQUEST_HEAD (1 + SEAL_FPR_LEN + SEAL_ENVELOPE_ID_LEN + 8 + 2 + NATSPIPE_NAME_MAX)
#define NATSPIPE_REQUEST_MAX (NATSPIPE_REQUEST_HEAD + NATSPIPE_DATA_MAX)
#define NATSPIPE_REPLY_MAX (1 + 1 + 4 + 8 + 2 + WIRE_REASON_MAX)

struct natspipe_request {
    uint8_t fpr[SEAL_FPR_LEN];
    uint8_t id[SEAL_ENVELOPE_ID_LEN];
    uint64_t created;
    char sender[NATSPIPE_NAME_MAX + 1];
    const uint8_t *data; /* into the frame */
    size_t len;
};

enum natspipe_status {
    NATSPIPE_STORED = 0,
    NATSPIPE_DUPLICATE = 1,
    NATSPIPE_REFUSED = 2,
};

struct natspipe_reply {
    enum natspipe_status status;
    enum wire_kind kind; /* REFUSED: WIRE_ERR_TEMP or WIRE_ERR_PERM */
    gpg_err_code_t code; /* REFUSED: why */
    int64_t max_payload;
    char reason[WIRE_REASON_MAX + 1];
};

/* Reads one frame of at most MAX body bytes before DEADLINE (net.h;
 * NET_NO_DEADLINE for a blocking wait) into *BODY (malloc'd, the caller
 * frees) and *LEN. GPG_ERR_EOF if the peer closed before a frame began,
 * GPG_ERR_TOO_LARGE for a length over MAX, GPG_ERR_TRUNCATED for a frame
 * cut short. */
gpg_err_code_t natspipe_read_frame(int fd, size_t max, int64_t deadline, uint8_t **body,
                                   size_t *len);

/* Sends a request for REQ (its data ignored) whose data are the first LEN
 * bytes of DATA_FD, read from offset 0 (pread: its position is left as
 * is), before DEADLINE. */
gpg_err_code_t natspipe_send_request(int fd, const struct natspipe_request *req, int data_fd,
                                     uint64_t len, int64_t deadline);

/* Parses a request frame; OUT->data points into BODY. GPG_ERR_INV_DATA for
 * anything but exactly one request. */
gpg_err_code_t natspipe_parse_request(const uint8_t *body, size_t len,
                                      struct natspipe_request *out);

gpg_err_code_t natspipe_send_reply(int fd, const struct natspipe_reply *r, int64_t deadline);
gpg_err_code_t natspipe_parse_reply(const uint8_t *body, size_t len, struct natspipe_reply *out);

#endif
