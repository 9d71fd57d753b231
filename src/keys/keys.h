/*
 * RSA key files, as OpenSSL writes and reads them.
 *
 * Read (public): SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), PKCS#1
 * ("BEGIN RSA PUBLIC KEY"), an OpenSSH "ssh-rsa AAAA..." line, and (except
 * for key_*_public_only) any private key file below (its public half).
 * Read (private): PKCS#8 ("BEGIN PRIVATE KEY"), PKCS#1 ("BEGIN RSA PRIVATE
 * KEY"), encrypted PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY": PBES2 with
 * PBKDF2-HMAC-SHA256 or scrypt, AES-256-CBC), PEM or DER; and unencrypted
 * OpenSSH keys ("BEGIN OPENSSH PRIVATE KEY", keys/ssh.h).
 * Written: PKCS#8 (encrypted with PBES2/scrypt + AES-256-CBC when a
 * passphrase is given) and SubjectPublicKeyInfo, PEM.
 *
 * A key's ID everywhere in seal is its fingerprint: SHA-256 of the DER
 * SubjectPublicKeyInfo, shown as "SHA256:" + unpadded base64.
 */
#ifndef SEAL_KEYS_H
#define SEAL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/crypto.h"
#include "keys/limits.h"

#define SEAL_FPR_LEN 32
/* "SHA256:" + 43 base64 characters + NUL */
#define SEAL_FPR_TEXT_LEN 51

/* A loaded key: the RSA key and its ID. The ID is computed once, when the key
 * is loaded, so that finding a stanza, matching a signer or refusing a
 * duplicate recipient compares bytes instead of re-encoding the key. */
struct seal_key {
    struct seal_rsa_key *rsa;
    uint8_t fpr[SEAL_FPR_LEN];
};

/* Asks for the passphrase of the encrypted key in PATH. Returns the
 * passphrase in secure memory (*PASS, *LEN; the key loader wipes and frees it
 * with seal_secure_free(*pass, *len + 1)), or an error such as
 * GPG_ERR_NO_PASSPHRASE or GPG_ERR_CANCELED. */
typedef gpg_err_code_t (*key_passphrase_fn)(void *ctx, const char *path, char **pass, size_t *len);

/* Loads a public key from PATH (any accepted public or private format). An
 * encrypted private key needs GET_PASS (may be NULL: GPG_ERR_NO_PASSPHRASE).
 * Errors name the fault in seal_detail(). Free *KEY with key_free(). */
gpg_err_code_t key_load_public(const char *path, key_passphrase_fn get_pass, void *ctx,
                               struct seal_key **key);

/* Loads a public key file from PATH: a private key file, even unencrypted,
 * is refused (GPG_ERR_WRONG_KEY_USAGE, detail "a private key; ..."), before any
 * passphrase could be asked. For the keys of others: recipients and
 * trusted senders. */
gpg_err_code_t key_load_public_only(const char *path, struct seal_key **key);

/* Loads a key pair from PATH. Refuses files readable or writable by group or
 * others (GPG_ERR_BAD_SECKEY). A wrong passphrase is GPG_ERR_BAD_PASSPHRASE. */
gpg_err_code_t key_load_private(const char *path, key_passphrase_fn get_pass, void *ctx,
                                struct seal_key **key);

/* Makes *RSA a loaded key: computes its ID and moves *RSA into *KEY (*RSA
 * becomes NULL). On failure *RSA is still the caller's. */
gpg_err_code_t key_from_rsa(struct seal_rsa_key **rsa, struct seal_key **key);

/* Wipes and frees KEY. NULL is fine. */
void key_free(struct seal_key *key);

/* The same from bytes already in memory (PEM or DER). key_decode_public
 * refuses an encrypted private key (GPG_ERR_NO_PASSPHRASE).
 * key_decode_private uses PASS (PASSLEN bytes) if the key is encrypted; if
 * PASS is NULL it sets *NEEDS_PASS (may be NULL) and returns
 * GPG_ERR_NO_PASSPHRASE. The _pass variants ask GET_PASS (may be NULL)
 * instead, handing it NAME (may be NULL) as the path. */
gpg_err_code_t key_decode_public(const uint8_t *data, size_t len, struct seal_rsa_key **key);
/* The bytes of a public key file, as key_load_public_only() reads them. */
gpg_err_code_t key_decode_public_only(const uint8_t *data, size_t len, struct seal_rsa_key **key);
gpg_err_code_t key_decode_private(const uint8_t *data, size_t len, const char *pass, size_t passlen,
                                  bool *needs_pass, struct seal_rsa_key **key);
gpg_err_code_t key_decode_public_pass(const uint8_t *data, size_t len, key_passphrase_fn get_pass,
                                      void *ctx, const char *name, struct seal_rsa_key **key);
gpg_err_code_t key_decode_private_pass(const uint8_t *data, size_t len, key_passphrase_fn get_pass,
                                       void *ctx, const char *name, struct seal_rsa_key **key);

/* The fingerprint of KEY's public half (computes it: a loaded key has it in
 * its fpr field). */
gpg_err_code_t key_fingerprint(const struct seal_rsa_key *key, uint8_t fpr[SEAL_FPR_LEN]);
/* "SHA256:..." text form of FPR. */
void key_fingerprint_text(const uint8_t fpr[SEAL_FPR_LEN], char out[SEAL_FPR_TEXT_LEN]);

/* Appends KEY's public half as DER SubjectPublicKeyInfo to W (the bytes its
 * fingerprint hashes). */
gpg_err_code_t key_encode_public_der(const struct seal_rsa_key *key, struct writer *w);

/* Encodes KEY as PEM: public (SubjectPublicKeyInfo) or private (PKCS#8;
 * if PASS is non-NULL encrypted with PBES2: scrypt N=2^14 r=8 p=8, which is
 * the work of N=2^17 p=1 but within the 32 MiB that OpenSSL 3 allows when
 * reading, + AES-256-CBC, 16-byte salt).
 * *OUT is malloc'd (public) or secure memory (private: free with
 * seal_secure_free(*out, *outlen)). */
gpg_err_code_t key_encode_public_pem(const struct seal_rsa_key *key, char **out, size_t *outlen);
gpg_err_code_t key_encode_private_pem(const struct seal_rsa_key *key, const char *pass,
                                      size_t passlen, char **out, size_t *outlen);

#endif
