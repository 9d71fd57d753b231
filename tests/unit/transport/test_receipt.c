/* Receipts: a vector computed independently (Python's hmac), and every
 * input changes the result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transport/receipt.h"

/* python3: base64.urlsafe_b64encode(hmac.new(bytes(range(1,33)),
 *   b"seal v1 receipt\0" + bytes(range(0xa0,0xb0)) + sha256(b"envelope")
 *   + b"\x55" * 32, sha256).digest()).rstrip(b"=") */
#define VECTOR "cTvM2H3WS8V0hCiY0zoJm9BiStNNKjARct9CSG6xAUM"

static uint8_t key[32], id[16], sha[32], fpr[32];

static int setup(void **state)
{
    (void)state;
    if (seal_crypto_init())
        return -1;
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i + 1);
    for (int i = 0; i < 16; i++)
        id[i] = (uint8_t)(0xa0 + i);
    seal_sha256("envelope", 8, sha);
    memset(fpr, 0x55, sizeof fpr);
    return 0;
}

static void test_vector(void **state)
{
    (void)state;
    char r[RECEIPT_TEXT_LEN + 1];
    assert_int_equal(receipt_compute(key, id, sha, fpr, r), 0);
    assert_string_equal(r, VECTOR);
    assert_true(receipt_verify(key, id, sha, fpr, VECTOR, strlen(VECTOR)));
}

static void test_every_input_counts(void **state)
{
    (void)state;
    uint8_t *in[] = {key, id, sha, fpr};
    size_t len[] = {32, 16, 32, 32};
    for (size_t k = 0; k < 4; k++) {
        for (size_t i = 0; i < len[k]; i++) {
            in[k][i] ^= 0x80;
            assert_false(receipt_verify(key, id, sha, fpr, VECTOR, strlen(VECTOR)));
            in[k][i] ^= 0x80;
        }
    }
    assert_true(receipt_verify(key, id, sha, fpr, VECTOR, strlen(VECTOR)));
}

static void test_text_must_match(void **state)
{
    (void)state;
    char t[RECEIPT_TEXT_LEN + 2];
    memcpy(t, VECTOR, sizeof VECTOR);
    for (size_t i = 0; i < RECEIPT_TEXT_LEN; i++) {
        t[i] ^= 1;
        assert_false(receipt_verify(key, id, sha, fpr, t, RECEIPT_TEXT_LEN));
        t[i] ^= 1;
    }
    /* Truncated or extended. */
    assert_false(receipt_verify(key, id, sha, fpr, VECTOR, RECEIPT_TEXT_LEN - 1));
    t[RECEIPT_TEXT_LEN] = 'A';
    assert_false(receipt_verify(key, id, sha, fpr, t, RECEIPT_TEXT_LEN + 1));
    assert_false(receipt_verify(key, id, sha, fpr, "", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector),
        cmocka_unit_test(test_every_input_counts),
        cmocka_unit_test(test_text_must_match),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
