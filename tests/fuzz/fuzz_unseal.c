/*
 * The whole unseal path, as `unseal -k bob.key -s trusted/` runs it to
 * standard output: armor sniffing and decoding, header, key unwrap,
 * commitment, chunks, trailer, signature, with the plaintext held in the
 * encrypted spool until the library has returned.
 * Oracles: nothing reaches the released output unless envelope_unseal()
 * returned 0; then it is exactly plaintext_len bytes, signed by a trusted
 * sender; inspection with the same key agrees (it succeeds whenever unseal
 * does, and reports a valid signature exactly then).
 */
#include <string.h>

#include "cli/two_pass.h"
#include "envelope/spool.h"
#include "envelope/envelope.h"
#include "fuzz_common.h"
#include "testing.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static struct seal_key *bob;
static struct trusted_senders trusted;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    bob = fuzz_load_key("bob.key");
    fuzz_load_trusted(&trusted);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static struct envelope_info info, iinfo;
    struct fuzz_source fs;
    struct fuzz_sink released;
    struct spool *sp = NULL;

    if (len > 300000)
        return -1;
    FUZZ_ASSERT(spool_new(&sp) == 0);
    fuzz_sink(&released);
    struct unseal_request req = {.recipient = bob,
                                 .senders = &trusted,
                                 .in = fuzz_source(&fs, data, len),
                                 .out = spool_sink(sp)};
    gpg_err_code_t e = envelope_unseal(&req, &info);
    if (e == 0) {
        /* What unseal does after success: release the spool. */
        FUZZ_ASSERT(spool_finish(sp) == 0);
        FUZZ_ASSERT(spool_replay(sp, fuzz_sink(&released)) == 0);
        FUZZ_ASSERT(info.decrypted && info.signature_valid && info.sender_name != NULL);
        FUZZ_ASSERT(released.len == info.plaintext_len);
        FUZZ_ASSERT(spool_size(sp) == info.plaintext_len);
    }
    FUZZ_ASSERT(e == 0 || released.len == 0);
    FUZZ_ASSERT(fs.off <= len);
    spool_free(sp);

    gpg_err_code_t ie = envelope_inspect(fuzz_source(&fs, data, len), bob, &trusted, &iinfo);
    if (e == 0)
        FUZZ_ASSERT(ie == 0 && iinfo.signature_valid);
    if (ie == 0 && iinfo.decrypted && iinfo.signature_valid)
        FUZZ_ASSERT(e == 0);
    if ((e == GPG_ERR_NOT_TRUSTED || e == GPG_ERR_BAD_SIGNATURE) && info.decrypted)
        FUZZ_ASSERT(ie == 0 && !iinfo.signature_valid);
    fuzz_sink_free(&released);
    return 0;
}
