/* The signature block, the message digest D and the signed digest S
 * (man/seal.5 "Inner stream", "Message digest", "Signature"; rule R13). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "envelope/trailer.h"
#include "envelope_util.h"
#include "testing.h"

static void fill_trailer(struct envelope_trailer *t, size_t k)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < SEAL_FPR_LEN; i++)
        t->sender_fpr[i] = (uint8_t)(0xa0 + i);
    t->created = UINT64_C(0x0102030405060708);
    for (size_t i = 0; i < SEAL_ENVELOPE_ID_LEN; i++)
        t->envelope_id[i] = (uint8_t)(0x50 + i);
    for (size_t i = 0; i < k; i++)
        t->sig[i] = (uint8_t)(i * 13);
    t->sig_len = k;
}

/* Parses an inner stream the way unseal does: from its last bytes. */
static gpg_err_code_t parse_inner(const uint8_t *inner, size_t len, struct envelope_trailer *t,
                                  uint64_t *msg_len)
{
    size_t tl = len < TRAILER_MAX_LEN ? len : TRAILER_MAX_LEN;
    return trailer_parse(inner + len - tl, tl, len, t, msg_len);
}

static void test_round_trip(void **state)
{
    (void)state;
    const size_t ks[] = {256, 384, 512, 1024};
    const size_t msgs[] = {0, 1, 100, 5000};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            struct envelope_trailer t, u;
            fill_trailer(&t, ks[i]);
            size_t len = msgs[j] + trailer_len(&t);
            assert_int_equal(trailer_len(&t), 58 + ks[i]);
            uint8_t *inner = malloc(len);
            memset(inner, 'm', msgs[j]);
            assert_int_equal(trailer_encode(&t, inner + msgs[j]), 0);
            /* Layout: fpr, created, id, sig, u16 k. */
            assert_memory_equal(inner + msgs[j], t.sender_fpr, SEAL_FPR_LEN);
            assert_memory_equal(inner + msgs[j] + 32, "\1\2\3\4\5\6\7\x08", 8);
            assert_int_equal(inner[len - 2], ks[i] >> 8);
            assert_int_equal(inner[len - 1], ks[i] & 0xff);
            uint64_t ml;
            assert_int_equal(parse_inner(inner, len, &u, &ml), 0);
            assert_int_equal(ml, msgs[j]);
            assert_memory_equal(&t, &u, sizeof t);
            free(inner);
        }
}

static void test_encode_refuses_bad_length(void **state)
{
    (void)state;
    struct envelope_trailer t;
    uint8_t out[TRAILER_MAX_LEN + 10];
    fill_trailer(&t, 255);
    assert_int_equal(trailer_encode(&t, out), GPG_ERR_INV_VALUE);
    t.sig_len = 1025;
    assert_int_equal(trailer_encode(&t, out), GPG_ERR_INV_VALUE);
}

static void test_malformed(void **state) /* R13 */
{
    (void)state;
    struct envelope_trailer t;
    uint64_t ml;
    uint8_t buf[2000];
    memset(buf, 0, sizeof buf);
    /* Shorter than 2 bytes. */
    assert_int_equal(parse_inner(buf, 0, &t, &ml), GPG_ERR_BAD_SIGNATURE);
    assert_int_equal(parse_inner(buf, 1, &t, &ml), GPG_ERR_BAD_SIGNATURE);
    /* k out of range. */
    const uint16_t bad[] = {0, 128, 255, 1025, 0xffff};
    for (size_t i = 0; i < 5; i++) {
        buf[1998] = (uint8_t)(bad[i] >> 8);
        buf[1999] = (uint8_t)bad[i];
        assert_int_equal(parse_inner(buf, 2000, &t, &ml), GPG_ERR_BAD_SIGNATURE);
    }
    /* k = 256 needs 314 bytes: 313 are too few, 314 are enough. */
    buf[312] = 1;
    buf[313] = 0;
    assert_int_equal(parse_inner(buf + 1, 313, &t, &ml), GPG_ERR_BAD_SIGNATURE);
    assert_int_equal(parse_inner(buf, 314, &t, &ml), 0);
    assert_int_equal(ml, 0);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* D computed by hand from the definition. */
static void reference_digest(const uint8_t *msg, size_t len, uint8_t out[32])
{
    size_t m = (len + 16383) / 16384;
    size_t n = 16 + 32 * m + 8;
    uint8_t *buf = malloc(n);
    memcpy(buf, "seal v1 message\0", 16);
    for (size_t i = 0; i < m; i++) {
        size_t pl = len - i * 16384 < 16384 ? len - i * 16384 : 16384;
        seal_sha256(msg + i * 16384, pl, buf + 16 + 32 * i);
    }
    put64(buf + 16 + 32 * m, len);
    seal_sha256(buf, n, out);
    free(buf);
}

static void test_message_digest(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 16383, 16384, 16385, 40000, 3 * 16384};
    uint8_t *msg = malloc(3 * 16384);
    for (size_t i = 0; i < 3 * 16384; i++)
        msg[i] = (uint8_t)(i * 31 + 7);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t a[32], b[32];
        assert_int_equal(message_digest_oneshot(msg, sizes[i], a), 0);
        reference_digest(msg, sizes[i], b);
        assert_memory_equal(a, b, 32);
    }
    /* Length-bound: two messages of all-equal pieces differ. */
    uint8_t a[32], b[32];
    assert_int_equal(message_digest_oneshot(msg, 100, a), 0);
    assert_int_equal(message_digest_oneshot(msg, 101, b), 0);
    assert_memory_not_equal(a, b, 32);
    free(msg);
}

static void test_message_digest_order(void **state)
{
    (void)state;
    struct message_digest md;
    uint8_t h[32] = {0};
    assert_int_equal(message_digest_init(&md), 0);
    assert_int_equal(message_digest_add(&md, h, 16384), 0);
    assert_int_equal(message_digest_add(&md, h, 10), 0);
    /* Nothing may follow a short piece; empty and oversized pieces are bugs. */
    assert_int_equal(message_digest_add(&md, h, 16384), GPG_ERR_BUG);
    message_digest_free(&md);
    assert_int_equal(message_digest_init(&md), 0);
    assert_int_equal(message_digest_add(&md, h, 0), GPG_ERR_BUG);
    assert_int_equal(message_digest_add(&md, h, 16385), GPG_ERR_BUG);
    message_digest_free(&md);
}

/* S changes with every input it covers. */
static void test_signed_digest_covers_all(void **state)
{
    (void)state;
    struct envelope_trailer t;
    uint8_t hh[32], d[32], s0[32], s1[32];
    memset(hh, 1, 32);
    memset(d, 2, 32);
    fill_trailer(&t, 256);
    envelope_signed_digest(hh, &t, d, s0);

    /* The reference: SHA-256 over the documented concatenation. */
    uint8_t buf[18 + 32 + 32 + 8 + 16 + 32], ref[32];
    memcpy(buf, "seal v1 signature\0", 18);
    memcpy(buf + 18, hh, 32);
    memcpy(buf + 50, t.sender_fpr, 32);
    put64(buf + 82, t.created);
    memcpy(buf + 90, t.envelope_id, 16);
    memcpy(buf + 106, d, 32);
    seal_sha256(buf, sizeof buf, ref);
    assert_memory_equal(s0, ref, 32);

    hh[5] ^= 1;
    envelope_signed_digest(hh, &t, d, s1);
    assert_memory_not_equal(s0, s1, 32);
    hh[5] ^= 1;
    t.sender_fpr[0] ^= 1;
    envelope_signed_digest(hh, &t, d, s1);
    assert_memory_not_equal(s0, s1, 32);
    t.sender_fpr[0] ^= 1;
    t.created++;
    envelope_signed_digest(hh, &t, d, s1);
    assert_memory_not_equal(s0, s1, 32);
    t.created--;
    t.envelope_id[15] ^= 1;
    envelope_signed_digest(hh, &t, d, s1);
    assert_memory_not_equal(s0, s1, 32);
    t.envelope_id[15] ^= 1;
    d[31] ^= 1;
    envelope_signed_digest(hh, &t, d, s1);
    assert_memory_not_equal(s0, s1, 32);
    /* The signature itself is not signed. */
    d[31] ^= 1;
    t.sig[0] ^= 1;
    envelope_signed_digest(hh, &t, d, s1);
    assert_memory_equal(s0, s1, 32);
}

static void test_sign_verify(void **state)
{
    (void)state;
    struct seal_key *alice_key = test_key("alice", true);
    struct seal_key *carol_key = test_key("carol", false);
    assert_non_null(alice_key);
    assert_non_null(carol_key);
    const struct seal_rsa_key *alice = alice_key->rsa, *carol = carol_key->rsa;
    struct envelope_trailer t;
    uint8_t s[32];
    fill_trailer(&t, 256);
    memset(s, 9, 32);
    assert_int_equal(trailer_sign(alice, s, &t), 0);
    assert_int_equal(t.sig_len, 256);
    assert_int_equal(trailer_verify(alice, s, &t), 0);
    /* Another key, another digest, a flipped bit, a wrong length. */
    assert_int_equal(trailer_verify(carol, s, &t), GPG_ERR_BAD_SIGNATURE);
    s[0] ^= 1;
    assert_int_equal(trailer_verify(alice, s, &t), GPG_ERR_BAD_SIGNATURE);
    s[0] ^= 1;
    t.sig[100] ^= 1;
    assert_int_equal(trailer_verify(alice, s, &t), GPG_ERR_BAD_SIGNATURE);
    t.sig[100] ^= 1;
    t.sig_len = 255;
    assert_int_equal(trailer_verify(alice, s, &t), GPG_ERR_BAD_SIGNATURE);
    key_free(alice_key);
    key_free(carol_key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_encode_refuses_bad_length),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_message_digest),
        cmocka_unit_test(test_message_digest_order),
        cmocka_unit_test(test_signed_digest_covers_all),
        cmocka_unit_test(test_sign_verify),
    };
    if (seal_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
