/*
 * The PROXY protocol header parser (v1 and v2) and the --proxy-from list
 * parser (src/transport/proxy.c).
 * Oracles: a success consumes a whole header within the input and never more
 * than PROXY_HEADER_MAX; the header's bytes alone parse to the same result
 * (nothing after the header is looked at); "need more" asks for more than it
 * was given and never past the cap; a failure consumes nothing, clears its
 * output and says why. A list that parses has 1..PROXY_ALLOW_MAX items; one
 * that does not leaves the list empty.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "transport/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void check_header(const uint8_t *data, size_t len, struct proxy_info *pi)
{
    size_t consumed;
    gpg_err_code_t err = proxy_parse(data, len, pi, &consumed);
    if (err == 0) {
        FUZZ_ASSERT(consumed >= PROXY_HEADER_MIN && consumed <= len);
        FUZZ_ASSERT(consumed <= PROXY_HEADER_MAX);
        FUZZ_ASSERT(pi->version == 1 || pi->version == 2);
        FUZZ_ASSERT(pi->local || pi->src.family == pi->dst.family);
        struct proxy_info again;
        size_t consumed2;
        FUZZ_ASSERT(proxy_parse(data, consumed, &again, &consumed2) == 0);
        FUZZ_ASSERT(consumed2 == consumed && memcmp(&again, pi, sizeof again) == 0);
        char text[PROXY_ADDR_STRLEN];
        proxy_addr_format(&pi->src, text, sizeof text);
        FUZZ_ASSERT(strlen(text) < sizeof text);
    } else if (err == GPG_ERR_EAGAIN) {
        FUZZ_ASSERT(consumed > len && consumed <= PROXY_HEADER_MAX);
    } else {
        FUZZ_ASSERT(consumed == 0 && pi->version == 0 && seal_detail() != NULL);
        memset(pi, 0, sizeof *pi);
    }
    seal_clear_detail();
}

static void check_list(const uint8_t *data, size_t len, const struct proxy_info *pi)
{
    char *list = malloc(len + 1);
    FUZZ_ASSERT(list != NULL);
    memcpy(list, data, len);
    list[len] = '\0';
    struct proxy_allow allow;
    if (proxy_allow_parse(list, &allow) == 0) {
        FUZZ_ASSERT(allow.count >= 1 && allow.count <= PROXY_ALLOW_MAX);
        if (pi->version && !pi->local)
            (void)proxy_allow_match(&allow, &pi->src);
    } else {
        FUZZ_ASSERT(allow.count == 0 && seal_detail() != NULL);
    }
    seal_clear_detail();
    free(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct proxy_info pi;
    check_header(data, len, &pi);
    if (len < 4096)
        check_list(data, len, &pi);
    return 0;
}
