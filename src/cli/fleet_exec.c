/*
 * unseal's side of --deliver and --drain (see fleet.h): it runs unseal-nats,
 * the one program linked with libnats. libnats brings OpenSSL (for NATS's
 * own TLS) and protobuf-c; seal's cryptography is libgcrypt alone, and the
 * programs that hold the keys link nothing else (tests/fleet/linkage.sh).
 *
 * --drain needs no key: unseal replaces itself with unseal-nats. --deliver
 * does: unseal keeps the key and the listener, and starts unseal-nats as
 * its publisher with nothing but the NATS URLs, the stream name and the
 * duplicate window on its command line and a socket pair as its standard
 * input; every other descriptor is closed in the child, so the publisher
 * can neither read the key file (it is never named to it) nor reach the
 * listening sockets (tests/fleet/keyless.sh watches it with strace).
 *
 * The helper is looked for beside the running program (the build tree:
 * src/unseal-nats), then at PKGLIBEXECDIR, under the staging root the
 * running program was installed into when it runs from DESTDIR/BINDIR.
 * Neither $PATH nor an environment variable chooses it: which code handles
 * the fleet follows from where unseal itself is.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addclosefrom_np */
#include <config.h>

#include "cli/fleet.h"
#include "base/text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/deliver.h"
#include "transport/natspipe.h"
#include "transport/net.h"

#define HELPER "unseal-nats"
/* The publisher's start: a connect to each server (2 s) and the stream's
 * check; and one publish: the PubAck wait (5 s) with room to spare. Past
 * these the publisher is taken for hung: stopped, and the delivery is ERR
 * temp (a re-send is stored once, by its Nats-Msg-Id). */
#define START_MS (60 * 1000)
#define PUBLISH_MS (30 * 1000)
/* A publisher that died is started again at the next delivery, but not
 * more often than this. */
#define RESTART_MS (5 * 1000)

/* The running program's directory into DIR: false if unknown. */
static bool own_dir(char *dir, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", dir, size - 1);
    if (n <= 0)
        return false;
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return true;
}

/* Fills PATHS[0] (beside the running program) and PATHS[1] (the installed
 * helper, under DIR's staging root if DIR is DESTDIR/BINDIR); returns how
 * many it filled. */
static int helper_paths(char paths[2][PATH_MAX])
{
    char dir[PATH_MAX] = "";
    int n = 0;
    size_t root = 0, dlen, blen = strlen(BINDIR);

    if (own_dir(dir, sizeof dir)) {
        dlen = strlen(dir);
        if (snprintf(paths[n], PATH_MAX, "%s/%s", dir, HELPER) < PATH_MAX)
            n++;
        if (dlen > blen && strcmp(dir + dlen - blen, BINDIR) == 0)
            root = dlen - blen; /* make install DESTDIR=...: DIR is DESTDIR + BINDIR */
    }
    if (snprintf(paths[n], PATH_MAX, "%.*s%s/%s", (int)root, dir, PKGLIBEXECDIR, HELPER) < PATH_MAX)
        n++;
    return n;
}

/* The helper's path into PATH, or exit 2 (printed) naming where it looked. */
static int find_helper(const char *option, char path[PATH_MAX])
{
    char paths[2][PATH_MAX];
    int n = helper_paths(paths);
    for (int i = 0; i < n; i++) {
        if (access(paths[i], X_OK) == 0) {
            snprintf(path, PATH_MAX, "%s", paths[i]);
            return -1;
        }
        if (errno != ENOENT) {
            cli_errorf("%s: cannot run the NATS helper: %s", paths[i], strerror(errno));
            return EXIT_USAGE;
        }
    }
    cli_errorf("%s: this unseal is installed without NATS JetStream: no %s at %s%s%s", option,
               HELPER, paths[0], n > 1 ? " nor at " : "", n > 1 ? paths[1] : "");
    cli_hint("build seal with libnats-dev installed (configure --with-nats) and run make install");
    return EXIT_USAGE;
}

int cli_fleet_hand_off(const struct cli_fleet_options *f, const struct cli_net_options *o)
{
    char path[PATH_MAX], ack[32];
    int status;
    if (!f->deliver && !f->drain)
        return -1;
    if ((status = find_helper(f->deliver ? "--deliver" : "--drain", path)) >= 0)
        return status;
    if (f->deliver)
        return -1; /* the publisher starts with the listener */
    /* The drain's options as checked, in the helper's own terms. */
    const char *args[16];
    int n = 0;
    args[n++] = HELPER;
    args[n++] = "--drain";
    args[n++] = f->drain;
    args[n++] = "--stream";
    args[n++] = f->stream;
    args[n++] = "-d";
    args[n++] = o->inbox;
    if (f->durable) {
        args[n++] = "--durable";
        args[n++] = f->durable;
    }
    if (f->ack_wait_ms) {
        snprintf(ack, sizeof ack, "%" PRId64 "s", f->ack_wait_ms / 1000);
        args[n++] = "--ack-wait";
        args[n++] = ack;
    }
    if (f->follow)
        args[n++] = "--follow";
    if (o->quiet)
        args[n++] = "-q";
    args[n] = NULL;
    /* Nothing is open yet but what we were given: the helper starts afresh. */
    execv(path, (char **)args);
    cli_errorf("%s: cannot run the NATS helper: %s", path, strerror(errno));
    return EXIT_USAGE;
}

/* ---- the publisher of --deliver ------------------------------------------------- */

struct cli_fleet_state {
    pthread_mutex_t lock; /* one request and its reply at a time */
    char path[PATH_MAX];
    char *argv[10];
    char window[24];
    pid_t pid; /* 0: none running */
    int fd;    /* our end of the socket pair, or -1 */
    int64_t max_payload;
    int64_t next_start_ms; /* no restart before */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    struct serve_destination dest;
};

/* Waits for the publisher to exit, at most WAIT_MS, then kills it. Its exit
 * status (or -1 if killed or unknown). */
static int reap(struct cli_fleet_state *st, int64_t wait_ms)
{
    int ws = 0;
    int64_t end = net_now_ms() + wait_ms;
    if (st->pid <= 0)
        return -1;
    for (;;) {
        pid_t r = waitpid(st->pid, &ws, WNOHANG);
        if (r == st->pid || (r < 0 && errno != EINTR))
            break;
        if (r == 0 && net_now_ms() >= end) {
            kill(st->pid, SIGKILL);
            while (waitpid(st->pid, &ws, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    st->pid = 0;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* Closes our end and lets the publisher go (it exits at end of input). */
static int stop_publisher(struct cli_fleet_state *st, int64_t wait_ms)
{
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
    return reap(st, wait_ms);
}

/* Starts the publisher and waits until it is ready. 0, or GPG_ERR_EOF if
 * it stopped (it said why; *STATUS its exit status), or another code
 * (detail set). */
static gpg_err_code_t start_publisher(struct cli_fleet_state *st, int *status)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none;
    int sv[2];
    uint8_t *body = NULL;
    size_t len;
    struct natspipe_reply hello;
    gpg_err_code_t err;

    *status = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return seal_fail(seal_errno_code(), "socketpair: %s", strerror(errno));
    /* The child gets the socket as standard input, stderr as stdout (a
     * stray print goes to the log, not into the pipe), and nothing else. */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    int e = posix_spawn(&st->pid, st->path, &fa, &attr, st->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(sv[1]);
    if (e != 0) {
        close(sv[0]);
        st->pid = 0;
        return seal_fail(GPG_ERR_ENOEXEC, "%s: cannot run the NATS helper: %s", st->path,
                         strerror(e));
    }
    st->fd = sv[0];
    if (fcntl(st->fd, F_SETFL, O_NONBLOCK) != 0) {
        err = seal_fail(seal_errno_code(), "fcntl: %s", strerror(errno));
        goto fail;
    }
    err = natspipe_read_frame(st->fd, NATSPIPE_REPLY_MAX, net_now_ms() + START_MS, &body, &len);
    if (err == 0)
        err = natspipe_parse_reply(body, len, &hello);
    free(body);
    if (err == 0 && hello.status != NATSPIPE_STORED)
        err = seal_fail(GPG_ERR_INV_DATA, "the NATS helper did not start");
    if (err == 0) {
        st->max_payload = hello.max_payload;
        return 0;
    }
fail:
    *status = stop_publisher(st, err == GPG_ERR_EOF ? START_MS : 0);
    return err;
}

/* The publisher failed mid-way: stop it; the next delivery starts another. */
static void publisher_lost(struct cli_fleet_state *st, gpg_err_code_t err)
{
    seal_log(st->log, st->log_ctx,
             "the NATS publisher failed (%s): a later delivery starts a new one",
             err == GPG_ERR_EOF ? "it stopped"
             : seal_detail()    ? seal_detail()
                                : gpg_strerror(err));
    seal_clear_detail();
    stop_publisher(st, 0);
    st->next_start_ms = net_now_ms() + RESTART_MS;
}

static gpg_err_code_t publish_locked(struct cli_fleet_state *st, const struct dest_message *m,
                                     struct dest_result *r)
{
    const struct envelope_info *info = m->info;
    struct natspipe_request req;
    struct natspipe_reply rep;
    uint8_t *body = NULL;
    size_t len;
    gpg_err_code_t err;
    int status;

    if (st->fd < 0) {
        if (net_now_ms() < st->next_start_ms)
            return GPG_ERR_ENOTCONN;
        if ((err = start_publisher(st, &status))) {
            publisher_lost(st, err);
            return GPG_ERR_ENOTCONN;
        }
        seal_log(st->log, st->log_ctx, "the NATS publisher is running again");
    }
    /* Refused before it is copied: it could never be stored. */
    if (st->max_payload > 0 && m->len > (uint64_t)st->max_payload) {
        r->kind = WIRE_ERR_PERM;
        snprintf(r->reason, sizeof r->reason,
                 "too big: the message store takes at most %" PRId64 " bytes", st->max_payload);
        return GPG_ERR_TOO_LARGE;
    }
    memset(&req, 0, sizeof req);
    memcpy(req.fpr, info->sender_fpr, SEAL_FPR_LEN);
    memcpy(req.id, info->envelope_id, SEAL_ENVELOPE_ID_LEN);
    req.created = info->created;
    snprintf(req.sender, sizeof req.sender, "%s", info->sender_name ? info->sender_name : "");
    int64_t deadline = net_now_ms() + PUBLISH_MS;
    err = natspipe_send_request(st->fd, &req, m->file->fd, m->len, deadline);
    if (err == 0)
        err = natspipe_read_frame(st->fd, NATSPIPE_REPLY_MAX, deadline, &body, &len);
    if (err == 0)
        err = natspipe_parse_reply(body, len, &rep);
    free(body);
    if (err) {
        publisher_lost(st, err);
        return GPG_ERR_ENOTCONN;
    }
    if (rep.max_payload > 0)
        st->max_payload = rep.max_payload;
    if (rep.status == NATSPIPE_REFUSED) {
        r->kind = rep.kind;
        snprintf(r->reason, sizeof r->reason, "%s", rep.reason);
        return rep.code ? rep.code : GPG_ERR_GENERAL;
    }
    r->duplicate = rep.status == NATSPIPE_DUPLICATE;
    return 0;
}

static gpg_err_code_t publisher_commit(void *ctx, const struct dest_message *m,
                                       struct dest_result *r)
{
    struct cli_fleet_state *st = ctx;
    r->kind = WIRE_ERR_TEMP;
    pthread_mutex_lock(&st->lock);
    gpg_err_code_t err = publish_locked(st, m, r);
    pthread_mutex_unlock(&st->lock);
    if (err == GPG_ERR_ENOTCONN && !r->reason[0])
        snprintf(r->reason, sizeof r->reason, "message store unavailable");
    return err;
}

int cli_fleet_setup(const struct cli_fleet_options *f, const struct cli_net_options *o,
                    struct serve_config *s, struct cli_fleet_state **state)
{
    *state = NULL;
    if (!f)
        return EXIT_OK;
    if (f->proxy_from_text)
        s->proxy_from = &f->proxy_from;
    if (!f->deliver)
        return EXIT_OK;
    struct cli_fleet_state *st = calloc(1, sizeof *st);
    if (!st)
        return cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
    int status = find_helper("--deliver", st->path);
    if (status >= 0) {
        free(st);
        return status;
    }
    pthread_mutex_init(&st->lock, NULL);
    st->fd = -1;
    st->log = s->log;
    st->log_ctx = s->log_ctx;
    /* Exactly-once across hosts holds while the stream remembers every ID
     * an envelope that is still accepted could carry. */
    snprintf(st->window, sizeof st->window, "%" PRIu64, o->max_age_s + SERVE_MAX_FUTURE);
    int n = 0;
    st->argv[n++] = HELPER;
    st->argv[n++] = "--publish";
    st->argv[n++] = (char *)f->deliver;
    st->argv[n++] = "--stream";
    st->argv[n++] = (char *)f->stream;
    st->argv[n++] = "--window";
    st->argv[n++] = st->window;
    if (o->quiet)
        st->argv[n++] = "-q";
    st->argv[n] = NULL;
    /* A publisher that dies must not take the listener with it. */
    signal(SIGPIPE, SIG_IGN);
    gpg_err_code_t err = start_publisher(st, &status);
    if (err) {
        cli_fleet_teardown(st);
        if (err == GPG_ERR_EOF && status > 0)
            return status; /* it said why on stderr; its status is ours */
        if (err == GPG_ERR_EOF)
            err = seal_fail(GPG_ERR_EIO, "the NATS helper stopped before it was ready");
        status = cli_error(NULL, err);
        return status == EXIT_OK ? EXIT_IO : status;
    }
    st->dest.open = dest_spool_open;
    st->dest.commit = publisher_commit;
    st->dest.abort = dest_spool_abort;
    st->dest.ctx = st;
    s->dest = &st->dest;
    *state = st;
    return EXIT_OK;
}

void cli_fleet_teardown(struct cli_fleet_state *state)
{
    if (!state)
        return;
    stop_publisher(state, 5000);
    pthread_mutex_destroy(&state->lock);
    free(state);
}

int cli_unseal_drain(const struct cli_fleet_options *f, const struct cli_net_options *o)
{
    (void)f;
    (void)o;
    return EXIT_USAGE; /* went to the helper or was refused by cli_fleet_check() */
}
