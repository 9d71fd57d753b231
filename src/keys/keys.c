/*
 * Key files: PEM or DER in, the right parser, passphrases, fingerprints, and
 * PEM out. The structures themselves are in rsa_der.c and pbes2.c.
 */
#include "keys/keys.h"

#include <stdlib.h>
#include <string.h>

#include "keys/base64.h"
#include "keys/der.h"
#include "base/fileio.h"
#include "keys/keys_internal.h"
#include "keys/pem.h"
#include "keys/ssh.h"

_Static_assert(SSH_FPR_TEXT_LEN == SEAL_FPR_TEXT_LEN && SEAL_FPR_TEXT_LEN == B64_SHA256_TEXT_LEN &&
                   SEAL_FPR_LEN == 32,
               "both fingerprints print alike, through b64_sha256_text()");

/* What a caller wants from a key file. */
enum key_want {
    WANT_PUBLIC_ONLY, /* a public key file: a private key is refused */
    WANT_PUBLIC,      /* a public key, or the public half of a private key */
    WANT_PRIVATE,     /* a key pair */
};

static enum key_kind key_kind_of_label(enum pem_label label)
{
    switch (label) {
    case PEM_PUBLIC_KEY:
        return KEY_SPKI;
    case PEM_RSA_PUBLIC_KEY:
        return KEY_PKCS1_PUBLIC;
    case PEM_PRIVATE_KEY:
        return KEY_PKCS8;
    case PEM_RSA_PRIVATE_KEY:
        return KEY_PKCS1_PRIVATE;
    case PEM_ENCRYPTED_PRIVATE_KEY:
        return KEY_PKCS8_ENCRYPTED;
    case PEM_OPENSSH_PRIVATE_KEY:
        return KEY_SSH_PRIVATE;
    }
    return KEY_SPKI;
}

/* Where the passphrase of an encrypted key comes from: a callback, or a
 * passphrase the caller already has (PASS non-NULL). */
struct key_pass_source {
    key_passphrase_fn get_pass;
    void *ctx;
    const char *name;
    const char *pass;
    size_t passlen;
    bool *needs_pass;
};

/* Decrypts and parses an EncryptedPrivateKeyInfo. */
static gpg_err_code_t key_decrypt_private(const uint8_t *der, size_t len,
                                          const struct key_pass_source *src,
                                          struct seal_rsa_key **key)
{
    char *asked = NULL;
    const char *pass = src->pass;
    size_t passlen = src->passlen, plainlen = 0;
    uint8_t *plain = NULL;
    gpg_err_code_t err;

    if (pass == NULL) {
        if (src->needs_pass != NULL)
            *src->needs_pass = true;
        if (src->get_pass == NULL)
            return seal_fail(GPG_ERR_NO_PASSPHRASE, "key is encrypted and no passphrase was given");
        if ((err = src->get_pass(src->ctx, src->name, &asked, &passlen)) != 0)
            return seal_fail(err, "passphrase not available");
        if (asked == NULL)
            return seal_fail(GPG_ERR_NO_PASSPHRASE, "no passphrase");
        pass = asked;
    }
    err = key_pbes2_decrypt(der, len, pass, passlen, &plain, &plainlen);
    if (err == 0) {
        err = key_parse_pkcs8(plain, plainlen, key);
        /* Garbage after decryption means the key was wrong (or the file
         * damaged, which we cannot tell apart): padding happens to pass for
         * about 1 in 256 wrong passphrases. */
        if (err == GPG_ERR_INV_OBJ || err == GPG_ERR_TRUNCATED || err == GPG_ERR_UNKNOWN_VERSION)
            err = seal_fail_override(GPG_ERR_BAD_PASSPHRASE, "wrong passphrase or corrupted key");
    }
    seal_secure_free(plain, plainlen);
    if (asked != NULL)
        seal_secure_free(asked, passlen + 1);
    return err;
}

/* Replaces *KEY (a key pair) by a key holding only its public half. */
static gpg_err_code_t key_to_public(struct seal_rsa_key **key)
{
    struct seal_rsa_export ex;
    struct seal_rsa_key *pub = NULL;
    struct seal_bignum n, e;
    gpg_err_code_t err;

    memset(&ex, 0, sizeof ex);
    if ((err = seal_rsa_export(*key, false, &ex)) != 0)
        return err;
    n.data = ex.n;
    n.len = ex.n_len;
    e.data = ex.e;
    e.len = ex.e_len;
    err = seal_rsa_from_public(n, e, &pub);
    seal_rsa_export_free(&ex);
    if (err != 0)
        return err;
    seal_rsa_free(*key);
    *key = pub;
    return 0;
}

/* Parses DER (DERLEN bytes) holding a private key of KIND. */
static gpg_err_code_t key_decode_private_kind(enum key_kind kind, const uint8_t *der, size_t derlen,
                                              const struct key_pass_source *src,
                                              struct seal_rsa_key **key)
{
    switch (kind) {
    case KEY_PKCS8:
        return key_parse_pkcs8(der, derlen, key);
    case KEY_PKCS1_PRIVATE:
        return key_parse_pkcs1_private(der, derlen, key);
    case KEY_PKCS8_ENCRYPTED:
        return key_decrypt_private(der, derlen, src, key);
    case KEY_SSH_PRIVATE:
        return ssh_parse_private(der, derlen, key);
    default:
        return seal_fail(GPG_ERR_INTERNAL, "unknown key kind");
    }
}

/* Decodes any accepted key in DATA: PEM (by its label), DER (by its
 * structure) or an OpenSSH public key line. WANT says what is refused: a
 * public key for WANT_PRIVATE, a private key for WANT_PUBLIC_ONLY (before
 * any passphrase is asked); WANT_PUBLIC reduces a private key to its
 * public half. */
static gpg_err_code_t key_decode(const uint8_t *data, size_t len, enum key_want want,
                                 const struct key_pass_source *src, struct seal_rsa_key **key)
{
    bool want_private = want == WANT_PRIVATE;
    uint8_t *pemder = NULL;
    const uint8_t *der;
    size_t derlen = 0;
    enum pem_label label;
    enum key_kind kind;
    gpg_err_code_t err;

    *key = NULL;
    if (len == 0)
        return seal_fail(GPG_ERR_INV_DATA, "empty key file");
    if (len > KEY_FILE_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "key file larger than %d bytes", KEY_FILE_MAX);
    /* Every key structure is a DER SEQUENCE (0x30), which no PEM file
     * starts with. */
    if (data[0] != DER_SEQUENCE && ssh_looks_like_public(data, len)) {
        der = data;
        derlen = len;
        kind = KEY_SSH_PUBLIC;
    } else if (data[0] != DER_SEQUENCE && pem_looks_like_pem(data, len)) {
        if ((err = pem_decode(data, len, &label, &pemder, &derlen)) != 0)
            return err;
        der = pemder;
        kind = key_kind_of_label(label);
    } else {
        if (data[0] != DER_SEQUENCE)
            return seal_fail(GPG_ERR_INV_DATA, "not a key file (neither PEM nor DER)");
        der = data;
        derlen = len;
        if ((err = key_der_classify(der, derlen, &kind)) != 0)
            return err == GPG_ERR_TRUNCATED ? GPG_ERR_INV_OBJ : err;
    }

    switch (kind) {
    case KEY_SPKI:
    case KEY_PKCS1_PUBLIC:
    case KEY_SSH_PUBLIC:
        if (want_private) {
            err = seal_fail(GPG_ERR_BAD_SECKEY, "this is a public key; a private key is needed");
            break;
        }
        if (kind == KEY_SPKI)
            err = key_parse_spki(der, derlen, key);
        else if (kind == KEY_PKCS1_PUBLIC)
            err = key_parse_pkcs1_public(der, derlen, key);
        else
            err = ssh_decode_public_file(der, derlen, key);
        break;
    default:
        if (want == WANT_PUBLIC_ONLY) {
            /* Told by its label or structure alone: a recipient's secret
             * is never decoded, nor its passphrase asked. */
            err = seal_fail(GPG_ERR_WRONG_KEY_USAGE, "a private key; a public key is needed here");
            break;
        }
        err = key_decode_private_kind(kind, der, derlen, src, key);
        break;
    }
    if (err == 0 && !want_private && seal_rsa_has_private(*key))
        err = key_to_public(key);
    /* A key file that ends early is malformed, not a failed authentication
     * (the class errors.h gives GPG_ERR_TRUNCATED); the detail stays. */
    if (err == GPG_ERR_TRUNCATED)
        err = GPG_ERR_INV_OBJ;
    if (err != 0) {
        seal_rsa_free(*key);
        *key = NULL;
    }
    seal_secure_free(pemder, derlen);
    return err;
}

gpg_err_code_t key_decode_public(const uint8_t *data, size_t len, struct seal_rsa_key **key)
{
    struct key_pass_source src = {0};

    return key_decode(data, len, WANT_PUBLIC, &src, key);
}

gpg_err_code_t key_decode_public_only(const uint8_t *data, size_t len, struct seal_rsa_key **key)
{
    struct key_pass_source src = {0};

    return key_decode(data, len, WANT_PUBLIC_ONLY, &src, key);
}

gpg_err_code_t key_decode_public_pass(const uint8_t *data, size_t len, key_passphrase_fn get_pass,
                                      void *ctx, const char *name, struct seal_rsa_key **key)
{
    struct key_pass_source src = {0};

    src.get_pass = get_pass;
    src.ctx = ctx;
    src.name = name;
    return key_decode(data, len, WANT_PUBLIC, &src, key);
}

gpg_err_code_t key_decode_private(const uint8_t *data, size_t len, const char *pass, size_t passlen,
                                  bool *needs_pass, struct seal_rsa_key **key)
{
    struct key_pass_source src = {0};

    if (needs_pass != NULL)
        *needs_pass = false;
    src.pass = pass;
    src.passlen = passlen;
    src.needs_pass = needs_pass;
    return key_decode(data, len, WANT_PRIVATE, &src, key);
}

gpg_err_code_t key_decode_private_pass(const uint8_t *data, size_t len, key_passphrase_fn get_pass,
                                       void *ctx, const char *name, struct seal_rsa_key **key)
{
    struct key_pass_source src = {0};

    src.get_pass = get_pass;
    src.ctx = ctx;
    src.name = name;
    return key_decode(data, len, WANT_PRIVATE, &src, key);
}

gpg_err_code_t key_from_rsa(struct seal_rsa_key **rsa, struct seal_key **key)
{
    struct seal_key *k;
    gpg_err_code_t err;

    *key = NULL;
    if (!(k = calloc(1, sizeof *k)))
        return seal_errno_code();
    if ((err = key_fingerprint(*rsa, k->fpr)) != 0) {
        free(k);
        return err;
    }
    k->rsa = *rsa;
    *rsa = NULL;
    *key = k;
    return 0;
}

void key_free(struct seal_key *key)
{
    if (!key)
        return;
    seal_rsa_free(key->rsa);
    free(key);
}

/* Wraps what a decoder returned (ERR, *RSA) into a loaded key. */
static gpg_err_code_t loaded(gpg_err_code_t err, struct seal_rsa_key *rsa, struct seal_key **key)
{
    if (err == 0)
        err = key_from_rsa(&rsa, key);
    seal_rsa_free(rsa);
    return err;
}

/* Reads PATH into secure memory (the file may be an unencrypted private key
 * even when only its public half is wanted) and decodes it. Only a private
 * key's file mode is checked: reading the public half of a private key needs
 * no protection, and refusing would only get in the way. */
static gpg_err_code_t load_file(const char *path, enum key_want want, key_passphrase_fn get_pass,
                                void *ctx, struct seal_key **key)
{
    bool private_key = want == WANT_PRIVATE;
    struct seal_rsa_key *rsa = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    gpg_err_code_t err;

    *key = NULL;
    seal_clear_detail();
    if ((err = file_read_all(path, KEY_FILE_MAX, true, private_key, &data, &len)) != 0)
        return err;
    if (want == WANT_PUBLIC_ONLY)
        err = key_decode_public_only(data, len, &rsa);
    else if (private_key)
        err = key_decode_private_pass(data, len, get_pass, ctx, path, &rsa);
    else
        err = key_decode_public_pass(data, len, get_pass, ctx, path, &rsa);
    seal_secure_free(data, len);
    return loaded(err, rsa, key);
}

gpg_err_code_t key_load_public(const char *path, key_passphrase_fn get_pass, void *ctx,
                               struct seal_key **key)
{
    return load_file(path, WANT_PUBLIC, get_pass, ctx, key);
}

gpg_err_code_t key_load_public_only(const char *path, struct seal_key **key)
{
    return load_file(path, WANT_PUBLIC_ONLY, NULL, NULL, key);
}

gpg_err_code_t key_load_private(const char *path, key_passphrase_fn get_pass, void *ctx,
                                struct seal_key **key)
{
    return load_file(path, WANT_PRIVATE, get_pass, ctx, key);
}

gpg_err_code_t key_fingerprint(const struct seal_rsa_key *key, uint8_t fpr[SEAL_FPR_LEN])
{
    struct writer w;
    gpg_err_code_t err;

    memset(fpr, 0, SEAL_FPR_LEN);
    writer_init(&w, KEY_FILE_MAX, false);
    if ((err = key_write_spki(key, &w)) == 0)
        seal_sha256(writer_data(&w), writer_len(&w), fpr);
    writer_free(&w);
    return err;
}

void key_fingerprint_text(const uint8_t fpr[SEAL_FPR_LEN], char out[SEAL_FPR_TEXT_LEN])
{
    b64_sha256_text(fpr, out);
}

gpg_err_code_t key_encode_public_der(const struct seal_rsa_key *key, struct writer *w)
{
    return key_write_spki(key, w);
}

gpg_err_code_t key_encode_public_pem(const struct seal_rsa_key *key, char **out, size_t *outlen)
{
    struct writer w;
    gpg_err_code_t err;

    *out = NULL;
    *outlen = 0;
    writer_init(&w, KEY_FILE_MAX, false);
    if ((err = key_write_spki(key, &w)) == 0)
        err = pem_encode(PEM_PUBLIC_KEY, writer_data(&w), writer_len(&w), false, out, outlen);
    writer_free(&w);
    return err;
}

gpg_err_code_t key_encode_private_pem(const struct seal_rsa_key *key, const char *pass,
                                      size_t passlen, char **out, size_t *outlen)
{
    struct writer plain, enc;
    gpg_err_code_t err;

    *out = NULL;
    *outlen = 0;
    writer_init(&plain, KEY_FILE_MAX, true);
    writer_init(&enc, KEY_FILE_MAX, false);
    if (!seal_rsa_has_private(key)) {
        err = seal_fail(GPG_ERR_NO_SECKEY, "no private key to encode");
        goto out;
    }
    if ((err = key_write_pkcs8(key, &plain)) != 0)
        goto out;
    if (pass == NULL) {
        err =
            pem_encode(PEM_PRIVATE_KEY, writer_data(&plain), writer_len(&plain), true, out, outlen);
        goto out;
    }
    if ((err = key_pbes2_encrypt(writer_data(&plain), writer_len(&plain), pass, passlen, &enc)) !=
        0)
        goto out;
    err = pem_encode(PEM_ENCRYPTED_PRIVATE_KEY, writer_data(&enc), writer_len(&enc), true, out,
                     outlen);
out:
    writer_free(&plain);
    writer_free(&enc);
    return err;
}
