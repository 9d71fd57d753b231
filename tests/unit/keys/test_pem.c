/* PEM armor: one block, known labels, strict lines, nothing around it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "keys/pem.h"

/* 49 bytes: one full line of 64 base64 characters and a padded tail. */
static const char body64[] = "SGVsbG8sIFBFTSBhcm1vciB0ZXN0ISBUaGlzIGlzIGZvcnR5LWVpZ2h0IGJ5dGVz";
static const char body_tail[] = "IQ==";
static const char raw_text[] = "Hello, PEM armor test! This is forty-eight bytes!";

static char *make_pem(const char *before, const char *label, const char *eol, const char *after)
{
    char *s = malloc(1024);
    assert_non_null(s);
    snprintf(s, 1024, "%s-----BEGIN %s-----%s%s%s%s%s-----END %s-----%s%s", before, label, eol,
             body64, eol, body_tail, eol, label, eol, after);
    return s;
}

static gpg_err_code_t decode_str(const char *s, enum pem_label *label, uint8_t **der, size_t *len)
{
    seal_clear_detail();
    return pem_decode((const uint8_t *)s, strlen(s), label, der, len);
}

static void expect_ok(const char *s, enum pem_label want)
{
    enum pem_label label;
    uint8_t *der;
    size_t len;
    assert_int_equal(decode_str(s, &label, &der, &len), 0);
    assert_int_equal(label, want);
    assert_int_equal(len, strlen(raw_text));
    assert_memory_equal(der, raw_text, len);
    seal_secure_free(der, len);
}

static void expect_fail(const char *s, gpg_err_code_t code, const char *detail)
{
    enum pem_label label;
    uint8_t *der = (uint8_t *)1;
    size_t len = 1;
    assert_int_equal(decode_str(s, &label, &der, &len), code);
    assert_null(der);
    assert_int_equal(len, 0);
    if (detail != NULL) {
        assert_non_null(seal_detail());
        if (strstr(seal_detail(), detail) == NULL)
            fail_msg("detail \"%s\" lacks \"%s\"", seal_detail(), detail);
    }
}

static void test_valid_lf(void **state)
{
    char *s = make_pem("", "PUBLIC KEY", "\n", "");
    (void)state;
    expect_ok(s, PEM_PUBLIC_KEY);
    free(s);
}

static void test_valid_crlf(void **state)
{
    char *s = make_pem("", "PRIVATE KEY", "\r\n", "");
    (void)state;
    expect_ok(s, PEM_PRIVATE_KEY);
    free(s);
}

static void test_all_labels(void **state)
{
    static const char *names[] = {"PUBLIC KEY", "RSA PUBLIC KEY", "PRIVATE KEY", "RSA PRIVATE KEY",
                                  "ENCRYPTED PRIVATE KEY"};
    size_t i;
    (void)state;
    for (i = 0; i < 5; i++) {
        char *s = make_pem("", names[i], "\n", "");
        expect_ok(s, (enum pem_label)i);
        assert_string_equal(pem_label_name((enum pem_label)i), names[i]);
        free(s);
    }
}

static void test_whitespace_around(void **state)
{
    char *s = make_pem("\n \t\r\n", "PUBLIC KEY", "\n", "\n\n  \n");
    (void)state;
    expect_ok(s, PEM_PUBLIC_KEY);
    free(s);
}

static void test_no_final_newline(void **state)
{
    char *s = make_pem("", "PUBLIC KEY", "\n", "");
    (void)state;
    s[strlen(s) - 1] = '\0';
    expect_ok(s, PEM_PUBLIC_KEY);
    free(s);
}

static void test_garbage_before(void **state)
{
    char *s = make_pem("Bag Attributes\n", "PUBLIC KEY", "\n", "");
    (void)state;
    expect_fail(s, GPG_ERR_INV_ARMOR, "before the BEGIN line");
    free(s);
}

static void test_garbage_after(void **state)
{
    char *s = make_pem("", "PUBLIC KEY", "\n", "x");
    (void)state;
    expect_fail(s, GPG_ERR_INV_ARMOR, "after the END line");
    free(s);
}

static void test_two_blocks(void **state)
{
    char *one = make_pem("", "PUBLIC KEY", "\n", "");
    char *two = make_pem(one, "PUBLIC KEY", "\n", "");
    (void)state;
    expect_fail(two, GPG_ERR_INV_ARMOR, "more than one block");
    free(one);
    free(two);
}

static void test_missing_end(void **state)
{
    char s[256];
    (void)state;
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\n%s\n", body64, body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "no END line");
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\n%s", body64, body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "no END line");
    expect_fail("-----BEGIN PUBLIC KEY-----", GPG_ERR_INV_ARMOR, "no END line");
}

static void test_mismatched_labels(void **state)
{
    char s[256];
    (void)state;
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\n%s\n-----END PRIVATE KEY-----\n", body64,
             body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "does not match");
}

static void test_malformed_boundaries(void **state)
{
    char s[256];
    (void)state;
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY----\n%s\n-----END PUBLIC KEY-----\n", body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "BEGIN");
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY----\n", body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "END");
    snprintf(s, sizeof s, "-----BEGIN public key-----\n%s\n-----END public key-----\n", body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "BEGIN");
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY----- \n%s\n-----END PUBLIC KEY-----\n", body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "BEGIN");
}

static void test_unknown_and_foreign_labels(void **state)
{
    char *s;
    (void)state;
    s = make_pem("", "CERTIFICATE", "\n", "");
    expect_fail(s, GPG_ERR_INV_ARMOR, "unsupported label \"CERTIFICATE\"");
    free(s);
    s = make_pem("", "EC PRIVATE KEY", "\n", "");
    expect_fail(s, GPG_ERR_PUBKEY_ALGO, "EC");
    free(s);
    s = make_pem("", "OPENSSH PRIVATE KEY", "\n", "");
    expect_ok(s, PEM_OPENSSH_PRIVATE_KEY);
    free(s);
}

static void test_legacy_encryption_header(void **state)
{
    char s[512];
    (void)state;
    snprintf(s, sizeof s,
             "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
             "DEK-Info: AES-256-CBC,F9C69647671DFE834BAC556BA26BE216\n\n%s\n%s\n"
             "-----END RSA PRIVATE KEY-----\n",
             body64, body_tail);
    /* A valid key in an encryption seal refuses: a key problem (exit 4),
     * not malformed armor. */
    expect_fail(s, GPG_ERR_UNUSABLE_SECKEY, "legacy PEM encryption not supported");
    assert_non_null(strstr(seal_detail(), "legacy PEM encryption"));
}

static void test_other_header(void **state)
{
    char s[512];
    (void)state;
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\nComment: hi\n%s\n-----END PUBLIC KEY-----\n",
             body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "header");
}

static void test_line_lengths(void **state)
{
    char s[512], line[80];
    (void)state;
    /* 76 characters (57 bytes) is the longest accepted line... */
    memset(line, 'A', 76);
    line[76] = '\0';
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", line);
    {
        enum pem_label label;
        uint8_t *der;
        size_t len;
        assert_int_equal(decode_str(s, &label, &der, &len), 0);
        assert_int_equal(len, 57);
        seal_secure_free(der, len);
    }
    /* ...and 80 is refused. */
    memset(line, 'A', 80);
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%.80s\n-----END PUBLIC KEY-----\n", line);
    expect_fail(s, GPG_ERR_INV_ARMOR, "longer than 76");
}

static void test_body_faults(void **state)
{
    char s[512];
    (void)state;
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\n\n%s\n-----END PUBLIC KEY-----\n",
             body64, body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "empty line");
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s \n%s\n-----END PUBLIC KEY-----\n", body64,
             body_tail);
    expect_fail(s, GPG_ERR_INV_ARMOR, "whitespace");
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
    expect_fail(s, GPG_ERR_INV_ARMOR, "empty body");
    /* padding in the middle of the body */
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\n%s\n%s\n-----END PUBLIC KEY-----\n",
             body_tail, body64, body_tail);
    expect_fail(s, GPG_ERR_INV_DATA, "base64");
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\nIQ=\n-----END PUBLIC KEY-----\n",
             body64);
    expect_fail(s, GPG_ERR_INV_DATA, "base64");
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\nI*==\n-----END PUBLIC KEY-----\n",
             body64);
    expect_fail(s, GPG_ERR_INV_DATA, "base64");
    /* a lone CR inside a line */
    snprintf(s, sizeof s, "-----BEGIN PUBLIC KEY-----\n%s\rIQ==\n-----END PUBLIC KEY-----\n",
             body64);
    expect_fail(s, GPG_ERR_INV_ARMOR, "whitespace");
    expect_fail("", GPG_ERR_INV_ARMOR, "empty");
    expect_fail(" \n\n", GPG_ERR_INV_ARMOR, "empty");
}

/* Every prefix shorter than the whole block (less its final newline, which
 * is optional) is refused. */
static void test_truncations(void **state)
{
    char *s = make_pem("", "PRIVATE KEY", "\n", "");
    size_t full = strlen(s), n;
    (void)state;
    for (n = 0; n + 1 < full; n++) {
        enum pem_label label;
        uint8_t *der = NULL;
        size_t len = 0;
        gpg_err_code_t err = pem_decode((const uint8_t *)s, n, &label, &der, &len);
        if (err == 0)
            fail_msg("prefix of %zu bytes accepted", n);
        assert_null(der);
    }
    seal_clear_detail();
    free(s);
}

static void test_too_large(void **state)
{
    size_t n = KEY_FILE_MAX + 1;
    uint8_t *big = calloc(1, n);
    enum pem_label label;
    uint8_t *der;
    size_t len;
    (void)state;
    assert_non_null(big);
    memset(big, '\n', n);
    assert_int_equal(pem_decode(big, n, &label, &der, &len), GPG_ERR_TOO_LARGE);
    free(big);
    seal_clear_detail();
}

static void test_encode_round_trip(void **state)
{
    uint8_t raw[200], *der;
    char *out;
    size_t outlen, len, i;
    enum pem_label label;
    (void)state;
    for (i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)(i * 7);
    assert_int_equal(pem_encode(PEM_ENCRYPTED_PRIVATE_KEY, raw, sizeof raw, true, &out, &outlen),
                     0);
    assert_int_equal(strlen(out), outlen);
    assert_true(strncmp(out, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38) == 0);
    /* 200 bytes are 268 characters: four lines of 64 and one of 12. */
    assert_int_equal(strchr(out + 38, '\n') - (out + 38), 64);
    assert_true(strcmp(out + outlen - 36, "-----END ENCRYPTED PRIVATE KEY-----\n") == 0);
    assert_int_equal(pem_decode((const uint8_t *)out, outlen, &label, &der, &len), 0);
    assert_int_equal(label, PEM_ENCRYPTED_PRIVATE_KEY);
    assert_int_equal(len, sizeof raw);
    assert_memory_equal(der, raw, len);
    seal_secure_free(der, len);
    seal_secure_free(out, outlen);

    assert_int_equal(pem_encode(PEM_PUBLIC_KEY, raw, 48, false, &out, &outlen), 0);
    assert_int_equal(outlen, 27 + 65 + 25);
    free(out);
}

static void test_looks_like_pem(void **state)
{
    (void)state;
    assert_true(pem_looks_like_pem((const uint8_t *)"\n-----BEGIN X", 13));
    assert_true(pem_looks_like_pem((const uint8_t *)"Bag Attributes\n-----BEGIN X", 27));
    assert_true(pem_looks_like_pem((const uint8_t *)"\r\n  -----BEGIN X", 16));
    assert_false(pem_looks_like_pem((const uint8_t *)"not a key\n", 10));
    assert_false(pem_looks_like_pem((const uint8_t *)"\x30\x82", 2));
    assert_false(pem_looks_like_pem((const uint8_t *)"", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_lf),
        cmocka_unit_test(test_valid_crlf),
        cmocka_unit_test(test_all_labels),
        cmocka_unit_test(test_whitespace_around),
        cmocka_unit_test(test_no_final_newline),
        cmocka_unit_test(test_garbage_before),
        cmocka_unit_test(test_garbage_after),
        cmocka_unit_test(test_two_blocks),
        cmocka_unit_test(test_missing_end),
        cmocka_unit_test(test_mismatched_labels),
        cmocka_unit_test(test_malformed_boundaries),
        cmocka_unit_test(test_unknown_and_foreign_labels),
        cmocka_unit_test(test_legacy_encryption_header),
        cmocka_unit_test(test_other_header),
        cmocka_unit_test(test_line_lengths),
        cmocka_unit_test(test_body_faults),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_encode_round_trip),
        cmocka_unit_test(test_looks_like_pem),
    };
    if (seal_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
