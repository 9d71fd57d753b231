/*
 * unseal's fleet options (unseal(1), "FLEET"): a listener behind a load
 * balancer (--proxy-from), delivering into a NATS JetStream stream shared
 * by several listener hosts (--deliver, --stream), and the consumer that
 * moves the stream's messages into a Maildir (--drain). The JetStream parts
 * need a build with NATS (configure --with-nats); without it they are
 * refused with exit 2, naming the configure option.
 *
 * libnats (and the OpenSSL it brings) is linked into one program only,
 * unseal-nats (src/unseal-nats.c, fleet_nats.c), which never holds a key:
 *   - --deliver: unseal keeps the key, listens and verifies; it starts
 *     unseal-nats as its publisher (fleet_exec.c) and hands it each verified
 *     message over a socket pair (transport/natspipe.h); the listener
 *     answers OK only after the publisher reported the stream's PubAck;
 *   - --drain needs no key (the stream holds verified messages): unseal
 *     hands the whole run to unseal-nats (execv).
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
    OPT_FLEET_END,
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
    bool seen[OPT_FLEET_END - OPT_FLEET_PROXY_FROM]; /* options given */
};

/* Handles getopt value C if it is a fleet option: CLI_OPTION_HANDLED,
 * CLI_OPTION_NOT_MINE, or EXIT_USAGE (printed); cli/options.h. */
int cli_fleet_option(int c, const char *arg, struct cli_fleet_options *f);

/* Checks the fleet options against the transport's (and where unseal's
 * --listen and --from deliver: -d or the stream): CLI_OPTION_HANDLED if
 * fine, else
 * EXIT_USAGE (printed). */
int cli_fleet_check(const struct cli_fleet_options *f, const struct cli_net_options *o);

/* Called after the options are checked and before a key is read or
 * anything is opened. With --drain, unseal runs unseal-nats (execv; no
 * search of $PATH) and returns only if it cannot: an exit status
 * (printed). With --deliver it checks that unseal-nats is there (exit 2,
 * printed, if not) and returns -1; so does anything else: go on in this
 * process. The helper gets the checked options F and O. */
int cli_fleet_hand_off(const struct cli_fleet_options *f, const struct cli_net_options *o);

/* unseal --listen with fleet options: fills S's proxy list and, with
 * --deliver, starts the publisher (unseal-nats), which connects to NATS,
 * creates or checks the stream (its duplicate window must cover --max-age
 * plus the 10 minutes of clock skew allowed) and says so; then sets S's
 * destination to it. Returns EXIT_OK or an exit status (printed; the
 * publisher's own if it could not start). *STATE is released by
 * cli_fleet_teardown(), which stops the publisher. */
struct cli_fleet_state;
int cli_fleet_setup(const struct cli_fleet_options *f, const struct cli_net_options *o,
                    struct serve_config *s, struct cli_fleet_state **state);
void cli_fleet_teardown(struct cli_fleet_state *state);

/* What the listener delivers into, for its start-up line. */
const char *cli_fleet_target(const struct cli_fleet_options *f);

/* unseal-nats --drain: moves the stream's messages into O->inbox, exactly
 * once; with --follow until SIGTERM or SIGINT. */
int cli_unseal_drain(const struct cli_fleet_options *f, const struct cli_net_options *o);

/* unseal-nats --publish: the publisher of --deliver. Connects to URLS,
 * creates or checks STREAM with a duplicate window of WINDOW_S seconds,
 * says so on stderr (the note on one replica unless QUIET), then serves the
 * listener's requests on FD (transport/natspipe.h) until it closes.
 * Returns an exit status (printed). */
int cli_nats_publisher(int fd, const char *urls, const char *stream, int64_t window_s, bool quiet);

#endif
