/*
 * Cobblestone-256 (src/chunked.c): all Wycheproof C2SP chunked-encryption
 * vectors, decrypted through a streaming driver built the way a real reader
 * works, in raw mode too, and re-encrypted; plus the edge cases of the API.
 *
 * The vectors come from tests/vectors/c2sp_chunked_encryption_aes_256_gcm_test.txt,
 * made by tests/vectors/c2sp2txt.py from the upstream JSON; their ciphertexts are
 * zlib-compressed hex, so this test (and nothing installed) links zlib.
 *
 * This file includes <gcrypt.h> for gcry_md_hash_buffer(SHA-512) only: the
 * vectors give the message's SHA-512, crypto.h exposes no plain SHA-512, and
 * the rule that only crypto.c includes gcrypt.h is about the product; a test
 * program may use the library directly to check it independently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gcrypt.h>
#include <zlib.h>

#include "base/buf.h"
#include "envelope/chunked.h"
#include "crypto/crypto.h"

#define VECTOR_FILE "c2sp_chunked_encryption_aes_256_gcm_test.txt"
#define MAX_CT (16u << 20) /* inflated ciphertexts are about 4 MiB at most */

/* ---- vector file ---------------------------------------------------------- */

struct bytes {
    uint8_t *p;
    size_t n;
};

struct vector {
    unsigned long id;
    bool valid;
    char flags[256];
    struct bytes key, ctx, ct, aead_key, base_nonce, sha512;
    bool has_raw; /* aeadKey and baseNonce given */
    bool has_msg; /* msgLength and msgSha512 given */
    unsigned long msg_len;
};

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    p = malloc((size_t)n);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* The next line (without its LF) through the bounded reader; false at end. */
static bool next_line(struct reader *r, const uint8_t **line, size_t *len)
{
    struct reader probe = *r;
    size_t n = 0;
    uint8_t ch;

    if (reader_remaining(r) == 0)
        return false;
    while (reader_get_u8(&probe, &ch) == 0 && ch != '\n')
        n++;
    assert_int_equal(reader_get_view(r, n, line), 0);
    *len = n;
    if (reader_remaining(r) > 0)
        assert_int_equal(reader_skip(r, 1), 0);
    return true;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static struct bytes unhex(const uint8_t *s, size_t n)
{
    struct bytes b = {malloc(n / 2 + 1), n / 2};

    assert_non_null(b.p);
    assert_int_equal(n % 2, 0);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        b.p[i] = (uint8_t)(hi << 4 | lo);
    }
    return b;
}

static struct bytes inflate_all(struct bytes z)
{
    struct bytes b = {NULL, 0};
    size_t cap = 1 << 16;
    z_stream s;
    int zr;

    memset(&s, 0, sizeof s);
    assert_int_equal(inflateInit(&s), Z_OK);
    b.p = malloc(cap);
    assert_non_null(b.p);
    s.next_in = z.p;
    s.avail_in = (uInt)z.n;
    do {
        if (b.n == cap) {
            cap *= 2;
            assert_true(cap <= MAX_CT);
            b.p = realloc(b.p, cap);
            assert_non_null(b.p);
        }
        s.next_out = b.p + b.n;
        s.avail_out = (uInt)(cap - b.n);
        zr = inflate(&s, Z_NO_FLUSH);
        assert_true(zr == Z_OK || zr == Z_STREAM_END);
        b.n = cap - s.avail_out;
    } while (zr != Z_STREAM_END);
    assert_int_equal(s.avail_in, 0);
    inflateEnd(&s);
    return b;
}

static bool word_is(const uint8_t *p, size_t n, const char *w)
{
    return n == strlen(w) && memcmp(p, w, n) == 0;
}

static bool has_flag(const struct vector *v, const char *flag)
{
    size_t n = strlen(flag);

    for (const char *p = v->flags; (p = strstr(p, flag)) != NULL; p += n)
        if ((p == v->flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static void vector_free(struct vector *v)
{
    free(v->key.p);
    free(v->ctx.p);
    free(v->ct.p);
    free(v->aead_key.p);
    free(v->base_nonce.p);
    free(v->sha512.p);
    memset(v, 0, sizeof *v);
}

/* Reads the next vector block; false at the end of the file. */
static bool vector_next(struct reader *r, struct vector *v)
{
    const uint8_t *line, *val;
    size_t len, vlen, k;

    memset(v, 0, sizeof *v);
    for (;;) {
        if (!next_line(r, &line, &len))
            return false;
        if (len > 0 && line[0] != '#')
            break;
    }
    assert_true(len > 5 && memcmp(line, "test ", 5) == 0);
    v->id = strtoul((const char *)line + 5, NULL, 10); /* digits end at the LF */
    while (next_line(r, &line, &len) && !word_is(line, len, "end")) {
        for (k = 0; k < len && line[k] != ' '; k++)
            ;
        val = line + (k < len ? k + 1 : len);
        vlen = k < len ? len - k - 1 : 0;
        if (word_is(line, k, "result")) {
            v->valid = word_is(val, vlen, "valid");
            assert_true(v->valid || word_is(val, vlen, "invalid"));
        } else if (word_is(line, k, "flags")) {
            assert_true(vlen < sizeof v->flags);
            memcpy(v->flags, val, vlen);
        } else if (word_is(line, k, "key")) {
            v->key = unhex(val, vlen);
        } else if (word_is(line, k, "ctx")) {
            v->ctx = unhex(val, vlen);
        } else if (word_is(line, k, "ct")) {
            struct bytes z = unhex(val, vlen);
            v->ct = inflate_all(z);
            free(z.p);
        } else if (word_is(line, k, "aeadKey")) {
            v->aead_key = unhex(val, vlen);
            assert_int_equal(v->aead_key.n, SEAL_AEAD_KEY_LEN);
        } else if (word_is(line, k, "baseNonce")) {
            v->base_nonce = unhex(val, vlen);
            assert_int_equal(v->base_nonce.n, SEAL_AEAD_NONCE_LEN);
        } else if (word_is(line, k, "msgLength")) {
            char num[32];
            assert_true(vlen > 0 && vlen < sizeof num);
            memcpy(num, val, vlen);
            num[vlen] = '\0';
            v->msg_len = strtoul(num, NULL, 10);
        } else if (word_is(line, k, "msgSha512")) {
            v->sha512 = unhex(val, vlen);
            assert_int_equal(v->sha512.n, SEAL_SHA512_LEN);
        } else {
            fail_msg("unknown field in vector %lu", v->id);
        }
    }
    v->has_raw = v->aead_key.p != NULL && v->base_nonce.p != NULL;
    v->has_msg = v->sha512.p != NULL;
    return true;
}

/* ---- a streaming decryptor, as a reader of a byte stream would be --------- */

struct input {
    const uint8_t *p;
    size_t n, off;
};

/* Like read(2) to EOF: up to N bytes, fewer only at the end. */
static size_t input_read(struct input *in, uint8_t *buf, size_t n)
{
    size_t got = in->n - in->off < n ? in->n - in->off : n;

    memcpy(buf, in->p + in->off, got);
    in->off += got;
    return got;
}

struct decryptor {
    struct input in;
    struct chunked *c;
    uint64_t index;
    bool done;
    gpg_err_code_t err; /* sticky: once failed, every later call fails */
    uint8_t ct[CHUNK_CT_MAX];
};

/* Header step: reads salt || commitment and checks the commitment. With RAW
 * the header is skipped and aeadKey / baseNonce are used directly. */
static gpg_err_code_t decryptor_open(struct decryptor *d, const struct vector *v, bool raw)
{
    uint8_t prefix[CHUNKED_PREFIX_LEN];

    memset(d, 0, sizeof *d);
    d->in.p = v->ct.p;
    d->in.n = v->ct.n;
    if (raw) {
        assert_true(v->ct.n >= CHUNKED_PREFIX_LEN);
        d->in.off = CHUNKED_PREFIX_LEN;
        d->err = chunked_raw_new(v->aead_key.p, v->base_nonce.p, &d->c);
        return d->err;
    }
    if (input_read(&d->in, prefix, sizeof prefix) < sizeof prefix)
        return d->err = GPG_ERR_TRUNCATED;
    d->err = chunked_decrypt_new(v->key.p, v->key.n, v->ctx.p, v->ctx.n, prefix, &d->c);
    return d->err;
}

/* Decrypts the next chunk into PT (*N bytes); *N == 0 with 0 after the end. */
static gpg_err_code_t decryptor_next(struct decryptor *d, uint8_t *pt, size_t *n)
{
    size_t got;
    bool final;

    *n = 0;
    if (d->err != 0 || d->done)
        return d->err;
    /* A full read is an inner chunk; a short one (even empty) is the last. */
    got = input_read(&d->in, d->ct, CHUNK_CT_MAX);
    final = got < CHUNK_CT_MAX;
    d->err = chunked_decrypt_chunk(d->c, d->index, d->ct, got, final, pt, n);
    if (d->err == 0) {
        d->index++;
        d->done = final;
    }
    return d->err;
}

struct outcome {
    gpg_err_code_t err;
    bool at_header;
    uint8_t *msg; /* everything released before the end or the error */
    size_t msg_len;
};

static void run_decrypt(const struct vector *v, bool raw, struct outcome *o)
{
    struct decryptor *d = calloc(1, sizeof *d);
    uint8_t *pt = malloc(CHUNK_SIZE);
    size_t cap = 1 << 16, n;

    assert_non_null(d);
    assert_non_null(pt);
    memset(o, 0, sizeof *o);
    o->msg = malloc(cap);
    assert_non_null(o->msg);
    if ((o->err = decryptor_open(d, v, raw)) != 0) {
        o->at_header = true;
        goto out;
    }
    do {
        o->err = decryptor_next(d, pt, &n);
        if (o->msg_len + n > cap) {
            cap *= 2;
            o->msg = realloc(o->msg, cap);
            assert_non_null(o->msg);
        }
        memcpy(o->msg + o->msg_len, pt, n);
        o->msg_len += n;
    } while (o->err == 0 && !d->done);
    if (o->err != 0) {
        /* The failure is sticky: reading on never yields data or a clean end. */
        assert_int_equal(decryptor_next(d, pt, &n), o->err);
        assert_int_equal(n, 0);
        assert_int_equal(decryptor_next(d, pt, &n), o->err);
    } else {
        assert_int_equal(d->in.off, d->in.n);
    }
out:
    chunked_free(d->c);
    free(d);
    free(pt);
}

static void assert_sha512(const uint8_t *msg, size_t len, const struct bytes *want)
{
    uint8_t md[SEAL_SHA512_LEN];

    gcry_md_hash_buffer(GCRY_MD_SHA512, md, msg, len);
    assert_memory_equal(md, want->p, sizeof md);
}

/* What every decryption of V (keyed or raw) must produce. */
static void check_outcome(const struct vector *v, const struct outcome *o, bool raw)
{
    if (v->valid) {
        if (o->err != 0)
            fail_msg("vector %lu (%s): %s", v->id, raw ? "raw" : "keyed", gpg_strerror(o->err));
        assert_true(v->has_msg);
        assert_int_equal(o->msg_len, v->msg_len);
        assert_sha512(o->msg, o->msg_len, &v->sha512);
        return;
    }
    if (o->err == 0)
        fail_msg("invalid vector %lu (%s) decrypted", v->id, raw ? "raw" : "keyed");
    if (!raw && has_flag(v, "HeaderFailure"))
        assert_true(o->at_header);
    if (!raw && has_flag(v, "InvalidKeySize"))
        assert_int_equal(o->err, GPG_ERR_INV_KEYLEN);
    if (has_flag(v, "PartialPlaintext")) {
        /* Only the authenticated prefix was released, nothing beyond it. */
        assert_true(v->has_msg);
        assert_int_equal(o->msg_len, v->msg_len);
        assert_sha512(o->msg, o->msg_len, &v->sha512);
    } else {
        assert_int_equal(o->msg_len, 0);
    }
}

/* Raw-mode encryption is deterministic: it must rebuild the ciphertext. */
static void check_raw_encrypt(const struct vector *v, const uint8_t *msg, size_t len)
{
    struct chunked *c = NULL;
    const uint8_t *want = v->ct.p + CHUNKED_PREFIX_LEN;
    uint8_t *out = malloc(CHUNK_CT_MAX);
    uint64_t i = 0;
    size_t off = 0, at = 0;

    assert_non_null(out);
    assert_int_equal(chunked_raw_new(v->aead_key.p, v->base_nonce.p, &c), 0);
    for (;; i++) {
        size_t n = len - off < CHUNK_SIZE ? len - off : CHUNK_SIZE;
        bool final = n < CHUNK_SIZE;
        assert_int_equal(chunked_encrypt_chunk(c, i, msg + off, n, final, out), 0);
        assert_true(at + n + CHUNK_TAG_LEN <= v->ct.n - CHUNKED_PREFIX_LEN);
        assert_memory_equal(out, want + at, n + CHUNK_TAG_LEN);
        at += n + CHUNK_TAG_LEN;
        off += n;
        if (final)
            break;
    }
    assert_int_equal(at, v->ct.n - CHUNKED_PREFIX_LEN);
    chunked_free(c);
    free(out);
}

/* With the salt injected, keyed encryption must rebuild the whole ct. */
static void check_salted_encrypt(const struct vector *v, const uint8_t *msg, size_t len)
{
    struct chunked *c = NULL;
    uint8_t prefix[CHUNKED_PREFIX_LEN];
    uint8_t *out = malloc(CHUNK_CT_MAX);
    uint64_t i = 0;
    size_t off = 0, at = CHUNKED_PREFIX_LEN;

    assert_non_null(out);
    assert_int_equal(
        chunked_encrypt_new(v->key.p, v->key.n, v->ctx.p, v->ctx.n, v->ct.p, prefix, &c), 0);
    assert_memory_equal(prefix, v->ct.p, CHUNKED_PREFIX_LEN);
    for (;; i++) {
        size_t n = len - off < CHUNK_SIZE ? len - off : CHUNK_SIZE;
        bool final = n < CHUNK_SIZE;
        assert_int_equal(chunked_encrypt_chunk(c, i, msg + off, n, final, out), 0);
        assert_true(at + n + CHUNK_TAG_LEN <= v->ct.n);
        assert_memory_equal(out, v->ct.p + at, n + CHUNK_TAG_LEN);
        at += n + CHUNK_TAG_LEN;
        off += n;
        if (final)
            break;
    }
    assert_int_equal(at, v->ct.n);
    chunked_free(c);
    free(out);
}

static void test_wycheproof_vectors(void **state)
{
    const char *dir = getenv("VECTORS");
    unsigned total = 0, valid = 0, invalid = 0, raw_dec = 0, raw_enc = 0, salted_enc = 0,
             keysize = 0, partial = 0;
    struct reader r;
    struct vector v;
    struct outcome o;
    char path[4096];
    uint8_t *file;
    size_t len;

    (void)state;
    assert_non_null(dir);
    snprintf(path, sizeof path, "%s/%s", dir, VECTOR_FILE);
    file = slurp(path, &len);
    reader_init(&r, file, len);
    while (vector_next(&r, &v)) {
        total++;
        v.valid ? valid++ : invalid++;
        if (has_flag(&v, "InvalidKeySize")) {
            /* Rejected as soon as the key is provided, in both directions. */
            struct chunked *c = NULL;
            uint8_t prefix[CHUNKED_PREFIX_LEN] = {0};
            assert_int_equal(chunked_encrypt_new(v.key.p, v.key.n, NULL, 0, NULL, prefix, &c),
                             GPG_ERR_INV_KEYLEN);
            assert_null(c);
            assert_int_equal(chunked_decrypt_new(v.key.p, v.key.n, NULL, 0, prefix, &c),
                             GPG_ERR_INV_KEYLEN);
            assert_null(c);
            keysize++;
        }
        if (has_flag(&v, "PartialPlaintext"))
            partial++;
        run_decrypt(&v, false, &o);
        check_outcome(&v, &o, false);
        if (v.has_raw) {
            struct outcome ro;
            run_decrypt(&v, true, &ro);
            check_outcome(&v, &ro, true);
            raw_dec++;
            if (v.valid) {
                check_raw_encrypt(&v, ro.msg, ro.msg_len);
                raw_enc++;
            }
            free(ro.msg);
        }
        if (v.valid) {
            check_salted_encrypt(&v, o.msg, o.msg_len);
            salted_enc++;
        }
        free(o.msg);
        vector_free(&v);
    }
    free(file);
    printf("c2sp chunked-encryption vectors: %u (%u valid, %u invalid; %u partial-plaintext, "
           "%u bad key size); raw decryptions %u, raw re-encryptions %u, salted "
           "re-encryptions %u\n",
           total, valid, invalid, partial, keysize, raw_dec, raw_enc, salted_enc);
    assert_int_equal(total, 35);
    assert_int_equal(valid, 10);
    assert_int_equal(invalid, 25);
}

/* ---- API edge cases ------------------------------------------------------- */

static const uint8_t key32[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const uint8_t nonce12[12] = {0xaa, 0xbb};

static void test_chunk_index_limit(void **state)
{
    struct chunked *c = NULL;
    uint8_t out[CHUNK_TAG_LEN], pt[1];
    size_t n;

    (void)state;
    assert_int_equal(chunked_raw_new(key32, nonce12, &c), 0);
    assert_int_equal(chunked_encrypt_chunk(c, CHUNKED_MAX_CHUNKS - 1, pt, 0, true, out), 0);
    assert_int_equal(
        chunked_decrypt_chunk(c, CHUNKED_MAX_CHUNKS - 1, out, sizeof out, true, pt, &n), 0);
    assert_int_equal(chunked_encrypt_chunk(c, CHUNKED_MAX_CHUNKS, pt, 0, true, out),
                     GPG_ERR_TOO_LARGE);
    assert_int_equal(chunked_decrypt_chunk(c, CHUNKED_MAX_CHUNKS, out, sizeof out, true, pt, &n),
                     GPG_ERR_TOO_LARGE);
    chunked_free(c);
}

/* The nonce of chunk i is the base nonce XOR i: decrypting at another index
 * fails, and index 2^32 differs from index 0 (38-bit counter, not 32). */
static void test_chunk_index_binds(void **state)
{
    struct chunked *c = NULL;
    uint8_t out[5 + CHUNK_TAG_LEN], pt[5];
    size_t n;

    (void)state;
    assert_int_equal(chunked_raw_new(key32, nonce12, &c), 0);
    assert_int_equal(chunked_encrypt_chunk(c, 0, (const uint8_t *)"hello", 5, true, out), 0);
    assert_int_equal(chunked_decrypt_chunk(c, 1, out, sizeof out, true, pt, &n), GPG_ERR_CHECKSUM);
    assert_int_equal(n, 0);
    assert_int_equal(chunked_decrypt_chunk(c, UINT64_C(1) << 32, out, sizeof out, true, pt, &n),
                     GPG_ERR_CHECKSUM);
    assert_int_equal(chunked_decrypt_chunk(c, 0, out, sizeof out, true, pt, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(pt, "hello", 5);
    chunked_free(c);
}

static void test_chunk_lengths(void **state)
{
    struct chunked *c = NULL;
    uint8_t *in = calloc(1, CHUNK_CT_MAX + 1), *out = malloc(CHUNK_CT_MAX + 1);
    size_t n;

    (void)state;
    assert_int_equal(chunked_raw_new(key32, nonce12, &c), 0);
    /* Encrypting: inner chunks are exactly CHUNK_SIZE, the final one shorter. */
    assert_int_equal(chunked_encrypt_chunk(c, 0, in, CHUNK_SIZE - 1, false, out),
                     GPG_ERR_INV_LENGTH);
    assert_int_equal(chunked_encrypt_chunk(c, 0, in, CHUNK_SIZE, true, out), GPG_ERR_INV_LENGTH);
    assert_int_equal(chunked_encrypt_chunk(c, 0, in, CHUNK_SIZE, false, out), 0);
    /* Decrypting: an inner chunk of any other size, or a final one outside
     * [tag, CHUNK_CT_MAX), is truncation. */
    assert_int_equal(chunked_decrypt_chunk(c, 0, out, CHUNK_CT_MAX - 1, false, in, &n),
                     GPG_ERR_TRUNCATED);
    assert_int_equal(chunked_decrypt_chunk(c, 0, out, CHUNK_CT_MAX, true, in, &n),
                     GPG_ERR_TRUNCATED);
    assert_int_equal(chunked_decrypt_chunk(c, 0, out, CHUNK_TAG_LEN - 1, true, in, &n),
                     GPG_ERR_TRUNCATED);
    assert_int_equal(chunked_decrypt_chunk(c, 0, out, 0, true, in, &n), GPG_ERR_TRUNCATED);
    assert_int_equal(chunked_decrypt_chunk(c, 0, out, CHUNK_CT_MAX, false, in, &n), 0);
    assert_int_equal(n, CHUNK_SIZE);
    chunked_free(c);
    free(in);
    free(out);
}

/* A failed chunk leaves no plaintext behind in OUT. */
static void test_bad_tag_wipes_output(void **state)
{
    struct chunked *c = NULL;
    uint8_t msg[100], ct[100 + CHUNK_TAG_LEN], pt[100], zero[100] = {0};
    size_t n;

    (void)state;
    memset(msg, 'x', sizeof msg);
    assert_int_equal(chunked_raw_new(key32, nonce12, &c), 0);
    assert_int_equal(chunked_encrypt_chunk(c, 7, msg, sizeof msg, true, ct), 0);
    ct[sizeof ct - 1] ^= 1;
    memset(pt, 'y', sizeof pt);
    assert_int_equal(chunked_decrypt_chunk(c, 7, ct, sizeof ct, true, pt, &n), GPG_ERR_CHECKSUM);
    assert_memory_equal(pt, zero, sizeof pt);
    chunked_free(c);
}

static void test_clone_and_random_salt(void **state)
{
    struct chunked *a = NULL, *b = NULL, *d = NULL;
    uint8_t p1[CHUNKED_PREFIX_LEN], p2[CHUNKED_PREFIX_LEN];
    uint8_t c1[3 + CHUNK_TAG_LEN], c2[3 + CHUNK_TAG_LEN], pt[3];
    size_t n;

    (void)state;
    assert_int_equal(chunked_encrypt_new(key32, 32, (const uint8_t *)"ctx", 3, NULL, p1, &a), 0);
    assert_int_equal(chunked_encrypt_new(key32, 32, (const uint8_t *)"ctx", 3, NULL, p2, &b), 0);
    /* Random salts: two messages never share key and nonce. */
    assert_memory_not_equal(p1, p2, CHUNKED_SALT_LEN);
    chunked_free(b);
    assert_int_equal(chunked_clone(a, &b), 0);
    assert_int_equal(chunked_encrypt_chunk(a, 3, (const uint8_t *)"abc", 3, true, c1), 0);
    assert_int_equal(chunked_encrypt_chunk(b, 3, (const uint8_t *)"abc", 3, true, c2), 0);
    assert_memory_equal(c1, c2, sizeof c1);
    /* The receiving side with the same key and context opens it... */
    assert_int_equal(chunked_decrypt_new(key32, 32, (const uint8_t *)"ctx", 3, p1, &d), 0);
    assert_int_equal(chunked_decrypt_chunk(d, 3, c1, sizeof c1, true, pt, &n), 0);
    assert_memory_equal(pt, "abc", 3);
    chunked_free(d);
    /* ...and with another context the commitment check refuses it. */
    assert_int_equal(chunked_decrypt_new(key32, 32, (const uint8_t *)"ctX", 3, p1, &d),
                     GPG_ERR_CHECKSUM);
    assert_null(d);
    chunked_free(a);
    chunked_free(b);
}

static int group_setup(void **state)
{
    (void)state;
    return seal_crypto_init() == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wycheproof_vectors),   cmocka_unit_test(test_chunk_index_limit),
        cmocka_unit_test(test_chunk_index_binds),    cmocka_unit_test(test_chunk_lengths),
        cmocka_unit_test(test_bad_tag_wipes_output), cmocka_unit_test(test_clone_and_random_salt),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
