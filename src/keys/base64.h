/*
 * Strict standard base64 (RFC 4648 section 4, alphabet A-Z a-z 0-9 + /),
 * and an encoder for base64url (section 5, - and _ for + and /).
 *
 * The decoder accepts exactly one encoding of any byte string: padding is
 * required and canonical ('=' only at the end, making the length a multiple
 * of 4), the unused low bits of the last character must be zero, and nothing
 * but alphabet characters may appear (no whitespace: line handling belongs to
 * pem.c). The input is read through the bounded reader of buf.h.
 */
#ifndef SEAL_BASE64_H
#define SEAL_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

/* Characters needed to encode N bytes with padding (no NUL); (size_t)-1 if
 * that would overflow. */
size_t b64_encoded_len(size_t n);

/* The bytes that the N characters at IN decode to if they are valid base64
 * (from N and the trailing '='; 0 if N is not a multiple of 4). */
size_t b64_decoded_len(const char *in, size_t n);

/* Encodes LEN bytes of IN as padded base64 into OUT (OUTCAP bytes; needs
 * b64_encoded_len(LEN) + 1 for the NUL it appends). GPG_ERR_BUFFER_TOO_SHORT
 * if OUT is too small. With PAD false the trailing '=' are left out (as in
 * OpenSSH fingerprints) and *OUTLEN is the unpadded length. */
gpg_err_code_t b64_encode(const uint8_t *in, size_t len, bool pad, char *out, size_t outcap,
                          size_t *outlen);

/* A SHA-256 hash as OpenSSH writes a fingerprint, "SHA256:" and 43
 * unpadded base64 characters, into OUT (with its NUL): seal's key IDs and
 * the OpenSSH fingerprints alike. */
#define B64_SHA256_TEXT_LEN 51
void b64_sha256_text(const uint8_t hash[32], char out[B64_SHA256_TEXT_LEN]);

/* Encodes LEN bytes of IN as base64url without padding (RFC 4648 section 5,
 * the transport's receipts) into OUT, as b64_encode with PAD false does with
 * the standard alphabet. */
gpg_err_code_t b64url_encode(const uint8_t *in, size_t len, char *out, size_t outcap,
                             size_t *outlen);

/* Decodes the LEN characters at IN into OUT (OUTCAP bytes; b64_decoded_len(IN, LEN)
 * suffices). Any deviation from the canonical padded encoding is
 * GPG_ERR_INV_DATA with a detail ("base64: ..."). OUT may hold partial output
 * on failure; the caller wipes it if it matters. */
gpg_err_code_t b64_decode(const char *in, size_t len, uint8_t *out, size_t outcap, size_t *outlen);

#endif
