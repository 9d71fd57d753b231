/* Runs every envelope of the testkit (tests/testkit/NAME.seal) through
 * envelope_unseal() as bob, trusting alice and carol, and checks that the
 * outcome is the one in NAME.expect and, for successes, that the plaintext
 * has the expected SHA-256. The same files are run through the unseal
 * program by tests/testkit/run.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>

#include <cmocka.h>

#include "envelope_util.h"

static struct seal_key *bob;
static struct trusted_senders trusted;

/* The outcome class of an unseal result, in the testkit's words. */
static const char *outcome(gpg_err_code_t e, const struct envelope_info *info)
{
    switch (e) {
    case 0:
        return "success";
    case GPG_ERR_INV_ARMOR:
        return "armor failure";
    case GPG_ERR_NO_SECKEY:
        return "not a recipient";
    case GPG_ERR_NOT_TRUSTED:
        return "untrusted sender";
    case GPG_ERR_BAD_SIGNATURE:
        return "signature failure";
    case GPG_ERR_CHECKSUM:
    case GPG_ERR_TRUNCATED:
        return info->header_verified ? "payload failure" : "header failure";
    case GPG_ERR_INV_DATA:
    case GPG_ERR_UNKNOWN_VERSION:
    case GPG_ERR_TOO_LARGE:
    case GPG_ERR_INV_LENGTH:
    case GPG_ERR_DECRYPT_FAILED:
        return info->header_verified ? "payload failure?" : "header failure";
    default:
        return gpg_strerror(e);
    }
}

static int run_case(const char *dir, const char *name)
{
    char path[2048], expect[256] = "", want_hash[80] = "";
    uint8_t *env = NULL, *exp = NULL;
    size_t env_len = 0, exp_len = 0;
    int bad = 0;

    snprintf(path, sizeof path, "%s/%s.seal", dir, name);
    assert_int_equal(file_read_all(path, 1 << 24, false, false, &env, &env_len), 0);
    snprintf(path, sizeof path, "%s/%s.expect", dir, name);
    assert_int_equal(file_read_all(path, 4096, false, false, &exp, &exp_len), 0);
    sscanf((char *)exp, "%255[^\n]\nsha256 %64s", expect, want_hash);

    struct mem_source src;
    struct mem_sink out;
    struct envelope_info info;
    struct unseal_request req;
    memset(&req, 0, sizeof req);
    req.recipient = bob;
    req.senders = &trusted;
    req.in = mem_source_init(&src, env, env_len);
    req.out = mem_sink_init(&out);
    seal_clear_detail();
    gpg_err_code_t e = envelope_unseal(&req, &info);
    const char *got = outcome(e, &info);
    if (getenv("TESTKIT_VERBOSE"))
        print_message("%-45s %-18s %s\n", name, got, seal_detail() ? seal_detail() : "");
    if (strcmp(got, expect) != 0) {
        print_error("%s: expected \"%s\", got \"%s\" (%s: %s)\n", name, expect, got,
                    gpg_strerror(e), seal_detail() ? seal_detail() : "");
        bad = 1;
    } else if (e == 0) {
        uint8_t h[32];
        char hex[65];
        seal_sha256(out.data, out.len, h);
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", h[i]);
        if (strcmp(hex, want_hash) != 0) {
            print_error("%s: plaintext hash %s, expected %s\n", name, hex, want_hash);
            bad = 1;
        }
    } else if (!seal_detail()) {
        print_error("%s: failure without a detail\n", name);
        bad = 1;
    }
    mem_sink_free(&out);
    free(env);
    free(exp);
    return bad;
}

static void test_testkit(void **state)
{
    (void)state;
    char dir[1024];
    testkit_path(dir, sizeof dir, "");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    int cases = 0, failures = 0;
    bool seen[7] = {false};
    const char *classes[7] = {"success_",   "header_",    "not_recipient_", "payload_",
                              "signature_", "untrusted_", "armor_"};
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".seal") != 0)
            continue;
        char name[512];
        snprintf(name, sizeof name, "%.*s", (int)(n - 5), de->d_name);
        failures += run_case(dir, name);
        cases++;
        for (int i = 0; i < 7; i++)
            if (strncmp(name, classes[i], strlen(classes[i])) == 0)
                seen[i] = true;
    }
    closedir(d);
    print_message("testkit: %d cases, %d failures\n", cases, failures);
    /* The kit must be there, and cover every outcome. */
    assert_true(cases >= 80);
    for (int i = 0; i < 7; i++)
        assert_true(seen[i]);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_testkit),
    };
    char dir[1024];
    if (seal_crypto_init())
        return 1;
    bob = test_key("bob", true);
    testkit_path(dir, sizeof dir, "trusted");
    if (!bob || trusted_senders_load(dir, &trusted) != 0)
        return 1;
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    key_free(bob);
    trusted_senders_free(&trusted);
    return r;
}
