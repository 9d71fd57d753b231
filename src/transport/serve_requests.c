/* The listener's two-way patterns; see serve_requests.h. */
#include "transport/serve_requests.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "transport/outbox.h"
#include "base/text.h"
#include "transport/registry.h"

/* The trust directory as read at one moment; shared by the connections
 * that started while it was current. */
struct snapshot {
    struct trusted_senders ts;
    struct stat st; /* of the directory when it was read */
    unsigned refs;
};

struct twoway {
    struct twoway_config cfg;
    pthread_mutex_t lock;
    struct snapshot *cur;
};

static bool same_state(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static gpg_err_code_t load(const char *path, struct snapshot **out)
{
    struct snapshot *s = calloc(1, sizeof *s);
    gpg_err_code_t err;
    *out = NULL;
    if (!s)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    /* The state first: a change during the read makes the next look read
     * again. */
    if (stat(path, &s->st) != 0) {
        free(s);
        return seal_fail(seal_errno_code(), "%s: %s", path, strerror(errno));
    }
    if ((err = trusted_senders_load(path, &s->ts)) || (err = trusted_senders_load_all(&s->ts))) {
        trusted_senders_free(&s->ts);
        free(s);
        return err;
    }
    s->refs = 1;
    *out = s;
    return 0;
}

static void release(struct twoway *tw, struct snapshot *s)
{
    pthread_mutex_lock(&tw->lock);
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&tw->lock);
    if (last) {
        trusted_senders_free(&s->ts);
        free(s);
    }
}

/* The trust directory as it is now (re-read if it changed; the previous
 * reading if it cannot be read). */
static struct snapshot *acquire(struct twoway *tw, void (*log)(void *, const char *), void *ctx)
{
    struct stat st;
    struct snapshot *s, *fresh = NULL;
    bool changed;

    pthread_mutex_lock(&tw->lock);
    changed = stat(tw->cfg.trust, &st) == 0 && !same_state(&st, &tw->cur->st);
    pthread_mutex_unlock(&tw->lock);
    /* Read outside the lock (it may take a while); the last reader wins. */
    if (changed && load(tw->cfg.trust, &fresh) != 0 && log) {
        seal_log(log, ctx, "trust directory not re-read: %s",
                 seal_detail() ? seal_detail() : "error");
        seal_clear_detail();
    }
    pthread_mutex_lock(&tw->lock);
    if (fresh) {
        struct snapshot *old = tw->cur;
        tw->cur = fresh; /* its reference is the current one's */
        if (--old->refs == 0) {
            trusted_senders_free(&old->ts);
            free(old);
        }
        if (log)
            log(ctx, "trust directory re-read");
    }
    s = tw->cur;
    s->refs++;
    pthread_mutex_unlock(&tw->lock);
    return s;
}

gpg_err_code_t twoway_new(const struct twoway_config *cfg, struct twoway **out)
{
    struct twoway *tw = calloc(1, sizeof *tw);
    gpg_err_code_t err;
    *out = NULL;
    if (!tw)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    tw->cfg = *cfg;
    if ((err = load(cfg->trust, &tw->cur))) {
        free(tw);
        return err;
    }
    pthread_mutex_init(&tw->lock, NULL);
    *out = tw;
    return 0;
}

void twoway_free(struct twoway *tw)
{
    if (!tw)
        return;
    release(tw, tw->cur);
    pthread_mutex_destroy(&tw->lock);
    free(tw);
}

/* ---- telling the patterns apart ------------------------------------------------ */

static void say(int fd, const struct serve_config *cfg, enum wire_kind kind, const char *reason)
{
    char line[WIRE_LINE_MAX + 1];
    size_t n = kind == WIRE_OK ? (size_t)snprintf(line, sizeof line, "OK %s\n", reason)
                               : wire_format_err(kind, reason, line);
    (void)net_write_all(fd, line, n, net_now_ms() + cfg->idle_ms);
}

/* "REGISTER " n LF and n bytes of record (man/seal.5, "Registration"). */
static void serve_registration(struct twoway *tw, const struct serve_config *cfg,
                               struct fetch_stream *s, struct snapshot *snap, const char *peer)
{
    char line[FETCH_LINE_MAX], fpr[SEAL_FPR_TEXT_LEN];
    struct registry_record rec;
    uint8_t *buf = NULL;
    uint64_t n = 0;
    size_t have = 0;
    gpg_err_code_t err;
    const char *reason = "bad registration";
    enum wire_kind kind = WIRE_ERR_PERM;

    memset(&rec, 0, sizeof rec);
    seal_clear_detail();
    if (!tw->cfg.pending) {
        err = seal_fail(GPG_ERR_NOT_SUPPORTED, "this listener takes no registrations");
        reason = "no registrations here";
        goto refuse;
    }
    if ((err = fetch_read_line(s, net_now_ms() + cfg->idle_ms, line, sizeof line)) ||
        !fetch_parse_count(line, REGISTRY_RECORD_MAX, &n)) {
        err = seal_fail(GPG_ERR_INV_DATA, "not a registration");
        goto refuse;
    }
    if (!(buf = malloc(n))) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        kind = WIRE_ERR_TEMP;
        reason = "overloaded";
        goto refuse;
    }
    while (have < n) {
        size_t got;
        if ((err = fetch_read_some(s, net_now_ms() + cfg->idle_ms, buf + have, n - have, &got)))
            break;
        have += got;
    }
    if (err) {
        seal_fail(err, "the registration did not arrive whole");
        goto refuse;
    }
    if ((err = registry_record_parse(buf, n, (uint64_t)time(NULL), &rec))) {
        reason = err == GPG_ERR_INV_NAME      ? "bad name"
                 : err == GPG_ERR_SIG_EXPIRED ? "stale registration"
                                              : "bad registration";
        goto refuse;
    }
    key_fingerprint_text(rec.key->fpr, fpr);
    if ((err = registry_store_pending(tw->cfg.pending, &snap->ts, tw->cfg.max_pending, &rec))) {
        if (err == GPG_ERR_EEXIST) {
            reason = "name taken";
        } else if (err == GPG_ERR_LIMIT_REACHED) {
            kind = WIRE_ERR_TEMP;
            reason = "too many pending registrations";
        } else {
            kind = WIRE_ERR_TEMP;
            reason = "cannot store the registration now";
        }
        goto refuse;
    }
    seal_log(cfg->log, cfg->log_ctx,
             "registration from %s: %s, key seal %s, pending as %s/%s.pub (trusted only once an "
             "operator moves it into the trust directory)",
             peer, rec.name, fpr, tw->cfg.pending, rec.name);
    say(s->fd, cfg, WIRE_OK, "pending");
    goto out;
refuse:
    seal_log(cfg->log, cfg->log_ctx, "registration from %s refused: ERR %s %s (%s)%s%s", peer,
             kind == WIRE_ERR_TEMP ? "temp" : "perm", reason,
             seal_detail() ? seal_detail() : gpg_strerror(err), rec.key ? ", name " : "",
             rec.key ? rec.name : "");
    say(s->fd, cfg, kind, reason);
out:
    key_free(rec.key);
    free(buf);
}

void twoway_serve(void *ctx, const struct serve_config *cfg, struct serve_job *job,
                  struct serve_result *res)
{
    struct twoway *tw = ctx;
    struct snapshot *snap = acquire(tw, cfg->log, cfg->log_ctx);
    struct serve_config mine = *cfg;

    mine.senders = &snap->ts;
    if (job->kind == SERVE_KIND_ENVELOPE) {
        serve_received(&mine, job, res);
        release(tw, snap);
        return;
    }
    struct fetch_stream *s = malloc(sizeof *s);
    memset(res, 0, sizeof *res);
    res->outcome = SERVE_PROBE; /* logged here, not by the listener */
    if (s && job->rest_len <= sizeof s->buf) {
        memset(s, 0, sizeof *s);
        s->fd = job->fd;
        s->stop_fd = cfg->stop_fd;
        /* What the listener read past the verb comes first. */
        memcpy(s->buf, job->rest, job->rest_len);
        s->len = job->rest_len;
        if (job->kind == SERVE_KIND_REGISTER) {
            serve_registration(tw, cfg, s, snap, job->peer);
        } else if (!tw->cfg.outbox) {
            seal_log(cfg->log, cfg->log_ctx, "fetch from %s refused: this listener has no outbox",
                     job->peer);
            say(job->fd, cfg, WIRE_ERR_PERM, FETCH_REFUSED_TEXT);
        } else {
            struct outbox_config oc = {cfg->key,      &snap->ts,    tw->cfg.outbox,
                                       cfg->max_size, cfg->idle_ms, cfg->total_ms,
                                       cfg->stop_fd,  cfg->log,     cfg->log_ctx};
            outbox_serve(&oc, s, job->peer);
        }
    }
    free(s);
    close(job->fd);
    job->fd = -1;
    release(tw, snap);
}
