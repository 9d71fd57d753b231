/*
 * ASCII armor (src/armor.c): round trips at many sizes with ragged feeding,
 * the exact text for RFC 4648's examples, CRLF input, and each strictness
 * rule of the decoder on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope/armor.h"
#include "crypto/crypto.h"

/* ---- helpers ------------------------------------------------------------ */

struct mem {
    uint8_t *p;
    size_t n, cap;
    size_t fail_after; /* sink: fail once this many bytes were taken (0 = never) */
};

static void mem_put(struct mem *m, const void *p, size_t n)
{
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2 + 64;
        m->p = realloc(m->p, m->cap);
        assert_non_null(m->p);
    }
    if (n > 0)
        memcpy(m->p + m->n, p, n);
    m->n += n;
}

static void mem_puts(struct mem *m, const char *s)
{
    mem_put(m, s, strlen(s));
}

static gpg_err_code_t mem_sink_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct mem *m = ctx;

    if (m->fail_after > 0 && m->n + n > m->fail_after)
        return GPG_ERR_ENOSPC;
    mem_put(m, buf, n);
    return 0;
}

/* A source serving DATA in pieces of pseudo-random size (1..MAXPIECE). */
struct src {
    const uint8_t *p;
    size_t n, off;
    size_t maxpiece;
    uint32_t rng;
    gpg_err_code_t fail; /* returned once everything was served, instead of EOF */
    size_t served;
};

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static gpg_err_code_t src_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    struct src *s = ctx;
    size_t n = s->n - s->off;

    *got = 0;
    if (n == 0 && s->fail)
        return s->fail;
    if (s->maxpiece > 0) {
        size_t piece = 1 + rnd(&s->rng) % s->maxpiece;
        if (n > piece)
            n = piece;
    }
    if (n > cap)
        n = cap;
    memcpy(buf, s->p + s->off, n);
    s->off += n;
    s->served += n;
    *got = n;
    return 0;
}

static struct mem encode(const uint8_t *data, size_t n, size_t maxpiece, uint32_t seed)
{
    struct mem out = {0};
    struct armor_encoder *e = NULL;
    struct byte_sink sink = {mem_sink_write, &out};
    size_t off = 0;

    assert_int_equal(armor_encoder_new(sink, &e), 0);
    while (off < n) {
        size_t piece = maxpiece ? 1 + rnd(&seed) % maxpiece : n - off;
        if (piece > n - off)
            piece = n - off;
        assert_int_equal(armor_encoder_write(e, data + off, piece), 0);
        off += piece;
    }
    assert_int_equal(armor_encoder_finish(e), 0);
    armor_encoder_free(e);
    return out;
}

/* Decodes TEXT, reading with caps of pseudo-random size; returns the code. */
static gpg_err_code_t decode(const uint8_t *text, size_t n, size_t maxpiece, struct mem *out)
{
    struct src s = {text, n, 0, maxpiece, 12345, 0, 0};
    struct byte_source in = {src_read, &s};
    struct armor_decoder *d = NULL;
    gpg_err_code_t r;
    uint32_t seed = 777;
    uint8_t buf[4096];
    size_t got;

    memset(out, 0, sizeof *out);
    assert_int_equal(armor_decoder_new(in, NULL, 0, &d), 0);
    for (;;) {
        size_t cap = maxpiece ? 1 + rnd(&seed) % sizeof buf : sizeof buf;
        if ((r = armor_decoder_read(d, buf, cap, &got)) != 0) {
            size_t again;
            /* Errors are sticky and yield nothing. */
            assert_int_equal(armor_decoder_read(d, buf, sizeof buf, &again), r);
            assert_int_equal(again, 0);
            break;
        }
        if (got == 0)
            break;
        mem_put(out, buf, got);
    }
    armor_decoder_free(d);
    return r;
}

static gpg_err_code_t decode_str(const char *text)
{
    struct mem out;
    gpg_err_code_t r = decode((const uint8_t *)text, strlen(text), 0, &out);

    free(out.p);
    return r;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(rnd(&seed) >> 4);
}

/* Checks the layout of encoder output: BEGIN, 64-column lines, END. */
static void check_layout(const struct mem *m, size_t datalen)
{
    const char *t = (const char *)m->p;
    size_t expect_chars = (datalen + 2) / 3 * 4, chars = 0, off, lines = 0;

    assert_true(m->n >= sizeof ARMOR_BEGIN + sizeof ARMOR_END);
    assert_memory_equal(t, ARMOR_BEGIN "\n", sizeof ARMOR_BEGIN);
    assert_memory_equal(t + m->n - sizeof ARMOR_END, ARMOR_END "\n", sizeof ARMOR_END);
    for (off = sizeof ARMOR_BEGIN; off < m->n - sizeof ARMOR_END;) {
        const char *nl = memchr(t + off, '\n', m->n - off);
        size_t len;
        assert_non_null(nl);
        len = (size_t)(nl - (t + off));
        chars += len;
        lines++;
        if (chars < expect_chars)
            assert_int_equal(len, ARMOR_LINE_CHARS);
        else
            assert_true(len >= 1 && len <= ARMOR_LINE_CHARS);
        off += len + 1;
    }
    assert_int_equal(chars, expect_chars);
    assert_int_equal(lines, (expect_chars + ARMOR_LINE_CHARS - 1) / ARMOR_LINE_CHARS);
}

/* ---- round trips -------------------------------------------------------- */

static void roundtrip(size_t n, size_t maxpiece)
{
    uint8_t *data = malloc(n + 1);
    struct mem text, back;

    assert_non_null(data);
    fill(data, n, (uint32_t)n + 1);
    text = encode(data, n, maxpiece, (uint32_t)n);
    check_layout(&text, n);
    assert_int_equal(decode(text.p, text.n, maxpiece, &back), 0);
    assert_int_equal(back.n, n);
    if (n > 0)
        assert_memory_equal(back.p, data, n);
    free(back.p);
    free(text.p);
    free(data);
}

static void test_roundtrip_sizes(void **state)
{
    static const size_t sizes[] = {0,   1,   2,   3,    4,    5,    46,    47,    48,   49,
                                   50,  63,  64,  65,   95,   96,   97,    143,   144,  145,
                                   191, 192, 193, 1000, 4095, 4096, 65535, 65536, 65537};
    (void)state;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        roundtrip(sizes[i], 0);
        roundtrip(sizes[i], 7);
        roundtrip(sizes[i], 100);
    }
}

static void test_roundtrip_large(void **state)
{
    (void)state;
    roundtrip(3 * 1024 * 1024 + 7, 0);
    roundtrip(3 * 1024 * 1024 + 7, 70000);
    roundtrip(1024 * 1024 + 1, 333);
}

/* RFC 4648 section 10, armored. */
static void test_rfc4648_text(void **state)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const b64[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    (void)state;
    for (size_t i = 0; i < 7; i++) {
        struct mem text = encode((const uint8_t *)in[i], strlen(in[i]), 0, 1);
        char want[200];
        snprintf(want, sizeof want, "%s\n%s%s%s\n", ARMOR_BEGIN, b64[i], *b64[i] ? "\n" : "",
                 ARMOR_END);
        assert_int_equal(text.n, strlen(want));
        assert_memory_equal(text.p, want, text.n);
        free(text.p);
    }
}

/* 48 bytes fill exactly one line; 49 start a second one. */
static void test_line_boundaries(void **state)
{
    uint8_t zeros[49] = {0};
    struct mem t48 = encode(zeros, 48, 0, 1), t49 = encode(zeros, 49, 0, 1);
    const size_t head = sizeof ARMOR_BEGIN, tail = sizeof ARMOR_END;

    (void)state;
    assert_int_equal(t48.n, head + 65 + tail);
    assert_int_equal(t49.n, head + 65 + 5 + tail);
    assert_memory_equal(t49.p + head + 65, "AA==\n", 5);
    free(t48.p);
    free(t49.p);
}

static struct mem armor_of(const char *s)
{
    return encode((const uint8_t *)s, strlen(s), 0, 1);
}

static char *to_crlf(const struct mem *m)
{
    char *out = malloc(m->n * 2 + 1);
    size_t o = 0;

    assert_non_null(out);
    for (size_t i = 0; i < m->n; i++) {
        if (m->p[i] == '\n')
            out[o++] = '\r';
        out[o++] = (char)m->p[i];
    }
    out[o] = '\0';
    return out;
}

static void test_crlf(void **state)
{
    uint8_t data[5000];
    struct mem text, back;
    char *crlf;

    (void)state;
    fill(data, sizeof data, 9);
    text = encode(data, sizeof data, 0, 1);
    crlf = to_crlf(&text);
    assert_int_equal(decode((const uint8_t *)crlf, strlen(crlf), 13, &back), 0);
    assert_int_equal(back.n, sizeof data);
    assert_memory_equal(back.p, data, sizeof data);
    free(back.p);
    free(crlf);
    free(text.p);
}

/* Whitespace around the armor, and a missing final line end, are fine. */
static void test_whitespace_around(void **state)
{
    struct mem text = armor_of("hello, world"), m = {0}, back;

    (void)state;
    mem_puts(&m, "\n \t \n\r\n");
    mem_put(&m, text.p, text.n);
    mem_puts(&m, "\n\t\r\n   ");
    assert_int_equal(decode(m.p, m.n, 0, &back), 0);
    assert_int_equal(back.n, 12);
    assert_memory_equal(back.p, "hello, world", 12);
    free(back.p);
    /* END at the very end of input, without LF. */
    assert_int_equal(decode(text.p, text.n - 1, 0, &back), 0);
    assert_int_equal(back.n, 12);
    free(back.p);
    free(m.p);
    free(text.p);
}

/* ---- strictness: each rule alone ---------------------------------------- */

/* "BEGIN\n" BODY "END\n" */
static gpg_err_code_t decode_body(const char *body)
{
    char text[1024];

    snprintf(text, sizeof text, "%s\n%s%s\n", ARMOR_BEGIN, body, ARMOR_END);
    return decode_str(text);
}

static void test_reject_outside(void **state)
{
    struct mem text = armor_of("abc");
    char buf[512], bad[1100];

    (void)state;
    snprintf(buf, sizeof buf, "%.*s", (int)text.n, (const char *)text.p);
    /* The text itself is fine. */
    assert_int_equal(decode_str(buf), 0);

    snprintf(bad, sizeof bad, "hello\n%s", buf);
    assert_int_equal(decode_str(bad), GPG_ERR_INV_ARMOR); /* text before BEGIN */
    snprintf(bad, sizeof bad, "%sx\n", buf);
    assert_int_equal(decode_str(bad), GPG_ERR_INV_ARMOR); /* text after END */
    snprintf(bad, sizeof bad, "%s\n\nx", buf);
    assert_int_equal(decode_str(bad), GPG_ERR_INV_ARMOR); /* after END, no LF */
    snprintf(bad, sizeof bad, "%s%s", buf, buf);
    assert_int_equal(decode_str(bad), GPG_ERR_INV_ARMOR); /* a second armor */
    snprintf(bad, sizeof bad, "%s\f\n", buf);
    assert_int_equal(decode_str(bad), GPG_ERR_INV_ARMOR); /* other control chars */
    snprintf(bad, sizeof bad, "%s\r\r\n", buf);
    assert_int_equal(decode_str(bad), 0);                /* CR is whitespace, anywhere (seal(5)) */
    assert_int_equal(decode_str(""), GPG_ERR_INV_ARMOR); /* empty input */
    assert_int_equal(decode_str(" \n\t\n"), GPG_ERR_INV_ARMOR); /* only blanks */
    /* Wrong or sloppy marker lines. */
    assert_int_equal(decode_str("-----BEGIN SEALED MESSAGE----- \nYWJj\n-----END SEALED "
                                "MESSAGE-----\n"),
                     GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_str("-----BEGIN PGP MESSAGE-----\nYWJj\n-----END SEALED "
                                "MESSAGE-----\n"),
                     GPG_ERR_INV_ARMOR);
    /* Whitespace before the marker on its own line is whitespace before
     * BEGIN (seal(5)); inside the body it is not. */
    assert_int_equal(decode_str(" -----BEGIN SEALED MESSAGE-----\nYWJj\n-----END SEALED "
                                "MESSAGE-----\n"),
                     0);
    assert_int_equal(decode_str("-----BEGIN SEALED MESSAGE-----\n YWJj\n-----END SEALED "
                                "MESSAGE-----\n"),
                     GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_str("-----BEGIN SEALED MESSAGE-----\nYWJj\n-----END SEALED "
                                "MESSAGE----- \n"),
                     GPG_ERR_INV_ARMOR);
    /* Truncated: no END line, or cut inside a line. */
    assert_int_equal(decode_str("-----BEGIN SEALED MESSAGE-----\nYWJj\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_str("-----BEGIN SEALED MESSAGE-----\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_str("-----BEGIN SEALED MESSAGE-----\nYWJj\n-----END SEA"),
                     GPG_ERR_INV_ARMOR);
    free(text.p);
}

static void test_reject_body(void **state)
{
    const char *l64 = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB";
    char body[512];

    (void)state;
    assert_int_equal(strlen(l64), 64);
    /* The baseline is accepted. */
    snprintf(body, sizeof body, "%s\n%s\nZg==\n", l64, l64);
    assert_int_equal(decode_body(body), 0);
    /* A short line that is not the last. */
    snprintf(body, sizeof body, "%.60s\n%s\n", l64, l64);
    assert_int_equal(decode_body(body), GPG_ERR_INV_ARMOR);
    /* A line longer than 64 (but valid base64 and under the hard cap). */
    snprintf(body, sizeof body, "%sQUFB\n", l64);
    assert_int_equal(decode_body(body), GPG_ERR_INV_ARMOR);
    /* Characters outside the alphabet, whitespace inside a line. */
    assert_int_equal(decode_body("Zm9v*mFy\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zm9v YmFy\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zm9vYmFy \n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zm9v\tmFy\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zm9v-mF_\n"), GPG_ERR_INV_ARMOR); /* base64url */
    assert_int_equal(decode_body("Zm9\rYmFy\n"), GPG_ERR_INV_ARMOR);
    /* Padding in the middle, missing, excessive or non-canonical. */
    assert_int_equal(decode_body("Zg==Zm9v\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zg\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zm9vY\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Z===\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("====\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zg=a\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zh==\n"), GPG_ERR_INV_ARMOR); /* non-zero unused bits */
    assert_int_equal(decode_body("Zm9=\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zg==\n"), 0);
    assert_int_equal(decode_body("Zm8=\n"), 0);
    /* Anything after a padded line, even a full-length one. */
    snprintf(body, sizeof body, "%.60sZg==\n%s\n", l64, l64);
    assert_int_equal(decode_body(body), GPG_ERR_INV_ARMOR);
    snprintf(body, sizeof body, "%.60sZg==\n", l64);
    assert_int_equal(decode_body(body), 0);
    assert_int_equal(decode_body("Zg==\nZg==\n"), GPG_ERR_INV_ARMOR);
    /* Blank or whitespace lines inside the body, and armor headers. */
    snprintf(body, sizeof body, "%s\n\n%s\n", l64, l64);
    assert_int_equal(decode_body(body), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("\nZg==\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zg==\n\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("  \nZg==\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Version: 1\n\nZg==\n"), GPG_ERR_INV_ARMOR);
    assert_int_equal(decode_body("Zg==\n=AAAA\n"), GPG_ERR_INV_ARMOR); /* PGP checksum */
}

/* An endless line is refused after a bounded amount of input. */
static void test_reject_long_line_early(void **state)
{
    const size_t n = 1 << 20;
    char *text = malloc(n);
    struct src s;
    struct byte_source in = {src_read, &s};
    struct armor_decoder *d = NULL;
    uint8_t buf[100];
    size_t got, hdr = strlen(ARMOR_BEGIN "\n");

    (void)state;
    /* abort(), not only assert_non_null: GCC's -Warray-bounds at -O1 with
     * sanitizers cannot see that cmocka's assertion does not return. */
    if (!text)
        abort();
    memset(text, 'A', n);
    memcpy(text, ARMOR_BEGIN "\n", hdr);
    memset(&s, 0, sizeof s);
    s.p = (const uint8_t *)text;
    s.n = n;
    s.maxpiece = 10; /* small reads: the decoder must stop soon after column 76 */
    assert_int_equal(armor_decoder_new(in, NULL, 0, &d), 0);
    assert_int_equal(armor_decoder_read(d, buf, sizeof buf, &got), GPG_ERR_INV_ARMOR);
    assert_int_equal(got, 0);
    assert_true(s.served < hdr + ARMOR_MAX_LINE + 2 + 10);
    armor_decoder_free(d);
    /* Whitespace before BEGIN is not lines: no cap (seal(5)), at the cap or
     * one over it. */
    memset(text, ' ', ARMOR_MAX_LINE);
    text[ARMOR_MAX_LINE] = '\n';
    memcpy(text + ARMOR_MAX_LINE + 1, ARMOR_BEGIN "\nZg==\n" ARMOR_END "\n",
           sizeof ARMOR_BEGIN "\nZg==\n" ARMOR_END "\n");
    assert_int_equal(decode_str(text), 0);
    memset(text, ' ', ARMOR_MAX_LINE + 1);
    text[ARMOR_MAX_LINE + 1] = '\n';
    memcpy(text + ARMOR_MAX_LINE + 2, ARMOR_BEGIN "\nZg==\n" ARMOR_END "\n",
           sizeof ARMOR_BEGIN "\nZg==\n" ARMOR_END "\n");
    assert_int_equal(decode_str(text), 0);
    free(text);
}

static void test_truncated_everywhere(void **state)
{
    uint8_t data[200];
    struct mem text, back;

    (void)state;
    fill(data, sizeof data, 5);
    text = encode(data, sizeof data, 0, 1);
    /* Every cut before the END line's last character fails; (the END line
     * may lack its LF). */
    for (size_t cut = 0; cut + 1 < text.n; cut++) {
        gpg_err_code_t r = decode(text.p, cut, 0, &back);
        if (r == 0)
            fail_msg("armor cut at %zu of %zu decoded", cut, text.n);
        assert_int_equal(r, GPG_ERR_INV_ARMOR);
        free(back.p);
    }
    free(text.p);
}

static void test_inner_error_passes_through(void **state)
{
    struct mem text = armor_of("some bytes");
    struct src s;
    struct byte_source in = {src_read, &s};
    struct armor_decoder *d = NULL;
    uint8_t buf[100];
    size_t got;

    (void)state;
    memset(&s, 0, sizeof s);
    s.p = text.p;
    s.n = text.n - 10; /* then the source fails */
    s.fail = GPG_ERR_EIO;
    assert_int_equal(armor_decoder_new(in, NULL, 0, &d), 0);
    /* The body line decoded before the failure is not delivered either. */
    assert_int_equal(armor_decoder_read(d, buf, sizeof buf, &got), GPG_ERR_EIO);
    assert_int_equal(got, 0);
    assert_int_equal(armor_decoder_read(d, buf, sizeof buf, &got), GPG_ERR_EIO);
    armor_decoder_free(d);
    free(text.p);
}

/* Bytes already read for sniffing are handed back through PREFIX. */
static void test_prefix(void **state)
{
    struct mem text = armor_of("prefix test payload"), back = {0};
    struct src s;
    struct byte_source in = {src_read, &s};
    struct armor_decoder *d = NULL;
    uint8_t buf[100];
    size_t got;

    (void)state;
    assert_true(armor_looks_armored(text.p, 40));
    memset(&s, 0, sizeof s);
    s.p = text.p + 40;
    s.n = text.n - 40;
    assert_int_equal(armor_decoder_new(in, text.p, 40, &d), 0);
    do {
        assert_int_equal(armor_decoder_read(d, buf, sizeof buf, &got), 0);
        mem_put(&back, buf, got);
    } while (got > 0);
    assert_int_equal(back.n, 19);
    assert_memory_equal(back.p, "prefix test payload", 19);
    armor_decoder_free(d);
    assert_int_equal(armor_decoder_new(in, text.p, ARMOR_MAX_PREFIX + 1, &d), GPG_ERR_TOO_LARGE);
    assert_null(d);
    free(back.p);
    free(text.p);
}

static void test_looks_armored(void **state)
{
    const char *b = ARMOR_BEGIN "\n";

    (void)state;
    assert_true(armor_looks_armored((const uint8_t *)b, strlen(b)));
    assert_true(armor_looks_armored((const uint8_t *)"\r\n \t\n" ARMOR_BEGIN "\r\n", 36));
    assert_true(armor_looks_armored((const uint8_t *)ARMOR_BEGIN, strlen(ARMOR_BEGIN)));
    assert_false(armor_looks_armored((const uint8_t *)ARMOR_BEGIN, strlen(ARMOR_BEGIN) - 1));
    assert_false(armor_looks_armored((const uint8_t *)"", 0));
    assert_false(armor_looks_armored((const uint8_t *)"   ", 3));
    assert_false(armor_looks_armored((const uint8_t *)"x" ARMOR_BEGIN, strlen(ARMOR_BEGIN) + 1));
    assert_false(armor_looks_armored((const uint8_t *)"SEAL\x00\x01\x02", 7));
    assert_false(armor_looks_armored((const uint8_t *)"-----BEGIN PGP MESSAGE-----", 27));
}

static void test_encoder_errors(void **state)
{
    struct mem out = {0};
    struct byte_sink sink = {mem_sink_write, &out};
    struct armor_encoder *e = NULL;
    uint8_t *data = calloc(1, 200000);

    (void)state;
    assert_non_null(data);
    out.fail_after = 1000;
    assert_int_equal(armor_encoder_new(sink, &e), 0);
    /* The sink's failure comes back, and stays. */
    assert_int_equal(armor_encoder_write(e, data, 200000), GPG_ERR_ENOSPC);
    assert_int_equal(armor_encoder_write(e, data, 1), GPG_ERR_ENOSPC);
    assert_int_equal(armor_encoder_finish(e), GPG_ERR_ENOSPC);
    armor_encoder_free(e);
    free(out.p);
    memset(&out, 0, sizeof out);
    assert_int_equal(armor_encoder_new(sink, &e), 0);
    assert_int_equal(armor_encoder_finish(e), 0);
    assert_int_equal(armor_encoder_write(e, data, 1), GPG_ERR_INV_STATE);
    assert_int_equal(armor_encoder_finish(e), GPG_ERR_INV_STATE);
    armor_encoder_free(e);
    free(out.p);
    free(data);
}

/* The sink adapter writes through the encoder. */
static void test_encoder_sink(void **state)
{
    struct mem out = {0}, back;
    struct byte_sink sink = {mem_sink_write, &out};
    struct armor_encoder *e = NULL;
    struct byte_sink es;

    (void)state;
    assert_int_equal(armor_encoder_new(sink, &e), 0);
    es = armor_encoder_sink(e);
    assert_int_equal(es.write(es.ctx, (const uint8_t *)"foo", 3), 0);
    assert_int_equal(es.write(es.ctx, (const uint8_t *)"bar", 3), 0);
    assert_int_equal(armor_encoder_finish(e), 0);
    armor_encoder_free(e);
    assert_int_equal(decode(out.p, out.n, 0, &back), 0);
    assert_int_equal(back.n, 6);
    assert_memory_equal(back.p, "foobar", 6);
    free(back.p);
    free(out.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_sizes),
        cmocka_unit_test(test_roundtrip_large),
        cmocka_unit_test(test_rfc4648_text),
        cmocka_unit_test(test_line_boundaries),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_whitespace_around),
        cmocka_unit_test(test_reject_outside),
        cmocka_unit_test(test_reject_body),
        cmocka_unit_test(test_reject_long_line_early),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_inner_error_passes_through),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_looks_armored),
        cmocka_unit_test(test_encoder_errors),
        cmocka_unit_test(test_encoder_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
