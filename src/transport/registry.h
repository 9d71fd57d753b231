/*
 * Key registration (man/seal.5, TRANSPORT "Registration" and "Names"): the
 * self-signed record a client sends, the rules for client IDs, and the
 * pending directory where a registered key waits for an operator. Nothing
 * here ever trusts a key: a key becomes trusted only when an operator moves
 * its file into the trust directory.
 *
 *   size
 *     17  "seal v1 register" 00
 *      2  p (u16, 1..REGISTRY_SPKI_MAX) || p bytes: DER SubjectPublicKeyInfo
 *      1  l (1..REGISTRY_NAME_MAX)      || l bytes: the requested ID
 *      8  created (u64, seconds since the epoch)
 *     16  nonce
 *      2  k (u16, the key's modulus length) || k bytes: RSA-PSS signature
 *         over SHA-256(every byte before k)
 */
#ifndef SEAL_TRANSPORT_REGISTRY_H
#define SEAL_TRANSPORT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errors.h"
#include "keys/keyring.h"
#include "keys/keys.h"

#define REGISTRY_LABEL "seal v1 register" /* and its NUL: 17 bytes */
#define REGISTRY_LABEL_LEN 17
#define REGISTRY_NAME_MAX 64
#define REGISTRY_SPKI_MAX 4096
#define REGISTRY_NONCE_LEN 16
#define REGISTRY_RECORD_MAX 8192
/* A record created further from the listener's clock is stale. */
#define REGISTRY_WINDOW 600
/* Default cap on the keys waiting in the pending directory. */
#define REGISTRY_MAX_PENDING 100

/* 0 if NAME is a valid client ID: 1..REGISTRY_NAME_MAX bytes of A-Z a-z
 * 0-9 _ . -, not starting with '.' or '-'. GPG_ERR_INV_NAME (with a detail
 * that does not repeat the name) otherwise. */
gpg_err_code_t registry_check_name(const char *name);

/* Appends KEY's registration record for NAME (created at CREATED, with
 * NONCE) to W; KEY must be a key pair. */
gpg_err_code_t registry_record_encode(const struct seal_key *key, const char *name,
                                      uint64_t created, const uint8_t nonce[REGISTRY_NONCE_LEN],
                                      struct writer *w);

struct registry_record {
    struct seal_key *key; /* the registering key (public); key_free() it */
    char name[REGISTRY_NAME_MAX + 1];
    uint64_t created;
};

/* Parses and verifies the record REC (LEN bytes), NOW being the current
 * time: 0 with OUT filled, or GPG_ERR_INV_DATA / GPG_ERR_INV_LENGTH (any
 * field out of range, trailing bytes, a key that is not exactly one DER
 * SubjectPublicKeyInfo), GPG_ERR_WEAK_KEY & co. (an unacceptable key),
 * GPG_ERR_BAD_SIGNATURE, GPG_ERR_INV_NAME, GPG_ERR_SIG_EXPIRED (created
 * more than REGISTRY_WINDOW seconds from NOW). OUT->key is NULL on failure. */
gpg_err_code_t registry_record_parse(const uint8_t *rec, size_t len, uint64_t now,
                                     struct registry_record *out);

/* Stores REC's key as PENDING_DIR/NAME.pub (SubjectPublicKeyInfo PEM,
 * created exclusively and fsynced), unless the name or the key is already
 * among TRUSTED (the trust directory as loaded now) or pending
 * (GPG_ERR_EEXIST), or PENDING_DIR already holds MAX_PENDING keys
 * (GPG_ERR_LIMIT_REACHED). Calls from several threads are serialised. */
gpg_err_code_t registry_store_pending(const char *pending_dir, struct trusted_senders *trusted,
                                      unsigned max_pending, const struct registry_record *rec);

#endif
