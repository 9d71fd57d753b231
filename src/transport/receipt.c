/* Receipts; see receipt.h. */
#include "transport/receipt.h"

#include <string.h>

void base64url_encode(const uint8_t *in, size_t n, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
        out[o++] = abc[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
    }
    out[o] = '\0';
}

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
    if (!err)
        base64url_encode(mac, sizeof mac, out);
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
