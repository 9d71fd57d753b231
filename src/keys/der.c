/*
 * Strict DER. Each getter works on a copy of the reader and commits it only
 * on success, so a failed call consumes nothing.
 */
#include "keys/der.h"

#include <string.h>

#define DER_MAX_OID 32

/* The reader records a detail for every failed get; we check what remains
 * first so that the detail names the DER fault instead. */
gpg_err_code_t der_peek_tag(const struct reader *r, uint8_t *tag)
{
    *tag = 0;
    if (reader_remaining(r) == 0 || reader_peek_u8(r, tag) != 0)
        return GPG_ERR_EOF;
    return 0;
}

gpg_err_code_t der_get_header(struct reader *r, uint8_t *tag, size_t *len)
{
    struct reader t = *r;
    uint8_t first, nbytes, b;
    size_t n = 0;
    unsigned i;

    *tag = 0;
    *len = 0;
    if (reader_remaining(&t) < 1 || reader_get_u8(&t, &first) != 0)
        return seal_fail(GPG_ERR_TRUNCATED, "DER: element missing");
    /* We only ever need universal tags below 31 and [0], [1]: the
     * multi-byte tag form has no place in a key file. */
    if ((first & 0x1f) == 0x1f)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: multi-byte tag");
    if (reader_remaining(&t) < 1 || reader_get_u8(&t, &b) != 0)
        return seal_fail(GPG_ERR_TRUNCATED, "DER: length missing");
    if (b < 0x80) {
        n = b;
    } else if (b == 0x80) {
        return seal_fail(GPG_ERR_INV_OBJ, "DER: indefinite length");
    } else {
        nbytes = b & 0x7f;
        /* 4 length bytes already exceed KEY_FILE_MAX by far; more is absurd
         * and could overflow size_t on small machines. */
        if (nbytes > 4)
            return seal_fail(GPG_ERR_INV_OBJ, "DER: length overlong");
        for (i = 0; i < nbytes; i++) {
            if (reader_remaining(&t) < 1 || reader_get_u8(&t, &b) != 0)
                return seal_fail(GPG_ERR_TRUNCATED, "DER: length truncated");
            if (i == 0 && b == 0)
                return seal_fail(GPG_ERR_INV_OBJ, "DER: length not minimal");
            n = n << 8 | b;
        }
        if (n < 0x80)
            return seal_fail(GPG_ERR_INV_OBJ, "DER: length not minimal");
        if (n > KEY_FILE_MAX)
            return seal_fail(GPG_ERR_INV_OBJ, "DER: length too large");
    }
    if (n > reader_remaining(&t))
        return seal_fail(GPG_ERR_TRUNCATED, "DER: length past end of data");
    *r = t;
    *tag = first;
    *len = n;
    return 0;
}

static const char *der_tag_name(uint8_t tag)
{
    switch (tag) {
    case DER_INTEGER:
        return "INTEGER";
    case DER_BIT_STRING:
        return "BIT STRING";
    case DER_OCTET_STRING:
        return "OCTET STRING";
    case DER_NULL:
        return "NULL";
    case DER_OID:
        return "OBJECT IDENTIFIER";
    case DER_SEQUENCE:
        return "SEQUENCE";
    default:
        return "element";
    }
}

gpg_err_code_t der_get_element(struct reader *r, uint8_t tag, struct reader *content)
{
    struct reader t = *r;
    uint8_t got;
    size_t len;
    gpg_err_code_t err;

    reader_init(content, NULL, 0);
    if (reader_remaining(&t) == 0)
        return seal_fail(GPG_ERR_TRUNCATED, "DER: %s missing", der_tag_name(tag));
    if ((err = der_get_header(&t, &got, &len)) != 0)
        return err;
    if (got != tag)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: expected %s, found tag 0x%02x", der_tag_name(tag),
                         got);
    if (reader_get_sub(&t, len, content) != 0)
        return seal_fail(GPG_ERR_TRUNCATED, "DER: length past end of data");
    *r = t;
    return 0;
}

gpg_err_code_t der_get_sequence(struct reader *r, struct reader *content)
{
    return der_get_element(r, DER_SEQUENCE, content);
}

gpg_err_code_t der_get_integer(struct reader *r, size_t maxlen, const uint8_t **mag, size_t *len)
{
    struct reader t = *r, c;
    const uint8_t *p;
    size_t n;
    gpg_err_code_t err;

    *mag = NULL;
    *len = 0;
    if ((err = der_get_element(&t, DER_INTEGER, &c)) != 0)
        return err;
    n = reader_remaining(&c);
    if (n == 0)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: empty INTEGER");
    if (reader_get_view(&c, n, &p) != 0)
        return seal_fail(GPG_ERR_INTERNAL, "DER: reader failure");
    if (p[0] & 0x80)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: negative INTEGER");
    if (n > 1 && p[0] == 0 && !(p[1] & 0x80))
        return seal_fail(GPG_ERR_INV_OBJ, "DER: INTEGER not minimal");
    /* Drop the sign byte: callers want the magnitude. */
    if (n > 1 && p[0] == 0) {
        p++;
        n--;
    }
    if (n > maxlen)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: INTEGER too large");
    *r = t;
    *mag = p;
    *len = n;
    return 0;
}

gpg_err_code_t der_get_uint(struct reader *r, uint64_t max, const char *what, uint64_t *v)
{
    struct reader t = *r;
    const uint8_t *p;
    size_t n, i;
    uint64_t x = 0;
    gpg_err_code_t err;

    *v = 0;
    if ((err = der_get_integer(&t, 9, &p, &n)) != 0)
        return err;
    if (n > 8)
        return seal_fail(GPG_ERR_INV_OBJ, "%s out of range", what);
    for (i = 0; i < n; i++)
        x = x << 8 | p[i];
    if (x > max)
        return seal_fail(GPG_ERR_INV_OBJ, "%s out of range", what);
    *r = t;
    *v = x;
    return 0;
}

gpg_err_code_t der_get_null(struct reader *r)
{
    struct reader t = *r, c;
    gpg_err_code_t err;

    if ((err = der_get_element(&t, DER_NULL, &c)) != 0)
        return err;
    if (reader_remaining(&c) != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: NULL with content");
    *r = t;
    return 0;
}

gpg_err_code_t der_get_oid(struct reader *r, const uint8_t **oid, size_t *len)
{
    struct reader t = *r, c;
    const uint8_t *p;
    size_t n, i;
    gpg_err_code_t err;

    *oid = NULL;
    *len = 0;
    if ((err = der_get_element(&t, DER_OID, &c)) != 0)
        return err;
    n = reader_remaining(&c);
    if (n == 0 || n > DER_MAX_OID)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: bad OBJECT IDENTIFIER length");
    if (reader_get_view(&c, n, &p) != 0)
        return seal_fail(GPG_ERR_INTERNAL, "DER: reader failure");
    /* Each subidentifier is base-128, minimal (no leading 0x80), and the
     * last octet ends one. */
    if (p[n - 1] & 0x80)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: OBJECT IDENTIFIER truncated");
    for (i = 0; i < n; i++) {
        if (p[i] == 0x80 && (i == 0 || !(p[i - 1] & 0x80)))
            return seal_fail(GPG_ERR_INV_OBJ, "DER: OBJECT IDENTIFIER not minimal");
    }
    *r = t;
    *oid = p;
    *len = n;
    return 0;
}

bool der_oid_equal(const uint8_t *oid, size_t len, const uint8_t *want, size_t wantlen)
{
    return len == wantlen && memcmp(oid, want, len) == 0;
}

gpg_err_code_t der_get_octet_string(struct reader *r, size_t min, size_t max, const uint8_t **p,
                                    size_t *len)
{
    struct reader t = *r, c;
    size_t n;
    gpg_err_code_t err;

    *p = NULL;
    *len = 0;
    if ((err = der_get_element(&t, DER_OCTET_STRING, &c)) != 0)
        return err;
    n = reader_remaining(&c);
    if (n < min || n > max)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: OCTET STRING length %zu outside %zu..%zu", n, min,
                         max);
    if (reader_get_view(&c, n, p) != 0)
        return seal_fail(GPG_ERR_INTERNAL, "DER: reader failure");
    *r = t;
    *len = n;
    return 0;
}

gpg_err_code_t der_get_bit_string(struct reader *r, const uint8_t **p, size_t *len)
{
    struct reader t = *r, c;
    uint8_t unused;
    size_t n;
    gpg_err_code_t err;

    *p = NULL;
    *len = 0;
    if ((err = der_get_element(&t, DER_BIT_STRING, &c)) != 0)
        return err;
    if (reader_remaining(&c) < 1 || reader_get_u8(&c, &unused) != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: empty BIT STRING");
    if (unused != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: BIT STRING with unused bits");
    n = reader_remaining(&c);
    if (reader_get_view(&c, n, p) != 0)
        return seal_fail(GPG_ERR_INTERNAL, "DER: reader failure");
    *r = t;
    *len = n;
    return 0;
}

static gpg_err_code_t der_skip_depth(struct reader *r, unsigned depth)
{
    struct reader t = *r, c;
    uint8_t tag;
    size_t len;
    gpg_err_code_t err;

    if (depth > DER_MAX_DEPTH)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: nesting too deep");
    if ((err = der_get_header(&t, &tag, &len)) != 0)
        return err;
    if (reader_get_sub(&t, len, &c) != 0)
        return seal_fail(GPG_ERR_TRUNCATED, "DER: length past end of data");
    if (tag & 0x20) {
        while (reader_remaining(&c) > 0) {
            if ((err = der_skip_depth(&c, depth + 1)) != 0)
                return err;
        }
    }
    *r = t;
    return 0;
}

gpg_err_code_t der_skip_element(struct reader *r)
{
    return der_skip_depth(r, 1);
}

gpg_err_code_t der_expect_end(const struct reader *r, const char *what)
{
    if (reader_remaining(r) != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "trailing data after %s", what);
    return 0;
}

/* ---- writing ------------------------------------------------------------ */

static gpg_err_code_t der_put_header(struct writer *w, uint8_t tag, size_t len)
{
    writer_put_u8(w, tag);
    if (len < 0x80) {
        writer_put_u8(w, (uint8_t)len);
    } else if (len <= 0xff) {
        writer_put_u8(w, 0x81);
        writer_put_u8(w, (uint8_t)len);
    } else if (len <= 0xffff) {
        writer_put_u8(w, 0x82);
        writer_put_u16(w, (uint16_t)len);
    } else if (len <= 0xffffff) {
        writer_put_u8(w, 0x83);
        writer_put_u8(w, (uint8_t)(len >> 16));
        writer_put_u16(w, (uint16_t)len);
    } else {
        return seal_fail(GPG_ERR_TOO_LARGE, "DER: element too large to encode");
    }
    return writer_status(w);
}

gpg_err_code_t der_put_tlv(struct writer *w, uint8_t tag, const void *content, size_t len)
{
    gpg_err_code_t err;

    if ((err = der_put_header(w, tag, len)) != 0)
        return err;
    if (len > 0)
        writer_put_bytes(w, content, len);
    return writer_status(w);
}

gpg_err_code_t der_put_wrapped(struct writer *w, uint8_t tag, const struct writer *inner)
{
    gpg_err_code_t err;

    if ((err = writer_status(inner)) != 0)
        return err;
    return der_put_tlv(w, tag, writer_data(inner), writer_len(inner));
}

gpg_err_code_t der_put_integer(struct writer *w, const uint8_t *mag, size_t len)
{
    static const uint8_t zero = 0;
    bool sign;
    gpg_err_code_t err;

    while (len > 0 && mag[0] == 0) {
        mag++;
        len--;
    }
    if (len == 0)
        return der_put_tlv(w, DER_INTEGER, &zero, 1);
    /* Straight into the writer: a secret integer is never copied into a
     * temporary buffer. */
    sign = (mag[0] & 0x80) != 0;
    if ((err = der_put_header(w, DER_INTEGER, len + sign)) != 0)
        return err;
    if (sign)
        writer_put_u8(w, 0);
    writer_put_bytes(w, mag, len);
    return writer_status(w);
}

gpg_err_code_t der_put_uint(struct writer *w, uint64_t v)
{
    uint8_t be[8];
    int i;

    for (i = 7; i >= 0; i--) {
        be[i] = (uint8_t)v;
        v >>= 8;
    }
    return der_put_integer(w, be, sizeof be);
}

gpg_err_code_t der_put_null(struct writer *w)
{
    return der_put_tlv(w, DER_NULL, NULL, 0);
}

gpg_err_code_t der_put_oid(struct writer *w, const uint8_t *oid, size_t len)
{
    return der_put_tlv(w, DER_OID, oid, len);
}
