/*
 * What the libFuzzer harnesses share: the test keys, a byte source over the
 * fuzzer's input that hands it out in uneven pieces (streaming parsers must
 * not depend on how reads are cut), a sink that collects, and the clamp on
 * key-derivation cost (see fuzz_common.c). Harnesses abort() on a broken
 * oracle, so libFuzzer keeps the input as a crash.
 */
#ifndef SEAL_FUZZ_COMMON_H
#define SEAL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "base/stream.h"
#include "crypto/crypto.h"
#include "keys/keyring.h"
#include "keys/keys.h"

/* Aborts with a message on stderr when COND is false: an oracle failure. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond);                                                  \
    } while (0)
void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* libgcrypt set up once; call from LLVMFuzzerInitialize. */
void fuzz_init(void);

/* The testkit key NAME (e.g. "bob.key", "alice.pub") from the directory the
 * build recorded (SEAL_FUZZ_KEYDIR overrides it); aborts if it cannot. */
struct seal_key *fuzz_load_key(const char *name);

/* Trusted senders: the testkit's trusted/ directory (alice and carol). */
void fuzz_load_trusted(struct trusted_senders *out);

/* Reads DATA in pieces whose sizes cycle through an uneven pattern. */
struct fuzz_source {
    const uint8_t *data;
    size_t len, off;
    unsigned step;
};
struct byte_source fuzz_source(struct fuzz_source *s, const uint8_t *data, size_t len);

/* Collects everything written, up to a cap (then GPG_ERR_TOO_LARGE). */
struct fuzz_sink {
    uint8_t *data;
    size_t len, cap;
    size_t writes;
};
struct byte_sink fuzz_sink(struct fuzz_sink *s);
void fuzz_sink_free(struct fuzz_sink *s);

#endif
