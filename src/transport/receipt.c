/* Receipts; see receipt.h. */
#include "transport/receipt.h"

#include <string.h>

#include "keys/base64.h"

gpg_err_code_t receipt_compute(const uint8_t key[SEAL_RECEIPT_KEY_LEN],
                               const uint8_t id[SEAL_ENVELOPE_ID_LEN],
                               const uint8_t envelope_sha256[SEAL_SHA256_LEN],
                               const uint8_t fpr[SEAL_FPR_LEN], char out[RECEIPT_TEXT_LEN + 1])
{
    uint8_t msg[sizeof RECEIPT_LABEL + SEAL_ENVELOPE_ID_LEN + SEAL_SHA256_LEN + SEAL_FPR_LEN];
    uint8_t mac[SEAL_SHA256_LEN];
    size_t o = 0;
    memcpy(msg, RECEIPT_LABEL, sizeof RECEIPT_LABEL); /* with its NUL */
    o += sizeof RECEIPT_LABEL;
    memcpy(msg + o, id, SEAL_ENVELOPE_ID_LEN);
    o += SEAL_ENVELOPE_ID_LEN;
    memcpy(msg + o, envelope_sha256, SEAL_SHA256_LEN);
    o += SEAL_SHA256_LEN;
    memcpy(msg + o, fpr, SEAL_FPR_LEN);
    o += SEAL_FPR_LEN;
    gpg_err_code_t err = seal_hmac(SEAL_HASH_SHA256, key, SEAL_RECEIPT_KEY_LEN, msg, o, mac);
    size_t n;
    if (!err)
        err = b64url_encode(mac, sizeof mac, out, RECEIPT_TEXT_LEN + 1, &n);
    seal_wipe(mac, sizeof mac);
    return err;
}

bool receipt_verify(const uint8_t key[SEAL_RECEIPT_KEY_LEN], const uint8_t id[SEAL_ENVELOPE_ID_LEN],
                    const uint8_t envelope_sha256[SEAL_SHA256_LEN], const uint8_t fpr[SEAL_FPR_LEN],
                    const char *text, size_t len)
{
    char want[RECEIPT_TEXT_LEN + 1];
    if (receipt_compute(key, id, envelope_sha256, fpr, want) != 0)
        return false;
    /* The length is public (always 43); the bytes are compared in constant
     * time so a forger learns nothing from how fast a guess fails. */
    bool ok = len == RECEIPT_TEXT_LEN && seal_ct_equal(want, text, RECEIPT_TEXT_LEN);
    seal_wipe(want, sizeof want);
    return ok;
}
