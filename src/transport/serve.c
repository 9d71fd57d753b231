/* One connection on the receiving side; see serve.h. */
#include "transport/serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/text.h"
#include "crypto/crypto.h"
#include "transport/proxy.h"
#include "transport/receipt.h"

#define RECV_BUF (64 * 1024)

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Reads the envelope into SPOOL up to the peer's half-close, hashing it.
 * The cap is applied here, as bytes arrive: nothing is decrypted before the
 * whole envelope is in and known to fit. */
static gpg_err_code_t receive(const struct serve_config *cfg, int fd, const char *peer, int spool,
                              struct seal_sha256_ctx *sha, int64_t end, uint64_t *len)
{
    uint8_t *buf = malloc(RECV_BUF);
    gpg_err_code_t err = 0;
    size_t got;

    *len = 0;
    if (!buf)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    for (;;) {
        int64_t deadline = min64(net_now_ms() + cfg->idle_ms, end);
        if ((err = net_read(fd, buf, RECV_BUF, cfg->stop_fd, deadline, &got)))
            break;
        if (got == 0)
            break;
        if (*len + got > cfg->max_size) {
            *len += got;
            err = GPG_ERR_TOO_LARGE;
            break;
        }
        if (*len == 0)
            seal_log(cfg->log, cfg->log_ctx, "connection from %s", peer);
        *len += got;
        seal_sha256_update(sha, buf, got);
        if ((err = fd_write_all(spool, buf, got)))
            break;
    }
    free(buf);
    return err;
}

/* The ERR line for a failed unseal. Every decryption or authentication
 * failure gets the same words: the reason is no oracle. */
static void refusal(gpg_err_code_t err, const struct envelope_info *info, struct serve_result *res)
{
    const char *r;
    res->err_kind = WIRE_ERR_PERM;
    if ((err & GPG_ERR_SYSTEM_ERROR) || err == GPG_ERR_ENOMEM || err == GPG_ERR_EIO) {
        res->err_kind = WIRE_ERR_TEMP;
        r = "cannot store the message now";
    } else if (info->n_recipients == 0) {
        r = "not an envelope";
    } else if (err == GPG_ERR_NO_SECKEY) {
        r = "not for this server";
    } else if (err == GPG_ERR_NOT_TRUSTED) {
        r = "untrusted sender";
    } else {
        r = "authentication failed";
    }
    snprintf(res->reason, sizeof res->reason, "%s", r);
    res->code = err;
}

static void set_refusal(struct serve_result *res, enum wire_kind kind, const char *reason,
                        gpg_err_code_t code)
{
    res->outcome = SERVE_REFUSED;
    res->err_kind = kind;
    res->code = code;
    snprintf(res->reason, sizeof res->reason, "%s", reason);
}

void serve_too_big(const struct serve_config *cfg, char out[WIRE_REASON_MAX + 1])
{
    snprintf(out, WIRE_REASON_MAX + 1, "too big: this listener takes at most %llu bytes",
             (unsigned long long)cfg->max_size);
}

/* Refuses what the receive step could not take. */
static void receive_refusal(const struct serve_config *cfg, gpg_err_code_t err,
                            struct serve_result *res)
{
    char big[WIRE_REASON_MAX + 1];
    if (err == GPG_ERR_TOO_LARGE) {
        serve_too_big(cfg, big);
        set_refusal(res, WIRE_ERR_PERM, big, err);
    } else if (err == GPG_ERR_TIMEOUT)
        set_refusal(res, WIRE_ERR_TEMP, "timed out", err);
    else if (err == GPG_ERR_CANCELED)
        set_refusal(res, WIRE_ERR_TEMP, "shutting down", err);
    else
        set_refusal(res, WIRE_ERR_TEMP, "cannot store the message now", err);
}

enum serve_window serve_window_check(uint64_t created, uint64_t now, uint64_t max_age)
{
    /* Differences, never sums: created + max_age wraps for a created near
     * 2^64, which would call a far-future time "too old". */
    if (created > now)
        return created - now > SERVE_MAX_FUTURE ? SERVE_WINDOW_IN_FUTURE : SERVE_WINDOW_OK;
    return now - created > max_age ? SERVE_WINDOW_TOO_OLD : SERVE_WINDOW_OK;
}

/* The replay window: signed creation time within [now - max_age, now + 10
 * minutes]. */
static bool in_window(const struct serve_config *cfg, uint64_t created, struct serve_result *res)
{
    switch (serve_window_check(created, (uint64_t)time(NULL), cfg->max_age)) {
    case SERVE_WINDOW_OK:
        return true;
    case SERVE_WINDOW_TOO_OLD:
        set_refusal(res, WIRE_ERR_PERM, "too old", GPG_ERR_SIG_EXPIRED);
        return false;
    case SERVE_WINDOW_IN_FUTURE:
        break;
    }
    set_refusal(res, WIRE_ERR_PERM, "created in the future", GPG_ERR_SIG_EXPIRED);
    return false;
}

/* Verifies the spooled envelope and hands it to the destination. On
 * success fills the receipt. */
static void verify_and_store(const struct serve_config *cfg, struct inbox_file *spool, int spool_fd,
                             const uint8_t sha[SEAL_SHA256_LEN], struct serve_result *res,
                             char receipt[RECEIPT_TEXT_LEN + 1])
{
    struct serve_destination inbox_dest;
    const struct serve_destination *dest = cfg->dest;
    struct inbox_file plain = {-1, ""};
    bool opened = false;
    uint8_t *rk = seal_secure_malloc(SEAL_RECEIPT_KEY_LEN);
    struct unseal_request req;
    struct dest_result stored;
    gpg_err_code_t err;

    if (!dest) {
        dest_inbox(&inbox_dest, cfg->inbox);
        dest = &inbox_dest;
    }
    if (!rk) {
        set_refusal(res, WIRE_ERR_TEMP, "overloaded", GPG_ERR_ENOMEM);
        return;
    }
    memset(&req, 0, sizeof req);
    req.recipient = cfg->key;
    req.senders = cfg->senders;
    req.in = fd_source(&spool_fd); /* the envelope as received */
    req.receipt_key = rk;
    if (lseek(spool_fd, 0, SEEK_SET) != 0) {
        set_refusal(res, WIRE_ERR_TEMP, "cannot store the message now", seal_errno_code());
        goto out;
    }
    /* With keep_sealed the plaintext is verified and dropped: the envelope
     * is what is stored. */
    if (!cfg->keep_sealed) {
        if ((err = dest->open(dest->ctx, &plain, &req.out))) {
            set_refusal(res, WIRE_ERR_TEMP, "cannot store the message now", err);
            goto out;
        }
        opened = true;
    }

    err = envelope_unseal(&req, &res->info);
    if (err) {
        refusal(err, &res->info, res);
        goto out;
    }
    if (!in_window(cfg, res->info.created, res))
        goto out;
    struct dest_message m = {&res->info, cfg->keep_sealed ? spool : &plain,
                             cfg->keep_sealed ? res->size : res->info.plaintext_len};
    memset(&stored, 0, sizeof stored);
    stored.kind = WIRE_ERR_TEMP;
    if ((err = dest->commit(dest->ctx, &m, &stored))) {
        set_refusal(res, stored.kind,
                    stored.reason[0] ? stored.reason : "cannot store the message now", err);
        goto out;
    }
    res->outcome = stored.duplicate ? SERVE_DUPLICATE : SERVE_DELIVERED;
    snprintf(res->name, sizeof res->name, "%s", stored.name);
    if ((err = receipt_compute(rk, res->info.envelope_id, sha, cfg->key->fpr, receipt)))
        set_refusal(res, WIRE_ERR_TEMP, "internal error", err); /* stored; a retry acks it */
out:
    if (opened)
        dest->abort(dest->ctx, &plain);
    seal_secure_free(rk, SEAL_RECEIPT_KEY_LEN);
}

/* Drops what the peer still sends, for MAX_MS or MAX_BYTES (one read more
 * at most), whichever ends first, then closes. */
static void linger_close(int fd, int64_t max_ms, uint64_t max_bytes)
{
    uint8_t buf[4096];
    size_t got;
    uint64_t dropped = 0;
    int64_t end = net_now_ms() + max_ms;
    shutdown(fd, SHUT_WR);
    while (dropped < max_bytes && net_read(fd, buf, sizeof buf, -1, end, &got) == 0 && got > 0)
        dropped += got;
    close(fd);
}

static void log_result(const struct serve_config *cfg, const struct serve_result *res)
{
    char id[2 * SEAL_ENVELOPE_ID_LEN + 1] = "-";
    const char *who = res->info.sender_name ? res->info.sender_name : "?";
    if (res->info.decrypted)
        seal_hex(res->info.envelope_id, SEAL_ENVELOPE_ID_LEN, id);
    switch (res->outcome) {
    case SERVE_PROBE:
        break;
    case SERVE_DELIVERED:
        seal_log(cfg->log, cfg->log_ctx,
                 "delivered from %s: sender %s, %llu bytes, envelope %s%s%s", res->peer, who,
                 (unsigned long long)res->size, id, res->name[0] ? ", new/" : "", res->name);
        break;
    case SERVE_DUPLICATE:
        seal_log(cfg->log, cfg->log_ctx,
                 "duplicate from %s: sender %s, envelope %s, stored before%s%s", res->peer, who, id,
                 res->name[0] ? " as " : "", res->name);
        break;
    case SERVE_REFUSED:
        seal_log(cfg->log, cfg->log_ctx, "refused %s: ERR %s %s (%s)%s%s", res->peer,
                 res->err_kind == WIRE_ERR_TEMP ? "temp" : "perm", res->reason,
                 gpg_strerror(gpg_err_make(GPG_ERR_SOURCE_USER_1, res->code)),
                 res->info.sender_name ? ", sender " : "",
                 res->info.sender_name ? res->info.sender_name : "");
        break;
    }
}

/* Answers (OK with RECEIPT, or the refusal in RES) and logs the outcome.
 * The reply is best effort: the peer may be gone; what was stored stays
 * stored, and a re-send is acknowledged as a duplicate. */
static void reply_and_log(const struct serve_config *cfg, int fd, struct serve_result *res,
                          const char *receipt)
{
    char line[WIRE_LINE_MAX + 1];
    if (res->outcome == SERVE_REFUSED)
        wire_format_err(res->err_kind, res->reason, line);
    else if (inbox_test_point("ack") == 0)
        wire_format_ok(res->info.envelope_id, receipt, line);
    else
        line[0] = '\0'; /* test: the acknowledgment is lost */
    if (line[0])
        (void)net_write_all(fd, line, strlen(line), net_now_ms() + cfg->idle_ms);
    log_result(cfg, res);
}

/* The envelope is in SPOOL whole: verify, store, answer. */
static void verify_and_reply(const struct serve_config *cfg, int fd, struct inbox_file *spool,
                             const uint8_t digest[SEAL_SHA256_LEN], struct serve_result *res)
{
    char receipt[RECEIPT_TEXT_LEN + 1];
    gpg_err_code_t err;
    if ((err = inbox_test_point("received")))
        set_refusal(res, WIRE_ERR_TEMP, "cannot store the message now", err);
    else
        verify_and_store(cfg, spool, spool->fd, digest, res, receipt);
    reply_and_log(cfg, fd, res, receipt);
}

gpg_err_code_t serve_spool_open(const struct serve_config *cfg, struct inbox_file *spool)
{
    return cfg->inbox ? inbox_tmp_create(cfg->inbox, ".envelope", spool)
                      : file_open_spool(&spool->fd);
}

void serve_spool_discard(const struct serve_config *cfg, struct inbox_file *spool)
{
    if (cfg->inbox)
        inbox_tmp_discard(cfg->inbox, spool);
    else if (spool->fd >= 0)
        close(spool->fd);
    spool->fd = -1;
}

void serve_received(const struct serve_config *cfg, struct serve_job *job, struct serve_result *res)
{
    memset(res, 0, sizeof *res);
    res->outcome = SERVE_REFUSED;
    res->size = job->size;
    snprintf(res->peer, sizeof res->peer, "%s", job->peer);
    verify_and_reply(cfg, job->fd, &job->spool, job->digest, res);
    serve_spool_discard(cfg, &job->spool);
    close(job->fd);
    job->fd = -1;
}

void serve_connection(const struct serve_config *cfg, int fd, struct serve_result *res)
{
    struct inbox_file spool = {-1, ""};
    struct seal_sha256_ctx *sha = NULL;
    uint8_t digest[SEAL_SHA256_LEN];
    int64_t end = net_now_ms() + cfg->total_ms;
    bool still_sending = false;
    gpg_err_code_t err;

    memset(res, 0, sizeof *res);
    res->outcome = SERVE_REFUSED;
    net_peer_name(fd, res->peer);
    if (cfg->inbox && !inbox_has_space(cfg->inbox, cfg->min_free)) {
        /* Not ENOSPC: the disk is not full, --min-free of it is kept. */
        set_refusal(res, WIRE_ERR_TEMP, "low on disk space", GPG_ERR_LIMIT_REACHED);
        still_sending = true;
        goto reply;
    }
    err = serve_spool_open(cfg, &spool);
    if (err || (err = seal_sha256_new(&sha))) {
        set_refusal(res, WIRE_ERR_TEMP, "cannot store the message now", err);
        still_sending = true;
        goto reply;
    }
    err = receive(cfg, fd, res->peer, spool.fd, sha, end, &res->size);
    if ((err == 0 || err == GPG_ERR_ECONNRESET) && res->size == 0) {
        /* A health check: connect and close (or reset; HAProxy's do, also
         * after a PROXY header). Nothing to say, nothing to log. */
        res->outcome = SERVE_PROBE;
        goto out;
    }
    if (err) {
        receive_refusal(cfg, err, res);
        still_sending = err != GPG_ERR_CANCELED || res->size > 0;
        goto reply;
    }
    seal_sha256_final(sha, digest);
    sha = NULL;
    verify_and_reply(cfg, fd, &spool, digest, res);
    goto out;
reply:
    reply_and_log(cfg, fd, res, NULL);
out:
    seal_sha256_free(sha);
    serve_spool_discard(cfg, &spool);
    if (still_sending)
        linger_close(fd, SERVE_LINGER_MS, SERVE_LINGER_MAX_BYTES);
    else
        close(fd);
}
