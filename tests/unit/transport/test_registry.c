/* Key registration (seal(5) TRANSPORT "Registration", "Names"): client IDs,
 * the self-signed record (every byte counts, one encoding, the time window)
 * and the pending directory (exclusive, no name or key twice, a cap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "../envelope/envelope_util.h"
#include "transport/registry.h"

#define NOW 1800000000u

static void test_names(void **state)
{
    (void)state;
    static const char *good[] = {"alice", "a", "Bob_2", "x.y-z", "0", "_"};
    static const char *bad[] = {"",  ".alice", "-alice", "a/b",         "a b",  "..",
                                ".", "al\\ce", "al:ce",  "caf\xc3\xa9", "a\nb", "a*"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(registry_check_name(good[i]), 0);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (registry_check_name(bad[i]) != GPG_ERR_INV_NAME)
            fail_msg("name '%s' was accepted", bad[i]);
    char n[REGISTRY_NAME_MAX + 2];
    memset(n, 'n', sizeof n);
    n[REGISTRY_NAME_MAX] = '\0';
    assert_int_equal(registry_check_name(n), 0);
    n[REGISTRY_NAME_MAX] = 'n';
    n[REGISTRY_NAME_MAX + 1] = '\0';
    assert_int_equal(registry_check_name(n), GPG_ERR_INV_NAME);
}

static uint8_t *make_record(const char *keyname, const char *name, uint64_t created, size_t *len)
{
    struct seal_key *k = test_key(keyname, true);
    struct writer w;
    uint8_t nonce[REGISTRY_NONCE_LEN] = {1, 2, 3};
    assert_non_null(k);
    writer_init(&w, REGISTRY_RECORD_MAX, false);
    assert_int_equal(registry_record_encode(k, name, created, nonce, &w), 0);
    key_free(k);
    return writer_steal(&w, len);
}

static void test_record_roundtrip(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = make_record("alice", "alice", NOW, &len);
    struct registry_record r;
    struct seal_key *pub = test_key("alice", false);
    assert_int_equal(registry_record_parse(rec, len, NOW, &r), 0);
    assert_string_equal(r.name, "alice");
    assert_int_equal(r.created, NOW);
    assert_memory_equal(r.key->fpr, pub->fpr, SEAL_FPR_LEN);
    key_free(r.key);
    /* The edges of the window. */
    assert_int_equal(registry_record_parse(rec, len, NOW + REGISTRY_WINDOW, &r), 0);
    key_free(r.key);
    assert_int_equal(registry_record_parse(rec, len, NOW - REGISTRY_WINDOW, &r), 0);
    key_free(r.key);
    assert_int_equal(registry_record_parse(rec, len, NOW + REGISTRY_WINDOW + 1, &r),
                     GPG_ERR_SIG_EXPIRED);
    assert_null(r.key);
    assert_int_equal(registry_record_parse(rec, len, NOW - REGISTRY_WINDOW - 1, &r),
                     GPG_ERR_SIG_EXPIRED);
    key_free(pub);
    free(rec);
}

static void test_record_every_byte(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = make_record("bob", "bob", NOW, &len);
    struct registry_record r;
    /* Each flipped byte, and each truncation, is refused. */
    for (size_t i = 0; i < len; i++) {
        rec[i] ^= 0x01;
        if (registry_record_parse(rec, len, NOW, &r) == 0)
            fail_msg("a record with byte %zu changed was accepted", i);
        assert_null(r.key);
        rec[i] ^= 0x01;
    }
    for (size_t n = 0; n < len; n++)
        assert_int_not_equal(registry_record_parse(rec, n, NOW, &r), 0);
    /* One byte more is trailing data. */
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, rec, len);
    longer[len] = 0;
    assert_int_equal(registry_record_parse(longer, len + 1, NOW, &r), GPG_ERR_INV_DATA);
    free(longer);
    free(rec);
}

static void test_record_bad_name(void **state)
{
    (void)state;
    struct seal_key *k = test_key("alice", true);
    struct writer w;
    uint8_t nonce[REGISTRY_NONCE_LEN] = {0};
    writer_init(&w, REGISTRY_RECORD_MAX, false);
    assert_int_equal(registry_record_encode(k, "../etc", NOW, nonce, &w), GPG_ERR_INV_NAME);
    assert_int_equal(writer_len(&w), 0);
    writer_free(&w);
    /* A record signed for a bad name (made by hand) is refused after the
     * signature checks out. */
    size_t len;
    uint8_t *rec = make_record("alice", "abcde", NOW, &len);
    struct registry_record r;
    uint8_t *p = NULL;
    for (size_t i = 0; i + 5 <= len && !p; i++)
        if (memcmp(rec + i, "abcde", 5) == 0)
            p = rec + i;
    assert_non_null(p);
    memcpy(p, "ab/de", 5);
    assert_int_not_equal(registry_record_parse(rec, len, NOW, &r), 0);
    free(rec);
    key_free(k);
}

static char dir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_registry.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void parse_for(const char *keyname, const char *name, struct registry_record *r)
{
    size_t len;
    uint8_t *rec = make_record(keyname, name, NOW, &len);
    assert_int_equal(registry_record_parse(rec, len, NOW, r), 0);
    free(rec);
}

static void test_pending_store(void **state)
{
    (void)state;
    struct registry_record a, a2, c, m;
    struct trusted_senders trusted;
    memset(&trusted, 0, sizeof trusted);
    char path[128];
    struct stat st;
    parse_for("alice", "alice", &a);
    assert_int_equal(registry_store_pending(dir, &trusted, 10, &a), 0);
    snprintf(path, sizeof path, "%s/alice.pub", dir);
    assert_int_equal(stat(path, &st), 0);
    /* What was stored is alice's key. */
    struct seal_key *k = NULL;
    assert_int_equal(key_load_public(path, NULL, NULL, &k), 0);
    assert_memory_equal(k->fpr, a.key->fpr, SEAL_FPR_LEN);
    key_free(k);
    /* The same name again, and the same key under another name. */
    assert_int_equal(registry_store_pending(dir, &trusted, 10, &a), GPG_ERR_EEXIST);
    parse_for("alice", "alice2", &a2);
    assert_int_equal(registry_store_pending(dir, &trusted, 10, &a2), GPG_ERR_EEXIST);
    /* A name already trusted. */
    assert_int_equal(trusted_senders_load(path, &trusted), 0); /* "alice" */
    unlink(path);
    assert_int_equal(registry_store_pending(dir, &trusted, 10, &a), GPG_ERR_EEXIST);
    trusted_senders_free(&trusted);
    /* The cap counts what is pending. */
    parse_for("carol", "carol", &c);
    parse_for("mallory", "mallory", &m);
    assert_int_equal(registry_store_pending(dir, &trusted, 1, &c), 0);
    assert_int_equal(registry_store_pending(dir, &trusted, 1, &m), GPG_ERR_LIMIT_REACHED);
    snprintf(path, sizeof path, "%s/mallory.pub", dir);
    assert_int_not_equal(stat(path, &st), 0);
    /* No temporary file is left behind. */
    char cmd[160];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep -v '^carol.pub$')\"", dir);
    assert_int_equal(system(cmd), 0);
    key_free(a.key);
    key_free(a2.key);
    key_free(c.key);
    key_free(m.key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_record_roundtrip),
        cmocka_unit_test(test_record_every_byte),
        cmocka_unit_test(test_record_bad_name),
        cmocka_unit_test_setup_teardown(test_pending_store, setup_dir, teardown_dir),
    };
    if (seal_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
