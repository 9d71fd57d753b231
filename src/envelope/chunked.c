/*
 * Cobblestone-256 (c2sp.org/chunked-encryption with HKDF-Expand-SHA-512 and
 * AEAD_AES_256_GCM), one chunk at a time. See chunked.h.
 *
 *   key || base nonce || commitment = HKDF-Expand-SHA-512(prk = input key,
 *       info = "c2sp.org/chunked-encryption@v1+" || "AEAD_AES_256_GCM" || 0x00
 *              || salt || context)                      (32 + 12 + 32 bytes)
 *   nonce(i) = base nonce XOR i (big-endian, i < 2^38), AAD empty.
 */
#include "envelope/chunked.h"

#include <stdlib.h>
#include <string.h>

#define KDF_LABEL "c2sp.org/chunked-encryption@v1+"
#define AEAD_NAME "AEAD_AES_256_GCM"
#define OKM_LEN (SEAL_AEAD_KEY_LEN + SEAL_AEAD_NONCE_LEN + CHUNKED_COMMIT_LEN)

struct chunked {
    struct seal_aead *aead;
    /* key || base nonce, in secure memory: kept so that chunked_clone can
     * open a second cipher handle. */
    uint8_t *secret;
};

#define SECRET_LEN (SEAL_AEAD_KEY_LEN + SEAL_AEAD_NONCE_LEN)

static gpg_err_code_t chunked_from_secret(const uint8_t key[SEAL_AEAD_KEY_LEN],
                                          const uint8_t nonce[SEAL_AEAD_NONCE_LEN],
                                          struct chunked **out)
{
    gpg_err_code_t err = GPG_ERR_ENOMEM;
    struct chunked *c = NULL;

    *out = NULL;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    if ((c->secret = seal_secure_malloc(SECRET_LEN)) == NULL) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        goto out;
    }
    memcpy(c->secret, key, SEAL_AEAD_KEY_LEN);
    memcpy(c->secret + SEAL_AEAD_KEY_LEN, nonce, SEAL_AEAD_NONCE_LEN);
    if ((err = seal_aead_new(c->secret, &c->aead)) != 0)
        goto out;
    *out = c; /* ownership moves to the caller */
    c = NULL;
    err = 0;
out:
    chunked_free(c);
    return err;
}

/* Derives key || base nonce || commitment into OKM (secure memory). */
static gpg_err_code_t chunked_derive(const uint8_t *key, size_t keylen, const uint8_t *context,
                                     size_t contextlen, const uint8_t salt[CHUNKED_SALT_LEN],
                                     uint8_t okm[OKM_LEN])
{
    static const char label[] = KDF_LABEL AEAD_NAME; /* the NUL is the 0x00 separator */
    const size_t fixed = sizeof label + CHUNKED_SALT_LEN;
    gpg_err_code_t err;
    uint8_t *info;

    if (keylen != SEAL_AEAD_KEY_LEN)
        return seal_fail(GPG_ERR_INV_KEYLEN, "chunked encryption needs a %d-byte key, got %zu",
                         SEAL_AEAD_KEY_LEN, keylen);
    if (contextlen > SIZE_MAX - fixed)
        return seal_fail(GPG_ERR_TOO_LARGE, "chunked encryption context too large");
    /* The info string is not secret: salt and context are public. */
    if ((info = malloc(fixed + contextlen)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    memcpy(info, label, sizeof label);
    memcpy(info + sizeof label, salt, CHUNKED_SALT_LEN);
    if (contextlen > 0)
        memcpy(info + fixed, context, contextlen);
    err = seal_hkdf_expand(SEAL_HASH_SHA512, key, keylen, info, fixed + contextlen, okm, OKM_LEN);
    free(info);
    return err;
}

gpg_err_code_t chunked_encrypt_new(const uint8_t *key, size_t keylen, const uint8_t *context,
                                   size_t contextlen, const uint8_t *salt,
                                   uint8_t prefix[CHUNKED_PREFIX_LEN], struct chunked **out)
{
    gpg_err_code_t err;
    uint8_t rsalt[CHUNKED_SALT_LEN];
    uint8_t *okm;

    *out = NULL;
    if (keylen != SEAL_AEAD_KEY_LEN)
        return seal_fail(GPG_ERR_INV_KEYLEN, "chunked encryption needs a %d-byte key, got %zu",
                         SEAL_AEAD_KEY_LEN, keylen);
    if (salt == NULL) {
        seal_random(rsalt, sizeof rsalt);
        salt = rsalt;
    }
    if ((okm = seal_secure_malloc(OKM_LEN)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    if ((err = chunked_derive(key, keylen, context, contextlen, salt, okm)) != 0)
        goto out;
    if ((err = chunked_from_secret(okm, okm + SEAL_AEAD_KEY_LEN, out)) != 0)
        goto out;
    memcpy(prefix, salt, CHUNKED_SALT_LEN);
    memcpy(prefix + CHUNKED_SALT_LEN, okm + SECRET_LEN, CHUNKED_COMMIT_LEN);
out:
    seal_secure_free(okm, OKM_LEN);
    return err;
}

gpg_err_code_t chunked_decrypt_new(const uint8_t *key, size_t keylen, const uint8_t *context,
                                   size_t contextlen, const uint8_t prefix[CHUNKED_PREFIX_LEN],
                                   struct chunked **out)
{
    gpg_err_code_t err;
    uint8_t *okm;

    *out = NULL;
    if ((okm = seal_secure_malloc(OKM_LEN)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    if ((err = chunked_derive(key, keylen, context, contextlen, prefix, okm)) != 0)
        goto out;
    /* The spec requires the commitment check before any chunk is touched:
     * it rejects a wrong key or context without decrypting anything, and
     * prevents one ciphertext from being valid under two keys. */
    if (!seal_ct_equal(okm + SECRET_LEN, prefix + CHUNKED_SALT_LEN, CHUNKED_COMMIT_LEN)) {
        err = seal_fail(GPG_ERR_CHECKSUM, "key commitment mismatch");
        goto out;
    }
    err = chunked_from_secret(okm, okm + SEAL_AEAD_KEY_LEN, out);
out:
    seal_secure_free(okm, OKM_LEN);
    return err;
}

gpg_err_code_t chunked_raw_new(const uint8_t key[SEAL_AEAD_KEY_LEN],
                               const uint8_t nonce[SEAL_AEAD_NONCE_LEN], struct chunked **out)
{
    return chunked_from_secret(key, nonce, out);
}

gpg_err_code_t chunked_clone(const struct chunked *c, struct chunked **out)
{
    return chunked_from_secret(c->secret, c->secret + SEAL_AEAD_KEY_LEN, out);
}

/* nonce(INDEX) = base nonce XOR INDEX as a 96-bit big-endian integer. */
static gpg_err_code_t chunk_nonce(const struct chunked *c, uint64_t index,
                                  uint8_t nonce[SEAL_AEAD_NONCE_LEN])
{
    if (index >= CHUNKED_MAX_CHUNKS)
        return seal_fail(GPG_ERR_TOO_LARGE, "message exceeds 2^38 chunks");
    memcpy(nonce, c->secret + SEAL_AEAD_KEY_LEN, SEAL_AEAD_NONCE_LEN);
    for (int i = 0; i < 5; i++)
        nonce[SEAL_AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(index >> (8 * i));
    return 0;
}

gpg_err_code_t chunked_encrypt_chunk(struct chunked *c, uint64_t index, const uint8_t *in,
                                     size_t len, bool final, uint8_t *out)
{
    uint8_t nonce[SEAL_AEAD_NONCE_LEN];
    gpg_err_code_t err;

    /* One valid chunking per length: only the last chunk is short. */
    if (final ? len >= CHUNK_SIZE : len != CHUNK_SIZE)
        return seal_fail(GPG_ERR_INV_LENGTH, "%s chunk of %zu bytes", final ? "final" : "inner",
                         len);
    if ((err = chunk_nonce(c, index, nonce)) != 0)
        return err;
    err = seal_aead_encrypt(c->aead, nonce, NULL, 0, in, len, out, out + len);
    seal_wipe(nonce, sizeof nonce);
    return err;
}

gpg_err_code_t chunked_decrypt_chunk(struct chunked *c, uint64_t index, const uint8_t *in,
                                     size_t len, bool final, uint8_t *out, size_t *outlen)
{
    uint8_t nonce[SEAL_AEAD_NONCE_LEN];
    gpg_err_code_t err;
    size_t n;

    *outlen = 0;
    if (final ? (len < CHUNK_TAG_LEN || len >= CHUNK_CT_MAX) : len != CHUNK_CT_MAX)
        return seal_fail(GPG_ERR_TRUNCATED, "chunk %llu has an invalid length (%zu bytes)",
                         (unsigned long long)index, len);
    if ((err = chunk_nonce(c, index, nonce)) != 0)
        return err;
    n = len - CHUNK_TAG_LEN;
    err = seal_aead_decrypt(c->aead, nonce, NULL, 0, in, n, out, in + n);
    seal_wipe(nonce, sizeof nonce);
    if (err != 0) {
        seal_wipe(out, n);
        if (err == GPG_ERR_CHECKSUM)
            return seal_fail(GPG_ERR_CHECKSUM, "chunk %llu failed authentication",
                             (unsigned long long)index);
        return err;
    }
    *outlen = n;
    return 0;
}

void chunked_free(struct chunked *c)
{
    if (c == NULL)
        return;
    seal_aead_free(c->aead);
    seal_secure_free(c->secret, SECRET_LEN);
    free(c);
}
