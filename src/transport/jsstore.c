/* The fleet's ends of a JetStream stream; see jsstore.h. */
#include "transport/jsstore.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/fileio.h"
#include "base/text.h"

void js_store_subject(const char *stream, char out[JS_STORE_SUBJECT_MAX])
{
    snprintf(out, JS_STORE_SUBJECT_MAX, "seal.%s", stream);
}

void js_store_msg_id(const uint8_t fpr[SEAL_FPR_LEN], const uint8_t id[SEAL_ENVELOPE_ID_LEN],
                     char out[JS_STORE_ID_LEN + 1])
{
    seal_hex(fpr, SEAL_FPR_LEN, out);
    out[2 * SEAL_FPR_LEN] = '-';
    seal_hex(id, SEAL_ENVELOPE_ID_LEN, out + 2 * SEAL_FPR_LEN + 1);
    out[JS_STORE_ID_LEN] = '\0';
}

static bool get_hex(const char *text, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++) {
        char c = text[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return false;
        out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] << 4) | v : v);
    }
    return true;
}

gpg_err_code_t js_store_parse_msg_id(const char *text, uint8_t fpr[SEAL_FPR_LEN],
                                     uint8_t id[SEAL_ENVELOPE_ID_LEN])
{
    if (strlen(text) != JS_STORE_ID_LEN || text[2 * SEAL_FPR_LEN] != '-' ||
        !get_hex(text, fpr, SEAL_FPR_LEN) ||
        !get_hex(text + 2 * SEAL_FPR_LEN + 1, id, SEAL_ENVELOPE_ID_LEN))
        return seal_fail(GPG_ERR_INV_DATA, "'%.80s' is not a seal message ID", text);
    return 0;
}

void js_store_too_big(int64_t max, char reason[WIRE_REASON_MAX + 1])
{
    snprintf(reason, WIRE_REASON_MAX + 1,
             "too big: the message store takes at most %" PRId64 " bytes", max);
}

gpg_err_code_t js_store_publish(struct js_store *st, const struct js_store_msg *m, bool *duplicate,
                                enum wire_kind *kind, char reason[WIRE_REASON_MAX + 1])
{
    int64_t max = js_max_payload(st->conn);
    *duplicate = false;
    *kind = WIRE_ERR_TEMP;
    reason[0] = '\0';
    if (max <= 0 || m->len > (uint64_t)max) {
        *kind = WIRE_ERR_PERM;
        js_store_too_big(max, reason);
        return GPG_ERR_TOO_LARGE;
    }
    char id[JS_STORE_ID_LEN + 1];
    js_store_msg_id(m->fpr, m->id, id);
    struct js_puback ack;
    gpg_err_code_t err =
        js_publish(st->conn, st->stream, st->subject, id, &m->meta, m->data, m->len, &ack);
    if (err == GPG_ERR_TOO_LARGE) {
        *kind = WIRE_ERR_PERM;
        snprintf(reason, WIRE_REASON_MAX + 1,
                 "too big: the message store takes at most %" PRId64 " bytes with headers", max);
    } else if (err) {
        snprintf(reason, WIRE_REASON_MAX + 1, "message store unavailable");
    } else {
        *duplicate = ack.duplicate;
    }
    return err;
}

gpg_err_code_t js_store_to_inbox(void *ctx, const struct js_message *m)
{
    struct js_inbox_drain *d = ctx;
    uint8_t fpr[SEAL_FPR_LEN], id[SEAL_ENVELOPE_ID_LEN];
    gpg_err_code_t err = js_store_parse_msg_id(m->msg_id, fpr, id);
    if (err) {
        d->foreign++;
        if (d->log) {
            /* The ID is the publisher's text: only printable ASCII of it. */
            char shown[81];
            size_t n = 0;
            for (const char *p = m->msg_id; *p && n < sizeof shown - 1; p++)
                shown[n++] = *p > ' ' && *p < 127 ? *p : '?';
            shown[n] = '\0';
            char line[256];
            snprintf(line, sizeof line,
                     "stream message %" PRIu64 " is not from seal (%s%s%s): not delivered, left "
                     "in the stream",
                     m->stream_seq, n ? "message ID '" : "no message ID", shown, n ? "'" : "");
            d->log(d->log_ctx, line);
        }
        return GPG_ERR_UNEXPECTED_MSG;
    }
    struct inbox_file f = {-1, ""};
    if ((err = inbox_tmp_create(d->inbox, "", &f)))
        return err;
    if ((err = fd_write_all(f.fd, m->data, m->len))) {
        inbox_tmp_discard(d->inbox, &f);
        return err;
    }
    struct inbox_delivery del = {fpr, m->meta.sender, id,
                                 m->meta.created > 0 ? (uint64_t)m->meta.created : 0};
    bool dup;
    char name[INBOX_NAME_MAX + 1];
    if ((err = inbox_deliver(d->inbox, &f, &del, &dup, name)))
        return err;
    if (dup)
        d->duplicates++;
    else
        d->stored++;
    if (d->log && !d->quiet) {
        char line[INBOX_NAME_MAX + 200];
        snprintf(line, sizeof line, "%s stream message %" PRIu64 " from %s%s%s",
                 dup ? "duplicate" : "moved", m->stream_seq,
                 m->meta.sender[0] ? m->meta.sender : "?", dup ? ", stored before as " : " to new/",
                 name);
        d->log(d->log_ctx, line);
    }
    /* Test-only: killed here, the message is in new/ but not acknowledged. */
    return inbox_test_point("drain-ack");
}
