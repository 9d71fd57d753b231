/* Helpers shared by the envelope unit tests: memory sources and sinks and
 * the fixed test keys in tests/testkit/keys. Header-only (static) so each
 * test program stays one file plus this. */
#ifndef SEAL_TEST_ENVELOPE_UTIL_H
#define SEAL_TEST_ENVELOPE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "envelope/envelope.h"
#include "base/fileio.h"
#include "keys/keys.h"

struct mem_source {
    const uint8_t *data;
    size_t len, off;
    size_t max_read; /* 0: no limit; else hand out at most this much per read */
};

static gpg_err_code_t mem_source_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    struct mem_source *m = ctx;
    size_t n = m->len - m->off;
    if (n > cap)
        n = cap;
    if (m->max_read && n > m->max_read)
        n = m->max_read;
    if (n)
        memcpy(buf, m->data + m->off, n);
    m->off += n;
    *got = n;
    return 0;
}

static inline struct byte_source mem_source_init(struct mem_source *m, const void *data, size_t len)
{
    m->data = data;
    m->len = len;
    m->off = 0;
    m->max_read = 0;
    return (struct byte_source){mem_source_read, m};
}

struct mem_sink {
    uint8_t *data;
    size_t len, cap;
};

static gpg_err_code_t mem_sink_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct mem_sink *m = ctx;
    if (m->len + n > m->cap) {
        size_t cap = (m->len + n) * 2 + 1024;
        uint8_t *p = realloc(m->data, cap);
        if (!p)
            return GPG_ERR_ENOMEM;
        m->data = p;
        m->cap = cap;
    }
    memcpy(m->data + m->len, buf, n);
    m->len += n;
    return 0;
}

static inline struct byte_sink mem_sink_init(struct mem_sink *m)
{
    memset(m, 0, sizeof *m);
    return (struct byte_sink){mem_sink_write, m};
}

static inline void mem_sink_free(struct mem_sink *m)
{
    free(m->data);
    memset(m, 0, sizeof *m);
}

/* $VECTORS/../testkit (VECTORS is $top_srcdir/tests/vectors). */
static inline void testkit_path(char *out, size_t cap, const char *rel)
{
    const char *v = getenv("VECTORS");
    snprintf(out, cap, "%s/../testkit/%s", v ? v : "tests/vectors", rel);
}

/* Loads tests/testkit/keys/NAME.key (private) or NAME.pub as a loaded key. Read without the
 * permission check: git does not keep mode 0600. NULL on failure. */
static inline struct seal_key *test_key(const char *name, bool private_key)
{
    char rel[256], path[1024];
    uint8_t *data = NULL;
    size_t len = 0;
    bool needs_pass = false;
    struct seal_rsa_key *rsa = NULL;
    struct seal_key *key = NULL;
    snprintf(rel, sizeof rel, "keys/%s.%s", name, private_key ? "key" : "pub");
    testkit_path(path, sizeof path, rel);
    if (file_read_all(path, 65536, private_key, false, &data, &len) != 0)
        return NULL;
    gpg_err_code_t e = private_key ? key_decode_private(data, len, NULL, 0, &needs_pass, &rsa)
                                   : key_decode_public(data, len, &rsa);
    if (private_key)
        seal_secure_free(data, len);
    else
        free(data);
    if (e == 0)
        e = key_from_rsa(&rsa, &key);
    seal_rsa_free(rsa);
    return e ? NULL : key;
}

#endif
