/* The bounded reader and writer: every getter fails cleanly on short input,
 * consumes nothing on failure, and clears its outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "crypto/crypto.h"

static const uint8_t sample[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

static void test_integers_big_endian(void **state)
{
    (void)state;
    struct reader r;
    reader_init(&r, sample, sizeof sample);
    uint8_t a;
    uint16_t b;
    uint32_t c;
    assert_int_equal(reader_get_u8(&r, &a), 0);
    assert_int_equal(a, 0x01);
    assert_int_equal(reader_get_u16(&r, &b), 0);
    assert_int_equal(b, 0x0203);
    assert_int_equal(reader_get_u32(&r, &c), 0);
    assert_int_equal(c, 0x04050607);
    assert_int_equal(reader_remaining(&r), 2);
    uint64_t d = 99;
    assert_int_equal(reader_get_u64(&r, &d), GPG_ERR_TRUNCATED);
    assert_int_equal(d, 0);                    /* output cleared */
    assert_int_equal(reader_remaining(&r), 2); /* nothing consumed */
    assert_int_equal(reader_expect_end(&r), GPG_ERR_INV_DATA);
    assert_int_equal(reader_skip(&r, 2), 0);
    assert_int_equal(reader_expect_end(&r), 0);
    seal_clear_detail();
}

/* Every getter on every truncation of the input: fails, consumes nothing. */
static void test_every_getter_on_every_prefix(void **state)
{
    (void)state;
    for (size_t len = 0; len < 8; len++) {
        struct reader r;
        reader_init(&r, sample, len);
        uint8_t v8;
        uint16_t v16;
        uint32_t v32;
        uint64_t v64;
        uint8_t buf[8];
        const uint8_t *view;
        assert_int_equal(reader_get_u64(&r, &v64) == 0, len >= 8);
        reader_init(&r, sample, len);
        assert_int_equal(reader_get_u32(&r, &v32) == 0, len >= 4);
        reader_init(&r, sample, len);
        assert_int_equal(reader_get_u16(&r, &v16) == 0, len >= 2);
        reader_init(&r, sample, len);
        assert_int_equal(reader_get_u8(&r, &v8) == 0, len >= 1);
        reader_init(&r, sample, len);
        assert_int_equal(reader_get_bytes(&r, buf, 5) == 0, len >= 5);
        assert_int_equal(reader_remaining(&r), len >= 5 ? len - 5 : len);
        reader_init(&r, sample, len);
        assert_int_equal(reader_get_view(&r, 6, &view) == 0, len >= 6);
        if (len < 6)
            assert_null(view);
    }
    seal_clear_detail();
}

/* Hostile length prefixes: anything outside the cap or past the end fails
 * before a byte is read, and the reader is left where it was. */
static void test_u16_prefixed_hostile_lengths(void **state)
{
    (void)state;
    uint8_t in[2 + 300];
    memset(in, 0xAA, sizeof in);
    const uint16_t lengths[] = {0, 1, 9, 10, 11, 255, 256, 299, 300, 301, 0x7fff, 0xffff};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        uint16_t n = lengths[i];
        in[0] = (uint8_t)(n >> 8);
        in[1] = (uint8_t)n;
        struct reader r;
        reader_init(&r, in, sizeof in);
        const uint8_t *p = (const uint8_t *)1;
        size_t plen = 7;
        gpg_err_code_t e = reader_get_u16_prefixed(&r, 10, 300, &p, &plen);
        if (n < 10 || n > 300) {
            assert_int_equal(e, GPG_ERR_INV_LENGTH);
        } else {
            assert_int_equal(e, 0);
            assert_ptr_equal(p, in + 2);
            assert_int_equal(plen, n);
            continue;
        }
        assert_null(p);
        assert_int_equal(plen, 0);
        assert_int_equal(reader_remaining(&r), sizeof in);
    }
    /* Within the cap but past the end of the data. */
    in[0] = 0;
    in[1] = 200;
    struct reader r;
    reader_init(&r, in, 100);
    const uint8_t *p;
    size_t plen;
    assert_int_equal(reader_get_u16_prefixed(&r, 0, 300, &p, &plen), GPG_ERR_TRUNCATED);
    assert_int_equal(reader_remaining(&r), 100);
    seal_clear_detail();
}

static void test_sub_reader_is_bounded(void **state)
{
    (void)state;
    struct reader r, sub;
    reader_init(&r, sample, sizeof sample);
    assert_int_equal(reader_get_sub(&r, 3, &sub), 0);
    assert_int_equal(reader_remaining(&sub), 3);
    assert_int_equal(reader_remaining(&r), 6);
    uint32_t v;
    assert_int_equal(reader_get_u32(&sub, &v), GPG_ERR_TRUNCATED);
    assert_int_equal(reader_get_sub(&r, 7, &sub), GPG_ERR_TRUNCATED);
    assert_int_equal(reader_remaining(&sub), 0);
    assert_int_equal(reader_get_sub(&r, SIZE_MAX, &sub), GPG_ERR_TRUNCATED);
    seal_clear_detail();
}

static void test_writer_round_trip_and_cap(void **state)
{
    (void)state;
    struct writer w;
    writer_init(&w, 15, false);
    writer_put_u8(&w, 1);
    writer_put_u16(&w, 0x0203);
    writer_put_u32(&w, 0x04050607);
    writer_put_u64(&w, 0x08090a0b0c0d0e0fULL);
    assert_int_equal(writer_status(&w), 0);
    assert_int_equal(writer_len(&w), 15);
    struct reader r;
    reader_init(&r, writer_data(&w), writer_len(&w));
    uint64_t v;
    assert_int_equal(reader_skip(&r, 7), 0);
    assert_int_equal(reader_get_u64(&r, &v), 0);
    assert_true(v == 0x08090a0b0c0d0e0fULL);
    /* One byte over the cap fails and the failure sticks. */
    assert_int_equal(writer_put_u8(&w, 0), GPG_ERR_TOO_LARGE);
    assert_int_equal(writer_status(&w), GPG_ERR_TOO_LARGE);
    assert_int_equal(writer_len(&w), 15);
    assert_null(writer_reserve(&w, SIZE_MAX));
    writer_free(&w);
    seal_clear_detail();
}

static void test_secure_writer_grows(void **state)
{
    (void)state;
    struct writer w;
    writer_init(&w, 1 << 20, true);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(writer_put_u32(&w, (uint32_t)i), 0);
    assert_int_equal(writer_len(&w), 20000);
    struct reader r;
    reader_init(&r, writer_data(&w), writer_len(&w));
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t v;
        assert_int_equal(reader_get_u32(&r, &v), 0);
        assert_int_equal(v, i);
    }
    size_t len;
    uint8_t *p = writer_steal(&w, &len);
    assert_int_equal(len, 20000);
    seal_secure_free(p, len);
    assert_null(writer_data(&w));
}

/* A writer over a buffer fills the caller's buffer, refuses to go past it, and
 * leaves it alone when freed. */
static void test_buffer_writer(void **state)
{
    (void)state;
    uint8_t buf[11];
    struct writer w;
    memset(buf, 0xEE, sizeof buf);
    writer_init_buffer(&w, buf, 10);
    assert_int_equal(writer_put_u64(&w, 0x0102030405060708ULL), 0);
    assert_int_equal(writer_put_u16(&w, 0x090a), 0);
    assert_ptr_equal(writer_data(&w), buf);
    assert_int_equal(writer_len(&w), 10);
    assert_int_equal(writer_put_u8(&w, 0x0b), GPG_ERR_TOO_LARGE);
    assert_int_equal(writer_status(&w), GPG_ERR_TOO_LARGE);
    assert_int_equal(buf[10], 0xEE); /* nothing past the cap */
    const uint8_t want[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_memory_equal(buf, want, sizeof want);
    writer_free(&w);
    assert_memory_equal(buf, want, sizeof want);
    seal_clear_detail();
}

/* reader_want reports how much input a streaming parse needs, without a
 * detail, and consumes nothing. */
static void test_reader_want(void **state)
{
    (void)state;
    struct reader r;
    size_t need = 0;
    reader_init(&r, sample, 4);
    assert_int_equal(reader_skip(&r, 3), 0);
    assert_int_equal(reader_want(&r, 1, &need), 0);
    seal_clear_detail();
    assert_int_equal(reader_want(&r, 5, &need), GPG_ERR_TRUNCATED);
    assert_int_equal(need, 8);
    assert_null(seal_detail());
    assert_int_equal(reader_offset(&r), 3);
}

/* reader_source hands out what remains, at most CAP per read, then end of
 * input; writer_sink appends and fails past the writer's cap. */
static void test_reader_source_writer_sink(void **state)
{
    (void)state;
    struct reader r;
    struct writer w;
    uint8_t buf[4];
    size_t got = 99;
    reader_init(&r, sample, sizeof sample);
    assert_int_equal(reader_skip(&r, 1), 0);
    struct byte_source src = reader_source(&r);
    writer_init(&w, 10, false);
    struct byte_sink sink = writer_sink(&w);
    size_t total = 0;
    do {
        assert_int_equal(src.read(src.ctx, buf, sizeof buf, &got), 0);
        assert_true(got <= sizeof buf);
        assert_int_equal(sink.write(sink.ctx, buf, got), 0);
        total += got;
    } while (got > 0);
    assert_int_equal(total, sizeof sample - 1);
    assert_memory_equal(writer_data(&w), sample + 1, sizeof sample - 1);
    assert_int_equal(src.read(src.ctx, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 0);
    assert_int_equal(sink.write(sink.ctx, sample, 3), GPG_ERR_TOO_LARGE);
    writer_free(&w);
}

int main(void)
{
    if (seal_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_big_endian),
        cmocka_unit_test(test_every_getter_on_every_prefix),
        cmocka_unit_test(test_u16_prefixed_hostile_lengths),
        cmocka_unit_test(test_sub_reader_is_bounded),
        cmocka_unit_test(test_writer_round_trip_and_cap),
        cmocka_unit_test(test_secure_writer_grows),
        cmocka_unit_test(test_buffer_writer),
        cmocka_unit_test(test_reader_want),
        cmocka_unit_test(test_reader_source_writer_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
