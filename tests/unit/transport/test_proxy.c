/* The PROXY protocol parser (v1 and v2, spec: HAProxy's proxy-protocol.txt),
 * the trusted-proxy list, and the socket reader that must take exactly the
 * header's bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/proxy.h"

static const uint8_t sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A v2 header: signature, VER_CMD, FAM, length of BODY, BODY. */
static size_t v2(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const uint8_t *body, size_t blen)
{
    memcpy(out, sig, 12);
    out[12] = ver_cmd;
    out[13] = fam;
    out[14] = (uint8_t)(blen >> 8);
    out[15] = (uint8_t)blen;
    if (blen)
        memcpy(out + 16, body, blen);
    return 16 + blen;
}

static gpg_err_code_t parse_str(const char *s, struct proxy_info *pi, size_t *consumed)
{
    return proxy_parse((const uint8_t *)s, strlen(s), pi, consumed);
}

static void expect_fail_str(const char *s, gpg_err_code_t want)
{
    struct proxy_info pi;
    size_t consumed = 99;
    gpg_err_code_t err = parse_str(s, &pi, &consumed);
    if (err != want)
        fail_msg("'%s': got %d (%s), want %d", s, err, seal_detail() ? seal_detail() : "-", want);
    assert_int_equal(consumed, 0);
    assert_int_equal(pi.version, 0); /* output cleared */
    seal_clear_detail();
}

/* Every strict prefix of a valid header asks for more, never for more bytes
 * than the header has: a caller reading exactly the hint never reads into
 * the envelope. */
static void expect_prefixes_need_more(const uint8_t *h, size_t hlen)
{
    for (size_t n = 0; n < hlen; n++) {
        struct proxy_info pi;
        size_t hint = 0;
        assert_int_equal(proxy_parse(h, n, &pi, &hint), GPG_ERR_EAGAIN);
        assert_true(hint > n);
        assert_true(hint <= hlen);
    }
    assert_null(seal_detail()); /* asking for more is not a failure */
}

static void addr_text(const struct proxy_addr *a, char *out)
{
    proxy_addr_format(a, out, PROXY_ADDR_STRLEN);
}

/* ---- version 1 ---- */

/* The spec's example (2.1), followed by the request it precedes. */
static void test_v1_spec_example(void **state)
{
    (void)state;
    const char *line = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
    char wire[128];
    snprintf(wire, sizeof wire, "%sGET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n", line);
    struct proxy_info pi;
    size_t consumed;
    assert_int_equal(parse_str(wire, &pi, &consumed), 0);
    assert_int_equal(consumed, strlen(line));
    assert_int_equal(pi.version, 1);
    assert_false(pi.local);
    char a[PROXY_ADDR_STRLEN];
    addr_text(&pi.src, a);
    assert_string_equal(a, "192.168.0.1:56324");
    addr_text(&pi.dst, a);
    assert_string_equal(a, "192.168.0.11:443");
    expect_prefixes_need_more((const uint8_t *)line, strlen(line));
}

/* The maximum lengths the spec lists: 56, 104, 15 and 107 bytes. */
static void test_v1_spec_maximum_lengths(void **state)
{
    (void)state;
    const char *tcp4 = "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
    const char *tcp6 = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    const char *unk = "PROXY UNKNOWN\r\n";
    const char *worst = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    assert_int_equal(strlen(tcp4), 56);
    assert_int_equal(strlen(tcp6), 104);
    assert_int_equal(strlen(unk), 15);
    assert_int_equal(strlen(worst), 107);
    struct proxy_info pi;
    size_t consumed;
    assert_int_equal(parse_str(tcp4, &pi, &consumed), 0);
    assert_int_equal(consumed, 56);
    assert_int_equal(pi.src.port, 65535);
    assert_int_equal(parse_str(tcp6, &pi, &consumed), 0);
    assert_int_equal(consumed, 104);
    assert_int_equal(pi.src.family, AF_INET6);
    assert_memory_equal(pi.dst.addr,
                        "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 16);
    assert_int_equal(parse_str(unk, &pi, &consumed), 0);
    assert_int_equal(consumed, 15);
    assert_true(pi.local);
    assert_int_equal(parse_str(worst, &pi, &consumed), 0);
    assert_int_equal(consumed, 107);
    assert_true(pi.local);
    expect_prefixes_need_more((const uint8_t *)worst, strlen(worst));
    expect_prefixes_need_more((const uint8_t *)tcp6, strlen(tcp6));
}

static void test_v1_ipv6_forms(void **state)
{
    (void)state;
    struct proxy_info pi;
    size_t consumed;
    assert_int_equal(parse_str("PROXY TCP6 ::1 2001:DB8::a 1 0\r\n", &pi, &consumed), 0);
    char a[PROXY_ADDR_STRLEN];
    addr_text(&pi.src, a);
    assert_string_equal(a, "[::1]:1");
    addr_text(&pi.dst, a);
    assert_string_equal(a, "[2001:db8::a]:0");
    expect_fail_str("PROXY TCP6 1::2::3 ::1 1 2\r\n", GPG_ERR_INV_DATA);
    expect_fail_str("PROXY TCP6 12345:: ::1 1 2\r\n", GPG_ERR_INV_DATA);
    expect_fail_str("PROXY TCP6 [::1] ::1 1 2\r\n", GPG_ERR_INV_DATA);
}

/* Past 107 bytes without a CRLF the line is refused, not waited for. */
static void test_v1_overlong(void **state)
{
    (void)state;
    char line[200];
    memset(line, 'f', sizeof line);
    memcpy(line, "PROXY UNKNOWN ", 14);
    line[sizeof line - 1] = '\0';
    /* 107 bytes with no CRLF yet: refused at once. */
    line[107] = '\0';
    expect_fail_str(line, GPG_ERR_TOO_LARGE);
    /* 106 bytes: might still end in CRLF. */
    struct proxy_info pi;
    size_t hint;
    assert_int_equal(proxy_parse((const uint8_t *)line, 106, &pi, &hint), GPG_ERR_EAGAIN);
    assert_int_equal(hint, 107);
    /* A CR as the 107th byte: the line would be 108 bytes. */
    line[106] = '\r';
    expect_fail_str(line, GPG_ERR_TOO_LARGE);
    /* CRLF at 106..107 completes a 107-byte line. */
    line[105] = '\r';
    line[106] = '\n';
    assert_int_equal(parse_str(line, &pi, &hint), 0);
    assert_int_equal(hint, 107);
}

static void test_v1_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",      /* protocol */
        "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n",      /* case */
        "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n",     /* two spaces */
        "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",     /* two spaces */
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",     /* trailing space */
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",    /* extra field */
        "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",        /* missing port */
        "PROXY TCP4 1.2.3.4 5.6.7.8\r\n",          /* missing ports */
        "PROXY TCP4\r\n",                          /* nothing */
        "PROXY \r\n",                              /* no protocol */
        "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n",     /* heading zero */
        "PROXY TCP4 1.2.3.4 5.6.7.256 1 2\r\n",    /* octet > 255 */
        "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n",        /* three octets */
        "PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n",    /* five octets */
        "PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n",     /* empty octet */
        "PROXY TCP4 1.2.3.-4 5.6.7.8 1 2\r\n",     /* sign */
        "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",     /* port heading zero */
        "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",  /* port > 65535 */
        "PROXY TCP4 1.2.3.4 5.6.7.8 100000 2\r\n", /* port digits */
        "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n",     /* port sign */
        "PROXY TCP4 ::1 5.6.7.8 1 2\r\n",          /* family mismatch */
        "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",          /* family mismatch */
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",        /* LF alone */
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",       /* CR alone */
        "PROXY TCP4 1.2.3.4\n5.6.7.8 1 2\r\n",     /* LF inside */
        "PROXY UNKNOWNX\r\n",                      /* not the keyword */
        "PROXY UNKNOWN\n",                         /* LF alone */
        "PROXY UNKNOWN\r\r\n",                     /* CR alone */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_fail_str(bad[i], GPG_ERR_INV_DATA);
    /* A NUL inside the line (strlen cannot pass it). */
    static const uint8_t nul[] = "PROXY TCP4 1.2.3.4\0005.6.7.8 1 2\r\n";
    struct proxy_info pi;
    size_t consumed;
    assert_int_equal(proxy_parse(nul, sizeof nul - 1, &pi, &consumed), GPG_ERR_INV_DATA);
    seal_clear_detail();
}

/* "PROXY UNKNOWN" ignores what follows, up to the CRLF. */
static void test_v1_unknown_ignores_rest(void **state)
{
    (void)state;
    struct proxy_info pi;
    size_t consumed;
    assert_int_equal(parse_str("PROXY UNKNOWN garbage \x01 here\r\nXYZ", &pi, &consumed), 0);
    assert_int_equal(consumed, strlen("PROXY UNKNOWN garbage \x01 here\r\n"));
    assert_true(pi.local);
    assert_int_equal(pi.src.family, 0);
}

/* Refused as soon as the bytes stop matching: other protocols, lowercase,
 * a v2 signature gone wrong. */
static void test_not_proxy_refused_early(void **state)
{
    (void)state;
    expect_fail_str("G", GPG_ERR_INV_DATA);
    expect_fail_str("GET / HTTP/1.1\r\n", GPG_ERR_INV_DATA);
    expect_fail_str("PROX ", GPG_ERR_INV_DATA);
    expect_fail_str("PROXYTCP4", GPG_ERR_INV_DATA);
    expect_fail_str("proxy TCP4", GPG_ERR_INV_DATA);
    expect_fail_str("SEAL", GPG_ERR_INV_DATA);
    uint8_t h[16];
    memcpy(h, sig, sizeof sig);
    h[4] = 0x01; /* the NUL of the signature */
    struct proxy_info pi;
    size_t consumed;
    assert_int_equal(proxy_parse(h, 5, &pi, &consumed), GPG_ERR_INV_DATA);
    seal_clear_detail();
    assert_int_equal(proxy_parse(sig, 11, &pi, &consumed), GPG_ERR_EAGAIN);
    assert_int_equal(consumed, 16);
}

/* ---- version 2 ---- */

static void test_v2_tcp4(void **state)
{
    (void)state;
    static const uint8_t body[] = {192, 0, 2, 1, 198, 51, 100, 7, 0xdc, 0x04, 0x01, 0xbb};
    uint8_t h[64];
    size_t n = v2(h, 0x21, 0x11, body, sizeof body);
    memcpy(h + n, "SEAL...", 7); /* the envelope that follows */
    struct proxy_info pi;
    size_t consumed;
    assert_int_equal(proxy_parse(h, n + 7, &pi, &consumed), 0);
    assert_int_equal(consumed, 28);
    assert_int_equal(pi.version, 2);
    assert_false(pi.local);
    char a[PROXY_ADDR_STRLEN];
    addr_text(&pi.src, a);
    assert_string_equal(a, "192.0.2.1:56324");
    addr_text(&pi.dst, a);
    assert_string_equal(a, "198.51.100.7:443");
    expect_prefixes_need_more(h, n);
    /* The hint after the fixed part is the exact length. */
    assert_int_equal(proxy_parse(h, 16, &pi, &consumed), GPG_ERR_EAGAIN);
    assert_int_equal(consumed, 28);
}

static void test_v2_tcp6_with_tlvs(void **state)
{
    (void)state;
    uint8_t body[128];
    size_t b = 0;
    static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t dst[16] = {[15] = 1};
    memcpy(body + b, src, 16), b += 16;
    memcpy(body + b, dst, 16), b += 16;
    body[b++] = 0x30, body[b++] = 0x39; /* 12345 */
    body[b++] = 0x00, body[b++] = 0x50; /* 80 */
    /* PP2_TYPE_ALPN "h2", PP2_TYPE_CRC32C (not checked), PP2_TYPE_NOOP of 0. */
    memcpy(body + b, "\x01\x00\x02h2", 5), b += 5;
    memcpy(body + b, "\x03\x00\x04\xde\xad\xbe\xef", 7), b += 7;
    memcpy(body + b, "\x04\x00\x00", 3), b += 3;
    uint8_t h[160];
    size_t n = v2(h, 0x21, 0x21, body, b);
    struct proxy_info pi;
    size_t consumed;
    assert_int_equal(proxy_parse(h, n, &pi, &consumed), 0);
    assert_int_equal(consumed, n);
    char a[PROXY_ADDR_STRLEN];
    addr_text(&pi.src, a);
    assert_string_equal(a, "[2001:db8::1]:12345");
    addr_text(&pi.dst, a);
    assert_string_equal(a, "[::1]:80");
    expect_prefixes_need_more(h, n);

    /* A TLV whose length runs past the header, by one byte. */
    h[n - 1] = 0x01; /* the last TLV (NOOP) claims one byte more than is left */
    assert_int_equal(proxy_parse(h, n, &pi, &consumed), GPG_ERR_INV_DATA);
    assert_non_null(strstr(seal_detail(), "TLV"));
    seal_clear_detail();
    /* One or two stray bytes cannot be a TLV. */
    for (size_t extra = 1; extra <= 2; extra++) {
        n = v2(h, 0x21, 0x21, body, 36 + extra);
        assert_int_equal(proxy_parse(h, n, &pi, &consumed), GPG_ERR_INV_DATA);
        seal_clear_detail();
    }
}

/* LOCAL: the proxy's own connection (a health check). The length field is
 * honoured even if addresses are present. */
static void test_v2_local(void **state)
{
    (void)state;
    uint8_t h[64];
    struct proxy_info pi;
    size_t consumed;
    size_t n = v2(h, 0x20, 0x00, NULL, 0);
    assert_int_equal(proxy_parse(h, n, &pi, &consumed), 0);
    assert_int_equal(consumed, 16);
    assert_true(pi.local);
    static const uint8_t body[12] = {127, 0, 0, 1, 127, 0, 0, 2, 0, 1, 0, 2};
    n = v2(h, 0x20, 0x11, body, sizeof body);
    assert_int_equal(proxy_parse(h, n, &pi, &consumed), 0);
    assert_int_equal(consumed, 28);
    assert_true(pi.local);
    assert_int_equal(pi.src.family, 0);
}

/* PROXY with a family or protocol we do not relay (UNSPEC, UDP, UNIX):
 * the real endpoints are used (spec 2.2's fallback). */
static void test_v2_fallback_families(void **state)
{
    (void)state;
    static uint8_t body[216];
    uint8_t h[16 + 216];
    struct proxy_info pi;
    size_t consumed;
    static const uint8_t fams[] = {0x00, 0x12, 0x22, 0x31, 0x32, 0x10, 0x01};
    for (size_t i = 0; i < sizeof fams; i++) {
        size_t n = v2(h, 0x21, fams[i], body, sizeof body);
        assert_int_equal(proxy_parse(h, n, &pi, &consumed), 0);
        assert_int_equal(consumed, 16 + 216);
        assert_true(pi.local);
    }
}

static void test_v2_malformed(void **state)
{
    (void)state;
    static const uint8_t body[36];
    uint8_t h[64];
    struct proxy_info pi;
    size_t consumed;
    struct {
        uint8_t ver_cmd, fam;
        size_t blen;
        gpg_err_code_t want;
    } cases[] = {
        {0x11, 0x11, 12, GPG_ERR_UNKNOWN_VERSION}, /* version 1 in binary form */
        {0x31, 0x11, 12, GPG_ERR_UNKNOWN_VERSION}, /* version 3 */
        {0x01, 0x11, 12, GPG_ERR_UNKNOWN_VERSION}, /* version 0 */
        {0x22, 0x11, 12, GPG_ERR_INV_DATA},        /* command 2 */
        {0x2f, 0x11, 12, GPG_ERR_INV_DATA},        /* command 15 */
        {0x21, 0x41, 12, GPG_ERR_INV_DATA},        /* family 4 */
        {0x21, 0x13, 12, GPG_ERR_INV_DATA},        /* protocol 3 */
        {0x21, 0xff, 12, GPG_ERR_INV_DATA},        /* both */
        {0x20, 0x41, 0, GPG_ERR_INV_DATA},         /* LOCAL with family 4 */
        {0x21, 0x11, 11, GPG_ERR_INV_DATA},        /* IPv4 block short */
        {0x21, 0x11, 0, GPG_ERR_INV_DATA},         /* IPv4 block absent */
        {0x21, 0x21, 35, GPG_ERR_INV_DATA},        /* IPv6 block short */
        {0x21, 0x21, 12, GPG_ERR_INV_DATA},        /* IPv4-sized block for IPv6 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = v2(h, cases[i].ver_cmd, cases[i].fam, body, cases[i].blen);
        gpg_err_code_t err = proxy_parse(h, n, &pi, &consumed);
        if (err != cases[i].want)
            fail_msg("case %zu: got %d, want %d", i, err, cases[i].want);
        assert_int_equal(consumed, 0);
        assert_int_equal(pi.version, 0);
        seal_clear_detail();
    }
}

/* The cap: 536 bytes in all (the smallest TCP segment), judged from the
 * length field before any address byte arrives. */
static void test_v2_size_cap(void **state)
{
    (void)state;
    static uint8_t h[PROXY_V2_MAX + 16];
    struct proxy_info pi;
    size_t consumed;
    static uint8_t body[PROXY_V2_MAX];
    /* An IPv4 block and a NOOP TLV filling the rest exactly. */
    size_t blen = PROXY_V2_MAX - 16;
    body[12] = 0x04;
    body[13] = (uint8_t)((blen - 15) >> 8);
    body[14] = (uint8_t)(blen - 15);
    size_t n = v2(h, 0x21, 0x11, body, blen);
    assert_int_equal(n, PROXY_V2_MAX);
    assert_int_equal(proxy_parse(h, n, &pi, &consumed), 0);
    assert_int_equal(consumed, PROXY_V2_MAX);
    h[15]++; /* one more byte announced */
    assert_int_equal(proxy_parse(h, 16, &pi, &consumed), GPG_ERR_TOO_LARGE);
    seal_clear_detail();
    h[14] = h[15] = 0xff; /* 65535 */
    assert_int_equal(proxy_parse(h, 16, &pi, &consumed), GPG_ERR_TOO_LARGE);
    seal_clear_detail();
}

/* Random bytes and random mutations of valid headers: the parser never
 * reads past LEN (ASan in CI), and its answers keep their contract. */
static void test_random_inputs_keep_contract(void **state)
{
    (void)state;
    static const uint8_t tcp4[] = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
    uint8_t v2h[64];
    static const uint8_t body[12] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 9, 0, 10};
    size_t v2n = v2(v2h, 0x21, 0x11, body, sizeof body);
    srand(11);
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t buf[PROXY_HEADER_MAX + 8];
        size_t len;
        int kind = iter % 3;
        if (kind == 0) {
            len = (size_t)rand() % sizeof buf;
            for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)rand();
            if (len > 0 && rand() % 2)
                buf[0] = (rand() % 2) ? 'P' : 0x0d;
        } else {
            const uint8_t *base = kind == 1 ? tcp4 : v2h;
            len = kind == 1 ? sizeof tcp4 - 1 : v2n;
            memcpy(buf, base, len);
            for (int m = 0; m < 1 + rand() % 3; m++)
                buf[(size_t)rand() % len] = (uint8_t)rand();
            len = (size_t)rand() % (len + 1);
        }
        /* Exact-size copy so ASan sees a read past LEN. */
        uint8_t *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, buf, len);
        struct proxy_info pi;
        size_t consumed;
        gpg_err_code_t err = proxy_parse(exact, len, &pi, &consumed);
        if (err == 0) {
            assert_true(consumed >= PROXY_HEADER_MIN && consumed <= len);
            assert_true(pi.version == 1 || pi.version == 2);
        } else if (err == GPG_ERR_EAGAIN) {
            assert_true(consumed > len && consumed <= PROXY_HEADER_MAX);
        } else {
            assert_int_equal(consumed, 0);
            assert_non_null(seal_detail());
        }
        seal_clear_detail();
        free(exact);
    }
}

/* ---- the trusted list ---- */

static struct proxy_addr ip(const char *text)
{
    struct proxy_addr a = {0};
    a.family = strchr(text, ':') ? AF_INET6 : AF_INET;
    assert_int_equal(inet_pton(a.family, text, a.addr), 1);
    return a;
}

static void test_allow_list(void **state)
{
    (void)state;
    struct proxy_allow allow;
    assert_int_equal(
        proxy_allow_parse("127.0.0.1,::1,10.0.0.0/8,2001:db8::/32,192.0.2.128/25", &allow), 0);
    assert_int_equal(allow.count, 5);
    struct proxy_addr a = ip("127.0.0.1");
    assert_true(proxy_allow_match(&allow, &a));
    a = ip("127.0.0.2");
    assert_false(proxy_allow_match(&allow, &a));
    a = ip("::1");
    assert_true(proxy_allow_match(&allow, &a));
    a = ip("::2");
    assert_false(proxy_allow_match(&allow, &a));
    a = ip("10.255.1.2");
    assert_true(proxy_allow_match(&allow, &a));
    a = ip("11.0.0.0");
    assert_false(proxy_allow_match(&allow, &a));
    a = ip("2001:db8:ffff::7");
    assert_true(proxy_allow_match(&allow, &a));
    a = ip("2001:db9::");
    assert_false(proxy_allow_match(&allow, &a));
    a = ip("192.0.2.129");
    assert_true(proxy_allow_match(&allow, &a));
    a = ip("192.0.2.127");
    assert_false(proxy_allow_match(&allow, &a));
    /* What a dual-stack socket reports for an IPv4 peer. */
    a = ip("::ffff:127.0.0.1");
    assert_true(proxy_allow_match(&allow, &a));
    a = ip("::ffff:127.0.0.3");
    assert_false(proxy_allow_match(&allow, &a));

    /* /0 is every address of its family, and only of it. */
    assert_int_equal(proxy_allow_parse("0.0.0.0/0", &allow), 0);
    a = ip("203.0.113.9");
    assert_true(proxy_allow_match(&allow, &a));
    a = ip("2001:db8::1");
    assert_false(proxy_allow_match(&allow, &a));
    /* An empty list matches nothing. */
    memset(&allow, 0, sizeof allow);
    a = ip("127.0.0.1");
    assert_false(proxy_allow_match(&allow, &a));
}

static void test_allow_list_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        ",",
        "127.0.0.1,",
        ",127.0.0.1",
        "127.0.0.1,,::1",
        "127.0.0.1 ",
        " 127.0.0.1",
        "localhost",
        "127.0.0.1:80",
        "[::1]",
        "10.0.0.1/8",
        "10.0.0.0/33",
        "10.0.0.0/",
        "10.0.0.0/08",
        "::/129",
        "2001:db8::1/32",
        "1.2.3",
        "1.2.3.4/-1",
        "999.1.1.1",
        "127.0.0.1/32/1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct proxy_allow allow;
        gpg_err_code_t err = proxy_allow_parse(bad[i], &allow);
        if (err != GPG_ERR_INV_VALUE)
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(allow.count, 0);
        assert_non_null(strstr(seal_detail(), "--proxy-from"));
        seal_clear_detail();
    }
    /* At most PROXY_ALLOW_MAX items. */
    char list[PROXY_ALLOW_MAX * 16 + 16] = "";
    for (int i = 0; i <= PROXY_ALLOW_MAX; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s10.0.%d.1", i ? "," : "", i);
    struct proxy_allow allow;
    assert_int_equal(proxy_allow_parse(list, &allow), GPG_ERR_INV_VALUE);
    seal_clear_detail();
    *strrchr(list, ',') = '\0';
    assert_int_equal(proxy_allow_parse(list, &allow), 0);
    assert_int_equal(allow.count, PROXY_ALLOW_MAX);
}

static void test_sockaddr_conversions(void **state)
{
    (void)state;
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(4242)};
    inet_pton(AF_INET6, "::ffff:192.0.2.7", &in6.sin6_addr);
    struct proxy_addr a;
    assert_int_equal(proxy_addr_from_sockaddr((struct sockaddr *)&in6, sizeof in6, &a), 0);
    char text[PROXY_ADDR_STRLEN];
    addr_text(&a, text);
    assert_string_equal(text, "192.0.2.7:4242");
    struct sockaddr_storage ss;
    socklen_t sl;
    proxy_addr_to_sockaddr(&a, &ss, &sl);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(sl, sizeof(struct sockaddr_in));
    struct sockaddr_un_like {
        sa_family_t family;
        char path[20];
    } un = {.family = AF_UNIX};
    assert_int_equal(proxy_addr_from_sockaddr((struct sockaddr *)&un, sizeof un, &a),
                     GPG_ERR_INV_VALUE);
    seal_clear_detail();
}

/* ---- from a socket ---- */

/* The reader takes exactly the header: the envelope's first byte is the
 * next one read. */
static void test_read_fd_takes_exactly_the_header(void **state)
{
    (void)state;
    static const char *const heads[] = {"PROXY TCP4 192.0.2.1 192.0.2.2 1000 2000\r\n",
                                        "PROXY UNKNOWN\r\n"};
    for (size_t i = 0; i < 3; i++) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        uint8_t wire[128];
        size_t n;
        if (i < 2) {
            n = strlen(heads[i]);
            memcpy(wire, heads[i], n);
        } else {
            static const uint8_t body[12] = {127, 0, 0, 9, 127, 0, 0, 2, 0, 1, 0, 2};
            n = v2(wire, 0x21, 0x11, body, sizeof body);
        }
        memcpy(wire + n, "ENVELOPE", 8);
        assert_int_equal(write(sv[1], wire, n + 8), (ssize_t)(n + 8));
        close(sv[1]);
        struct proxy_info pi;
        assert_int_equal(proxy_read_fd(sv[0], 5000, &pi), 0);
        char rest[16] = {0};
        assert_int_equal(read(sv[0], rest, sizeof rest), 8);
        assert_string_equal(rest, "ENVELOPE");
        close(sv[0]);
    }
}

static void test_read_fd_probe_truncation_timeout(void **state)
{
    (void)state;
    int sv[2];
    struct proxy_info pi;
    /* Connect and close: a health probe. */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    close(sv[1]);
    assert_int_equal(proxy_read_fd(sv[0], 5000, &pi), GPG_ERR_EOF);
    close(sv[0]);
    /* Closed inside the header. */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(write(sv[1], "PROXY TCP4 1.2", 14), 14);
    close(sv[1]);
    assert_int_equal(proxy_read_fd(sv[0], 5000, &pi), GPG_ERR_TRUNCATED);
    seal_clear_detail();
    close(sv[0]);
    /* Garbage: refused. */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(write(sv[1], "SEAL\x01", 5), 5);
    assert_int_equal(proxy_read_fd(sv[0], 5000, &pi), GPG_ERR_INV_DATA);
    seal_clear_detail();
    close(sv[0]);
    close(sv[1]);
    /* Silent after a partial header: the deadline ends it. */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(write(sv[1], "PROXY ", 6), 6);
    assert_int_equal(proxy_read_fd(sv[0], 50, &pi), GPG_ERR_TIMEOUT);
    seal_clear_detail();
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_spec_example),
        cmocka_unit_test(test_v1_spec_maximum_lengths),
        cmocka_unit_test(test_v1_ipv6_forms),
        cmocka_unit_test(test_v1_overlong),
        cmocka_unit_test(test_v1_malformed),
        cmocka_unit_test(test_v1_unknown_ignores_rest),
        cmocka_unit_test(test_not_proxy_refused_early),
        cmocka_unit_test(test_v2_tcp4),
        cmocka_unit_test(test_v2_tcp6_with_tlvs),
        cmocka_unit_test(test_v2_local),
        cmocka_unit_test(test_v2_fallback_families),
        cmocka_unit_test(test_v2_malformed),
        cmocka_unit_test(test_v2_size_cap),
        cmocka_unit_test(test_random_inputs_keep_contract),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_allow_list_refusals),
        cmocka_unit_test(test_sockaddr_conversions),
        cmocka_unit_test(test_read_fd_takes_exactly_the_header),
        cmocka_unit_test(test_read_fd_probe_truncation_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
