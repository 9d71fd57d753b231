/* unseal --listen and --from: the receiving side of the transport; see
 * deliver.h. Only unseal links it (src/libunseal.a); with --deliver,
 * cli_fleet_setup() starts the NATS publisher, unseal-nats, the only
 * program linked with libnats. */
#include "cli/deliver.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/fleet.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/fetch_register.h"
#include "transport/listener.h"
#include "transport/net.h"

/* ---- unseal --listen ----------------------------------------------------- */

static void log_line(void *ctx, const char *line)
{
    const struct cli_net_options *o = ctx;
    if (!o->quiet || strncmp(line, "connection", 10) != 0)
        fprintf(stderr, "unseal: %s\n", line);
}

static void fill_serve(struct serve_config *s, const struct seal_key *key,
                       struct trusted_senders *senders, const struct cli_net_options *o)
{
    memset(s, 0, sizeof *s);
    s->key = key;
    s->senders = senders;
    s->keep_sealed = o->keep_sealed;
    s->max_size = o->max_size;
    s->idle_ms = o->idle_ms;
    s->total_ms = o->max_time_ms;
    s->min_free = o->min_free;
    s->max_age = o->max_age_s;
    s->stop_fd = -1;
    s->log = log_line;
    s->log_ctx = (void *)o;
}

/* Raises the soft descriptor limit to the hard one: an idle connection
 * costs a descriptor and about a kilobyte, so the limit, not memory, bounds
 * how many strangers the listener can hold while it serves a sender.
 * Returns the limit now in force. */
static uint64_t raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur != rl.rlim_max) {
        struct rlimit want = {rl.rlim_max, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl.rlim_cur = rl.rlim_max;
    }
    return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
}

/* Opens the inbox and says what recovery did. */
static int open_inbox(const struct cli_net_options *o, struct inbox **ib)
{
    struct inbox_report rep;
    gpg_err_code_t err = inbox_open(o->inbox, o->max_age_s + SERVE_MAX_FUTURE, ib, &rep);
    if (err)
        return cli_error(o->inbox, err);
    if (rep.completed || rep.tmp_removed || rep.pruned)
        fprintf(stderr,
                "unseal: %s: recovery: %u deliveries completed, %u leftovers removed from tmp/, "
                "%u old markers pruned\n",
                o->inbox, rep.completed, rep.tmp_removed, rep.pruned);
    return EXIT_OK;
}

/* "64M", "3G": N bytes in the unit --min-free takes, rounded down. */
static void format_size(uint64_t n, char *out, size_t cap)
{
    if (n >= (UINT64_C(1) << 30))
        snprintf(out, cap, "%lluG", (unsigned long long)(n >> 30));
    else if (n >= (UINT64_C(1) << 20))
        snprintf(out, cap, "%lluM", (unsigned long long)(n >> 20));
    else if (n >= 1024)
        snprintf(out, cap, "%lluK", (unsigned long long)(n >> 10));
    else
        snprintf(out, cap, "%llu", (unsigned long long)n);
}

/* The file system PATH is on (or would be, once created under its parent). */
static int statvfs_near(const char *path, struct statvfs *st)
{
    if (statvfs(path, st) == 0)
        return 0;
    char parent[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        return statvfs(".", st);
    snprintf(parent, sizeof parent, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    return statvfs(parent, st);
}

/* What would make the listener refuse every sender, or stop after it
 * started, found before it starts: an inbox file system smaller than
 * --min-free, a missing --outbox (the operator fills it; it must exist),
 * and a missing --pending directory, which is created as -d INBOX is. */
static int check_start(const struct cli_net_options *o)
{
    const struct cli_twoway_options *tw = o->twoway;
    struct statvfs vfs;
    struct stat st;

    if (o->inbox && o->min_free && statvfs_near(o->inbox, &vfs) == 0) {
        uint64_t size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
        uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        char a[32], b[32];
        format_size(o->min_free, b, sizeof b);
        if (size < o->min_free) {
            format_size(size, a, sizeof a);
            cli_errorf("%s: its file system holds %s in all, less than --min-free %s: every "
                       "sender would be refused",
                       o->inbox, a, b);
            cli_hint("lower --min-free (0 turns the check off) or put the inbox on a larger "
                     "file system");
            return EXIT_USAGE;
        }
        if (avail < o->min_free) {
            format_size(avail, a, sizeof a);
            cli_warn("%s: only %s free, less than --min-free %s: senders are refused (ERR "
                     "temp) until space is freed",
                     o->inbox, a, b);
        }
    }
    if (tw && tw->outbox && (stat(tw->outbox, &st) != 0 || !S_ISDIR(st.st_mode))) {
        cli_errorf("%s: --outbox needs an existing directory (one folder per client ID)",
                   tw->outbox);
        cli_hint("create it, or leave --outbox out");
        return EXIT_IO;
    }
    if (tw && tw->pending && mkdir(tw->pending, 0700) != 0 && errno != EEXIST)
        return cli_error(tw->pending,
                         seal_fail(seal_errno_code(), "cannot create: %s", strerror(errno)));
    return EXIT_OK;
}

int cli_unseal_listen(const struct seal_key *key, struct trusted_senders *senders,
                      const struct cli_net_options *o)
{
    struct twoway *tw = NULL;
    struct listener_config cfg;
    int fds[NET_MAX_LISTEN];
    size_t n = 0;
    struct inbox *ib = NULL;
    struct cli_fleet_state *fleet = NULL;
    gpg_err_code_t err;
    int stop_fd = -1;
    int status;

    /* Every registered key is read now: the connection threads then only
     * look keys up, and a bad *.pub stops the start, not a delivery. */
    if ((err = trusted_senders_load_all(senders)))
        return cli_error(NULL, err);

    bool systemd = strcmp(o->listen, "-") == 0;
    err = systemd ? net_listen_systemd(fds, &n) : net_listen(o->listen, fds, &n);
    if (err) {
        status = cli_error(systemd ? NULL : o->listen, err);
        if (systemd) {
            /* Started by hand instead of by systemd: a usage error. */
            cli_hint(
                "'--listen -' takes its sockets from systemd (see examples/seal-inbox.socket)");
            status = EXIT_USAGE;
        }
        return status;
    }
    if ((status = check_start(o)) != EXIT_OK ||
        (o->inbox && (status = open_inbox(o, &ib)) != EXIT_OK))
        goto out;
    if ((status = cli_catch_stop_signals(&stop_fd)) != EXIT_OK)
        goto out;
    /* A file size limit is a failed write (ERR temp), not death. */
    signal(SIGXFSZ, SIG_IGN);

    memset(&cfg, 0, sizeof cfg);
    fill_serve(&cfg.serve, key, senders, o);
    cfg.serve.inbox = ib;
    cfg.serve.stop_fd = stop_fd;
    cfg.fds = fds;
    cfg.n_fds = n;
    uint64_t nofile = raise_nofile();
    cfg.max_conns = o->max_conns ? o->max_conns : listener_default_max_conns(nofile);
    cfg.max_per_source = o->max_per_source;
    cfg.header_ms = o->header_ms;
    cfg.min_rate = o->min_rate;
    if (o->twoway && (status = cli_twoway_attach(&cfg, key, o->trust, o->twoway, &tw)) != EXIT_OK)
        goto out;
    if ((status = cli_fleet_setup(o->fleet, o, &cfg.serve, &fleet)) != EXIT_OK)
        goto out;
    {
        /* The addresses as bound: with port 0 the kernel picked the port. */
        char names[NET_MAX_LISTEN * (NET_PEER_MAX + 1)] = "";
        for (size_t i = 0; i < n; i++) {
            char one[NET_PEER_MAX];
            net_local_name(fds[i], one);
            if (i)
                strcat(names, " ");
            strcat(names, one);
        }
        fprintf(stderr, "unseal: listening on %s%s, delivering into %s\n", names,
                systemd ? " (sockets from systemd)" : "",
                o->inbox ? o->inbox : cli_fleet_target(o->fleet));
        fprintf(stderr,
                "unseal: at most %u connections, %u per client address (descriptor limit "
                "%llu)\n",
                cfg.max_conns, cfg.max_per_source, (unsigned long long)nofile);
        if ((uint64_t)cfg.max_conns * 2 + LISTENER_RESERVE_FDS > nofile)
            fprintf(stderr,
                    "unseal: warning: --max-connections %u may need more descriptors than "
                    "the limit of %llu (raise LimitNOFILE / ulimit -n)\n",
                    cfg.max_conns, (unsigned long long)nofile);
    }
    err = listener_run(&cfg);
    n = 0; /* closed by the listener */
    if (err) {
        status = cli_error(NULL, err);
        goto out;
    }
    fprintf(stderr, "unseal: stopped\n");
    status = EXIT_OK;
out:
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    cli_twoway_detach(tw);
    inbox_close(ib);
    cli_fleet_teardown(fleet);
    return status;
}

/* ---- unseal --from ------------------------------------------------------- */

/* The plaintext of --from without an inbox goes where plain unseal puts it
 * (cli/output.h): private until everything verified, then released. A
 * destination (transport/destination.h) over one cli_plain_out. */
static gpg_err_code_t from_open(void *ctx, struct inbox_file *tmp, struct byte_sink *sink)
{
    tmp->fd = -1; /* the output keeps its own temporary */
    tmp->name[0] = '\0';
    *sink = cli_plain_sink(ctx);
    return 0;
}

static gpg_err_code_t from_commit(void *ctx, const struct dest_message *m, struct dest_result *r)
{
    (void)m;
    r->kind = WIRE_ERR_TEMP;
    return cli_plain_release(ctx, NULL, NULL);
}

static void from_abort(void *ctx, struct inbox_file *tmp)
{
    (void)tmp;
    cli_plain_discard(ctx); /* nothing left to do after a release */
}

int cli_unseal_from(const struct seal_key *key, struct trusted_senders *senders,
                    const struct cli_net_options *o, const char *output, bool force,
                    bool output_given)
{
    struct serve_config cfg;
    struct serve_result *res = calloc(1, sizeof *res);
    struct cli_plain_out fo;
    struct serve_destination target = {from_open, from_commit, from_abort, &fo};
    struct inbox *ib = NULL;
    gpg_err_code_t err;
    int fd, status;

    memset(&fo, 0, sizeof fo);
    fo.out.ao.fd = -1;
    if (!res)
        return cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
    signal(SIGPIPE, SIG_IGN);
    fill_serve(&cfg, key, senders, o);
    if (o->inbox) {
        if ((status = open_inbox(o, &ib)) != EXIT_OK)
            goto out;
        cfg.inbox = ib;
    } else {
        if ((err = cli_plain_open(&fo, output, force, output_given))) {
            status = cli_error(file_is_stdio(output) ? "(stdout)" : output, err);
            goto out;
        }
        cfg.dest = &target;
    }
    if ((err = net_connect(o->from, net_now_ms() + CLI_NET_CONNECT_MS, &fd))) {
        cli_error(NULL, err);
        status = EXIT_NO_ACK;
        goto out;
    }
    serve_connection(&cfg, fd, res);
    switch (res->outcome) {
    case SERVE_PROBE:
        cli_errorf("%s: the peer sent nothing", o->from);
        status = EXIT_NO_ACK;
        break;
    case SERVE_DELIVERED:
    case SERVE_DUPLICATE:
        status = EXIT_OK;
        break;
    case SERVE_REFUSED:
        cli_errorf("%s: refused the envelope: ERR %s %s", o->from,
                   res->err_kind == WIRE_ERR_TEMP ? "temp" : "perm", res->reason);
        /* As unseal would exit for the same envelope; a stale one is an
         * authentication failure (a replay), a stalled peer no answer. */
        if (res->code == GPG_ERR_SIG_EXPIRED)
            status = EXIT_AUTH;
        else if (res->code == GPG_ERR_TIMEOUT || res->code == GPG_ERR_CANCELED)
            status = EXIT_NO_ACK;
        else if (res->code == GPG_ERR_TOO_LARGE)
            status = EXIT_FORMAT;
        else
            status = cli_exit_status(res->code);
        if (status == EXIT_OK)
            status = EXIT_IO;
        break;
    }
out:
    cli_plain_discard(&fo);
    inbox_close(ib);
    free(res);
    return status;
}
