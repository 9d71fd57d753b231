/* Seal and unseal through memory: round trips at the chunk and trailer
 * boundaries, recipients, senders, tampering and truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "envelope/chunked.h"
#include "envelope/header.h"
#include "envelope/trailer.h"
#include "envelope_util.h"
#include "testing.h"

static struct seal_key *alice, *bob, *carol, *mallory; /* key pairs */
static struct trusted_senders trusted;                 /* alice, carol */

static int setup(void **state)
{
    (void)state;
    char dir[1024];
    alice = test_key("alice", true);
    bob = test_key("bob", true);
    carol = test_key("carol", true);
    mallory = test_key("mallory", true);
    testkit_path(dir, sizeof dir, "trusted");
    if (!alice || !bob || !carol || !mallory || trusted_senders_load(dir, &trusted) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    key_free(alice);
    key_free(bob);
    key_free(carol);
    key_free(mallory);
    trusted_senders_free(&trusted);
    return 0;
}

static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    uint32_t x = 0x12345678;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        p[i] = (uint8_t)(x >> 16);
    }
    return p;
}

/* Seals MSG from SENDER to the N recipients into ENV. */
static gpg_err_code_t do_seal(const uint8_t *msg, size_t len, struct seal_key **rcpt, size_t n,
                              struct seal_key *sender, bool armor, struct mem_sink *env)
{
    struct mem_source src;
    struct seal_request req;
    memset(&req, 0, sizeof req);
    req.recipients = (const struct seal_key *const *)rcpt;
    req.n_recipients = n;
    req.sender = sender;
    req.armor = armor;
    req.in = mem_source_init(&src, msg, len);
    src.max_read = 5000; /* short reads, as from a pipe */
    req.out = mem_sink_init(env);
    return envelope_seal(&req);
}

static gpg_err_code_t do_unseal(const uint8_t *env, size_t len, struct seal_key *rcpt,
                                struct mem_sink *out, struct envelope_info *info)
{
    struct mem_source src;
    struct unseal_request req;
    memset(&req, 0, sizeof req);
    req.recipient = rcpt;
    req.senders = &trusted;
    req.in = mem_source_init(&src, env, len);
    src.max_read = 7000;
    req.out = mem_sink_init(out);
    seal_clear_detail();
    return envelope_unseal(&req, info);
}

static void round_trip(size_t len)
{
    uint8_t *msg = pattern(len);
    struct mem_sink env, out;
    struct envelope_info info;
    struct seal_key *r[] = {bob};
    assert_int_equal(do_seal(msg, len, r, 1, alice, false, &env), 0);
    /* Size: header 301, prefix 56, inner = len + 314 in chunks of 16384
     * (+16 each), the last one shorter. */
    size_t inner = len + 314;
    size_t chunks = inner / 16384 + 1;
    assert_int_equal(env.len, 301 + 56 + inner + 16 * chunks);
    assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), 0);
    assert_int_equal(out.len, len);
    if (len)
        assert_memory_equal(out.data, msg, len);
    assert_true(info.decrypted);
    assert_true(info.signature_valid);
    assert_int_equal(info.plaintext_len, len);
    assert_string_equal(info.sender_name, "alice");
    assert_int_equal(info.envelope_len, env.len);
    assert_int_equal(info.header_len, 301);
    assert_int_equal(info.payload_len, env.len - 301);
    assert_int_equal(info.n_recipients, 1);
    assert_false(info.armored);
    mem_sink_free(&env);
    mem_sink_free(&out);
    free(msg);
}

static void test_sizes(void **state)
{
    (void)state;
    /* Chunk boundaries; the 314-byte trailer (2048-bit sender) straddling
     * the first and second boundary; the 1082-byte maximum trailer offsets
     * around two chunks. */
    const size_t sizes[] = {0,     1,     2,     16383, 16384, 16385, 16069, 16070,
                            16071, 32453, 32454, 32455, 31685, 31686, 31687, 32768};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        round_trip(sizes[i]);
}

static void test_large(void **state)
{
    (void)state;
    /* Around the end of the first batch of 32 chunks (seal and unseal work
     * on batches): the trailer straddling chunks 31 and 32, the message
     * ending exactly at the batch boundary. */
    const size_t batch = 32 * 16384;
    const size_t sizes[] = {batch - 315, batch - 314, batch - 313,    batch - 1,
                            batch,       batch + 1,   2 * batch - 100};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        round_trip(sizes[i]);
    round_trip(3 * 1024 * 1024);
    round_trip(3 * 1024 * 1024 + 777);
}

/* A 4096-bit sender makes a 570-byte trailer. */
static void test_multi_recipient(void **state)
{
    (void)state;
    size_t len = 40000;
    uint8_t *msg = pattern(len);
    struct mem_sink env, out;
    struct envelope_info info;
    struct seal_key *r[] = {carol, bob, alice};
    assert_int_equal(do_seal(msg, len, r, 3, carol, false, &env), 0);
    struct seal_key *each[] = {carol, bob, alice};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(do_unseal(env.data, env.len, each[i], &out, &info), 0);
        assert_int_equal(out.len, len);
        assert_memory_equal(out.data, msg, len);
        assert_string_equal(info.sender_name, "carol");
        assert_int_equal(info.n_recipients, 3);
        mem_sink_free(&out);
    }
    /* Not for mallory; the detail names the recipients. */
    assert_int_equal(do_unseal(env.data, env.len, mallory, &out, &info), GPG_ERR_NO_SECKEY);
    assert_non_null(strstr(seal_detail(), "SHA256:"));
    mem_sink_free(&out);
    mem_sink_free(&env);
    free(msg);
}

/* The seal result carries the envelope ID and one receipt key per
 * recipient; each recipient's unseal yields its own key and the same ID,
 * sender and creation time; no two recipients share a receipt key. */
static void test_receipt_keys(void **state)
{
    (void)state;
    const uint8_t msg[] = "receipt";
    struct mem_source src;
    struct mem_sink env, out;
    struct envelope_info info;
    struct seal_request req;
    struct seal_result res;
    struct seal_key *r[] = {carol, bob};
    uint8_t *keys = seal_secure_malloc(2 * SEAL_RECEIPT_KEY_LEN);
    uint8_t *mine = seal_secure_malloc(SEAL_RECEIPT_KEY_LEN);
    assert_non_null(keys);
    assert_non_null(mine);
    memset(&req, 0, sizeof req);
    memset(&res, 0, sizeof res);
    res.receipt_keys = keys;
    req.recipients = (const struct seal_key *const *)r;
    req.n_recipients = 2;
    req.sender = alice;
    req.in = mem_source_init(&src, msg, sizeof msg);
    req.out = mem_sink_init(&env);
    req.result = &res;
    assert_int_equal(envelope_seal(&req), 0);
    assert_true(res.created > 0);
    assert_memory_not_equal(keys, keys + SEAL_RECEIPT_KEY_LEN, SEAL_RECEIPT_KEY_LEN);
    for (int i = 0; i < 2; i++) {
        struct mem_source es;
        struct unseal_request ur;
        memset(&ur, 0, sizeof ur);
        ur.recipient = r[i];
        ur.senders = &trusted;
        ur.in = mem_source_init(&es, env.data, env.len);
        ur.out = mem_sink_init(&out);
        ur.receipt_key = mine;
        assert_int_equal(envelope_unseal(&ur, &info), 0);
        assert_memory_equal(mine, keys + i * SEAL_RECEIPT_KEY_LEN, SEAL_RECEIPT_KEY_LEN);
        assert_memory_equal(info.envelope_id, res.envelope_id, SEAL_ENVELOPE_ID_LEN);
        assert_memory_equal(info.sender_fpr, alice->fpr, SEAL_FPR_LEN);
        assert_int_equal(info.created, res.created);
        mem_sink_free(&out);
    }
    /* A failed unseal leaves no key behind. */
    {
        struct mem_source es;
        struct unseal_request ur;
        memset(&ur, 0, sizeof ur);
        env.data[env.len - 1] ^= 1;
        ur.recipient = bob;
        ur.senders = &trusted;
        ur.in = mem_source_init(&es, env.data, env.len);
        ur.out = mem_sink_init(&out);
        ur.receipt_key = mine;
        assert_int_not_equal(envelope_unseal(&ur, &info), 0);
        uint8_t zero[SEAL_RECEIPT_KEY_LEN] = {0};
        assert_memory_equal(mine, zero, SEAL_RECEIPT_KEY_LEN);
        mem_sink_free(&out);
    }
    seal_secure_free(keys, 2 * SEAL_RECEIPT_KEY_LEN);
    seal_secure_free(mine, SEAL_RECEIPT_KEY_LEN);
    mem_sink_free(&env);
}

static void test_duplicate_recipients(void **state)
{
    (void)state;
    struct mem_sink env;
    struct seal_key *bob_pub = test_key("bob", false);
    struct seal_key *r[] = {bob, carol, bob_pub};
    assert_int_equal(do_seal((const uint8_t *)"x", 1, r, 3, alice, false, &env), GPG_ERR_DUP_KEY);
    assert_int_equal(env.len, 0);
    mem_sink_free(&env);
    /* The one check, as a program calls it before asking for anything: it
     * names the pair. */
    size_t first = 9, second = 9;
    assert_int_equal(
        envelope_check_recipients((const struct seal_key *const *)r, 3, &first, &second),
        GPG_ERR_DUP_KEY);
    assert_int_equal(first, 0);
    assert_int_equal(second, 2);
    assert_int_equal(
        envelope_check_recipients((const struct seal_key *const *)r, 2, &first, &second), 0);
    assert_int_equal(do_seal((const uint8_t *)"x", 1, r, 0, alice, false, &env), GPG_ERR_INV_VALUE);
    mem_sink_free(&env);
    /* A public key cannot sign. */
    assert_int_equal(do_seal((const uint8_t *)"x", 1, r, 1, bob_pub, false, &env),
                     GPG_ERR_NO_SECKEY);
    mem_sink_free(&env);
    key_free(bob_pub);
}

static void test_untrusted_sender(void **state) /* R14 */
{
    (void)state;
    struct mem_sink env, out;
    struct envelope_info info;
    struct seal_key *r[] = {bob};
    assert_int_equal(do_seal((const uint8_t *)"hello", 5, r, 1, mallory, false, &env), 0);
    assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), GPG_ERR_NOT_TRUSTED);
    assert_non_null(strstr(seal_detail(), "unknown key seal SHA256:"));
    assert_false(info.signature_valid);
    mem_sink_free(&out);

    /* Inspection reports the fact instead. */
    struct mem_source src;
    assert_int_equal(
        envelope_inspect(mem_source_init(&src, env.data, env.len), bob, &trusted, &info), 0);
    assert_true(info.decrypted);
    assert_false(info.signature_valid);
    assert_null(info.sender_name);
    uint8_t fpr[SEAL_FPR_LEN];
    assert_int_equal(key_fingerprint(mallory->rsa, fpr), 0);
    assert_memory_equal(info.sender_fpr, fpr, SEAL_FPR_LEN);
    mem_sink_free(&env);
}

static void test_inspect(void **state)
{
    (void)state;
    struct mem_sink env;
    struct envelope_info info;
    struct mem_source src;
    struct seal_key *r[] = {bob, carol};
    uint8_t *msg = pattern(20000);
    assert_int_equal(do_seal(msg, 20000, r, 2, alice, false, &env), 0);
    /* Without a key: the public part only. */
    assert_int_equal(envelope_inspect(mem_source_init(&src, env.data, env.len), NULL, NULL, &info),
                     0);
    assert_int_equal(info.version, 1);
    assert_int_equal(info.n_recipients, 2);
    uint8_t fpr[SEAL_FPR_LEN];
    assert_int_equal(key_fingerprint(carol->rsa, fpr), 0);
    assert_memory_equal(info.recipient_fpr[1], fpr, SEAL_FPR_LEN);
    assert_false(info.decrypted);
    assert_int_equal(info.envelope_len, env.len);
    assert_int_equal(info.header_len, 11 + 2 * 34 + 256 + 384);
    assert_int_equal(info.payload_len, env.len - info.header_len);
    /* With a key: the sender and the rest. */
    assert_int_equal(
        envelope_inspect(mem_source_init(&src, env.data, env.len), carol, &trusted, &info), 0);
    assert_true(info.decrypted);
    assert_true(info.signature_valid);
    assert_string_equal(info.sender_name, "alice");
    assert_int_equal(info.plaintext_len, 20000);
    assert_true(info.created > 1600000000);
    mem_sink_free(&env);
    free(msg);
}

static void test_armor_round_trip(void **state)
{
    (void)state;
    struct mem_sink env, out;
    struct envelope_info info;
    struct seal_key *r[] = {bob};
    uint8_t *msg = pattern(50000);
    assert_int_equal(do_seal(msg, 50000, r, 1, alice, true, &env), 0);
    assert_memory_equal(env.data, "-----BEGIN SEALED MESSAGE-----\n", 31);
    assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), 0);
    assert_true(info.armored);
    assert_int_equal(out.len, 50000);
    assert_memory_equal(out.data, msg, 50000);
    mem_sink_free(&out);
    /* A broken armor is an armor failure. */
    env.data[100] = '*';
    assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), GPG_ERR_INV_ARMOR);
    mem_sink_free(&out);
    mem_sink_free(&env);
    free(msg);
}

/* Unique envelope IDs and fresh file keys: sealing twice differs. */
static void test_fresh_randomness(void **state)
{
    (void)state;
    struct mem_sink a, b, oa, ob;
    struct envelope_info ia, ib;
    struct seal_key *r[] = {bob};
    assert_int_equal(do_seal((const uint8_t *)"same", 4, r, 1, alice, false, &a), 0);
    assert_int_equal(do_seal((const uint8_t *)"same", 4, r, 1, alice, false, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.data + 45, b.data + 45, a.len - 45);
    assert_int_equal(do_unseal(a.data, a.len, bob, &oa, &ia), 0);
    assert_int_equal(do_unseal(b.data, b.len, bob, &ob, &ib), 0);
    assert_memory_not_equal(ia.envelope_id, ib.envelope_id, SEAL_ENVELOPE_ID_LEN);
    mem_sink_free(&a);
    mem_sink_free(&b);
    mem_sink_free(&oa);
    mem_sink_free(&ob);
}

/* Flipping one bit anywhere fails, with the class of error the region's
 * rule gives. Envelope: 40000-byte message, one recipient (bob), sender alice:
 * header 0..300, salt 301..324, commitment 325..356, chunks from 357. */
static void test_tamper_every_region(void **state)
{
    (void)state;
    struct mem_sink env, out;
    struct envelope_info info;
    struct seal_key *r[] = {bob};
    uint8_t *msg = pattern(40000);
    assert_int_equal(do_seal(msg, 40000, r, 1, alice, false, &env), 0);
    enum { XOR, SET };
    const struct {
        size_t off;
        int how;
        uint8_t v;
        gpg_err_code_t code;
    } cases[] = {
        {0, XOR, 4, GPG_ERR_INV_DATA},               /* magic (R1) */
        {7, XOR, 4, GPG_ERR_INV_DATA},               /* magic (R1) */
        {8, SET, 2, GPG_ERR_UNKNOWN_VERSION},        /* version (R2) */
        {9, SET, 0x40, GPG_ERR_TOO_LARGE},           /* count 0x4001 (R3) */
        {10, SET, 0, GPG_ERR_INV_DATA},              /* count 0 (R3) */
        {11, XOR, 4, GPG_ERR_NO_SECKEY},             /* our fingerprint (R7) */
        {43, SET, 0, GPG_ERR_INV_LENGTH},            /* wrapped length 0 (R4) */
        {44, SET, 1, GPG_ERR_DECRYPT_FAILED},        /* wrapped length 257 (R8) */
        {45, XOR, 4, GPG_ERR_DECRYPT_FAILED},        /* wrapped key (R8) */
        {300, XOR, 4, GPG_ERR_DECRYPT_FAILED},       /* wrapped key (R8) */
        {301, XOR, 4, GPG_ERR_CHECKSUM},             /* salt (R9) */
        {340, XOR, 4, GPG_ERR_CHECKSUM},             /* commitment (R9) */
        {357, XOR, 4, GPG_ERR_CHECKSUM},             /* chunk 0 (R10) */
        {357 + 16400 + 9, XOR, 4, GPG_ERR_CHECKSUM}, /* chunk 1 (R10) */
        {env.len - 300, XOR, 4, GPG_ERR_CHECKSUM},   /* final chunk (R10) */
        {env.len - 1, XOR, 4, GPG_ERR_CHECKSUM},     /* final tag (R10) */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t o = cases[i].off;
        uint8_t saved = env.data[o];
        env.data[o] = cases[i].how == XOR ? (uint8_t)(saved ^ cases[i].v) : cases[i].v;
        assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), cases[i].code);
        assert_non_null(seal_detail());
        env.data[o] = saved;
        mem_sink_free(&out);
    }
    /* And unmodified, it works. */
    assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), 0);
    mem_sink_free(&out);
    mem_sink_free(&env);
    free(msg);
}

static void test_truncation(void **state)
{
    (void)state;
    struct mem_sink env, out;
    struct envelope_info info;
    struct seal_key *r[] = {bob};
    uint8_t *msg = pattern(40000);
    assert_int_equal(do_seal(msg, 40000, r, 1, alice, false, &env), 0);
    /* Nothing at all is not an envelope (R1) rather than a truncated one. */
    assert_int_equal(do_unseal(env.data, 0, bob, &out, &info), GPG_ERR_INV_DATA);
    mem_sink_free(&out);
    const size_t cuts[] = {1,
                           5,
                           11,
                           200,
                           301,
                           330,
                           357,
                           358,
                           372,
                           373,
                           357 + 16400,
                           357 + 16400 + 15,
                           357 + 16400 + 16,
                           357 + 2 * 16400,
                           env.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        gpg_err_code_t e = do_unseal(env.data, cuts[i], bob, &out, &info);
        /* Truncation is an error wherever it happens (R6, R11), or a failed
         * tag where the cut leaves a plausible final chunk (R10). */
        assert_true(e == GPG_ERR_TRUNCATED || (cuts[i] > 372 && e == GPG_ERR_CHECKSUM));
        mem_sink_free(&out);
    }
    /* Trailing data after the final chunk. */
    uint8_t *longer = malloc(env.len + 1);
    memcpy(longer, env.data, env.len);
    longer[env.len] = 0;
    assert_int_equal(do_unseal(longer, env.len + 1, bob, &out, &info), GPG_ERR_CHECKSUM);
    mem_sink_free(&out);
    free(longer);
    mem_sink_free(&env);
    free(msg);
}

/* Faults in the helper thread's half of a batch and across batches. */
static void test_batch_faults(void **state)
{
    (void)state;
    struct mem_sink env, out;
    struct envelope_info info;
    struct seal_key *r[] = {bob};
    size_t len = 64 * 16384; /* 64 full chunks and a final one */
    uint8_t *msg = pattern(len);
    assert_int_equal(do_seal(msg, len, r, 1, alice, false, &env), 0);
    assert_int_equal(env.len, 357 + 64 * 16400 + 314 + 16);
    const size_t flips[] = {20, 31, 32, 63};
    for (size_t i = 0; i < 4; i++) {
        size_t o = 357 + flips[i] * 16400 + 77;
        env.data[o] ^= 0x80;
        assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), GPG_ERR_CHECKSUM);
        env.data[o] ^= 0x80;
        mem_sink_free(&out);
    }
    const size_t swaps[][2] = {{15, 16}, {31, 32}};
    uint8_t *tmp = malloc(16400);
    for (size_t i = 0; i < 2; i++) {
        uint8_t *a = env.data + 357 + swaps[i][0] * 16400,
                *b = env.data + 357 + swaps[i][1] * 16400;
        memcpy(tmp, a, 16400);
        memcpy(a, b, 16400);
        memcpy(b, tmp, 16400);
        assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), GPG_ERR_CHECKSUM);
        memcpy(b, a, 16400);
        memcpy(a, tmp, 16400);
        mem_sink_free(&out);
    }
    free(tmp);
    /* Ends at a batch boundary, or after the last full chunk. */
    assert_int_equal(do_unseal(env.data, 357 + 32 * 16400, bob, &out, &info), GPG_ERR_TRUNCATED);
    mem_sink_free(&out);
    assert_int_equal(do_unseal(env.data, 357 + 64 * 16400, bob, &out, &info), GPG_ERR_TRUNCATED);
    mem_sink_free(&out);
    assert_int_equal(do_unseal(env.data, env.len, bob, &out, &info), 0);
    assert_int_equal(out.len, len);
    assert_memory_equal(out.data, msg, len);
    mem_sink_free(&out);
    mem_sink_free(&env);
    free(msg);
}

static void test_trust_load(void **state)
{
    (void)state;
    char path[1024];
    struct trusted_senders t;
    assert_int_equal(trusted.n, 2);
    assert_string_equal(trusted.v[0].name, "alice");
    assert_string_equal(trusted.v[1].name, "carol");
    testkit_path(path, sizeof path, "keys/bob.pub");
    assert_int_equal(trusted_senders_load(path, &t), 0);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.v[0].name, "bob");
    uint8_t fpr[SEAL_FPR_LEN];
    assert_int_equal(key_fingerprint(bob->rsa, fpr), 0);
    assert_memory_equal(t.v[0].key->fpr, fpr, SEAL_FPR_LEN);
    trusted_senders_free(&t);
    testkit_path(path, sizeof path, "keys/nonexistent.pub");
    assert_int_not_equal(trusted_senders_load(path, &t), 0);
    assert_int_equal(t.n, 0);
    /* A directory without keys is an error, not an empty trust set. */
    char tmpl[] = "/tmp/seal-trust-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    assert_int_equal(trusted_senders_load(tmpl, &t), GPG_ERR_UNUSABLE_PUBKEY);
    rmdir(tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_multi_recipient),
        cmocka_unit_test(test_receipt_keys),
        cmocka_unit_test(test_duplicate_recipients),
        cmocka_unit_test(test_untrusted_sender),
        cmocka_unit_test(test_inspect),
        cmocka_unit_test(test_armor_round_trip),
        cmocka_unit_test(test_fresh_randomness),
        cmocka_unit_test(test_tamper_every_region),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_batch_faults),
        cmocka_unit_test(test_trust_load),
    };
    if (seal_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
