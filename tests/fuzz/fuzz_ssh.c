/*
 * The OpenSSH key parsers (keys/ssh.h): public key files and lines
 * ("[options] ssh-rsa BASE64 [comment]"), and private keys, both as the
 * raw openssh-key-v1 structure and as a whole "OPENSSH PRIVATE KEY" file
 * through the key decoder.
 * Oracles: a line that decodes is a key line; a public key that decodes
 * re-encodes to an ssh-rsa line that decodes to the same key (same seal key
 * ID, same ssh fingerprint); a private key that decodes holds its private
 * half, and its public half is the key the file's public blob names (the
 * decoder checked it: here the re-encoded PKCS#8 must agree).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "keys/keys.h"
#include "keys/ssh.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* KEY's ssh-rsa line reads back as the same key. */
static void check_public(const struct seal_rsa_key *key)
{
    uint8_t fpr[SEAL_FPR_LEN], fpr2[SEAL_FPR_LEN];
    char ssh1[SSH_FPR_TEXT_LEN], ssh2[SSH_FPR_TEXT_LEN];
    struct seal_rsa_key *again = NULL;
    char *line = NULL;
    size_t n = 0;

    FUZZ_ASSERT(key_fingerprint(key, fpr) == 0);
    FUZZ_ASSERT(ssh_fingerprint_text(key, ssh1) == 0);
    FUZZ_ASSERT(ssh_encode_public_line(key, &line, &n) == 0);
    FUZZ_ASSERT(n > 0 && line[n - 1] == '\n');
    FUZZ_ASSERT(ssh_line_is_key((const uint8_t *)line, n - 1));
    FUZZ_ASSERT(ssh_decode_public_line((const uint8_t *)line, n - 1, &again) == 0);
    FUZZ_ASSERT(key_fingerprint(again, fpr2) == 0);
    FUZZ_ASSERT(memcmp(fpr, fpr2, sizeof fpr) == 0);
    FUZZ_ASSERT(ssh_fingerprint_text(again, ssh2) == 0);
    FUZZ_ASSERT(strcmp(ssh1, ssh2) == 0);
    seal_rsa_free(again);
    free(line);
}

/* A key pair: its private half survives PKCS#8 and back. */
static void check_private(const struct seal_rsa_key *key)
{
    uint8_t fpr[SEAL_FPR_LEN], fpr2[SEAL_FPR_LEN];
    struct seal_rsa_key *again = NULL;
    char *pem = NULL;
    size_t pemlen = 0;

    FUZZ_ASSERT(seal_rsa_has_private(key));
    FUZZ_ASSERT(key_fingerprint(key, fpr) == 0);
    FUZZ_ASSERT(key_encode_private_pem(key, NULL, 0, &pem, &pemlen) == 0);
    FUZZ_ASSERT(key_decode_private((const uint8_t *)pem, pemlen, NULL, 0, NULL, &again) == 0);
    FUZZ_ASSERT(key_fingerprint(again, fpr2) == 0);
    FUZZ_ASSERT(memcmp(fpr, fpr2, sizeof fpr) == 0);
    seal_rsa_free(again);
    seal_secure_free(pem, pemlen);
    check_public(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct seal_rsa_key *key = NULL;

    if (len > 65536)
        return -1;
    /* The whole input as a public key file, and as one line. */
    if (ssh_decode_public_file(data, len, &key) == 0) {
        check_public(key);
        seal_rsa_free(key);
        key = NULL;
    }
    if (ssh_decode_public_line(data, len, &key) == 0) {
        FUZZ_ASSERT(ssh_line_is_key(data, len));
        check_public(key);
        seal_rsa_free(key);
        key = NULL;
    }
    /* The raw private structure, and the key decoder (PEM included). */
    if (ssh_parse_private(data, len, &key) == 0) {
        check_private(key);
        seal_rsa_free(key);
        key = NULL;
    }
    if (key_decode_private(data, len, NULL, 0, NULL, &key) == 0) {
        check_private(key);
        seal_rsa_free(key);
        key = NULL;
    }
    /* Someone else's key: never a private key. */
    if (key_decode_public_only(data, len, &key) == 0) {
        FUZZ_ASSERT(!seal_rsa_has_private(key));
        seal_rsa_free(key);
    }
    return 0;
}
