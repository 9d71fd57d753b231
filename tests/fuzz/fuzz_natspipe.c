/*
 * The frames between the listener and its NATS publisher
 * (src/transport/natspipe.c): the listener parses the replies of
 * unseal-nats, the one program linked with libnats, so a publisher taken
 * over through NATS must not get further by what it answers.
 * Oracles: a reply that parses is exactly its fields (no byte left over),
 * with a printable reason of at most WIRE_REASON_MAX bytes, a known status
 * and kind; a request that parses has a NUL-free sender name of at most 255
 * bytes and data that lie inside the input and end with it; a failure
 * clears its output.
 */
#include <string.h>

#include "fuzz_common.h"
#include "transport/natspipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct natspipe_reply rep;
    if (natspipe_parse_reply(data, len, &rep) == 0) {
        size_t n = strlen(rep.reason);
        FUZZ_ASSERT(len == 1 + 1 + 4 + 8 + 2 + n && n <= WIRE_REASON_MAX);
        FUZZ_ASSERT(rep.status <= NATSPIPE_REFUSED);
        FUZZ_ASSERT(rep.kind == WIRE_ERR_TEMP || rep.kind == WIRE_ERR_PERM);
        FUZZ_ASSERT(rep.max_payload >= 0);
        for (size_t i = 0; i < n; i++)
            FUZZ_ASSERT(rep.reason[i] >= 0x20 && rep.reason[i] <= 0x7e);
    } else {
        FUZZ_ASSERT(rep.reason[0] == '\0' && rep.max_payload == 0);
    }
    seal_clear_detail();

    struct natspipe_request req;
    if (natspipe_parse_request(data, len, &req) == 0) {
        size_t name = strlen(req.sender);
        FUZZ_ASSERT(name <= NATSPIPE_NAME_MAX);
        FUZZ_ASSERT(len == 1 + SEAL_FPR_LEN + SEAL_ENVELOPE_ID_LEN + 8 + 2 + name + req.len);
        FUZZ_ASSERT(req.len == 0 || (req.data == data + len - req.len));
        FUZZ_ASSERT(memcmp(req.fpr, data + 1, SEAL_FPR_LEN) == 0);
    } else {
        FUZZ_ASSERT(req.len == 0 && req.data == NULL && req.sender[0] == '\0');
    }
    seal_clear_detail();
    return 0;
}
