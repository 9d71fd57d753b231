/* The client side of the outbox; see fetch.h. */
#include "transport/fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/secmem.h"
#include "crypto/crypto.h"
#include "transport/net.h"
#include "transport/serve.h"
#include "base/text.h"

/* Seals the request to the listener: the armored envelope in FRAME, its ID
 * (the request ID) in ID. */
static gpg_err_code_t make_request(const struct fetch_config *cfg, const struct fetch_request *req,
                                   struct writer *frame, uint8_t id[SEAL_ENVELOPE_ID_LEN])
{
    struct writer plain;
    struct seal_request sr;
    struct seal_result result;
    const struct seal_key *rcpt[1] = {cfg->server};
    gpg_err_code_t err;

    writer_init(&plain, FETCH_PLAIN_MAX, true);
    memset(&result, 0, sizeof result);
    if ((err = fetch_request_encode(req, &plain)))
        goto out;
    struct reader src;
    reader_init(&src, writer_data(&plain), writer_len(&plain));
    memset(&sr, 0, sizeof sr);
    sr.recipients = rcpt;
    sr.n_recipients = 1;
    sr.sender = cfg->key;
    sr.armor = true;
    sr.in = reader_source(&src);
    sr.out = writer_sink(frame);
    sr.result = &result;
    if ((err = envelope_seal(&sr)))
        goto out;
    memcpy(id, result.envelope_id, SEAL_ENVELOPE_ID_LEN);
out:
    writer_free(&plain);
    return err;
}

/* Receives N envelope bytes into the spool, hashing them. */
static gpg_err_code_t receive(const struct fetch_config *cfg, struct fetch_stream *s, uint64_t n,
                              int spool, uint8_t sha[SEAL_SHA256_LEN])
{
    uint8_t buf[16384];
    struct seal_sha256_ctx *h;
    gpg_err_code_t err = seal_sha256_new(&h);
    if (err)
        return err;
    while (n > 0) {
        size_t got;
        if (fetch_read_some(s, net_now_ms() + cfg->wait_ms, buf,
                            n < sizeof buf ? (size_t)n : sizeof buf, &got) != 0) {
            err = GPG_ERR_EOF; /* the connection, not us */
            break;
        }
        if ((err = fd_write_all(spool, buf, got)))
            break;
        seal_sha256_update(h, buf, got);
        n -= got;
    }
    if (err) {
        seal_sha256_free(h);
        return err;
    }
    seal_sha256_final(h, sha);
    return 0;
}

static void reply(struct fetch_stream *s, int64_t wait_ms, enum wire_kind kind, const char *reason)
{
    char line[WIRE_LINE_MAX + 1];
    size_t n = wire_format_err(kind, reason, line);
    (void)net_write_all(s->fd, line, n, net_now_ms() + wait_ms);
}

/* One envelope of N bytes: receive (its SHA-256 fed to LIST, verified or
 * not, as the listener does), verify, store, answer. Returns 0 to go on,
 * GPG_ERR_EOF if the connection failed, or the code of a local failure (the
 * detail says why). */
static gpg_err_code_t one_envelope(const struct fetch_config *cfg, struct fetch_stream *s,
                                   const struct fetch_request *req,
                                   const uint8_t request_id[SEAL_ENVELOPE_ID_LEN], uint64_t n,
                                   struct seal_sha256_ctx *list, struct fetch_outcome *out)
{
    struct inbox_file spool = {-1, ""}, plain = {-1, ""};
    struct envelope_info info;
    struct unseal_request ur;
    uint8_t sha[SEAL_SHA256_LEN];
    char receipt[RECEIPT_TEXT_LEN + 1], line[WIRE_LINE_MAX + 1], name[INBOX_NAME_MAX + 1];
    bool dup = false;
    gpg_err_code_t err;

    memset(&info, 0, sizeof info);
    if ((err = inbox_tmp_create(cfg->inbox, ".envelope", &spool)) ||
        (err = receive(cfg, s, n, spool.fd, sha)))
        goto out;
    seal_sha256_update(list, sha, sizeof sha);
    if (!cfg->keep_sealed && (err = inbox_tmp_create(cfg->inbox, "", &plain)))
        goto out;
    if (lseek(spool.fd, 0, SEEK_SET) != 0) {
        err = seal_fail(seal_errno_code(), "cannot read the envelope back");
        goto out;
    }
    memset(&ur, 0, sizeof ur);
    ur.recipient = cfg->key;
    ur.senders = cfg->senders;
    ur.in = fd_source(&spool.fd);
    if (!cfg->keep_sealed)
        ur.out = fd_sink(&plain.fd);
    gpg_err_code_t bad = envelope_unseal(&ur, &info);
    if (!bad &&
        serve_window_check(info.created, (uint64_t)time(NULL), cfg->max_age) != SERVE_WINDOW_OK)
        bad = seal_fail(GPG_ERR_SIG_EXPIRED, "created outside the replay window");
    if (bad) {
        /* Not ours to store; the listener keeps it. The fetch goes on. */
        seal_log(cfg->note, cfg->note_ctx, "refused an envelope (%llu bytes): %s",
                 (unsigned long long)n, seal_detail() ? seal_detail() : gpg_strerror(bad));
        seal_clear_detail();
        reply(s, cfg->wait_ms, WIRE_ERR_PERM, "authentication failed");
        out->rejected++;
        goto out;
    }
    struct inbox_delivery d = {info.sender_fpr, info.sender_name, info.envelope_id, info.created};
    if ((err = inbox_deliver(cfg->inbox, cfg->keep_sealed ? &spool : &plain, &d, &dup, name))) {
        reply(s, cfg->wait_ms, WIRE_ERR_TEMP, "cannot store the message now");
        goto out;
    }
    if (dup)
        out->duplicates++;
    else
        out->stored++;
    seal_log(cfg->note, cfg->note_ctx, "%s new/%s", dup ? "already stored as" : "stored", name);
    /* Test hook: a client that disconnects between storing and answering. */
    if ((err = inbox_test_point("fetch-ack")) ||
        (err = fetch_receipt(req, request_id, info.envelope_id, sha, receipt)))
        goto out;
    size_t len = wire_format_ok(info.envelope_id, receipt, line);
    if (net_write_all(s->fd, line, len, net_now_ms() + cfg->wait_ms) != 0)
        err = GPG_ERR_EOF;
out:
    inbox_tmp_discard(cfg->inbox, &plain);
    inbox_tmp_discard(cfg->inbox, &spool);
    return err;
}

/* The END line: "END <count> <mac>". RECEIVED: the ENVELOPE frames that
 * arrived in this session, LIST the digest of their hashes in order. The
 * mac names the envelopes the listener sent, so it verifies over what
 * arrived only if exactly those arrived: a man in the middle can drop a
 * frame (and answer the listener for us, the client's ERR line is not
 * authenticated), or put a frame recorded earlier in its place, but cannot
 * make the mac agree. */
static void judge_end(const char *line, const struct fetch_request *req,
                      const uint8_t request_id[SEAL_ENVELOPE_ID_LEN], uint64_t received,
                      const uint8_t list[SEAL_SHA256_LEN], struct fetch_outcome *out)
{
    char count[16], mac[RECEIPT_TEXT_LEN + 1];
    const char *sp = strchr(line + 4, ' ');
    uint64_t n = 0;
    out->status = FETCH_MALFORMED;
    snprintf(out->reason, sizeof out->reason, "the listener's END line is malformed");
    if (!sp || (size_t)(sp - (line + 4)) >= sizeof count || strlen(sp + 1) != RECEIPT_TEXT_LEN)
        return;
    memcpy(count, line + 4, (size_t)(sp - (line + 4)));
    count[sp - (line + 4)] = '\0';
    if (strcmp(count, "0") != 0 && !fetch_parse_count(count, FETCH_MAX_ENVELOPES, &n))
        return;
    /* A well-formed END that does not prove the list is a failed proof
     * (exit 10). With another count the mac cannot be checked (the missing
     * hashes are unknown here): say what arrived, not what the listener
     * sent, which is unproven. */
    out->status = FETCH_BAD_END;
    if (n != received) {
        snprintf(out->reason, sizeof out->reason,
                 "the END line counts %llu envelope%s, %llu arrived: the list is not proven "
                 "complete",
                 (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)received);
        return;
    }
    snprintf(out->reason, sizeof out->reason,
             "the listener's END line does not verify over the %llu envelope%s that arrived: "
             "the list is not proven complete",
             (unsigned long long)received, received == 1 ? "" : "s");
    if (fetch_end_mac(req, request_id, (uint32_t)n, list, mac) != 0 ||
        !seal_ct_equal(mac, sp + 1, RECEIPT_TEXT_LEN))
        return;
    out->status = FETCH_DONE;
    out->reason[0] = '\0';
}

gpg_err_code_t transport_fetch(const struct fetch_config *cfg, struct fetch_outcome *out)
{
    struct fetch_request *req = seal_secure_malloc(sizeof *req);
    struct fetch_stream *s = malloc(sizeof *s);
    struct writer frame;
    uint8_t request_id[SEAL_ENVELOPE_ID_LEN];
    char line[FETCH_LINE_MAX];
    uint64_t received = 0;               /* ENVELOPE frames */
    struct seal_sha256_ctx *list = NULL; /* their hashes, for the END mac */
    uint8_t digest[SEAL_SHA256_LEN];
    gpg_err_code_t err;

    memset(out, 0, sizeof *out);
    writer_init(&frame, FETCH_REQUEST_MAX, false);
    if (!req || !s) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        goto out;
    }
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->stop_fd = -1;
    memcpy(req->server_fpr, cfg->server->fpr, SEAL_FPR_LEN);
    snprintf(req->name, sizeof req->name, "%s", cfg->name);
    seal_random(req->session_key, sizeof req->session_key);
    if ((err = make_request(cfg, req, &frame, request_id)) || (err = seal_sha256_new(&list)))
        goto out;
    if ((err = net_connect(cfg->from, net_now_ms() + 10000, &s->fd)))
        goto out;
    if ((err = net_write_all(s->fd, FETCH_VERB, strlen(FETCH_VERB), net_now_ms() + cfg->wait_ms)) ||
        (err = net_write_all(s->fd, writer_data(&frame), writer_len(&frame),
                             net_now_ms() + cfg->wait_ms))) {
        out->status = FETCH_DROPPED;
        snprintf(out->reason, sizeof out->reason, "the connection dropped while asking");
        err = 0;
        goto out;
    }
    for (;;) {
        uint64_t n;
        struct wire_reply r;
        err = fetch_read_line(s, net_now_ms() + cfg->wait_ms, line, sizeof line - 1);
        if (err == GPG_ERR_TOO_LARGE || err == GPG_ERR_INV_DATA) {
            /* Over the line cap, or a NUL in it: the listener broke the
             * protocol, whatever it meant (exit 3, not 8). */
            out->status = FETCH_MALFORMED;
            snprintf(out->reason, sizeof out->reason, "the listener sent %s",
                     err == GPG_ERR_TOO_LARGE ? "a line over the line cap"
                                              : "a NUL byte in a line");
            seal_clear_detail();
            err = 0;
            break;
        }
        if (err) {
            out->status = FETCH_DROPPED;
            snprintf(out->reason, sizeof out->reason, "%s",
                     err == GPG_ERR_TIMEOUT ? "no answer in time"
                                            : "the connection ended before the list did");
            err = 0;
            break;
        }
        /* Parsed without our cap first, so that an envelope over it is told apart
         * from a garbled line; either way we close without reading its bytes. */
        if (strncmp(line, "ENVELOPE ", 9) == 0 && fetch_parse_count(line + 9, UINT64_MAX, &n)) {
            if (n > cfg->max_size) {
                out->status = FETCH_MALFORMED;
                snprintf(out->reason, sizeof out->reason,
                         "the listener offered an envelope of %llu bytes, over --max-size "
                         "(%llu bytes)",
                         (unsigned long long)n, (unsigned long long)cfg->max_size);
                break;
            }
            received++;
            if ((err = one_envelope(cfg, s, req, request_id, n, list, out))) {
                if (err == GPG_ERR_EOF) {
                    out->status = FETCH_DROPPED;
                    snprintf(out->reason, sizeof out->reason, "the connection dropped midway");
                    err = 0;
                }
                break;
            }
            continue;
        }
        if (strncmp(line, "END ", 4) == 0) {
            seal_sha256_final(list, digest);
            list = NULL;
            judge_end(line, req, request_id, received, digest, out);
            break;
        }
        size_t len = strlen(line);
        line[len++] = '\n';
        if (strncmp(line, "ERR ", 4) == 0 && wire_parse_reply((uint8_t *)line, len, &r) == 0) {
            out->status = FETCH_REFUSED;
            out->temp = r.kind == WIRE_ERR_TEMP;
            snprintf(out->reason, sizeof out->reason, "%s", r.reason);
            break;
        }
        seal_clear_detail();
        out->status = FETCH_MALFORMED;
        snprintf(out->reason, sizeof out->reason, "the listener sent something unexpected");
        break;
    }
out:
    seal_sha256_free(list);
    if (s && s->fd >= 0)
        close(s->fd);
    free(s);
    seal_secure_free(req, sizeof *req);
    writer_free(&frame);
    return err;
}
