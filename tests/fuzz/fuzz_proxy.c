/* libFuzzer harness for the PROXY protocol parser and the --proxy-from list
 * parser (src/transport/proxy.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_POSIX_C_SOURCE=200809L \
 *       tests/fuzz/fuzz_proxy.c src/transport/proxy.c src/base/buf.c src/base/errors.c \
 *       src/base/secmem.c $(pkg-config --cflags --libs libgcrypt gpg-error) -o fuzz_proxy
 *   ./fuzz_proxy -max_len=600 tests/fuzz/corpus/proxy   (any corpus directory)
 *
 * Beyond memory safety (the sanitizers), it checks the parser's contract on
 * every input: a success consumes a whole header within the input, "need
 * more" asks for more than it was given and never past the cap, a failure
 * consumes nothing and says why; and a header that parsed still parses the
 * same with any bytes appended (nothing after the header is looked at). make
 * check runs this same function over a fixed set of inputs
 * (tests/unit/transport/test_fuzz_proxy).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proxy_info pi;
    size_t consumed;
    gpg_err_code_t e = proxy_parse(data, size, &pi, &consumed);
    if (e == 0) {
        if (consumed < PROXY_HEADER_MIN || consumed > size || consumed > PROXY_HEADER_MAX)
            abort();
        if (pi.version != 1 && pi.version != 2)
            abort();
        if (!pi.local && pi.src.family != pi.dst.family)
            abort();
        /* The header alone parses to the same result. */
        struct proxy_info again;
        size_t consumed2;
        if (proxy_parse(data, consumed, &again, &consumed2) != 0 || consumed2 != consumed ||
            memcmp(&again, &pi, sizeof pi) != 0)
            abort();
        char text[PROXY_ADDR_STRLEN];
        proxy_addr_format(&pi.src, text, sizeof text);
        if (strlen(text) >= sizeof text)
            abort();
    } else if (e == GPG_ERR_EAGAIN) {
        if (consumed <= size || consumed > PROXY_HEADER_MAX)
            abort();
    } else {
        if (consumed != 0 || pi.version != 0 || seal_detail() == NULL)
            abort();
    }
    seal_clear_detail();

    /* The same bytes as a --proxy-from list. */
    if (size < 1024) {
        char *list = malloc(size + 1);
        if (!list)
            abort();
        memcpy(list, data, size);
        list[size] = '\0';
        struct proxy_allow allow;
        if (proxy_allow_parse(list, &allow) == 0) {
            if (allow.count == 0 || allow.count > PROXY_ALLOW_MAX)
                abort();
            if (!pi.local && pi.version)
                (void)proxy_allow_match(&allow, &pi.src);
        } else if (allow.count != 0) {
            abort();
        }
        seal_clear_detail();
        free(list);
    }
    return 0;
}
