/*
 * The listener fleet's two ends of a JetStream stream (unseal(1),
 * "FLEET"), over transport/jetstream.h:
 *   - js_store_publish(): for the NATS publisher of `unseal --listen
 *     --deliver` (cli/fleet.h): a verified message is published with
 *     Nats-Msg-Id = the exactly-once key (sender fingerprint and envelope
 *     ID, both signed), and the listener acknowledges it to the client only
 *     after the stream's PubAck;
 *   - js_store_to_inbox(): the js_deliver_fn of `unseal --drain`: each
 *     message goes into the Maildir through the inbox's exactly-once
 *     delivery, so a message the stream hands out again (a drain killed
 *     between the Maildir write and the ack) is recognised by its marker and
 *     stored once.
 * Built only with --with-nats.
 */
#ifndef SEAL_TRANSPORT_JSSTORE_H
#define SEAL_TRANSPORT_JSSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope/envelope.h"
#include "keys/keys.h"
#include "transport/inbox.h"
#include "transport/jetstream.h"
#include "transport/wire.h"

/* The subject a stream NAME's messages are published on: "seal.NAME". */
#define JS_STORE_SUBJECT_MAX 272
void js_store_subject(const char *stream, char out[JS_STORE_SUBJECT_MAX]);

/* The message ID: hex(sender fingerprint) "-" hex(envelope ID). */
#define JS_STORE_ID_LEN (2 * SEAL_FPR_LEN + 1 + 2 * SEAL_ENVELOPE_ID_LEN)
void js_store_msg_id(const uint8_t fpr[SEAL_FPR_LEN], const uint8_t id[SEAL_ENVELOPE_ID_LEN],
                     char out[JS_STORE_ID_LEN + 1]);
/* Its inverse; GPG_ERR_INV_DATA unless TEXT is exactly such an ID. */
gpg_err_code_t js_store_parse_msg_id(const char *text, uint8_t fpr[SEAL_FPR_LEN],
                                     uint8_t id[SEAL_ENVELOPE_ID_LEN]);

struct js_store {
    struct js_conn *conn;
    const char *stream;
    char subject[JS_STORE_SUBJECT_MAX];
};

/* One verified message for the stream: published with Nats-Msg-Id = the
 * exactly-once key (FPR, ID), META as headers. */
struct js_store_msg {
    const uint8_t *fpr; /* SEAL_FPR_LEN: the sender's key */
    const uint8_t *id;  /* SEAL_ENVELOPE_ID_LEN */
    struct js_meta meta;
    const uint8_t *data;
    size_t len;
};

/* Publishes M and waits for the stream's PubAck: 0 once stored (or stored
 * before: *DUPLICATE). Refusals fill *KIND and REASON for the ERR line: a
 * message larger than the server's max_payload is ERR perm naming the
 * limit; a lost connection or a missing PubAck is ERR temp (never 0). */
gpg_err_code_t js_store_publish(struct js_store *st, const struct js_store_msg *m, bool *duplicate,
                                enum wire_kind *kind, char reason[WIRE_REASON_MAX + 1]);

/* The ERR reason for a message of LEN bytes over the store's MAX. */
void js_store_too_big(int64_t max, char reason[WIRE_REASON_MAX + 1]);

struct js_inbox_drain {
    struct inbox *inbox;
    size_t stored, duplicates;
    size_t foreign; /* messages without a seal message ID, left in the stream */
    /* One line per message moved or left in the stream (may be NULL);
     * QUIET: only those left in the stream. */
    void (*log)(void *ctx, const char *line);
    bool quiet;
    void *log_ctx;
};

/* js_deliver_fn over a js_inbox_drain (CTX): 0 once the message is durably
 * in new/ (or was before). A message without a seal message ID was not
 * published by a seal listener and is not verified: it is never put into
 * the inbox; it is logged with its stream sequence, counted in FOREIGN and
 * left in the stream (GPG_ERR_UNEXPECTED_MSG, see js_drain). */
gpg_err_code_t js_store_to_inbox(void *ctx, const struct js_message *m);

#endif
