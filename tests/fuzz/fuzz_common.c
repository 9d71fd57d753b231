/* Shared harness code: keys, sources, sinks and the KDF clamp. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/secmem.h"
#include "keys/keys.h"

#ifndef FUZZ_KEYDIR
#define FUZZ_KEYDIR "tests/testkit/keys"
#endif

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "fuzz oracle failed at %s:%d: %s\n", file, line, what);
    abort();
}

void fuzz_init(void)
{
    if (seal_crypto_init() != 0) {
        fprintf(stderr, "fuzz: libgcrypt initialisation failed\n");
        abort();
    }
}

static const char *keydir(void)
{
    const char *d = getenv("SEAL_FUZZ_KEYDIR");
    return d && *d ? d : FUZZ_KEYDIR;
}

struct seal_key *fuzz_load_key(const char *name)
{
    struct seal_key *loaded = NULL;
    char path[4096];
    uint8_t *data = NULL;
    size_t len = 0;
    struct seal_rsa_key *key = NULL;
    snprintf(path, sizeof path, "%s/%s", keydir(), name);
    /* Not key_load_private: git does not keep the key files' mode 0600. */
    if (file_read_all(path, 65536, false, false, &data, &len) != 0 ||
        key_decode_private(data, len, NULL, 0, NULL, &key) != 0) {
        free(data);
        data = NULL;
        if (file_read_all(path, 65536, false, false, &data, &len) != 0 ||
            key_decode_public(data, len, &key) != 0) {
            fprintf(stderr, "fuzz: cannot load %s (set SEAL_FUZZ_KEYDIR)\n", path);
            abort();
        }
    }
    free(data);
    if (key_from_rsa(&key, &loaded) != 0)
        abort();
    return loaded;
}

void fuzz_load_trusted(struct trusted_senders *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../trusted", keydir());
    if (trusted_senders_load(path, out) != 0) {
        fprintf(stderr, "fuzz: cannot load trusted senders from %s\n", path);
        abort();
    }
}

static gpg_err_code_t source_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    static const size_t pattern[] = {1, 4096, 7, 65536, 300, 16400, 2, 100000};
    struct fuzz_source *s = ctx;
    size_t n = s->len - s->off, want = pattern[s->step++ % (sizeof pattern / sizeof pattern[0])];
    if (n > cap)
        n = cap;
    if (n > want)
        n = want;
    if (n)
        memcpy(buf, s->data + s->off, n);
    s->off += n;
    *got = n;
    return 0;
}

struct byte_source fuzz_source(struct fuzz_source *s, const uint8_t *data, size_t len)
{
    memset(s, 0, sizeof *s);
    s->data = data;
    s->len = len;
    return (struct byte_source){source_read, s};
}

static gpg_err_code_t sink_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct fuzz_sink *s = ctx;
    s->writes++;
    if (n > (1u << 26) - s->len)
        return GPG_ERR_TOO_LARGE;
    if (s->len + n > s->cap) {
        size_t cap = (s->len + n) * 2 + 64;
        uint8_t *p = realloc(s->data, cap);
        if (!p)
            return GPG_ERR_ENOMEM;
        s->data = p;
        s->cap = cap;
    }
    memcpy(s->data + s->len, buf, n);
    s->len += n;
    return 0;
}

struct byte_sink fuzz_sink(struct fuzz_sink *s)
{
    memset(s, 0, sizeof *s);
    return (struct byte_sink){sink_write, s};
}

void fuzz_sink_free(struct fuzz_sink *s)
{
    free(s->data);
    memset(s, 0, sizeof *s);
}

/*
 * The KDF clamp. A key file may ask for up to the reading caps (scrypt N*p
 * = 2^20, PBKDF2 10^7 iterations): seconds per input, which would stall the
 * fuzzer on the first mutation that reaches the derivation. The harnesses
 * are linked with -Wl,--wrap=seal_scrypt,--wrap=seal_pbkdf2_sha256, so the
 * key decoder's calls land here and derive with at most FUZZ_SCRYPT_N / p 1
 * / FUZZ_PBKDF2_ITER. The caps themselves are checked before the call, with
 * the file's real values, so they are still fuzzed. The seed corpus has keys
 * encrypted with exactly these parameters, which therefore decrypt.
 */
#define FUZZ_SCRYPT_N 256
#define FUZZ_PBKDF2_ITER 16

gpg_err_code_t __real_seal_scrypt(const void *pass, size_t passlen, const void *salt,
                                  size_t saltlen, uint64_t n, uint32_t r, uint32_t p, uint8_t *out,
                                  size_t outlen);
gpg_err_code_t __wrap_seal_scrypt(const void *pass, size_t passlen, const void *salt,
                                  size_t saltlen, uint64_t n, uint32_t r, uint32_t p, uint8_t *out,
                                  size_t outlen);
gpg_err_code_t __real_seal_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
                                         size_t saltlen, unsigned long iterations, uint8_t *out,
                                         size_t outlen);
gpg_err_code_t __wrap_seal_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
                                         size_t saltlen, unsigned long iterations, uint8_t *out,
                                         size_t outlen);

gpg_err_code_t __wrap_seal_scrypt(const void *pass, size_t passlen, const void *salt,
                                  size_t saltlen, uint64_t n, uint32_t r, uint32_t p, uint8_t *out,
                                  size_t outlen)
{
    (void)p; /* the work is N * r * p: p = 1 */
    return __real_seal_scrypt(pass, passlen, salt, saltlen, n > FUZZ_SCRYPT_N ? FUZZ_SCRYPT_N : n,
                              r, 1, out, outlen);
}

gpg_err_code_t __wrap_seal_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
                                         size_t saltlen, unsigned long iterations, uint8_t *out,
                                         size_t outlen)
{
    return __real_seal_pbkdf2_sha256(pass, passlen, salt, saltlen,
                                     iterations > FUZZ_PBKDF2_ITER ? FUZZ_PBKDF2_ITER : iterations,
                                     out, outlen);
}
