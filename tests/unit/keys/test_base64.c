/* Strict base64: RFC 4648 vectors, and every non-canonical or foreign
 * character refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "keys/base64.h"
#include "crypto/crypto.h"

static const struct {
    const char *raw, *padded, *unpadded;
} vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static gpg_err_code_t decode(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    seal_clear_detail();
    return b64_decode(s, strlen(s), out, cap, n);
}

static void test_rfc4648_encode(void **state)
{
    char out[32];
    size_t n, i;
    (void)state;
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const char *raw = vectors[i].raw;
        assert_int_equal(b64_encode((const uint8_t *)raw, strlen(raw), true, out, sizeof out, &n),
                         0);
        assert_string_equal(out, vectors[i].padded);
        assert_int_equal(n, strlen(vectors[i].padded));
        assert_int_equal(b64_encoded_len(strlen(raw)), strlen(vectors[i].padded));
        assert_int_equal(b64_encode((const uint8_t *)raw, strlen(raw), false, out, sizeof out, &n),
                         0);
        assert_string_equal(out, vectors[i].unpadded);
    }
}

static void test_rfc4648_decode(void **state)
{
    uint8_t out[32];
    size_t n, i;
    (void)state;
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const char *enc = vectors[i].padded;
        assert_int_equal(decode(enc, out, sizeof out, &n), 0);
        assert_int_equal(n, strlen(vectors[i].raw));
        assert_memory_equal(out, vectors[i].raw, n);
        assert_int_equal(b64_decoded_len(enc, strlen(enc)), n);
    }
}

static void test_encode_buffer_too_small(void **state)
{
    char out[4];
    size_t n = 7;
    (void)state;
    /* "foo" needs 4 characters plus the NUL. */
    assert_int_equal(b64_encode((const uint8_t *)"foo", 3, true, out, sizeof out, &n),
                     GPG_ERR_BUFFER_TOO_SHORT);
    assert_int_equal(n, 0);
}

/* base64url: the RFC 4648 vectors unpadded, the two characters that differ
 * from base64 ("\xfb\xff": "-_8", not "+/8"), every byte value against the
 * standard encoding with the two characters swapped, and the output cap. */
static void test_base64url_encode(void **state)
{
    char out[400], std[400];
    uint8_t all[256];
    size_t n, m, i;
    (void)state;
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const char *raw = vectors[i].raw;
        assert_int_equal(b64url_encode((const uint8_t *)raw, strlen(raw), out, sizeof out, &n), 0);
        assert_string_equal(out, vectors[i].unpadded);
        assert_int_equal(n, strlen(vectors[i].unpadded));
    }
    assert_int_equal(b64url_encode((const uint8_t *)"\xfb\xff", 2, out, sizeof out, &n), 0);
    assert_string_equal(out, "-_8");
    for (i = 0; i < sizeof all; i++)
        all[i] = (uint8_t)i;
    assert_int_equal(b64url_encode(all, sizeof all, out, sizeof out, &n), 0);
    assert_int_equal(b64_encode(all, sizeof all, false, std, sizeof std, &m), 0);
    assert_int_equal(n, m);
    for (i = 0; i < m; i++)
        std[i] = std[i] == '+' ? '-' : std[i] == '/' ? '_' : std[i];
    assert_string_equal(out, std);
    /* 32 bytes (a receipt's MAC) are 43 characters: 43 + NUL fit in 44, not 43. */
    assert_int_equal(b64url_encode(all, 32, out, 44, &n), 0);
    assert_int_equal(n, 43);
    assert_int_equal(b64url_encode(all, 32, out, 43, &n), GPG_ERR_BUFFER_TOO_SHORT);
    assert_int_equal(n, 0);
}

static void test_decode_buffer_too_small(void **state)
{
    uint8_t out[2];
    size_t n;
    (void)state;
    assert_int_equal(decode("Zm9v", out, sizeof out, &n), GPG_ERR_BUFFER_TOO_SHORT);
}

static void test_missing_padding(void **state)
{
    uint8_t out[16];
    size_t n;
    (void)state;
    assert_int_equal(decode("Zg", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Zg=", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Zm8", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_non_null(strstr(seal_detail(), "multiple of 4"));
}

static void test_non_canonical_bits(void **state)
{
    uint8_t out[16];
    size_t n;
    (void)state;
    /* "Zg==" is "f"; "Zh==" sets bits that the decoder would drop. */
    assert_int_equal(decode("Zh==", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_non_null(strstr(seal_detail(), "non-canonical"));
    /* "Zm8=" is "fo"; "Zm9=" likewise. */
    assert_int_equal(decode("Zm9=", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Zm9vYh==", out, sizeof out, &n), GPG_ERR_INV_DATA);
}

static void test_padding_misplaced(void **state)
{
    uint8_t out[16];
    size_t n;
    (void)state;
    assert_int_equal(decode("Zg==Zg==", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Zm=v", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("====", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Z===", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("=Zm9", out, sizeof out, &n), GPG_ERR_INV_DATA);
}

static void test_garbage(void **state)
{
    uint8_t out[16];
    size_t n;
    (void)state;
    assert_int_equal(decode("Zm9v\n", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Zm 9v", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Zm9!", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Zm9-", out, sizeof out, &n), GPG_ERR_INV_DATA); /* url-safe */
    assert_int_equal(decode("Zm9_", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(decode("Zm9\xc3", out, sizeof out, &n), GPG_ERR_INV_DATA);
    assert_int_equal(b64_decode("Zm\0v", 4, out, sizeof out, &n), GPG_ERR_INV_DATA);
}

/* Each byte value in the last position of "AAA?": exactly the 64 alphabet
 * characters decode. */
static void test_every_byte_value(void **state)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char in[4] = {'A', 'A', 'A', 0};
    uint8_t out[3];
    size_t n;
    int c, accepted = 0;
    (void)state;
    for (c = 0; c < 256; c++) {
        in[3] = (char)c;
        gpg_err_code_t err = b64_decode(in, 4, out, sizeof out, &n);
        bool in_alphabet = c != 0 && memchr(alphabet, c, 64) != NULL;
        if (c == '=') {
            /* "AAA=" is a valid 2-byte encoding */
            assert_int_equal(err, 0);
            assert_int_equal(n, 2);
            continue;
        }
        assert_int_equal(err == 0, in_alphabet);
        if (err == 0) {
            const char *pos = memchr(alphabet, c, 64);
            assert_int_equal(out[2], (uint8_t)(pos - alphabet));
            accepted++;
        }
    }
    assert_int_equal(accepted, 64);
    seal_clear_detail();
}

static void test_round_trip_all_lengths(void **state)
{
    uint8_t raw[100], back[100];
    char enc[140];
    size_t len, n, m, i;
    (void)state;
    for (i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)(i * 37 + 11);
    for (len = 0; len <= sizeof raw; len++) {
        assert_int_equal(b64_encode(raw, len, true, enc, sizeof enc, &n), 0);
        assert_int_equal(n % 4, 0);
        assert_int_equal(b64_decode(enc, n, back, sizeof back, &m), 0);
        assert_int_equal(m, len);
        assert_memory_equal(back, raw, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_encode),
        cmocka_unit_test(test_rfc4648_decode),
        cmocka_unit_test(test_encode_buffer_too_small),
        cmocka_unit_test(test_base64url_encode),
        cmocka_unit_test(test_decode_buffer_too_small),
        cmocka_unit_test(test_missing_padding),
        cmocka_unit_test(test_non_canonical_bits),
        cmocka_unit_test(test_padding_misplaced),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_every_byte_value),
        cmocka_unit_test(test_round_trip_all_lengths),
    };
    if (seal_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
