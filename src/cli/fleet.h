/*
 * unseal's fleet options (issue 11; unseal(1), "FLEET"): a listener behind a
 * load balancer (--proxy-from), delivering into a NATS JetStream stream
 * shared by several listener hosts (--deliver, --stream), and the consumer
 * that moves the stream's messages into a Maildir (--drain). The JetStream
 * parts need a build with NATS (configure --with-nats); without it they are
 * refused with exit 2, naming the configure option. With it, they run in
 * unseal-nats (fleet_nats.c), a second build of unseal that links libnats;
 * unseal itself (fleet_exec.c) links no libnats and hands them over.
 */
#ifndef SEAL_CLI_FLEET_H
#define SEAL_CLI_FLEET_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "transport/proxy.h"
#include "transport/serve.h"

struct cli_net_options;

enum {
    OPT_FLEET_PROXY_FROM = 600,
    OPT_FLEET_DELIVER,
    OPT_FLEET_STREAM,
    OPT_FLEET_DRAIN,
    OPT_FLEET_FOLLOW,
    OPT_FLEET_ACK_WAIT,
    OPT_FLEET_DURABLE,
};

#define CLI_FLEET_LONGOPTS                                                                         \
    {"proxy-from", required_argument, NULL, OPT_FLEET_PROXY_FROM},                                 \
        {"deliver", required_argument, NULL, OPT_FLEET_DELIVER},                                   \
        {"stream", required_argument, NULL, OPT_FLEET_STREAM},                                     \
        {"drain", required_argument, NULL, OPT_FLEET_DRAIN},                                       \
        {"follow", no_argument, NULL, OPT_FLEET_FOLLOW},                                           \
        {"ack-wait", required_argument, NULL, OPT_FLEET_ACK_WAIT},                                 \
    {                                                                                              \
        "durable", required_argument, NULL, OPT_FLEET_DURABLE                                      \
    }

/* Defaults (documented in unseal(1)). */
#define CLI_FLEET_ACK_WAIT_MS (30 * 1000)
#define CLI_FLEET_DURABLE "seal-drain"

struct cli_fleet_options {
    const char *proxy_from_text;
    struct proxy_allow proxy_from;
    const char *deliver, *stream, *drain, *durable;
    bool follow;
    int64_t ack_wait_ms;
    unsigned seen;
};

/* Handles getopt value C if it is a fleet option: -1 (handled), EXIT_USAGE
 * (printed), or -2 (not a fleet option). */
int cli_fleet_option(int c, const char *arg, struct cli_fleet_options *f);

/* Checks the fleet options against the transport's: -1 if fine, else
 * EXIT_USAGE (printed). */
int cli_fleet_check(const struct cli_fleet_options *f, const struct cli_net_options *o);

/* With --deliver or --drain, unseal runs the helper unseal-nats with ARGV
 * (execv; no search of $PATH) and returns only if it cannot: an exit status
 * (printed). Called after the options are checked and before anything is
 * opened or initialised. Returns -1 to go on in this process: no such
 * option, or this program is the helper. */
int cli_fleet_hand_off(const struct cli_fleet_options *f, char **argv);

/* unseal --listen with fleet options: fills S's proxy list and, with
 * --deliver, connects to NATS, creates or checks the stream (its duplicate
 * window must cover --max-age plus the 10 minutes of clock skew allowed) and
 * sets S's store. Returns EXIT_OK or an exit status (printed). *STATE is
 * released by cli_fleet_teardown(). */
struct cli_fleet_state;
int cli_fleet_setup(const struct cli_fleet_options *f, const struct cli_net_options *o,
                    struct serve_config *s, struct cli_fleet_state **state);
void cli_fleet_teardown(struct cli_fleet_state *state);

/* What the listener delivers into, for its start-up line. */
const char *cli_fleet_target(const struct cli_fleet_options *f);

/* unseal --drain: moves the stream's messages into O->inbox, exactly once;
 * with --follow until SIGTERM or SIGINT. */
int cli_unseal_drain(const struct cli_fleet_options *f, const struct cli_net_options *o);

#endif
