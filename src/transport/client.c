/* The sending side; see client.h. */
#include "transport/client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/text.h"
#include "crypto/crypto.h"
#include "transport/net.h"
#include "transport/receipt.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000
/* After a failed write the peer may still have said why: look briefly. */
#define AFTER_FAILURE_MS 2000

/* Everything sealed goes to the spool (if any), the hash, and the socket
 * while it lasts. */
struct tee {
    int spool;
    int sock;
    bool sock_ok;
    bool abort_on_sock_fail;
    struct seal_sha256_ctx *sha;
    int64_t wait_ms;
};

static gpg_err_code_t tee_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct tee *t = ctx;
    gpg_err_code_t err;
    if (t->spool >= 0 && (err = fd_write_all(t->spool, buf, n)))
        return err;
    seal_sha256_update(t->sha, buf, n);
    if (t->sock_ok && net_write_all(t->sock, buf, n, net_now_ms() + t->wait_ms) != 0) {
        /* Keep sealing into the spool: the retry sends it. */
        t->sock_ok = false;
        if (t->abort_on_sock_fail)
            return GPG_ERR_EPIPE;
    }
    return 0;
}

gpg_err_code_t transport_read_reply(int fd, int64_t deadline, uint8_t buf[WIRE_LINE_MAX + 1],
                                    size_t *len)
{
    *len = 0;
    while (*len < WIRE_LINE_MAX + 1) {
        size_t got;
        gpg_err_code_t err = net_read(fd, buf + *len, WIRE_LINE_MAX + 1 - *len, -1, deadline, &got);
        if (err == GPG_ERR_TIMEOUT)
            return 0; /* what came so far is judged as it is */
        if (err)
            return *len ? 0 : err;
        if (got == 0)
            break;
        *len += got;
        if (memchr(buf, '\n', *len))
            break;
    }
    return 0;
}

struct attempt {
    const uint8_t *receipt_key;
    const uint8_t *peer_fpr;
    const uint8_t *envelope_id;
    uint8_t sha[SEAL_SHA256_LEN];
};

/* Judges the answer. Returns true if another attempt may change it. */
static bool judge(const struct attempt *a, const uint8_t *buf, size_t len, bool timed_out,
                  int64_t wait_ms, struct send_outcome *out)
{
    struct wire_reply r;
    out->temp = false;
    if (len == 0) {
        out->status = SEND_NO_ACK;
        if (timed_out)
            snprintf(out->reason, sizeof out->reason, "no acknowledgment within %lld s",
                     (long long)(wait_ms / 1000));
        else
            snprintf(out->reason, sizeof out->reason,
                     "the peer closed the connection without an acknowledgment");
        return true;
    }
    if (wire_parse_reply(buf, len, &r) != 0) {
        out->status = SEND_BAD_RECEIPT;
        snprintf(out->reason, sizeof out->reason, "%s",
                 seal_detail() ? seal_detail() : "bad reply");
        seal_clear_detail();
        return false;
    }
    if (r.kind != WIRE_OK) {
        out->status = SEND_REFUSED;
        out->temp = r.kind == WIRE_ERR_TEMP;
        snprintf(out->reason, sizeof out->reason, "%s", r.reason);
        return out->temp;
    }
    out->status = SEND_BAD_RECEIPT;
    if (!seal_ct_equal(r.envelope_id, a->envelope_id, SEAL_ENVELOPE_ID_LEN)) {
        snprintf(out->reason, sizeof out->reason, "the receipt is for another envelope");
        return false;
    }
    if (!receipt_verify(a->receipt_key, a->envelope_id, a->sha, a->peer_fpr, r.receipt,
                        strlen(r.receipt))) {
        snprintf(out->reason, sizeof out->reason,
                 "the receipt does not verify (not from the first recipient's key)");
        return false;
    }
    out->status = SEND_ACKED;
    out->reason[0] = '\0';
    return false;
}

/* Half-closes (if everything was sent), reads and judges the answer. */
static bool finish(const struct attempt *a, int sock, bool sent_all, int64_t wait_ms,
                   struct send_outcome *out)
{
    uint8_t buf[WIRE_LINE_MAX + 1];
    size_t len = 0;
    int64_t wait = sent_all ? wait_ms : (wait_ms < AFTER_FAILURE_MS ? wait_ms : AFTER_FAILURE_MS);
    int64_t deadline = net_now_ms() + wait;
    if (sent_all)
        shutdown(sock, SHUT_WR);
    (void)transport_read_reply(sock, deadline, buf, &len);
    bool timed_out = len == 0 && net_now_ms() >= deadline;
    close(sock);
    out->attempts++;
    return judge(a, buf, len, timed_out, wait, out);
}

/* Sends the spooled envelope once more. */
static gpg_err_code_t resend(int spool, int sock, int64_t wait_ms)
{
    uint8_t buf[64 * 1024];
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(spool, buf, sizeof buf, off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return seal_fail(seal_errno_code(), "cannot read the kept envelope: %s",
                             strerror(errno));
        }
        if (n == 0)
            return 0;
        gpg_err_code_t err = net_write_all(sock, buf, (size_t)n, net_now_ms() + wait_ms);
        if (err)
            return err;
        off += n;
    }
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* The retries of `seal --to`, until one is final or the time is up. */
static gpg_err_code_t retry(const struct send_config *cfg, const struct attempt *a, int spool,
                            int64_t start, struct send_outcome *out)
{
    int64_t until = start + cfg->retry_for_ms, backoff = BACKOFF_FIRST_MS;
    for (;;) {
        int64_t left = until - net_now_ms();
        if (left <= 0)
            return 0;
        int64_t pause = min64(backoff, left);
        seal_log(cfg->note, cfg->note_ctx, "%s; retrying in %lld s", out->reason,
                 (long long)((pause + 999) / 1000));
        poll(NULL, 0, (int)pause);
        backoff = min64(backoff * 2, BACKOFF_MAX_MS);
        int sock;
        if (net_connect(cfg->to, net_now_ms() + cfg->connect_ms, &sock) != 0) {
            out->status = SEND_NO_ACK;
            out->attempts++;
            snprintf(out->reason, sizeof out->reason, "%s",
                     seal_detail() ? seal_detail() : "cannot connect");
            seal_clear_detail();
            continue;
        }
        out->connected = true;
        gpg_err_code_t err = resend(spool, sock, cfg->wait_ms);
        if (err && !(err & GPG_ERR_SYSTEM_ERROR) && err != GPG_ERR_TIMEOUT) {
            close(sock);
            return err;
        }
        seal_clear_detail();
        if (!finish(a, sock, err == 0, cfg->wait_ms, out))
            return 0;
    }
}

/* Waits for one peer on CFG->listen. */
static gpg_err_code_t wait_for_peer(const struct send_config *cfg, int *sock)
{
    int fds[NET_MAX_LISTEN];
    size_t n;
    struct pollfd p[NET_MAX_LISTEN];
    gpg_err_code_t err = net_listen(cfg->listen, fds, &n);
    if (err)
        return err;
    char name[NET_PEER_MAX];
    net_local_name(fds[0], name);
    seal_log(cfg->note, cfg->note_ctx, "waiting for a peer on %s", name);
    for (size_t i = 0; i < n; i++)
        p[i] = (struct pollfd){fds[i], POLLIN, 0};
    *sock = -1;
    while (*sock < 0) {
        if (poll(p, n, -1) < 0 && errno != EINTR) {
            err = seal_fail(seal_errno_code(), "poll: %s", strerror(errno));
            break;
        }
        for (size_t i = 0; i < n && *sock < 0; i++)
            if ((p[i].revents & POLLIN) && (err = net_accept(fds[i], sock)) &&
                err != GPG_ERR_EAGAIN)
                break;
        if (err && err != GPG_ERR_EAGAIN)
            break;
        err = 0;
    }
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    return err;
}

gpg_err_code_t transport_send(struct seal_request *req, const struct send_config *cfg,
                              struct send_outcome *out)
{
    struct tee t = {-1, -1, false, false, NULL, cfg->wait_ms};
    struct seal_result result;
    struct attempt a;
    int64_t start = net_now_ms();
    gpg_err_code_t err;
    size_t nk = req->n_recipients * SEAL_RECEIPT_KEY_LEN;

    memset(out, 0, sizeof *out);
    memset(&result, 0, sizeof result);
    memset(&a, 0, sizeof a);
    if (cfg->peer >= req->n_recipients)
        return seal_fail(GPG_ERR_INV_ARG, "no recipient %zu", cfg->peer + 1);
    if (!(result.receipt_keys = seal_secure_malloc(nk ? nk : 1)))
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    if ((err = seal_sha256_new(&t.sha)))
        goto out;
    if (cfg->to) {
        /* The kept copy, for retries: unlinked at once, so it goes with us. */
        if ((err = file_open_spool(&t.spool)))
            goto out;
        if (net_connect(cfg->to, start + cfg->connect_ms, &t.sock) == 0) {
            t.sock_ok = true;
            out->connected = true;
        } else {
            out->status = SEND_NO_ACK;
            snprintf(out->reason, sizeof out->reason, "%s",
                     seal_detail() ? seal_detail() : "cannot connect");
            seal_clear_detail();
            /* Nothing left us: waiting minutes for a peer that is not
             * there is only right when the user asked for it. */
            if (!cfg->retry_unreached) {
                out->attempts = 1;
                goto out;
            }
        }
    } else {
        if ((err = wait_for_peer(cfg, &t.sock)))
            goto out;
        t.sock_ok = true;
        t.abort_on_sock_fail = true;
    }
    req->out = (struct byte_sink){tee_write, &t};
    req->result = &result;
    err = envelope_seal(req);
    req->result = NULL;
    if (err == GPG_ERR_EPIPE && !t.sock_ok) {
        seal_clear_detail();
        err = 0; /* the peer went away: judged below */
    } else if (err) {
        goto out;
    }
    seal_sha256_final(t.sha, a.sha);
    t.sha = NULL;
    memcpy(out->envelope_id, result.envelope_id, SEAL_ENVELOPE_ID_LEN);
    a.receipt_key = result.receipt_keys + cfg->peer * SEAL_RECEIPT_KEY_LEN;
    a.peer_fpr = req->recipients[cfg->peer]->fpr;
    a.envelope_id = out->envelope_id;

    bool again = true;
    if (t.sock >= 0) {
        again = finish(&a, t.sock, t.sock_ok, cfg->wait_ms, out);
        t.sock = -1;
    } else {
        out->attempts++;
    }
    if (again && cfg->to)
        err = retry(cfg, &a, t.spool, start, out);
out:
    if (t.sock >= 0)
        close(t.sock);
    if (t.spool >= 0)
        close(t.spool);
    seal_sha256_free(t.sha);
    seal_secure_free(result.receipt_keys, nk ? nk : 1);
    return err;
}
