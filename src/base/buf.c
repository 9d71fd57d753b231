/* The bounded reader and the growable writer; see buf.h. */
#include "base/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

void reader_init(struct reader *r, const void *data, size_t len)
{
    r->priv.data = data;
    r->priv.len = data ? len : 0;
    r->priv.off = 0;
}

size_t reader_remaining(const struct reader *r)
{
    return r->priv.len - r->priv.off;
}

size_t reader_offset(const struct reader *r)
{
    return r->priv.off;
}

gpg_err_code_t reader_want(const struct reader *r, size_t n, size_t *need)
{
    if (n <= reader_remaining(r))
        return 0;
    *need = r->priv.off + n;
    return GPG_ERR_TRUNCATED;
}

/* The one length check every getter goes through. */
static gpg_err_code_t need(const struct reader *r, size_t n)
{
    if (n > reader_remaining(r))
        return seal_fail(GPG_ERR_TRUNCATED, "input ends early: %zu bytes needed, %zu left", n,
                         reader_remaining(r));
    return 0;
}

static uint64_t load_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

gpg_err_code_t reader_get_u8(struct reader *r, uint8_t *v)
{
    *v = 0;
    gpg_err_code_t err = need(r, 1);
    if (err)
        return err;
    *v = r->priv.data[r->priv.off++];
    return 0;
}

gpg_err_code_t reader_get_u16(struct reader *r, uint16_t *v)
{
    *v = 0;
    gpg_err_code_t err = need(r, 2);
    if (err)
        return err;
    *v = (uint16_t)load_be(r->priv.data + r->priv.off, 2);
    r->priv.off += 2;
    return 0;
}

gpg_err_code_t reader_get_u32(struct reader *r, uint32_t *v)
{
    *v = 0;
    gpg_err_code_t err = need(r, 4);
    if (err)
        return err;
    *v = (uint32_t)load_be(r->priv.data + r->priv.off, 4);
    r->priv.off += 4;
    return 0;
}

gpg_err_code_t reader_get_u64(struct reader *r, uint64_t *v)
{
    *v = 0;
    gpg_err_code_t err = need(r, 8);
    if (err)
        return err;
    *v = load_be(r->priv.data + r->priv.off, 8);
    r->priv.off += 8;
    return 0;
}

gpg_err_code_t reader_peek_u8(const struct reader *r, uint8_t *v)
{
    *v = 0;
    gpg_err_code_t err = need(r, 1);
    if (err)
        return err;
    *v = r->priv.data[r->priv.off];
    return 0;
}

gpg_err_code_t reader_get_bytes(struct reader *r, void *out, size_t n)
{
    gpg_err_code_t err = need(r, n);
    if (err) {
        if (out && n)
            memset(out, 0, n);
        return err;
    }
    if (n)
        memcpy(out, r->priv.data + r->priv.off, n);
    r->priv.off += n;
    return 0;
}

gpg_err_code_t reader_get_view(struct reader *r, size_t n, const uint8_t **out)
{
    *out = NULL;
    gpg_err_code_t err = need(r, n);
    if (err)
        return err;
    *out = r->priv.data + r->priv.off;
    r->priv.off += n;
    return 0;
}

gpg_err_code_t reader_skip(struct reader *r, size_t n)
{
    gpg_err_code_t err = need(r, n);
    if (err)
        return err;
    r->priv.off += n;
    return 0;
}

gpg_err_code_t reader_get_u16_prefixed(struct reader *r, size_t min, size_t max,
                                       const uint8_t **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    gpg_err_code_t err = need(r, 2);
    if (err)
        return err;
    size_t n = (size_t)load_be(r->priv.data + r->priv.off, 2);
    /* The cap comes first: a hostile length is refused before anything
     * else looks at it. */
    if (n < min || n > max)
        return seal_fail(GPG_ERR_INV_LENGTH, "length %zu outside %zu..%zu", n, min, max);
    err = need(r, 2 + n);
    if (err)
        return err;
    *out = r->priv.data + r->priv.off + 2;
    *outlen = n;
    r->priv.off += 2 + n;
    return 0;
}

gpg_err_code_t reader_get_sub(struct reader *r, size_t n, struct reader *sub)
{
    reader_init(sub, NULL, 0);
    gpg_err_code_t err = need(r, n);
    if (err)
        return err;
    reader_init(sub, r->priv.data + r->priv.off, n);
    r->priv.off += n;
    return 0;
}

gpg_err_code_t reader_expect_end(const struct reader *r)
{
    if (reader_remaining(r))
        return seal_fail(GPG_ERR_INV_DATA, "unexpected trailing data (%zu bytes)",
                         reader_remaining(r));
    return 0;
}

static gpg_err_code_t reader_source_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    struct reader *r = ctx;
    size_t n = reader_remaining(r) < cap ? reader_remaining(r) : cap;
    gpg_err_code_t err = reader_get_bytes(r, buf, n);
    *got = err ? 0 : n;
    return err;
}

struct byte_source reader_source(struct reader *r)
{
    return (struct byte_source){reader_source_read, r};
}

void writer_init(struct writer *w, size_t max, bool secure)
{
    memset(w, 0, sizeof *w);
    w->priv.max = max;
    w->priv.secure = secure;
}

void writer_init_buffer(struct writer *w, void *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->priv.data = buf;
    w->priv.cap = w->priv.max = cap;
    w->priv.fixed = true;
}

uint8_t *writer_data(const struct writer *w)
{
    return w->priv.data;
}

size_t writer_len(const struct writer *w)
{
    return w->priv.len;
}

static void *writer_alloc(const struct writer *w, size_t n)
{
    return w->priv.secure ? seal_secure_malloc(n) : calloc(1, n);
}

static void writer_release(const struct writer *w, void *p, size_t n)
{
    if (w->priv.secure)
        seal_secure_free(p, n);
    else
        free(p);
}

/* Makes room for N more bytes, doubling the capacity up to the cap. */
static gpg_err_code_t grow(struct writer *w, size_t n)
{
    if (w->priv.failed)
        return GPG_ERR_TOO_LARGE;
    if (n > w->priv.max || w->priv.len > w->priv.max - n) {
        w->priv.failed = true;
        return seal_fail(GPG_ERR_TOO_LARGE, "output exceeds %zu bytes", w->priv.max);
    }
    if (w->priv.len + n <= w->priv.cap)
        return 0;
    size_t cap = w->priv.cap ? w->priv.cap : 64;
    while (cap < w->priv.len + n)
        cap = cap > w->priv.max / 2 ? w->priv.max : cap * 2;
    /* Secure buffers are copied by hand so the old one can be wiped. */
    uint8_t *p = writer_alloc(w, cap);
    if (!p) {
        w->priv.failed = true;
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    }
    if (w->priv.len)
        memcpy(p, w->priv.data, w->priv.len);
    writer_release(w, w->priv.data, w->priv.cap);
    w->priv.data = p;
    w->priv.cap = cap;
    return 0;
}

uint8_t *writer_reserve(struct writer *w, size_t n)
{
    if (grow(w, n))
        return NULL;
    uint8_t *p = w->priv.data + w->priv.len;
    memset(p, 0, n);
    w->priv.len += n;
    return p;
}

gpg_err_code_t writer_put_bytes(struct writer *w, const void *p, size_t n)
{
    uint8_t *dst = writer_reserve(w, n);
    if (!dst)
        return GPG_ERR_TOO_LARGE;
    if (n)
        memcpy(dst, p, n);
    return 0;
}

static gpg_err_code_t put_be(struct writer *w, uint64_t v, size_t n)
{
    uint8_t b[8];
    for (size_t i = 0; i < n; i++)
        b[n - 1 - i] = (uint8_t)(v >> (8 * i));
    return writer_put_bytes(w, b, n);
}

gpg_err_code_t writer_put_u8(struct writer *w, uint8_t v)
{
    return put_be(w, v, 1);
}

gpg_err_code_t writer_put_u16(struct writer *w, uint16_t v)
{
    return put_be(w, v, 2);
}

gpg_err_code_t writer_put_u32(struct writer *w, uint32_t v)
{
    return put_be(w, v, 4);
}

gpg_err_code_t writer_put_u64(struct writer *w, uint64_t v)
{
    return put_be(w, v, 8);
}

gpg_err_code_t writer_status(const struct writer *w)
{
    return w->priv.failed ? GPG_ERR_TOO_LARGE : 0;
}

void writer_free(struct writer *w)
{
    if (!w->priv.fixed)
        writer_release(w, w->priv.data, w->priv.cap);
    w->priv.data = NULL;
    w->priv.len = w->priv.cap = 0;
    w->priv.failed = false;
    w->priv.fixed = false;
}

uint8_t *writer_steal(struct writer *w, size_t *len)
{
    uint8_t *p = w->priv.data;
    *len = w->priv.len;
    w->priv.data = NULL;
    w->priv.len = w->priv.cap = 0;
    return p;
}

static gpg_err_code_t writer_sink_write(void *ctx, const uint8_t *buf, size_t n)
{
    return writer_put_bytes(ctx, buf, n);
}

struct byte_sink writer_sink(struct writer *w)
{
    return (struct byte_sink){writer_sink_write, w};
}

void *buf_alloc_aligned(size_t n)
{
    if (n > SIZE_MAX - SEAL_BUF_ALIGN)
        return NULL;
    size_t r = n ? (n + SEAL_BUF_ALIGN - 1) / SEAL_BUF_ALIGN * SEAL_BUF_ALIGN : SEAL_BUF_ALIGN;
    return aligned_alloc(SEAL_BUF_ALIGN, r);
}
