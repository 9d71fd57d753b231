/* The transport modes of seal and unseal; see deliver.h. */
#include "cli/deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/twoway.h"
#include "cli/fleet.h"
#include "cli/options.h"
#include "cli/output.h"
#include "transport/client.h"
#include "transport/listener.h"
#include "transport/net.h"

/* ---- options ------------------------------------------------------------- */

void cli_net_defaults(struct cli_net_options *o)
{
    memset(o, 0, sizeof *o);
    o->retry_for_ms = CLI_NET_RETRY_FOR_MS;
    o->wait_ms = CLI_NET_WAIT_MS;
    o->idle_ms = CLI_NET_IDLE_MS;
    o->max_time_ms = CLI_NET_MAX_TIME_MS;
    o->max_size = CLI_NET_MAX_SIZE;
    o->min_free = CLI_NET_MIN_FREE;
    o->max_age_s = CLI_NET_MAX_AGE_S;
    o->max_conns = CLI_NET_MAX_CONNS;
}

bool cli_parse_duration(const char *s, int64_t *ms)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-' || *s == '+')
        return false;
    uint64_t mult = 1000;
    if (*end) {
        if (end[1])
            return false;
        switch (*end) {
        case 's':
            mult = 1000;
            break;
        case 'm':
            mult = 60 * 1000;
            break;
        case 'h':
            mult = 3600 * 1000;
            break;
        case 'd':
            mult = 86400 * 1000;
            break;
        default:
            return false;
        }
    }
    if (v > (uint64_t)INT64_MAX / mult / 2)
        return false;
    *ms = (int64_t)(v * mult);
    return true;
}

/* N with an optional unit: K, M, G (powers of 1024). */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-' || *s == '+')
        return false;
    unsigned shift = 0;
    if (*end) {
        if (end[1])
            return false;
        switch (*end) {
        case 'K':
            shift = 10;
            break;
        case 'M':
            shift = 20;
            break;
        case 'G':
            shift = 30;
            break;
        default:
            return false;
        }
    }
    if (v > (UINT64_MAX >> (shift + 1)))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

static const char *const net_names[] = {
    "--to",           "--listen",      "--from",     "--retry-for",
    "--wait",         "--keep-sealed", "--max-size", "--max-connections",
    "--idle-timeout", "--max-time",    "--min-free", "--max-age",
    "-d/--inbox",
};

int cli_net_option(int c, const char *arg, struct cli_net_options *o)
{
    int idx = c == 'd' ? 12 : c - OPT_NET_TO;
    bool ok = true;
    int64_t ms = 0;
    uint64_t n = 0;

    if (idx < 0 || idx > 12)
        return -2;
    if (o->seen & (1u << idx)) {
        cli_errorf("option %s given twice", net_names[idx]);
        return cli_usage_error();
    }
    o->seen |= 1u << idx;
    switch (c) {
    case OPT_NET_TO:
        o->to = arg;
        break;
    case OPT_NET_LISTEN:
        o->listen = arg;
        break;
    case OPT_NET_FROM:
        o->from = arg;
        break;
    case 'd':
        o->inbox = arg;
        break;
    case OPT_NET_KEEP_SEALED:
        o->keep_sealed = true;
        break;
    case OPT_NET_RETRY_FOR:
        ok = cli_parse_duration(arg, &o->retry_for_ms);
        break;
    case OPT_NET_WAIT:
        ok = cli_parse_duration(arg, &o->wait_ms) && o->wait_ms > 0;
        break;
    case OPT_NET_IDLE:
        ok = cli_parse_duration(arg, &o->idle_ms) && o->idle_ms > 0;
        break;
    case OPT_NET_MAX_TIME:
        ok = cli_parse_duration(arg, &o->max_time_ms) && o->max_time_ms > 0;
        break;
    case OPT_NET_MAX_AGE:
        ok = cli_parse_duration(arg, &ms) && ms >= 1000;
        o->max_age_s = (uint64_t)ms / 1000;
        break;
    case OPT_NET_MAX_SIZE:
        ok = parse_size(arg, &o->max_size) && o->max_size > 0;
        break;
    case OPT_NET_MIN_FREE:
        ok = parse_size(arg, &o->min_free);
        break;
    case OPT_NET_MAX_CONNS:
        ok = parse_size(arg, &n) && n >= 1 && n <= 100000;
        o->max_conns = (unsigned)n;
        break;
    }
    if (!ok) {
        bool dur = c == OPT_NET_RETRY_FOR || c == OPT_NET_WAIT || c == OPT_NET_IDLE ||
                   c == OPT_NET_MAX_TIME || c == OPT_NET_MAX_AGE;
        cli_errorf("option %s: bad value '%s'", net_names[idx], arg);
        cli_hint(dur ? "a duration is a number of seconds, or a number followed by s, m, h or d"
                     : "a size is a number, optionally followed by K, M or G");
        return cli_usage_error();
    }
    return -1;
}

/* An address that cannot work is a usage error now, not an I/O error
 * after the input was read. */
static bool address_ok(const char *spec, bool host_optional)
{
    char host[NET_HOST_MAX], port[NET_PORT_MAX];
    if (!spec || (host_optional && strcmp(spec, "-") == 0))
        return true;
    seal_clear_detail();
    if (net_split(spec, host_optional, host, port) == 0)
        return true;
    cli_errorf("%s", seal_detail());
    seal_clear_detail();
    return false;
}

int cli_net_check(const struct cli_net_options *o, bool unseal, bool have_output)
{
    if (!address_ok(o->to, false) || !address_ok(o->from, false) || !address_ok(o->listen, true))
        return cli_usage_error();
    const unsigned client_only =
        1u << (OPT_NET_RETRY_FOR - OPT_NET_TO) | 1u << (OPT_NET_WAIT - OPT_NET_TO);
    const unsigned server_only = ~(client_only | 7u);
    if (!unseal) {
        if (o->to && o->listen) {
            return cli_conflict("--to", "--listen");
        }
        if (!o->to && !o->listen && (o->seen & client_only)) {
            cli_errorf("options --retry-for and --wait need --to or --listen");
            return cli_usage_error();
        }
        if (o->listen && (o->seen & (1u << (OPT_NET_RETRY_FOR - OPT_NET_TO)))) {
            return cli_conflict("--listen", "--retry-for");
        }
        if ((o->to || o->listen) && have_output) {
            return cli_conflict(o->to ? "--to" : "--listen", "-o/--output");
        }
        return -1;
    }
    if (o->listen && o->from) {
        return cli_conflict("--listen", "--from");
    }
    /* --deliver stores into a stream instead of -d; --drain takes -d. */
    bool stream = o->fleet && o->fleet->deliver, drain = o->fleet && o->fleet->drain;
    if (!o->listen && !o->from && !drain && (o->seen & server_only)) {
        cli_errorf("options -d, --keep-sealed and the limits need --listen or --from");
        return cli_usage_error();
    }
    if (o->listen && !o->inbox && !stream) {
        cli_errorf("--listen needs -d INBOX (the Maildir to deliver into)");
        return cli_usage_error();
    }
    if (o->inbox && have_output) {
        return cli_conflict("-d/--inbox", "-o/--output");
    }
    if (o->keep_sealed && !o->inbox && !stream) {
        cli_errorf("option --keep-sealed needs -d INBOX");
        return cli_usage_error();
    }
    if (o->from && (o->seen & (1u << (OPT_NET_MAX_CONNS - OPT_NET_TO)))) {
        return cli_conflict("--from", "--max-connections");
    }
    return -1;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* ---- seal --to / --listen ---------------------------------------------- */

static void note_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "seal: %s\n", line);
}

int cli_seal_deliver(struct seal_request *req, const struct cli_net_options *o, uint64_t total)
{
    struct send_config cfg;
    struct send_outcome out;
    const char *peer = o->to ? o->to : o->listen;
    char id[2 * SEAL_ENVELOPE_ID_LEN + 1];

    memset(&cfg, 0, sizeof cfg);
    cfg.to = o->to;
    cfg.listen = o->listen;
    cfg.retry_for_ms = o->to ? o->retry_for_ms : 0;
    cfg.wait_ms = o->wait_ms;
    cfg.connect_ms = CLI_NET_CONNECT_MS;
    cfg.peer = 0;
    cfg.note = note_line;
    /* A peer that vanishes must not kill us before we can say so. */
    signal(SIGPIPE, SIG_IGN);
    cli_progress_start("sealing", total);
    gpg_err_code_t err = transport_send(req, &cfg, &out);
    cli_progress_done();
    if (err)
        return cli_error(NULL, err);
    hex(out.envelope_id, SEAL_ENVELOPE_ID_LEN, id);
    switch (out.status) {
    case SEND_ACKED:
        fprintf(stderr, "seal: delivered to %s: envelope %s acknowledged\n", peer, id);
        return EXIT_OK;
    case SEND_NO_ACK:
        cli_errorf("%s: no acknowledgment: %s", peer, out.reason);
        cli_hint("the envelope may or may not have arrived; sending it again is safe");
        return EXIT_NO_ACK;
    case SEND_REFUSED:
        cli_errorf("%s refused the envelope: ERR %s %s", peer, out.temp ? "temp" : "perm",
                   out.reason);
        if (out.temp)
            cli_hint("a temporary refusal: try again later (see --retry-for)");
        return EXIT_REFUSED;
    case SEND_BAD_RECEIPT:
        break;
    }
    cli_errorf("%s: %s: delivery not proven", peer, out.reason);
    return EXIT_BAD_RECEIPT;
}

/* ---- unseal --listen ----------------------------------------------------- */

static int stop_pipe[2] = {-1, -1};

static void on_stop(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(stop_pipe[1], "x", 1) < 0) {
        /* Nothing to do: the pipe is already readable. */
    }
    errno = saved;
}

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
    struct sigaction sa;
    int status;

    /* Every registered key is read now: the connection threads then only
     * look keys up, and a bad *.pub stops the start, not a delivery. */
    static const uint8_t nobody[SEAL_FPR_LEN];
    const struct trusted_sender *none;
    seal_clear_detail();
    if ((err = trusted_senders_find(senders, nobody, &none)))
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
    if (o->inbox && (status = open_inbox(o, &ib)) != EXIT_OK)
        goto out;
    if (pipe(stop_pipe) != 0 || fcntl(stop_pipe[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(stop_pipe[1], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(stop_pipe[1], F_SETFL, O_NONBLOCK) != 0) {
        status = cli_error(NULL, seal_fail(seal_errno_code(), "pipe: %s", strerror(errno)));
        goto out;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* A vanished peer is an error on its connection, not a signal; a file
     * size limit is a failed write (ERR temp), not death. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);

    memset(&cfg, 0, sizeof cfg);
    fill_serve(&cfg.serve, key, senders, o);
    cfg.serve.inbox = ib;
    cfg.serve.stop_fd = stop_pipe[0];
    cfg.fds = fds;
    cfg.n_fds = n;
    cfg.max_conns = o->max_conns;
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
 * (cli/output.h): private until everything verified. */
static gpg_err_code_t from_commit(void *ctx)
{
    return cli_plain_release(ctx, NULL, NULL);
}

static void from_abort(void *ctx)
{
    cli_plain_discard(ctx);
}

int cli_unseal_from(const struct seal_key *key, struct trusted_senders *senders,
                    const struct cli_net_options *o, const char *output, bool force,
                    bool output_given)
{
    struct serve_config cfg;
    struct serve_result *res = calloc(1, sizeof *res);
    struct cli_plain_out fo;
    struct serve_target target = {{NULL, NULL}, from_commit, from_abort, &fo};
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
        target.sink = cli_plain_sink(&fo);
        cfg.target = &target;
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
