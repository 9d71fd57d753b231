/*
 * The crypto wrapper's X25519 (RFC 7748), for the chat's ephemeral keys:
 * libgcrypt's gcry_ecc_mul_point on Curve25519 (libgcrypt >= 1.9), which
 * clamps the scalar itself. See crypto.h for the contracts.
 */
#include "crypto/crypto.h"

#include <gcrypt.h>

gpg_err_code_t seal_x25519(const uint8_t secret[SEAL_X25519_LEN],
                           const uint8_t peer[SEAL_X25519_LEN], uint8_t shared[SEAL_X25519_LEN])
{
    uint8_t acc = 0;
    gpg_err_code_t err;

    /* A NULL point is the base point, 9. */
    err = gcry_err_code(gcry_ecc_mul_point(GCRY_ECC_CURVE25519, shared, secret, peer));
    if (err) {
        seal_wipe(shared, SEAL_X25519_LEN);
        return seal_fail(err, "X25519 failed");
    }
    /* libgcrypt returns the zero point's all-zero encoding without an
     * error; an OR over every byte keeps the check constant time. */
    for (size_t i = 0; i < SEAL_X25519_LEN; i++)
        acc |= shared[i];
    if (acc == 0) {
        seal_wipe(shared, SEAL_X25519_LEN);
        return seal_fail(GPG_ERR_BAD_PUBKEY, "a low-order X25519 public key (all-zero result)");
    }
    return 0;
}

gpg_err_code_t seal_x25519_keypair(uint8_t secret[SEAL_X25519_LEN],
                                   uint8_t public_key[SEAL_X25519_LEN])
{
    gpg_err_code_t err;

    seal_random(secret, SEAL_X25519_LEN);
    err = gcry_err_code(gcry_ecc_mul_point(GCRY_ECC_CURVE25519, public_key, secret, NULL));
    if (err) {
        seal_wipe(secret, SEAL_X25519_LEN);
        return seal_fail(err, "X25519 key generation failed");
    }
    return 0;
}
