/*
 * The crypto wrapper: with base/secmem.c, the only code that includes gcrypt.h. Everything else
 * sees these seal_* functions and never an S-expression or a gcry handle.
 *
 * One fixed suite: SHA-256 (and SHA-512 for HKDF-Expand in the chunked
 * payload), AES-256-GCM, AES-256-CBC + PBKDF2-HMAC-SHA256 / scrypt for key
 * files, RSA-OAEP (SHA-256, MGF1-SHA-256) and RSA-PSS (SHA-256,
 * MGF1-SHA-256, 32-byte salt), X25519 for the chat's ephemeral keys.
 * There are no algorithm menus.
 *
 * All functions return 0 or a GPG_ERR_* code (see errors.h) unless stated.
 */
#ifndef SEAL_CRYPTO_H
#define SEAL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/secmem.h"

#define SEAL_SHA256_LEN 32
#define SEAL_SHA512_LEN 64
#define SEAL_AES256_KEY_LEN 32
#define SEAL_AES_BLOCK_LEN 16
#define SEAL_AEAD_KEY_LEN SEAL_AES256_KEY_LEN /* the AEAD is AES-256-GCM */
#define SEAL_AEAD_NONCE_LEN 12
#define SEAL_AEAD_TAG_LEN 16
#define SEAL_RSA_MIN_BITS 2048
#define SEAL_RSA_MAX_BITS 8192
/* k, the modulus length in bytes: the length of every OAEP ciphertext and
 * PSS signature seal reads or writes (256..1024). */
#define SEAL_RSA_MIN_LEN (SEAL_RSA_MIN_BITS / 8)
#define SEAL_RSA_MAX_LEN (SEAL_RSA_MAX_BITS / 8)

/* ---- randomness -------------------------------------------------------- */

/* Fills BUF from libgcrypt's CSPRNG at the GCRY_STRONG_RANDOM level, also
 * for per-message keys: it is what GnuPG uses for session keys, and the
 * "very strong" level costs about 10 ms per process (it re-polls the kernel
 * entropy source), which alone would make sealing a small file slower than
 * gpg. RSA key generation picks its own level inside libgcrypt. */
void seal_random(void *buf, size_t n);

/* ---- hashing and key derivation ---------------------------------------- */

enum seal_hash { SEAL_HASH_SHA256, SEAL_HASH_SHA512 };

/* Output length of HASH in bytes. */
size_t seal_hash_len(enum seal_hash hash);

/* One-shot SHA-256. */
void seal_sha256(const void *data, size_t len, uint8_t out[SEAL_SHA256_LEN]);

/* Incremental SHA-256. */
struct seal_sha256_ctx;
gpg_err_code_t seal_sha256_new(struct seal_sha256_ctx **ctx);
void seal_sha256_update(struct seal_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest and frees CTX. */
void seal_sha256_final(struct seal_sha256_ctx *ctx, uint8_t out[SEAL_SHA256_LEN]);
/* Frees CTX without a digest (error paths). NULL is fine. */
void seal_sha256_free(struct seal_sha256_ctx *ctx);

/* HMAC with HASH; OUT receives seal_hash_len(HASH) bytes. */
gpg_err_code_t seal_hmac(enum seal_hash hash, const void *key, size_t keylen, const void *data,
                         size_t len, uint8_t *out);

/* RFC 5869 HKDF built on HMAC (libgcrypt 1.10 has no HKDF).
 * Extract: PRK (seal_hash_len bytes) = HMAC(salt, ikm); an empty salt means
 * hash-length zeros. Expand: OUTLEN bytes; more than 255 * hash length is
 * GPG_ERR_INV_LENGTH. */
gpg_err_code_t seal_hkdf_extract(enum seal_hash hash, const void *salt, size_t saltlen,
                                 const void *ikm, size_t ikmlen, uint8_t *prk);
gpg_err_code_t seal_hkdf_expand(enum seal_hash hash, const void *prk, size_t prklen,
                                const void *info, size_t infolen, uint8_t *out, size_t outlen);

/* PBKDF2-HMAC-SHA256. */
gpg_err_code_t seal_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
                                  size_t saltlen, unsigned long iterations, uint8_t *out,
                                  size_t outlen);

/* scrypt (RFC 7914). libgcrypt supports r = 8 only: any other R is
 * GPG_ERR_NOT_SUPPORTED (with a detail). N must be a power of two > 1. */
gpg_err_code_t seal_scrypt(const void *pass, size_t passlen, const void *salt, size_t saltlen,
                           uint64_t n, uint32_t r, uint32_t p, uint8_t *out, size_t outlen);

/* ---- symmetric ciphers ------------------------------------------------- */

/* AES-256-GCM with 12-byte nonces and 16-byte tags, no other sizes. */
struct seal_aead;
gpg_err_code_t seal_aead_new(const uint8_t key[SEAL_AEAD_KEY_LEN], struct seal_aead **out);
/* Encrypts LEN bytes IN -> OUT (may be the same buffer) with empty AAD unless
 * AAD is given, and writes the tag. */
gpg_err_code_t seal_aead_encrypt(struct seal_aead *a, const uint8_t nonce[SEAL_AEAD_NONCE_LEN],
                                 const void *aad, size_t aadlen, const uint8_t *in, size_t len,
                                 uint8_t *out, uint8_t tag[SEAL_AEAD_TAG_LEN]);
/* Decrypts and checks TAG in constant time: GPG_ERR_CHECKSUM on mismatch, in
 * which case OUT is wiped (never use it). */
gpg_err_code_t seal_aead_decrypt(struct seal_aead *a, const uint8_t nonce[SEAL_AEAD_NONCE_LEN],
                                 const void *aad, size_t aadlen, const uint8_t *in, size_t len,
                                 uint8_t *out, const uint8_t tag[SEAL_AEAD_TAG_LEN]);
/* Wipes and frees. NULL is fine. */
void seal_aead_free(struct seal_aead *a);

/* AES-CBC decryption with a KEYLEN-byte key (16: AES-128, 32: AES-256),
 * LEN a multiple of 16, no padding: for reading PKCS#8 PBES2 files, which
 * OpenSSL and ssh-keygen -m PKCS8 encrypt with AES-128-CBC by default. */
gpg_err_code_t seal_aes_cbc_decrypt(const uint8_t *key, size_t keylen,
                                    const uint8_t iv[SEAL_AES_BLOCK_LEN], const uint8_t *in,
                                    size_t len, uint8_t *out);

/* AES-256-CBC without padding (LEN a multiple of 16), for PKCS#8 PBES2.
 * The caller handles PKCS#7 padding. */
gpg_err_code_t seal_aes256_cbc(bool encrypt, const uint8_t key[SEAL_AES256_KEY_LEN],
                               const uint8_t iv[SEAL_AES_BLOCK_LEN], const uint8_t *in, size_t len,
                               uint8_t *out);

/* ---- X25519 (RFC 7748) ------------------------------------------------- */

#define SEAL_X25519_LEN 32

/* A fresh ephemeral key pair: SECRET (32 random bytes; keep it in secure
 * memory and wipe it once the shared secret exists) and its PUBLIC key,
 * X25519(secret, 9). */
gpg_err_code_t seal_x25519_keypair(uint8_t secret[SEAL_X25519_LEN],
                                   uint8_t public_key[SEAL_X25519_LEN]);

/* SHARED = X25519(SECRET, PEER) (PEER NULL: the base point 9), the scalar
 * clamped as RFC 7748 says.
 * GPG_ERR_BAD_PUBKEY (SHARED wiped) when the result is all zeros, which is
 * what every low-order or otherwise degenerate PEER gives (RFC 7748 section
 * 6.1): such a point would let a man in the middle fix the secret. The
 * zero check is constant time. */
gpg_err_code_t seal_x25519(const uint8_t secret[SEAL_X25519_LEN],
                           const uint8_t peer[SEAL_X25519_LEN], uint8_t shared[SEAL_X25519_LEN]);

/* ---- RSA ----------------------------------------------------------------- */

/* An RSA public key, or a key pair. Private parts live in secure memory. */
struct seal_rsa_key;

/* A big-endian unsigned integer (leading zero bytes allowed). */
struct seal_bignum {
    const uint8_t *data;
    size_t len;
};

/* The PKCS#1 RSAPrivateKey fields. qinv is q^-1 mod p (PKCS#1's convention,
 * which is the reverse of libgcrypt's u = p^-1 mod q: the wrapper swaps). */
struct seal_rsa_private_parts {
    struct seal_bignum n, e, d, p, q, dp, dq, qinv;
};

/* Validates and imports a public key: modulus of SEAL_RSA_MIN_BITS..
 * SEAL_RSA_MAX_BITS bits (GPG_ERR_WEAK_KEY below, GPG_ERR_TOO_LARGE above),
 * n odd, e odd with 3 <= e < 2^64 (GPG_ERR_BAD_PUBKEY otherwise). */
gpg_err_code_t seal_rsa_from_public(struct seal_bignum n, struct seal_bignum e,
                                    struct seal_rsa_key **out);

/* Validates and imports a key pair: the public checks above, plus n = p*q,
 * d*e = 1 mod lcm(p-1, q-1) (or phi), dp, dq and qinv consistent
 * (GPG_ERR_BAD_SECKEY otherwise, with a detail). dp and dq may both be
 * absent (data NULL), for formats that do not store them (OpenSSH). */
gpg_err_code_t seal_rsa_from_private(const struct seal_rsa_private_parts *parts,
                                     struct seal_rsa_key **out);

/* Generates a key pair of BITS bits (2048, 3072 or 4096), e = 65537. */
gpg_err_code_t seal_rsa_generate(unsigned bits, struct seal_rsa_key **out);

/* Exported integers, minimal big-endian (no leading zeros; 0 is one 0x00
 * byte). Private fields are in secure memory. */
struct seal_rsa_export {
    uint8_t *n, *e, *d, *p, *q, *dp, *dq, *qinv;
    size_t n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
};
/* Fills n and e (and, if the key has them and WANT_PRIVATE, the private
 * fields in PKCS#1 convention: qinv = q^-1 mod p). GPG_ERR_NO_SECKEY if
 * WANT_PRIVATE and the key is public only. */
gpg_err_code_t seal_rsa_export(const struct seal_rsa_key *key, bool want_private,
                               struct seal_rsa_export *out);
/* Wipes and frees every field; the struct is zeroed. */
void seal_rsa_export_free(struct seal_rsa_export *ex);

unsigned seal_rsa_bits(const struct seal_rsa_key *key);
/* k: the modulus length in bytes; signatures and OAEP ciphertexts are k bytes. */
size_t seal_rsa_modulus_len(const struct seal_rsa_key *key);
bool seal_rsa_has_private(const struct seal_rsa_key *key);
/* Wipes and frees. NULL is fine. */
void seal_rsa_free(struct seal_rsa_key *key);

/* RSA-OAEP, SHA-256 and MGF1-SHA-256, with LABEL. OUT receives exactly
 * seal_rsa_modulus_len(key) bytes. */
gpg_err_code_t seal_rsa_oaep_encrypt(const struct seal_rsa_key *key, const void *label,
                                     size_t labellen, const uint8_t *msg, size_t msglen,
                                     uint8_t *out);
/* Rejects CTLEN != k and c >= n before libgcrypt sees them; any failure is
 * GPG_ERR_DECRYPT_FAILED with no further distinction (no padding oracle).
 * OUT (OUTCAP bytes, should be secure memory) receives the message. */
gpg_err_code_t seal_rsa_oaep_decrypt(const struct seal_rsa_key *key, const void *label,
                                     size_t labellen, const uint8_t *ct, size_t ctlen, uint8_t *out,
                                     size_t outcap, size_t *outlen);

/* RSA-PSS over a SHA-256 DIGEST, MGF1-SHA-256, 32-byte salt. SIG receives
 * exactly k bytes. The signature is verified before it is returned. */
gpg_err_code_t seal_rsa_pss_sign(const struct seal_rsa_key *key,
                                 const uint8_t digest[SEAL_SHA256_LEN], uint8_t *sig);
/* GPG_ERR_BAD_SIGNATURE unless SIG is exactly k bytes, < n, and a valid
 * PSS signature (salt length exactly 32) of DIGEST. */
gpg_err_code_t seal_rsa_pss_verify(const struct seal_rsa_key *key,
                                   const uint8_t digest[SEAL_SHA256_LEN], const uint8_t *sig,
                                   size_t siglen);

#endif
