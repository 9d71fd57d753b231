/*
 * Strict base64.
 *
 * Why not libgpg-error's gpgrt_b64dec_*: its decoder (src/b64dec.c) skips
 * characters outside the alphabet and only reports them at finish as
 * GPG_ERR_BAD_DATA, stops at the first '=' and ignores whatever follows up to
 * the end of the line, accepts input whose length is not a multiple of 4
 * (missing padding), and never checks that the unused bits of the last
 * character are zero. So several different strings decode to the same key,
 * which our "exactly one valid encoding" rule forbids. Its encoder writes to
 * a gpgrt stream, whose buffers are not in secure memory, and private keys
 * pass through here. Both directions are a few lines, so we keep our own.
 *
 * Character classification is branch-free (no table indexed by the data):
 * the characters of a private key PEM are secret.
 */
#include "keys/base64.h"

#include <string.h>

#include "base/buf.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/* RFC 4648 section 5: '-' and '_' for '+' and '/'. */
static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 0xff if A <= C <= B, else 0, without branches on C. */
static unsigned b64_in_range(unsigned c, unsigned a, unsigned b)
{
    return ((((c - a) | (b - c)) >> 8) & 0xff) ^ 0xff;
}

static unsigned b64_is(unsigned c, unsigned want)
{
    return b64_in_range(c, want, want);
}

/* The 6-bit value of C, or 0xff if C is not in the alphabet. */
static unsigned b64_value(uint8_t ch)
{
    unsigned c = ch;
    unsigned v = (b64_in_range(c, 'A', 'Z') & (c - 'A')) |
                 (b64_in_range(c, 'a', 'z') & (c - 'a' + 26)) |
                 (b64_in_range(c, '0', '9') & (c - '0' + 52)) | (b64_is(c, '+') & 62) |
                 (b64_is(c, '/') & 63);
    unsigned valid = b64_in_range(c, 'A', 'Z') | b64_in_range(c, 'a', 'z') |
                     b64_in_range(c, '0', '9') | b64_is(c, '+') | b64_is(c, '/');
    return (v & valid) | (valid ^ 0xff);
}

size_t b64_encoded_len(size_t n)
{
    if (n / 3 >= ((size_t)-1 - 8) / 4)
        return (size_t)-1;
    return (n + 2) / 3 * 4;
}

size_t b64_decoded_len(const char *in, size_t n)
{
    size_t out;

    if (n == 0 || n % 4 != 0)
        return 0;
    out = n / 4 * 3;
    if (in[n - 1] == '=')
        out--;
    if (in[n - 2] == '=')
        out--;
    return out;
}

/* Encodes with ALPHABET (64 characters); see b64_encode. */
static gpg_err_code_t encode(const char *alphabet, const uint8_t *in, size_t len, bool pad,
                             char *out, size_t outcap, size_t *outlen)
{
    size_t need = b64_encoded_len(len);
    size_t i, o = 0;

    *outlen = 0;
    if (need != (size_t)-1 && !pad)
        need -= (3 - len % 3) % 3;
    if (need == (size_t)-1 || outcap < need + 1)
        return seal_fail(GPG_ERR_BUFFER_TOO_SHORT, "base64: output buffer too small");
    for (i = 0; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    *outlen = o;
    return 0;
}

gpg_err_code_t b64_encode(const uint8_t *in, size_t len, bool pad, char *out, size_t outcap,
                          size_t *outlen)
{
    return encode(b64_alphabet, in, len, pad, out, outcap, outlen);
}

gpg_err_code_t b64url_encode(const uint8_t *in, size_t len, char *out, size_t outcap,
                             size_t *outlen)
{
    return encode(b64url_alphabet, in, len, false, out, outcap, outlen);
}

gpg_err_code_t b64_decode(const char *in, size_t len, uint8_t *out, size_t outcap, size_t *outlen)
{
    struct reader r;
    uint8_t quad[4];
    unsigned v[4];
    size_t o = 0;
    int k;

    *outlen = 0;
    if (len % 4 != 0)
        return seal_fail(GPG_ERR_INV_DATA, "base64: length is not a multiple of 4");
    if (outcap < b64_decoded_len(in, len))
        return seal_fail(GPG_ERR_BUFFER_TOO_SHORT, "base64: output buffer too small");
    reader_init(&r, in, len);
    while (reader_remaining(&r) > 0) {
        bool last = reader_remaining(&r) == 4;
        int npad = 0;

        if (reader_get_bytes(&r, quad, sizeof quad) != 0)
            return seal_fail(GPG_ERR_INV_DATA, "base64: truncated");
        if (last && quad[3] == '=') {
            npad = quad[2] == '=' ? 2 : 1;
        }
        for (k = 0; k < 4 - npad; k++) {
            v[k] = b64_value(quad[k]);
            if (v[k] == 0xff) {
                if (quad[k] == '=')
                    return seal_fail(GPG_ERR_INV_DATA, "base64: padding in the middle");
                return seal_fail(GPG_ERR_INV_DATA, "base64: invalid character");
            }
        }
        if (npad == 0) {
            out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
            out[o++] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
            out[o++] = (uint8_t)((v[2] & 3) << 6 | v[3]);
        } else if (npad == 1) {
            /* The 2 bits left over in the third character must be zero,
             * or several strings would decode to the same bytes. */
            if (v[2] & 3)
                return seal_fail(GPG_ERR_INV_DATA, "base64: non-canonical final character");
            out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
            out[o++] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
        } else {
            if (v[1] & 15)
                return seal_fail(GPG_ERR_INV_DATA, "base64: non-canonical final character");
            out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
        }
    }
    *outlen = o;
    return 0;
}

void b64_sha256_text(const uint8_t hash[32], char out[B64_SHA256_TEXT_LEN])
{
    static const char prefix[] = "SHA256:";
    size_t n;

    memcpy(out, prefix, sizeof prefix - 1);
    /* 32 bytes are 43 characters unpadded: always fits. */
    if (b64_encode(hash, 32, false, out + sizeof prefix - 1,
                   B64_SHA256_TEXT_LEN - (sizeof prefix - 1), &n) != 0)
        out[0] = '\0';
}
