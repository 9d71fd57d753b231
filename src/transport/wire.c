/* The reply line; see wire.h. Parsed with the one bounded reader. */
#include "transport/wire.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; /* uppercase is not the one encoding */
}

static bool is_b64url(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Consumes the literal S if it comes next; consumes nothing otherwise. */
static bool expect(struct reader *r, const char *s)
{
    struct reader t = *r; /* a look ahead: the reader is a plain value */
    const uint8_t *v;
    size_t n = strlen(s);
    if (reader_get_view(&t, n, &v) != 0 || memcmp(v, s, n) != 0)
        return false;
    *r = t;
    return true;
}

static gpg_err_code_t bad(struct wire_reply *out, const char *what)
{
    memset(out, 0, sizeof *out);
    return seal_fail(GPG_ERR_INV_DATA, "bad reply line: %s", what);
}

static gpg_err_code_t parse_ok(struct reader *r, struct wire_reply *out)
{
    const uint8_t *v;
    if (reader_get_view(r, 2 * SEAL_ENVELOPE_ID_LEN, &v) != 0)
        return bad(out, "envelope ID too short");
    for (size_t i = 0; i < SEAL_ENVELOPE_ID_LEN; i++) {
        int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return bad(out, "envelope ID is not lowercase hex");
        out->envelope_id[i] = (uint8_t)(hi << 4 | lo);
    }
    if (!expect(r, " "))
        return bad(out, "no receipt");
    if (reader_get_view(r, RECEIPT_TEXT_LEN, &v) != 0)
        return bad(out, "receipt too short");
    for (size_t i = 0; i < RECEIPT_TEXT_LEN; i++)
        if (!is_b64url(v[i]))
            return bad(out, "receipt is not base64url");
    /* 32 bytes in 43 characters: the last one carries 2 unused bits, which
     * must be zero (one encoding). */
    if (strchr("AEIMQUYcgkosw048", v[RECEIPT_TEXT_LEN - 1]) == NULL)
        return bad(out, "receipt is not canonical base64url");
    memcpy(out->receipt, v, RECEIPT_TEXT_LEN);
    out->receipt[RECEIPT_TEXT_LEN] = '\0';
    if (!expect(r, "\n"))
        return bad(out, "receipt too long or line not ended by LF");
    out->kind = WIRE_OK;
    return 0;
}

static gpg_err_code_t parse_err(struct reader *r, struct wire_reply *out)
{
    size_t n = 0;
    uint8_t c;
    if (expect(r, "temp "))
        out->kind = WIRE_ERR_TEMP;
    else if (expect(r, "perm "))
        out->kind = WIRE_ERR_PERM;
    else
        return bad(out, "ERR is neither temp nor perm");
    for (;;) {
        if (reader_get_u8(r, &c) != 0)
            return bad(out, "line not ended by LF");
        if (c == '\n')
            break;
        if (c < 0x20 || c > 0x7e)
            return bad(out, "reason holds a control or non-ASCII byte");
        if (n == WIRE_REASON_MAX)
            return bad(out, "reason too long");
        out->reason[n++] = (char)c;
    }
    if (n == 0)
        return bad(out, "empty reason");
    out->reason[n] = '\0';
    return 0;
}

gpg_err_code_t wire_parse_reply(const uint8_t *line, size_t len, struct wire_reply *out)
{
    struct reader r;
    gpg_err_code_t err;

    memset(out, 0, sizeof *out);
    if (len > WIRE_LINE_MAX)
        return bad(out, "line too long");
    reader_init(&r, line, len);
    if (expect(&r, "OK "))
        err = parse_ok(&r, out);
    else if (expect(&r, "ERR "))
        err = parse_err(&r, out);
    else
        return bad(out, "neither OK nor ERR");
    if (err)
        return err;
    if (reader_remaining(&r) != 0)
        return bad(out, "bytes after the line");
    return 0;
}

size_t wire_format_ok(const uint8_t id[SEAL_ENVELOPE_ID_LEN], const char *receipt,
                      char out[WIRE_LINE_MAX + 1])
{
    size_t o = 0;
    memcpy(out, "OK ", 3);
    o = 3;
    for (size_t i = 0; i < SEAL_ENVELOPE_ID_LEN; i++, o += 2)
        snprintf(out + o, 3, "%02x", id[i]);
    out[o++] = ' ';
    memcpy(out + o, receipt, RECEIPT_TEXT_LEN);
    o += RECEIPT_TEXT_LEN;
    out[o++] = '\n';
    out[o] = '\0';
    return o;
}

size_t wire_format_err(enum wire_kind kind, const char *reason, char out[WIRE_LINE_MAX + 1])
{
    size_t o = 0, n = strlen(reason);
    if (n > WIRE_REASON_MAX)
        n = WIRE_REASON_MAX;
    memcpy(out, kind == WIRE_ERR_TEMP ? "ERR temp " : "ERR perm ", 9);
    o = 9;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)reason[i];
        out[o++] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
    }
    if (n == 0)
        out[o++] = '?';
    out[o++] = '\n';
    out[o] = '\0';
    return o;
}
