/*
 * The envelope header parser (R1-R6) and the public inspection of a whole
 * envelope without a key.
 * Oracles: a header that parses re-encodes to exactly the bytes it was
 * parsed from (one encoding per header); a parse that stops for more input
 * asks for more than it had, and never more than ENVELOPE_HEADER_MAX;
 * inspection agrees with the parser on the header.
 */
#include <string.h>

#include "base/buf.h"
#include "envelope/envelope.h"
#include "envelope/header.h"
#include "fuzz_common.h"
#include "testing.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static struct envelope_header h;
    static struct envelope_info info;
    struct fuzz_source fs;
    size_t need = 0;

    gpg_err_code_t e = envelope_header_parse(data, len, &h, &need);
    if (e == GPG_ERR_TRUNCATED) {
        FUZZ_ASSERT(need > len && need <= ENVELOPE_HEADER_MAX);
    } else if (e == 0) {
        struct writer w;
        FUZZ_ASSERT(h.len <= len && h.len <= ENVELOPE_HEADER_MAX);
        FUZZ_ASSERT(h.n >= 1 && h.n <= SEAL_MAX_RECIPIENTS);
        writer_init(&w, ENVELOPE_HEADER_MAX, false);
        FUZZ_ASSERT(envelope_header_encode(&h, &w) == 0);
        FUZZ_ASSERT(writer_len(&w) == h.len && memcmp(writer_data(&w), data, h.len) == 0);
        writer_free(&w);
    }

    /* The same bytes as a whole envelope, as an eavesdropper inspects it. */
    gpg_err_code_t ie = envelope_inspect(fuzz_source(&fs, data, len), NULL, NULL, &info);
    FUZZ_ASSERT(!info.decrypted);
    if (ie == 0) {
        FUZZ_ASSERT(info.n_recipients >= 1 && info.n_recipients <= SEAL_MAX_RECIPIENTS);
        FUZZ_ASSERT(info.header_len + info.payload_len == info.envelope_len);
        if (!info.armored) {
            FUZZ_ASSERT(e == 0 && info.header_len == h.len && info.n_recipients == h.n);
            FUZZ_ASSERT(info.envelope_len == len);
        }
    }
    return 0;
}
