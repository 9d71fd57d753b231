/*
 * The crypto wrapper, symmetric half: random, hashes, HMAC, HKDF, PBKDF2,
 * scrypt, AES-GCM and AES-CBC. See crypto.h for the contracts.
 */
#include "crypto/crypto.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

/* scrypt: libgcrypt takes N as an int. */
#define SCRYPT_MAX_N (UINT64_C(1) << 30)

/* ---- randomness -------------------------------------------------------- */

void seal_random(void *buf, size_t n)
{
    gcry_randomize(buf, n, GCRY_STRONG_RANDOM);
}

/* ---- hashing and key derivation ---------------------------------------- */

static int md_algo(enum seal_hash hash)
{
    return hash == SEAL_HASH_SHA512 ? GCRY_MD_SHA512 : GCRY_MD_SHA256;
}

size_t seal_hash_len(enum seal_hash hash)
{
    return hash == SEAL_HASH_SHA512 ? SEAL_SHA512_LEN : SEAL_SHA256_LEN;
}

void seal_sha256(const void *data, size_t len, uint8_t out[SEAL_SHA256_LEN])
{
    gcry_md_hash_buffer(GCRY_MD_SHA256, out, data, len);
}

struct seal_sha256_ctx {
    gcry_md_hd_t md;
};

gpg_err_code_t seal_sha256_new(struct seal_sha256_ctx **ctx)
{
    struct seal_sha256_ctx *c;
    gpg_err_code_t err;

    *ctx = NULL;
    if (!(c = calloc(1, sizeof *c)))
        return seal_errno_code();
    if ((err = gcry_err_code(gcry_md_open(&c->md, GCRY_MD_SHA256, 0)))) {
        free(c);
        return seal_fail(err, "cannot open SHA-256");
    }
    *ctx = c;
    return 0;
}

void seal_sha256_update(struct seal_sha256_ctx *ctx, const void *data, size_t len)
{
    gcry_md_write(ctx->md, data, len);
}

void seal_sha256_final(struct seal_sha256_ctx *ctx, uint8_t out[SEAL_SHA256_LEN])
{
    memcpy(out, gcry_md_read(ctx->md, GCRY_MD_SHA256), SEAL_SHA256_LEN);
    seal_sha256_free(ctx);
}

void seal_sha256_free(struct seal_sha256_ctx *ctx)
{
    if (!ctx)
        return;
    gcry_md_close(ctx->md);
    free(ctx);
}

/* An HMAC handle keyed with KEY, in secure memory (it holds key material). */
static gpg_err_code_t hmac_open(enum seal_hash hash, const void *key, size_t keylen,
                                gcry_md_hd_t *md)
{
    gpg_err_code_t err;

    err = gcry_err_code(gcry_md_open(md, md_algo(hash), GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE));
    if (err)
        return seal_fail(err, "cannot open HMAC");
    /* libgcrypt wants a non-NULL key pointer even for an empty key. */
    if ((err = gcry_err_code(gcry_md_setkey(*md, keylen ? key : "", keylen)))) {
        gcry_md_close(*md);
        *md = NULL;
        return seal_fail(err, "cannot key HMAC");
    }
    return 0;
}

gpg_err_code_t seal_hmac(enum seal_hash hash, const void *key, size_t keylen, const void *data,
                         size_t len, uint8_t *out)
{
    gcry_md_hd_t md;
    gpg_err_code_t err;

    if ((err = hmac_open(hash, key, keylen, &md)))
        return err;
    gcry_md_write(md, data, len);
    memcpy(out, gcry_md_read(md, md_algo(hash)), seal_hash_len(hash));
    gcry_md_close(md);
    return 0;
}

gpg_err_code_t seal_hkdf_extract(enum seal_hash hash, const void *salt, size_t saltlen,
                                 const void *ikm, size_t ikmlen, uint8_t *prk)
{
    static const uint8_t zeros[SEAL_SHA512_LEN];

    /* RFC 5869 2.2: a missing salt is HashLen zero bytes. */
    if (saltlen == 0)
        return seal_hmac(hash, zeros, seal_hash_len(hash), ikm, ikmlen, prk);
    return seal_hmac(hash, salt, saltlen, ikm, ikmlen, prk);
}

gpg_err_code_t seal_hkdf_expand(enum seal_hash hash, const void *prk, size_t prklen,
                                const void *info, size_t infolen, uint8_t *out, size_t outlen)
{
    size_t hlen = seal_hash_len(hash);
    uint8_t *t = NULL;
    gcry_md_hd_t md = NULL;
    gpg_err_code_t err;
    size_t done = 0;

    if (outlen > 255 * hlen)
        return seal_fail(GPG_ERR_INV_LENGTH, "HKDF output of %zu bytes is too long", outlen);
    if (outlen == 0)
        return 0;
    if (!(t = seal_secure_malloc(hlen)))
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    if ((err = hmac_open(hash, prk, prklen, &md)))
        goto out;
    /* T(i) = HMAC(PRK, T(i-1) | info | i), T(0) empty. */
    for (unsigned i = 1; done < outlen; i++) {
        uint8_t counter = (uint8_t)i;
        size_t take = outlen - done < hlen ? outlen - done : hlen;

        gcry_md_reset(md);
        if (i > 1)
            gcry_md_write(md, t, hlen);
        if (infolen)
            gcry_md_write(md, info, infolen);
        gcry_md_write(md, &counter, 1);
        memcpy(t, gcry_md_read(md, md_algo(hash)), hlen);
        memcpy(out + done, t, take);
        done += take;
    }
    err = 0;
out:
    if (md)
        gcry_md_close(md);
    seal_secure_free(t, hlen);
    return err;
}

gpg_err_code_t seal_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
                                  size_t saltlen, unsigned long iterations, uint8_t *out,
                                  size_t outlen)
{
    gpg_err_code_t err;

    if (iterations == 0 || outlen == 0 || saltlen == 0)
        return seal_fail(GPG_ERR_INV_VALUE, "PBKDF2 needs a salt, iterations and output");
    err = gcry_err_code(gcry_kdf_derive(passlen ? pass : "", passlen, GCRY_KDF_PBKDF2,
                                        GCRY_MD_SHA256, salt, saltlen, iterations, outlen, out));
    if (err) {
        seal_wipe(out, outlen);
        return seal_fail(err, "PBKDF2 failed");
    }
    return 0;
}

gpg_err_code_t seal_scrypt(const void *pass, size_t passlen, const void *salt, size_t saltlen,
                           uint64_t n, uint32_t r, uint32_t p, uint8_t *out, size_t outlen)
{
    gpg_err_code_t err;

    /* libgcrypt's GCRY_KDF_SCRYPT fixes the block size r at 8. */
    if (r != 8)
        return seal_fail(GPG_ERR_NOT_SUPPORTED, "scrypt with r=%u is not supported (only r=8)",
                         (unsigned)r);
    if (n < 2 || (n & (n - 1)) != 0)
        return seal_fail(GPG_ERR_INV_VALUE, "scrypt N must be a power of two above 1");
    if (n > SCRYPT_MAX_N)
        return seal_fail(GPG_ERR_NOT_SUPPORTED, "scrypt N=%llu is too large",
                         (unsigned long long)n);
    if (p == 0 || outlen == 0)
        return seal_fail(GPG_ERR_INV_VALUE, "scrypt needs p > 0 and output");
    /* libgcrypt's scrypt: subalgo is N, iterations is p. */
    err = gcry_err_code(gcry_kdf_derive(passlen ? pass : "", passlen, GCRY_KDF_SCRYPT, (int)n,
                                        saltlen ? salt : "", saltlen, p, outlen, out));
    if (err) {
        seal_wipe(out, outlen);
        return seal_fail(err, "scrypt failed");
    }
    return 0;
}

/* ---- symmetric ciphers ------------------------------------------------- */

struct seal_aead {
    gcry_cipher_hd_t h;
};

gpg_err_code_t seal_aead_new(const uint8_t key[SEAL_AEAD_KEY_LEN], struct seal_aead **out)
{
    struct seal_aead *a;
    gpg_err_code_t err;

    *out = NULL;
    if (!(a = calloc(1, sizeof *a)))
        return seal_errno_code();
    /* GCRY_CIPHER_SECURE keeps the expanded key in secure memory. */
    err = gcry_err_code(
        gcry_cipher_open(&a->h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, GCRY_CIPHER_SECURE));
    if (err) {
        free(a);
        return seal_fail(err, "cannot open AES-256-GCM");
    }
    if ((err = gcry_err_code(gcry_cipher_setkey(a->h, key, SEAL_AEAD_KEY_LEN)))) {
        seal_aead_free(a);
        return seal_fail(err, "cannot set the AES-256-GCM key");
    }
    *out = a;
    return 0;
}

/* Sets the nonce (which restarts GCM) and feeds the AAD. */
static gpg_err_code_t aead_start(struct seal_aead *a, const uint8_t nonce[SEAL_AEAD_NONCE_LEN],
                                 const void *aad, size_t aadlen)
{
    gpg_err_code_t err;

    if ((err = gcry_err_code(gcry_cipher_setiv(a->h, nonce, SEAL_AEAD_NONCE_LEN))))
        return seal_fail(err, "cannot set the GCM nonce");
    if (aadlen && (err = gcry_err_code(gcry_cipher_authenticate(a->h, aad, aadlen))))
        return seal_fail(err, "cannot authenticate GCM associated data");
    return 0;
}

gpg_err_code_t seal_aead_encrypt(struct seal_aead *a, const uint8_t nonce[SEAL_AEAD_NONCE_LEN],
                                 const void *aad, size_t aadlen, const uint8_t *in, size_t len,
                                 uint8_t *out, uint8_t tag[SEAL_AEAD_TAG_LEN])
{
    gpg_err_code_t err;

    if ((err = aead_start(a, nonce, aad, aadlen)))
        return err;
    if (in == out)
        err = gcry_err_code(gcry_cipher_encrypt(a->h, out, len, NULL, 0));
    else
        err = gcry_err_code(gcry_cipher_encrypt(a->h, out, len, in, len));
    if (err)
        return seal_fail(err, "AES-256-GCM encryption failed");
    if ((err = gcry_err_code(gcry_cipher_gettag(a->h, tag, SEAL_AEAD_TAG_LEN))))
        return seal_fail(err, "cannot get the GCM tag");
    return 0;
}

gpg_err_code_t seal_aead_decrypt(struct seal_aead *a, const uint8_t nonce[SEAL_AEAD_NONCE_LEN],
                                 const void *aad, size_t aadlen, const uint8_t *in, size_t len,
                                 uint8_t *out, const uint8_t tag[SEAL_AEAD_TAG_LEN])
{
    gpg_err_code_t err;

    if ((err = aead_start(a, nonce, aad, aadlen)))
        goto out;
    if (in == out)
        err = gcry_err_code(gcry_cipher_decrypt(a->h, out, len, NULL, 0));
    else
        err = gcry_err_code(gcry_cipher_decrypt(a->h, out, len, in, len));
    if (err) {
        err = seal_fail(err, "AES-256-GCM decryption failed");
        goto out;
    }
    /* gcry_cipher_checktag compares in constant time. */
    if (gcry_err_code(gcry_cipher_checktag(a->h, tag, SEAL_AEAD_TAG_LEN))) {
        err = seal_fail(GPG_ERR_CHECKSUM, "authentication tag mismatch");
        goto out;
    }
    err = 0;
out:
    /* Unauthenticated plaintext must never be used: wipe it. */
    if (err)
        seal_wipe(out, len);
    return err;
}

void seal_aead_free(struct seal_aead *a)
{
    if (!a)
        return;
    gcry_cipher_close(a->h);
    free(a);
}

/* AES-CBC with a KEYLEN-byte key, in either direction. */
static gpg_err_code_t aes_cbc(bool encrypt, const uint8_t *key, size_t keylen,
                              const uint8_t iv[SEAL_AES_BLOCK_LEN], const uint8_t *in, size_t len,
                              uint8_t *out)
{
    gcry_cipher_hd_t h;
    gpg_err_code_t err;
    int algo = keylen == 16 ? GCRY_CIPHER_AES128 : GCRY_CIPHER_AES256;

    if (keylen != 16 && keylen != SEAL_AES256_KEY_LEN)
        return seal_fail(GPG_ERR_INV_KEYLEN, "AES-CBC key of %zu bytes", keylen);
    if (len % SEAL_AES_BLOCK_LEN != 0)
        return seal_fail(GPG_ERR_INV_LENGTH, "AES-CBC data is not a multiple of %d bytes",
                         SEAL_AES_BLOCK_LEN);
    err = gcry_err_code(gcry_cipher_open(&h, algo, GCRY_CIPHER_MODE_CBC, GCRY_CIPHER_SECURE));
    if (err)
        return seal_fail(err, "cannot open AES-CBC");
    if (!(err = gcry_err_code(gcry_cipher_setkey(h, key, keylen))) &&
        !(err = gcry_err_code(gcry_cipher_setiv(h, iv, SEAL_AES_BLOCK_LEN)))) {
        if (encrypt)
            err = gcry_err_code(in == out ? gcry_cipher_encrypt(h, out, len, NULL, 0)
                                          : gcry_cipher_encrypt(h, out, len, in, len));
        else
            err = gcry_err_code(in == out ? gcry_cipher_decrypt(h, out, len, NULL, 0)
                                          : gcry_cipher_decrypt(h, out, len, in, len));
    }
    gcry_cipher_close(h);
    if (err) {
        seal_wipe(out, len);
        return seal_fail(err, "AES-CBC failed");
    }
    return 0;
}

gpg_err_code_t seal_aes_cbc_decrypt(const uint8_t *key, size_t keylen,
                                    const uint8_t iv[SEAL_AES_BLOCK_LEN], const uint8_t *in,
                                    size_t len, uint8_t *out)
{
    return aes_cbc(false, key, keylen, iv, in, len, out);
}

gpg_err_code_t seal_aes256_cbc(bool encrypt, const uint8_t key[SEAL_AES256_KEY_LEN],
                               const uint8_t iv[SEAL_AES_BLOCK_LEN], const uint8_t *in, size_t len,
                               uint8_t *out)
{
    return aes_cbc(encrypt, key, SEAL_AES256_KEY_LEN, iv, in, len, out);
}
