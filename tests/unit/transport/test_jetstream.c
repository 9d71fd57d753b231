/* The JetStream module against a real nats-server on 127.0.0.1, which this
 * program starts, kills and restarts itself (tests/unit/transport/
 * jetstream.sh picks the ports and the directory and removes them). Each test
 * uses its own stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transport/jetstream.h"

#define MAX_PAYLOAD 65536 /* set in the server's config below */

static const char *server_bin, *dir, *port, *dead_port, *self;
static pid_t server_pid;
static struct js_conn *conn;

static char *path(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int port_open(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void server_start(void)
{
    FILE *f = fopen(path("nats.conf"), "w");
    assert_non_null(f);
    fprintf(f, "max_payload: %d\n", MAX_PAYLOAD);
    fclose(f);
    server_pid = fork();
    assert_true(server_pid >= 0);
    if (server_pid == 0) {
        int log = open(path("nats.log"), O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(log, 1);
        dup2(log, 2);
        execl(server_bin, server_bin, "-c", path("nats.conf"), "-js", "-a", "127.0.0.1", "-p", port,
              "-sd", path("store"), (char *)NULL);
        _exit(127);
    }
    f = fopen(path("nats.pid"), "w"); /* for the wrapper's cleanup */
    assert_non_null(f);
    fprintf(f, "%d\n", (int)server_pid);
    fclose(f);
    for (int i = 0; i < 200 && !port_open(); i++)
        sleep_ms(50);
    assert_true(port_open());
}

static void server_kill(void)
{
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    server_pid = 0;
}

/* The log hook: counts events (libnats calls it from its threads). */
static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static int events[4];

static void count_event(void *ctx, enum js_event ev, const char *text)
{
    (void)ctx;
    assert_non_null(text);
    pthread_mutex_lock(&events_lock);
    events[ev]++;
    pthread_mutex_unlock(&events_lock);
}

static int event_count(enum js_event ev)
{
    pthread_mutex_lock(&events_lock);
    int n = events[ev];
    pthread_mutex_unlock(&events_lock);
    return n;
}

static struct js_conn *connect_to(const char *p)
{
    char urls[128];
    snprintf(urls, sizeof urls, "nats://127.0.0.1:%s", p);
    struct js_config cfg = {.urls = urls,
                            .connect_timeout_ms = 1000,
                            .reconnect_wait_ms = 50,
                            .reconnect_max_ms = 200,
                            .request_timeout_ms = 2000,
                            .log = count_event};
    struct js_conn *c = NULL;
    gpg_err_code_t err = js_connect(&cfg, &c);
    if (err)
        fail_msg("connect: %s", seal_detail());
    return c;
}

static int setup(void **state)
{
    (void)state;
    server_start();
    conn = connect_to(port);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    js_close(conn);
    if (server_pid)
        server_kill();
    js_shutdown();
    return 0;
}

static struct js_meta meta(const char *sender, int64_t created, uint64_t size)
{
    return (struct js_meta){.sender = sender, .created = created, .size = size};
}

static struct js_puback publish_ok(const char *stream, const char *subject, const char *id,
                                   const char *data)
{
    struct js_meta m = meta("alice", 1700000000, strlen(data));
    struct js_puback ack;
    gpg_err_code_t err = js_publish(conn, stream, subject, id, &m, data, strlen(data), &ack);
    if (err)
        fail_msg("publish %s: %s", id, seal_detail());
    return ack;
}

static uint64_t stream_messages(const char *stream)
{
    struct js_stream_facts facts;
    assert_int_equal(js_stream_info(conn, stream, &facts), 0);
    return facts.messages;
}

/* ---- connecting ---- */

static void test_connect_refusals(void **state)
{
    (void)state;
    struct js_conn *c = (struct js_conn *)1;
    static const char *const bad[] = {"", "http://127.0.0.1:4222", "nats://", "127.0.0.1:4222",
                                      "nats://127.0.0.1:1,"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct js_config cfg = {.urls = bad[i]};
        assert_int_equal(js_connect(&cfg, &c), GPG_ERR_INV_VALUE);
        assert_null(c);
        seal_clear_detail();
    }
    /* Nobody listening: refused at once, not retried in the background. */
    char urls[64];
    snprintf(urls, sizeof urls, "nats://127.0.0.1:%s", dead_port);
    struct js_config cfg = {.urls = urls, .connect_timeout_ms = 500};
    assert_int_equal(js_connect(&cfg, &c), GPG_ERR_ENOTCONN);
    assert_null(c);
    assert_non_null(strstr(seal_detail(), "cannot connect"));
    seal_clear_detail();
    /* A list whose second server is up. */
    snprintf(urls, sizeof urls, "nats://127.0.0.1:%s,nats://127.0.0.1:%s", dead_port, port);
    cfg.urls = urls;
    assert_int_equal(js_connect(&cfg, &c), 0);
    assert_true(js_connected(c));
    js_close(c);
}

/* ---- the stream ---- */

static void test_stream_create_then_check(void **state)
{
    (void)state;
    bool created;
    assert_int_equal(js_stream_ensure(conn, "T_ENSURE", "seal.ensure", 600, &created), 0);
    assert_true(created);
    struct js_stream_facts facts;
    assert_int_equal(js_stream_info(conn, "T_ENSURE", &facts), 0);
    assert_int_equal(facts.dup_window_s, 600);
    assert_int_equal(facts.messages, 0);
    assert_int_equal(facts.replicas, 1);
    /* Present, good enough: checked, not changed. */
    assert_int_equal(js_stream_ensure(conn, "T_ENSURE", "seal.ensure", 60, &created), 0);
    assert_false(created);
    assert_int_equal(js_stream_info(conn, "T_ENSURE", &facts), 0);
    assert_int_equal(facts.dup_window_s, 600);
    /* A replay window longer than the stream's duplicate window: refused. */
    assert_int_equal(js_stream_ensure(conn, "T_ENSURE", "seal.ensure", 601, &created),
                     GPG_ERR_CONFLICT);
    assert_non_null(strstr(seal_detail(), "duplicate window of 600 s"));
    seal_clear_detail();
    /* A subject the stream does not capture: refused. */
    assert_int_equal(js_stream_ensure(conn, "T_ENSURE", "seal.other", 60, &created),
                     GPG_ERR_CONFLICT);
    assert_non_null(strstr(seal_detail(), "does not capture"));
    seal_clear_detail();
    /* Bad names never reach the server. */
    assert_int_equal(js_stream_ensure(conn, "A.B", "seal.x", 60, NULL), GPG_ERR_INV_VALUE);
    seal_clear_detail();
    assert_int_equal(js_stream_ensure(conn, "T_X", "", 60, NULL), GPG_ERR_INV_VALUE);
    seal_clear_detail();
    assert_int_equal(js_stream_ensure(conn, "T_X", "seal.x", 0, NULL), GPG_ERR_INV_VALUE);
    seal_clear_detail();
}

/* The replay window is 7 days by default: the server accepts such a
 * duplicate window; and a wildcard stream captures our subject. */
static void test_stream_wildcards_and_week(void **state)
{
    (void)state;
    bool created;
    const int64_t week = 7 * 86400;
    assert_int_equal(js_stream_ensure(conn, "T_WILD", "fleet.>", week, &created), 0);
    assert_true(created);
    assert_int_equal(js_stream_ensure(conn, "T_WILD", "fleet.inbox.a", week, &created), 0);
    assert_false(created);
    assert_int_equal(js_stream_ensure(conn, "T_WILD", "fleet", week, &created), GPG_ERR_CONFLICT);
    seal_clear_detail();
}

/* ---- publishing ---- */

static void test_publish_dedup_by_msg_id(void **state)
{
    (void)state;
    assert_int_equal(js_stream_ensure(conn, "T_DEDUP", "seal.dedup", 600, NULL), 0);
    struct js_puback a = publish_ok("T_DEDUP", "seal.dedup", "k1", "hello");
    assert_false(a.duplicate);
    assert_int_equal(a.sequence, 1);
    struct js_puback b = publish_ok("T_DEDUP", "seal.dedup", "k1", "hello");
    assert_true(b.duplicate);
    assert_int_equal(b.sequence, 1);
    struct js_puback c = publish_ok("T_DEDUP", "seal.dedup", "k2", "other");
    assert_false(c.duplicate);
    assert_int_equal(c.sequence, 2);
    assert_int_equal(stream_messages("T_DEDUP"), 2);
    /* The acknowledgment must come from the stream named. */
    struct js_meta m = meta("alice", 1, 1);
    struct js_puback ack;
    assert_int_not_equal(js_publish(conn, "T_ENSURE", "seal.dedup", "k3", &m, "x", 1, &ack), 0);
    seal_clear_detail();
    assert_int_equal(stream_messages("T_DEDUP"), 2);
    /* IDs that cannot be a header value. */
    assert_int_equal(js_publish(conn, "T_DEDUP", "seal.dedup", "a b", &m, "x", 1, &ack),
                     GPG_ERR_INV_VALUE);
    seal_clear_detail();
    assert_int_equal(js_publish(conn, "T_DEDUP", "seal.dedup", "", &m, "x", 1, &ack),
                     GPG_ERR_INV_VALUE);
    seal_clear_detail();
}

static void test_max_payload_refused_naming_limit(void **state)
{
    (void)state;
    assert_int_equal(js_max_payload(conn), MAX_PAYLOAD);
    assert_int_equal(js_stream_ensure(conn, "T_BIG", "seal.big", 600, NULL), 0);
    static char big[MAX_PAYLOAD];
    memset(big, 'b', sizeof big);
    struct js_meta m = meta("alice", 1, sizeof big);
    struct js_puback ack;
    assert_int_equal(js_publish(conn, "T_BIG", "seal.big", "big1", &m, big, sizeof big, &ack),
                     GPG_ERR_TOO_LARGE);
    assert_non_null(strstr(seal_detail(), "max_payload of 65536 bytes"));
    seal_clear_detail();
    /* Just under, with room for the headers: stored. */
    assert_int_equal(js_publish(conn, "T_BIG", "seal.big", "big2", &m, big, sizeof big - 300, &ack),
                     0);
    assert_int_equal(stream_messages("T_BIG"), 1);
}

/* ---- draining ---- */

struct sink {
    char names[16][64];
    char data[16][64];
    struct js_meta meta[16];
    char senders[16][32];
    size_t n;
    int fail_at; /* 1-based; 0: never */
};

static gpg_err_code_t collect(void *ctx, const struct js_message *m)
{
    struct sink *s = ctx;
    if (s->n == 16 || (s->fail_at && (int)s->n + 1 == s->fail_at))
        return GPG_ERR_ENOSPC;
    snprintf(s->names[s->n], sizeof s->names[0], "%s", m->msg_id);
    snprintf(s->data[s->n], sizeof s->data[0], "%.*s", (int)m->len, (const char *)m->data);
    snprintf(s->senders[s->n], sizeof s->senders[0], "%s", m->meta.sender);
    s->meta[s->n] = m->meta;
    s->n++;
    return 0;
}

static void test_headers_round_trip_through_drain(void **state)
{
    (void)state;
    assert_int_equal(js_stream_ensure(conn, "T_DRAIN", "seal.drain", 600, NULL), 0);
    struct js_meta m1 = meta("alice", 1700000001, 5), m2 = meta("bob-2", -5, 123456789012);
    struct js_puback ack;
    assert_int_equal(js_publish(conn, "T_DRAIN", "seal.drain", "d1", &m1, "first", 5, &ack), 0);
    assert_int_equal(js_publish(conn, "T_DRAIN", "seal.drain", "d2", &m2, "second", 6, &ack), 0);
    assert_int_equal(js_publish(conn, "T_DRAIN", "seal.drain", "d3", &m1, "", 0, &ack), 0);
    struct sink s = {0};
    struct js_drain_config dc = {.stream = "T_DRAIN", .durable = "inbox", .ack_wait_ms = 5000};
    size_t count;
    assert_int_equal(js_drain(conn, &dc, collect, &s, &count), 0);
    assert_int_equal(count, 3);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.names[0], "d1");
    assert_string_equal(s.data[0], "first");
    assert_string_equal(s.senders[0], "alice");
    assert_int_equal(s.meta[0].created, 1700000001);
    assert_int_equal(s.meta[0].size, 5);
    assert_string_equal(s.names[1], "d2");
    assert_string_equal(s.senders[1], "bob-2");
    assert_int_equal(s.meta[1].created, -5);
    assert_int_equal(s.meta[1].size, 123456789012);
    assert_string_equal(s.data[2], "");
    /* Acknowledged messages left the (work-queue) stream... */
    assert_int_equal(stream_messages("T_DRAIN"), 0);
    /* ...and a second drain finds nothing. */
    assert_int_equal(js_drain(conn, &dc, collect, &s, &count), 0);
    assert_int_equal(count, 0);
    /* Dedup still remembers an ID whose message was drained. */
    assert_int_equal(js_publish(conn, "T_DRAIN", "seal.drain", "d1", &m1, "first", 5, &ack), 0);
    assert_true(ack.duplicate);
    assert_int_equal(stream_messages("T_DRAIN"), 0);
}

/* A callback failure (disk full) stops the drain; nothing unstored is
 * acknowledged, and the next drain gets it at once (NAK, not the ack wait). */
static void test_drain_callback_failure_keeps_message(void **state)
{
    (void)state;
    assert_int_equal(js_stream_ensure(conn, "T_FAIL", "seal.fail", 600, NULL), 0);
    publish_ok("T_FAIL", "seal.fail", "f1", "one");
    publish_ok("T_FAIL", "seal.fail", "f2", "two");
    struct sink s = {.fail_at = 2};
    struct js_drain_config dc = {.stream = "T_FAIL", .durable = "inbox", .ack_wait_ms = 30000};
    size_t count;
    assert_int_equal(js_drain(conn, &dc, collect, &s, &count), GPG_ERR_ENOSPC);
    assert_int_equal(count, 1);
    assert_int_equal(stream_messages("T_FAIL"), 1);
    s.fail_at = 0;
    assert_int_equal(js_drain(conn, &dc, collect, &s, &count), 0);
    assert_int_equal(count, 1);
    assert_string_equal(s.names[1], "f2");
    assert_int_equal(stream_messages("T_FAIL"), 0);
}

/* An inbox stand-in with the exactly-once discipline of the real one: a
 * marker per message ID created with O_EXCL before the message counts as
 * stored; a marker already present means "stored before". */
struct inbox {
    int stored, duplicates;
    bool die_after_store; /* the child: exit before the ack */
};

static gpg_err_code_t inbox_store(void *ctx, const struct js_message *m)
{
    struct inbox *in = ctx;
    char name[128];
    snprintf(name, sizeof name, "inbox/%s", m->msg_id);
    int fd = open(path(name), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == EEXIST) {
        in->duplicates++;
        return 0;
    }
    if (fd < 0 || write(fd, m->data, m->len) != (ssize_t)m->len || fsync(fd) != 0)
        return GPG_ERR_EIO;
    close(fd);
    in->stored++;
    if (in->die_after_store)
        _exit(0); /* the callback succeeded; the ack never goes out */
    return 0;
}

static const struct js_drain_config killed_cfg = {
    .stream = "T_KILL", .durable = "inbox", .ack_wait_ms = 1000, .batch = 1};

/* Runs in a separate process (this program re-executed). */
static int drain_and_die(void)
{
    struct js_conn *c = connect_to(port);
    struct inbox in = {.die_after_store = true};
    js_drain(c, &killed_cfg, inbox_store, &in, NULL);
    return 3; /* not reached: the first stored message ends the process */
}

static void test_drain_killed_before_ack(void **state)
{
    (void)state;
    assert_int_equal(mkdir(path("inbox"), 0700), 0);
    assert_int_equal(js_stream_ensure(conn, "T_KILL", "seal.kill", 600, NULL), 0);
    publish_ok("T_KILL", "seal.kill", "m1", "one");
    publish_ok("T_KILL", "seal.kill", "m2", "two");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(self, self, "--drain-and-die", (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(access(path("inbox/m1"), F_OK), 0); /* stored, never acked */
    /* Drains until m1 comes back after its ack wait (bounded: 10 s). */
    struct inbox in = {0};
    for (int i = 0; i < 40 && in.stored + in.duplicates < 2; i++) {
        size_t count;
        assert_int_equal(js_drain(conn, &killed_cfg, inbox_store, &in, &count), 0);
        if (in.stored + in.duplicates < 2)
            sleep_ms(250);
    }
    assert_int_equal(in.stored, 1);     /* m2 */
    assert_int_equal(in.duplicates, 1); /* m1 again, recognised by its marker */
    assert_int_equal(stream_messages("T_KILL"), 0);
}

/* ---- the server going away ---- */

static void test_server_stopped_then_restarted(void **state)
{
    (void)state;
    assert_int_equal(js_stream_ensure(conn, "T_STOP", "seal.stop", 600, NULL), 0);
    publish_ok("T_STOP", "seal.stop", "s1", "before");
    server_kill();
    /* While it is down a publish fails (not connected, or no PubAck in
     * time); it never reports success. */
    struct js_meta m = meta("alice", 1, 6);
    struct js_puback ack;
    for (int i = 0; i < 3; i++) {
        gpg_err_code_t err = js_publish(conn, "T_STOP", "seal.stop", "s2", &m, "during", 6, &ack);
        assert_true(err == GPG_ERR_ENOTCONN || err == GPG_ERR_TIMEOUT);
        seal_clear_detail();
    }
    for (int i = 0; i < 100 && event_count(JS_EVENT_DISCONNECTED) == 0; i++)
        sleep_ms(50);
    assert_true(event_count(JS_EVENT_DISCONNECTED) > 0);
    server_start();
    for (int i = 0; i < 200 && !js_connected(conn); i++)
        sleep_ms(50);
    assert_true(js_connected(conn));
    /* The hook runs on libnats' callback thread, possibly a moment later. */
    for (int i = 0; i < 100 && event_count(JS_EVENT_RECONNECTED) == 0; i++)
        sleep_ms(50);
    assert_true(event_count(JS_EVENT_RECONNECTED) > 0);
    /* The stream and its dedup state survived the restart. */
    struct js_puback again = publish_ok("T_STOP", "seal.stop", "s1", "before");
    assert_true(again.duplicate);
    publish_ok("T_STOP", "seal.stop", "s2", "during");
    assert_int_equal(stream_messages("T_STOP"), 2);
}

int main(int argc, char **argv)
{
    server_bin = getenv("SEAL_TEST_NATS_SERVER");
    dir = getenv("SEAL_TEST_NATS_DIR");
    port = getenv("SEAL_TEST_NATS_PORT");
    dead_port = getenv("SEAL_TEST_NATS_DEAD_PORT");
    self = argv[0];
    if (!server_bin || !dir || !port || !dead_port) {
        fprintf(stderr, "run me through tests/unit/transport/jetstream.sh\n");
        return 1;
    }
    if (argc == 2 && strcmp(argv[1], "--drain-and-die") == 0)
        return drain_and_die();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_refusals),
        cmocka_unit_test(test_stream_create_then_check),
        cmocka_unit_test(test_stream_wildcards_and_week),
        cmocka_unit_test(test_publish_dedup_by_msg_id),
        cmocka_unit_test(test_max_payload_refused_naming_limit),
        cmocka_unit_test(test_headers_round_trip_through_drain),
        cmocka_unit_test(test_drain_callback_failure_keeps_message),
        cmocka_unit_test(test_drain_killed_before_ack),
        cmocka_unit_test(test_server_stopped_then_restarted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
