/*
 * Receipts (man/seal.5, TRANSPORT "Receipt"):
 *
 *   receipt = base64url(HMAC-SHA-256(receipt key,
 *                 "seal v1 receipt" || 00 || envelope ID
 *                 || SHA-256(envelope bytes as received)
 *                 || fingerprint of the acknowledging key))
 *
 * base64url without padding: 43 characters. The receipt key is the one the
 * acknowledging recipient's stanza carries (envelope.h), known only to it
 * and to the sender.
 */
#ifndef SEAL_TRANSPORT_RECEIPT_H
#define SEAL_TRANSPORT_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "envelope/envelope.h"
#include "keys/keys.h"

#define RECEIPT_TEXT_LEN 43
#define RECEIPT_LABEL "seal v1 receipt" /* followed by its NUL on the wire */

/* Computes the receipt text (RECEIPT_TEXT_LEN characters and a NUL). */
gpg_err_code_t receipt_compute(const uint8_t key[SEAL_RECEIPT_KEY_LEN],
                               const uint8_t id[SEAL_ENVELOPE_ID_LEN],
                               const uint8_t envelope_sha256[SEAL_SHA256_LEN],
                               const uint8_t fpr[SEAL_FPR_LEN], char out[RECEIPT_TEXT_LEN + 1]);

/* True iff TEXT (LEN bytes) is exactly the receipt for these values; the
 * comparison takes the same time wherever the texts differ. */
bool receipt_verify(const uint8_t key[SEAL_RECEIPT_KEY_LEN], const uint8_t id[SEAL_ENVELOPE_ID_LEN],
                    const uint8_t envelope_sha256[SEAL_SHA256_LEN], const uint8_t fpr[SEAL_FPR_LEN],
                    const char *text, size_t len);

#endif
