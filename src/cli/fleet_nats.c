/*
 * The fleet's NATS JetStream side (--deliver, --drain; see fleet.h): built
 * only with NATS and linked only into unseal-nats, the helper that unseal
 * hands these options to (fleet_exec.c), so that unseal itself links no
 * libnats and no OpenSSL.
 */
#include <config.h>

#include "cli/fleet.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/deliver.h"
#include "cli/options.h"
#include "transport/jsstore.h"

int cli_fleet_hand_off(const struct cli_fleet_options *f, char **argv)
{
    (void)f;
    (void)argv;
    return -1; /* this program is the helper: the work is done here */
}

struct cli_fleet_state {
    struct js_conn *conn;
    struct js_store store;
    struct serve_store serve_store;
};

/* libnats' connection events, from its threads: one line each. */
static void nats_log(void *ctx, enum js_event ev, const char *text)
{
    (void)ctx;
    (void)ev;
    fprintf(stderr, "%s: %s\n", cli_program(), text);
}

static int connect_nats(const char *urls, struct js_conn **conn)
{
    struct js_config cfg = {.urls = urls, .log = nats_log};
    gpg_err_code_t err = js_connect(&cfg, conn);
    if (err) {
        int status = cli_error(urls, err);
        cli_hint("is nats-server running with JetStream (nats-server -js)? see "
                 "examples/fleet/README.md");
        return status == EXIT_OK ? EXIT_NO_ACK : status;
    }
    return EXIT_OK;
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
    int status = connect_nats(f->deliver, &st->conn);
    if (status != EXIT_OK) {
        free(st);
        return status;
    }
    *state = st;
    st->store.conn = st->conn;
    st->store.stream = f->stream;
    js_store_subject(f->stream, st->store.subject);
    /* Exactly-once across hosts holds while the stream remembers every ID
     * an envelope that is still accepted could carry. */
    int64_t window = (int64_t)o->max_age_s + SERVE_MAX_FUTURE;
    bool created;
    gpg_err_code_t err = js_stream_ensure(st->conn, f->stream, st->store.subject, window, &created);
    if (err) {
        status = cli_error(NULL, err);
        return status == EXIT_OK ? EXIT_IO : status;
    }
    fprintf(stderr, "%s: stream %s %s (subject %s, duplicate window >= %lld s, max payload %lld)\n",
            cli_program(), f->stream, created ? "created" : "checked", st->store.subject,
            (long long)window, (long long)js_max_payload(st->conn));
    /* An OK through JetStream is only as durable as the stream: say so when
     * one server holds it (nats-server before 2.10 fsyncs on a timer). */
    struct js_stream_facts facts;
    if (!o->quiet && js_stream_info(st->conn, f->stream, &facts) == 0 && facts.replicas == 1)
        fprintf(stderr,
                "%s: note: stream %s has one replica: an OK survives a crash of nats-server but "
                "not a power loss of its host, unless the server fsyncs each message "
                "(nats-server 2.10 or later, sync_interval: always); see unseal(1), FLEET\n",
                cli_program(), f->stream);
    st->serve_store.deliver = js_store_deliver;
    st->serve_store.ctx = &st->store;
    s->store = &st->serve_store;
    return EXIT_OK;
}

void cli_fleet_teardown(struct cli_fleet_state *state)
{
    if (!state)
        return;
    js_close(state->conn);
    free(state);
    js_shutdown();
}

static volatile sig_atomic_t drain_stop;

static void on_drain_stop(int sig)
{
    (void)sig;
    drain_stop = 1;
}

static void drain_log(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s: %s\n", cli_program(), line);
}

int cli_unseal_drain(const struct cli_fleet_options *f, const struct cli_net_options *o)
{
    struct inbox *ib = NULL;
    struct inbox_report rep;
    struct js_conn *conn = NULL;
    int status;
    gpg_err_code_t err = inbox_open(o->inbox, o->max_age_s + SERVE_MAX_FUTURE, &ib, &rep);
    if (err)
        return cli_error(o->inbox, err);
    if ((status = connect_nats(f->drain, &conn)) != EXIT_OK)
        goto out;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_drain_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct js_inbox_drain d = {.inbox = ib, .log = drain_log, .quiet = o->quiet};
    struct js_drain_config dc = {.stream = f->stream,
                                 .durable = f->durable ? f->durable : CLI_FLEET_DURABLE,
                                 .ack_wait_ms =
                                     f->ack_wait_ms ? f->ack_wait_ms : CLI_FLEET_ACK_WAIT_MS,
                                 .follow = f->follow,
                                 .stop = &drain_stop};
    size_t acked;
    err = js_drain(conn, &dc, js_store_to_inbox, &d, &acked);
    if (err == GPG_ERR_NOT_FOUND) {
        /* A name the user gave: a usage error, with the names there are. */
        char names[1024] = "";
        (void)js_stream_names(conn, names, sizeof names);
        seal_clear_detail();
        cli_errorf("--stream %s: there is no such stream at %s", f->stream, f->drain);
        if (names[0])
            cli_hint("the streams there: %s", names);
        else
            cli_hint("there is no stream there yet: a listener with --deliver URLS --stream "
                     "NAME creates it");
        status = EXIT_USAGE;
        goto out;
    }
    /* What was moved is said also when the drain stopped on an error; the
     * success line only when it did not. */
    if (err && acked)
        fprintf(stderr, "%s: moved %zu message%s from stream %s into %s before the error\n",
                cli_program(), acked, acked == 1 ? "" : "s", f->stream, o->inbox);
    else if (!err)
        fprintf(stderr,
                "%s: drained %zu message%s from stream %s into %s (%zu new, %zu stored before)\n",
                cli_program(), acked, acked == 1 ? "" : "s", f->stream, o->inbox, d.stored,
                d.duplicates);
    status = err ? cli_error(NULL, err) : EXIT_OK;
    if (status == EXIT_OK && err)
        status = EXIT_IO;
    if (status == EXIT_OK && d.foreign) {
        /* Everything else was moved; say so, but let scripts see it. */
        cli_errorf("stream %s: %zu message%s not from seal left in the stream (named above)",
                   f->stream, d.foreign, d.foreign == 1 ? "" : "s");
        cli_hint("look at one with 'nats stream get STREAM SEQ', remove it with 'nats stream rmm "
                 "STREAM SEQ'; only the listeners should publish on seal.STREAM");
        status = EXIT_FORMAT;
    }
out:
    js_close(conn);
    inbox_close(ib);
    js_shutdown();
    return status;
}
