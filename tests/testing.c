/* Test-only hooks over the library's internal entry points; see testing.h. */
#include "testing.h"

#include "crypto/rsa_internal.h"
#include "envelope/chunked.h"
#include "envelope/spool_internal.h"

/* The smallest modulus a test may ask for. */
#define WEAK_MIN_BITS SEAL_RSA_FLOOR_BITS

gpg_err_code_t envelope_seal_fixed(const struct seal_request *req, const struct seal_fixed *fixed)
{
    return envelope_seal_internal(req, fixed);
}

gpg_err_code_t seal_rsa_from_private_weak(const struct seal_rsa_private_parts *parts,
                                          struct seal_rsa_key **out)
{
    return seal_rsa_from_private_min(parts, WEAK_MIN_BITS, out);
}

gpg_err_code_t seal_rsa_generate_weak(unsigned bits, struct seal_rsa_key **out)
{
    return seal_rsa_generate_min(bits, WEAK_MIN_BITS, out);
}

int spool_fd_for_testing(const struct spool *s)
{
    return s->fd;
}

uint64_t spool_size(const struct spool *s)
{
    return s->total;
}

gpg_err_code_t envelope_inspect(struct byte_source in, const struct seal_key *recipient,
                                struct trusted_senders *senders, struct envelope_info *info)
{
    struct envelope_reader *u;
    gpg_err_code_t err;

    if ((err = envelope_reader_open(in, &u, info)))
        return err;
    err = envelope_reader_inspect(u, recipient, senders, info);
    envelope_reader_free(u);
    return err;
}

gpg_err_code_t message_digest_oneshot(const uint8_t *msg, size_t len, uint8_t out[SEAL_SHA256_LEN])
{
    struct message_digest md;
    gpg_err_code_t err = message_digest_init(&md);
    if (err)
        return err;
    for (size_t off = 0; off < len; off += CHUNK_SIZE) {
        size_t n = len - off < CHUNK_SIZE ? len - off : CHUNK_SIZE;
        if ((err = message_digest_add_piece(&md, msg + off, n))) {
            message_digest_free(&md);
            return err;
        }
    }
    message_digest_final(&md, out);
    return 0;
}
