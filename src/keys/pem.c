/*
 * PEM armor. The body is gathered line by line into secure memory (a private
 * key's base64 is as secret as the key) and then decoded in one go by the
 * strict decoder, so padding can only appear at the very end.
 */
#include "keys/pem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/base64.h"
#include "base/buf.h"
#include "crypto/crypto.h"

static const char *const pem_label_names[] = {
    [PEM_PUBLIC_KEY] = "PUBLIC KEY",
    [PEM_RSA_PUBLIC_KEY] = "RSA PUBLIC KEY",
    [PEM_PRIVATE_KEY] = "PRIVATE KEY",
    [PEM_RSA_PRIVATE_KEY] = "RSA PRIVATE KEY",
    [PEM_ENCRYPTED_PRIVATE_KEY] = "ENCRYPTED PRIVATE KEY",
    [PEM_OPENSSH_PRIVATE_KEY] = "OPENSSH PRIVATE KEY",
};

#define PEM_NLABELS (sizeof pem_label_names / sizeof pem_label_names[0])
#define PEM_MAX_LABEL 40

static const char pem_begin[] = "-----BEGIN ";
static const char pem_end[] = "-----END ";
static const char pem_dashes[] = "-----";

const char *pem_label_name(enum pem_label label)
{
    if ((size_t)label >= PEM_NLABELS)
        return "?";
    return pem_label_names[label];
}

static bool pem_is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The reader records a detail for every failed get, so we never let one
 * fail on purpose: every loop checks what remains first. */
static void pem_skip_space(struct reader *r)
{
    uint8_t c;

    while (reader_remaining(r) > 0 && reader_peek_u8(r, &c) == 0 && pem_is_space(c))
        (void)reader_skip(r, 1);
}

/* Borrows the next line without its LF (or CRLF). *EOL is false if the
 * line ran to the end of the input without one. GPG_ERR_EOF at the end. */
static gpg_err_code_t pem_get_line(struct reader *r, const uint8_t **line, size_t *len, bool *eol)
{
    struct reader scan = *r;
    size_t n = 0;
    uint8_t c;

    *line = NULL;
    *len = 0;
    *eol = false;
    if (reader_remaining(r) == 0)
        return GPG_ERR_EOF;
    while (reader_remaining(&scan) > 0 && reader_get_u8(&scan, &c) == 0) {
        if (c == '\n') {
            *eol = true;
            break;
        }
        n++;
    }
    if (reader_get_view(r, n, line) != 0)
        return GPG_ERR_INTERNAL;
    if (*eol)
        (void)reader_skip(r, 1);
    if (n > 0 && (*line)[n - 1] == '\r')
        n--;
    *len = n;
    return 0;
}

static bool pem_has_prefix(const uint8_t *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && memcmp(line, prefix, n) == 0;
}

bool pem_looks_like_pem(const uint8_t *data, size_t len)
{
    struct reader r;
    const uint8_t *line;
    size_t linelen;
    bool eol;

    reader_init(&r, data, len);
    while (pem_get_line(&r, &line, &linelen, &eol) == 0) {
        while (linelen > 0 && pem_is_space(line[0])) {
            line++;
            linelen--;
        }
        if (pem_has_prefix(line, linelen, pem_begin))
            return true;
    }
    return false;
}

/* Parses "-----BEGIN LABEL-----" or "-----END LABEL-----" (PREFIX says
 * which) and borrows LABEL. */
static gpg_err_code_t pem_parse_boundary(const uint8_t *line, size_t len, const char *prefix,
                                         const uint8_t **label, size_t *labellen)
{
    size_t plen = strlen(prefix), dlen = strlen(pem_dashes);
    size_t i;

    if (!pem_has_prefix(line, len, prefix) || len < plen + dlen ||
        memcmp(line + len - dlen, pem_dashes, dlen) != 0)
        return GPG_ERR_INV_ARMOR;
    *label = line + plen;
    *labellen = len - plen - dlen;
    if (*labellen == 0 || *labellen > PEM_MAX_LABEL)
        return GPG_ERR_INV_ARMOR;
    for (i = 0; i < *labellen; i++) {
        uint8_t c = (*label)[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' '))
            return GPG_ERR_INV_ARMOR;
    }
    return 0;
}

static bool pem_label_is(const uint8_t *label, size_t len, const char *name)
{
    return len == strlen(name) && memcmp(label, name, len) == 0;
}

/* Maps a BEGIN label to ours, or explains why it is not accepted. */
static gpg_err_code_t pem_classify_label(const uint8_t *label, size_t len, enum pem_label *out)
{
    size_t i;

    for (i = 0; i < PEM_NLABELS; i++) {
        if (pem_label_is(label, len, pem_label_names[i])) {
            *out = (enum pem_label)i;
            return 0;
        }
    }
    if (pem_label_is(label, len, "EC PRIVATE KEY") || pem_label_is(label, len, "EC PARAMETERS"))
        return seal_fail(GPG_ERR_PUBKEY_ALGO, "EC key: only RSA keys are supported");
    if (pem_label_is(label, len, "DSA PRIVATE KEY"))
        return seal_fail(GPG_ERR_PUBKEY_ALGO, "DSA key: only RSA keys are supported");
    /* The label consists of checked characters only, so it may be shown. */
    return seal_fail(GPG_ERR_INV_ARMOR, "PEM: unsupported label \"%.*s\"", (int)len,
                     (const char *)label);
}

/* Checks one body line and appends it to BODY. */
static gpg_err_code_t pem_take_body_line(const uint8_t *line, size_t len, struct writer *body)
{
    size_t i;

    if (len == 0)
        return seal_fail(GPG_ERR_INV_ARMOR, "PEM: empty line in body");
    if (memchr(line, ':', len) != NULL) {
        if (pem_has_prefix(line, len, "Proc-Type:") || pem_has_prefix(line, len, "DEK-Info:"))
            /* A valid key file in an encryption we refuse: a key problem
             * (exit 4), like an unsupported PKCS#8 encryption. */
            return seal_fail(GPG_ERR_UNUSABLE_SECKEY, "legacy PEM encryption not supported");
        return seal_fail(GPG_ERR_INV_ARMOR, "PEM: header lines not supported");
    }
    if (len > PEM_MAX_LINE)
        return seal_fail(GPG_ERR_INV_ARMOR, "PEM: body line longer than %d characters",
                         PEM_MAX_LINE);
    for (i = 0; i < len; i++) {
        if (pem_is_space(line[i]))
            return seal_fail(GPG_ERR_INV_ARMOR, "PEM: whitespace inside a body line");
    }
    if (writer_put_bytes(body, line, len) != 0)
        return seal_fail(GPG_ERR_TOO_LARGE, "PEM: body too large");
    return 0;
}

gpg_err_code_t pem_decode(const uint8_t *data, size_t len, enum pem_label *label, uint8_t **der,
                          size_t *derlen)
{
    struct reader r;
    struct writer body;
    const uint8_t *line, *begin_label = NULL, *end_label;
    size_t linelen, begin_len = 0, end_len, outlen = 0, max = 0;
    uint8_t *out = NULL;
    bool eol, ended = false;
    gpg_err_code_t err;

    *der = NULL;
    *derlen = 0;
    *label = PEM_PUBLIC_KEY;
    writer_init(&body, KEY_FILE_MAX, true);
    if (len > KEY_FILE_MAX) {
        err = seal_fail(GPG_ERR_TOO_LARGE, "PEM: input larger than %d bytes", KEY_FILE_MAX);
        goto out;
    }
    reader_init(&r, data, len);
    pem_skip_space(&r);
    if (pem_get_line(&r, &line, &linelen, &eol) != 0) {
        err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: empty input");
        goto out;
    }
    if (!pem_has_prefix(line, linelen, pem_begin)) {
        err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: data before the BEGIN line");
        goto out;
    }
    if (pem_parse_boundary(line, linelen, pem_begin, &begin_label, &begin_len) != 0) {
        err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: malformed BEGIN line");
        goto out;
    }
    if ((err = pem_classify_label(begin_label, begin_len, label)) != 0)
        goto out;
    if (!eol) {
        err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: no END line");
        goto out;
    }

    while (pem_get_line(&r, &line, &linelen, &eol) == 0) {
        if (pem_has_prefix(line, linelen, pem_end)) {
            if (pem_parse_boundary(line, linelen, pem_end, &end_label, &end_len) != 0) {
                err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: malformed END line");
                goto out;
            }
            if (end_len != begin_len || memcmp(end_label, begin_label, end_len) != 0) {
                err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: END label does not match BEGIN");
                goto out;
            }
            ended = true;
            break;
        }
        if (pem_has_prefix(line, linelen, pem_begin)) {
            err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: BEGIN line inside a block");
            goto out;
        }
        if (!eol) {
            err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: no END line");
            goto out;
        }
        if ((err = pem_take_body_line(line, linelen, &body)) != 0)
            goto out;
    }
    if (!ended) {
        err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: no END line");
        goto out;
    }
    pem_skip_space(&r);
    if (reader_remaining(&r) != 0) {
        const uint8_t *rest;
        if (reader_remaining(&r) >= strlen(pem_begin) &&
            reader_get_view(&r, strlen(pem_begin), &rest) == 0 &&
            memcmp(rest, pem_begin, strlen(pem_begin)) == 0)
            err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: more than one block");
        else
            err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: data after the END line");
        goto out;
    }
    if (writer_status(&body) != 0 || writer_len(&body) == 0) {
        err = seal_fail(GPG_ERR_INV_ARMOR, "PEM: empty body");
        goto out;
    }

    /* Exactly the decoded size, so that the caller's
     * seal_secure_free(der, derlen) wipes everything written. */
    max = b64_decoded_len((const char *)writer_data(&body), writer_len(&body));
    if ((out = seal_secure_malloc(max ? max : 1)) == NULL) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        goto out;
    }
    if ((err = b64_decode((const char *)writer_data(&body), writer_len(&body), out, max,
                          &outlen)) != 0)
        goto out;
    *der = out;
    *derlen = outlen;
    out = NULL; /* owned by the caller now */
    err = 0;
out:
    seal_secure_free(out, max);
    writer_free(&body);
    return err;
}

gpg_err_code_t pem_encode(enum pem_label label, const uint8_t *der, size_t len, bool secure,
                          char **out, size_t *outlen)
{
    const char *name = pem_label_name(label);
    size_t b64len = b64_encoded_len(len), nlines, total, o = 0, i, done;
    char *b64 = NULL, *buf = NULL;
    gpg_err_code_t err;

    *out = NULL;
    *outlen = 0;
    if ((size_t)label >= PEM_NLABELS || len == 0 || len > KEY_FILE_MAX)
        return seal_fail(GPG_ERR_INV_ARG, "PEM: nothing sensible to encode");
    nlines = (b64len + PEM_LINE_CHARS - 1) / PEM_LINE_CHARS;
    /* BEGIN and END lines ("-----BEGIN " + name + "-----\n"), body, LFs, NUL */
    total = strlen(pem_begin) + strlen(name) + 6 + strlen(pem_end) + strlen(name) + 6 + b64len +
            nlines + 1;
    /* The base64 of a private key is as secret as the key: always secure. */
    if ((b64 = seal_secure_malloc(b64len + 1)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    buf = secure ? seal_secure_malloc(total) : calloc(1, total);
    if (buf == NULL) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        goto out;
    }
    if ((err = b64_encode(der, len, true, b64, b64len + 1, &b64len)) != 0)
        goto out;
    o += (size_t)snprintf(buf + o, total - o, "%s%s%s\n", pem_begin, name, pem_dashes);
    for (done = 0; done < b64len; done += i) {
        i = b64len - done < PEM_LINE_CHARS ? b64len - done : PEM_LINE_CHARS;
        memcpy(buf + o, b64 + done, i);
        o += i;
        buf[o++] = '\n';
    }
    o += (size_t)snprintf(buf + o, total - o, "%s%s%s\n", pem_end, name, pem_dashes);
    *out = buf;
    *outlen = o;
    buf = NULL;
    err = 0;
out:
    if (buf != NULL) {
        if (secure)
            seal_secure_free(buf, total);
        else
            free(buf);
    }
    seal_secure_free(b64, b64_encoded_len(len) + 1);
    return err;
}
