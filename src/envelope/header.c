/* The envelope header codec; see header.h and man/seal.5. */
#include "envelope/header.h"

#include <string.h>

const uint8_t envelope_magic[ENVELOPE_MAGIC_LEN] = {0x89, 'S', 'E', 'A', 'L', '\r', '\n', 0x1a};

gpg_err_code_t envelope_header_parse(const uint8_t *data, size_t len, struct envelope_header *h,
                                     size_t *need)
{
    struct reader r;
    uint8_t version;
    uint16_t count, wrapped_len;
    gpg_err_code_t err;

    memset(h, 0, sizeof *h);
    *need = 0;
    reader_init(&r, data, len);

    /* Each field is first asked for with reader_want, which reports running
     * out of input as "read more" (no detail); the getter after it cannot
     * fail. */

    /* R1: judge the magic on whatever prefix is there, so that a short
     * non-envelope is "not an envelope" rather than "truncated". */
    size_t have = len < ENVELOPE_MAGIC_LEN ? len : ENVELOPE_MAGIC_LEN;
    if (memcmp(data, envelope_magic, have) != 0)
        return seal_fail(GPG_ERR_INV_DATA, "not a sealed envelope (bad magic)");
    if ((err = reader_want(&r, ENVELOPE_MAGIC_LEN, need)) ||
        (err = reader_skip(&r, ENVELOPE_MAGIC_LEN)))
        return err;

    /* R2: the version decides how everything after it is read. */
    if ((err = reader_want(&r, 1, need)) || (err = reader_get_u8(&r, &version)))
        return err;
    h->version = version;
    if (h->version != ENVELOPE_VERSION)
        return seal_fail(GPG_ERR_UNKNOWN_VERSION, "unsupported envelope version %u", h->version);

    /* R3, before anything is sized by the count. */
    if ((err = reader_want(&r, 2, need)) || (err = reader_get_u16(&r, &count)))
        return err;
    size_t n = count;
    if (n == 0)
        return seal_fail(GPG_ERR_INV_DATA, "envelope has no recipients");
    if (n > SEAL_MAX_RECIPIENTS)
        return seal_fail(GPG_ERR_TOO_LARGE, "envelope has %zu recipients (at most %d)", n,
                         SEAL_MAX_RECIPIENTS);

    for (size_t i = 0; i < n; i++) {
        struct envelope_stanza *s = &h->stanza[i];
        if ((err = reader_want(&r, SEAL_FPR_LEN, need)) ||
            (err = reader_get_view(&r, SEAL_FPR_LEN, &s->fpr)))
            return err;
        /* R4, before the wrapped key is read. */
        if ((err = reader_want(&r, 2, need)) || (err = reader_get_u16(&r, &wrapped_len)))
            return err;
        size_t w = wrapped_len;
        if (w < SEAL_RSA_MIN_LEN || w > SEAL_RSA_MAX_LEN)
            return seal_fail(GPG_ERR_INV_LENGTH,
                             "recipient %zu: wrapped key length %zu out of range %d..%d", i + 1, w,
                             SEAL_RSA_MIN_LEN, SEAL_RSA_MAX_LEN);
        if ((err = reader_want(&r, w, need)) || (err = reader_get_view(&r, w, &s->wrapped)))
            return err;
        s->wrapped_len = w;
        /* R5: one stanza per key, so "the stanza for this key" is unique. */
        for (size_t j = 0; j < i; j++)
            if (memcmp(h->stanza[j].fpr, s->fpr, SEAL_FPR_LEN) == 0)
                return seal_fail(GPG_ERR_INV_DATA, "recipients %zu and %zu are the same key", j + 1,
                                 i + 1);
        h->n = i + 1;
    }
    h->len = reader_offset(&r);
    return 0;
}

gpg_err_code_t source_read_full(const struct byte_source *src, uint8_t *buf, size_t n, size_t *got)
{
    size_t off = 0;
    *got = 0;
    while (off < n) {
        size_t k = 0;
        gpg_err_code_t err = src->read(src->ctx, buf + off, n - off, &k);
        if (err)
            return err;
        if (k == 0)
            break;
        if (k > n - off)
            return seal_fail(GPG_ERR_BUG, "byte source returned more than asked");
        off += k;
    }
    *got = off;
    return 0;
}

gpg_err_code_t envelope_header_read(const struct byte_source *src, uint8_t *buf,
                                    struct envelope_header *h)
{
    size_t have = 0, need = ENVELOPE_FIXED_LEN;
    for (;;) {
        gpg_err_code_t err = envelope_header_parse(buf, have, h, &need);
        if (err != GPG_ERR_TRUNCATED || need == 0)
            return err;
        /* The parser never asks for more than the cap (R3, R4). */
        if (need > ENVELOPE_HEADER_MAX || need <= have)
            return seal_fail(GPG_ERR_BUG, "header parser asked for %zu bytes", need);
        size_t got;
        if ((err = source_read_full(src, buf + have, need - have, &got)))
            return err;
        have += got;
        /* Nothing at all (a sender that never connected, an empty file) is
         * not an envelope, and no sign of tampering: R1, not R6. */
        if (have == 0)
            return seal_fail(GPG_ERR_INV_DATA, "empty input, not a sealed envelope");
        if (have < need) {
            /* One last parse so a short non-envelope is called that. */
            err = envelope_header_parse(buf, have, h, &need);
            if (err != GPG_ERR_TRUNCATED)
                return err;
            return seal_fail(GPG_ERR_TRUNCATED,
                             "envelope ends inside the header (after %zu byte%s)", have,
                             have == 1 ? "" : "s");
        }
    }
}

int envelope_header_find(const struct envelope_header *h, const uint8_t fpr[SEAL_FPR_LEN])
{
    for (size_t i = 0; i < h->n; i++)
        if (memcmp(h->stanza[i].fpr, fpr, SEAL_FPR_LEN) == 0)
            return (int)i;
    return -1;
}

gpg_err_code_t envelope_header_encode(const struct envelope_header *h, struct writer *w)
{
    if (h->version != ENVELOPE_VERSION)
        return seal_fail(GPG_ERR_INV_VALUE, "cannot write envelope version %u", h->version);
    if (h->n == 0 || h->n > SEAL_MAX_RECIPIENTS)
        return seal_fail(GPG_ERR_INV_VALUE, "%zu recipients (need 1..%d)", h->n,
                         SEAL_MAX_RECIPIENTS);
    for (size_t i = 0; i < h->n; i++) {
        size_t wl = h->stanza[i].wrapped_len;
        if (wl < SEAL_RSA_MIN_LEN || wl > SEAL_RSA_MAX_LEN)
            return seal_fail(GPG_ERR_INV_VALUE, "recipient %zu: key of unsupported size", i + 1);
    }
    writer_put_bytes(w, envelope_magic, ENVELOPE_MAGIC_LEN);
    writer_put_u8(w, (uint8_t)h->version);
    writer_put_u16(w, (uint16_t)h->n);
    for (size_t i = 0; i < h->n; i++) {
        writer_put_bytes(w, h->stanza[i].fpr, SEAL_FPR_LEN);
        writer_put_u16(w, (uint16_t)h->stanza[i].wrapped_len);
        writer_put_bytes(w, h->stanza[i].wrapped, h->stanza[i].wrapped_len);
    }
    return writer_status(w);
}
