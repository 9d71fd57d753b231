/* The outbox, server side, and the fetch formats; see outbox.h. */
#include "transport/outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/text.h"
#include "base/secmem.h"
#include "crypto/crypto.h"
#include "keys/base64.h"
#include "transport/chat_frames.h"
#include "transport/net.h"
#include "transport/wire.h"

#define RECEIPT_LABEL_F "seal v1 fetch receipt"
#define END_LABEL "seal v2 fetch end"
#define REQUESTS_DIR ".requests"

/* ---- formats ---------------------------------------------------------------- */

gpg_err_code_t fetch_request_encode(const struct fetch_request *req, struct writer *w)
{
    gpg_err_code_t err = registry_check_name(req->name);
    if (err)
        return err;
    writer_put_bytes(w, FETCH_LABEL, FETCH_LABEL_LEN);
    writer_put_bytes(w, req->server_fpr, SEAL_FPR_LEN);
    writer_put_u8(w, (uint8_t)strlen(req->name));
    writer_put_bytes(w, req->name, strlen(req->name));
    writer_put_bytes(w, req->session_key, FETCH_SESSION_KEY_LEN);
    return writer_status(w);
}

gpg_err_code_t fetch_request_parse(const uint8_t *pt, size_t len, struct fetch_request *out)
{
    struct reader r;
    const uint8_t *label, *name;
    uint8_t n;
    gpg_err_code_t err;

    memset(out, 0, sizeof *out);
    reader_init(&r, pt, len);
    if ((err = reader_get_view(&r, FETCH_LABEL_LEN, &label)) ||
        memcmp(label, FETCH_LABEL, FETCH_LABEL_LEN) != 0 ||
        (err = reader_get_bytes(&r, out->server_fpr, SEAL_FPR_LEN)) ||
        (err = reader_get_u8(&r, &n)) || n == 0 || n > REGISTRY_NAME_MAX ||
        (err = reader_get_view(&r, n, &name)) ||
        (err = reader_get_bytes(&r, out->session_key, FETCH_SESSION_KEY_LEN)) ||
        (err = reader_expect_end(&r))) {
        seal_wipe(out, sizeof *out);
        return seal_fail_override(GPG_ERR_INV_DATA, "not a fetch request");
    }
    memcpy(out->name, name, n);
    if (memchr(out->name, '\0', n) || (err = registry_check_name(out->name))) {
        seal_wipe(out, sizeof *out);
        return seal_fail_override(GPG_ERR_INV_NAME, "a fetch request for a bad client ID");
    }
    return 0;
}

static gpg_err_code_t mac_text(const struct fetch_request *req, const uint8_t *msg, size_t len,
                               char out[RECEIPT_TEXT_LEN + 1])
{
    uint8_t mac[SEAL_SHA256_LEN];
    gpg_err_code_t err =
        seal_hmac(SEAL_HASH_SHA256, req->session_key, FETCH_SESSION_KEY_LEN, msg, len, mac);
    size_t n;
    if (!err)
        err = b64url_encode(mac, sizeof mac, out, RECEIPT_TEXT_LEN + 1, &n);
    seal_wipe(mac, sizeof mac);
    return err;
}

gpg_err_code_t fetch_receipt(const struct fetch_request *req,
                             const uint8_t request_id[SEAL_ENVELOPE_ID_LEN],
                             const uint8_t envelope_id[SEAL_ENVELOPE_ID_LEN],
                             const uint8_t sha[SEAL_SHA256_LEN], char out[RECEIPT_TEXT_LEN + 1])
{
    uint8_t msg[sizeof RECEIPT_LABEL_F + SEAL_FPR_LEN + 2 * SEAL_ENVELOPE_ID_LEN + SEAL_SHA256_LEN];
    uint8_t *p = msg;
    memcpy(p, RECEIPT_LABEL_F, sizeof RECEIPT_LABEL_F); /* with its NUL */
    p += sizeof RECEIPT_LABEL_F;
    memcpy(p, req->server_fpr, SEAL_FPR_LEN);
    p += SEAL_FPR_LEN;
    memcpy(p, request_id, SEAL_ENVELOPE_ID_LEN);
    p += SEAL_ENVELOPE_ID_LEN;
    memcpy(p, envelope_id, SEAL_ENVELOPE_ID_LEN);
    p += SEAL_ENVELOPE_ID_LEN;
    memcpy(p, sha, SEAL_SHA256_LEN);
    return mac_text(req, msg, sizeof msg, out);
}

gpg_err_code_t fetch_end_mac(const struct fetch_request *req,
                             const uint8_t request_id[SEAL_ENVELOPE_ID_LEN], uint32_t count,
                             const uint8_t list[SEAL_SHA256_LEN], char out[RECEIPT_TEXT_LEN + 1])
{
    uint8_t msg[sizeof END_LABEL + SEAL_FPR_LEN + SEAL_ENVELOPE_ID_LEN + 4 + SEAL_SHA256_LEN];
    uint8_t *p = msg;
    memcpy(p, END_LABEL, sizeof END_LABEL);
    p += sizeof END_LABEL;
    memcpy(p, req->server_fpr, SEAL_FPR_LEN);
    p += SEAL_FPR_LEN;
    memcpy(p, request_id, SEAL_ENVELOPE_ID_LEN);
    p += SEAL_ENVELOPE_ID_LEN;
    p[0] = (uint8_t)(count >> 24);
    p[1] = (uint8_t)(count >> 16);
    p[2] = (uint8_t)(count >> 8);
    p[3] = (uint8_t)count;
    p += 4;
    memcpy(p, list, SEAL_SHA256_LEN);
    return mac_text(req, msg, sizeof msg, out);
}

/* ---- the stream ---------------------------------------------------------------- */

static gpg_err_code_t refill(struct fetch_stream *s, int64_t deadline)
{
    size_t got;
    if (s->start > 0) {
        memmove(s->buf, s->buf + s->start, s->len);
        s->start = 0;
    }
    if (s->len == sizeof s->buf)
        return seal_fail(GPG_ERR_TOO_LARGE, "a line too long");
    gpg_err_code_t err =
        net_read(s->fd, s->buf + s->len, sizeof s->buf - s->len, s->stop_fd, deadline, &got);
    if (err)
        return err;
    if (got == 0)
        return GPG_ERR_EOF;
    s->len += got;
    return 0;
}

gpg_err_code_t fetch_read_line(struct fetch_stream *s, int64_t deadline, char *line, size_t cap)
{
    for (;;) {
        uint8_t *lf = s->len ? memchr(s->buf + s->start, '\n', s->len) : NULL;
        if (lf) {
            size_t n = (size_t)(lf - (s->buf + s->start));
            if (n + 1 > cap)
                return seal_fail(GPG_ERR_TOO_LARGE, "a line of %zu bytes", n);
            memcpy(line, s->buf + s->start, n);
            line[n] = '\0';
            s->start += n + 1;
            s->len -= n + 1;
            if (memchr(line, '\0', n))
                return seal_fail(GPG_ERR_INV_DATA, "a NUL byte in a line");
            return 0;
        }
        if (s->len >= cap)
            return seal_fail(GPG_ERR_TOO_LARGE, "a line longer than %zu bytes", cap - 1);
        gpg_err_code_t err = refill(s, deadline);
        if (err)
            return err;
    }
}

gpg_err_code_t fetch_read_some(struct fetch_stream *s, int64_t deadline, uint8_t *buf, size_t cap,
                               size_t *got)
{
    gpg_err_code_t err;
    *got = 0;
    if (s->len == 0 && (err = refill(s, deadline)))
        return err;
    *got = s->len < cap ? s->len : cap;
    memcpy(buf, s->buf + s->start, *got);
    s->start += *got;
    s->len -= *got;
    return 0;
}

bool fetch_parse_count(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 10 || (s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* ---- serving ---------------------------------------------------------------------- */

/* A/B into OUT; false if it does not fit (then nothing uses OUT). */
static bool join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    return n >= 0 && (size_t)n < cap;
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = fd >= 0 ? fsync(fd) : -1;
    if (fd >= 0)
        close(fd);
    return r;
}

/* F5: records (signer, request ID) exclusively, so that a replay is refused
 * by this and every other listener process, also after a restart; prunes
 * records older than two windows (F4 refuses what they no longer cover). */
static gpg_err_code_t remember_request(const struct outbox_config *cfg, const uint8_t *fpr,
                                       const uint8_t *id)
{
    char dir[PATH_MAX], path[PATH_MAX], name[2 * (SEAL_FPR_LEN + SEAL_ENVELOPE_ID_LEN) + 2];
    time_t now = time(NULL);
    DIR *d;
    struct dirent *de;

    if (!join(dir, sizeof dir, cfg->dir, REQUESTS_DIR))
        return seal_fail(GPG_ERR_ENAMETOOLONG, "the outbox path is too long");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return seal_fail(seal_errno_code(), "cannot make %s: %s", dir, strerror(errno));
    if ((d = opendir(dir)) != NULL) {
        while ((de = readdir(d)) != NULL) {
            struct stat st;
            if (de->d_name[0] == '.')
                continue;
            if (join(path, sizeof path, dir, de->d_name) && lstat(path, &st) == 0 &&
                st.st_mtime + 2 * FETCH_WINDOW < now)
                unlink(path);
        }
        closedir(d);
    }
    seal_hex(fpr, SEAL_FPR_LEN, name);
    name[2 * SEAL_FPR_LEN] = '-';
    seal_hex(id, SEAL_ENVELOPE_ID_LEN, name + 2 * SEAL_FPR_LEN + 1);
    if (!join(path, sizeof path, dir, name))
        return seal_fail(GPG_ERR_ENAMETOOLONG, "the outbox path is too long");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return errno == EEXIST
                   ? seal_fail_override(GPG_ERR_DUP_VALUE, "a replayed request")
                   : seal_fail(seal_errno_code(), "cannot record the request: %s", strerror(errno));
    close(fd);
    if (fsync_dir(dir) != 0)
        return seal_fail(seal_errno_code(), "cannot record the request: %s", strerror(errno));
    return 0;
}

/* Reads and judges the request: 0 with REQ, INFO; else the reason (only
 * for the log) in the detail. */
static gpg_err_code_t read_request(const struct outbox_config *cfg, struct fetch_stream *s,
                                   int64_t end, struct fetch_request *req,
                                   struct envelope_info *info)
{
    uint8_t *frame = malloc(FETCH_REQUEST_MAX);
    struct writer plain;
    size_t flen = 0;
    gpg_err_code_t err;

    writer_init(&plain, FETCH_PLAIN_MAX, true);
    memset(info, 0, sizeof *info);
    if (!frame) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        goto out;
    }
    /* F1: one armored envelope within the cap, its END line ending it. */
    size_t have = 0;
    for (;;) {
        if (have && (err = chat_frame_end(frame, have, &flen)) != GPG_ERR_TRUNCATED)
            break;
        size_t got;
        int64_t deadline = net_now_ms() + cfg->idle_ms;
        if ((err = fetch_read_some(s, deadline < end ? deadline : end, frame + have,
                                   FETCH_REQUEST_MAX - have, &got)))
            break;
        have += got;
    }
    if (err) {
        seal_fail(err, "the request did not arrive whole");
        goto out;
    }
    struct reader src;
    reader_init(&src, frame, flen);
    struct unseal_request ur;
    memset(&ur, 0, sizeof ur);
    ur.recipient = cfg->key;
    ur.senders = cfg->senders;
    ur.in = reader_source(&src);
    ur.out = writer_sink(&plain);
    if ((err = envelope_unseal(&ur, info))) /* F1, F2 */
        goto out;
    if ((err = writer_status(&plain)) ||
        (err = fetch_request_parse(writer_data(&plain), writer_len(&plain), req)))
        goto out;
    /* F3: for this listener, and for the signer's own outbox. */
    if (!seal_ct_equal(req->server_fpr, cfg->key->fpr, SEAL_FPR_LEN)) {
        err = seal_fail_override(GPG_ERR_WRONG_SECKEY, "a request for another listener");
        goto out;
    }
    if (!info->sender_name || strcmp(info->sender_name, req->name) != 0) {
        err = seal_fail_override(GPG_ERR_FORBIDDEN, "%s asked for the outbox of another client",
                                 info->sender_name ? info->sender_name : "?");
        goto out;
    }
    /* F4, F5 */
    uint64_t now = (uint64_t)time(NULL);
    if (info->created + FETCH_WINDOW < now || info->created > now + FETCH_WINDOW) {
        err = seal_fail_override(GPG_ERR_SIG_EXPIRED, "a request made %s",
                                 info->created > now ? "in the future" : "too long ago");
        goto out;
    }
    err = remember_request(cfg, info->sender_fpr, info->envelope_id);
out:
    if (err)
        seal_wipe(req, sizeof *req);
    writer_free(&plain);
    free(frame);
    return err;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The queued files of DIR (regular, not dot files), sorted, at most MAX. */
static size_t list_queue(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        if (!join(path, sizeof path, dir, de->d_name) || lstat(path, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (n < max && (names[n] = strdup(de->d_name)))
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    return n;
}

/* Sends one queued file; true (and *SHA) if it was sent whole. */
static bool send_file(const struct outbox_config *cfg, int sock, const char *path,
                      uint8_t sha[SEAL_SHA256_LEN])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    struct seal_sha256_ctx *h = NULL;
    char line[FETCH_LINE_MAX];
    uint8_t buf[16384];
    bool ok = false;

    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0 || (uint64_t)st.st_size > cfg->max_size ||
        seal_sha256_new(&h) != 0)
        goto out;
    int n = snprintf(line, sizeof line, "ENVELOPE %llu\n", (unsigned long long)st.st_size);
    if (net_write_all(sock, line, (size_t)n, net_now_ms() + cfg->idle_ms) != 0)
        goto out;
    for (off_t left = st.st_size; left > 0;) {
        size_t got;
        if (fd_read_full(fd, buf, left < (off_t)sizeof buf ? (size_t)left : sizeof buf, &got) ||
            got == 0)
            goto out;
        seal_sha256_update(h, buf, got);
        if (net_write_all(sock, buf, got, net_now_ms() + cfg->idle_ms) != 0)
            goto out;
        left -= (off_t)got;
    }
    seal_sha256_final(h, sha);
    h = NULL;
    ok = true;
out:
    seal_sha256_free(h);
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Moves QDIR/NAME to QDIR/sent/NAME, durably. */
static gpg_err_code_t mark_sent(const char *qdir, const char *name)
{
    char sent[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
    if (!join(sent, sizeof sent, qdir, "sent") || !join(from, sizeof from, qdir, name) ||
        !join(to, sizeof to, sent, name))
        return seal_fail(GPG_ERR_ENAMETOOLONG, "the outbox path is too long");
    if ((mkdir(sent, 0700) != 0 && errno != EEXIST) || rename(from, to) != 0 ||
        fsync_dir(sent) != 0 || fsync_dir(qdir) != 0)
        return seal_fail(seal_errno_code(), "cannot move %s to sent/: %s", name, strerror(errno));
    return 0;
}

/* Offers each queued envelope and waits for its receipt. Returns the
 * number sent, the SHA-256 of each sent whole fed to LIST in order (the END
 * mac names them, whatever the client answered). */
static uint32_t offer(const struct outbox_config *cfg, struct fetch_stream *s,
                      const struct fetch_request *req, const struct envelope_info *info,
                      const char *peer, int64_t end, struct seal_sha256_ctx *list)
{
    char qdir[PATH_MAX], path[PATH_MAX], line[WIRE_LINE_MAX + 1];
    char **names = calloc(FETCH_MAX_ENVELOPES, sizeof *names);
    uint32_t sent = 0;
    size_t n;

    if (!names)
        return 0;
    n = !join(qdir, sizeof qdir, cfg->dir, req->name)
            ? 0
            : list_queue(qdir, names, FETCH_MAX_ENVELOPES);
    for (size_t i = 0; i < n; i++) {
        uint8_t sha[SEAL_SHA256_LEN];
        struct wire_reply r;
        char want[RECEIPT_TEXT_LEN + 1];
        if (!join(path, sizeof path, qdir, names[i]) || !send_file(cfg, s->fd, path, sha)) {
            seal_log(cfg->log, cfg->log_ctx, "fetch by %s from %s: cannot send %s; stopped",
                     req->name, peer, names[i]);
            break;
        }
        sent++;
        seal_sha256_update(list, sha, sizeof sha);
        int64_t deadline = net_now_ms() + cfg->idle_ms;
        gpg_err_code_t err =
            fetch_read_line(s, deadline < end ? deadline : end, line, sizeof line - 1);
        size_t len = strlen(line);
        if (!err) {
            line[len++] = '\n';
            err = wire_parse_reply((const uint8_t *)line, len, &r);
        }
        if (err) {
            seal_log(cfg->log, cfg->log_ctx,
                     "fetch by %s from %s: no receipt for %s; it stays queued", req->name, peer,
                     names[i]);
            break;
        }
        if (r.kind != WIRE_OK) {
            seal_log(cfg->log, cfg->log_ctx,
                     "fetch by %s from %s: %s refused it: ERR %s %s; it stays queued", req->name,
                     peer, names[i], r.kind == WIRE_ERR_TEMP ? "temp" : "perm", r.reason);
            if (r.kind == WIRE_ERR_TEMP)
                break;
            continue;
        }
        if (fetch_receipt(req, info->envelope_id, r.envelope_id, sha, want) != 0 ||
            strlen(r.receipt) != RECEIPT_TEXT_LEN ||
            !seal_ct_equal(want, r.receipt, RECEIPT_TEXT_LEN)) {
            seal_log(cfg->log, cfg->log_ctx,
                     "fetch by %s from %s: a receipt for %s that does not verify; stopped",
                     req->name, peer, names[i]);
            break;
        }
        char idhex[2 * SEAL_ENVELOPE_ID_LEN + 1];
        seal_hex(r.envelope_id, SEAL_ENVELOPE_ID_LEN, idhex);
        if ((err = mark_sent(qdir, names[i]))) {
            seal_log(cfg->log, cfg->log_ctx, "fetch by %s: %s", req->name,
                     seal_detail() ? seal_detail() : "?");
            break;
        }
        seal_log(cfg->log, cfg->log_ctx, "fetched by %s from %s: %s (envelope %s), moved to sent/",
                 req->name, peer, names[i], idhex);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return sent;
}

void outbox_serve(const struct outbox_config *cfg, struct fetch_stream *s, const char *peer)
{
    struct fetch_request *req = seal_secure_malloc(sizeof *req);
    struct envelope_info info;
    char line[WIRE_LINE_MAX + 1], mac[RECEIPT_TEXT_LEN + 1];
    uint8_t digest[SEAL_SHA256_LEN];
    struct seal_sha256_ctx *list = NULL;
    int64_t end = net_now_ms() + cfg->total_ms;
    gpg_err_code_t err;

    if (!req)
        return;
    seal_clear_detail();
    if ((err = read_request(cfg, s, end, req, &info))) {
        /* F1..F5 alike on the wire: nothing about the outbox leaks. */
        seal_log(cfg->log, cfg->log_ctx, "fetch from %s refused: %s%s%s", peer,
                 seal_detail() ? seal_detail() : gpg_strerror(err),
                 info.sender_name ? ", signed by " : "", info.sender_name ? info.sender_name : "");
        size_t n = err & GPG_ERR_SYSTEM_ERROR
                       ? wire_format_err(WIRE_ERR_TEMP, "try again later", line)
                       : wire_format_err(WIRE_ERR_PERM, FETCH_REFUSED_TEXT, line);
        (void)net_write_all(s->fd, line, n, net_now_ms() + cfg->idle_ms);
        goto out;
    }
    seal_log(cfg->log, cfg->log_ctx, "fetch by %s from %s", req->name, peer);
    if (seal_sha256_new(&list) != 0) {
        /* No END line: the client knows the list is not complete (exit 8). */
        seal_log(cfg->log, cfg->log_ctx, "fetch by %s from %s: out of memory", req->name, peer);
        goto out;
    }
    uint32_t count = offer(cfg, s, req, &info, peer, end, list);
    seal_sha256_final(list, digest);
    list = NULL;
    if (fetch_end_mac(req, info.envelope_id, count, digest, mac) == 0) {
        int n = snprintf(line, sizeof line, "END %u %s\n", (unsigned)count, mac);
        (void)net_write_all(s->fd, line, (size_t)n, net_now_ms() + cfg->idle_ms);
    }
out:
    seal_sha256_free(list);
    seal_secure_free(req, sizeof *req);
}
