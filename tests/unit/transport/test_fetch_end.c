/* The mac of the fetch END line (man/seal.5, "Outbox fetch"): vectors
 * computed independently (Python's hmac), and every input changes it: the
 * count, and each byte and the order of the envelopes it names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/secmem.h"
#include "crypto/crypto.h"
#include "transport/outbox.h"

/* python3: h = lambda b: sha256(b).digest()
 *   base64.urlsafe_b64encode(hmac.new(bytes(range(1, 33)),
 *   b"seal v2 fetch end\0" + b"\x55" * 32 + bytes(range(0xa0, 0xb0))
 *   + (2).to_bytes(4, "big") + h(h(b"envelope 1") + h(b"envelope 2")),
 *   sha256).digest()).rstrip(b"=") */
#define VECTOR "AGU0CGp1WBrJnJ8q7_YOWKouqmeACB7zenm_ihx6c_E"
/* The same with count 0 and h(b""): the list of no envelopes. */
#define VECTOR_EMPTY "EtY0dHEe3CHsGlWYJSyUgAnVBa7E98WuSNHT2FrE5FE"
/* Version 1 (b"seal v1 fetch end\0", the count alone) for the same inputs:
 * what a man in the middle could replay from an old listener. */
#define VECTOR_V1 "9QeMmTpKbYfeoScC5AxkzXD-FwKWFklYYn93RgnA_oQ"

static struct fetch_request req;
static uint8_t id[SEAL_ENVELOPE_ID_LEN], sha1[SEAL_SHA256_LEN], sha2[SEAL_SHA256_LEN];

static int setup(void **state)
{
    (void)state;
    if (seal_crypto_init())
        return -1;
    memset(&req, 0, sizeof req);
    memset(req.server_fpr, 0x55, sizeof req.server_fpr);
    for (int i = 0; i < FETCH_SESSION_KEY_LEN; i++)
        req.session_key[i] = (uint8_t)(i + 1);
    for (int i = 0; i < SEAL_ENVELOPE_ID_LEN; i++)
        id[i] = (uint8_t)(0xa0 + i);
    seal_sha256("envelope 1", 10, sha1);
    seal_sha256("envelope 2", 10, sha2);
    return 0;
}

/* The list digest of envelopes whose hashes are A then B (B may be NULL). */
static void list_of(const uint8_t *a, const uint8_t *b, uint8_t out[SEAL_SHA256_LEN])
{
    struct seal_sha256_ctx *h;
    assert_int_equal(seal_sha256_new(&h), 0);
    if (a)
        seal_sha256_update(h, a, SEAL_SHA256_LEN);
    if (b)
        seal_sha256_update(h, b, SEAL_SHA256_LEN);
    seal_sha256_final(h, out);
}

static void test_vectors(void **state)
{
    (void)state;
    uint8_t list[SEAL_SHA256_LEN];
    char mac[RECEIPT_TEXT_LEN + 1];
    list_of(sha1, sha2, list);
    assert_int_equal(fetch_end_mac(&req, id, 2, list, mac), 0);
    assert_string_equal(mac, VECTOR);
    assert_string_not_equal(mac, VECTOR_V1);
    list_of(NULL, NULL, list);
    assert_int_equal(fetch_end_mac(&req, id, 0, list, mac), 0);
    assert_string_equal(mac, VECTOR_EMPTY);
}

/* A recorded envelope in the place of another, the same envelope twice, or
 * the two swapped: the count agrees, the mac does not. */
static void test_list_names_the_envelopes(void **state)
{
    (void)state;
    const uint8_t *lists[][2] = {{sha1, sha1}, {sha2, sha2}, {sha2, sha1}};
    uint8_t list[SEAL_SHA256_LEN];
    char mac[RECEIPT_TEXT_LEN + 1];
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        list_of(lists[i][0], lists[i][1], list);
        assert_int_equal(fetch_end_mac(&req, id, 2, list, mac), 0);
        assert_string_not_equal(mac, VECTOR);
    }
}

static void test_every_input_counts(void **state)
{
    (void)state;
    uint8_t list[SEAL_SHA256_LEN];
    char mac[RECEIPT_TEXT_LEN + 1];
    uint8_t *in[] = {req.server_fpr, req.session_key, id, list};
    size_t len[] = {SEAL_FPR_LEN, FETCH_SESSION_KEY_LEN, SEAL_ENVELOPE_ID_LEN, SEAL_SHA256_LEN};
    list_of(sha1, sha2, list);
    for (size_t k = 0; k < 4; k++) {
        for (size_t i = 0; i < len[k]; i++) {
            in[k][i] ^= 0x80;
            assert_int_equal(fetch_end_mac(&req, id, 2, list, mac), 0);
            assert_string_not_equal(mac, VECTOR);
            in[k][i] ^= 0x80;
        }
    }
    /* Other counts; for 2, the count in the other byte order. */
    for (uint32_t count = 0; count < 40; count++) {
        assert_int_equal(fetch_end_mac(&req, id, count == 2 ? 2u << 24 : count, list, mac), 0);
        assert_string_not_equal(mac, VECTOR);
    }
    assert_int_equal(fetch_end_mac(&req, id, 2, list, mac), 0);
    assert_string_equal(mac, VECTOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_list_names_the_envelopes),
        cmocka_unit_test(test_every_input_counts),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
