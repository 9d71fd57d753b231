/* Runs the libFuzzer harness tests/fuzz/fuzz_proxy.c (which aborts on a
 * broken contract) over fixed seeds, every prefix of each, and a bounded
 * number of seeded mutations, so that make check keeps the harness compiling
 * and its checks true without clang's libFuzzer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const seeds[] = {
    "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n",
    "PROXY TCP6 2001:db8::1 ::1 65535 0\r\nSEAL",
    "PROXY UNKNOWN\r\n",
    "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ::1 65535 65535\r\n",
    "127.0.0.1,::1,10.0.0.0/8,2001:db8::/32",
};

static const uint8_t v2_tcp4[] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
                                  0x54, 0x0a, 0x21, 0x11, 0x00, 0x0f, 127,  0,    0,    1,
                                  127,  0,    0,    2,    0x30, 0x39, 0x01, 0xbb, 0x04, 0x00,
                                  0x00, 'S',  'E'};

static void run_all_prefixes(const uint8_t *p, size_t n)
{
    for (size_t len = 0; len <= n; len++) {
        uint8_t *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, p, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
}

static void test_seeds_and_prefixes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        run_all_prefixes((const uint8_t *)seeds[i], strlen(seeds[i]));
    run_all_prefixes(v2_tcp4, sizeof v2_tcp4);
}

static void test_mutations(void **state)
{
    (void)state;
    srand(7);
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t buf[128];
        size_t n;
        if (iter % 2) {
            n = sizeof v2_tcp4;
            memcpy(buf, v2_tcp4, n);
        } else {
            const char *s = seeds[(size_t)iter / 2 % (sizeof seeds / sizeof seeds[0])];
            n = strlen(s);
            memcpy(buf, s, n);
        }
        for (int m = 0; m < 1 + rand() % 4; m++)
            buf[(size_t)rand() % n] = (uint8_t)rand();
        run_all_prefixes(buf, (size_t)rand() % (n + 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds_and_prefixes),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
