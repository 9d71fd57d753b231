/*
 * The key decoder: PEM and DER; SubjectPublicKeyInfo, PKCS#1 public and
 * private, PKCS#8, encrypted PKCS#8 (PBES2 with PBKDF2 or scrypt, the cost
 * clamped by fuzz_common.c; passphrase "fuzz").
 * Oracle: a key that decodes re-encodes (SPKI, PKCS#8) to a file that
 * decodes to the same key (same fingerprint, same private half).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "keys/keys.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void check_reencodes(const struct seal_rsa_key *key)
{
    uint8_t fpr[SEAL_FPR_LEN], fpr2[SEAL_FPR_LEN];
    struct seal_rsa_key *again = NULL;
    char *pem = NULL;
    size_t pemlen = 0;

    FUZZ_ASSERT(key_fingerprint(key, fpr) == 0);
    FUZZ_ASSERT(key_encode_public_pem(key, &pem, &pemlen) == 0);
    FUZZ_ASSERT(key_decode_public((const uint8_t *)pem, pemlen, &again) == 0);
    FUZZ_ASSERT(key_fingerprint(again, fpr2) == 0);
    FUZZ_ASSERT(memcmp(fpr, fpr2, sizeof fpr) == 0);
    seal_rsa_free(again);
    free(pem);
    if (!seal_rsa_has_private(key))
        return;
    again = NULL;
    FUZZ_ASSERT(key_encode_private_pem(key, NULL, 0, &pem, &pemlen) == 0);
    FUZZ_ASSERT(key_decode_private((const uint8_t *)pem, pemlen, NULL, 0, NULL, &again) == 0);
    FUZZ_ASSERT(seal_rsa_has_private(again));
    FUZZ_ASSERT(key_fingerprint(again, fpr2) == 0);
    FUZZ_ASSERT(memcmp(fpr, fpr2, sizeof fpr) == 0);
    seal_rsa_free(again);
    seal_secure_free(pem, pemlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct seal_rsa_key *key = NULL;
    bool needs_pass = false;

    if (len > 65536)
        return -1;
    if (key_decode_public(data, len, &key) == 0) {
        check_reencodes(key);
        seal_rsa_free(key);
        key = NULL;
    }
    if (key_decode_private(data, len, NULL, 0, &needs_pass, &key) == 0) {
        FUZZ_ASSERT(!needs_pass);
        check_reencodes(key);
        seal_rsa_free(key);
        key = NULL;
    } else if (needs_pass && key_decode_private(data, len, "fuzz", 4, NULL, &key) == 0) {
        FUZZ_ASSERT(seal_rsa_has_private(key));
        check_reencodes(key);
        seal_rsa_free(key);
    }
    return 0;
}
