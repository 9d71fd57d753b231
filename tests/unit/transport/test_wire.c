/* The reply line: the one valid encoding of OK and ERR is accepted, and
 * every near miss is refused with nothing filled in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transport/wire.h"

#define ID "000102030405060708090a0b0c0d0e0f"
#define RC "cTvM2H3WS8V0hCiY0zoJm9BiStNNKjARct9CSG6xAUM"

static gpg_err_code_t parse(const char *s, struct wire_reply *r)
{
    return wire_parse_reply((const uint8_t *)s, strlen(s), r);
}

static void test_ok(void **state)
{
    (void)state;
    struct wire_reply r;
    assert_int_equal(parse("OK " ID " " RC "\n", &r), 0);
    assert_int_equal(r.kind, WIRE_OK);
    for (int i = 0; i < 16; i++)
        assert_int_equal(r.envelope_id[i], i);
    assert_string_equal(r.receipt, RC);
}

static void test_err(void **state)
{
    (void)state;
    struct wire_reply r;
    assert_int_equal(parse("ERR temp disk full\n", &r), 0);
    assert_int_equal(r.kind, WIRE_ERR_TEMP);
    assert_string_equal(r.reason, "disk full");
    assert_int_equal(parse("ERR perm too big\n", &r), 0);
    assert_int_equal(r.kind, WIRE_ERR_PERM);
    assert_string_equal(r.reason, "too big");
}

static void test_refused(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "\n",
        "OK\n",
        "OK " ID " " RC,                                            /* no LF */
        "OK " ID " " RC "\r\n",                                     /* CRLF */
        "OK " ID " " RC "\n\n",                                     /* bytes after the line */
        "OK " ID "  " RC "\n",                                      /* two spaces */
        "OK 000102030405060708090A0B0C0D0E0F " RC "\n",             /* uppercase hex */
        "OK 000102030405060708090a0b0c0d0e " RC "\n",               /* short ID */
        "OK " ID " cTvM2H3WS8V0hCiY0zoJm9BiStNNKjARct9CSG6xAU\n",   /* 42 chars */
        "OK " ID " cTvM2H3WS8V0hCiY0zoJm9BiStNNKjARct9CSG6xAUMM\n", /* 44 chars */
        "OK " ID " cTvM2H3WS8V0hCiY0zoJm9BiStNNKjARct9CSG6xAUN\n",  /* unused bits set */
        "OK " ID " cTvM2H3WS8V0hCiY0zoJm9BiStNNKjARct9CSG6xA+M\n",  /* not base64url */
        "OK " ID " cTvM2H3WS8V0hCiY0zoJm9BiStNNKjARct9CSG6xAU=\n",  /* padding */
        "ok " ID " " RC "\n",
        "ERR\n",
        "ERR temp\n",
        "ERR temp \n", /* empty reason */
        "ERR soon later\n",
        "ERR temp tab\there\n",
        "ERR temp caf\xc3\xa9\n",
        "ERR perm x\ny\n",
        "HELLO\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct wire_reply r;
        memset(&r, 0xaa, sizeof r);
        if (parse(bad[i], &r) == 0)
            fail_msg("accepted case %zu: %s", i, bad[i]);
        static const struct wire_reply zero;
        assert_memory_equal(&r, &zero, sizeof r);
    }
}

static void test_reason_cap(void **state)
{
    (void)state;
    char line[WIRE_LINE_MAX + 8];
    struct wire_reply r;
    memcpy(line, "ERR temp ", 9);
    memset(line + 9, 'x', WIRE_REASON_MAX);
    line[9 + WIRE_REASON_MAX] = '\n';
    assert_int_equal(wire_parse_reply((uint8_t *)line, 10 + WIRE_REASON_MAX, &r), 0);
    assert_int_equal(strlen(r.reason), WIRE_REASON_MAX);
    memset(line + 9, 'x', WIRE_REASON_MAX + 1);
    line[10 + WIRE_REASON_MAX] = '\n';
    assert_int_not_equal(wire_parse_reply((uint8_t *)line, 11 + WIRE_REASON_MAX, &r), 0);
}

/* Every prefix of a valid line is refused (a cut connection is no reply). */
static void test_prefixes(void **state)
{
    (void)state;
    const char *ok = "OK " ID " " RC "\n";
    struct wire_reply r;
    for (size_t n = 0; n < strlen(ok); n++)
        assert_int_not_equal(wire_parse_reply((const uint8_t *)ok, n, &r), 0);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    uint8_t id[16];
    char line[WIRE_LINE_MAX + 1];
    struct wire_reply r;
    for (int i = 0; i < 16; i++)
        id[i] = (uint8_t)(0xf0 + i);
    size_t n = wire_format_ok(id, RC, line);
    assert_int_equal(wire_parse_reply((uint8_t *)line, n, &r), 0);
    assert_memory_equal(r.envelope_id, id, 16);
    n = wire_format_err(WIRE_ERR_PERM, "bad\x01\nreason", line);
    assert_int_equal(wire_parse_reply((uint8_t *)line, n, &r), 0);
    assert_string_equal(r.reason, "bad??reason");
    n = wire_format_err(WIRE_ERR_TEMP, "", line);
    assert_int_equal(wire_parse_reply((uint8_t *)line, n, &r), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok),       cmocka_unit_test(test_err),
        cmocka_unit_test(test_refused),  cmocka_unit_test(test_reason_cap),
        cmocka_unit_test(test_prefixes), cmocka_unit_test(test_format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
