/*
 * The crypto wrapper, RSA half: import checks, generation, export, OAEP and
 * PSS. See crypto.h for the contracts. Everything libgcrypt is lenient about
 * (RSA input lengths and ranges, OAEP/PSS defaults, the CRT coefficient
 * convention) is pinned down here so that no caller has to know.
 */
#include "crypto/crypto.h"
#include "crypto/rsa_internal.h"

#include "base/buf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

/* Largest integer accepted from a key file, in bytes: an 8192-bit modulus,
 * with room for nothing more. Caps the work before any MPI is allocated. */
#define MAX_INT_BYTES (SEAL_RSA_MAX_BITS / 8)
/* OAEP with SHA-256: the message may use k - 2*32 - 2 bytes. */
#define OAEP_OVERHEAD (2 * SEAL_SHA256_LEN + 2)
#define PSS_SALT_LEN SEAL_SHA256_LEN /* salt as long as the hash */

/* ---- RSA ----------------------------------------------------------------- */

/*
 * Integers are kept in libgcrypt's convention: p, q and u = p^-1 mod q.
 * PKCS#1 (and OpenSSL) store qinv = q^-1 mod p, so PKCS#1's p is our q and
 * PKCS#1's q is our p; import and export swap them. libgcrypt's generator
 * makes p < q, so exported keys have p > q as OpenSSL writes them.
 */
struct seal_rsa_key {
    gcry_sexp_t pub;  /* (public-key (rsa (n)(e))) */
    gcry_sexp_t priv; /* (private-key (rsa (n)(e)(d)(p)(q)(u))), secure; or NULL */
    gcry_mpi_t n, e;
    gcry_mpi_t d, p, q, u; /* secure; NULL for a public key */
    unsigned bits;
    size_t k;
};

static void release_mpis(gcry_mpi_t *m, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        gcry_mpi_release(m[i]);
        m[i] = NULL;
    }
}

/* Reads a big-endian unsigned integer. SECURE integers are scanned from a
 * secure copy, which makes libgcrypt allocate the MPI in secure memory. */
static gpg_err_code_t scan_uint(struct seal_bignum b, bool secure, gcry_mpi_t *out)
{
    const uint8_t *p = b.data;
    size_t len = b.len;
    uint8_t *copy = NULL;
    gpg_err_code_t err;

    *out = NULL;
    while (len > 0 && *p == 0) {
        p++;
        len--;
    }
    /* No integer of a key is longer than its modulus: a longer one is a key
     * over the size cap, a policy refusal of a valid key (exit 4), as in
     * check_public. */
    if (len > MAX_INT_BYTES) {
        unsigned bits = (unsigned)(len - 1) * 8;
        for (unsigned top = p[0]; top; top >>= 1)
            bits++;
        return seal_fail(GPG_ERR_UNUSABLE_PUBKEY, "RSA key of %u bits is too large (at most %u)",
                         bits, SEAL_RSA_MAX_BITS);
    }
    if (len == 0) {
        *out = secure ? gcry_mpi_snew(0) : gcry_mpi_new(0);
        return 0;
    }
    if (secure) {
        if (!(copy = seal_secure_malloc(len)))
            return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        memcpy(copy, p, len);
        p = copy;
    }
    err = gcry_err_code(gcry_mpi_scan(out, GCRYMPI_FMT_USG, p, len, NULL));
    seal_secure_free(copy, len);
    if (err)
        return seal_fail(err, "cannot read an RSA integer");
    return 0;
}

static gpg_err_code_t check_public(gcry_mpi_t n, gcry_mpi_t e, unsigned min_bits)
{
    unsigned bits = gcry_mpi_get_nbits(n);

    if (bits < min_bits)
        return seal_fail(GPG_ERR_WEAK_KEY, "RSA key of %u bits is too weak (at least %u)", bits,
                         min_bits);
    if (bits > SEAL_RSA_MAX_BITS)
        return seal_fail(GPG_ERR_UNUSABLE_PUBKEY, "RSA key of %u bits is too large (at most %u)",
                         bits, SEAL_RSA_MAX_BITS);
    if (!gcry_mpi_test_bit(n, 0))
        return seal_fail(GPG_ERR_BAD_PUBKEY, "RSA modulus is even");
    if (!gcry_mpi_test_bit(e, 0) || gcry_mpi_cmp_ui(e, 3) < 0 || gcry_mpi_get_nbits(e) > 64)
        return seal_fail(GPG_ERR_BAD_PUBKEY, "RSA public exponent is not odd, >= 3 and < 2^64");
    return 0;
}

/* true iff A mod M == 1 (M > 1). */
static bool mod_is_one(gcry_mpi_t a, gcry_mpi_t m)
{
    gcry_mpi_t r = gcry_mpi_snew(0);
    bool one;

    gcry_mpi_mod(r, a, m);
    one = gcry_mpi_cmp_ui(r, 1) == 0;
    gcry_mpi_release(r);
    return one;
}

/* Checks a key pair in libgcrypt's convention: n = p*q, 0 < d < n,
 * e*d = 1 mod lcm(p-1, q-1), u*p = 1 mod q with u < q. */
static gpg_err_code_t check_private(gcry_mpi_t n, gcry_mpi_t e, gcry_mpi_t d, gcry_mpi_t p,
                                    gcry_mpi_t q, gcry_mpi_t u)
{
    gcry_mpi_t t = gcry_mpi_snew(0), p1 = gcry_mpi_snew(0), q1 = gcry_mpi_snew(0);
    gcry_mpi_t g = gcry_mpi_snew(0), l = gcry_mpi_snew(0);
    gpg_err_code_t err;

    if (gcry_mpi_cmp_ui(p, 1) <= 0 || gcry_mpi_cmp_ui(q, 1) <= 0) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA prime is not above 1");
        goto out;
    }
    gcry_mpi_mul(t, p, q);
    if (gcry_mpi_cmp(t, n) != 0) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA modulus is not p*q");
        goto out;
    }
    if (gcry_mpi_cmp_ui(d, 0) == 0 || gcry_mpi_cmp(d, n) >= 0) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA private exponent out of range");
        goto out;
    }
    gcry_mpi_sub_ui(p1, p, 1);
    gcry_mpi_sub_ui(q1, q, 1);
    gcry_mpi_gcd(g, p1, q1);
    gcry_mpi_mul(t, p1, q1);
    gcry_mpi_div(l, NULL, t, g, 0);
    gcry_mpi_mul(t, e, d);
    if (!mod_is_one(t, l)) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA private exponent does not match e");
        goto out;
    }
    gcry_mpi_mul(t, u, p);
    if (gcry_mpi_cmp(u, q) >= 0 || !mod_is_one(t, q)) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA CRT coefficient is wrong");
        goto out;
    }
    err = 0;
out:
    gcry_mpi_release(t);
    gcry_mpi_release(p1);
    gcry_mpi_release(q1);
    gcry_mpi_release(g);
    gcry_mpi_release(l);
    return err;
}

/* Builds a key from M[0..5] = n, e, d, p, q, u (libgcrypt convention; d..u
 * NULL for a public key) after validating them. Takes ownership of M. */
static gpg_err_code_t build_key(gcry_mpi_t m[6], unsigned min_bits, struct seal_rsa_key **out)
{
    struct seal_rsa_key *key = NULL;
    gpg_err_code_t err;
    bool priv = m[2] != NULL;

    *out = NULL;
    if ((err = check_public(m[0], m[1], min_bits)))
        goto out;
    if (priv && (err = check_private(m[0], m[1], m[2], m[3], m[4], m[5])))
        goto out;
    if (!(key = calloc(1, sizeof *key))) {
        err = seal_errno_code();
        goto out;
    }
    err =
        gcry_err_code(gcry_sexp_build(&key->pub, NULL, "(public-key(rsa(n%m)(e%m)))", m[0], m[1]));
    if (!err && priv)
        /* The secure MPIs make libgcrypt put this S-expression in secure
         * memory. */
        err = gcry_err_code(gcry_sexp_build(&key->priv, NULL,
                                            "(private-key(rsa(n%m)(e%m)(d%m)(p%m)(q%m)(u%m)))",
                                            m[0], m[1], m[2], m[3], m[4], m[5]));
    if (err) {
        err = seal_fail(err, "cannot build the RSA key");
        goto out;
    }
    key->n = m[0];
    key->e = m[1];
    key->d = m[2];
    key->p = m[3];
    key->q = m[4];
    key->u = m[5];
    memset(m, 0, 6 * sizeof m[0]); /* ownership moved to KEY */
    key->bits = gcry_mpi_get_nbits(key->n);
    key->k = (key->bits + 7) / 8;
    *out = key;
    key = NULL;
out:
    seal_rsa_free(key);
    release_mpis(m, 6);
    return err;
}

gpg_err_code_t seal_rsa_from_public(struct seal_bignum n, struct seal_bignum e,
                                    struct seal_rsa_key **out)
{
    gcry_mpi_t m[6] = {0};
    gpg_err_code_t err;

    *out = NULL;
    if ((err = scan_uint(n, false, &m[0])) || (err = scan_uint(e, false, &m[1]))) {
        release_mpis(m, 6);
        return err;
    }
    return build_key(m, SEAL_RSA_MIN_BITS, out);
}

/* True if PARTS has neither dp nor dq (both data NULL). */
static bool crt_exponents_absent(const struct seal_rsa_private_parts *parts)
{
    return parts->dp.data == NULL && parts->dq.data == NULL;
}

/* PKCS#1 import: checks dp, dq and qinv against the PKCS#1 p and q, then
 * swaps p and q into libgcrypt's convention (u = qinv). */
static gpg_err_code_t from_private(const struct seal_rsa_private_parts *parts, unsigned min_bits,
                                   struct seal_rsa_key **out)
{
    gcry_mpi_t n = NULL, e = NULL, d = NULL, p = NULL, q = NULL, dp = NULL, dq = NULL, qinv = NULL;
    gcry_mpi_t t = gcry_mpi_snew(0), r = gcry_mpi_snew(0);
    gpg_err_code_t err;

    *out = NULL;
    if ((err = scan_uint(parts->n, false, &n)) || (err = scan_uint(parts->e, false, &e)) ||
        (err = scan_uint(parts->d, true, &d)) || (err = scan_uint(parts->p, true, &p)) ||
        (err = scan_uint(parts->q, true, &q)) || (err = scan_uint(parts->qinv, true, &qinv)))
        goto out;
    /* OpenSSH's files leave out dp and dq: libgcrypt computes them from d,
     * p and q, so there is nothing to check. */
    if (!crt_exponents_absent(parts) &&
        ((err = scan_uint(parts->dp, true, &dp)) || (err = scan_uint(parts->dq, true, &dq))))
        goto out;
    /* Public checks first, so that a weak key reports as weak. */
    if ((err = check_public(n, e, min_bits)))
        goto out;
    if (gcry_mpi_cmp_ui(p, 1) <= 0 || gcry_mpi_cmp_ui(q, 1) <= 0) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA prime is not above 1");
        goto out;
    }
    gcry_mpi_sub_ui(t, p, 1);
    gcry_mpi_mod(r, d, t);
    if (dp && gcry_mpi_cmp(r, dp) != 0) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA exponent1 (d mod p-1) is wrong");
        goto out;
    }
    gcry_mpi_sub_ui(t, q, 1);
    gcry_mpi_mod(r, d, t);
    if (dq && gcry_mpi_cmp(r, dq) != 0) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA exponent2 (d mod q-1) is wrong");
        goto out;
    }
    /* PKCS#1: qinv = q^-1 mod p. */
    gcry_mpi_mul(t, qinv, q);
    if (gcry_mpi_cmp(qinv, p) >= 0 || !mod_is_one(t, p)) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "RSA coefficient (q^-1 mod p) is wrong");
        goto out;
    }
    {
        /* libgcrypt's p is PKCS#1's q and vice versa; then u = qinv. */
        gcry_mpi_t m[6] = {n, e, d, q, p, qinv};

        n = e = d = q = p = qinv = NULL; /* ownership moved to build_key */
        err = build_key(m, min_bits, out);
    }
out:
    gcry_mpi_release(n);
    gcry_mpi_release(e);
    gcry_mpi_release(d);
    gcry_mpi_release(p);
    gcry_mpi_release(q);
    gcry_mpi_release(dp);
    gcry_mpi_release(dq);
    gcry_mpi_release(qinv);
    gcry_mpi_release(t);
    gcry_mpi_release(r);
    return err;
}

gpg_err_code_t seal_rsa_from_private(const struct seal_rsa_private_parts *parts,
                                     struct seal_rsa_key **out)
{
    return from_private(parts, SEAL_RSA_MIN_BITS, out);
}

gpg_err_code_t seal_rsa_from_private_min(const struct seal_rsa_private_parts *parts,
                                         unsigned min_bits, struct seal_rsa_key **out)
{
    return from_private(parts, min_bits < SEAL_RSA_FLOOR_BITS ? SEAL_RSA_FLOOR_BITS : min_bits,
                        out);
}

/* Reads a canonical length prefix "DIGITS:" (at most 4 digits: no field of
 * a key S-expression is longer). */
static gpg_err_code_t canon_len(struct reader *r, size_t *len)
{
    uint8_t c;
    size_t n = 0, digits = 0;

    *len = 0;
    for (;;) {
        if (reader_get_u8(r, &c))
            return GPG_ERR_INV_SEXP;
        if (c == ':')
            break;
        if (c < '0' || c > '9' || ++digits > 4)
            return GPG_ERR_INV_SEXP;
        n = n * 10 + (size_t)(c - '0');
    }
    if (digits == 0)
        return GPG_ERR_INV_SEXP;
    *len = n;
    return 0;
}

/*
 * Finds n, e, d, p, q, u in the canonical encoding CANON of a generated key
 * pair: "...(11:private-key(3:rsa(1:n<len>:<bytes>)...(1:u<len>:<bytes>))...".
 * Walking the bytes ourselves avoids gcry_sexp_find_token and friends, which
 * copy sub-lists of a secure S-expression into ordinary, unwiped heap.
 */
static gpg_err_code_t canon_rsa_private(const uint8_t *canon, size_t len, struct seal_bignum out[6])
{
    static const char head[] = "(11:private-key(3:rsa";
    static const char names[] = "nedpqu";
    const size_t hlen = sizeof head - 1;
    struct reader r;
    size_t off, found = 0;

    memset(out, 0, 6 * sizeof out[0]);
    for (off = 0; off + hlen <= len; off++)
        if (memcmp(canon + off, head, hlen) == 0)
            break;
    if (off + hlen > len)
        return GPG_ERR_INV_SEXP;
    reader_init(&r, canon + off + hlen, len - off - hlen);
    for (;;) {
        const uint8_t *name, *value;
        size_t nl, vl;
        uint8_t c;
        const char *slot;

        if (reader_get_u8(&r, &c))
            return GPG_ERR_INV_SEXP;
        if (c == ')')
            break;
        if (c != '(' || canon_len(&r, &nl) || reader_get_view(&r, nl, &name))
            return GPG_ERR_INV_SEXP;
        if (canon_len(&r, &vl) || reader_get_view(&r, vl, &value) || reader_get_u8(&r, &c) ||
            c != ')')
            return GPG_ERR_INV_SEXP;
        /* Other parameters (none in libgcrypt 1.10) are skipped. */
        if (nl != 1 || name[0] == '\0' || !(slot = memchr(names, name[0], 6)))
            continue;
        if (out[slot - names].data)
            return GPG_ERR_INV_SEXP;
        out[slot - names].data = value;
        out[slot - names].len = vl;
        found++;
    }
    return found == 6 ? 0 : GPG_ERR_INV_SEXP;
}

static gpg_err_code_t generate(unsigned bits, unsigned min_bits, struct seal_rsa_key **out)
{
    gcry_sexp_t params = NULL, pair = NULL;
    gcry_mpi_t m[6] = {0};
    struct seal_bignum f[6];
    uint8_t *canon = NULL;
    size_t canon_cap = 0, canon_len_ = 0;
    gpg_err_code_t err;

    *out = NULL;
    err = gcry_err_code(
        gcry_sexp_build(&params, NULL, "(genkey(rsa(nbits%u)(rsa-use-e%u)))", bits, 65537u));
    if (err) {
        err = seal_fail(err, "cannot build RSA parameters");
        goto out;
    }
    if ((err = gcry_err_code(gcry_pk_genkey(&pair, params)))) {
        err = seal_fail(err, "RSA key generation failed");
        goto out;
    }
    /* The pair is in secure memory; copy it, canonical, to secure memory. */
    canon_cap = gcry_sexp_sprint(pair, GCRYSEXP_FMT_CANON, NULL, 0);
    if (!canon_cap || !(canon = seal_secure_malloc(canon_cap))) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        goto out;
    }
    canon_len_ = gcry_sexp_sprint(pair, GCRYSEXP_FMT_CANON, canon, canon_cap);
    if (!canon_len_ || (err = canon_rsa_private(canon, canon_len_, f))) {
        err = seal_fail(GPG_ERR_BAD_SECKEY, "cannot read the generated RSA key");
        goto out;
    }
    if ((err = scan_uint(f[0], false, &m[0])) || (err = scan_uint(f[1], false, &m[1])) ||
        (err = scan_uint(f[2], true, &m[2])) || (err = scan_uint(f[3], true, &m[3])) ||
        (err = scan_uint(f[4], true, &m[4])) || (err = scan_uint(f[5], true, &m[5])))
        goto out;
    /* Validate what libgcrypt made with the same checks as an imported key. */
    err = build_key(m, min_bits, out);
out:
    release_mpis(m, 6);
    seal_secure_free(canon, canon_cap);
    gcry_sexp_release(params);
    gcry_sexp_release(pair);
    return err;
}

gpg_err_code_t seal_rsa_generate(unsigned bits, struct seal_rsa_key **out)
{
    *out = NULL;
    if (bits != 2048 && bits != 3072 && bits != 4096)
        return seal_fail(GPG_ERR_INV_VALUE, "RSA key size %u is not 2048, 3072 or 4096", bits);
    return generate(bits, SEAL_RSA_MIN_BITS, out);
}

gpg_err_code_t seal_rsa_generate_min(unsigned bits, unsigned min_bits, struct seal_rsa_key **out)
{
    *out = NULL;
    if (min_bits < SEAL_RSA_FLOOR_BITS)
        min_bits = SEAL_RSA_FLOOR_BITS;
    if (bits < min_bits || bits > SEAL_RSA_MAX_BITS)
        return seal_fail(GPG_ERR_INV_VALUE, "RSA key size %u is out of range", bits);
    return generate(bits, min_bits, out);
}

/* Minimal big-endian bytes of M (one 0x00 for zero) in secure memory. */
static gpg_err_code_t export_uint(gcry_mpi_t m, uint8_t **out, size_t *outlen)
{
    size_t len = 0;
    gpg_err_code_t err;

    *out = NULL;
    *outlen = 0;
    if ((err = gcry_err_code(gcry_mpi_print(GCRYMPI_FMT_USG, NULL, 0, &len, m))))
        return seal_fail(err, "cannot export an RSA integer");
    if (len == 0) {
        if (!(*out = seal_secure_malloc(1)))
            return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        *outlen = 1;
        return 0;
    }
    if (!(*out = seal_secure_malloc(len)))
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    if ((err = gcry_err_code(gcry_mpi_print(GCRYMPI_FMT_USG, *out, len, &len, m)))) {
        seal_secure_free(*out, len);
        *out = NULL;
        return seal_fail(err, "cannot export an RSA integer");
    }
    *outlen = len;
    return 0;
}

gpg_err_code_t seal_rsa_export(const struct seal_rsa_key *key, bool want_private,
                               struct seal_rsa_export *out)
{
    gcry_mpi_t dp = NULL, dq = NULL, t = NULL;
    gpg_err_code_t err;

    memset(out, 0, sizeof *out);
    if (want_private && !key->d)
        return seal_fail(GPG_ERR_NO_SECKEY, "the RSA key has no private part");
    if ((err = export_uint(key->n, &out->n, &out->n_len)) ||
        (err = export_uint(key->e, &out->e, &out->e_len)))
        goto out;
    if (!want_private)
        goto out;
    /* PKCS#1 p is libgcrypt's q, PKCS#1 q is libgcrypt's p, qinv is u. */
    dp = gcry_mpi_snew(0);
    dq = gcry_mpi_snew(0);
    t = gcry_mpi_snew(0);
    gcry_mpi_sub_ui(t, key->q, 1);
    gcry_mpi_mod(dp, key->d, t);
    gcry_mpi_sub_ui(t, key->p, 1);
    gcry_mpi_mod(dq, key->d, t);
    if ((err = export_uint(key->d, &out->d, &out->d_len)) ||
        (err = export_uint(key->q, &out->p, &out->p_len)) ||
        (err = export_uint(key->p, &out->q, &out->q_len)) ||
        (err = export_uint(dp, &out->dp, &out->dp_len)) ||
        (err = export_uint(dq, &out->dq, &out->dq_len)) ||
        (err = export_uint(key->u, &out->qinv, &out->qinv_len)))
        goto out;
out:
    gcry_mpi_release(dp);
    gcry_mpi_release(dq);
    gcry_mpi_release(t);
    if (err)
        seal_rsa_export_free(out);
    return err;
}

void seal_rsa_export_free(struct seal_rsa_export *ex)
{
    if (!ex)
        return;
    seal_secure_free(ex->n, ex->n_len);
    seal_secure_free(ex->e, ex->e_len);
    seal_secure_free(ex->d, ex->d_len);
    seal_secure_free(ex->p, ex->p_len);
    seal_secure_free(ex->q, ex->q_len);
    seal_secure_free(ex->dp, ex->dp_len);
    seal_secure_free(ex->dq, ex->dq_len);
    seal_secure_free(ex->qinv, ex->qinv_len);
    memset(ex, 0, sizeof *ex);
}

unsigned seal_rsa_bits(const struct seal_rsa_key *key)
{
    return key->bits;
}

size_t seal_rsa_modulus_len(const struct seal_rsa_key *key)
{
    return key->k;
}

bool seal_rsa_has_private(const struct seal_rsa_key *key)
{
    return key->priv != NULL;
}

void seal_rsa_free(struct seal_rsa_key *key)
{
    if (!key)
        return;
    gcry_sexp_release(key->pub);
    gcry_sexp_release(key->priv);
    gcry_mpi_release(key->n);
    gcry_mpi_release(key->e);
    gcry_mpi_release(key->d);
    gcry_mpi_release(key->p);
    gcry_mpi_release(key->q);
    gcry_mpi_release(key->u);
    free(key);
}

/* Writes the integer in the second element of token NAME of SEXP as exactly
 * K big-endian bytes. */
static gpg_err_code_t sexp_uint_padded(gcry_sexp_t sexp, const char *name, uint8_t *out, size_t k)
{
    gcry_sexp_t l = gcry_sexp_find_token(sexp, name, 0);
    gcry_mpi_t m = NULL;
    size_t len = 0;
    gpg_err_code_t err = GPG_ERR_INV_OBJ;

    if (!l || !(m = gcry_sexp_nth_mpi(l, 1, GCRYMPI_FMT_USG)))
        goto out;
    if ((err = gcry_err_code(gcry_mpi_print(GCRYMPI_FMT_USG, NULL, 0, &len, m))))
        goto out;
    if (len > k) {
        err = GPG_ERR_INV_OBJ;
        goto out;
    }
    memset(out, 0, k - len);
    err = gcry_err_code(gcry_mpi_print(GCRYMPI_FMT_USG, out + (k - len), len, NULL, m));
out:
    gcry_mpi_release(m);
    gcry_sexp_release(l);
    return err;
}

/* Reads an RSA input (ciphertext or signature) of exactly k bytes as an
 * integer below n. libgcrypt accepts other lengths and values >= n, which
 * would make one signature or ciphertext have several encodings. */
static bool scan_rsa_input(const struct seal_rsa_key *key, const uint8_t *in, size_t len,
                           gcry_mpi_t *out)
{
    *out = NULL;
    if (len != key->k)
        return false;
    if (gcry_mpi_scan(out, GCRYMPI_FMT_USG, in, len, NULL))
        return false;
    if (gcry_mpi_cmp(*out, key->n) >= 0) {
        gcry_mpi_release(*out);
        *out = NULL;
        return false;
    }
    return true;
}

gpg_err_code_t seal_rsa_oaep_encrypt(const struct seal_rsa_key *key, const void *label,
                                     size_t labellen, const uint8_t *msg, size_t msglen,
                                     uint8_t *out)
{
    gcry_sexp_t data = NULL, enc = NULL;
    gpg_err_code_t err;

    /* libgcrypt 1.10 refuses an empty (value) with "Invalid object". */
    if (msglen == 0)
        return seal_fail(GPG_ERR_INV_LENGTH, "RSA-OAEP cannot encrypt an empty message");
    if (key->k < OAEP_OVERHEAD || msglen > key->k - OAEP_OVERHEAD)
        return seal_fail(GPG_ERR_TOO_LARGE, "message of %zu bytes is too long for RSA-OAEP",
                         msglen);
    if (labellen > INT_MAX || msglen > INT_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "OAEP label too long");
    /* OAEP's hash would default to SHA-1: name SHA-256 (also used by MGF1).
     * An empty label is left out: libgcrypt's default is the empty label. */
    if (labellen)
        err = gcry_err_code(
            gcry_sexp_build(&data, NULL, "(data(flags oaep)(hash-algo sha256)(label%b)(value%b))",
                            (int)labellen, label, (int)msglen, msg));
    else
        err = gcry_err_code(gcry_sexp_build(
            &data, NULL, "(data(flags oaep)(hash-algo sha256)(value%b))", (int)msglen, msg));
    if (err) {
        err = seal_fail(err, "cannot build the OAEP input");
        goto out;
    }
    if ((err = gcry_err_code(gcry_pk_encrypt(&enc, data, key->pub)))) {
        err = seal_fail(err, "RSA-OAEP encryption failed");
        goto out;
    }
    if ((err = sexp_uint_padded(enc, "a", out, key->k)))
        err = seal_fail(err, "unexpected RSA-OAEP output");
out:
    gcry_sexp_release(data);
    gcry_sexp_release(enc);
    return err;
}

gpg_err_code_t seal_rsa_oaep_decrypt(const struct seal_rsa_key *key, const void *label,
                                     size_t labellen, const uint8_t *ct, size_t ctlen, uint8_t *out,
                                     size_t outcap, size_t *outlen)
{
    gcry_sexp_t enc = NULL, plain = NULL;
    gcry_mpi_t c = NULL;
    const char *msg, *tok;
    size_t len = 0;
    gpg_err_code_t err = GPG_ERR_DECRYPT_FAILED;

    *outlen = 0;
    if (!key->priv)
        return seal_fail(GPG_ERR_NO_SECKEY, "the RSA key has no private part");
    if (labellen > INT_MAX || !scan_rsa_input(key, ct, ctlen, &c))
        goto out;
    if (labellen)
        err = gcry_err_code(gcry_sexp_build(
            &enc, NULL, "(enc-val(flags oaep)(hash-algo sha256)(label%b)(rsa(a%m)))", (int)labellen,
            label, c));
    else
        err = gcry_err_code(
            gcry_sexp_build(&enc, NULL, "(enc-val(flags oaep)(hash-algo sha256)(rsa(a%m)))", c));
    if (err || gcry_pk_decrypt(&plain, enc, key->priv)) {
        err = GPG_ERR_DECRYPT_FAILED;
        goto out;
    }
    err = GPG_ERR_DECRYPT_FAILED;
    /* libgcrypt answers (value PLAINTEXT) when padding flags are given. Read
     * it in place: gcry_sexp_find_token would copy the plaintext out of
     * secure memory. */
    if (!(tok = gcry_sexp_nth_data(plain, 0, &len)) || len != 5 || memcmp(tok, "value", 5) != 0)
        goto out;
    if (!(msg = gcry_sexp_nth_data(plain, 1, &len)) || len > outcap)
        goto out;
    memcpy(out, msg, len);
    *outlen = len;
    err = 0;
out:
    gcry_mpi_release(c);
    gcry_sexp_release(enc);
    gcry_sexp_release(plain); /* secure memory: wiped on release */
    if (err) {
        /* One code and one detail for every failure: no padding oracle. */
        return seal_fail(GPG_ERR_DECRYPT_FAILED, "RSA-OAEP decryption failed");
    }
    return 0;
}

/* The PSS input for DIGEST. libgcrypt's defaults (salt 20, whatever hash the
 * caller names) are overridden: SHA-256, MGF1-SHA-256, salt 32. libgcrypt
 * checks that a verified signature's salt has exactly this length. */
static gpg_err_code_t pss_data(const uint8_t digest[SEAL_SHA256_LEN], gcry_sexp_t *data)
{
    return gcry_err_code(gcry_sexp_build(
        data, NULL, "(data(flags pss)(hash-algo sha256)(salt-length%u)(hash sha256%b))",
        (unsigned)PSS_SALT_LEN, (int)SEAL_SHA256_LEN, digest));
}

gpg_err_code_t seal_rsa_pss_sign(const struct seal_rsa_key *key,
                                 const uint8_t digest[SEAL_SHA256_LEN], uint8_t *sig)
{
    gcry_sexp_t data = NULL, s = NULL;
    gpg_err_code_t err;

    if (!key->priv)
        return seal_fail(GPG_ERR_NO_SECKEY, "the RSA key has no private part");
    if ((err = pss_data(digest, &data))) {
        err = seal_fail(err, "cannot build the PSS input");
        goto out;
    }
    if ((err = gcry_err_code(gcry_pk_sign(&s, data, key->priv)))) {
        err = seal_fail(err, "RSA-PSS signing failed");
        goto out;
    }
    if ((err = sexp_uint_padded(s, "s", sig, key->k))) {
        err = seal_fail(err, "unexpected RSA-PSS output");
        goto out;
    }
    /* A faulty CRT computation would leak the key in the signature; and no
     * unverified signature leaves this function. */
    if (seal_rsa_pss_verify(key, digest, sig, key->k)) {
        seal_wipe(sig, key->k);
        err = seal_fail_override(GPG_ERR_BAD_SIGNATURE, "fresh RSA-PSS signature does not verify");
    }
out:
    gcry_sexp_release(data);
    gcry_sexp_release(s);
    return err;
}

gpg_err_code_t seal_rsa_pss_verify(const struct seal_rsa_key *key,
                                   const uint8_t digest[SEAL_SHA256_LEN], const uint8_t *sig,
                                   size_t siglen)
{
    gcry_sexp_t data = NULL, s = NULL;
    gcry_mpi_t m = NULL;
    gpg_err_code_t err = GPG_ERR_BAD_SIGNATURE;

    if (!scan_rsa_input(key, sig, siglen, &m)) {
        err = seal_fail(GPG_ERR_BAD_SIGNATURE, "RSA signature is not %zu bytes below the modulus",
                        key->k);
        goto out;
    }
    if (pss_data(digest, &data) || gcry_sexp_build(&s, NULL, "(sig-val(rsa(s%m)))", m)) {
        err = seal_fail(GPG_ERR_BAD_SIGNATURE, "cannot build the PSS input");
        goto out;
    }
    if (gcry_pk_verify(s, data, key->pub)) {
        err = seal_fail(GPG_ERR_BAD_SIGNATURE, "RSA-PSS signature does not verify");
        goto out;
    }
    err = 0;
out:
    gcry_mpi_release(m);
    gcry_sexp_release(data);
    gcry_sexp_release(s);
    return err;
}
