/* OpenSSH keys (keys/ssh.h): which lines are key lines, the key kit's
 * files through the parsers (fingerprints as ssh-keygen -l gave them), our
 * own ssh-rsa line read back, the key lines of a list, and every truncation
 * of a public blob and of an openssh-key-v1 structure refused without
 * reading past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys/base64.h"
#include "keys/keys.h"
#include "keys/pem.h"
#include "keys/ssh.h"

static char kitdir[4096];

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

    snprintf(path, sizeof path, "%s/%s", kitdir, name);
    if (!(f = fopen(path, "rb")))
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    b.data = malloc((size_t)n + 1);
    assert_non_null(b.data);
    assert_int_equal(fread(b.data, 1, (size_t)n, f), (size_t)n);
    b.data[n] = '\0';
    fclose(f);
    b.len = (size_t)n;
    return b;
}

/* The "ssh SHA256:..." line of NAME.expect. */
static void expected_ssh_fpr(const char *name, char out[SSH_FPR_TEXT_LEN])
{
    char file[256];
    struct blob b;
    const char *p;

    snprintf(file, sizeof file, "%s.expect", name);
    b = slurp(file);
    p = strstr((const char *)b.data, "\nssh SHA256:");
    assert_non_null(p);
    memcpy(out, p + 5, SSH_FPR_TEXT_LEN - 1);
    out[SSH_FPR_TEXT_LEN - 1] = '\0';
    free(b.data);
}

static bool is_key(const char *s)
{
    return ssh_line_is_key((const uint8_t *)s, strlen(s));
}

static void test_line_is_key(void **state)
{
    (void)state;
    assert_true(is_key("ssh-rsa AAAAB3Nza"));
    assert_true(is_key("ssh-rsa AAAAB3Nza comment with spaces"));
    assert_true(is_key("  \tssh-ed25519 AAAAC3"));
    assert_true(is_key("ecdsa-sha2-nistp256 AAAAE2"));
    assert_true(is_key("sk-ssh-ed25519@openssh.com AAAA"));
    assert_true(is_key("no-pty ssh-rsa AAAA"));
    assert_true(is_key("command=\"echo a b\",from=\"x\" ssh-rsa AAAA"));
    assert_true(is_key("command=\"say \\\"hi there\\\"\" ssh-rsa AAAA"));
    /* Paths, comments and things that only look alike are not keys. */
    assert_false(is_key(""));
    assert_false(is_key("keys/alice.pub"));
    assert_false(is_key("my keys/alice.pub"));
    assert_false(is_key("ssh-keys/alice.pub"));
    assert_false(is_key("ssh-rsa"));
    assert_false(is_key("ssh-rsa   "));
    assert_false(is_key("# ssh-rsa AAAA"));
    assert_false(is_key("command=\"echo ssh-rsa AAAA"));
    assert_false(is_key("-----BEGIN PUBLIC KEY-----"));
}

static bool is_list(const char *s)
{
    return ssh_is_public_list((const uint8_t *)s, strlen(s));
}

/* The key lines of a list: blank lines and comments skipped, numbers
 * counted over every line, CRLF and a last line without LF. */
static void test_key_lines(void **state)
{
    static const char text[] = "# team\n\n  \t\nno-pty ssh-rsa AAAA a\r\n"
                               "  # ssh-rsa AAAA\nssh-ed25519 AAAC b\n\nssh-rsa BBBB";
    static const char *const want[] = {"no-pty ssh-rsa AAAA a", "ssh-ed25519 AAAC b",
                                       "ssh-rsa BBBB"};
    static const size_t want_no[] = {4, 6, 8};
    struct ssh_key_lines it;
    const uint8_t *line;
    size_t n, lineno, i = 0;
    (void)state;

    ssh_key_lines_init(&it, (const uint8_t *)text, sizeof text - 1);
    while (ssh_key_lines_next(&it, &line, &n, &lineno)) {
        assert_true(i < 3);
        assert_int_equal(n, strlen(want[i]));
        assert_memory_equal(line, want[i], n);
        assert_int_equal(lineno, want_no[i]);
        i++;
    }
    assert_int_equal(i, 3);
    assert_false(ssh_key_lines_next(&it, &line, &n, &lineno));

    /* A list: a key line first, another key line (any type) later. */
    assert_true(is_list(text));
    assert_true(is_list("ssh-rsa AAAA\nssh-rsa BBBB\n"));
    assert_true(is_list("ssh-rsa AAAA\ngarbage\necdsa-sha2-nistp256 CCCC\n"));
    assert_false(is_list(""));
    assert_false(is_list("ssh-rsa AAAA\n"));
    assert_false(is_list("ssh-rsa AAAA\n# ssh-rsa BBBB\n\n"));
    assert_false(is_list("ssh-rsa AAAA\ntrailing garbage\n"));
    assert_false(is_list("keys/alice.pub\nssh-rsa AAAA\nssh-rsa BBBB\n"));
    assert_false(is_list("-----BEGIN PUBLIC KEY-----\nssh-rsa AAAA\nssh-rsa BBBB\n"));
}

/* Where one key is wanted, a list is refused, and says so. */
static void test_two_keys_refused(void **state)
{
    struct blob b = slurp("pub_two_keys.pub");
    struct seal_rsa_key *key = NULL;
    (void)state;

    assert_true(ssh_is_public_list(b.data, b.len));
    seal_clear_detail();
    assert_int_equal(ssh_decode_public_file(b.data, b.len, &key), GPG_ERR_INV_OBJ);
    assert_null(key);
    assert_non_null(strstr(seal_detail(), "more than one OpenSSH key"));
    free(b.data);
}

/* A kit file's key, its ssh fingerprint as ssh-keygen gave it, and the
 * same key and seal key ID from the private key file. */
static void test_kit_fingerprints(void **state)
{
    static const char *const pubs[] = {"pub_plain", "pub_options", "pub_comments",
                                       "pub_no_comment"};
    char want[SSH_FPR_TEXT_LEN], got[SSH_FPR_TEXT_LEN];
    uint8_t fpr[SEAL_FPR_LEN], fpr_priv[SEAL_FPR_LEN];
    struct seal_rsa_key *key = NULL;
    struct blob b;
    (void)state;

    b = slurp("private_plain.key");
    assert_int_equal(key_decode_private(b.data, b.len, NULL, 0, NULL, &key), 0);
    assert_true(seal_rsa_has_private(key));
    assert_int_equal(key_fingerprint(key, fpr_priv), 0);
    expected_ssh_fpr("private_plain", want);
    assert_int_equal(ssh_fingerprint_text(key, got), 0);
    assert_string_equal(got, want);
    seal_rsa_free(key);
    free(b.data);
    for (size_t i = 0; i < sizeof pubs / sizeof pubs[0]; i++) {
        char file[64];
        snprintf(file, sizeof file, "%s.pub", pubs[i]);
        b = slurp(file);
        key = NULL;
        seal_clear_detail();
        if (key_decode_public_only(b.data, b.len, &key) != 0)
            fail_msg("%s: %s", file, seal_detail());
        expected_ssh_fpr(pubs[i], want);
        assert_int_equal(ssh_fingerprint_text(key, got), 0);
        assert_string_equal(got, want);
        assert_int_equal(key_fingerprint(key, fpr), 0);
        assert_memory_equal(fpr, fpr_priv, SEAL_FPR_LEN);
        seal_rsa_free(key);
        free(b.data);
    }
}

/* ssh_encode_public_line writes exactly ssh-keygen's line (without its
 * comment), and it reads back. */
static void test_encode_round_trip(void **state)
{
    struct blob b = slurp("pub_no_comment.pub");
    struct seal_rsa_key *key = NULL, *again = NULL;
    char *line = NULL;
    size_t len = 0;
    uint8_t f1[SEAL_FPR_LEN], f2[SEAL_FPR_LEN];
    (void)state;

    assert_int_equal(ssh_decode_public_file(b.data, b.len, &key), 0);
    assert_int_equal(ssh_encode_public_line(key, &line, &len), 0);
    assert_int_equal(len, b.len);
    assert_memory_equal(line, b.data, len);
    assert_int_equal(line[len], '\0');
    assert_int_equal(ssh_decode_public_line((const uint8_t *)line, len - 1, &again), 0);
    assert_int_equal(key_fingerprint(key, f1), 0);
    assert_int_equal(key_fingerprint(again, f2), 0);
    assert_memory_equal(f1, f2, SEAL_FPR_LEN);
    seal_rsa_free(key);
    seal_rsa_free(again);
    free(line);
    free(b.data);
}

/* Every proper prefix of a public key blob, re-encoded as a line, is
 * malformed; none is read past. */
static void test_truncated_public_blobs(void **state)
{
    struct blob b = slurp("pub_no_comment.pub");
    uint8_t blob[1024];
    char line[2048];
    size_t bloblen = 0, n;
    (void)state;

    /* "ssh-rsa " + base64 + "\n" */
    assert_int_equal(b64_decode((const char *)b.data + 8, b.len - 9, blob, sizeof blob, &bloblen),
                     0);
    for (size_t cut = 0; cut < bloblen; cut++) {
        struct seal_rsa_key *key = NULL;
        uint8_t *copy = malloc(cut ? cut : 1); /* exactly CUT bytes, for ASan */
        assert_non_null(copy);
        memcpy(copy, blob, cut);
        memcpy(line, "ssh-rsa ", 8);
        assert_int_equal(b64_encode(copy, cut, true, line + 8, sizeof line - 8, &n), 0);
        seal_clear_detail();
        gpg_err_code_t err = ssh_decode_public_line((const uint8_t *)line, 8 + n, &key);
        if (cut == 0)
            assert_int_equal(err, GPG_ERR_INV_OBJ); /* "ssh-rsa " alone: no key line */
        else if (err != GPG_ERR_INV_OBJ)
            fail_msg("cut at %zu: %d (%s)", cut, err, seal_detail());
        assert_null(key);
        free(copy);
    }
    free(b.data);
}

/* Every proper prefix of an openssh-key-v1 structure is refused as
 * malformed, read from a buffer of exactly that size. */
static void test_truncated_private(void **state)
{
    struct blob b = slurp("private_plain.key");
    enum pem_label label;
    uint8_t *der = NULL;
    size_t derlen = 0;
    (void)state;

    assert_int_equal(pem_decode(b.data, b.len, &label, &der, &derlen), 0);
    assert_int_equal(label, PEM_OPENSSH_PRIVATE_KEY);
    for (size_t cut = 0; cut < derlen; cut++) {
        struct seal_rsa_key *key = NULL;
        uint8_t *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, der, cut);
        seal_clear_detail();
        gpg_err_code_t err = ssh_parse_private(copy, cut, &key);
        if (err != GPG_ERR_INV_OBJ)
            fail_msg("cut at %zu of %zu: %d (%s)", cut, derlen, err, seal_detail());
        assert_null(key);
        free(copy);
    }
    struct seal_rsa_key *key = NULL;
    assert_int_equal(ssh_parse_private(der, derlen, &key), 0);
    seal_rsa_free(key);
    seal_secure_free(der, derlen);
    free(b.data);
}

/* A private key file is refused by key_decode_public_only before anything
 * in it is parsed, whatever its format; key_decode_public still reads its
 * public half. */
static void test_public_only(void **state)
{
    struct blob b = slurp("private_plain.key");
    struct seal_rsa_key *key = NULL;
    (void)state;

    seal_clear_detail();
    assert_int_equal(key_decode_public_only(b.data, b.len, &key), GPG_ERR_WRONG_KEY_USAGE);
    assert_null(key);
    assert_non_null(strstr(seal_detail(), "a private key"));
    assert_int_equal(key_decode_public(b.data, b.len, &key), 0);
    assert_false(seal_rsa_has_private(key));
    seal_rsa_free(key);
    free(b.data);
    /* Encrypted: refused the same, nothing asked (there is no callback). */
    b = slurp("private_encrypted.key");
    assert_int_equal(key_decode_public_only(b.data, b.len, &key), GPG_ERR_WRONG_KEY_USAGE);
    free(b.data);
}

static int setup(void **state)
{
    const char *top = getenv("top_srcdir");
    (void)state;
    snprintf(kitdir, sizeof kitdir, "%s/tests/sshkit", top ? top : ".");
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_is_key),       cmocka_unit_test(test_kit_fingerprints),
        cmocka_unit_test(test_encode_round_trip), cmocka_unit_test(test_truncated_public_blobs),
        cmocka_unit_test(test_truncated_private), cmocka_unit_test(test_public_only),
        cmocka_unit_test(test_key_lines),         cmocka_unit_test(test_two_keys_refused),
    };
    if (seal_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, setup, NULL);
}
