/* The pipe between the listener and its NATS publisher: frames round-trip
 * over a socket pair; every cut, an oversized length, a bad type or status,
 * trailing bytes, a reason outside 0x20..0x7E and data over the cap are
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/fileio.h"
#include "transport/natspipe.h"
#include "transport/net.h"

static int pair[2];

static int setup(void **state)
{
    (void)state;
    return socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
}

static int teardown(void **state)
{
    (void)state;
    close(pair[0]);
    close(pair[1]);
    return 0;
}

static void fill_request(struct natspipe_request *r)
{
    memset(r, 0, sizeof *r);
    memset(r->fpr, 0xab, sizeof r->fpr);
    memset(r->id, 0x5c, sizeof r->id);
    r->created = UINT64_C(1800000000);
    snprintf(r->sender, sizeof r->sender, "alice");
}

static void test_request_round_trip(void **state)
{
    (void)state;
    struct natspipe_request in, out;
    uint8_t *body;
    size_t len;
    int fd;
    fill_request(&in);
    assert_int_equal(file_open_spool(&fd), 0);
    assert_int_equal(fd_write_all(fd, "the plaintext", 13), 0);
    assert_int_equal(natspipe_send_request(pair[0], &in, fd, 13, NET_NO_DEADLINE), 0);
    close(fd);
    assert_int_equal(
        natspipe_read_frame(pair[1], NATSPIPE_REQUEST_MAX, NET_NO_DEADLINE, &body, &len), 0);
    assert_int_equal(natspipe_parse_request(body, len, &out), 0);
    assert_memory_equal(out.fpr, in.fpr, sizeof in.fpr);
    assert_memory_equal(out.id, in.id, sizeof in.id);
    assert_true(out.created == in.created);
    assert_string_equal(out.sender, "alice");
    assert_int_equal(out.len, 13);
    assert_memory_equal(out.data, "the plaintext", 13);
    /* Every cut inside the head is refused. */
    size_t head = len - 13;
    for (size_t n = 0; n < head; n++)
        assert_int_equal(natspipe_parse_request(body, n, &out), GPG_ERR_INV_DATA);
    body[0] = 'Q';
    assert_int_equal(natspipe_parse_request(body, len, &out), GPG_ERR_INV_DATA);
    free(body);
}

static void test_reply_round_trip(void **state)
{
    (void)state;
    struct natspipe_reply in, out;
    uint8_t *body;
    size_t len;
    memset(&in, 0, sizeof in);
    in.status = NATSPIPE_REFUSED;
    in.kind = WIRE_ERR_PERM;
    in.code = GPG_ERR_TOO_LARGE;
    in.max_payload = 65536;
    snprintf(in.reason, sizeof in.reason, "too big: the message store takes at most 65536 bytes");
    assert_int_equal(natspipe_send_reply(pair[0], &in, NET_NO_DEADLINE), 0);
    assert_int_equal(natspipe_read_frame(pair[1], NATSPIPE_REPLY_MAX, NET_NO_DEADLINE, &body, &len),
                     0);
    assert_int_equal(natspipe_parse_reply(body, len, &out), 0);
    assert_int_equal(out.status, NATSPIPE_REFUSED);
    assert_int_equal(out.kind, WIRE_ERR_PERM);
    assert_int_equal(out.code, GPG_ERR_TOO_LARGE);
    assert_true(out.max_payload == 65536);
    assert_string_equal(out.reason, in.reason);
    for (size_t n = 0; n < len; n++)
        assert_int_equal(natspipe_parse_reply(body, n, &out), GPG_ERR_INV_DATA);
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, body, len);
    longer[len] = 0;
    assert_int_equal(natspipe_parse_reply(longer, len + 1, &out), GPG_ERR_INV_DATA);
    free(longer);
    body[0] = 3; /* no such status */
    assert_int_equal(natspipe_parse_reply(body, len, &out), GPG_ERR_INV_DATA);
    body[0] = 2;
    body[1] = 2; /* no such kind */
    assert_int_equal(natspipe_parse_reply(body, len, &out), GPG_ERR_INV_DATA);
    body[1] = 1;
    body[len - 1] = '\n'; /* a reason is printable ASCII only */
    assert_int_equal(natspipe_parse_reply(body, len, &out), GPG_ERR_INV_DATA);
    free(body);
}

static void test_frames(void **state)
{
    (void)state;
    uint8_t *body;
    size_t len;
    /* A length over the cap is refused before anything is allocated. */
    static const uint8_t big[4] = {0xff, 0xff, 0xff, 0xff};
    assert_int_equal(write(pair[0], big, 4), 4);
    assert_int_equal(natspipe_read_frame(pair[1], NATSPIPE_REPLY_MAX, NET_NO_DEADLINE, &body, &len),
                     GPG_ERR_TOO_LARGE);
    assert_null(body);
    /* A frame cut short, then the end. */
    int p[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
    static const uint8_t cut[6] = {0, 0, 0, 9, 'a', 'b'};
    assert_int_equal(write(p[0], cut, sizeof cut), (ssize_t)sizeof cut);
    shutdown(p[0], SHUT_WR);
    assert_int_equal(natspipe_read_frame(p[1], NATSPIPE_REPLY_MAX, NET_NO_DEADLINE, &body, &len),
                     GPG_ERR_TRUNCATED);
    close(p[0]);
    close(p[1]);
    /* Nothing at all: the end of input, told apart. */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
    shutdown(p[0], SHUT_WR);
    assert_int_equal(natspipe_read_frame(p[1], NATSPIPE_REPLY_MAX, NET_NO_DEADLINE, &body, &len),
                     GPG_ERR_EOF);
    close(p[0]);
    close(p[1]);
    /* Data over the cap is not sent. */
    struct natspipe_request r;
    fill_request(&r);
    int fd;
    assert_int_equal(file_open_spool(&fd), 0);
    assert_int_equal(natspipe_send_request(pair[0], &r, fd, NATSPIPE_DATA_MAX + 1, NET_NO_DEADLINE),
                     GPG_ERR_TOO_LARGE);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frames, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
