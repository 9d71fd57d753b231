/*
 * The fleet's NATS JetStream side (see fleet.h): built only with NATS and
 * linked only into unseal-nats, the helper that holds no key: the
 * publisher of unseal --listen --deliver, and unseal --drain.
 */
#include <config.h>

#include "cli/fleet.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/deliver.h"
#include "cli/options.h"
#include "transport/jsstore.h"
#include "transport/natspipe.h"
#include "transport/net.h"

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

/* Answers one request: publish, then the stream's verdict. */
static gpg_err_code_t serve_request(struct js_store *st, int fd, const uint8_t *body, size_t len)
{
    struct natspipe_request req;
    struct natspipe_reply rep;
    bool dup = false;
    gpg_err_code_t err = natspipe_parse_request(body, len, &req);
    if (err)
        return err; /* the listener broke the protocol: stop */
    struct js_store_msg m = {
        req.fpr, req.id, {req.sender, (int64_t)req.created, req.len}, req.data, req.len};
    memset(&rep, 0, sizeof rep);
    rep.code = js_store_publish(st, &m, &dup, &rep.kind, rep.reason);
    if (rep.code) {
        rep.status = NATSPIPE_REFUSED;
        if (!rep.reason[0])
            snprintf(rep.reason, sizeof rep.reason, "message store unavailable");
        seal_clear_detail();
    } else {
        rep.status = dup ? NATSPIPE_DUPLICATE : NATSPIPE_STORED;
    }
    rep.max_payload = js_max_payload(st->conn);
    return natspipe_send_reply(fd, &rep, NET_NO_DEADLINE);
}

int cli_nats_publisher(int fd, const char *urls, const char *stream, int64_t window_s, bool quiet)
{
    struct js_conn *conn = NULL;
    struct js_store st;
    struct js_stream_facts facts;
    struct natspipe_reply hello;
    bool created;
    gpg_err_code_t err;
    int status;

    /* It ends when the listener closes the pipe, not on the signals that
     * stop the listener: a delivery under way still gets its answer. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    if ((status = connect_nats(urls, &conn)) != EXIT_OK)
        goto out;
    memset(&st, 0, sizeof st);
    st.conn = conn;
    st.stream = stream;
    js_store_subject(stream, st.subject);
    if ((err = js_stream_ensure(conn, stream, st.subject, window_s, &created))) {
        status = cli_error(NULL, err);
        if (status == EXIT_OK)
            status = EXIT_IO;
        goto out;
    }
    fprintf(stderr,
            "%s: stream %s %s (subject %s, duplicate window >= %" PRId64 " s, max payload %" PRId64
            ")\n",
            cli_program(), stream, created ? "created" : "checked", st.subject, window_s,
            js_max_payload(conn));
    /* An OK through JetStream is only as durable as the stream: say so when
     * one server holds it (nats-server before 2.10 fsyncs on a timer). */
    if (!quiet && js_stream_info(conn, stream, &facts) == 0 && facts.replicas == 1)
        fprintf(stderr,
                "%s: note: stream %s has one replica: an OK survives a crash of nats-server but "
                "not a power loss of its host, unless the server fsyncs each message "
                "(nats-server 2.10 or later, sync_interval: always); see unseal(1), FLEET\n",
                cli_program(), stream);
    memset(&hello, 0, sizeof hello);
    hello.status = NATSPIPE_STORED;
    hello.max_payload = js_max_payload(conn);
    if ((err = natspipe_send_reply(fd, &hello, NET_NO_DEADLINE))) {
        status = EXIT_IO;
        goto out;
    }
    for (;;) {
        uint8_t *body = NULL;
        size_t len;
        err = natspipe_read_frame(fd, NATSPIPE_REQUEST_MAX, NET_NO_DEADLINE, &body, &len);
        if (err == 0)
            err = serve_request(&st, fd, body, len);
        free(body);
        if (err)
            break;
    }
    /* The end of input is the listener stopping; anything else is a bug. */
    status = err == GPG_ERR_EOF ? EXIT_OK : cli_error(NULL, err);
    if (status == EXIT_OK && err != GPG_ERR_EOF)
        status = EXIT_INTERNAL;
out:
    js_close(conn);
    js_shutdown();
    return status;
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
