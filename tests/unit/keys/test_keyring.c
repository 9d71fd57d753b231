/* Trusted senders (keys/keyring.h): trusted_senders_load_all() reads every
 * key of a directory that a lookup would read only on demand, and a
 * private key among them is refused naming its file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys/keyring.h"

static char top[4096];
static char dir[4096];

static void copy(const char *from, const char *to)
{
    char src[8300], dst[8300], buf[65536];
    FILE *in, *out;
    size_t n;

    snprintf(src, sizeof src, "%s/%s", top, from);
    snprintf(dst, sizeof dst, "%s/%s", dir, to);
    assert_non_null(in = fopen(src, "rb"));
    assert_non_null(out = fopen(dst, "wb"));
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static void remove_dir(void)
{
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    const char *t = getenv("top_srcdir");
    const char *tmp = getenv("TMPDIR");
    (void)state;
    snprintf(top, sizeof top, "%s", t ? t : ".");
    snprintf(dir, sizeof dir, "%s/test_keyring.XXXXXX", tmp ? tmp : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    remove_dir();
    return 0;
}

/* Three keys in three formats: none read at load, all after load_all,
 * each once (a lookup after it reads nothing more). */
static void test_load_all(void **state)
{
    struct trusted_senders t;
    const struct trusted_sender *found = NULL;
    (void)state;

    copy("tests/data/keys/rsa2048-spki.pem", "a.pub");
    copy("tests/data/keys/rsa3072-pkcs1pub.der", "b.pub");
    copy("tests/sshkit/pub_options.pub", "c.pub");
    assert_int_equal(trusted_senders_load(dir, &t), 0);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.loaded, 0);
    assert_int_equal(trusted_senders_load_all(&t), 0);
    assert_int_equal(t.loaded, 3);
    for (size_t i = 0; i < 3; i++)
        assert_non_null(t.v[i].key);
    /* The files are gone: a lookup must not need them any more. */
    remove_dir();
    assert_int_equal(trusted_senders_find(&t, t.v[2].key->fpr, &found), 0);
    assert_non_null(found);
    assert_string_equal(found->name, "c");
    /* Nothing left to read: a second call is a no-op. */
    assert_int_equal(trusted_senders_load_all(&t), 0);
    trusted_senders_free(&t);
}

/* A private key in a trust directory: refused (also unencrypted), the
 * detail naming the file. */
static void test_private_key_refused(void **state)
{
    struct trusted_senders t;
    (void)state;

    copy("tests/data/keys/rsa2048-spki.pem", "a.pub");
    copy("tests/sshkit/private_plain.key", "z.pub");
    assert_int_equal(trusted_senders_load(dir, &t), 0);
    seal_clear_detail();
    assert_int_equal(trusted_senders_load_all(&t), GPG_ERR_WRONG_KEY_USAGE);
    assert_non_null(seal_detail());
    assert_non_null(strstr(seal_detail(), "z.pub: a private key"));
    trusted_senders_free(&t);
    /* One file: refused at once. */
    char path[8300];
    snprintf(path, sizeof path, "%s/z.pub", dir);
    assert_int_equal(trusted_senders_load(path, &t), GPG_ERR_WRONG_KEY_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_private_key_refused, setup, teardown),
    };
    if (seal_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
