/* The Maildir inbox: delivery, duplicates (also after the reader deleted the
 * message, and from racing threads), the recovery pass, pruning, and
 * failures before and after the commit point. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "transport/inbox.h"

static char base[256], root[300];
static const uint8_t fpr[SEAL_FPR_LEN] = {1, 2, 3};

static int count(const char *sub)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, sub);
    DIR *d = opendir(p);
    int n = 0;
    struct dirent *de;
    if (!d)
        return -1;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int setup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "%s/test_inbox.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(base))
        return -1;
    snprintf(root, sizeof root, "%s/box", base);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

static void reset(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

/* Writes TEXT to a new tmp/ file and delivers it as envelope ID[0] = N. */
static gpg_err_code_t put(struct inbox *ib, uint8_t n, const char *text, bool *dup)
{
    struct inbox_file f;
    uint8_t id[SEAL_ENVELOPE_ID_LEN] = {n};
    char name[INBOX_NAME_MAX + 1];
    struct inbox_delivery d = {fpr, "alice", id, (uint64_t)time(NULL)};
    gpg_err_code_t e = inbox_tmp_create(ib, "", &f);
    if (e)
        return e;
    if (write(f.fd, text, strlen(text)) != (ssize_t)strlen(text))
        return GPG_ERR_EIO;
    return inbox_deliver(ib, &f, &d, dup, name);
}

static void test_layout_and_delivery(void **state)
{
    (void)state;
    struct inbox *ib;
    struct inbox_report rep;
    struct stat st;
    bool dup;
    reset();
    assert_int_equal(inbox_open(root, 3600, &ib, &rep), 0);
    assert_true(rep.exclusive);
    const char *dirs[] = {"", "/tmp", "/new", "/cur", "/seen"};
    for (size_t i = 0; i < 5; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s%s", root, dirs[i]);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
    }
    assert_int_equal(put(ib, 1, "hello", &dup), 0);
    assert_false(dup);
    assert_int_equal(count("new"), 1);
    assert_int_equal(count("tmp"), 0);
    assert_int_equal(count("seen"), 1);
    /* The same envelope again: acknowledged, not stored again. */
    assert_int_equal(put(ib, 1, "hello", &dup), 0);
    assert_true(dup);
    assert_int_equal(count("new"), 1);
    assert_int_equal(count("tmp"), 0);
    inbox_close(ib);
}

static void test_reader_deleted(void **state)
{
    (void)state;
    struct inbox *ib;
    struct inbox_report rep;
    bool dup;
    reset();
    assert_int_equal(inbox_open(root, 3600, &ib, &rep), 0);
    assert_int_equal(put(ib, 2, "x", &dup), 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/new/*", root);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(put(ib, 2, "x", &dup), 0);
    assert_true(dup);
    assert_int_equal(count("new"), 0);
    inbox_close(ib);
}

struct racer {
    struct inbox *ib;
    bool dup;
    gpg_err_code_t e;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    r->e = put(r->ib, 3, "raced", &r->dup);
    return NULL;
}

static void test_racing_threads(void **state)
{
    (void)state;
    struct inbox *ib;
    struct inbox_report rep;
    struct racer r[8];
    pthread_t t[8];
    reset();
    assert_int_equal(inbox_open(root, 3600, &ib, &rep), 0);
    for (int i = 0; i < 8; i++) {
        r[i].ib = ib;
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    int firsts = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].e, 0);
        firsts += !r[i].dup;
    }
    assert_int_equal(firsts, 1);
    assert_int_equal(count("new"), 1);
    assert_int_equal(count("tmp"), 0);
    inbox_close(ib);
}

/* A process killed after the commit (marker) and before the rename left the
 * message in tmp/: the recovery pass delivers it; unrelated leftovers go. */
static void test_recovery(void **state)
{
    (void)state;
    struct inbox *ib;
    struct inbox_report rep;
    char p[600];
    struct inbox *other;
    reset();
    /* Another process has the inbox open: its files are not leftovers. */
    assert_int_equal(inbox_open(root, 3600, &other, &rep), 0);
    snprintf(p, sizeof p, "%s/tmp/1.M1P1Q1", root);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("committed", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/tmp/2.M2P2Q2", root);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("partial", f);
    fclose(f);
    char marker[700];
    snprintf(marker, sizeof marker,
             "%s/seen/0102030000000000000000000000000000000000000000000000000000000000-"
             "09000000000000000000000000000000",
             root);
    assert_int_equal(symlink("1.M1P1Q1/1.M1P1Q1.0900.alice.h", marker), 0);
    assert_int_equal(inbox_open(root, 3600, &ib, &rep), 0);
    assert_false(rep.exclusive);
    assert_int_equal(rep.completed, 1);
    assert_int_equal(count("tmp"), 1);
    inbox_close(ib);
    inbox_close(other);
    assert_int_equal(count("new"), 1);
    assert_int_equal(inbox_open(root, 3600, &ib, &rep), 0);
    assert_true(rep.exclusive);
    assert_int_equal(rep.tmp_removed, 1);
    assert_int_equal(count("tmp"), 0);
    assert_int_equal(count("new"), 1);
    /* Re-sending it now is a duplicate. */
    bool dup;
    assert_int_equal(put(ib, 9, "committed", &dup), 0);
    assert_true(dup);
    assert_int_equal(count("new"), 1);
    inbox_close(ib);
}

static void test_prune(void **state)
{
    (void)state;
    struct inbox *ib;
    struct inbox_report rep;
    struct inbox_file f;
    bool dup;
    char name[INBOX_NAME_MAX + 1];
    uint8_t id[SEAL_ENVELOPE_ID_LEN] = {4};
    struct inbox_delivery d = {fpr, "alice", id, (uint64_t)time(NULL) - 7200};
    reset();
    assert_int_equal(inbox_open(root, 3600, &ib, &rep), 0);
    assert_int_equal(inbox_tmp_create(ib, "", &f), 0);
    assert_int_equal(inbox_deliver(ib, &f, &d, &dup, name), 0);
    assert_int_equal(count("seen"), 1);
    assert_int_equal(inbox_maintain(ib, &rep), 0);
    assert_int_equal(rep.pruned, 1);
    assert_int_equal(count("seen"), 0);
    assert_int_equal(count("new"), 1); /* the message stays */
    inbox_close(ib);
}

static void test_failures(void **state)
{
    (void)state;
    struct inbox *ib;
    struct inbox_report rep;
    bool dup;
    reset();
    assert_int_equal(inbox_open(root, 3600, &ib, &rep), 0);
    /* Before the commit: nothing anywhere. */
    const char *before[] = {"fsync-data", "fsync-tmp", "marker"};
    for (size_t i = 0; i < 3; i++) {
        setenv("SEAL_TEST_FAIL_AT", before[i], 1);
        assert_int_equal(put(ib, 5, "y", &dup), GPG_ERR_EIO);
        assert_int_equal(count("new"), 0);
        assert_int_equal(count("tmp"), 0);
        assert_int_equal(count("seen"), 0);
    }
    /* After it: not in new/ yet (so not acknowledged), completed later. */
    setenv("SEAL_TEST_FAIL_AT", "fsync-seen", 1);
    assert_int_equal(put(ib, 5, "y", &dup), GPG_ERR_EIO);
    assert_int_equal(count("new"), 0);
    assert_int_equal(count("seen"), 1);
    unsetenv("SEAL_TEST_FAIL_AT");
    assert_int_equal(put(ib, 5, "y", &dup), 0);
    assert_true(dup);
    assert_int_equal(count("new"), 1);
    assert_int_equal(count("tmp"), 0);
    inbox_close(ib);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_and_delivery),
        cmocka_unit_test(test_reader_deleted),
        cmocka_unit_test(test_racing_threads),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
