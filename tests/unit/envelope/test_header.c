/* The envelope header codec (man/seal.5 "Header", rules R1-R6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "envelope/header.h"
#include "envelope_util.h"

static uint8_t fprs[3][SEAL_FPR_LEN];
static uint8_t wrapped[3][1024];
static const size_t wlens[3] = {256, 384, 1024};

/* A valid 3-recipient header in *OUT (malloc'd). */
static size_t make_header(uint8_t **out, size_t n)
{
    struct envelope_header h;
    struct writer w;
    memset(&h, 0, sizeof h);
    h.version = ENVELOPE_VERSION;
    h.n = n;
    for (size_t i = 0; i < n; i++) {
        memset(fprs[i], 0x10 + (int)i, SEAL_FPR_LEN);
        for (size_t j = 0; j < sizeof wrapped[i]; j++)
            wrapped[i][j] = (uint8_t)(j * 7 + i);
        h.stanza[i].fpr = fprs[i];
        h.stanza[i].wrapped = wrapped[i];
        h.stanza[i].wrapped_len = wlens[i];
    }
    writer_init(&w, ENVELOPE_HEADER_MAX, false);
    assert_int_equal(envelope_header_encode(&h, &w), 0);
    size_t len;
    *out = writer_steal(&w, &len);
    return len;
}

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 3);
    assert_int_equal(len, 11 + 3 * 34 + 256 + 384 + 1024);
    assert_memory_equal(b, "\x89SEAL\r\n\x1a\x01\x00\x03", 11);
    struct envelope_header h;
    size_t need = 99;
    assert_int_equal(envelope_header_parse(b, len, &h, &need), 0);
    assert_int_equal(need, 0);
    assert_int_equal(h.version, 1);
    assert_int_equal(h.n, 3);
    assert_int_equal(h.len, len);
    for (size_t i = 0; i < 3; i++) {
        assert_memory_equal(h.stanza[i].fpr, fprs[i], SEAL_FPR_LEN);
        assert_int_equal(h.stanza[i].wrapped_len, wlens[i]);
        assert_memory_equal(h.stanza[i].wrapped, wrapped[i], wlens[i]);
        assert_int_equal(envelope_header_find(&h, fprs[i]), (int)i);
    }
    uint8_t other[SEAL_FPR_LEN] = {0};
    assert_int_equal(envelope_header_find(&h, other), -1);
    free(b);
}

/* Bytes after the header are not the parser's business. */
static void test_trailing_bytes_ignored(void **state)
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 1);
    uint8_t *c = malloc(len + 10);
    memcpy(c, b, len);
    memset(c + len, 0xee, 10);
    struct envelope_header h;
    size_t need;
    assert_int_equal(envelope_header_parse(c, len + 10, &h, &need), 0);
    assert_int_equal(h.len, len);
    free(b);
    free(c);
}

static gpg_err_code_t parse_mut(const uint8_t *b, size_t len, size_t off, uint8_t v)
{
    uint8_t *c = malloc(len);
    memcpy(c, b, len);
    c[off] = v;
    struct envelope_header h;
    size_t need;
    seal_clear_detail();
    gpg_err_code_t e = envelope_header_parse(c, len, &h, &need);
    free(c);
    return e;
}

static void test_bad_magic(void **state) /* R1 */
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 1);
    for (size_t i = 0; i < ENVELOPE_MAGIC_LEN; i++) {
        assert_int_equal(parse_mut(b, len, i, b[i] ^ 0x01), GPG_ERR_INV_DATA);
        assert_non_null(seal_detail());
    }
    /* A short non-envelope is "not an envelope", not "truncated". */
    struct envelope_header h;
    size_t need;
    assert_int_equal(envelope_header_parse((const uint8_t *)"hi", 2, &h, &need), GPG_ERR_INV_DATA);
    free(b);
}

static void test_unknown_version(void **state) /* R2 */
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 1);
    assert_int_equal(parse_mut(b, len, 8, 0), GPG_ERR_UNKNOWN_VERSION);
    assert_int_equal(parse_mut(b, len, 8, 2), GPG_ERR_UNKNOWN_VERSION);
    assert_int_equal(parse_mut(b, len, 8, 0xff), GPG_ERR_UNKNOWN_VERSION);
    /* Judged before the rest is read: 9 bytes are enough. */
    b[8] = 2;
    struct envelope_header h;
    size_t need;
    assert_int_equal(envelope_header_parse(b, 9, &h, &need), GPG_ERR_UNKNOWN_VERSION);
    free(b);
}

static void test_bad_count(void **state) /* R3 */
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 1);
    assert_int_equal(parse_mut(b, len, 10, 0), GPG_ERR_INV_DATA);
    assert_int_equal(parse_mut(b, len, 10, 65), GPG_ERR_TOO_LARGE);
    /* 0xff00 and 0xffff: refused with only the fixed part present, i.e.
     * before anything is sized by the count. */
    struct envelope_header h;
    size_t need;
    b[9] = 0xff;
    assert_int_equal(envelope_header_parse(b, 11, &h, &need), GPG_ERR_TOO_LARGE);
    b[10] = 0xff;
    assert_int_equal(envelope_header_parse(b, 11, &h, &need), GPG_ERR_TOO_LARGE);
    /* More stanzas announced than present: wants more input. */
    b[9] = 0;
    b[10] = 2;
    assert_int_equal(envelope_header_parse(b, len, &h, &need), GPG_ERR_TRUNCATED);
    assert_int_equal(need, len + SEAL_FPR_LEN);
    free(b);
}

static void test_bad_wrapped_len(void **state) /* R4 */
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 1);
    size_t off = 11 + SEAL_FPR_LEN; /* the u16 */
    struct envelope_header h;
    size_t need;
    const uint16_t bad[] = {0, 1, 255, 1025, 0x8000, 0xffff};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b[off] = (uint8_t)(bad[i] >> 8);
        b[off + 1] = (uint8_t)bad[i];
        /* With the length field as the last byte present: refused before
         * the wrapped key is asked for. */
        assert_int_equal(envelope_header_parse(b, off + 2, &h, &need), GPG_ERR_INV_LENGTH);
        assert_int_equal(envelope_header_parse(b, len, &h, &need), GPG_ERR_INV_LENGTH);
    }
    /* 257 is in range but mismatches the bytes: the parse wants more. */
    b[off] = 1;
    b[off + 1] = 1;
    assert_int_equal(envelope_header_parse(b, len, &h, &need), GPG_ERR_TRUNCATED);
    assert_int_equal(need, len + 1);
    free(b);
}

static void test_duplicate_recipient(void **state) /* R5 */
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 3);
    /* Make stanza 3's fingerprint equal stanza 1's. */
    size_t off3 = 11 + 2 * 34 + 256 + 384;
    memcpy(b + off3, b + 11, SEAL_FPR_LEN);
    struct envelope_header h;
    size_t need;
    assert_int_equal(envelope_header_parse(b, len, &h, &need), GPG_ERR_INV_DATA);
    free(b);

    /* The encoder refuses an unknown version (a duplicate stanza is refused
     * before any stanza is built: test_envelope's test_duplicate_recipients). */
    struct envelope_header e;
    struct writer w;
    uint8_t f[SEAL_FPR_LEN] = {1}, wr[256] = {0};
    memset(&e, 0, sizeof e);
    e.stanza[0] = (struct envelope_stanza){f, wr, sizeof wr};
    writer_init(&w, ENVELOPE_HEADER_MAX, false);
    e.n = 1;
    e.version = 2;
    assert_int_equal(envelope_header_encode(&e, &w), GPG_ERR_INV_VALUE);
    writer_free(&w);
}

/* R6: every proper prefix is "need more", asking for a sensible amount. */
static void test_truncation_every_offset(void **state)
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 3);
    for (size_t i = 0; i < len; i++) {
        struct envelope_header h;
        size_t need = 0;
        seal_clear_detail();
        assert_int_equal(envelope_header_parse(b, i, &h, &need), GPG_ERR_TRUNCATED);
        assert_true(need > i);
        assert_true(need <= len);
        /* Streaming callers retry: no detail may stick from a retry. */
        assert_null(seal_detail());
    }
    free(b);
}

/* The streaming reader: exact consumption, short reads, truncation. */
static void test_read_stream(void **state)
{
    (void)state;
    uint8_t *b;
    size_t len = make_header(&b, 3);
    uint8_t *c = malloc(len + 3);
    memcpy(c, b, len);
    memcpy(c + len, "xyz", 3);
    uint8_t *buf = malloc(ENVELOPE_HEADER_MAX);
    struct mem_source m;
    struct byte_source src = mem_source_init(&m, c, len + 3);
    m.max_read = 7;
    struct envelope_header h;
    assert_int_equal(envelope_header_read(&src, buf, &h), 0);
    assert_int_equal(h.len, len);
    assert_int_equal(m.off, len); /* nothing after the header consumed */
    assert_memory_equal(buf, b, len);

    /* Empty input is not an envelope (R1), not a truncated one: nothing
     * was cut off, the sender sent nothing. */
    src = mem_source_init(&m, c, 0);
    seal_clear_detail();
    assert_int_equal(envelope_header_read(&src, buf, &h), GPG_ERR_INV_DATA);
    assert_string_equal(seal_detail(), "empty input, not a sealed envelope");

    const size_t cuts[] = {1, 5, 8, 9, 10, 11, 30, 43, 45, 300, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        src = mem_source_init(&m, c, cuts[i]);
        seal_clear_detail();
        gpg_err_code_t e = envelope_header_read(&src, buf, &h);
        assert_int_equal(e, GPG_ERR_TRUNCATED);
        assert_non_null(seal_detail());
    }
    src = mem_source_init(&m, c, 1);
    seal_clear_detail();
    assert_int_equal(envelope_header_read(&src, buf, &h), GPG_ERR_TRUNCATED);
    assert_string_equal(seal_detail(), "envelope ends inside the header (after 1 byte)");
    /* Not an envelope at all. */
    src = mem_source_init(&m, "hello, world", 12);
    assert_int_equal(envelope_header_read(&src, buf, &h), GPG_ERR_INV_DATA);
    free(buf);
    free(b);
    free(c);
}

/* The largest legal header parses; the caps add up. */
static void test_max_header(void **state)
{
    (void)state;
    uint8_t *buf = malloc(ENVELOPE_HEADER_MAX);
    memcpy(buf, envelope_magic, 8);
    buf[8] = 1;
    buf[9] = 0;
    buf[10] = 64;
    size_t off = 11;
    for (int i = 0; i < 64; i++) {
        memset(buf + off, i, SEAL_FPR_LEN);
        off += SEAL_FPR_LEN;
        buf[off++] = 0x04;
        buf[off++] = 0x00;
        memset(buf + off, 0xaa, 1024);
        off += 1024;
    }
    assert_int_equal(off, ENVELOPE_HEADER_MAX);
    assert_int_equal(ENVELOPE_HEADER_MAX, 67723);
    struct envelope_header h;
    size_t need;
    assert_int_equal(envelope_header_parse(buf, off, &h, &need), 0);
    assert_int_equal(h.n, 64);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),          cmocka_unit_test(test_trailing_bytes_ignored),
        cmocka_unit_test(test_bad_magic),           cmocka_unit_test(test_unknown_version),
        cmocka_unit_test(test_bad_count),           cmocka_unit_test(test_bad_wrapped_len),
        cmocka_unit_test(test_duplicate_recipient), cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_read_stream),         cmocka_unit_test(test_max_header),
    };
    if (seal_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
