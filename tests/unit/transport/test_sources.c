/* The listener's client-address table: one entry per address whatever the
 * port, IPv4 and IPv6 apart; a burst of log lines per address per minute,
 * then one summary naming each reason; entries no connection uses are
 * forgotten at the minute, the others kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "transport/sources.h"

static char logged[4][512];
static int n_logged;

static void capture(void *ctx, const char *line)
{
    (void)ctx;
    if (n_logged < 4)
        snprintf(logged[n_logged], sizeof logged[0], "%s", line);
    n_logged++;
}

static struct proxy_addr v4(uint8_t last, uint16_t port)
{
    struct proxy_addr a;
    memset(&a, 0, sizeof a);
    a.family = AF_INET;
    a.addr[0] = 127;
    a.addr[3] = last;
    a.port = port;
    return a;
}

static void test_one_entry_per_address(void **state)
{
    (void)state;
    struct source_table *t = calloc(1, sizeof *t);
    struct proxy_addr a = v4(5, 1000), b = v4(5, 2000), c = v4(6, 1000), d;
    char text[INET6_ADDRSTRLEN];
    assert_non_null(t);
    struct source *sa = source_get(t, &a);
    assert_non_null(sa);
    assert_ptr_equal(source_get(t, &b), sa);
    assert_ptr_not_equal(source_get(t, &c), sa);
    /* An IPv6 address that starts with 127.0.0.5's four bytes is another
     * address. */
    memset(&d, 0, sizeof d);
    d.family = AF_INET6;
    memcpy(d.addr, a.addr, 4);
    assert_ptr_not_equal(source_get(t, &d), sa);
    source_text(sa, text);
    assert_string_equal(text, "127.0.0.5");
    source_text(NULL, text);
    assert_string_equal(text, "?");
    sources_free(t);
    free(t);
}

static void test_burst_then_summary(void **state)
{
    (void)state;
    struct source_table *t = calloc(1, sizeof *t);
    struct proxy_addr a = v4(5, 1), b = v4(9, 1);
    assert_non_null(t);
    struct source *s = source_get(t, &a), *busy = source_get(t, &b);
    busy->conns = 1;
    int yes = 0;
    for (int i = 0; i < 10; i++)
        yes += source_may_log(s, SR_HEADER, 3);
    for (int i = 0; i < 4; i++)
        yes += source_may_log(s, SR_PER_SOURCE, 3);
    assert_int_equal(yes, 3);
    assert_true(source_may_log(busy, SR_SHED, 3));
    n_logged = 0;
    sources_minute(t, capture, NULL);
    assert_int_equal(n_logged, 1);
    assert_string_equal(logged[0], "shed 11 more connections from 127.0.0.5 in the last minute: "
                                   "header timeout 7, per-source limit 4");
    /* A new minute: the budget is back; the idle entry was forgotten, the
     * busy one kept with its count. */
    assert_true(source_may_log(busy, SR_SHED, 1));
    assert_false(source_may_log(busy, SR_SHED, 1));
    assert_ptr_equal(source_get(t, &b), busy);
    assert_int_equal(busy->conns, 1);
    n_logged = 0;
    sources_minute(t, capture, NULL);
    assert_int_equal(n_logged, 1);
    assert_string_equal(logged[0], "shed 1 more connections from 127.0.0.9 in the last minute: "
                                   "shed when full 1");
    n_logged = 0;
    sources_minute(t, capture, NULL);
    assert_int_equal(n_logged, 0);
    sources_free(t);
    free(t);
}

static void test_every_reason_named(void **state)
{
    (void)state;
    for (int r = 0; r < SR_COUNT; r++) {
        assert_non_null(source_reason_name(r));
        assert_string_not_equal(source_reason_name(r), "?");
    }
    assert_string_equal(source_reason_name(SR_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_entry_per_address),
        cmocka_unit_test(test_burst_then_summary),
        cmocka_unit_test(test_every_reason_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
