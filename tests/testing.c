/* Test-only hooks over the library's internal entry points; see testing.h. */
#include "testing.h"

#include "envelope/spool_internal.h"
#include "crypto/rsa_internal.h"

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
