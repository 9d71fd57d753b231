/* Strict DER: hostile lengths, non-minimal encodings, depth, and the
 * writer's encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "keys/der.h"

#define R(r, ...)                                                                                  \
    static const uint8_t r##_bytes[] = {__VA_ARGS__};                                              \
    struct reader r;                                                                               \
    reader_init(&r, r##_bytes, sizeof r##_bytes)

static void expect_detail(const char *want)
{
    const char *d = seal_detail();
    if (d == NULL || strstr(d, want) == NULL)
        fail_msg("detail \"%s\" lacks \"%s\"", d ? d : "(none)", want);
    seal_clear_detail();
}

static void test_short_and_long_lengths(void **state)
{
    uint8_t tag;
    size_t len;
    uint8_t buf[300] = {0x04, 0x82, 0x01, 0x00};
    struct reader r;
    (void)state;
    {
        R(a, 0x04, 0x02, 0xaa, 0xbb);
        assert_int_equal(der_get_header(&a, &tag, &len), 0);
        assert_int_equal(tag, 0x04);
        assert_int_equal(len, 2);
        assert_int_equal(reader_remaining(&a), 2);
    }
    reader_init(&r, buf, 4 + 256);
    assert_int_equal(der_get_header(&r, &tag, &len), 0);
    assert_int_equal(len, 256);
    buf[1] = 0x81;
    buf[2] = 0x80;
    reader_init(&r, buf, 3 + 128);
    assert_int_equal(der_get_header(&r, &tag, &len), 0);
    assert_int_equal(len, 128);
}

static void test_indefinite_length(void **state)
{
    uint8_t tag;
    size_t len;
    (void)state;
    R(r, 0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00);
    assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
    expect_detail("indefinite");
    assert_int_equal(reader_remaining(&r), 7); /* nothing consumed */
}

static void test_non_minimal_lengths(void **state)
{
    uint8_t tag;
    size_t len;
    (void)state;
    {
        R(r, 0x04, 0x81, 0x05, 1, 2, 3, 4, 5); /* 5 fits the short form */
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
        expect_detail("not minimal");
    }
    {
        R(r, 0x04, 0x82, 0x00, 0x05, 1, 2, 3, 4, 5); /* leading zero length byte */
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
        expect_detail("not minimal");
    }
    {
        R(r, 0x04, 0x82, 0x00, 0x80); /* 0x80 fits one length byte */
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
        expect_detail("not minimal");
    }
}

static void test_length_of_length_overflow(void **state)
{
    uint8_t tag;
    size_t len;
    (void)state;
    {
        R(r, 0x30, 0x89, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
        expect_detail("overlong");
    }
    {
        R(r, 0x30, 0xff, 0x01);
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
        expect_detail("overlong");
    }
    {
        R(r, 0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00);
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
        expect_detail("overlong");
    }
    {
        R(r, 0x30, 0x84, 0xff, 0xff, 0xff, 0xff); /* 4 GiB */
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
        expect_detail("too large");
    }
    {
        R(r, 0x30, 0x83, 0x01, 0x00, 0x01); /* KEY_FILE_MAX + 1 */
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
        expect_detail("too large");
    }
}

static void test_lengths_past_end(void **state)
{
    uint8_t tag;
    size_t len;
    (void)state;
    {
        R(r, 0x04, 0x03, 0xaa, 0xbb);
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_TRUNCATED);
        expect_detail("past end");
        assert_int_equal(reader_remaining(&r), 4);
    }
    {
        R(r, 0x04, 0x82, 0x01);
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_TRUNCATED);
        seal_clear_detail();
    }
    {
        R(r, 0x04);
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_TRUNCATED);
        seal_clear_detail();
    }
    {
        struct reader r;
        reader_init(&r, NULL, 0);
        assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_TRUNCATED);
        seal_clear_detail();
    }
    {
        /* the inner element overruns its SEQUENCE but not the buffer */
        R(r, 0x30, 0x03, 0x04, 0x03, 0xaa, 0xbb, 0xcc);
        struct reader seq, c;
        assert_int_equal(der_get_sequence(&r, &seq), 0);
        assert_int_equal(der_get_element(&seq, DER_OCTET_STRING, &c), GPG_ERR_TRUNCATED);
        seal_clear_detail();
    }
}

static void test_multibyte_tag(void **state)
{
    uint8_t tag;
    size_t len;
    (void)state;
    R(r, 0x1f, 0x81, 0x00, 0x00);
    assert_int_equal(der_get_header(&r, &tag, &len), GPG_ERR_INV_OBJ);
    expect_detail("multi-byte tag");
}

static void test_wrong_tag(void **state)
{
    struct reader c;
    (void)state;
    R(r, 0x31, 0x00);
    assert_int_equal(der_get_sequence(&r, &c), GPG_ERR_INV_OBJ);
    expect_detail("expected SEQUENCE");
    assert_int_equal(reader_remaining(&r), 2);
}

static void test_integers(void **state)
{
    const uint8_t *p;
    size_t n;
    (void)state;
    {
        R(r, 0x02, 0x01, 0x00);
        assert_int_equal(der_get_integer(&r, 8, &p, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(p[0], 0);
    }
    {
        R(r, 0x02, 0x02, 0x00, 0x80); /* 128 needs the sign byte */
        assert_int_equal(der_get_integer(&r, 8, &p, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(p[0], 0x80);
    }
    {
        R(r, 0x02, 0x02, 0x00, 0x7f);
        assert_int_equal(der_get_integer(&r, 8, &p, &n), GPG_ERR_INV_OBJ);
        expect_detail("not minimal");
    }
    {
        R(r, 0x02, 0x02, 0xff, 0x80); /* non-minimal and negative */
        assert_int_equal(der_get_integer(&r, 8, &p, &n), GPG_ERR_INV_OBJ);
        seal_clear_detail();
    }
    {
        R(r, 0x02, 0x01, 0x80);
        assert_int_equal(der_get_integer(&r, 8, &p, &n), GPG_ERR_INV_OBJ);
        expect_detail("negative");
    }
    {
        R(r, 0x02, 0x00);
        assert_int_equal(der_get_integer(&r, 8, &p, &n), GPG_ERR_INV_OBJ);
        expect_detail("empty INTEGER");
    }
    {
        R(r, 0x02, 0x03, 0x01, 0x02, 0x03);
        assert_int_equal(der_get_integer(&r, 2, &p, &n), GPG_ERR_INV_OBJ);
        expect_detail("too large");
        assert_int_equal(reader_remaining(&r), 5);
        assert_null(p);
    }
}

static void test_uints(void **state)
{
    uint64_t v;
    (void)state;
    {
        R(r, 0x02, 0x03, 0x01, 0x00, 0x00);
        assert_int_equal(der_get_uint(&r, 65536, "x", &v), 0);
        assert_int_equal(v, 65536);
    }
    {
        R(r, 0x02, 0x03, 0x01, 0x00, 0x01);
        assert_int_equal(der_get_uint(&r, 65536, "widget count", &v), GPG_ERR_INV_OBJ);
        expect_detail("widget count out of range");
    }
    {
        R(r, 0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
        assert_int_equal(der_get_uint(&r, UINT64_MAX, "x", &v), 0);
        assert_true(v == UINT64_MAX);
    }
    {
        R(r, 0x02, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00); /* 2^64 */
        assert_int_equal(der_get_uint(&r, UINT64_MAX, "x", &v), GPG_ERR_INV_OBJ);
        seal_clear_detail();
    }
}

static void test_null_oid_bitstring(void **state)
{
    const uint8_t *p;
    size_t n;
    (void)state;
    {
        R(r, 0x05, 0x00);
        assert_int_equal(der_get_null(&r), 0);
    }
    {
        R(r, 0x05, 0x01, 0x00);
        assert_int_equal(der_get_null(&r), GPG_ERR_INV_OBJ);
        seal_clear_detail();
    }
    {
        R(r, 0x06, 0x03, 0x2b, 0x65, 0x70);
        assert_int_equal(der_get_oid(&r, &p, &n), 0);
        assert_true(der_oid_equal(p, n, (const uint8_t *)"\x2b\x65\x70", 3));
        assert_false(der_oid_equal(p, n, (const uint8_t *)"\x2b\x65", 2));
    }
    {
        R(r, 0x06, 0x02, 0x2b, 0x85); /* last subidentifier unfinished */
        assert_int_equal(der_get_oid(&r, &p, &n), GPG_ERR_INV_OBJ);
        seal_clear_detail();
    }
    {
        R(r, 0x06, 0x03, 0x2b, 0x80, 0x01); /* 0x80 padding */
        assert_int_equal(der_get_oid(&r, &p, &n), GPG_ERR_INV_OBJ);
        expect_detail("not minimal");
    }
    {
        R(r, 0x06, 0x00);
        assert_int_equal(der_get_oid(&r, &p, &n), GPG_ERR_INV_OBJ);
        seal_clear_detail();
    }
    {
        R(r, 0x03, 0x03, 0x00, 0xaa, 0xbb);
        assert_int_equal(der_get_bit_string(&r, &p, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(p[0], 0xaa);
    }
    {
        R(r, 0x03, 0x03, 0x01, 0xaa, 0xba);
        assert_int_equal(der_get_bit_string(&r, &p, &n), GPG_ERR_INV_OBJ);
        expect_detail("unused bits");
    }
    {
        R(r, 0x03, 0x00);
        assert_int_equal(der_get_bit_string(&r, &p, &n), GPG_ERR_INV_OBJ);
        seal_clear_detail();
    }
    {
        R(r, 0x04, 0x03, 1, 2, 3);
        assert_int_equal(der_get_octet_string(&r, 4, 8, &p, &n), GPG_ERR_INV_OBJ);
        seal_clear_detail();
        assert_int_equal(der_get_octet_string(&r, 3, 3, &p, &n), 0);
        assert_int_equal(n, 3);
    }
}

static void test_expect_end(void **state)
{
    struct reader c;
    (void)state;
    R(r, 0x30, 0x00, 0x00);
    assert_int_equal(der_get_sequence(&r, &c), 0);
    assert_int_equal(der_expect_end(&c, "thing"), 0);
    assert_int_equal(der_expect_end(&r, "key"), GPG_ERR_INV_OBJ);
    expect_detail("trailing data after key");
}

/* N nested SEQUENCEs around an empty one. */
static size_t nested(uint8_t *buf, unsigned depth)
{
    unsigned i;
    for (i = 0; i < depth; i++) {
        buf[2 * i] = 0x30;
        buf[2 * i + 1] = (uint8_t)(2 * (depth - i - 1));
    }
    return 2 * depth;
}

static void test_skip_depth(void **state)
{
    uint8_t buf[64];
    struct reader r;
    size_t n;
    (void)state;
    n = nested(buf, DER_MAX_DEPTH);
    reader_init(&r, buf, n);
    assert_int_equal(der_skip_element(&r), 0);
    assert_int_equal(reader_remaining(&r), 0);
    n = nested(buf, DER_MAX_DEPTH + 1);
    reader_init(&r, buf, n);
    assert_int_equal(der_skip_element(&r), GPG_ERR_INV_OBJ);
    expect_detail("too deep");
    assert_int_equal(reader_remaining(&r), n);
    /* a broken element deep inside is found */
    n = nested(buf, 3);
    buf[5] = 0x80;
    reader_init(&r, buf, n);
    assert_int_equal(der_skip_element(&r), GPG_ERR_INV_OBJ);
    seal_clear_detail();
}

static void test_write_integers(void **state)
{
    struct writer w;
    static const uint8_t zero[] = {0x00, 0x00}, small[] = {0x7f}, high[] = {0x00, 0x80};
    static const uint8_t want[] = {0x02, 0x01, 0x00, 0x02, 0x01, 0x7f, 0x02, 0x02, 0x00,
                                   0x80, 0x02, 0x03, 0x01, 0x00, 0x00, 0x02, 0x01, 0x00};
    (void)state;
    writer_init(&w, 1024, false);
    assert_int_equal(der_put_integer(&w, zero, sizeof zero), 0);
    assert_int_equal(der_put_integer(&w, small, sizeof small), 0);
    assert_int_equal(der_put_integer(&w, high, sizeof high), 0);
    assert_int_equal(der_put_uint(&w, 65536), 0);
    assert_int_equal(der_put_uint(&w, 0), 0);
    assert_int_equal(writer_len(&w), sizeof want);
    assert_memory_equal(writer_data(&w), want, sizeof want);
    writer_free(&w);
}

static void test_write_lengths_round_trip(void **state)
{
    static const size_t sizes[] = {0, 1, 127, 128, 255, 256, 65535, 65536};
    static uint8_t content[65536];
    struct writer w;
    struct reader r, c;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        writer_init(&w, 70000, false);
        assert_int_equal(der_put_tlv(&w, DER_OCTET_STRING, content, sizes[i]), 0);
        reader_init(&r, writer_data(&w), writer_len(&w));
        assert_int_equal(der_get_element(&r, DER_OCTET_STRING, &c), 0);
        assert_int_equal(reader_remaining(&c), sizes[i]);
        assert_int_equal(reader_remaining(&r), 0);
        writer_free(&w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_and_long_lengths),
        cmocka_unit_test(test_indefinite_length),
        cmocka_unit_test(test_non_minimal_lengths),
        cmocka_unit_test(test_length_of_length_overflow),
        cmocka_unit_test(test_lengths_past_end),
        cmocka_unit_test(test_multibyte_tag),
        cmocka_unit_test(test_wrong_tag),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_uints),
        cmocka_unit_test(test_null_oid_bitstring),
        cmocka_unit_test(test_expect_end),
        cmocka_unit_test(test_skip_depth),
        cmocka_unit_test(test_write_integers),
        cmocka_unit_test(test_write_lengths_round_trip),
    };
    if (seal_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
