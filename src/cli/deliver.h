/*
 * The programs' side of the transport (seal --to / --listen, unseal --listen
 * / --from): the options they share, their defaults, and the functions that
 * run a mode, print what happened and pick the exit status. The programs
 * only add these options to getopt and call one function.
 *
 * Exit statuses of the transport modes (besides those of cli.h):
 *   8  no acknowledgment, or the peer is unreachable: the outcome is
 *      unknown and sending again is safe
 *   9  the peer refused the envelope (ERR temp or ERR perm; the reason is
 *      printed)
 *  10  an answer came but its receipt does not verify: delivery not proven
 */
#ifndef SEAL_CLI_DELIVER_H
#define SEAL_CLI_DELIVER_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "envelope/envelope.h"
#include "keys/keyring.h"
#include "keys/keys.h"

struct cli_twoway_options;

struct cli_fleet_options;

/* getopt_long values of the transport options (above the programs' own). */
enum {
    OPT_NET_TO = 512,
    OPT_NET_LISTEN,
    OPT_NET_FROM,
    OPT_NET_RETRY_FOR,
    OPT_NET_WAIT,
    OPT_NET_KEEP_SEALED,
    OPT_NET_MAX_SIZE,
    OPT_NET_MAX_CONNS,
    OPT_NET_IDLE,
    OPT_NET_MAX_TIME,
    OPT_NET_MIN_FREE,
    OPT_NET_MAX_AGE,
    OPT_NET_MAX_PER_SOURCE,
    OPT_NET_HEADER_TIMEOUT,
    OPT_NET_MIN_RATE,
    OPT_NET_INBOX, /* -d/--inbox (getopt gives 'd') */
    OPT_NET_END,
};

/* The entries for the programs' getopt_long tables. */
#define CLI_NET_SEAL_LONGOPTS                                                                      \
    {"to", required_argument, NULL, OPT_NET_TO},                                                   \
        {"listen", required_argument, NULL, OPT_NET_LISTEN},                                       \
        {"retry-for", required_argument, NULL, OPT_NET_RETRY_FOR},                                 \
    {                                                                                              \
        "wait", required_argument, NULL, OPT_NET_WAIT                                              \
    }
#define CLI_NET_UNSEAL_LONGOPTS                                                                    \
    {"listen", required_argument, NULL, OPT_NET_LISTEN},                                           \
        {"from", required_argument, NULL, OPT_NET_FROM}, {"inbox", required_argument, NULL, 'd'},  \
        {"keep-sealed", no_argument, NULL, OPT_NET_KEEP_SEALED},                                   \
        {"max-size", required_argument, NULL, OPT_NET_MAX_SIZE},                                   \
        {"max-connections", required_argument, NULL, OPT_NET_MAX_CONNS},                           \
        {"idle-timeout", required_argument, NULL, OPT_NET_IDLE},                                   \
        {"max-time", required_argument, NULL, OPT_NET_MAX_TIME},                                   \
        {"min-free", required_argument, NULL, OPT_NET_MIN_FREE},                                   \
        {"max-per-source", required_argument, NULL, OPT_NET_MAX_PER_SOURCE},                       \
        {"header-timeout", required_argument, NULL, OPT_NET_HEADER_TIMEOUT},                       \
        {"min-rate", required_argument, NULL, OPT_NET_MIN_RATE},                                   \
    {                                                                                              \
        "max-age", required_argument, NULL, OPT_NET_MAX_AGE                                        \
    }

/* Defaults (documented in seal(1) and unseal(1)). */
#define CLI_NET_RETRY_FOR_MS (5 * 60 * 1000)
#define CLI_NET_WAIT_MS (60 * 1000)
#define CLI_NET_CONNECT_MS (10 * 1000)
#define CLI_NET_MAX_SIZE (UINT64_C(2) << 30)
#define CLI_NET_MAX_CONNS 0 /* from the descriptor limit (transport/listener.h) */
#define CLI_NET_MAX_PER_SOURCE 32
#define CLI_NET_HEADER_MS (5 * 1000)
#define CLI_NET_MIN_RATE 256 /* bytes per second */
#define CLI_NET_IDLE_MS (60 * 1000)
#define CLI_NET_MAX_TIME_MS (60 * 60 * 1000)
#define CLI_NET_MIN_FREE (UINT64_C(64) << 20)
#define CLI_NET_MAX_AGE_S (7 * 24 * 3600)

struct cli_net_options {
    const char *to, *listen, *from; /* the mode, if any */
    const char *inbox;              /* unseal -d */
    bool keep_sealed;
    bool quiet;
    int64_t retry_for_ms, wait_ms, idle_ms, max_time_ms;
    uint64_t max_size, min_free, max_age_s;
    unsigned max_conns; /* 0: from the descriptor limit */
    unsigned max_per_source;
    int64_t header_ms;
    uint64_t min_rate;
    bool seen[OPT_NET_END - OPT_NET_TO]; /* options given: see cli_net_given() */
    /* unseal --listen: the trust directory (-s) and the two-way options
     * (cli/fetch_register.h: --outbox, --pending), or NULL. */
    const char *trust;
    const struct cli_twoway_options *twoway;
    const struct cli_fleet_options *fleet; /* unseal's fleet options (cli/fleet.h), or NULL */
};

/* N with an optional unit: s, m, h, d (seconds without one), into *MS. */
bool cli_parse_duration(const char *s, int64_t *ms);

void cli_net_defaults(struct cli_net_options *o);

/* Handles getopt value C with argument ARG if it is a transport option:
 * returns CLI_OPTION_HANDLED, CLI_OPTION_NOT_MINE, or EXIT_USAGE (bad
 * value or given twice, printed). */
int cli_net_option(int c, const char *arg, struct cli_net_options *o);

/* True iff transport option OPT (an OPT_NET_* value) was given. */
bool cli_net_given(const struct cli_net_options *o, int opt);

/* True iff any transport option other than EXCEPT was given. */
bool cli_net_any_given(const struct cli_net_options *o, int except);

/* Checks the combination for PROGRAM ("seal" or "unseal"): -1 if fine,
 * else EXIT_USAGE (printed). HAVE_OUTPUT: -o was given. */
int cli_net_check(const struct cli_net_options *o, bool unseal, bool have_output);

/* seal --to / --listen: seals REQ (recipients, sender, input, progress set
 * by the caller; the first recipient is the peer) and delivers it. TOTAL:
 * the input's size if known (for the progress line on a terminal), or 0. */
int cli_seal_deliver(struct seal_request *req, const struct cli_net_options *o, uint64_t total);

/* unseal --listen: serves until SIGTERM or SIGINT. */
int cli_unseal_listen(const struct seal_key *key, struct trusted_senders *senders,
                      const struct cli_net_options *o);

/* unseal --from: receives one envelope, delivers it into O->inbox or to
 * OUTPUT ("-" for standard output; FORCE replaces a file; OUTPUT_GIVEN:
 * -o was given, so binary may go to a terminal), and answers. */
int cli_unseal_from(const struct seal_key *key, struct trusted_senders *senders,
                    const struct cli_net_options *o, const char *output, bool force,
                    bool output_given);

#endif
