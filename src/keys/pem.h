/*
 * PEM armor (RFC 7468 "strict" textual encoding) for key files.
 *
 * Read: exactly one block with a known label; only whitespace before the
 * BEGIN line and after the END line; body lines of 1..76 base64 characters
 * ending in LF or CRLF; no header lines (legacy "Proc-Type:" encryption is
 * refused with a hint); the whole body strictly canonical base64.
 * Written: 64-character lines, LF endings.
 */
#ifndef SEAL_PEM_H
#define SEAL_PEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "keys/limits.h"

/* Body lines: written PEM_LINE_CHARS long (as RFC 7468 writers do), accepted
 * up to PEM_MAX_LINE (some writers use 76). */
#define PEM_LINE_CHARS 64
#define PEM_MAX_LINE 76

enum pem_label {
    PEM_PUBLIC_KEY,            /* "PUBLIC KEY": SubjectPublicKeyInfo */
    PEM_RSA_PUBLIC_KEY,        /* "RSA PUBLIC KEY": PKCS#1 RSAPublicKey */
    PEM_PRIVATE_KEY,           /* "PRIVATE KEY": PKCS#8 PrivateKeyInfo */
    PEM_RSA_PRIVATE_KEY,       /* "RSA PRIVATE KEY": PKCS#1 RSAPrivateKey */
    PEM_ENCRYPTED_PRIVATE_KEY, /* "ENCRYPTED PRIVATE KEY": PKCS#8 EncryptedPrivateKeyInfo */
    PEM_OPENSSH_PRIVATE_KEY,   /* "OPENSSH PRIVATE KEY": openssh-key-v1 (keys/ssh.h) */
};

/* The label text, e.g. "PUBLIC KEY". */
const char *pem_label_name(enum pem_label label);

/* True if DATA is meant as PEM: some line of it starts with "-----BEGIN ".
 * (pem_decode then says what else is wrong, such as text before it.) */
bool pem_looks_like_pem(const uint8_t *data, size_t len);

/* Decodes the single PEM block in DATA. *DER receives the decoded bytes in
 * secure memory (free with seal_secure_free(*der, *derlen)), *LABEL the
 * block's label. Errors: GPG_ERR_INV_ARMOR for armor faults (detail "PEM:
 * ..."), GPG_ERR_INV_DATA for base64 faults, GPG_ERR_PUBKEY_ALGO for a label
 * of a non-RSA key (EC, DSA), GPG_ERR_UNUSABLE_SECKEY for legacy PEM
 * encryption ("Proc-Type:"), GPG_ERR_TOO_LARGE for oversized input. */
gpg_err_code_t pem_decode(const uint8_t *data, size_t len, enum pem_label *label, uint8_t **der,
                          size_t *derlen);

/* Encodes LEN bytes of DER as a PEM block labelled LABEL. *OUT is
 * NUL-terminated (not counted in *OUTLEN); in secure memory if SECURE (free
 * with seal_secure_free(*out, *outlen)), else malloc'd. */
gpg_err_code_t pem_encode(enum pem_label label, const uint8_t *der, size_t len, bool secure,
                          char **out, size_t *outlen);

#endif
