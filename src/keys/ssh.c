/*
 * OpenSSH key formats; see ssh.h. References: RFC 4253 6.6 (the ssh-rsa
 * wire encoding), RFC 4251 5 (string, mpint), OpenSSH's PROTOCOL.key (the
 * private key file) and sshd(8) AUTHORIZED_KEYS FILE FORMAT (options).
 */
#include "keys/ssh.h"

#include <stdlib.h>
#include <string.h>

#include "keys/base64.h"

static const char ssh_rsa[] = "ssh-rsa";
static const char ssh_magic[] = "openssh-key-v1"; /* followed by a NUL */

/* A key type or cipher name we show is at most this long and printable. */
#define SSH_NAME_MAX 64
/* The block size of cipher "none" (PROTOCOL.key pads to it). */
#define SSH_BLOCK_NONE 8

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Skips spaces and tabs. The reader records a detail for every failed
 * get, so every loop looks at what remains first. */
static void skip_blanks(struct reader *r)
{
    uint8_t c;

    while (reader_remaining(r) > 0 && reader_peek_u8(r, &c) == 0 && is_blank(c))
        (void)reader_skip(r, 1);
}

/* Borrows the next word (up to a blank or the end); empty at the end. */
static void get_word(struct reader *r, const uint8_t **word, size_t *len)
{
    struct reader scan = *r;
    uint8_t c;
    size_t n = 0;

    while (reader_remaining(&scan) > 0 && reader_get_u8(&scan, &c) == 0 && !is_blank(c))
        n++;
    *word = NULL;
    *len = 0;
    if (n > 0 && reader_get_view(r, n, word) == 0)
        *len = n;
}

/* Skips authorized_keys options: up to the first blank outside double
 * quotes, where \" does not end a quote (OpenSSH's
 * sshkey_advance_past_options). False for an unterminated quote. */
static bool skip_options(struct reader *r)
{
    bool quoted = false;
    uint8_t c, next;

    while (reader_remaining(r) > 0 && reader_peek_u8(r, &c) == 0 && (quoted || !is_blank(c))) {
        (void)reader_skip(r, 1);
        if (c == '\\' && reader_remaining(r) > 0 && reader_peek_u8(r, &next) == 0 && next == '"')
            (void)reader_skip(r, 1);
        else if (c == '"')
            quoted = !quoted;
    }
    return !quoted;
}

static bool has_prefix(const uint8_t *p, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);

    return n > m && memcmp(p, prefix, m) == 0;
}

static bool equals(const uint8_t *p, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(p, s, n) == 0;
}

/* A word that names an SSH key type (RSA or not, certificate or not). */
static bool is_key_type(const uint8_t *p, size_t n)
{
    return has_prefix(p, n, "ssh-") || has_prefix(p, n, "ecdsa-") || has_prefix(p, n, "sk-");
}

/* At R: a key type word, blanks, and another word. */
static bool key_at(const struct reader *r)
{
    struct reader scan = *r;
    const uint8_t *word;
    size_t n;

    get_word(&scan, &word, &n);
    if (!is_key_type(word, n))
        return false;
    skip_blanks(&scan);
    get_word(&scan, &word, &n);
    return n > 0;
}

/* Puts R at the key type of a key line (after any options). A line whose
 * first non-blank is '#' is a comment, as in authorized_keys. */
static bool find_key(struct reader *r)
{
    uint8_t c;

    skip_blanks(r);
    if (reader_remaining(r) > 0 && reader_peek_u8(r, &c) == 0 && c == '#')
        return false;
    if (key_at(r))
        return true;
    if (!skip_options(r))
        return false;
    skip_blanks(r);
    return key_at(r);
}

bool ssh_line_is_key(const uint8_t *line, size_t len)
{
    struct reader r;

    reader_init(&r, line, len);
    return find_key(&r);
}

/* NAME as it may be shown: printable ASCII, at most SSH_NAME_MAX. */
static const char *shown(const uint8_t *name, size_t n, char buf[SSH_NAME_MAX + 1])
{
    if (n == 0 || n > SSH_NAME_MAX)
        return "(unnamed)";
    for (size_t i = 0; i < n; i++) {
        if (name[i] <= ' ' || name[i] > '~')
            return "(unprintable name)";
    }
    memcpy(buf, name, n);
    buf[n] = '\0';
    return buf;
}

/* The refusal of a key type other than ssh-rsa. */
static gpg_err_code_t other_type(const uint8_t *type, size_t n)
{
    char buf[SSH_NAME_MAX + 1];
    const char *name = shown(type, n, buf);

    if (strstr(name, "-cert-") != NULL)
        return seal_fail(GPG_ERR_PUBKEY_ALGO,
                         "%s: an OpenSSH certificate; seal uses plain RSA keys only", name);
    return seal_fail(GPG_ERR_PUBKEY_ALGO, "%s key: seal uses RSA keys only", name);
}

/* A string (RFC 4251 5) of at most MAX bytes, borrowed. */
static gpg_err_code_t get_string(struct reader *r, size_t max, const char *what, const uint8_t **p,
                                 size_t *n)
{
    struct reader save = *r;
    uint32_t len;

    *p = NULL;
    *n = 0;
    if (reader_get_u32(r, &len) != 0)
        return seal_fail_override(GPG_ERR_INV_OBJ, "OpenSSH key: %s cut short", what);
    if (len > max) {
        *r = save;
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: %s longer than %zu bytes", what, max);
    }
    if (reader_get_view(r, len, p) != 0) {
        *r = save;
        return seal_fail_override(GPG_ERR_INV_OBJ, "OpenSSH key: %s cut short", what);
    }
    *n = len;
    return 0;
}

/* An mpint (RFC 4251 5) that must be non-negative and minimal, at most
 * KEY_INT_MAX bytes of magnitude; *V borrows the magnitude. */
static gpg_err_code_t get_mpint(struct reader *r, const char *what, struct seal_bignum *v)
{
    const uint8_t *p;
    size_t n;
    gpg_err_code_t err;

    v->data = NULL;
    v->len = 0;
    if ((err = get_string(r, KEY_INT_MAX + 1, what, &p, &n)) != 0)
        return err;
    if (n > 0 && (p[0] & 0x80))
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: %s is negative", what);
    if (n > 0 && p[0] == 0 && (n == 1 || !(p[1] & 0x80)))
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: %s is not minimally encoded", what);
    if (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    if (n > KEY_INT_MAX)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: %s longer than %d bytes", what,
                         KEY_INT_MAX);
    v->data = p;
    v->len = n;
    return 0;
}

/* The public key blob: string "ssh-rsa", mpint e, mpint n, nothing else. */
static gpg_err_code_t get_public_blob(const uint8_t *blob, size_t len, struct seal_bignum *n,
                                      struct seal_bignum *e)
{
    struct reader r;
    const uint8_t *type;
    size_t typelen;
    gpg_err_code_t err;

    reader_init(&r, blob, len);
    if ((err = get_string(&r, SSH_NAME_MAX, "key type", &type, &typelen)) != 0)
        return err;
    if (!equals(type, typelen, ssh_rsa))
        return other_type(type, typelen);
    if ((err = get_mpint(&r, "public exponent", e)) != 0 ||
        (err = get_mpint(&r, "modulus", n)) != 0)
        return err;
    if (reader_remaining(&r) != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: trailing data after the public key");
    return 0;
}

gpg_err_code_t ssh_decode_public_line(const uint8_t *line, size_t len, struct seal_rsa_key **key)
{
    struct reader r;
    const uint8_t *type, *b64, *blob_type;
    size_t typelen, b64len, max, bloblen = 0, blob_typelen;
    struct seal_bignum n, e;
    uint8_t *blob = NULL;
    gpg_err_code_t err;

    *key = NULL;
    if (len > SSH_LINE_MAX)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH public key line longer than %d bytes",
                         SSH_LINE_MAX);
    reader_init(&r, line, len);
    if (!find_key(&r))
        return seal_fail(GPG_ERR_INV_OBJ, "not an OpenSSH public key line");
    get_word(&r, &type, &typelen);
    skip_blanks(&r);
    get_word(&r, &b64, &b64len);
    /* The rest is the comment: anything, never interpreted. */
    if (!equals(type, typelen, ssh_rsa))
        return other_type(type, typelen);
    max = b64_decoded_len((const char *)b64, b64len);
    if (max == 0)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH public key: bad base64 (length %zu)", b64len);
    if (!(blob = malloc(max)))
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    /* A key line that is recognised as one but does not decode is a
     * malformed key, not something that is not a key at all. */
    if ((err = b64_decode((const char *)b64, b64len, blob, max, &bloblen)) != 0) {
        err = GPG_ERR_INV_OBJ;
        goto out;
    }
    /* The type inside must be the one the line names. */
    {
        struct reader br;
        reader_init(&br, blob, bloblen);
        if ((err = get_string(&br, SSH_NAME_MAX, "key type", &blob_type, &blob_typelen)) != 0)
            goto out;
        if (!equals(blob_type, blob_typelen, ssh_rsa)) {
            err = seal_fail(GPG_ERR_INV_OBJ,
                            "OpenSSH public key: the line says ssh-rsa, the key another type");
            goto out;
        }
    }
    if ((err = get_public_blob(blob, bloblen, &n, &e)) != 0)
        goto out;
    err = seal_rsa_from_public(n, e, key);
out:
    free(blob);
    return err;
}

/* Borrows the next line without its LF (or CRLF). False at the end. */
static bool get_line(struct reader *r, const uint8_t **line, size_t *len)
{
    struct reader scan = *r;
    size_t n = 0;
    bool eol = false;
    uint8_t c;

    *line = NULL;
    *len = 0;
    if (reader_remaining(r) == 0)
        return false;
    while (reader_remaining(&scan) > 0 && reader_get_u8(&scan, &c) == 0) {
        if (c == '\n') {
            eol = true;
            break;
        }
        n++;
    }
    if (reader_get_view(r, n, line) != 0)
        return false;
    if (eol)
        (void)reader_skip(r, 1);
    if (n > 0 && (*line)[n - 1] == '\r')
        n--;
    *len = n;
    return true;
}

/* Blank, or a comment ('#' after blanks). */
static bool is_ignored_line(const uint8_t *line, size_t len)
{
    struct reader r;
    uint8_t c;

    reader_init(&r, line, len);
    skip_blanks(&r);
    return reader_remaining(&r) == 0 || (reader_peek_u8(&r, &c) == 0 && c == '#');
}

void ssh_key_lines_init(struct ssh_key_lines *it, const uint8_t *data, size_t len)
{
    reader_init(&it->r, data, len);
    it->lineno = 0;
}

bool ssh_key_lines_next(struct ssh_key_lines *it, const uint8_t **line, size_t *len, size_t *lineno)
{
    while (get_line(&it->r, line, len)) {
        it->lineno++;
        if (!is_ignored_line(*line, *len)) {
            *lineno = it->lineno;
            return true;
        }
    }
    *lineno = it->lineno;
    return false;
}

bool ssh_looks_like_public(const uint8_t *data, size_t len)
{
    struct ssh_key_lines it;
    const uint8_t *line;
    size_t n, lineno;

    ssh_key_lines_init(&it, data, len);
    return ssh_key_lines_next(&it, &line, &n, &lineno) && ssh_line_is_key(line, n);
}

bool ssh_is_public_list(const uint8_t *data, size_t len)
{
    struct ssh_key_lines it;
    const uint8_t *line;
    size_t n, lineno;

    ssh_key_lines_init(&it, data, len);
    if (!ssh_key_lines_next(&it, &line, &n, &lineno) || !ssh_line_is_key(line, n))
        return false;
    while (ssh_key_lines_next(&it, &line, &n, &lineno)) {
        if (ssh_line_is_key(line, n))
            return true;
    }
    return false;
}

gpg_err_code_t ssh_decode_public_file(const uint8_t *data, size_t len, struct seal_rsa_key **key)
{
    struct ssh_key_lines it;
    const uint8_t *line;
    size_t n, lineno;
    gpg_err_code_t err;

    *key = NULL;
    if (len > KEY_FILE_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "key file larger than %d bytes", KEY_FILE_MAX);
    ssh_key_lines_init(&it, data, len);
    while (ssh_key_lines_next(&it, &line, &n, &lineno)) {
        if (*key != NULL) {
            seal_rsa_free(*key);
            *key = NULL;
            if (!ssh_line_is_key(line, n))
                return seal_fail(GPG_ERR_INV_OBJ, "text after the OpenSSH public key");
            return seal_fail(GPG_ERR_INV_OBJ,
                             "more than one OpenSSH key in the file (a list of keys is for -R)");
        }
        if ((err = ssh_decode_public_line(line, n, key)) != 0)
            return err;
    }
    if (*key == NULL)
        return seal_fail(GPG_ERR_INV_OBJ, "no OpenSSH public key in the file");
    return 0;
}

/* The encryption of a private key file: "none" and "none", or a refusal
 * naming what it is. */
static gpg_err_code_t check_unencrypted(const uint8_t *cipher, size_t cipherlen, const uint8_t *kdf,
                                        size_t kdflen, size_t kdfoptlen)
{
    char b1[SSH_NAME_MAX + 1], b2[SSH_NAME_MAX + 1];

    if (equals(cipher, cipherlen, "none") && equals(kdf, kdflen, "none")) {
        if (kdfoptlen != 0)
            return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: KDF options without a KDF");
        return 0;
    }
    if (equals(cipher, cipherlen, "none") || equals(kdf, kdflen, "none"))
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: cipher %s with KDF %s",
                         shown(cipher, cipherlen, b1), shown(kdf, kdflen, b2));
    return seal_fail(GPG_ERR_UNUSABLE_SECKEY,
                     "OpenSSH private key encrypted (KDF %s, cipher %s): not supported",
                     shown(kdf, kdflen, b2), shown(cipher, cipherlen, b1));
}

static bool same(struct seal_bignum a, struct seal_bignum b)
{
    return a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
}

/* The private section: checkint, checkint, "ssh-rsa", n, e, d, iqmp, p,
 * q, comment, padding. PUB_N and PUB_E are the public key's. */
static gpg_err_code_t get_private_section(const uint8_t *sec, size_t len, struct seal_bignum pub_n,
                                          struct seal_bignum pub_e, struct seal_rsa_key **key)
{
    struct seal_rsa_private_parts parts;
    struct reader r;
    uint32_t check1, check2;
    const uint8_t *type, *comment;
    size_t typelen, commentlen, i;
    uint8_t pad;
    gpg_err_code_t err;

    memset(&parts, 0, sizeof parts);
    if (len % SSH_BLOCK_NONE != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: private section not a multiple of %d bytes",
                         SSH_BLOCK_NONE);
    reader_init(&r, sec, len);
    if (reader_get_u32(&r, &check1) != 0 || reader_get_u32(&r, &check2) != 0)
        return seal_fail_override(GPG_ERR_INV_OBJ, "OpenSSH key: private section cut short");
    /* In an encrypted file they tell a wrong passphrase; here, where
     * nothing is encrypted, only damage can make them differ. */
    if (check1 != check2)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: check integers differ (damaged file)");
    if ((err = get_string(&r, SSH_NAME_MAX, "key type", &type, &typelen)) != 0)
        return err;
    if (!equals(type, typelen, ssh_rsa))
        return seal_fail(GPG_ERR_INV_OBJ,
                         "OpenSSH key: the private key's type differs from the public key's");
    if ((err = get_mpint(&r, "modulus", &parts.n)) != 0 ||
        (err = get_mpint(&r, "public exponent", &parts.e)) != 0 ||
        (err = get_mpint(&r, "private exponent", &parts.d)) != 0 ||
        (err = get_mpint(&r, "CRT coefficient", &parts.qinv)) != 0 ||
        (err = get_mpint(&r, "prime p", &parts.p)) != 0 ||
        (err = get_mpint(&r, "prime q", &parts.q)) != 0 ||
        (err = get_string(&r, KEY_FILE_MAX, "comment", &comment, &commentlen)) != 0)
        return err;
    /* Padding 1, 2, 3, ... up to the block size, as OpenSSH checks it. */
    if (reader_remaining(&r) >= SSH_BLOCK_NONE)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: trailing data after the private key");
    for (i = 1; reader_remaining(&r) > 0; i++) {
        if (reader_get_u8(&r, &pad) != 0 || pad != i)
            return seal_fail_override(GPG_ERR_INV_OBJ, "OpenSSH key: bad padding");
    }
    if (!same(parts.n, pub_n) || !same(parts.e, pub_e))
        return seal_fail(GPG_ERR_BAD_SECKEY,
                         "OpenSSH key: the private key is not the one of the public key beside it");
    /* dp and dq are not in the file: crypto/rsa.c checks the rest. */
    return seal_rsa_from_private(&parts, key);
}

gpg_err_code_t ssh_parse_private(const uint8_t *data, size_t len, struct seal_rsa_key **key)
{
    struct reader r;
    const uint8_t *magic, *cipher, *kdf, *kdfopt, *pub, *sec, *type;
    size_t cipherlen, kdflen, kdfoptlen, publen, seclen, typelen;
    struct seal_bignum n, e;
    uint32_t nkeys;
    gpg_err_code_t err;

    *key = NULL;
    reader_init(&r, data, len);
    if (reader_get_view(&r, sizeof ssh_magic, &magic) != 0 ||
        memcmp(magic, ssh_magic, sizeof ssh_magic) != 0)
        return seal_fail_override(GPG_ERR_INV_OBJ, "OpenSSH key: no openssh-key-v1 magic");
    if ((err = get_string(&r, SSH_NAME_MAX, "cipher name", &cipher, &cipherlen)) != 0 ||
        (err = get_string(&r, SSH_NAME_MAX, "KDF name", &kdf, &kdflen)) != 0 ||
        (err = get_string(&r, KEY_FILE_MAX, "KDF options", &kdfopt, &kdfoptlen)) != 0)
        return err;
    if (reader_get_u32(&r, &nkeys) != 0)
        return seal_fail_override(GPG_ERR_INV_OBJ, "OpenSSH key: cut short");
    if (nkeys != 1)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key file holds %lu keys, not one",
                         (unsigned long)nkeys);
    if ((err = get_string(&r, KEY_FILE_MAX, "public key", &pub, &publen)) != 0)
        return err;
    /* The type first: an encrypted Ed25519 key is refused as Ed25519, the
     * news that matters, not as encrypted. */
    {
        struct reader pr;
        reader_init(&pr, pub, publen);
        if ((err = get_string(&pr, SSH_NAME_MAX, "key type", &type, &typelen)) != 0)
            return err;
        if (!equals(type, typelen, ssh_rsa))
            return other_type(type, typelen);
    }
    if ((err = check_unencrypted(cipher, cipherlen, kdf, kdflen, kdfoptlen)) != 0)
        return err;
    if ((err = get_public_blob(pub, publen, &n, &e)) != 0)
        return err;
    if ((err = get_string(&r, KEY_FILE_MAX, "private section", &sec, &seclen)) != 0)
        return err;
    if (reader_remaining(&r) != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "OpenSSH key: trailing data after the key");
    return get_private_section(sec, seclen, n, e, key);
}

/* An mpint from a minimal big-endian magnitude. */
static void put_mpint(struct writer *w, const uint8_t *mag, size_t len)
{
    bool sign = len > 0 && (mag[0] & 0x80);

    writer_put_u32(w, (uint32_t)(len + sign));
    if (sign)
        writer_put_u8(w, 0);
    writer_put_bytes(w, mag, len);
}

gpg_err_code_t ssh_write_public_blob(const struct seal_rsa_key *key, struct writer *w)
{
    struct seal_rsa_export ex;
    gpg_err_code_t err;

    memset(&ex, 0, sizeof ex);
    if ((err = seal_rsa_export(key, false, &ex)) != 0)
        return err;
    writer_put_u32(w, sizeof ssh_rsa - 1);
    writer_put_bytes(w, ssh_rsa, sizeof ssh_rsa - 1);
    put_mpint(w, ex.e, ex.e_len);
    put_mpint(w, ex.n, ex.n_len);
    seal_rsa_export_free(&ex);
    return writer_status(w);
}

gpg_err_code_t ssh_encode_public_line(const struct seal_rsa_key *key, char **out, size_t *outlen)
{
    struct writer blob;
    size_t cap, n = 0, prefix = sizeof ssh_rsa; /* "ssh-rsa " */
    char *line = NULL;
    gpg_err_code_t err;

    *out = NULL;
    *outlen = 0;
    writer_init(&blob, KEY_FILE_MAX, false);
    if ((err = ssh_write_public_blob(key, &blob)) != 0)
        goto out;
    cap = prefix + b64_encoded_len(writer_len(&blob)) + 2;
    if (!(line = malloc(cap))) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        goto out;
    }
    memcpy(line, ssh_rsa, prefix - 1);
    line[prefix - 1] = ' ';
    if ((err = b64_encode(writer_data(&blob), writer_len(&blob), true, line + prefix, cap - prefix,
                          &n)) != 0)
        goto out;
    line[prefix + n] = '\n';
    line[prefix + n + 1] = '\0';
    *out = line;
    *outlen = prefix + n + 1;
    line = NULL;
out:
    free(line);
    writer_free(&blob);
    return err;
}

gpg_err_code_t ssh_fingerprint_text(const struct seal_rsa_key *key, char out[SSH_FPR_TEXT_LEN])
{
    uint8_t hash[SEAL_SHA256_LEN];
    struct writer blob;
    gpg_err_code_t err;

    out[0] = '\0';
    writer_init(&blob, KEY_FILE_MAX, false);
    if ((err = ssh_write_public_blob(key, &blob)) == 0) {
        seal_sha256(writer_data(&blob), writer_len(&blob), hash);
        b64_sha256_text(hash, out);
    }
    writer_free(&blob);
    return err;
}
