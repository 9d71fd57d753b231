/* unseal's fleet options; see fleet.h. */
#include <config.h>

#include "cli/fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/deliver.h"
#include "cli/options.h"

static const char *const fleet_names[] = {"--proxy-from", "--deliver",  "--stream", "--drain",
                                          "--follow",     "--ack-wait", "--durable"};

int cli_fleet_option(int c, const char *arg, struct cli_fleet_options *f)
{
    int idx = c - OPT_FLEET_PROXY_FROM, r;
    if (idx < 0 || c >= OPT_FLEET_END)
        return CLI_OPTION_NOT_MINE;
    if ((r = cli_once(&f->seen[idx], fleet_names[idx])) != CLI_OPTION_HANDLED)
        return r;
    switch (c) {
    case OPT_FLEET_PROXY_FROM:
        f->proxy_from_text = arg;
        if (proxy_allow_parse(arg, &f->proxy_from) != 0) {
            cli_errorf("%s", seal_detail());
            cli_hint("a list of IPv4 or IPv6 addresses or CIDR blocks: 127.0.0.1,10.1.0.0/16,::1");
            return cli_usage_error();
        }
        break;
    case OPT_FLEET_DELIVER:
        f->deliver = arg;
        break;
    case OPT_FLEET_STREAM:
        f->stream = arg;
        break;
    case OPT_FLEET_DRAIN:
        f->drain = arg;
        break;
    case OPT_FLEET_FOLLOW:
        f->follow = true;
        break;
    case OPT_FLEET_DURABLE:
        f->durable = arg;
        break;
    case OPT_FLEET_ACK_WAIT:
        if (!cli_parse_duration(arg, &f->ack_wait_ms) || f->ack_wait_ms < 1000) {
            cli_errorf("option --ack-wait: bad value '%s'", arg);
            cli_hint("a duration of at least 1s: a number of seconds, or a number followed by s, "
                     "m, h or d");
            return cli_usage_error();
        }
        break;
    }
    return CLI_OPTION_HANDLED;
}

int cli_fleet_check(const struct cli_fleet_options *f, const struct cli_net_options *o)
{
    /* unseal's transport options that only a receiver with somewhere to
     * deliver takes: --deliver stores into a stream instead of -d; --drain
     * takes -d. */
    bool server_only = false;
    for (int opt = OPT_NET_KEEP_SEALED; opt <= OPT_NET_INBOX; opt++)
        server_only = server_only || cli_net_given(o, opt);
    if (!o->listen && !o->from && !f->drain && server_only) {
        cli_errorf("options -d, --keep-sealed and the limits need --listen or --from");
        return cli_usage_error();
    }
    if (o->listen && !o->inbox && !f->deliver) {
        cli_errorf("--listen needs -d INBOX (the Maildir to deliver into)");
        return cli_usage_error();
    }
    if (o->keep_sealed && !o->inbox && !f->deliver) {
        cli_errorf("option --keep-sealed needs -d INBOX");
        return cli_usage_error();
    }
    bool any = false;
    for (size_t i = 0; i < sizeof f->seen / sizeof f->seen[0]; i++)
        any = any || f->seen[i];
    if (!any)
        return CLI_OPTION_HANDLED;
    if ((f->proxy_from_text || f->deliver) && !o->listen)
        return cli_conflict(f->deliver ? "--deliver" : "--proxy-from",
                            o->from ? "--from" : "no --listen");
    if (f->deliver && o->inbox)
        return cli_conflict("--deliver", "-d/--inbox");
    if (f->drain && (o->listen || o->from))
        return cli_conflict("--drain", o->listen ? "--listen" : "--from");
    if ((f->deliver || f->drain) && !f->stream) {
        cli_errorf("%s needs --stream NAME", f->deliver ? "--deliver" : "--drain");
        return cli_usage_error();
    }
    if (f->stream && !f->deliver && !f->drain) {
        cli_errorf("option --stream needs --deliver or --drain");
        return cli_usage_error();
    }
    if (f->drain && !o->inbox) {
        cli_errorf("--drain needs -d INBOX (the Maildir to move the messages into)");
        return cli_usage_error();
    }
    if (!f->drain && (f->follow || f->durable || f->ack_wait_ms)) {
        cli_errorf("options --follow, --ack-wait and --durable need --drain");
        return cli_usage_error();
    }
    if (f->drain && cli_net_any_given(o, OPT_NET_INBOX)) /* only -d of the transport options */
        return cli_conflict("--drain", "the listener's options");
#ifndef HAVE_NATS
    if (f->deliver || f->drain) {
        cli_errorf("%s: this unseal was built without NATS JetStream",
                   f->deliver ? "--deliver" : "--drain");
        cli_hint("rebuild with libnats-dev installed (configure --with-nats)");
        return EXIT_USAGE;
    }
#endif
    return CLI_OPTION_HANDLED;
}

const char *cli_fleet_target(const struct cli_fleet_options *f)
{
    static char text[512];
    snprintf(text, sizeof text, "stream %s at %s", f->stream ? f->stream : "?",
             f->deliver ? f->deliver : "?");
    return text;
}
