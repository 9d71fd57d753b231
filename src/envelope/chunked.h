/*
 * Cobblestone-256: c2sp.org/chunked-encryption instantiated with
 * HKDF-Expand-SHA-512 and AEAD_AES_256_GCM (as the C2SP/Wycheproof vectors
 * define it). 16 KiB chunks, the last one always shorter (possibly empty),
 * nonce = base nonce XOR the big-endian chunk index, empty AAD, a 24-byte
 * salt and a 32-byte key commitment in front.
 *
 * The caller reads and writes; this module only transforms one chunk at a
 * time, so memory stays constant. Chunk indices are explicit so that chunks
 * can be processed by several threads (one context each, see chunked_clone).
 */
#ifndef SEAL_CHUNKED_H
#define SEAL_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define CHUNK_SIZE 16384
#define CHUNK_TAG_LEN SEAL_AEAD_TAG_LEN
#define CHUNK_CT_MAX (CHUNK_SIZE + CHUNK_TAG_LEN)
#define CHUNKED_SALT_LEN 24
#define CHUNKED_COMMIT_LEN 32
#define CHUNKED_PREFIX_LEN (CHUNKED_SALT_LEN + CHUNKED_COMMIT_LEN)
#define CHUNKED_MAX_CHUNKS (UINT64_C(1) << 38)

struct chunked;

/* Derives key, base nonce and commitment from the 32-byte input KEY, SALT
 * and CONTEXT. For encryption: SALT may be NULL (random) and PREFIX receives
 * salt || commitment. GPG_ERR_INV_KEYLEN for a key of the wrong size. */
gpg_err_code_t chunked_encrypt_new(const uint8_t *key, size_t keylen, const uint8_t *context,
                                   size_t contextlen, const uint8_t *salt,
                                   uint8_t prefix[CHUNKED_PREFIX_LEN], struct chunked **out);

/* For decryption: PREFIX is salt || commitment as read; the commitment is
 * checked in constant time before anything else (GPG_ERR_CHECKSUM, detail
 * "key commitment mismatch": wrong key or modified context). */
gpg_err_code_t chunked_decrypt_new(const uint8_t *key, size_t keylen, const uint8_t *context,
                                   size_t contextlen, const uint8_t prefix[CHUNKED_PREFIX_LEN],
                                   struct chunked **out);

/* Raw mode (no salt, no commitment): KEY and NONCE given directly. */
gpg_err_code_t chunked_raw_new(const uint8_t key[SEAL_AEAD_KEY_LEN],
                               const uint8_t nonce[SEAL_AEAD_NONCE_LEN], struct chunked **out);

/* A second context with the same keys and its own cipher handle. */
gpg_err_code_t chunked_clone(const struct chunked *c, struct chunked **out);

/* Encrypts chunk INDEX: LEN must be CHUNK_SIZE unless FINAL, and < CHUNK_SIZE
 * if FINAL. OUT receives LEN + CHUNK_TAG_LEN bytes. */
gpg_err_code_t chunked_encrypt_chunk(struct chunked *c, uint64_t index, const uint8_t *in,
                                     size_t len, bool final, uint8_t *out);

/* Decrypts chunk INDEX of LEN ciphertext bytes. A non-final chunk must be
 * exactly CHUNK_CT_MAX bytes, a final one CHUNK_TAG_LEN .. CHUNK_CT_MAX-1
 * (GPG_ERR_TRUNCATED otherwise). A bad tag is GPG_ERR_CHECKSUM and OUT is
 * wiped. *OUTLEN = LEN - CHUNK_TAG_LEN. */
gpg_err_code_t chunked_decrypt_chunk(struct chunked *c, uint64_t index, const uint8_t *in,
                                     size_t len, bool final, uint8_t *out, size_t *outlen);

/* Wipes and frees. NULL is fine. */
void chunked_free(struct chunked *c);

#endif
