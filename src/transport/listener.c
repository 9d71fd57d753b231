/*
 * The listener's event loop and its workers; see listener.h.
 *
 * epoll(7) directly rather than libevent: the loop needs only accept, read
 * and coarse timers, on Linux, which is a few hundred lines here; libevent
 * would add a dependency, with its own buffers and callback discipline, to
 * the one process that holds the private key. The sockets are level
 * triggered and every readable one is read at once, so nothing waits on an
 * edge; timers are a sweep over the connections every SWEEP_MS (a
 * comparison or two per connection: at the 100,000 most, a few ms of a
 * 100 ms tick), not a heap, because every deadline is seconds long.
 */
#include "transport/listener.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fileio.h"
#include "base/text.h"
#include "transport/outbox.h"
#include "transport/proxy.h"
#include "transport/sources.h"
#include "transport/serve_requests.h"
#include "transport/wire.h"

#define RECV_BUF (64 * 1024)
#define SWEEP_MS 100
#define MAX_EVENTS 256
#define ACCEPT_BATCH 64
/* The PROXY header gets at least this long (the spec asks for 3 s, to
 * cover a TCP retransmit), or --header-timeout if longer. */
#define PROXY_MIN_MS 3000
/* A worker's stack: the envelope code's buffers are on the heap. */
#define WORKER_STACK (1024 * 1024)

enum conn_state {
    C_PROXY,  /* reading the PROXY header */
    C_HEAD,   /* waiting for the first request bytes */
    C_BODY,   /* receiving an envelope into its spool file */
    C_WORK,   /* a worker has it */
    C_LINGER, /* refused: dropping what the peer still sends, then close */
};

struct listener;

struct conn {
    struct conn *prev, *next; /* all connections, in accept order */
    struct conn *qnext;       /* a pool's queue, or the done list */
    enum conn_state state;
    bool counted;        /* src->conns includes this one */
    struct source *src;  /* the client address (the proxy's until its header) */
    int64_t start_ms;    /* accepted */
    int64_t head_end;    /* PROXY, HEAD: deadline */
    int64_t last_ms;     /* BODY: last bytes */
    int64_t window_ms;   /* BODY: the rate window's start ... */
    uint64_t window_got; /* ... and the bytes received by then */
    uint64_t got;        /* request bytes so far (after a PROXY header) */
    uint64_t dropped;    /* LINGER */
    int64_t linger_end;
    size_t head_len, need;
    struct seal_sha256_ctx *sha;
    struct serve_job job; /* job.fd is the socket */
    uint8_t head[PROXY_HEADER_MAX];
};

struct pool {
    struct listener *l;
    pthread_t *threads;
    unsigned n, started;
    struct conn *first, *last; /* queued jobs */
    pthread_cond_t wake;
};

/* What epoll's data.ptr points to besides connections. */
struct tag {
    int kind; /* TAG_LISTEN, TAG_STOP, TAG_DONE */
    int fd;
};
enum { TAG_LISTEN, TAG_STOP, TAG_DONE };

struct listener {
    const struct listener_config *cfg;
    struct serve_config serve;
    int ep, done_fd;
    struct tag ltag[NET_MAX_LISTEN], stop_tag, done_tag;
    bool accepting, stopping;
    int64_t accept_again;  /* out of descriptors: pause until then */
    int64_t fd_note_again; /* ... and say so at most once a minute */
    struct conn *first, *last;
    unsigned n_conns;
    struct source_table sources;
    uint8_t *buf; /* RECV_BUF: the loop's one read buffer */
    pthread_mutex_t lock;
    bool quit;                 /* the pools: no more jobs */
    struct pool deliver, talk; /* envelopes; fetches and registrations */
    struct conn *done;
};

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

unsigned listener_default_max_conns(uint64_t nofile)
{
    uint64_t n = nofile > 2 * LISTENER_RESERVE_FDS ? (nofile - LISTENER_RESERVE_FDS) / 2 : 16;
    if (n < 16)
        n = 16;
    return n > LISTENER_MAX_CONNS ? LISTENER_MAX_CONNS : (unsigned)n;
}

/* ---- connections --------------------------------------------------------------------- */

/* Points C at address entry S (or none). The entry's refs keep it from
 * being forgotten by sources_minute() while C still uses it, counted or
 * not (a proxy's connection waiting for its header is not counted). */
static void set_source(struct conn *c, struct source *s)
{
    if (c->src)
        c->src->refs--;
    c->src = s;
    if (s)
        s->refs++;
}

static void unlink_conn(struct listener *l, struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        l->first = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->last = c->prev;
    l->n_conns--;
    if (c->counted && c->src)
        c->src->conns--;
    c->counted = false;
    set_source(c, NULL);
}

/* Closes C (not a worker's) and forgets it. */
static void drop(struct listener *l, struct conn *c)
{
    if (c->job.fd >= 0)
        close(c->job.fd); /* also leaves the epoll set */
    seal_sha256_free(c->sha);
    serve_spool_discard(&l->serve, &c->job.spool);
    unlink_conn(l, c);
    free(c);
}

/* Writes LINE if the socket takes it now; never waits. */
static void say_now(int fd, enum wire_kind kind, const char *reason)
{
    char line[WIRE_LINE_MAX + 1];
    size_t n = wire_format_err(kind, reason, line);
    (void)!send(fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Logs one refusal (VERB "refused" or "shed"), or counts it for the
 * minute's summary once the address had its share of lines. */
static void note(struct listener *l, struct conn *c, const char *verb, enum source_reason r,
                 const char *errline, const char *detail)
{
    struct source *s = c ? c->src : NULL;
    if (s && !source_may_log(s, r, LISTENER_LOG_BURST))
        return;
    seal_log(l->serve.log, l->serve.log_ctx, "%s %s: %s (%s: %s)", verb, c ? c->job.peer : "?",
             errline, source_reason_name(r), detail);
}

/* Refuses C with an ERR line and logs why; a peer that may still be
 * sending (LINGER) is read for a while so that it sees the line. */
static void refuse(struct listener *l, struct conn *c, const char *verb, enum source_reason r,
                   enum wire_kind kind, const char *text, bool linger, const char *detail)
{
    char errline[WIRE_REASON_MAX + 16];
    say_now(c->job.fd, kind, text);
    snprintf(errline, sizeof errline, "ERR %s %s", kind == WIRE_ERR_TEMP ? "temp" : "perm", text);
    note(l, c, verb, r, errline, detail);
    seal_sha256_free(c->sha);
    c->sha = NULL;
    serve_spool_discard(&l->serve, &c->job.spool);
    if (!linger) {
        drop(l, c);
        return;
    }
    shutdown(c->job.fd, SHUT_WR);
    c->state = C_LINGER;
    c->dropped = 0;
    c->linger_end = net_now_ms() + SERVE_LINGER_MS; /* in the loop: no worker */
}

/* ---- the workers ---------------------------------------------------------------------- */

static void *worker_main(void *arg)
{
    struct pool *p = arg;
    struct listener *l = p->l;
    struct serve_result *res = malloc(sizeof *res);
    /* A job's failures are its own, not another's beside it. */
    struct seal_detail_scope *detail = seal_detail_scope_new();
    seal_detail_scope_enter(detail);
    for (;;) {
        pthread_mutex_lock(&l->lock);
        while (!p->first && !l->quit)
            pthread_cond_wait(&p->wake, &l->lock);
        struct conn *c = p->first;
        if (c) {
            p->first = c->qnext;
            if (!p->first)
                p->last = NULL;
        }
        pthread_mutex_unlock(&l->lock);
        if (!c)
            break;
        seal_clear_detail();
        if (!res) {
            say_now(c->job.fd, WIRE_ERR_TEMP, "overloaded");
            close(c->job.fd);
            serve_spool_discard(&l->serve, &c->job.spool);
        } else if (l->cfg->job_fn) {
            l->cfg->job_fn(l->cfg->job_ctx, &l->serve, &c->job, res);
        } else {
            serve_received(&l->serve, &c->job, res);
        }
        c->job.fd = -1;
        c->job.spool.fd = -1; /* closed and removed by the job */
        pthread_mutex_lock(&l->lock);
        c->qnext = l->done;
        l->done = c;
        pthread_mutex_unlock(&l->lock);
        uint64_t one = 1;
        (void)!write(l->done_fd, &one, sizeof one);
    }
    free(res);
    seal_detail_scope_free(detail);
    return NULL;
}

static gpg_err_code_t pool_start(struct listener *l, struct pool *p, unsigned n)
{
    pthread_attr_t attr;
    p->l = l;
    p->n = n;
    if (!(p->threads = calloc(n, sizeof *p->threads)))
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK);
    for (; p->started < n; p->started++)
        if (pthread_create(&p->threads[p->started], &attr, worker_main, p) != 0)
            break;
    pthread_attr_destroy(&attr);
    return p->started ? 0 : seal_fail(GPG_ERR_ENOMEM, "cannot start worker threads");
}

static void pools_stop(struct listener *l)
{
    pthread_mutex_lock(&l->lock);
    l->quit = true;
    pthread_cond_broadcast(&l->deliver.wake);
    pthread_cond_broadcast(&l->talk.wake);
    pthread_mutex_unlock(&l->lock);
    struct pool *ps[2] = {&l->deliver, &l->talk};
    for (int i = 0; i < 2; i++) {
        for (unsigned t = 0; t < ps[i]->started; t++)
            pthread_join(ps[i]->threads[t], NULL);
        free(ps[i]->threads);
        pthread_cond_destroy(&ps[i]->wake);
    }
}

/* Hands C to a worker: the loop no longer watches its socket. */
static void to_worker(struct listener *l, struct conn *c, enum serve_kind kind)
{
    struct pool *p = kind == SERVE_KIND_ENVELOPE ? &l->deliver : &l->talk;
    epoll_ctl(l->ep, EPOLL_CTL_DEL, c->job.fd, NULL);
    c->job.kind = kind;
    c->state = C_WORK;
    c->qnext = NULL;
    pthread_mutex_lock(&l->lock);
    if (p->last)
        p->last->qnext = c;
    else
        p->first = c;
    p->last = c;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&l->lock);
}

/* The jobs the workers finished: forget their connections. */
static void reap(struct listener *l)
{
    uint64_t n;
    (void)!read(l->done_fd, &n, sizeof n);
    pthread_mutex_lock(&l->lock);
    struct conn *c = l->done;
    l->done = NULL;
    pthread_mutex_unlock(&l->lock);
    while (c) {
        struct conn *next = c->qnext;
        unlink_conn(l, c);
        free(c);
        c = next;
    }
}

/* ---- receiving -------------------------------------------------------------------------- */

/* The first envelope bytes arrived: now a spool file and a hash. */
static bool begin_envelope(struct listener *l, struct conn *c)
{
    const struct serve_config *cfg = &l->serve;
    gpg_err_code_t err;
    if (cfg->inbox && !inbox_has_space(cfg->inbox, cfg->min_free)) {
        /* Not "No space left on device": the disk is not full, the
         * listener keeps --min-free of it free. */
        refuse(l, c, "refused", SR_SPACE, WIRE_ERR_TEMP, "low on disk space", true,
               "free space below --min-free");
        return false;
    }
    err = serve_spool_open(cfg, &c->job.spool);
    if (err || (err = seal_sha256_new(&c->sha))) {
        refuse(l, c, "refused", SR_STORE, WIRE_ERR_TEMP, "cannot store the message now", true,
               seal_detail() ? seal_detail() : gpg_strerror(err));
        seal_clear_detail(); /* the loop has no scope per connection */
        return false;
    }
    seal_log(l->serve.log, l->serve.log_ctx, "connection from %s", c->job.peer);
    c->state = C_BODY;
    c->window_ms = c->last_ms = net_now_ms();
    c->window_got = 0;
    return true;
}

/* Takes N more envelope bytes, under the size cap. */
static bool take(struct listener *l, struct conn *c, const uint8_t *p, size_t n)
{
    gpg_err_code_t err;
    if (n > l->serve.max_size - c->got) {
        char big[WIRE_REASON_MAX + 1], detail[96];
        serve_too_big(&l->serve, big);
        snprintf(detail, sizeof detail, "over --max-size %llu",
                 (unsigned long long)l->serve.max_size);
        refuse(l, c, "refused", SR_TOO_BIG, WIRE_ERR_PERM, big, true, detail);
        return false;
    }
    c->got += n;
    c->last_ms = net_now_ms();
    seal_sha256_update(c->sha, p, n);
    if ((err = fd_write_all(c->job.spool.fd, p, n))) {
        refuse(l, c, "refused", SR_STORE, WIRE_ERR_TEMP, "cannot store the message now", true,
               gpg_strerror(err));
        seal_clear_detail();
        return false;
    }
    return true;
}

static void envelope_done(struct listener *l, struct conn *c)
{
    seal_sha256_final(c->sha, c->job.digest);
    c->sha = NULL;
    c->job.size = c->got;
    to_worker(l, c, SERVE_KIND_ENVELOPE);
}

/* What HEAD[0..LEN) is: a verb still arriving (-1), not a verb (0), or a
 * complete FETCH (1) or REGISTER line (2). */
static int classify(const struct conn *c)
{
    static const char *const verbs[] = {FETCH_VERB, REGISTER_VERB};
    for (int v = 0; v < 2; v++) {
        size_t len = strlen(verbs[v]);
        size_t k = c->head_len < len ? c->head_len : len;
        if (memcmp(c->head, verbs[v], k) != 0)
            continue;
        if (c->head_len < len)
            return -1;
        if (v == 0)
            return 1;
        /* REGISTER: its count line, or more than a line can be (the
         * worker refuses it). */
        if (memchr(c->head + len, '\n', c->head_len - len) || c->head_len - len >= FETCH_LINE_MAX ||
            c->head_len == sizeof c->head)
            return 2;
        return -1;
    }
    return 0;
}

static void on_head(struct listener *l, struct conn *c, size_t got, bool eof)
{
    c->head_len += got;
    int v = l->cfg->job_fn ? classify(c) : 0;
    if (v == -1 && !eof)
        return;
    if (v == 1 || v == 2) {
        size_t len = strlen(v == 1 ? FETCH_VERB : REGISTER_VERB);
        c->job.rest = c->head + len;
        c->job.rest_len = c->head_len - len;
        to_worker(l, c, v == 1 ? SERVE_KIND_FETCH : SERVE_KIND_REGISTER);
        return;
    }
    if (!begin_envelope(l, c) || !take(l, c, c->head, c->head_len))
        return;
    if (eof)
        envelope_done(l, c);
}

/* Counts C against its address's --max-per-source, or refuses it (false;
 * C is gone or lingering then). */
static bool admit_source(struct listener *l, struct conn *c)
{
    if (!c->src)
        return true;
    if (c->src->conns >= l->cfg->max_per_source) {
        char detail[64];
        snprintf(detail, sizeof detail, "%u connections from this address", l->cfg->max_per_source);
        refuse(l, c, "refused", SR_PER_SOURCE, WIRE_ERR_TEMP, "too many connections", false,
               detail);
        return false;
    }
    c->src->conns++;
    c->counted = true;
    return true;
}

/* PROXY header complete: from now on the connection is its client's. */
static void proxy_done(struct listener *l, struct conn *c, const struct proxy_info *pi)
{
    if (!pi->local) {
        char client[PROXY_ADDR_STRLEN], via[INET6_ADDRSTRLEN];
        proxy_addr_format(&pi->src, client, sizeof client);
        source_text(c->src, via);
        if (snprintf(c->job.peer, sizeof c->job.peer, "%s via %s", client, via) < 0)
            c->job.peer[0] = '\0';
        struct source *s = source_get(&l->sources, &pi->src);
        if (s) {
            set_source(c, s);
            if (!admit_source(l, c))
                return;
        }
    }
    c->state = C_HEAD;
    c->head_len = 0;
    c->head_end = net_now_ms() + l->cfg->header_ms;
}

static void on_readable(struct listener *l, struct conn *c)
{
    ssize_t n;
    switch (c->state) {
    case C_PROXY: {
        struct proxy_info pi;
        size_t need;
        n = read(c->job.fd, c->head + c->head_len, c->need - c->head_len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (c->head_len == 0 && (n == 0 || (n < 0 && errno == ECONNRESET))) {
            drop(l, c); /* a health check: nothing to say */
            return;
        }
        if (n <= 0) {
            refuse(l, c, "refused", SR_PROXY, WIRE_ERR_PERM, "bad PROXY header", false,
                   n == 0 ? "closed inside the header" : strerror(errno));
            return;
        }
        c->head_len += (size_t)n;
        gpg_err_code_t err = proxy_parse(c->head, c->head_len, &pi, &need);
        if (err == GPG_ERR_EAGAIN) {
            c->need = need;
        } else if (err) {
            refuse(l, c, "refused", SR_PROXY, WIRE_ERR_PERM, "bad PROXY header", true,
                   seal_detail() ? seal_detail() : gpg_strerror(err));
            seal_clear_detail();
        } else {
            proxy_done(l, c, &pi);
        }
        return;
    }
    case C_HEAD:
        n = read(c->job.fd, c->head + c->head_len, sizeof c->head - c->head_len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0 && c->head_len == 0) {
            drop(l, c); /* a probe: connect and close (or reset) */
            return;
        }
        if (n < 0) {
            drop(l, c); /* reset: nobody to answer */
            return;
        }
        on_head(l, c, (size_t)n, n == 0);
        return;
    case C_BODY:
        n = read(c->job.fd, l->buf, RECV_BUF);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0) {
            char detail[128];
            snprintf(detail, sizeof detail, "after %llu bytes: %s", (unsigned long long)c->got,
                     strerror(errno));
            refuse(l, c, "refused", SR_RESET, WIRE_ERR_TEMP, "cannot store the message now", false,
                   detail);
        } else if (n == 0) {
            envelope_done(l, c);
        } else {
            (void)take(l, c, l->buf, (size_t)n);
        }
        return;
    case C_LINGER:
        n = read(c->job.fd, l->buf, RECV_BUF);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0 || (c->dropped += (uint64_t)n) >= SERVE_LINGER_MAX_BYTES)
            drop(l, c);
        return;
    case C_WORK:
        return;
    }
}

/* ---- limits ------------------------------------------------------------------------------ */

/* The connection to close for NEWCOMER: one already refused, else the one
 * that has sent the least for the longest (the lowest average rate since
 * accept; the older one of equals). Never one a worker holds, nor the
 * newcomer, which has had no time yet to send anything. */
static struct conn *victim(struct listener *l, const struct conn *newcomer, int64_t now)
{
    struct conn *best = NULL;
    for (struct conn *c = l->first; c; c = c->next) {
        if (c->state == C_WORK || c == newcomer)
            continue;
        if (c->state == C_LINGER)
            return c;
        if (!best) {
            best = c;
            continue;
        }
        /* c->got / age(c) < best->got / age(best), without dividing */
        uint64_t ac = (uint64_t)(now - c->start_ms + 1), ab = (uint64_t)(now - best->start_ms + 1);
        if (c->got * ab < best->got * ac)
            best = c;
    }
    return best;
}

/* The deadlines, once every SWEEP_MS. */
static void sweep(struct listener *l, int64_t now)
{
    struct conn *next;
    char detail[128];
    for (struct conn *c = l->first; c; c = next) {
        next = c->next;
        switch (c->state) {
        case C_PROXY:
        case C_HEAD:
            if (now < c->head_end)
                break;
            snprintf(detail, sizeof detail, "no %s within %lld ms",
                     c->state == C_PROXY ? "complete PROXY header" : "request",
                     (long long)(c->state == C_PROXY && l->cfg->header_ms < PROXY_MIN_MS
                                     ? PROXY_MIN_MS
                                     : l->cfg->header_ms));
            refuse(l, c, "refused", SR_HEADER, WIRE_ERR_TEMP, "timed out", false, detail);
            break;
        case C_BODY:
            if (now - c->last_ms >= l->serve.idle_ms) {
                snprintf(detail, sizeof detail, "silent for %lld ms after %llu bytes",
                         (long long)(now - c->last_ms), (unsigned long long)c->got);
                refuse(l, c, "refused", SR_IDLE, WIRE_ERR_TEMP, "timed out", true, detail);
            } else if (now - c->start_ms >= l->serve.total_ms) {
                snprintf(detail, sizeof detail, "still sending after %lld ms",
                         (long long)(now - c->start_ms));
                refuse(l, c, "refused", SR_MAX_TIME, WIRE_ERR_TEMP, "timed out", true, detail);
            } else if (now - c->window_ms >= LISTENER_RATE_WINDOW_MS) {
                uint64_t bytes = c->got - c->window_got;
                uint64_t ms = (uint64_t)(now - c->window_ms);
                if (l->cfg->min_rate && bytes * 1000 < l->cfg->min_rate * ms) {
                    snprintf(detail, sizeof detail,
                             "%llu bytes in the last %llu ms, under %llu bytes/s",
                             (unsigned long long)bytes, (unsigned long long)ms,
                             (unsigned long long)l->cfg->min_rate);
                    refuse(l, c, "refused", SR_SLOW, WIRE_ERR_TEMP, "too slow", true, detail);
                } else {
                    c->window_ms = now;
                    c->window_got = c->got;
                }
            }
            break;
        case C_LINGER:
            if (now >= c->linger_end)
                drop(l, c);
            break;
        case C_WORK:
            break;
        }
    }
}

static void set_accepting(struct listener *l, bool on)
{
    if (l->accepting == on)
        return;
    for (size_t i = 0; i < l->cfg->n_fds; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &l->ltag[i]};
        epoll_ctl(l->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, l->cfg->fds[i], &ev);
    }
    l->accepting = on;
}

/* Accepts one connection: false when there was none (or no descriptor). */
static bool on_accept(struct listener *l, int lfd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    struct proxy_addr from;
    int64_t now = net_now_ms();
    int fd;
    gpg_err_code_t err = net_accept(lfd, &fd);
    if (err == GPG_ERR_EAGAIN)
        return false;
    if (err) {
        /* Out of descriptors: let connections end first (said once a
         * minute at most). */
        if (now >= l->fd_note_again) {
            seal_log(l->serve.log, l->serve.log_ctx,
                     "not accepting for now: %s (--max-connections %u needs more descriptors)",
                     seal_detail() ? seal_detail() : gpg_strerror(err), l->cfg->max_conns);
            l->fd_note_again = now + 60000;
        }
        seal_clear_detail();
        set_accepting(l, false);
        l->accept_again = now + 100;
        return false;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
        say_now(fd, WIRE_ERR_TEMP, "overloaded");
        close(fd);
        return true;
    }
    /* Gone already (a health check that sent its PROXY header and reset
     * before we looked): nobody to answer, and its bytes must not be taken
     * for a client's once the proxy's address is unknown. */
    bool named = getpeername(fd, (struct sockaddr *)&ss, &sl) == 0;
    if (!named && errno == ENOTCONN) {
        free(c);
        close(fd);
        return true;
    }
    c->job.fd = fd;
    c->job.spool.fd = -1;
    c->start_ms = now;
    c->state = C_HEAD;
    c->head_end = now + l->cfg->header_ms;
    net_peer_name(fd, c->job.peer);
    memset(&from, 0, sizeof from);
    bool ip = named && proxy_addr_from_sockaddr((struct sockaddr *)&ss, sl, &from) == 0;
    set_source(c, ip ? source_get(&l->sources, &from) : NULL);
    /* Linked first, so that every path below can drop() it. */
    c->prev = l->last;
    if (l->last)
        l->last->next = c;
    else
        l->first = c;
    l->last = c;
    l->n_conns++;
    if (ip && l->serve.proxy_from && proxy_allow_match(l->serve.proxy_from, &from)) {
        /* The proxy's connection: limited once its header names the
         * client, not as the proxy's. */
        struct proxy_info pi;
        c->state = C_PROXY;
        c->head_end = now + (l->cfg->header_ms > PROXY_MIN_MS ? l->cfg->header_ms : PROXY_MIN_MS);
        proxy_parse(c->head, 0, &pi, &c->need);
        if (c->need == 0 || c->need > sizeof c->head)
            c->need = PROXY_HEADER_MIN;
    } else if (!admit_source(l, c)) {
        return true;
    }
    if (l->n_conns > l->cfg->max_conns) {
        /* Full: make room by closing the connection that has shown least,
         * which may be this one. */
        struct conn *v = victim(l, c, now);
        char detail[96];
        snprintf(detail, sizeof detail, "%u connections at once; it had sent %llu bytes",
                 l->cfg->max_conns, v ? (unsigned long long)v->got : 0ULL);
        if (v) {
            if (v->state == C_LINGER)
                drop(l, v);
            else
                refuse(l, v, "shed", SR_SHED, WIRE_ERR_TEMP, "overloaded", false, detail);
        } else {
            refuse(l, c, "refused", SR_FULL, WIRE_ERR_TEMP, "overloaded", false,
                   "every connection is being delivered");
            return true;
        }
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
        refuse(l, c, "refused", SR_FULL, WIRE_ERR_TEMP, "overloaded", false, strerror(errno));
    return true;
}

/* Stop: every connection not with a worker is told so; one that was
 * sending lingers. */
static void begin_stop(struct listener *l)
{
    struct conn *next;
    l->stopping = true;
    epoll_ctl(l->ep, EPOLL_CTL_DEL, l->serve.stop_fd, NULL);
    set_accepting(l, false);
    for (size_t i = 0; i < l->cfg->n_fds; i++)
        close(l->cfg->fds[i]);
    for (struct conn *c = l->first; c; c = next) {
        next = c->next;
        if (c->state == C_PROXY || c->state == C_HEAD || c->state == C_BODY)
            refuse(l, c, "refused", SR_SHUTDOWN, WIRE_ERR_TEMP, "shutting down",
                   c->state == C_BODY || c->head_len > 0, "stopping");
    }
}

static void maintain(struct listener *l)
{
    struct inbox_report rep;
    memset(&rep, 0, sizeof rep);
    gpg_err_code_t err = l->serve.inbox ? inbox_maintain(l->serve.inbox, &rep) : 0;
    if (err)
        seal_log(l->serve.log, l->serve.log_ctx, "inbox maintenance failed: %s",
                 gpg_strerror(gpg_err_make(GPG_ERR_SOURCE_USER_1, err)));
    else if (rep.completed || rep.pruned)
        seal_log(l->serve.log, l->serve.log_ctx,
                 "inbox maintenance: %u completed, %u markers pruned", rep.completed, rep.pruned);
}

static bool is_tag(const struct listener *l, const void *p)
{
    return p == &l->stop_tag || p == &l->done_tag ||
           ((const char *)p >= (const char *)l->ltag &&
            (const char *)p < (const char *)(l->ltag + NET_MAX_LISTEN));
}

static gpg_err_code_t loop(struct listener *l)
{
    struct epoll_event ev[MAX_EVENTS];
    int64_t now = net_now_ms();
    int64_t next_sweep = now + SWEEP_MS, next_minute = now + 60000;
    int64_t next_maintain = now + LISTENER_MAINTAIN_S * 1000;

    while (!l->stopping || l->n_conns > 0) {
        int wait = (int)min64(next_sweep - now, SWEEP_MS);
        int n = epoll_wait(l->ep, ev, MAX_EVENTS, wait < 0 ? 0 : wait);
        if (n < 0 && errno != EINTR)
            return seal_fail(seal_errno_code(), "epoll_wait: %s", strerror(errno));
        /* Connections first: an accept may shed one, a stop refuse them
         * all, and their events in this batch must not outlive them. */
        for (int i = 0; i < n; i++)
            if (!is_tag(l, ev[i].data.ptr))
                on_readable(l, ev[i].data.ptr);
        for (int i = 0; i < n; i++) {
            struct tag *t = ev[i].data.ptr;
            if (t == &l->stop_tag)
                begin_stop(l);
            else if (t == &l->done_tag)
                reap(l);
            else if (is_tag(l, t))
                /* A batch: under a flood a sender waits behind fewer. */
                for (int k = 0; k < ACCEPT_BATCH && l->accepting; k++)
                    if (!on_accept(l, t->fd))
                        break;
        }
        now = net_now_ms();
        if (now >= next_sweep) {
            sweep(l, now);
            next_sweep = now + SWEEP_MS;
            if (!l->accepting && !l->stopping && now >= l->accept_again)
                set_accepting(l, true);
        }
        if (now >= next_minute) {
            sources_minute(&l->sources, l->serve.log, l->serve.log_ctx);
            next_minute = now + 60000;
        }
        if (now >= next_maintain && !l->stopping) {
            maintain(l);
            next_maintain = net_now_ms() + LISTENER_MAINTAIN_S * 1000;
        }
    }
    sources_minute(&l->sources, l->serve.log, l->serve.log_ctx); /* what is not said yet */
    return 0;
}

gpg_err_code_t listener_run(const struct listener_config *cfg)
{
    struct listener *l;
    gpg_err_code_t err = 0;

    if (cfg->n_fds == 0 || cfg->n_fds > NET_MAX_LISTEN)
        return seal_fail(GPG_ERR_INV_ARG, "need 1..%d listening sockets", NET_MAX_LISTEN);
    if (!(l = calloc(1, sizeof *l)) || !(l->buf = malloc(RECV_BUF))) {
        free(l);
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    }
    l->cfg = cfg;
    l->serve = cfg->serve;
    l->done_fd = -1;
    pthread_mutex_init(&l->lock, NULL);
    if ((l->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
        (l->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
        err = seal_fail(seal_errno_code(), "epoll: %s", strerror(errno));
        goto out;
    }
    l->stop_tag.kind = TAG_STOP;
    l->done_tag.kind = TAG_DONE;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &l->done_tag};
    epoll_ctl(l->ep, EPOLL_CTL_ADD, l->done_fd, &ev);
    if (cfg->serve.stop_fd >= 0) {
        ev.data.ptr = &l->stop_tag;
        epoll_ctl(l->ep, EPOLL_CTL_ADD, cfg->serve.stop_fd, &ev);
    }
    for (size_t i = 0; i < cfg->n_fds; i++)
        l->ltag[i] = (struct tag){TAG_LISTEN, cfg->fds[i]};
    /* Two workers per core for the envelopes: RSA keeps one core busy
     * while the other waits for fsync. Fetches and registrations wait on
     * their peers (with their own deadlines), so they get a pool of their
     * own and cannot hold the deliveries up. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nw = cores > 0 ? 2 * (unsigned)cores : 2;
    /* Both before either starts: pools_stop() wakes and destroys both. */
    pthread_cond_init(&l->deliver.wake, NULL);
    pthread_cond_init(&l->talk.wake, NULL);
    if ((err = pool_start(l, &l->deliver, nw)) ||
        (err = pool_start(l, &l->talk, cfg->job_fn ? (nw < 8 ? 8 : nw) : 1)))
        goto stop;
    set_accepting(l, true);
    err = loop(l);
    if (err && !l->stopping)
        for (size_t i = 0; i < cfg->n_fds; i++)
            close(cfg->fds[i]);
stop:
    /* Workers may still hold connections after an error. */
    pools_stop(l);
    reap(l);
    while (l->first)
        drop(l, l->first);
    sources_free(&l->sources);
out:
    if (l->done_fd >= 0)
        close(l->done_fd);
    if (l->ep >= 0)
        close(l->ep);
    pthread_mutex_destroy(&l->lock);
    free(l->buf);
    free(l);
    return err;
}
