/*
 * ASCII armor (see armor.h for the format and the decoder's rules).
 *
 * Why not libgpg-error's gpgrt_b64enc_* / gpgrt_b64dec_*: the decoder skips
 * characters outside the alphabet, ignores whatever follows '=' on a line,
 * accepts missing padding and non-zero unused bits, and knows nothing of line
 * lengths or of text after the END line, so it cannot enforce "one valid
 * encoding, nothing else". The encoder writes to a gpgrt stream one byte at a
 * time. And why not src/base64.c: it is constant-time (branch-free, no
 * tables) because it handles private keys, which costs speed we need here:
 * armor carries only ciphertext, which is public, so table lookups indexed by
 * the data are fine and a 1 GiB envelope goes through at memory speed.
 *
 * Both directions work a line at a time on buffers of 64 KiB, never a byte
 * at a time through callbacks, and use constant memory.
 */
#include "envelope/armor.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "envelope/pipeline.h"

#define LINE_BYTES (ARMOR_LINE_CHARS / 4 * 3) /* binary bytes per full line: 48 */
#define BUF_SIZE 65536

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- encoder ------------------------------------------------------------ */

struct armor_encoder {
    struct byte_sink sink;
    gpg_err_code_t err; /* sticky: the sink failed */
    bool started, finished;
    uint8_t pending[LINE_BYTES]; /* bytes of a line not yet complete */
    size_t npending;
    size_t nout;
    _Alignas(64) uint8_t out[BUF_SIZE]; /* written out: see SEAL_BUF_ALIGN */
    char pair[4096][2];                 /* 12 bits -> two base64 characters */
};

gpg_err_code_t armor_encoder_new(struct byte_sink sink, struct armor_encoder **out)
{
    struct armor_encoder *e;

    *out = NULL;
    if ((e = buf_alloc_aligned(sizeof *e)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    memset(e, 0, sizeof *e);
    e->sink = sink;
    for (unsigned i = 0; i < 4096; i++) {
        e->pair[i][0] = b64_alphabet[i >> 6];
        e->pair[i][1] = b64_alphabet[i & 63];
    }
    *out = e;
    return 0;
}

static gpg_err_code_t enc_flush(struct armor_encoder *e)
{
    gpg_err_code_t err;

    if (e->nout > 0) {
        if ((err = e->sink.write(e->sink.ctx, e->out, e->nout)) != 0)
            return e->err = err;
        e->nout = 0;
    }
    return 0;
}

/* Makes room for N more output bytes (N <= BUF_SIZE). */
static gpg_err_code_t enc_room(struct armor_encoder *e, size_t n)
{
    return e->nout + n > BUF_SIZE ? enc_flush(e) : 0;
}

static gpg_err_code_t enc_text(struct armor_encoder *e, const char *s)
{
    size_t n = strlen(s);
    gpg_err_code_t err;

    if ((err = enc_room(e, n + 1)) != 0)
        return err;
    memcpy(e->out + e->nout, s, n);
    e->out[e->nout + n] = '\n';
    e->nout += n + 1;
    return 0;
}

/* Encodes LEN (<= LINE_BYTES) bytes as one line with padding, plus LF. The
 * caller made room for ARMOR_LINE_CHARS + 1 bytes. */
static void enc_line(struct armor_encoder *e, const uint8_t *in, size_t len)
{
    uint8_t *o = e->out + e->nout;
    size_t i;

    for (i = 0; i + 3 <= len; i += 3, o += 4) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        memcpy(o, e->pair[v >> 12], 2);
        memcpy(o + 2, e->pair[v & 0xfff], 2);
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 4;
        memcpy(o, e->pair[v], 2);
        memcpy(o + 2, "==", 2);
        o += 4;
    } else if (len - i == 2) {
        uint32_t v = ((uint32_t)in[i] << 8 | in[i + 1]) << 2;
        memcpy(o, e->pair[v >> 6], 2);
        o[2] = (uint8_t)b64_alphabet[v & 63];
        o[3] = '=';
        o += 4;
    }
    *o++ = '\n';
    e->nout = (size_t)(o - e->out);
}

static gpg_err_code_t enc_start(struct armor_encoder *e)
{
    if (e->finished)
        return seal_fail(GPG_ERR_INV_STATE, "armor encoder already finished");
    if (e->err != 0)
        return e->err;
    if (!e->started) {
        e->started = true;
        return enc_text(e, ARMOR_BEGIN);
    }
    return 0;
}

gpg_err_code_t armor_encoder_write(struct armor_encoder *e, const uint8_t *buf, size_t n)
{
    gpg_err_code_t err;

    if ((err = enc_start(e)) != 0)
        return err;
    if (e->npending > 0) {
        size_t take = LINE_BYTES - e->npending < n ? LINE_BYTES - e->npending : n;
        memcpy(e->pending + e->npending, buf, take);
        e->npending += take;
        buf += take;
        n -= take;
        if (e->npending < LINE_BYTES)
            return 0;
        if ((err = enc_room(e, ARMOR_LINE_CHARS + 1)) != 0)
            return err;
        enc_line(e, e->pending, LINE_BYTES);
        e->npending = 0;
    }
    for (; n >= LINE_BYTES; buf += LINE_BYTES, n -= LINE_BYTES) {
        if ((err = enc_room(e, ARMOR_LINE_CHARS + 1)) != 0)
            return err;
        enc_line(e, buf, LINE_BYTES);
    }
    if (n > 0) /* BUF may be NULL when N is 0: memcpy from NULL is undefined */
        memcpy(e->pending, buf, n);
    e->npending = n;
    return 0;
}

gpg_err_code_t armor_encoder_finish(struct armor_encoder *e)
{
    gpg_err_code_t err;

    if ((err = enc_start(e)) != 0)
        return err;
    if (e->npending > 0) {
        if ((err = enc_room(e, ARMOR_LINE_CHARS + 1)) != 0)
            return err;
        enc_line(e, e->pending, e->npending);
        e->npending = 0;
    }
    if ((err = enc_text(e, ARMOR_END)) != 0 || (err = enc_flush(e)) != 0)
        return err;
    e->finished = true;
    return 0;
}

static gpg_err_code_t enc_sink_write(void *ctx, const uint8_t *buf, size_t n)
{
    return armor_encoder_write(ctx, buf, n);
}

struct byte_sink armor_encoder_sink(struct armor_encoder *e)
{
    struct byte_sink s = {enc_sink_write, e};
    return s;
}

void armor_encoder_free(struct armor_encoder *e)
{
    free(e);
}

/* ---- decoder ------------------------------------------------------------ */

enum dec_state { DEC_BEFORE, DEC_BODY, DEC_AFTER, DEC_DONE };

#define V_PAD 0x40     /* '=' in the decoding table */
#define V_INVALID 0x80 /* anything else outside the alphabet */

struct armor_decoder {
    struct byte_source inner;
    gpg_err_code_t err; /* sticky */
    enum dec_state state;
    bool last_seen; /* a short or padded body line was read: only END may follow */
    bool inner_eof;
    unsigned long long line; /* number of the last line read, for details */
    uint8_t value[256];
    uint8_t pending[LINE_BYTES]; /* decoded bytes the caller had no room for */
    size_t pend_off, pend_len;
    size_t start, end;                 /* unread text is in[start..end) */
    _Alignas(64) uint8_t in[BUF_SIZE]; /* read into: see SEAL_BUF_ALIGN */
};

gpg_err_code_t armor_decoder_new(struct byte_source inner, const uint8_t *prefix, size_t prefixlen,
                                 struct armor_decoder **out)
{
    struct armor_decoder *d;

    *out = NULL;
    if (prefixlen > ARMOR_MAX_PREFIX)
        return seal_fail(GPG_ERR_TOO_LARGE, "armor prefix of %zu bytes", prefixlen);
    if ((d = buf_alloc_aligned(sizeof *d)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    memset(d, 0, sizeof *d);
    d->inner = inner;
    memset(d->value, V_INVALID, sizeof d->value);
    for (unsigned i = 0; i < 64; i++)
        d->value[(uint8_t)b64_alphabet[i]] = (uint8_t)i;
    d->value['='] = V_PAD;
    if (prefixlen > 0)
        memcpy(d->in, prefix, prefixlen);
    d->end = prefixlen;
    *out = d;
    return 0;
}

/* Records a format error (sticky) with the line number. */
static gpg_err_code_t dec_error(struct armor_decoder *d, const char *what)
{
    d->err = seal_fail(GPG_ERR_INV_ARMOR, "armor line %llu: %s", d->line, what);
    return d->err;
}

static gpg_err_code_t dec_refill(struct armor_decoder *d)
{
    size_t got = 0;
    gpg_err_code_t err;

    if (d->start > 0) {
        memmove(d->in, d->in + d->start, d->end - d->start);
        d->end -= d->start;
        d->start = 0;
    }
    if ((err = d->inner.read(d->inner.ctx, d->in + d->end, BUF_SIZE - d->end, &got)) != 0)
        return d->err = err;
    if (got == 0)
        d->inner_eof = true;
    d->end += got;
    return 0;
}

/* The next line without its LF or CRLF, consumed; GPG_ERR_EOF at the end of
 * the input. A line longer than ARMOR_MAX_LINE is refused as soon as that is
 * known, without reading further. *LINE stays valid until the next call. */
static gpg_err_code_t dec_next_line(struct armor_decoder *d, const uint8_t **line, size_t *len)
{
    const size_t window_max = ARMOR_MAX_LINE + 2; /* room for CRLF */
    gpg_err_code_t err;

    for (;;) {
        const uint8_t *p = d->in + d->start;
        size_t avail = d->end - d->start;
        size_t window = avail < window_max ? avail : window_max;
        const uint8_t *nl = memchr(p, '\n', window);
        size_t n;

        if (nl != NULL) {
            n = (size_t)(nl - p);
            d->start += n + 1;
            if (n > 0 && p[n - 1] == '\r')
                n--;
        } else if (window == window_max) {
            d->line++;
            return dec_error(d, "line too long");
        } else if (d->inner_eof) {
            if (avail == 0)
                return GPG_ERR_EOF;
            n = avail; /* a last line without a line end */
            d->start = d->end;
        } else {
            if ((err = dec_refill(d)) != 0)
                return err;
            continue;
        }
        d->line++;
        if (n > ARMOR_MAX_LINE)
            return dec_error(d, "line too long");
        *line = p;
        *len = n;
        return 0;
    }
}

/* seal(5)'s whitespace: exactly these four. */
static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Consumes any amount of whitespace (before BEGIN, after END), counting
 * lines; stops at the first other byte or at the end of the input. Not line
 * by line: a run of whitespace has no line-length limit and a bare CR is
 * whitespace like any other. */
static gpg_err_code_t dec_skip_ws(struct armor_decoder *d)
{
    gpg_err_code_t err;
    for (;;) {
        while (d->start < d->end && is_ws(d->in[d->start])) {
            if (d->in[d->start] == '\n')
                d->line++;
            d->start++;
        }
        if (d->start < d->end || d->inner_eof)
            return 0;
        if ((err = dec_refill(d)) != 0)
            return err;
    }
}

static bool is_blank(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return false;
    return true;
}

static bool line_is(const uint8_t *p, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(p, s, n) == 0;
}

/* Decodes the last group of the body, which may carry padding: "xx==" is one
 * byte, "xxx=" two. The unused bits must be zero (one encoding per value). */
static gpg_err_code_t dec_last_group(struct armor_decoder *d, const uint8_t *s, uint8_t *o,
                                     size_t *n)
{
    unsigned a = d->value[s[0]], b = d->value[s[1]], c = d->value[s[2]], e = d->value[s[3]];

    if ((a | b | c | e) & V_INVALID)
        return dec_error(d, "invalid character in base64");
    if (a == V_PAD || b == V_PAD || e != V_PAD)
        return dec_error(d, "misplaced base64 padding");
    if (c == V_PAD) {
        if (b & 0x0f)
            return dec_error(d, "non-zero bits in base64 padding");
        o[0] = (uint8_t)(a << 2 | b >> 4);
        *n = 1;
    } else {
        if (c & 0x03)
            return dec_error(d, "non-zero bits in base64 padding");
        o[0] = (uint8_t)(a << 2 | b >> 4);
        o[1] = (uint8_t)(b << 4 | c >> 2);
        *n = 2;
    }
    return 0;
}

/* Decodes one body line of LEN (a multiple of 4, <= 64) characters into O
 * (room for LINE_BYTES); *N is the number of bytes. Padding is allowed only
 * in the last group, and marks the line as the last. */
static gpg_err_code_t dec_body_line(struct armor_decoder *d, const uint8_t *s, size_t len,
                                    uint8_t *o, size_t *n)
{
    const uint8_t *v = d->value;
    size_t groups = len / 4, k = 0;
    uint8_t *start = o;
    gpg_err_code_t err;

    for (size_t g = 0; g < groups; g++, s += 4, o += 3) {
        unsigned a = v[s[0]], b = v[s[1]], c = v[s[2]], e = v[s[3]];
        if ((a | b | c | e) & (V_PAD | V_INVALID)) {
            if (g + 1 < groups) {
                bool pad = ((a | b | c | e) & V_INVALID) == 0;
                return dec_error(d,
                                 pad ? "misplaced base64 padding" : "invalid character in base64");
            }
            if ((err = dec_last_group(d, s, o, &k)) != 0)
                return err;
            d->last_seen = true;
            *n = (size_t)(o - start) + k;
            return 0;
        }
        uint32_t w = a << 18 | b << 12 | c << 6 | e;
        o[0] = (uint8_t)(w >> 16);
        o[1] = (uint8_t)(w >> 8);
        o[2] = (uint8_t)w;
    }
    *n = (size_t)(o - start);
    return 0;
}

/* Handles one line of the body; decoded bytes go to O (room for LINE_BYTES). */
static gpg_err_code_t dec_body(struct armor_decoder *d, const uint8_t *p, size_t len, uint8_t *o,
                               size_t *n)
{
    *n = 0;
    if (line_is(p, len, ARMOR_END)) {
        d->state = DEC_AFTER;
        return 0;
    }
    if (d->last_seen)
        return dec_error(d, "text after the last base64 line (END line expected)");
    if (len == 0)
        return dec_error(d, "empty line inside the armor");
    if (len > ARMOR_LINE_CHARS)
        return dec_error(d, "base64 line longer than 64 characters");
    if (len % 4 != 0)
        return dec_error(d, "base64 line length is not a multiple of 4");
    if (len < ARMOR_LINE_CHARS)
        d->last_seen = true;
    return dec_body_line(d, p, len, o, n);
}

static gpg_err_code_t dec_read(struct armor_decoder *d, uint8_t *buf, size_t cap, size_t *got)
{
    const uint8_t *line = NULL;
    size_t len = 0, n;
    gpg_err_code_t err;

    *got = 0;
    if (d->err != 0)
        return d->err;
    while (*got < cap) {
        if (d->pend_len > 0) {
            n = d->pend_len < cap - *got ? d->pend_len : cap - *got;
            memcpy(buf + *got, d->pending + d->pend_off, n);
            d->pend_off += n;
            d->pend_len -= n;
            *got += n;
            continue;
        }
        if (d->state == DEC_DONE)
            break;
        if ((d->state == DEC_BEFORE || d->state == DEC_AFTER) && (err = dec_skip_ws(d)) != 0)
            return err;
        if ((err = dec_next_line(d, &line, &len)) == GPG_ERR_EOF) {
            if (d->state == DEC_BEFORE)
                return dec_error(d, "no BEGIN SEALED MESSAGE line");
            if (d->state == DEC_BODY)
                return dec_error(d, "missing END SEALED MESSAGE line (truncated armor)");
            d->state = DEC_DONE;
            break;
        }
        if (err != 0)
            return err;
        switch (d->state) {
        case DEC_BEFORE:
            if (line_is(line, len, ARMOR_BEGIN))
                d->state = DEC_BODY;
            else if (!is_blank(line, len))
                return dec_error(d, "unexpected text before the BEGIN line");
            break;
        case DEC_BODY:
            if (cap - *got >= LINE_BYTES) {
                if ((err = dec_body(d, line, len, buf + *got, &n)) != 0)
                    return err;
                *got += n;
            } else {
                if ((err = dec_body(d, line, len, d->pending, &n)) != 0)
                    return err;
                d->pend_off = 0;
                d->pend_len = n;
            }
            break;
        case DEC_AFTER:
            if (!is_blank(line, len))
                return dec_error(d, "unexpected text after the END line");
            break;
        case DEC_DONE:
            break;
        }
    }
    return 0;
}

gpg_err_code_t armor_decoder_read(struct armor_decoder *d, uint8_t *buf, size_t cap, size_t *got)
{
    gpg_err_code_t err = dec_read(d, buf, cap, got);

    /* On failure nothing counts as delivered, not even the lines decoded
     * before the fault in this call. */
    if (err != 0)
        *got = 0;
    return err;
}

static gpg_err_code_t dec_source_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    return armor_decoder_read(ctx, buf, cap, got);
}

struct byte_source armor_decoder_source(struct armor_decoder *d)
{
    struct byte_source s = {dec_source_read, d};
    return s;
}

void armor_decoder_free(struct armor_decoder *d)
{
    free(d);
}

size_t armor_leading_ws(const uint8_t *buf, size_t n)
{
    size_t i = 0;
    while (i < n && is_ws(buf[i]))
        i++;
    return i;
}

bool armor_looks_armored(const uint8_t *buf, size_t n)
{
    const size_t mlen = sizeof ARMOR_BEGIN - 1;
    size_t i = 0;

    while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    return n - i >= mlen && memcmp(buf + i, ARMOR_BEGIN, mlen) == 0;
}
