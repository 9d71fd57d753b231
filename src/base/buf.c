/* The bounded reader and the growable writer; see buf.h. */
#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

void reader_init(struct reader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = data ? len : 0;
    r->off = 0;
}

size_t reader_remaining(const struct reader *r)
{
    return r->len - r->off;
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
    gpg_err_code_t e = need(r, 1);
    if (e)
        return e;
    *v = r->data[r->off++];
    return 0;
}

gpg_err_code_t reader_get_u16(struct reader *r, uint16_t *v)
{
    *v = 0;
    gpg_err_code_t e = need(r, 2);
    if (e)
        return e;
    *v = (uint16_t)load_be(r->data + r->off, 2);
    r->off += 2;
    return 0;
}

gpg_err_code_t reader_get_u32(struct reader *r, uint32_t *v)
{
    *v = 0;
    gpg_err_code_t e = need(r, 4);
    if (e)
        return e;
    *v = (uint32_t)load_be(r->data + r->off, 4);
    r->off += 4;
    return 0;
}

gpg_err_code_t reader_get_u64(struct reader *r, uint64_t *v)
{
    *v = 0;
    gpg_err_code_t e = need(r, 8);
    if (e)
        return e;
    *v = load_be(r->data + r->off, 8);
    r->off += 8;
    return 0;
}

gpg_err_code_t reader_peek_u8(const struct reader *r, uint8_t *v)
{
    *v = 0;
    gpg_err_code_t e = need(r, 1);
    if (e)
        return e;
    *v = r->data[r->off];
    return 0;
}

gpg_err_code_t reader_get_bytes(struct reader *r, void *out, size_t n)
{
    gpg_err_code_t e = need(r, n);
    if (e) {
        if (out && n)
            memset(out, 0, n);
        return e;
    }
    if (n)
        memcpy(out, r->data + r->off, n);
    r->off += n;
    return 0;
}

gpg_err_code_t reader_get_view(struct reader *r, size_t n, const uint8_t **out)
{
    *out = NULL;
    gpg_err_code_t e = need(r, n);
    if (e)
        return e;
    *out = r->data + r->off;
    r->off += n;
    return 0;
}

gpg_err_code_t reader_skip(struct reader *r, size_t n)
{
    gpg_err_code_t e = need(r, n);
    if (e)
        return e;
    r->off += n;
    return 0;
}

gpg_err_code_t reader_get_u16_prefixed(struct reader *r, size_t min, size_t max,
                                       const uint8_t **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    gpg_err_code_t e = need(r, 2);
    if (e)
        return e;
    size_t n = (size_t)load_be(r->data + r->off, 2);
    /* The cap comes first: a hostile length is refused before anything
     * else looks at it. */
    if (n < min || n > max)
        return seal_fail(GPG_ERR_INV_LENGTH, "length %zu outside %zu..%zu", n, min, max);
    e = need(r, 2 + n);
    if (e)
        return e;
    *out = r->data + r->off + 2;
    *outlen = n;
    r->off += 2 + n;
    return 0;
}

gpg_err_code_t reader_get_sub(struct reader *r, size_t n, struct reader *sub)
{
    reader_init(sub, NULL, 0);
    gpg_err_code_t e = need(r, n);
    if (e)
        return e;
    reader_init(sub, r->data + r->off, n);
    r->off += n;
    return 0;
}

gpg_err_code_t reader_expect_end(const struct reader *r)
{
    if (reader_remaining(r))
        return seal_fail(GPG_ERR_INV_DATA, "unexpected trailing data (%zu bytes)",
                         reader_remaining(r));
    return 0;
}

void writer_init(struct writer *w, size_t max, bool secure)
{
    memset(w, 0, sizeof *w);
    w->max = max;
    w->secure = secure;
}

static void *writer_alloc(const struct writer *w, size_t n)
{
    return w->secure ? seal_secure_malloc(n) : calloc(1, n);
}

static void writer_release(const struct writer *w, void *p, size_t n)
{
    if (w->secure)
        seal_secure_free(p, n);
    else
        free(p);
}

/* Makes room for N more bytes, doubling the capacity up to the cap. */
static gpg_err_code_t grow(struct writer *w, size_t n)
{
    if (w->failed)
        return GPG_ERR_TOO_LARGE;
    if (n > w->max || w->len > w->max - n) {
        w->failed = true;
        return seal_fail(GPG_ERR_TOO_LARGE, "output exceeds %zu bytes", w->max);
    }
    if (w->len + n <= w->cap)
        return 0;
    size_t cap = w->cap ? w->cap : 64;
    while (cap < w->len + n)
        cap = cap > w->max / 2 ? w->max : cap * 2;
    /* Secure buffers are copied by hand so the old one can be wiped. */
    uint8_t *p = writer_alloc(w, cap);
    if (!p) {
        w->failed = true;
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    }
    if (w->len)
        memcpy(p, w->data, w->len);
    writer_release(w, w->data, w->cap);
    w->data = p;
    w->cap = cap;
    return 0;
}

uint8_t *writer_reserve(struct writer *w, size_t n)
{
    if (grow(w, n))
        return NULL;
    uint8_t *p = w->data + w->len;
    memset(p, 0, n);
    w->len += n;
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
    return w->failed ? GPG_ERR_TOO_LARGE : 0;
}

void writer_free(struct writer *w)
{
    writer_release(w, w->data, w->cap);
    w->data = NULL;
    w->len = w->cap = 0;
    w->failed = false;
}

uint8_t *writer_steal(struct writer *w, size_t *len)
{
    uint8_t *p = w->data;
    *len = w->len;
    w->data = NULL;
    w->len = w->cap = 0;
    return p;
}
