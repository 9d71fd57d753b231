/*
 * OpenSSH's key formats, RSA only.
 *
 * Public keys: one line "[OPTIONS] ssh-rsa BASE64 [COMMENT]" as in
 * id_rsa.pub, authorized_keys (OPTIONS, sshd(8)) and a code host's
 * USER.keys. BASE64 is the SSH wire encoding (RFC 4253 6.6): string
 * "ssh-rsa", mpint e, mpint n. Other key types are refused naming the type.
 * Private keys: the body of "-----BEGIN OPENSSH PRIVATE KEY-----"
 * (PROTOCOL.key, "openssh-key-v1"), one unencrypted RSA key. Encrypted ones
 * (bcrypt-pbkdf) are refused: see seal-keygen(1) for why.
 *
 * Everything is read with the bounded reader (base/buf.h) under the caps of
 * the other key formats (keys/limits.h): an integer is at most twice the
 * largest modulus, so that crypto/rsa.c reports a key too large as such.
 * Encodings must be canonical: mpints minimal and non-negative, base64
 * padded, nothing after the last field.
 */
#ifndef SEAL_KEYS_SSH_H
#define SEAL_KEYS_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errors.h"
#include "crypto/crypto.h"
#include "keys/limits.h"

/* A public key line: OpenSSH's own limit (SSH_MAX_PUBKEY_BYTES). */
#define SSH_LINE_MAX 16384

/* "SHA256:" + 43 base64 characters + NUL, as ssh-keygen -l prints it. */
#define SSH_FPR_TEXT_LEN 51

/* True if LINE (LEN bytes, no line end) is an OpenSSH public key line:
 * after optional authorized_keys options, a word that names an SSH key type
 * ("ssh-...", "ecdsa-...", "sk-...") and then a base64 word. Anything else
 * (a file name, say) is not, whether or not it would decode. */
bool ssh_line_is_key(const uint8_t *line, size_t len);

/* Decodes the public key line LINE. A key type other than ssh-rsa is
 * GPG_ERR_PUBKEY_ALGO naming it; a malformed line GPG_ERR_INV_OBJ; an
 * unacceptable RSA key what crypto/rsa.c says (GPG_ERR_WEAK_KEY, ...). */
gpg_err_code_t ssh_decode_public_line(const uint8_t *line, size_t len, struct seal_rsa_key **key);

/* True if the first line of DATA that is neither blank nor a '#' comment
 * is a public key line. */
bool ssh_looks_like_public(const uint8_t *data, size_t len);

/* The lines of a list of public keys (authorized_keys, a code host's
 * USER.keys) that are neither blank nor '#' comments, one at a time. */
struct ssh_key_lines {
    struct reader r;
    size_t lineno;
};

void ssh_key_lines_init(struct ssh_key_lines *it, const uint8_t *data, size_t len);

/* Borrows the next such line, without its LF or CRLF, and sets *LINENO to
 * its number in the whole text (from 1). False at the end. */
bool ssh_key_lines_next(struct ssh_key_lines *it, const uint8_t **line, size_t *len,
                        size_t *lineno);

/* True if DATA is a list of several public keys: ssh_looks_like_public()
 * and at least one more key line (of any type) after the first. */
bool ssh_is_public_list(const uint8_t *data, size_t len);

/* Decodes a public key file: exactly one key line, blank lines and '#'
 * comments around it ignored (GPG_ERR_INV_OBJ for a second key: a file of
 * several keys is a list, for seal -R). */
gpg_err_code_t ssh_decode_public_file(const uint8_t *data, size_t len, struct seal_rsa_key **key);

/* Decodes an "openssh-key-v1" structure (the decoded PEM body): one key,
 * unencrypted (else GPG_ERR_UNUSABLE_SECKEY naming the cipher and KDF),
 * ssh-rsa (else GPG_ERR_PUBKEY_ALGO), equal check integers (else
 * GPG_ERR_INV_OBJ: the file is damaged), a private key whose public half
 * is the public key beside it (else GPG_ERR_BAD_SECKEY) and padding
 * 1, 2, 3, ... to the cipher's block size. */
gpg_err_code_t ssh_parse_private(const uint8_t *data, size_t len, struct seal_rsa_key **key);

/* Appends the SSH wire encoding of KEY's public half to W. */
gpg_err_code_t ssh_write_public_blob(const struct seal_rsa_key *key, struct writer *w);

/* KEY's public half as a line "ssh-rsa BASE64\n" (malloc'd, NUL-terminated;
 * the NUL is not counted in *OUTLEN). */
gpg_err_code_t ssh_encode_public_line(const struct seal_rsa_key *key, char **out, size_t *outlen);

/* The fingerprint ssh-keygen -l shows for KEY: SHA-256 of the wire
 * encoding, "SHA256:" + unpadded base64. */
gpg_err_code_t ssh_fingerprint_text(const struct seal_rsa_key *key, char out[SSH_FPR_TEXT_LEN]);

#endif
