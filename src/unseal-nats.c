/*
 * unseal-nats: the one seal program linked with libnats (and the OpenSSL
 * it brings), run by unseal, never holding a key (unseal(1), FLEET):
 *
 *   unseal-nats --publish URLS --stream NAME --window SECONDS [-q]
 *       the publisher of `unseal --listen --deliver`: standard input is a
 *       socket pair to the listener (transport/natspipe.h);
 *   unseal-nats --drain URLS --stream NAME -d INBOX [--durable NAME]
 *       [--ack-wait DURATION] [--follow] [-q]
 *       `unseal --drain`, with the options unseal checked.
 *
 * It is installed in $(pkglibexecdir), not on $PATH: people run unseal.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/deliver.h"
#include "cli/fleet.h"
#include "cli/options.h"
#include "cli/process.h"

enum { OPT_PUBLISH = CLI_OPT_PROGRAM, OPT_WINDOW };

static int usage_error(void)
{
    cli_errorf("unseal-nats is run by unseal (--listen --deliver, --drain); see unseal(1), FLEET");
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"publish", required_argument, NULL, OPT_PUBLISH},
        {"window", required_argument, NULL, OPT_WINDOW},
        {"inbox", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},
        CLI_FLEET_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct cli_fleet_options f;
    struct cli_net_options o;
    const char *publish = NULL;
    int64_t window_ms = 0;
    int c, r;

    cli_process_start();
    cli_set_program("unseal");
    memset(&f, 0, sizeof f);
    cli_net_defaults(&o);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:q", longopts, NULL)) != -1) {
        if ((r = cli_fleet_option(c, optarg, &f)) != CLI_OPTION_NOT_MINE) {
            if (r != CLI_OPTION_HANDLED)
                return r;
            continue;
        }
        switch (c) {
        case OPT_PUBLISH:
            publish = optarg;
            break;
        case OPT_WINDOW:
            if (!cli_parse_duration(optarg, &window_ms) || window_ms < 1000)
                return usage_error();
            break;
        case 'd':
            o.inbox = optarg;
            break;
        case 'q':
            o.quiet = true;
            break;
        default:
            return usage_error();
        }
    }
    if (optind != argc || !f.stream || !publish == !f.drain)
        return usage_error();
    if (publish) {
        if (!window_ms || o.inbox || f.durable || f.ack_wait_ms || f.follow)
            return usage_error();
        return cli_nats_publisher(0, publish, f.stream, window_ms / 1000, o.quiet);
    }
    if (!o.inbox || window_ms)
        return usage_error();
    gpg_err_code_t err = seal_crypto_init();
    if (err)
        return cli_error(NULL, err);
    return cli_unseal_drain(&f, &o);
}
