/*
 * Where a verified message goes: one shape for every back end (the Maildir,
 * a JetStream stream through the NATS publisher, `unseal --from`'s output
 * file). The receiving side (serve.h) verifies into a private temporary that
 * OPEN makes, and only once everything verified asks COMMIT to make the
 * message durable, exactly once under its (sender fingerprint, envelope ID);
 * ABORT throws the temporary away. A back end that stores the envelope
 * itself (keep_sealed) is handed the spooled envelope instead, and OPEN is
 * not called.
 *
 * The promise every implementation keeps: COMMIT returns 0 only once the
 * message is as durable as the back end makes anything (fsync, a PubAck),
 * and then the listener may answer OK; on any failure nothing of the
 * message is visible and the answer is ERR. COMMIT and ABORT are called from
 * many threads at once, each with its own temporary.
 */
#ifndef SEAL_TRANSPORT_DESTINATION_H
#define SEAL_TRANSPORT_DESTINATION_H

#include <stdbool.h>
#include <stdint.h>

#include "base/stream.h"
#include "envelope/envelope.h"
#include "transport/inbox.h"
#include "transport/wire.h"

/* What COMMIT makes durable: FILE's first LEN bytes (the plaintext written
 * into the temporary, or with keep_sealed the spooled envelope), which
 * verified as INFO says. */
struct dest_message {
    const struct envelope_info *info;
    struct inbox_file *file;
    uint64_t len;
};

/* What COMMIT did. On failure KIND and REASON (or "" for "cannot store the
 * message now") make the ERR line. */
struct dest_result {
    bool duplicate;                /* stored before: nothing stored now */
    char name[INBOX_NAME_MAX + 1]; /* a Maildir's file in new/, or "" */
    enum wire_kind kind;
    char reason[WIRE_REASON_MAX + 1];
};

struct serve_destination {
    /* A private temporary for one message's plaintext: *TMP names it (its fd
     * may be -1 if the back end keeps it elsewhere) and *SINK receives the
     * bytes. */
    gpg_err_code_t (*open)(void *ctx, struct inbox_file *tmp, struct byte_sink *sink);
    /* Makes M durable, exactly once; see above. May consume M->file (its fd
     * is then -1). */
    gpg_err_code_t (*commit)(void *ctx, const struct dest_message *m, struct dest_result *r);
    /* Throws TMP away: always called after OPEN succeeded, a no-op for what
     * COMMIT consumed. */
    void (*abort)(void *ctx, struct inbox_file *tmp);
    void *ctx;
};

/* The Maildir IB (inbox.h): temporaries in tmp/, COMMIT is inbox_deliver(). */
void dest_inbox(struct serve_destination *d, struct inbox *ib);

/* For back ends that copy the message elsewhere on COMMIT: a private
 * unnamed temporary file (file_open_spool) as OPEN, and its close as ABORT. */
gpg_err_code_t dest_spool_open(void *ctx, struct inbox_file *tmp, struct byte_sink *sink);
void dest_spool_abort(void *ctx, struct inbox_file *tmp);

#endif
