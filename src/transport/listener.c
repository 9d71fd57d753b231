/* The accept loop and its threads; see listener.h. */
#include "transport/listener.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "transport/wire.h"

/* A connection thread needs little stack: the envelope code's buffers are
 * on the heap. 200 connections then cost 200 small stacks. */
#define CONN_STACK (1024 * 1024)

struct listener {
    const struct listener_config *cfg;
    struct serve_config serve; /* cfg->serve, with the verification slots */
    sem_t slots;
    pthread_mutex_t lock;
    pthread_cond_t idle;
    unsigned active;
};

struct conn {
    struct listener *l;
    int fd;
};

static void *conn_main(void *arg)
{
    struct conn *c = arg;
    struct listener *l = c->l;
    struct serve_result *res = malloc(sizeof *res);
    /* This connection's failures are its own, not another's beside it. */
    struct seal_detail_scope *detail = seal_detail_scope_new();
    seal_detail_scope_enter(detail);
    if (res && l->cfg->serve_fn)
        l->cfg->serve_fn(l->cfg->serve_ctx, &l->serve, c->fd, res);
    else if (res)
        serve_connection(&l->serve, c->fd, res);
    else
        close(c->fd);
    free(res);
    free(c);
    seal_detail_scope_free(detail);
    pthread_mutex_lock(&l->lock);
    l->active--;
    pthread_cond_signal(&l->idle);
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

/* No thread for this one: say so and close. */
static void shed(int fd)
{
    char line[WIRE_LINE_MAX + 1];
    size_t n = wire_format_err(WIRE_ERR_TEMP, "overloaded", line);
    (void)net_write_all(fd, line, n, net_now_ms() + 1000);
    close(fd);
}

static void start(struct listener *l, int fd, pthread_attr_t *attr)
{
    struct conn *c = malloc(sizeof *c);
    pthread_t t;
    if (!c) {
        shed(fd);
        return;
    }
    c->l = l;
    c->fd = fd;
    pthread_mutex_lock(&l->lock);
    l->active++;
    pthread_mutex_unlock(&l->lock);
    if (pthread_create(&t, attr, conn_main, c) != 0) {
        pthread_mutex_lock(&l->lock);
        l->active--;
        pthread_mutex_unlock(&l->lock);
        free(c);
        shed(fd);
    }
}

static void maintain(const struct listener_config *cfg)
{
    struct inbox_report rep;
    memset(&rep, 0, sizeof rep);
    gpg_err_code_t err = cfg->serve.inbox ? inbox_maintain(cfg->serve.inbox, &rep) : 0;
    if (cfg->serve.log && (err || rep.completed || rep.pruned)) {
        char line[256];
        if (err)
            snprintf(line, sizeof line, "inbox maintenance failed: %s",
                     gpg_strerror(gpg_err_make(GPG_ERR_SOURCE_USER_1, err)));
        else
            snprintf(line, sizeof line, "inbox maintenance: %u completed, %u markers pruned",
                     rep.completed, rep.pruned);
        cfg->serve.log(cfg->serve.log_ctx, line);
    }
}

gpg_err_code_t listener_run(const struct listener_config *cfg)
{
    struct listener l;
    struct pollfd p[NET_MAX_LISTEN + 1];
    pthread_attr_t attr;
    int64_t next_maintain = net_now_ms() + LISTENER_MAINTAIN_S * 1000;
    gpg_err_code_t err = 0;

    if (cfg->n_fds == 0 || cfg->n_fds > NET_MAX_LISTEN)
        return seal_fail(GPG_ERR_INV_ARG, "need 1..%d listening sockets", NET_MAX_LISTEN);
    memset(&l, 0, sizeof l);
    l.cfg = cfg;
    l.serve = cfg->serve;
    /* Two decryptions per core keep the cores busy while others wait for
     * the disk; more would only add memory (a pipeline's buffers each). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (sem_init(&l.slots, 0, (unsigned)(cores > 0 ? 2 * cores : 2)) == 0)
        l.serve.verify_slots = &l.slots;
    pthread_mutex_init(&l.lock, NULL);
    pthread_cond_init(&l.idle, NULL);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, CONN_STACK);

    for (;;) {
        pthread_mutex_lock(&l.lock);
        bool room = l.active < cfg->max_conns;
        pthread_mutex_unlock(&l.lock);
        p[0] = (struct pollfd){cfg->serve.stop_fd, POLLIN, 0};
        /* At the cap the listening sockets are not polled: the kernel queues
         * new peers until a connection ends (a short wait re-checks). */
        for (size_t i = 0; i < cfg->n_fds; i++)
            p[i + 1] = (struct pollfd){room ? cfg->fds[i] : -1, POLLIN, 0};
        int r = poll(p, cfg->n_fds + 1, room ? 60000 : 50);
        if (r < 0 && errno != EINTR) {
            err = seal_fail(seal_errno_code(), "poll: %s", strerror(errno));
            break;
        }
        if (p[0].revents & POLLIN)
            break;
        if (net_now_ms() >= next_maintain) {
            maintain(cfg);
            next_maintain = net_now_ms() + LISTENER_MAINTAIN_S * 1000;
        }
        for (size_t i = 0; r > 0 && i < cfg->n_fds; i++) {
            int fd;
            if (!(p[i + 1].revents & POLLIN))
                continue;
            gpg_err_code_t ae = net_accept(cfg->fds[i], &fd);
            if (ae == 0)
                start(&l, fd, &attr);
            else if (ae != GPG_ERR_EAGAIN)
                poll(NULL, 0, 100); /* out of descriptors: let connections end */
        }
    }
    /* Stop: no new connections; the ones in flight finish (they watch the
     * same stop_fd and refuse what they are still receiving). */
    for (size_t i = 0; i < cfg->n_fds; i++)
        close(cfg->fds[i]);
    pthread_mutex_lock(&l.lock);
    while (l.active > 0)
        pthread_cond_wait(&l.idle, &l.lock);
    pthread_mutex_unlock(&l.lock);
    pthread_attr_destroy(&attr);
    pthread_cond_destroy(&l.idle);
    if (l.serve.verify_slots)
        sem_destroy(&l.slots);
    pthread_mutex_destroy(&l.lock);
    return err;
}
