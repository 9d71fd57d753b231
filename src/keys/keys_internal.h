/*
 * Internals of the key codec, shared by keys.c (files, PEM, fingerprints),
 * rsa_der.c (SubjectPublicKeyInfo, PKCS#1, PKCS#8) and pbes2.c
 * (EncryptedPrivateKeyInfo). Not for use outside those files and their
 * unit tests.
 */
#ifndef SEAL_KEYS_INTERNAL_H
#define SEAL_KEYS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/crypto.h"
#include "base/errors.h"

/* The DER structures we recognise. */
enum key_kind {
    KEY_SPKI,            /* SubjectPublicKeyInfo */
    KEY_PKCS1_PUBLIC,    /* RSAPublicKey */
    KEY_PKCS8,           /* PrivateKeyInfo */
    KEY_PKCS1_PRIVATE,   /* RSAPrivateKey */
    KEY_PKCS8_ENCRYPTED, /* EncryptedPrivateKeyInfo */
    KEY_SSH_PUBLIC,      /* an OpenSSH public key line (keys/ssh.h) */
    KEY_SSH_PRIVATE,     /* openssh-key-v1 (keys/ssh.h) */
};

/* OID content octets (no tag or length). */
extern const uint8_t key_oid_rsa_encryption[9];
extern const uint8_t key_oid_pbes2[9];
extern const uint8_t key_oid_pbkdf2[9];
extern const uint8_t key_oid_hmac_sha256[8];
extern const uint8_t key_oid_scrypt[9];
extern const uint8_t key_oid_aes256_cbc[9];
extern const uint8_t key_oid_aes128_cbc[9];

/* Writing parameters for encrypted PKCS#8 (see pbes2.c for why). */
#define KEY_SCRYPT_WRITE_N ((uint64_t)1 << 14)
#define KEY_SCRYPT_WRITE_R 8
#define KEY_SCRYPT_WRITE_P 8
#define KEY_PBES2_SALT_LEN 16

/* Reading caps for encrypted PKCS#8. */
#define KEY_PBKDF2_MAX_ITER 10000000UL
#define KEY_SCRYPT_MAX_N ((uint64_t)1 << 20)
#define KEY_SCRYPT_MAX_P 16
#define KEY_SCRYPT_MAX_MEM ((uint64_t)1 << 30)
/* scrypt's time is proportional to N * r * p (r is always 8): N = 2^20 with
 * p = 16 alone would take about a minute. N * p <= 2^20 bounds a key file
 * to a few seconds, and still admits OpenSSL's N = 2^14 with p up to 16 and
 * our own N = 2^14, p = 8. */
#define KEY_SCRYPT_MAX_WORK ((uint64_t)1 << 20)
#define KEY_SALT_MIN 8
#define KEY_SALT_MAX 64

/* Tells which structure DER (one complete key, nothing after it) holds,
 * looking at tags and OIDs only. */
gpg_err_code_t key_der_classify(const uint8_t *der, size_t len, enum key_kind *kind);

/* Parsers. Each requires DER to be exactly one structure of its kind. */
gpg_err_code_t key_parse_spki(const uint8_t *der, size_t len, struct seal_rsa_key **key);
gpg_err_code_t key_parse_pkcs1_public(const uint8_t *der, size_t len, struct seal_rsa_key **key);
gpg_err_code_t key_parse_pkcs8(const uint8_t *der, size_t len, struct seal_rsa_key **key);
gpg_err_code_t key_parse_pkcs1_private(const uint8_t *der, size_t len, struct seal_rsa_key **key);

/* Encoders, appending to W (secure for the private one). */
gpg_err_code_t key_write_spki(const struct seal_rsa_key *key, struct writer *w);
gpg_err_code_t key_write_pkcs8(const struct seal_rsa_key *key, struct writer *w);

/* Decrypts an EncryptedPrivateKeyInfo with PASS. *PLAIN (secure memory, free
 * with seal_secure_free(*plain, *plainlen)) is the PrivateKeyInfo DER, its
 * padding already checked and removed. A padding failure is
 * GPG_ERR_BAD_PASSPHRASE; unsupported or out-of-range parameters are refused
 * before any key derivation. */
gpg_err_code_t key_pbes2_decrypt(const uint8_t *der, size_t len, const char *pass, size_t passlen,
                                 uint8_t **plain, size_t *plainlen);

/* Encrypts the PrivateKeyInfo PLAIN as an EncryptedPrivateKeyInfo (scrypt,
 * AES-256-CBC) appended to W. */
gpg_err_code_t key_pbes2_encrypt(const uint8_t *plain, size_t len, const char *pass, size_t passlen,
                                 struct writer *w);

/* Like key_pbes2_encrypt with explicit scrypt parameters (unit tests). */
gpg_err_code_t key_pbes2_encrypt_params(const uint8_t *plain, size_t len, const char *pass,
                                        size_t passlen, uint64_t n, uint32_t r, uint32_t p,
                                        struct writer *w);

#endif
