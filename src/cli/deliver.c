/* The transport options of seal and unseal, and seal's sending side; see
 * deliver.h. unseal's receiving side (--listen, --from) is receive.c. */
#include "cli/deliver.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "transport/client.h"
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
    o->max_per_source = CLI_NET_MAX_PER_SOURCE;
    o->header_ms = CLI_NET_HEADER_MS;
    o->min_rate = CLI_NET_MIN_RATE;
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

/* Indexed by OPT_NET_* - OPT_NET_TO. */
static const char *const net_names[OPT_NET_END - OPT_NET_TO] = {
    "--to",
    "--listen",
    "--from",
    "--retry-for",
    "--wait",
    "--keep-sealed",
    "--max-size",
    "--max-connections",
    "--idle-timeout",
    "--max-time",
    "--min-free",
    "--max-age",
    "--max-per-source",
    "--header-timeout",
    "--min-rate",
    "-d/--inbox",
};

bool cli_net_given(const struct cli_net_options *o, int opt)
{
    return opt >= OPT_NET_TO && opt < OPT_NET_END && o->seen[opt - OPT_NET_TO];
}

bool cli_net_any_given(const struct cli_net_options *o, int except)
{
    for (int opt = OPT_NET_TO; opt < OPT_NET_END; opt++)
        if (opt != except && cli_net_given(o, opt))
            return true;
    return false;
}

int cli_net_option(int c, const char *arg, struct cli_net_options *o)
{
    int opt = c == 'd' ? OPT_NET_INBOX : c, r;
    bool ok = true;
    int64_t ms = 0;
    uint64_t n = 0;

    if (opt < OPT_NET_TO || opt >= OPT_NET_END)
        return CLI_OPTION_NOT_MINE;
    const char *name = net_names[opt - OPT_NET_TO];
    if ((r = cli_once(&o->seen[opt - OPT_NET_TO], name)) != CLI_OPTION_HANDLED)
        return r;
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
    case OPT_NET_MAX_PER_SOURCE:
        ok = parse_size(arg, &n) && n >= 1 && n <= 100000;
        o->max_per_source = (unsigned)n;
        break;
    case OPT_NET_HEADER_TIMEOUT:
        ok = cli_parse_duration(arg, &o->header_ms) && o->header_ms > 0;
        break;
    case OPT_NET_MIN_RATE:
        ok = parse_size(arg, &o->min_rate);
        break;
    }
    if (!ok) {
        bool dur = c == OPT_NET_RETRY_FOR || c == OPT_NET_WAIT || c == OPT_NET_IDLE ||
                   c == OPT_NET_MAX_TIME || c == OPT_NET_MAX_AGE || c == OPT_NET_HEADER_TIMEOUT;
        cli_errorf("option %s: bad value '%s'", name, arg);
        cli_hint(dur ? "a duration is a number of seconds, or a number followed by s, m, h or d"
                     : "a size is a number, optionally followed by K, M or G");
        return cli_usage_error();
    }
    return CLI_OPTION_HANDLED;
}

/* An address that cannot work is a usage error now, not an I/O error
 * after the input was read. */
static bool address_ok(const char *spec, bool host_optional)
{
    char host[NET_HOST_MAX], port[NET_PORT_MAX];
    if (!spec || (host_optional && strcmp(spec, "-") == 0))
        return true;
    seal_clear_detail();
    if (net_split(spec, host_optional, host, port) == 0) {
        /* A port by name must be one the system knows: a typo would
         * otherwise look like a peer that is down. */
        if (strspn(port, "0123456789") == strlen(port) || getservbyname(port, "tcp"))
            return true;
        cli_errorf("%s: unknown service name '%s'", spec, port);
        cli_hint("give the port as a number");
        return false;
    }
    cli_errorf("%s", seal_detail());
    seal_clear_detail();
    return false;
}

int cli_net_check(const struct cli_net_options *o, bool unseal, bool have_output)
{
    if (!address_ok(o->to, false) || !address_ok(o->from, false) || !address_ok(o->listen, true))
        return cli_usage_error();
    bool client_only = cli_net_given(o, OPT_NET_RETRY_FOR) || cli_net_given(o, OPT_NET_WAIT);
    if (!unseal) {
        if (o->to && o->listen) {
            return cli_conflict("--to", "--listen");
        }
        if (!o->to && !o->listen && client_only) {
            cli_errorf("options --retry-for and --wait need --to or --listen");
            return cli_usage_error();
        }
        if (o->listen && cli_net_given(o, OPT_NET_RETRY_FOR)) {
            return cli_conflict("--listen", "--retry-for");
        }
        if ((o->to || o->listen) && have_output) {
            return cli_conflict(o->to ? "--to" : "--listen", "-o/--output");
        }
        return CLI_OPTION_HANDLED;
    }
    if (o->listen && o->from) {
        return cli_conflict("--listen", "--from");
    }
    /* Where --listen and --from deliver (-d, or the fleet's stream) is
     * checked by cli_fleet_check(), which knows both. */
    if (o->inbox && have_output) {
        return cli_conflict("-d/--inbox", "-o/--output");
    }
    if (o->from && cli_net_given(o, OPT_NET_MAX_CONNS)) {
        return cli_conflict("--from", "--max-connections");
    }
    /* The loop's limits: --from serves the one connection it makes. */
    for (int opt = OPT_NET_MAX_PER_SOURCE; opt <= OPT_NET_MIN_RATE; opt++)
        if (o->from && cli_net_given(o, opt))
            return cli_conflict("--from", net_names[opt - OPT_NET_TO]);
    return CLI_OPTION_HANDLED;
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
    cfg.retry_unreached = cli_net_given(o, OPT_NET_RETRY_FOR);
    cfg.peer = 0;
    cfg.note = note_line;
    /* A peer that vanishes must not kill us before we can say so. */
    signal(SIGPIPE, SIG_IGN);
    cli_progress_start("sealing", total);
    gpg_err_code_t err = transport_send(req, &cfg, &out);
    cli_progress_done();
    if (err)
        return cli_error(NULL, err);
    seal_hex(out.envelope_id, SEAL_ENVELOPE_ID_LEN, id);
    switch (out.status) {
    case SEND_ACKED:
        fprintf(stderr, "seal: delivered to %s: envelope %s acknowledged\n", peer, id);
        return EXIT_OK;
    case SEND_NO_ACK:
        if (!out.connected) {
            cli_errorf("%s: never connected: %s", peer, out.reason);
            cli_hint(cli_net_given(o, OPT_NET_RETRY_FOR)
                         ? "nothing was sent; try a longer --retry-for, or check the address"
                         : "nothing was sent; check the address, or use --retry-for DURATION "
                           "to keep trying while the listener is down");
            return EXIT_NO_ACK;
        }
        cli_errorf("%s: no acknowledgment: %s", peer, out.reason);
        cli_hint("the envelope may or may not have arrived; sending it again is safe");
        return EXIT_NO_ACK;
    case SEND_REFUSED:
        cli_errorf("%s refused the envelope: ERR %s %s", peer, out.temp ? "temp" : "perm",
                   out.reason);
        if (out.temp)
            cli_hint("a temporary refusal: try again later (see --retry-for)");
        else if (strncmp(out.reason, "untrusted sender", 16) == 0)
            cli_hint("the listener does not know your key: send it with seal-keygen "
                     "--register %s -s KEY and ask its operator to approve it",
                     peer);
        return EXIT_REFUSED;
    case SEND_BAD_RECEIPT:
        break;
    }
    cli_errorf("%s: %s: delivery not proven", peer, out.reason);
    return EXIT_BAD_RECEIPT;
}
