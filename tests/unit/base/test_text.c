/* seal_hex and seal_log: the one hexadecimal and the one note formatter
 * every layer uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/text.h"

static void test_hex(void **state)
{
    (void)state;
    const uint8_t b[] = {0x00, 0x0f, 0xa5, 0xff};
    char out[2 * sizeof b + 1];
    memset(out, 'x', sizeof out);
    seal_hex(b, sizeof b, out);
    assert_string_equal(out, "000fa5ff");
    seal_hex(b, 0, out);
    assert_string_equal(out, "");
}

struct got {
    int calls;
    char line[2 * SEAL_LOG_LINE_MAX];
};

static void collect(void *ctx, const char *line)
{
    struct got *g = ctx;
    g->calls++;
    strcpy(g->line, line);
}

static void test_log(void **state)
{
    (void)state;
    struct got g = {0, ""};
    seal_log(collect, &g, "retrying in %d s: %s", 4, "refused");
    assert_int_equal(g.calls, 1);
    assert_string_equal(g.line, "retrying in 4 s: refused");
    seal_log(NULL, &g, "nobody listens");
    assert_int_equal(g.calls, 1);
    /* A long note is cut, never overrun. */
    char big[SEAL_LOG_LINE_MAX * 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    seal_log(collect, &g, "%s", big);
    assert_int_equal(strlen(g.line), SEAL_LOG_LINE_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
