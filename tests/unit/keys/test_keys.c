/* Key import and export: every OpenSSL-made format in tests/data/keys loads
 * with the fingerprint OpenSSL computes, foreign and weak keys are refused
 * with the right code, hostile encodings and KDF parameters are refused,
 * and what we write reads back (and equals what OpenSSL writes). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys/der.h"
#include "keys/keys.h"
#include "keys/keys_internal.h"
#include "keys/pem.h"

#define PASS "correct-horse"

static char datadir[4096];

struct blob {
    uint8_t *data;
    size_t len;
};

static struct blob slurp(const char *name)
{
    char path[4200];
    struct blob b = {NULL, 0};
    FILE *f;
    long n;

    snprintf(path, sizeof path, "%s/%s", datadir, name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    b.data = malloc((size_t)n);
    assert_non_null(b.data);
    assert_int_equal(fread(b.data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b.len = (size_t)n;
    return b;
}

/* The expected fingerprint of NAME from fingerprints.txt. */
static void expected_fpr(const char *name, char out[SEAL_FPR_TEXT_LEN])
{
    struct blob b = slurp("fingerprints.txt");
    char *text = malloc(b.len + 1), *line, *save = NULL;
    bool found = false;

    assert_non_null(text);
    memcpy(text, b.data, b.len);
    text[b.len] = '\0';
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (sp && (size_t)(sp - line) == strlen(name) && strncmp(line, name, strlen(name)) == 0) {
            assert_int_equal(strlen(sp + 1), SEAL_FPR_TEXT_LEN - 1);
            memcpy(out, sp + 1, SEAL_FPR_TEXT_LEN);
            found = true;
        }
    }
    free(text);
    free(b.data);
    if (!found)
        fail_msg("no fingerprint for %s", name);
}

static void check_fpr(const struct seal_rsa_key *key, const char *fpr_of)
{
    uint8_t fpr[SEAL_FPR_LEN];
    char text[SEAL_FPR_TEXT_LEN], want[SEAL_FPR_TEXT_LEN];

    expected_fpr(fpr_of, want);
    assert_int_equal(key_fingerprint(key, fpr), 0);
    key_fingerprint_text(fpr, text);
    assert_string_equal(text, want);
}

/* A loaded key carries the ID it was loaded with. */
static void check_loaded_fpr(const struct seal_key *key, const char *fpr_of)
{
    char text[SEAL_FPR_TEXT_LEN], want[SEAL_FPR_TEXT_LEN];

    expected_fpr(fpr_of, want);
    key_fingerprint_text(key->fpr, text);
    assert_string_equal(text, want);
}

static gpg_err_code_t load_public(const char *name, struct seal_rsa_key **key)
{
    struct blob b = slurp(name);
    gpg_err_code_t err;

    seal_clear_detail();
    err = key_decode_public(b.data, b.len, key);
    free(b.data);
    return err;
}

static gpg_err_code_t load_private(const char *name, const char *pass, struct seal_rsa_key **key)
{
    struct blob b = slurp(name);
    gpg_err_code_t err;

    seal_clear_detail();
    err = key_decode_private(b.data, b.len, pass, pass ? strlen(pass) : 0, NULL, key);
    free(b.data);
    return err;
}

static void expect_detail(const char *want)
{
    const char *d = seal_detail();
    if (d == NULL || strstr(d, want) == NULL)
        fail_msg("detail \"%s\" lacks \"%s\"", d ? d : "(none)", want);
}

/* ---- OpenSSL formats ---------------------------------------------------- */

static void test_public_formats(void **state)
{
    static const char *const files[] = {
        "rsa3072-spki.pem",  "rsa3072-spki.der",  "rsa3072-pkcs1pub.pem", "rsa3072-pkcs1pub.der",
        "rsa3072-pkcs8.pem", "rsa3072-pkcs8.der", "rsa3072-pkcs1.pem",    "rsa3072-pkcs1.der",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct seal_rsa_key *key = NULL;
        if (load_public(files[i], &key) != 0)
            fail_msg("%s: %s", files[i], seal_detail());
        assert_false(seal_rsa_has_private(key)); /* only the public half */
        assert_int_equal(seal_rsa_bits(key), 3072);
        check_fpr(key, "rsa3072-pkcs8.pem");
        seal_rsa_free(key);
    }
}

static void test_private_formats(void **state)
{
    static const char *const files[] = {
        "rsa3072-pkcs8.pem",
        "rsa3072-pkcs8.der",
        "rsa3072-pkcs1.pem",
        "rsa3072-pkcs1.der",
        "rsa3072-enc-pbkdf2.pem",
        "rsa3072-enc-scrypt.pem",
        "rsa3072-enc-scrypt.der",
        /* AES-128-CBC: OpenSSL's default, and what ssh-keygen -p -m PKCS8
         * writes. */
        "rsa3072-enc-aes128.pem",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct seal_rsa_key *key = NULL;
        if (load_private(files[i], PASS, &key) != 0)
            fail_msg("%s: %s", files[i], seal_detail());
        assert_true(seal_rsa_has_private(key));
        check_fpr(key, "rsa3072-pkcs8.pem");
        seal_rsa_free(key);
    }
}

static void test_sizes(void **state)
{
    static const char *const names[] = {"rsa2048", "rsa4096"};
    static const unsigned bits[] = {2048, 4096};
    char file[64], fprname[64];
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        struct seal_rsa_key *key = NULL;
        snprintf(fprname, sizeof fprname, "%s-pkcs8.pem", names[i]);
        assert_int_equal(load_private(fprname, NULL, &key), 0);
        assert_int_equal(seal_rsa_bits(key), bits[i]);
        check_fpr(key, fprname);
        seal_rsa_free(key);
        snprintf(file, sizeof file, "%s-spki.pem", names[i]);
        assert_int_equal(load_public(file, &key), 0);
        check_fpr(key, fprname);
        seal_rsa_free(key);
    }
}

static void test_genpkey_encrypted(void **state)
{
    struct seal_rsa_key *key = NULL;
    bool needs = false;
    struct blob b = slurp("rsa3072b-enc-genpkey.pem");
    (void)state;

    assert_int_equal(key_decode_private(b.data, b.len, PASS, strlen(PASS), &needs, &key), 0);
    check_fpr(key, "rsa3072b-enc-genpkey.pem");
    seal_rsa_free(key);

    seal_clear_detail();
    assert_int_equal(key_decode_private(b.data, b.len, "wrong", 5, &needs, &key),
                     GPG_ERR_BAD_PASSPHRASE);
    assert_null(key);
    expect_detail("wrong passphrase");

    seal_clear_detail();
    assert_int_equal(key_decode_private(b.data, b.len, NULL, 0, &needs, &key),
                     GPG_ERR_NO_PASSPHRASE);
    assert_true(needs);
    assert_int_equal(key_decode_public(b.data, b.len, &key), GPG_ERR_NO_PASSPHRASE);
    free(b.data);
}

static void test_wrong_passphrase_each_kdf(void **state)
{
    static const char *const files[] = {"rsa3072-enc-pbkdf2.pem", "rsa3072-enc-scrypt.pem",
                                        "rsa3072-enc-aes128.pem"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct seal_rsa_key *key = NULL;
        assert_int_equal(load_private(files[i], "correct-horsf", &key), GPG_ERR_BAD_PASSPHRASE);
        assert_null(key);
        assert_int_equal(load_private(files[i], "", &key), GPG_ERR_BAD_PASSPHRASE);
    }
}

struct cb_state {
    const char *pass;
    int calls;
    const char *seen_name;
};

static gpg_err_code_t give_pass(void *ctx, const char *path, char **pass, size_t *len)
{
    struct cb_state *st = ctx;
    size_t n = strlen(st->pass);

    st->calls++;
    st->seen_name = path;
    *pass = seal_secure_malloc(n + 1);
    if (*pass == NULL)
        return GPG_ERR_ENOMEM;
    memcpy(*pass, st->pass, n + 1);
    *len = n;
    return 0;
}

static gpg_err_code_t refuse_pass(void *ctx, const char *path, char **pass, size_t *len)
{
    (void)ctx;
    (void)path;
    (void)pass;
    (void)len;
    return GPG_ERR_CANCELED;
}

static void test_passphrase_callback(void **state)
{
    struct cb_state st = {PASS, 0, NULL};
    struct seal_rsa_key *key = NULL;
    struct blob enc = slurp("rsa3072-enc-pbkdf2.pem"), plain = slurp("rsa3072-pkcs8.pem");
    (void)state;

    assert_int_equal(key_decode_private_pass(enc.data, enc.len, give_pass, &st, "my.key", &key), 0);
    assert_int_equal(st.calls, 1);
    assert_string_equal(st.seen_name, "my.key");
    seal_rsa_free(key);
    /* public half of an encrypted key: asks too */
    assert_int_equal(key_decode_public_pass(enc.data, enc.len, give_pass, &st, "my.key", &key), 0);
    assert_int_equal(st.calls, 2);
    assert_false(seal_rsa_has_private(key));
    check_fpr(key, "rsa3072-pkcs8.pem");
    seal_rsa_free(key);
    /* never asks for an unencrypted key */
    assert_int_equal(key_decode_private_pass(plain.data, plain.len, give_pass, &st, "my.key", &key),
                     0);
    assert_int_equal(st.calls, 2);
    seal_rsa_free(key);
    /* the callback's refusal comes through */
    seal_clear_detail();
    assert_int_equal(key_decode_private_pass(enc.data, enc.len, refuse_pass, NULL, "my.key", &key),
                     GPG_ERR_CANCELED);
    assert_int_equal(key_decode_private_pass(enc.data, enc.len, NULL, NULL, "my.key", &key),
                     GPG_ERR_NO_PASSPHRASE);
    free(enc.data);
    free(plain.data);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_weak_key(void **state)
{
    struct seal_rsa_key *key = NULL;
    (void)state;
    assert_int_equal(load_private("rsa1024-pkcs8.pem", NULL, &key), GPG_ERR_WEAK_KEY);
    assert_null(key);
    assert_int_equal(load_public("rsa1024-spki.pem", &key), GPG_ERR_WEAK_KEY);
    assert_int_equal(load_public("rsa1024-pkcs8.pem", &key), GPG_ERR_WEAK_KEY);
}

static void test_foreign_keys(void **state)
{
    static const struct {
        const char *file;
        const char *name;
    } cases[] = {
        {"ec-p256.pem", "EC"},
        {"ec-p256-spki.pem", "EC"},
        {"ec-p256-traditional.pem", "EC"},
        {"ed25519.pem", "Ed25519"},
        {"ed25519-spki.pem", "Ed25519"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct seal_rsa_key *key = NULL;
        assert_int_equal(load_public(cases[i].file, &key), GPG_ERR_PUBKEY_ALGO);
        assert_null(key);
        expect_detail(cases[i].name);
    }
    {
        struct seal_rsa_key *key = NULL;
        assert_int_equal(load_private("ed25519.pem", NULL, &key), GPG_ERR_PUBKEY_ALGO);
        expect_detail("Ed25519 key: only RSA keys are supported");
    }
}

/* An SPKI whose algorithm is the OID with content OID (OIDLEN bytes), NULL
 * parameters and a dummy key. */
static gpg_err_code_t decode_spki_with_oid(const uint8_t *oid, size_t oidlen)
{
    static const uint8_t small[] = {1};
    struct writer alg, rsa, bits, spki, w;
    struct seal_rsa_key *key = NULL;
    gpg_err_code_t err;

    writer_init(&alg, 100, false);
    writer_init(&rsa, 100, false);
    writer_init(&bits, 100, false);
    writer_init(&spki, 300, false);
    writer_init(&w, 300, false);
    der_put_oid(&alg, oid, oidlen);
    der_put_null(&alg);
    der_put_integer(&rsa, small, sizeof small);
    der_put_integer(&rsa, small, sizeof small);
    writer_put_u8(&bits, 0);
    der_put_wrapped(&bits, DER_SEQUENCE, &rsa);
    der_put_wrapped(&spki, DER_SEQUENCE, &alg);
    der_put_wrapped(&spki, DER_BIT_STRING, &bits);
    assert_int_equal(der_put_wrapped(&w, DER_SEQUENCE, &spki), 0);
    seal_clear_detail();
    err = key_decode_public(writer_data(&w), writer_len(&w), &key);
    assert_null(key);
    writer_free(&alg);
    writer_free(&rsa);
    writer_free(&bits);
    writer_free(&spki);
    writer_free(&w);
    return err;
}

/* An unknown algorithm is named by its dotted OID; one with an arc too large
 * to print still gets a readable detail, not an empty name. */
static void test_unknown_algorithm(void **state)
{
    static const uint8_t known_shape[] = {0x2a, 0x03, 0x04}; /* 1.2.3.4 */
    uint8_t huge[21], longest[32];
    (void)state;
    assert_int_equal(decode_spki_with_oid(known_shape, sizeof known_shape), GPG_ERR_PUBKEY_ALGO);
    expect_detail("unsupported key algorithm 1.2.3.4: only RSA keys are supported");
    /* the longest OID we read, 32 one-byte arcs, still fits */
    memset(longest, 0x7f, sizeof longest);
    assert_int_equal(decode_spki_with_oid(longest, sizeof longest), GPG_ERR_PUBKEY_ALGO);
    expect_detail("algorithm 2.47.127.127.127.127.127.127.127.127.127.127.127.127.127.127.127."
                  "127.127.127.127.127.127.127.127.127.127.127.127.127.127.127.127: only RSA");
    memset(huge, 0xff, sizeof huge);
    huge[sizeof huge - 1] = 0x7f;
    assert_int_equal(decode_spki_with_oid(huge, sizeof huge), GPG_ERR_PUBKEY_ALGO);
    expect_detail("unsupported key algorithm (OID not printable): only RSA keys are supported");
}

static void test_exponents(void **state)
{
    struct seal_rsa_key *key = NULL;
    (void)state;
    /* e = 3 is small but valid */
    assert_int_equal(load_private("rsa2048-e3.pem", NULL, &key), 0);
    check_fpr(key, "rsa2048-e3.pem");
    seal_rsa_free(key);
    assert_int_equal(load_public("rsa2048-e3-spki.pem", &key), 0);
    check_fpr(key, "rsa2048-e3.pem");
    seal_rsa_free(key);
    key = NULL;
    assert_int_equal(load_public("rsa3072-even-e-spki.pem", &key), GPG_ERR_BAD_PUBKEY);
    assert_null(key);
    assert_int_equal(load_public("rsa3072-huge-e-spki.pem", &key), GPG_ERR_BAD_PUBKEY);
    assert_null(key);
}

static void test_unsupported_protection(void **state)
{
    struct seal_rsa_key *key = NULL;
    (void)state;
    assert_int_equal(load_private("rsa3072-legacy-enc.pem", PASS, &key), GPG_ERR_UNUSABLE_SECKEY);
    expect_detail("legacy PEM encryption not supported");
    assert_int_equal(load_private("rsa3072-enc-sha1.pem", PASS, &key), GPG_ERR_BAD_SECKEY);
    expect_detail("SHA1");
    assert_int_equal(load_private("rsa3072-enc-pbes1.pem", PASS, &key), GPG_ERR_UNUSABLE_SECKEY);
    expect_detail("PBES2");
    assert_null(key);
}

static void test_public_where_private_needed(void **state)
{
    struct seal_rsa_key *key = NULL;
    (void)state;
    assert_int_equal(load_private("rsa3072-spki.pem", NULL, &key), GPG_ERR_BAD_SECKEY);
    assert_int_equal(load_private("rsa3072-pkcs1pub.der", NULL, &key), GPG_ERR_BAD_SECKEY);
    assert_null(key);
}

static void test_garbage(void **state)
{
    struct seal_rsa_key *key = NULL;
    static const uint8_t junk[] = "this is not a key\n";
    static const uint8_t der_int[] = {0x02, 0x01, 0x05};
    static const uint8_t der_seq[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    static const uint8_t der_set[] = {0x30, 0x02, 0x31, 0x00};
    static const uint8_t text_before[] = "subject=CN = x\n-----BEGIN PUBLIC KEY-----\nAAAA\n"
                                         "-----END PUBLIC KEY-----\n";
    (void)state;
    seal_clear_detail();
    assert_int_equal(key_decode_public(text_before, sizeof text_before - 1, &key),
                     GPG_ERR_INV_ARMOR);
    expect_detail("before the BEGIN line");
    seal_clear_detail();
    assert_int_equal(key_decode_public(junk, sizeof junk - 1, &key), GPG_ERR_INV_DATA);
    expect_detail("neither PEM nor DER");
    assert_int_equal(key_decode_public(der_int, sizeof der_int, &key), GPG_ERR_INV_DATA);
    assert_int_equal(key_decode_public(der_seq, sizeof der_seq, &key), GPG_ERR_INV_OBJ);
    assert_int_equal(key_decode_public(der_set, sizeof der_set, &key), GPG_ERR_INV_OBJ);
    assert_int_equal(key_decode_public(junk, 0, &key), GPG_ERR_INV_DATA);
    assert_null(key);
    seal_clear_detail();
}

/* Every proper prefix of a valid key is refused, and so is the key with
 * anything appended. */
static void check_truncations(const char *name, bool private_key)
{
    struct blob b = slurp(name);
    uint8_t *buf = malloc(b.len + 1);
    size_t n;

    assert_non_null(buf);
    for (n = 0; n < b.len; n++) {
        struct seal_rsa_key *key = NULL;
        gpg_err_code_t err;
        memcpy(buf, b.data, n);
        err = private_key ? key_decode_private(buf, n, PASS, strlen(PASS), NULL, &key)
                          : key_decode_public(buf, n, &key);
        if (err == 0)
            fail_msg("%s: prefix of %zu bytes accepted", name, n);
        /* malformed input, never "authentication failed" */
        assert_int_not_equal(err, GPG_ERR_TRUNCATED);
        assert_null(key);
    }
    for (n = 0; n < 256; n += 17) {
        struct seal_rsa_key *key = NULL;
        memcpy(buf, b.data, b.len);
        buf[b.len] = (uint8_t)n;
        seal_clear_detail();
        assert_int_not_equal(
            private_key ? key_decode_private(buf, b.len + 1, PASS, strlen(PASS), NULL, &key)
                        : key_decode_public(buf, b.len + 1, &key),
            0);
    }
    free(buf);
    free(b.data);
    seal_clear_detail();
}

static void test_truncated_der(void **state)
{
    (void)state;
    check_truncations("rsa3072-spki.der", false);
    check_truncations("rsa3072-pkcs1pub.der", false);
    check_truncations("rsa3072-pkcs8.der", true);
    check_truncations("rsa3072-pkcs1.der", true);
}

static void test_truncated_encrypted_der(void **state)
{
    struct blob b = slurp("rsa3072-enc-scrypt.der");
    size_t n;
    (void)state;
    /* Only the structure: a prefix never reaches the KDF because the outer
     * length no longer fits. */
    for (n = 0; n < b.len; n++) {
        enum key_kind kind;
        seal_clear_detail();
        assert_int_not_equal(key_der_classify(b.data, n, &kind), 0);
    }
    free(b.data);
    seal_clear_detail();
}

static void test_trailing_data_detail(void **state)
{
    struct blob b = slurp("rsa3072-spki.der");
    uint8_t *buf = malloc(b.len + 1);
    struct seal_rsa_key *key = NULL;
    (void)state;
    memcpy(buf, b.data, b.len);
    buf[b.len] = 0;
    seal_clear_detail();
    assert_int_equal(key_decode_public(buf, b.len + 1, &key), GPG_ERR_INV_OBJ);
    expect_detail("trailing data after key");
    free(buf);
    free(b.data);
}

static void test_rsa_params_must_be_null(void **state)
{
    struct blob b = slurp("rsa3072-spki.der");
    struct writer w, alg, spki;
    struct reader r, s, a;
    const uint8_t *bits;
    size_t nbits;
    struct seal_rsa_key *key = NULL;
    (void)state;
    /* Rebuild the SPKI with the NULL parameters left out. */
    reader_init(&r, b.data, b.len);
    assert_int_equal(der_get_sequence(&r, &s), 0);
    assert_int_equal(der_get_sequence(&s, &a), 0);
    assert_int_equal(der_get_bit_string(&s, &bits, &nbits), 0);
    writer_init(&alg, 100, false);
    writer_init(&spki, 1000, false);
    writer_init(&w, 1000, false);
    der_put_oid(&alg, key_oid_rsa_encryption, sizeof key_oid_rsa_encryption);
    der_put_wrapped(&spki, DER_SEQUENCE, &alg);
    writer_put_u8(&spki, DER_BIT_STRING);
    writer_put_u8(&spki, 0x82);
    writer_put_u16(&spki, (uint16_t)(nbits + 1));
    writer_put_u8(&spki, 0);
    writer_put_bytes(&spki, bits, nbits);
    assert_int_equal(der_put_wrapped(&w, DER_SEQUENCE, &spki), 0);
    seal_clear_detail();
    assert_int_equal(key_decode_public(writer_data(&w), writer_len(&w), &key), GPG_ERR_INV_OBJ);
    expect_detail("NULL");
    writer_free(&alg);
    writer_free(&spki);
    writer_free(&w);
    free(b.data);
}

/* ---- crafted encrypted keys --------------------------------------------- */

/* An EncryptedPrivateKeyInfo with the given KDF AlgorithmIdentifier
 * (already a complete SEQUENCE in KDF), AES-256-CBC with an IV of IVLEN
 * bytes, and 32 bytes of ciphertext. */
static void build_epki(const struct writer *kdf, size_t ivlen, struct writer *out)
{
    static const uint8_t iv[32], ct[32];
    struct writer enc, params, alg, epki;

    writer_init(&enc, 1000, false);
    writer_init(&params, 1000, false);
    writer_init(&alg, 1000, false);
    writer_init(&epki, 1000, false);
    der_put_oid(&enc, key_oid_aes256_cbc, sizeof key_oid_aes256_cbc);
    der_put_tlv(&enc, DER_OCTET_STRING, iv, ivlen);
    writer_put_bytes(&params, writer_data(kdf), writer_len(kdf));
    der_put_wrapped(&params, DER_SEQUENCE, &enc);
    der_put_oid(&alg, key_oid_pbes2, sizeof key_oid_pbes2);
    der_put_wrapped(&alg, DER_SEQUENCE, &params);
    der_put_wrapped(&epki, DER_SEQUENCE, &alg);
    der_put_tlv(&epki, DER_OCTET_STRING, ct, sizeof ct);
    writer_init(out, 2000, false);
    assert_int_equal(der_put_wrapped(out, DER_SEQUENCE, &epki), 0);
    writer_free(&enc);
    writer_free(&params);
    writer_free(&alg);
    writer_free(&epki);
}

static void scrypt_kdf(struct writer *kdf, size_t saltlen, uint64_t n, uint64_t r, uint64_t p,
                       int64_t keylen)
{
    static const uint8_t salt[100];
    struct writer sp, k;

    writer_init(&sp, 1000, false);
    writer_init(&k, 1000, false);
    der_put_tlv(&sp, DER_OCTET_STRING, salt, saltlen);
    der_put_uint(&sp, n);
    der_put_uint(&sp, r);
    der_put_uint(&sp, p);
    if (keylen >= 0)
        der_put_uint(&sp, (uint64_t)keylen);
    der_put_oid(&k, key_oid_scrypt, sizeof key_oid_scrypt);
    der_put_wrapped(&k, DER_SEQUENCE, &sp);
    writer_init(kdf, 1000, false);
    der_put_wrapped(kdf, DER_SEQUENCE, &k);
    writer_free(&sp);
    writer_free(&k);
}

static void pbkdf2_kdf(struct writer *kdf, size_t saltlen, uint64_t iter, int64_t keylen,
                       bool with_prf)
{
    static const uint8_t salt[100];
    struct writer pp, prf, k;

    writer_init(&pp, 1000, false);
    writer_init(&prf, 1000, false);
    writer_init(&k, 1000, false);
    der_put_tlv(&pp, DER_OCTET_STRING, salt, saltlen);
    der_put_uint(&pp, iter);
    if (keylen >= 0)
        der_put_uint(&pp, (uint64_t)keylen);
    if (with_prf) {
        der_put_oid(&prf, key_oid_hmac_sha256, sizeof key_oid_hmac_sha256);
        der_put_null(&prf);
        der_put_wrapped(&pp, DER_SEQUENCE, &prf);
    }
    der_put_oid(&k, key_oid_pbkdf2, sizeof key_oid_pbkdf2);
    der_put_wrapped(&k, DER_SEQUENCE, &pp);
    writer_init(kdf, 1000, false);
    der_put_wrapped(kdf, DER_SEQUENCE, &k);
    writer_free(&pp);
    writer_free(&prf);
    writer_free(&k);
}

static gpg_err_code_t try_epki(struct writer *kdf, size_t ivlen)
{
    struct writer epki;
    struct seal_rsa_key *key = NULL;
    gpg_err_code_t err;

    build_epki(kdf, ivlen, &epki);
    seal_clear_detail();
    err = key_decode_private(writer_data(&epki), writer_len(&epki), "x", 1, NULL, &key);
    assert_null(key);
    writer_free(&epki);
    writer_free(kdf);
    return err;
}

static void test_hostile_scrypt(void **state)
{
    struct writer kdf;
    (void)state;
    /* N = 2^30 would need 128 GiB... refused before any work. */
    scrypt_kdf(&kdf, 16, (uint64_t)1 << 30, 8, 1, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    expect_detail("scrypt N above 2^20");
    scrypt_kdf(&kdf, 16, UINT64_MAX, 8, 1, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    scrypt_kdf(&kdf, 16, (uint64_t)1 << 14, 8, 17, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    expect_detail("scrypt p");
    scrypt_kdf(&kdf, 16, (uint64_t)1 << 14, 8, 0, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_INV_OBJ);
    /* Each parameter within its cap, but N * p = 2^21: about a minute of
     * CPU at N = 2^20, p = 16, so the product is capped too. */
    scrypt_kdf(&kdf, 16, (uint64_t)1 << 17, 8, 16, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    expect_detail("scrypt work N*p above 2^20");
    scrypt_kdf(&kdf, 16, 3000, 8, 1, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_INV_OBJ);
    expect_detail("power of two");
    scrypt_kdf(&kdf, 16, 1, 8, 1, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_INV_OBJ);
    scrypt_kdf(&kdf, 16, (uint64_t)1 << 14, 16, 1, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    expect_detail("r=16 not supported (libgcrypt implements r=8 only)");
    /* Salts outside 8..64 bytes: valid files refused by policy (exit 4). */
    scrypt_kdf(&kdf, 4, (uint64_t)1 << 14, 8, 1, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    expect_detail("salt");
    scrypt_kdf(&kdf, 65, (uint64_t)1 << 14, 8, 1, -1);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    scrypt_kdf(&kdf, 16, (uint64_t)1 << 14, 8, 1, 16);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_INV_OBJ);
    expect_detail("key length");
    /* a sane one with a bad IV length */
    scrypt_kdf(&kdf, 16, 1 << 10, 8, 1, 32);
    assert_int_equal(try_epki(&kdf, 8), GPG_ERR_INV_OBJ);
    /* and a sane one: it derives, decrypts garbage, and says "wrong" */
    scrypt_kdf(&kdf, 16, 1 << 10, 8, 1, 32);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_BAD_PASSPHRASE);
}

static void test_hostile_pbkdf2(void **state)
{
    struct writer kdf;
    (void)state;
    pbkdf2_kdf(&kdf, 16, 10000001, -1, true);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    expect_detail("iteration count");
    pbkdf2_kdf(&kdf, 16, 0, -1, true);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_INV_OBJ);
    pbkdf2_kdf(&kdf, 16, 1000, 24, true);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_INV_OBJ);
    pbkdf2_kdf(&kdf, 7, 1000, -1, true);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_UNUSABLE_SECKEY);
    pbkdf2_kdf(&kdf, 16, 1000, -1, false); /* default PRF: HMAC-SHA1 */
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_BAD_SECKEY);
    expect_detail("SHA1");
    pbkdf2_kdf(&kdf, 16, 1000, 32, true);
    assert_int_equal(try_epki(&kdf, 16), GPG_ERR_BAD_PASSPHRASE);
}

static void test_corrupted_ciphertext(void **state)
{
    struct blob b = slurp("rsa3072-enc-scrypt.der");
    struct seal_rsa_key *key = NULL;
    (void)state;
    /* last block: the padding breaks */
    b.data[b.len - 1] ^= 0x01;
    seal_clear_detail();
    assert_int_equal(key_decode_private(b.data, b.len, PASS, strlen(PASS), NULL, &key),
                     GPG_ERR_BAD_PASSPHRASE);
    b.data[b.len - 1] ^= 0x01;
    /* a block in the middle: the DER breaks */
    b.data[b.len - 600] ^= 0x40;
    seal_clear_detail();
    assert_int_equal(key_decode_private(b.data, b.len, PASS, strlen(PASS), NULL, &key),
                     GPG_ERR_BAD_PASSPHRASE);
    expect_detail("wrong passphrase or corrupted key");
    assert_null(key);
    free(b.data);
}

/* ---- writing ------------------------------------------------------------ */

/* Our PKCS#8 and SPKI encodings of an OpenSSL key are byte-for-byte what
 * OpenSSL wrote. */
static void test_encode_matches_openssl(void **state)
{
    struct blob priv = slurp("rsa3072-pkcs8.pem"), pub = slurp("rsa3072-spki.pem");
    struct seal_rsa_key *key = NULL;
    char *out;
    size_t outlen;
    (void)state;
    assert_int_equal(key_decode_private(priv.data, priv.len, NULL, 0, NULL, &key), 0);
    assert_int_equal(key_encode_private_pem(key, NULL, 0, &out, &outlen), 0);
    assert_int_equal(outlen, priv.len);
    assert_memory_equal(out, priv.data, outlen);
    seal_secure_free(out, outlen);
    assert_int_equal(key_encode_public_pem(key, &out, &outlen), 0);
    assert_int_equal(outlen, pub.len);
    assert_memory_equal(out, pub.data, outlen);
    free(out);
    seal_rsa_free(key);
    free(priv.data);
    free(pub.data);
}

static void test_encrypted_round_trip(void **state)
{
    struct blob priv = slurp("rsa2048-pkcs8.pem");
    struct seal_rsa_key *key = NULL, *back = NULL;
    enum pem_label label;
    uint8_t *der;
    size_t derlen;
    char *out;
    size_t outlen;
    struct reader r, s, a, p, k, sp;
    const uint8_t *oid;
    size_t oidlen;
    uint64_t n, rr, pp;
    const uint8_t *salt;
    size_t saltlen;
    (void)state;
    assert_int_equal(key_decode_private(priv.data, priv.len, NULL, 0, NULL, &key), 0);
    assert_int_equal(key_encode_private_pem(key, "s3cret", 6, &out, &outlen), 0);
    assert_true(strncmp(out, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38) == 0);

    /* the parameters are the ones promised */
    assert_int_equal(pem_decode((const uint8_t *)out, outlen, &label, &der, &derlen), 0);
    reader_init(&r, der, derlen);
    assert_int_equal(der_get_sequence(&r, &s), 0);
    assert_int_equal(der_get_sequence(&s, &a), 0);
    assert_int_equal(der_get_oid(&a, &oid, &oidlen), 0);
    assert_int_equal(der_get_sequence(&a, &p), 0);
    assert_int_equal(der_get_sequence(&p, &k), 0);
    assert_int_equal(der_get_oid(&k, &oid, &oidlen), 0);
    assert_true(der_oid_equal(oid, oidlen, key_oid_scrypt, sizeof key_oid_scrypt));
    assert_int_equal(der_get_sequence(&k, &sp), 0);
    assert_int_equal(der_get_octet_string(&sp, 0, 100, &salt, &saltlen), 0);
    assert_int_equal(saltlen, 16);
    assert_int_equal(der_get_uint(&sp, UINT64_MAX, "N", &n), 0);
    assert_int_equal(der_get_uint(&sp, UINT64_MAX, "r", &rr), 0);
    assert_int_equal(der_get_uint(&sp, UINT64_MAX, "p", &pp), 0);
    assert_true(n == KEY_SCRYPT_WRITE_N && rr == 8 && pp == KEY_SCRYPT_WRITE_P);
    assert_true(n * rr * pp >= ((uint64_t)1 << 17) * 8); /* at least the work of 2^17, 8, 1 */
    seal_secure_free(der, derlen);

    assert_int_equal(key_decode_private((const uint8_t *)out, outlen, "s3cret", 6, NULL, &back), 0);
    assert_true(seal_rsa_has_private(back));
    check_fpr(back, "rsa2048-pkcs8.pem");
    seal_rsa_free(back);
    back = NULL;
    seal_clear_detail();
    assert_int_equal(key_decode_private((const uint8_t *)out, outlen, "s3creT", 6, NULL, &back),
                     GPG_ERR_BAD_PASSPHRASE);
    assert_null(back);
    seal_secure_free(out, outlen);
    seal_rsa_free(key);
    free(priv.data);
}

static void test_fingerprint_text(void **state)
{
    uint8_t fpr[SEAL_FPR_LEN];
    char text[SEAL_FPR_TEXT_LEN];
    (void)state;
    memset(fpr, 0xff, sizeof fpr);
    key_fingerprint_text(fpr, text);
    assert_int_equal(strlen(text), 50);
    assert_string_equal(text, "SHA256://////////////////////////////////////////8");
}

/* ---- files -------------------------------------------------------------- */

static void copy_to(const char *name, const char *dst, mode_t mode)
{
    struct blob b = slurp(name);
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
    free(b.data);
}

static void test_load_files(void **state)
{
    char dir[] = "/tmp/test_keys.XXXXXX", path[128];
    struct seal_key *key = NULL;
    struct cb_state st = {PASS, 0, NULL};
    (void)state;
    assert_non_null(mkdtemp(dir));

    snprintf(path, sizeof path, "%s/open.key", dir);
    copy_to("rsa3072-pkcs8.pem", path, 0644);
    seal_clear_detail();
    assert_int_equal(key_load_private(path, NULL, NULL, &key), GPG_ERR_BAD_SECKEY);
    assert_null(key);
    /* the public half of a readable private key is fine */
    assert_int_equal(key_load_public(path, NULL, NULL, &key), 0);
    check_fpr(key->rsa, "rsa3072-pkcs8.pem");
    check_loaded_fpr(key, "rsa3072-pkcs8.pem");
    key_free(key);
    unlink(path);

    snprintf(path, sizeof path, "%s/closed.key", dir);
    copy_to("rsa3072-enc-scrypt.pem", path, 0600);
    assert_int_equal(key_load_private(path, give_pass, &st, &key), 0);
    assert_int_equal(st.calls, 1);
    assert_string_equal(st.seen_name, path);
    check_fpr(key->rsa, "rsa3072-pkcs8.pem");
    check_loaded_fpr(key, "rsa3072-pkcs8.pem");
    key_free(key);
    seal_clear_detail();
    assert_int_equal(key_load_public(path, NULL, NULL, &key), GPG_ERR_NO_PASSPHRASE);
    unlink(path);

    snprintf(path, sizeof path, "%s/missing.key", dir);
    assert_int_not_equal(key_load_public(path, NULL, NULL, &key), 0);
    seal_clear_detail();
    rmdir(dir);
}

static int setup(void **state)
{
    const char *top = getenv("top_srcdir");
    (void)state;
    snprintf(datadir, sizeof datadir, "%s/tests/data/keys", top ? top : ".");
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_formats),
        cmocka_unit_test(test_private_formats),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_genpkey_encrypted),
        cmocka_unit_test(test_wrong_passphrase_each_kdf),
        cmocka_unit_test(test_passphrase_callback),
        cmocka_unit_test(test_weak_key),
        cmocka_unit_test(test_foreign_keys),
        cmocka_unit_test(test_unknown_algorithm),
        cmocka_unit_test(test_exponents),
        cmocka_unit_test(test_unsupported_protection),
        cmocka_unit_test(test_public_where_private_needed),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_truncated_der),
        cmocka_unit_test(test_truncated_encrypted_der),
        cmocka_unit_test(test_trailing_data_detail),
        cmocka_unit_test(test_rsa_params_must_be_null),
        cmocka_unit_test(test_hostile_scrypt),
        cmocka_unit_test(test_hostile_pbkdf2),
        cmocka_unit_test(test_corrupted_ciphertext),
        cmocka_unit_test(test_encode_matches_openssl),
        cmocka_unit_test(test_encrypted_round_trip),
        cmocka_unit_test(test_fingerprint_text),
        cmocka_unit_test(test_load_files),
    };
    if (seal_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, setup, NULL);
}
