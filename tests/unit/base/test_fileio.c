/* Atomic output never shows a partial file, never clobbers without force;
 * private key files with open permissions are refused; reads are capped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "base/fileio.h"

static char dir[] = "/tmp/seal-test-fileio.XXXXXX";

static char *path_in_dir(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static size_t entries_in_dir(void)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void clean_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
}

static void test_nothing_visible_until_commit(void **state)
{
    (void)state;
    clean_dir();
    char *final = strdup(path_in_dir("out.txt"));
    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, final, 0640, false), 0);
    assert_int_equal(atomic_out_write(&o, "hello", 5), 0);
    struct stat st;
    assert_int_equal(stat(final, &st), -1); /* not under the final name yet */
    assert_int_equal(atomic_out_commit(&o), 0);
    assert_int_equal(stat(final, &st), 0);
    assert_int_equal(st.st_size, 5);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(entries_in_dir(), 1); /* the temporary file is gone */
    free(final);
}

static void test_abort_leaves_nothing(void **state)
{
    (void)state;
    clean_dir();
    char *final = strdup(path_in_dir("out.txt"));
    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, final, 0600, false), 0);
    assert_int_equal(atomic_out_write(&o, "partial", 7), 0);
    atomic_out_abort(&o);
    assert_int_equal(entries_in_dir(), 0);
    free(final);
}

static void test_never_clobbers_without_force(void **state)
{
    (void)state;
    clean_dir();
    char *final = strdup(path_in_dir("out.txt"));
    FILE *f = fopen(final, "w");
    fputs("original", f);
    fclose(f);
    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, final, 0600, false), GPG_ERR_EEXIST);
    seal_clear_detail();
    /* A file that appears between open and commit is not replaced either. */
    unlink(final);
    assert_int_equal(atomic_out_open(&o, final, 0600, false), 0);
    atomic_out_write(&o, "new", 3);
    f = fopen(final, "w");
    fputs("raced", f);
    fclose(f);
    assert_int_equal(atomic_out_commit(&o), GPG_ERR_EEXIST);
    seal_clear_detail();
    char buf[16] = {0};
    f = fopen(final, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "raced");
    assert_int_equal(entries_in_dir(), 1);
    /* With force it is replaced. */
    assert_int_equal(atomic_out_open(&o, final, 0600, true), 0);
    atomic_out_write(&o, "forced", 6);
    assert_int_equal(atomic_out_commit(&o), 0);
    f = fopen(final, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "forced");
    free(final);
}

static void test_private_key_permissions(void **state)
{
    (void)state;
    clean_dir();
    char *p = strdup(path_in_dir("k.key"));
    FILE *f = fopen(p, "w");
    fputs("secret", f);
    fclose(f);
    uint8_t *data;
    size_t len;
    const mode_t bad[] = {0644, 0640, 0604, 0620, 0602};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        chmod(p, bad[i]);
        assert_int_equal(file_read_all(p, 100, true, true, &data, &len), GPG_ERR_BAD_SECKEY);
        seal_clear_detail();
    }
    chmod(p, 0600);
    assert_int_equal(file_read_all(p, 100, true, true, &data, &len), 0);
    assert_int_equal(len, 6);
    assert_memory_equal(data, "secret", 6);
    seal_secure_free(data, len + 1);
    /* Symbolic links to private keys are refused. */
    char *l = strdup(path_in_dir("link.key"));
    assert_int_equal(symlink(p, l), 0);
    assert_int_equal(file_read_all(l, 100, true, true, &data, &len), GPG_ERR_BAD_SECKEY);
    seal_clear_detail();
    free(l);
    free(p);
}

static void test_read_cap(void **state)
{
    (void)state;
    clean_dir();
    char *p = strdup(path_in_dir("big"));
    FILE *f = fopen(p, "w");
    for (int i = 0; i < 101; i++)
        fputc('x', f);
    fclose(f);
    uint8_t *data;
    size_t len;
    assert_int_equal(file_read_all(p, 100, false, false, &data, &len), GPG_ERR_TOO_LARGE);
    assert_null(data);
    seal_clear_detail();
    assert_int_equal(file_read_all(p, 101, false, false, &data, &len), 0);
    assert_int_equal(len, 101);
    assert_int_equal(data[101], 0);
    free(data);
    free(p);
}

static void test_spool_is_anonymous(void **state)
{
    (void)state;
    int fd;
    assert_int_equal(file_open_spool(&fd), 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_nlink, 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    close(fd);
}

int main(void)
{
    if (seal_crypto_init() || !mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_visible_until_commit),
        cmocka_unit_test(test_abort_leaves_nothing),
        cmocka_unit_test(test_never_clobbers_without_force),
        cmocka_unit_test(test_private_key_permissions),
        cmocka_unit_test(test_read_cap),
        cmocka_unit_test(test_spool_is_anonymous),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    clean_dir();
    rmdir(dir);
    return r;
}
