/*
 * RSA import and generation with the minimum modulus size as a parameter.
 * crypto.h's seal_rsa_from_private and seal_rsa_generate pass
 * SEAL_RSA_MIN_BITS; only tests/testing.c passes less, because the test kit
 * needs a signature by a key seal must refuse. No file under src/ but rsa.c
 * includes this header (tests/no_test_symbols.sh checks it), so nothing the
 * installed programs run can ask for a weaker minimum.
 */
#ifndef SEAL_CRYPTO_RSA_INTERNAL_H
#define SEAL_CRYPTO_RSA_INTERNAL_H

#include "crypto/crypto.h"

/* Below this not even a test gets a key: libgcrypt's own floor. */
#define SEAL_RSA_FLOOR_BITS 512

/* seal_rsa_from_private with moduli from MIN_BITS (raised to
 * SEAL_RSA_FLOOR_BITS) instead of SEAL_RSA_MIN_BITS. */
gpg_err_code_t seal_rsa_from_private_min(const struct seal_rsa_private_parts *parts,
                                         unsigned min_bits, struct seal_rsa_key **out);

/* Generates a key pair of BITS bits, MIN_BITS (raised to SEAL_RSA_FLOOR_BITS)
 * .. SEAL_RSA_MAX_BITS (GPG_ERR_INV_VALUE otherwise), e = 65537. */
gpg_err_code_t seal_rsa_generate_min(unsigned bits, unsigned min_bits, struct seal_rsa_key **out);

#endif
