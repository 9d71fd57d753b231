/* A recorded detail belongs to its scope: two connections failing at once
 * each keep their own words, and a helper thread records into its caller's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>

#include <cmocka.h>

#include "base/errors.h"

static pthread_barrier_t step;

struct conn_case {
    const char *mine;
    char seen[64];
};

/* Both threads record, in turn, then both read: with one detail for the
 * process the second one's words would be lost (the first detail wins) and
 * the first one's would be shown for both. */
static void *conn_thread(void *arg)
{
    struct conn_case *c = arg;
    struct seal_detail_scope *s = seal_detail_scope_new();
    seal_detail_scope_enter(s);
    seal_clear_detail();
    pthread_barrier_wait(&step);
    if (strcmp(c->mine, "first") == 0)
        (void)seal_fail(GPG_ERR_TRUNCATED, "%s", c->mine);
    pthread_barrier_wait(&step);
    if (strcmp(c->mine, "second") == 0)
        (void)seal_fail(GPG_ERR_TRUNCATED, "%s", c->mine);
    pthread_barrier_wait(&step);
    const char *d = seal_detail();
    snprintf(c->seen, sizeof c->seen, "%s", d ? d : "(none)");
    seal_detail_scope_free(s);
    return NULL;
}

static void test_connections_keep_their_own(void **state)
{
    (void)state;
    struct conn_case a = {.mine = "first"}, b = {.mine = "second"};
    pthread_t ta, tb;
    pthread_barrier_init(&step, NULL, 2);
    assert_int_equal(pthread_create(&ta, NULL, conn_thread, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, conn_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&step);
    assert_string_equal(a.seen, "first");
    assert_string_equal(b.seen, "second");
}

static void *helper_thread(void *arg)
{
    seal_detail_scope_enter(arg);
    (void)seal_fail(GPG_ERR_CHECKSUM, "chunk %d does not verify", 3);
    return NULL;
}

/* As the envelope pipeline's workers do: the caller reads what they found. */
static void test_helper_records_into_callers_scope(void **state)
{
    (void)state;
    struct seal_detail_scope *s = seal_detail_scope_new();
    pthread_t t;
    assert_non_null(s);
    seal_detail_scope_enter(s);
    seal_clear_detail();
    assert_int_equal(pthread_create(&t, NULL, helper_thread, seal_detail_scope_current()), 0);
    pthread_join(t, NULL);
    assert_non_null(seal_detail());
    assert_string_equal(seal_detail(), "chunk 3 does not verify");
    seal_detail_scope_free(s);
    /* Back in the process scope, which did not see it. */
    seal_clear_detail();
    assert_null(seal_detail());
}

static void test_first_detail_wins_override_replaces(void **state)
{
    (void)state;
    seal_clear_detail();
    (void)seal_fail(GPG_ERR_TRUNCATED, "closest to the cause");
    (void)seal_fail(GPG_ERR_TRUNCATED, "further out");
    assert_string_equal(seal_detail(), "closest to the cause");
    (void)seal_fail_override(GPG_ERR_TRUNCATED, "caller knows better");
    assert_string_equal(seal_detail(), "caller knows better");
    seal_clear_detail();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connections_keep_their_own),
        cmocka_unit_test(test_helper_records_into_callers_scope),
        cmocka_unit_test(test_first_detail_wins_override_replaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
