/*
 * RSA keys in DER: SubjectPublicKeyInfo (RFC 5280), PKCS#1 RSAPublicKey and
 * RSAPrivateKey (RFC 8017 A.1), PKCS#8 PrivateKeyInfo (RFC 5208).
 * Validity of the numbers (size, exponent, consistency) is crypto/rsa.c's job.
 */
#include <stdio.h>
#include <string.h>

#include "keys/der.h"
#include "keys/keys_internal.h"

const uint8_t key_oid_rsa_encryption[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
const uint8_t key_oid_pbes2[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
const uint8_t key_oid_pbkdf2[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c};
const uint8_t key_oid_hmac_sha256[8] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09};
const uint8_t key_oid_scrypt[9] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b};
const uint8_t key_oid_aes256_cbc[9] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
const uint8_t key_oid_aes128_cbc[9] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02};

/* Password-based encryption schemes live under PKCS#5 (1.2.840.113549.1.5)
 * and PKCS#12 (1.2.840.113549.1.12.1): an AlgorithmIdentifier there marks an
 * EncryptedPrivateKeyInfo, whichever scheme it names. */
static const uint8_t key_oid_pkcs5_prefix[8] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05};
static const uint8_t key_oid_pkcs12_pbe_prefix[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                     0x0d, 0x01, 0x0c, 0x01};

/* Key algorithms we can name when refusing them. */
static const struct {
    uint8_t oid[9];
    size_t len;
    const char *name;
} key_other_algorithms[] = {
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}, 7, "EC"},
    {{0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01}, 7, "DSA"},
    {{0x2b, 0x65, 0x70}, 3, "Ed25519"},
    {{0x2b, 0x65, 0x71}, 3, "Ed448"},
    {{0x2b, 0x65, 0x6e}, 3, "X25519"},
    {{0x2b, 0x65, 0x6f}, 3, "X448"},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a}, 9, "RSA-PSS (restricted)"},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x03, 0x01}, 9, "DH"},
};

static bool oid_has_prefix(const uint8_t *oid, size_t len, const uint8_t *prefix, size_t plen)
{
    return len > plen && memcmp(oid, prefix, plen) == 0;
}

/* Dotted text of OID for details ("1.2.840..."). False if it does not fit
 * in CAP or has an arc too large for 64 bits: the caller then says so
 * instead of showing half a name. */
static bool oid_text(const uint8_t *oid, size_t len, char *buf, size_t cap)
{
    size_t i, o = 0;
    uint64_t v = 0;
    bool first = true;
    int n;

    buf[0] = '\0';
    for (i = 0; i < len; i++) {
        if (v > (UINT64_MAX >> 7))
            return false;
        v = v << 7 | (oid[i] & 0x7f);
        if (oid[i] & 0x80)
            continue;
        if (first) {
            unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2;
            n = snprintf(buf + o, cap - o, "%u.%llu", top,
                         (unsigned long long)(v - 40 * (uint64_t)top));
            first = false;
        } else {
            n = snprintf(buf + o, cap - o, ".%llu", (unsigned long long)v);
        }
        if (n < 0 || (size_t)n >= cap - o)
            return false;
        o += (size_t)n;
        v = 0;
    }
    return o > 0;
}

/* Reads an AlgorithmIdentifier that must be rsaEncryption with NULL
 * parameters; anything else is GPG_ERR_PUBKEY_ALGO naming the algorithm. */
static gpg_err_code_t key_get_rsa_algorithm(struct reader *r)
{
    struct reader alg;
    const uint8_t *oid;
    size_t oidlen, i;
    char text[136]; /* a 32-byte OID prints in at most 128 characters */
    gpg_err_code_t err;

    if ((err = der_get_sequence(r, &alg)) != 0)
        return err;
    if ((err = der_get_oid(&alg, &oid, &oidlen)) != 0)
        return err;
    if (!der_oid_equal(oid, oidlen, key_oid_rsa_encryption, sizeof key_oid_rsa_encryption)) {
        for (i = 0; i < sizeof key_other_algorithms / sizeof key_other_algorithms[0]; i++) {
            if (der_oid_equal(oid, oidlen, key_other_algorithms[i].oid,
                              key_other_algorithms[i].len))
                return seal_fail(GPG_ERR_PUBKEY_ALGO, "%s key: only RSA keys are supported",
                                 key_other_algorithms[i].name);
        }
        if (!oid_text(oid, oidlen, text, sizeof text))
            snprintf(text, sizeof text, "(OID not printable)");
        return seal_fail(GPG_ERR_PUBKEY_ALGO,
                         "unsupported key algorithm %s: only RSA keys are supported", text);
    }
    /* RFC 3279 2.3.1: the parameters MUST be NULL; not absent, not anything
     * else. */
    if (der_get_null(&alg) != 0)
        return seal_fail_override(GPG_ERR_INV_OBJ, "DER: rsaEncryption parameters must be NULL");
    return der_expect_end(&alg, "algorithm parameters");
}

gpg_err_code_t key_der_classify(const uint8_t *der, size_t len, enum key_kind *kind)
{
    struct reader r, body, alg;
    const uint8_t *p;
    size_t n;
    uint8_t tag;
    gpg_err_code_t err;

    *kind = KEY_SPKI;
    reader_init(&r, der, len);
    if ((err = der_get_sequence(&r, &body)) != 0)
        return err;
    if ((err = der_expect_end(&r, "key")) != 0)
        return err;
    if (der_peek_tag(&body, &tag) != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "DER: empty key structure");
    if (tag == DER_SEQUENCE) {
        if ((err = der_get_sequence(&body, &alg)) != 0)
            return err;
        if ((err = der_get_oid(&alg, &p, &n)) != 0)
            return err;
        if (oid_has_prefix(p, n, key_oid_pkcs5_prefix, sizeof key_oid_pkcs5_prefix) ||
            oid_has_prefix(p, n, key_oid_pkcs12_pbe_prefix, sizeof key_oid_pkcs12_pbe_prefix))
            *kind = KEY_PKCS8_ENCRYPTED;
        else
            *kind = KEY_SPKI;
        return 0;
    }
    if (tag == DER_INTEGER) {
        if ((err = der_get_integer(&body, KEY_INT_MAX, &p, &n)) != 0)
            return err;
        if (der_peek_tag(&body, &tag) != 0)
            return seal_fail(GPG_ERR_INV_OBJ, "DER: not a key (a lone INTEGER)");
        if (tag == DER_SEQUENCE) {
            *kind = KEY_PKCS8;
            return 0;
        }
        if (tag != DER_INTEGER)
            return seal_fail(GPG_ERR_INV_OBJ, "DER: not a key (unrecognised structure)");
        if ((err = der_get_integer(&body, KEY_INT_MAX, &p, &n)) != 0)
            return err;
        *kind = reader_remaining(&body) == 0 ? KEY_PKCS1_PUBLIC : KEY_PKCS1_PRIVATE;
        return 0;
    }
    return seal_fail(GPG_ERR_INV_OBJ, "DER: not a key (unrecognised structure)");
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER },
 * read from R (which must hold exactly that). */
static gpg_err_code_t key_get_rsa_public(struct reader *r, struct seal_rsa_key **key)
{
    struct reader seq;
    struct seal_bignum n, e;
    gpg_err_code_t err;

    if ((err = der_get_sequence(r, &seq)) != 0)
        return err;
    if ((err = der_expect_end(r, "key")) != 0)
        return err;
    if ((err = der_get_integer(&seq, KEY_INT_MAX, &n.data, &n.len)) != 0)
        return err;
    if ((err = der_get_integer(&seq, KEY_INT_MAX, &e.data, &e.len)) != 0)
        return err;
    if ((err = der_expect_end(&seq, "RSA public key")) != 0)
        return err;
    return seal_rsa_from_public(n, e, key);
}

gpg_err_code_t key_parse_pkcs1_public(const uint8_t *der, size_t len, struct seal_rsa_key **key)
{
    struct reader r;

    *key = NULL;
    reader_init(&r, der, len);
    return key_get_rsa_public(&r, key);
}

gpg_err_code_t key_parse_spki(const uint8_t *der, size_t len, struct seal_rsa_key **key)
{
    struct reader r, spki, bits;
    const uint8_t *p;
    size_t n;
    gpg_err_code_t err;

    *key = NULL;
    reader_init(&r, der, len);
    if ((err = der_get_sequence(&r, &spki)) != 0)
        return err;
    if ((err = der_expect_end(&r, "key")) != 0)
        return err;
    if ((err = key_get_rsa_algorithm(&spki)) != 0)
        return err;
    if ((err = der_get_bit_string(&spki, &p, &n)) != 0)
        return err;
    if ((err = der_expect_end(&spki, "public key info")) != 0)
        return err;
    reader_init(&bits, p, n);
    return key_get_rsa_public(&bits, key);
}

/* RSAPrivateKey, exactly filling R. The integers are borrowed from R's
 * bytes (secure memory) and copied by crypto/rsa.c. */
static gpg_err_code_t key_get_rsa_private(struct reader *r, struct seal_rsa_key **key)
{
    struct reader seq;
    struct seal_rsa_private_parts parts;
    struct seal_bignum *fields[8];
    uint64_t version;
    size_t i;
    gpg_err_code_t err;

    memset(&parts, 0, sizeof parts);
    fields[0] = &parts.n;
    fields[1] = &parts.e;
    fields[2] = &parts.d;
    fields[3] = &parts.p;
    fields[4] = &parts.q;
    fields[5] = &parts.dp;
    fields[6] = &parts.dq;
    fields[7] = &parts.qinv;
    if ((err = der_get_sequence(r, &seq)) != 0)
        return err;
    if ((err = der_expect_end(r, "key")) != 0)
        return err;
    if ((err = der_get_uint(&seq, UINT64_MAX, "RSAPrivateKey version", &version)) != 0)
        return err;
    if (version == 1)
        return seal_fail(GPG_ERR_PUBKEY_ALGO, "multi-prime RSA keys are not supported");
    if (version != 0)
        return seal_fail(GPG_ERR_UNKNOWN_VERSION, "unknown RSAPrivateKey version");
    for (i = 0; i < 8; i++) {
        if ((err = der_get_integer(&seq, KEY_INT_MAX, &fields[i]->data, &fields[i]->len)) != 0)
            return err;
    }
    if ((err = der_expect_end(&seq, "RSA private key")) != 0)
        return err;
    return seal_rsa_from_private(&parts, key);
}

gpg_err_code_t key_parse_pkcs1_private(const uint8_t *der, size_t len, struct seal_rsa_key **key)
{
    struct reader r;

    *key = NULL;
    reader_init(&r, der, len);
    return key_get_rsa_private(&r, key);
}

gpg_err_code_t key_parse_pkcs8(const uint8_t *der, size_t len, struct seal_rsa_key **key)
{
    struct reader r, info, inner;
    const uint8_t *p;
    size_t n;
    uint64_t version;
    uint8_t tag;
    gpg_err_code_t err;

    *key = NULL;
    reader_init(&r, der, len);
    if ((err = der_get_sequence(&r, &info)) != 0)
        return err;
    if ((err = der_expect_end(&r, "key")) != 0)
        return err;
    /* Version 1 (RFC 5958 OneAsymmetricKey) adds an optional public key
     * that OpenSSL never writes for RSA; we accept version 0 only. */
    if ((err = der_get_uint(&info, UINT64_MAX, "PKCS#8 version", &version)) != 0)
        return err;
    /* Version 1 is a valid key file seal does not read (exit 4); any other
     * is no PKCS#8 at all. */
    if (version == 1)
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY,
                         "PKCS#8 version 1 (OneAsymmetricKey) not supported");
    if (version != 0)
        return seal_fail(GPG_ERR_UNKNOWN_VERSION, "unsupported PKCS#8 version");
    if ((err = key_get_rsa_algorithm(&info)) != 0)
        return err;
    if ((err = der_get_octet_string(&info, 1, KEY_FILE_MAX, &p, &n)) != 0)
        return err;
    /* attributes [0] IMPLICIT SET OF Attribute OPTIONAL: nothing in them
     * concerns us, but they must be well-formed DER. */
    if (der_peek_tag(&info, &tag) == 0 && tag == DER_CONTEXT(0)) {
        if ((err = der_skip_element(&info)) != 0)
            return err;
    }
    if ((err = der_expect_end(&info, "private key info")) != 0)
        return err;
    reader_init(&inner, p, n);
    return key_get_rsa_private(&inner, key);
}

/* ---- writing ------------------------------------------------------------ */

static gpg_err_code_t key_write_rsa_algorithm(struct writer *w)
{
    struct writer alg;
    gpg_err_code_t err;

    writer_init(&alg, 64, false);
    der_put_oid(&alg, key_oid_rsa_encryption, sizeof key_oid_rsa_encryption);
    der_put_null(&alg);
    err = der_put_wrapped(w, DER_SEQUENCE, &alg);
    writer_free(&alg);
    return err;
}

gpg_err_code_t key_write_spki(const struct seal_rsa_key *key, struct writer *w)
{
    struct seal_rsa_export ex;
    struct writer rsa, bits, spki;
    gpg_err_code_t err;

    memset(&ex, 0, sizeof ex);
    writer_init(&rsa, KEY_FILE_MAX, false);
    writer_init(&bits, KEY_FILE_MAX, false);
    writer_init(&spki, KEY_FILE_MAX, false);
    if ((err = seal_rsa_export(key, false, &ex)) != 0)
        goto out;
    der_put_integer(&rsa, ex.n, ex.n_len);
    der_put_integer(&rsa, ex.e, ex.e_len);
    writer_put_u8(&bits, 0); /* no unused bits */
    der_put_wrapped(&bits, DER_SEQUENCE, &rsa);
    if ((err = key_write_rsa_algorithm(&spki)) != 0)
        goto out;
    der_put_wrapped(&spki, DER_BIT_STRING, &bits);
    err = der_put_wrapped(w, DER_SEQUENCE, &spki);
out:
    seal_rsa_export_free(&ex);
    writer_free(&rsa);
    writer_free(&bits);
    writer_free(&spki);
    return err;
}

gpg_err_code_t key_write_pkcs8(const struct seal_rsa_key *key, struct writer *w)
{
    struct seal_rsa_export ex;
    struct writer rsa, rsaseq, info;
    gpg_err_code_t err;

    memset(&ex, 0, sizeof ex);
    writer_init(&rsa, KEY_FILE_MAX, true);
    writer_init(&rsaseq, KEY_FILE_MAX, true);
    writer_init(&info, KEY_FILE_MAX, true);
    if ((err = seal_rsa_export(key, true, &ex)) != 0)
        goto out;
    der_put_uint(&rsa, 0);
    der_put_integer(&rsa, ex.n, ex.n_len);
    der_put_integer(&rsa, ex.e, ex.e_len);
    der_put_integer(&rsa, ex.d, ex.d_len);
    der_put_integer(&rsa, ex.p, ex.p_len);
    der_put_integer(&rsa, ex.q, ex.q_len);
    der_put_integer(&rsa, ex.dp, ex.dp_len);
    der_put_integer(&rsa, ex.dq, ex.dq_len);
    der_put_integer(&rsa, ex.qinv, ex.qinv_len);
    der_put_wrapped(&rsaseq, DER_SEQUENCE, &rsa);
    der_put_uint(&info, 0);
    if ((err = key_write_rsa_algorithm(&info)) != 0)
        goto out;
    der_put_wrapped(&info, DER_OCTET_STRING, &rsaseq);
    err = der_put_wrapped(w, DER_SEQUENCE, &info);
out:
    seal_rsa_export_free(&ex);
    writer_free(&rsa);
    writer_free(&rsaseq);
    writer_free(&info);
    return err;
}
