/* The replay window of the listener and of unseal --fetch: its edges, and
 * creation times near 2^64 (a sum there wraps and called them "too old"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "transport/serve.h"

#define NOW UINT64_C(1800000000)
#define AGE UINT64_C(604800)

static void test_edges(void **state)
{
    (void)state;
    assert_int_equal(serve_window_check(NOW, NOW, AGE), SERVE_WINDOW_OK);
    assert_int_equal(serve_window_check(NOW - AGE, NOW, AGE), SERVE_WINDOW_OK);
    assert_int_equal(serve_window_check(NOW - AGE - 1, NOW, AGE), SERVE_WINDOW_TOO_OLD);
    assert_int_equal(serve_window_check(NOW + SERVE_MAX_FUTURE, NOW, AGE), SERVE_WINDOW_OK);
    assert_int_equal(serve_window_check(NOW + SERVE_MAX_FUTURE + 1, NOW, AGE),
                     SERVE_WINDOW_IN_FUTURE);
    assert_int_equal(serve_window_check(0, NOW, AGE), SERVE_WINDOW_TOO_OLD);
}

static void test_no_overflow(void **state)
{
    (void)state;
    assert_int_equal(serve_window_check(UINT64_MAX, NOW, AGE), SERVE_WINDOW_IN_FUTURE);
    assert_int_equal(serve_window_check(UINT64_MAX - AGE + 1, NOW, AGE), SERVE_WINDOW_IN_FUTURE);
    assert_int_equal(serve_window_check(UINT64_MAX, NOW, UINT64_MAX), SERVE_WINDOW_IN_FUTURE);
    assert_int_equal(serve_window_check(0, NOW, UINT64_MAX), SERVE_WINDOW_OK);
    /* A clock near the end of time: the future bound must not wrap either. */
    assert_int_equal(serve_window_check(UINT64_MAX, UINT64_MAX - 1, AGE), SERVE_WINDOW_OK);
    assert_int_equal(serve_window_check(1, UINT64_MAX, AGE), SERVE_WINDOW_TOO_OLD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_no_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
