/*
 * bench/rsa_cost: what one delivery's RSA work costs on this machine, with
 * libgcrypt as the listener uses it: one RSA-OAEP decryption (the server's
 * stanza) and one RSA-PSS verification (the sender's signature), each timed
 * over N runs in CPU time of this thread.
 *
 *   bench/rsa_cost SERVER.key SENDER.key [N]
 *
 * Prints "oaep_us PSS_US" per operation; bench/transport.sh turns them into
 * the bound the RSA work sets: cores / (oaep + pss) envelopes per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "keys/keys.h"

static double cpu_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    struct seal_key *server = NULL, *sender = NULL;
    uint8_t ct[1024], sig[1024], msg[64], out[128], digest[SEAL_SHA256_LEN];
    size_t got;
    int n = argc > 3 ? atoi(argv[3]) : 200;

    if (argc < 3 || n < 1) {
        fprintf(stderr, "usage: rsa_cost SERVER.key SENDER.key [N]\n");
        return 2;
    }
    if (seal_crypto_init() || key_load_private(argv[1], NULL, NULL, &server) ||
        key_load_private(argv[2], NULL, NULL, &sender)) {
        fprintf(stderr, "rsa_cost: cannot load the keys\n");
        return 1;
    }
    memset(msg, 7, sizeof msg);
    seal_sha256(msg, sizeof msg, digest);
    if (seal_rsa_oaep_encrypt(server->rsa, "seal v1 file key", 16, msg, sizeof msg, ct) ||
        seal_rsa_pss_sign(sender->rsa, digest, sig))
        return 1;
    size_t k = seal_rsa_modulus_len(server->rsa), ks = seal_rsa_modulus_len(sender->rsa);
    double t0 = cpu_us();
    for (int i = 0; i < n; i++)
        if (seal_rsa_oaep_decrypt(server->rsa, "seal v1 file key", 16, ct, k, out, sizeof out,
                                  &got))
            return 1;
    double t1 = cpu_us();
    for (int i = 0; i < n; i++)
        if (seal_rsa_pss_verify(sender->rsa, digest, sig, ks))
            return 1;
    double t2 = cpu_us();
    printf("%.1f %.1f\n", (t1 - t0) / n, (t2 - t1) / n);
    key_free(server);
    key_free(sender);
    return 0;
}
