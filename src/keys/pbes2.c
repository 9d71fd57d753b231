/*
 * Encrypted PKCS#8 (RFC 5208 EncryptedPrivateKeyInfo) with PBES2 (RFC 8018):
 * key derivation PBKDF2-HMAC-SHA256 or scrypt (RFC 7914), cipher
 * AES-256-CBC or, when reading, AES-128-CBC. These are exactly what OpenSSL 3
 * writes for `genpkey -aes-256-cbc`, `pkcs8 -topk8 -v2 aes-256-cbc`,
 * `pkcs8 -topk8 -scrypt`, and (AES-128-CBC, OpenSSL's default cipher) for
 * `pkcs8 -topk8` and `ssh-keygen -p -m PKCS8`, the conversion seal advises
 * for an encrypted OpenSSH key. Nothing else is accepted, and the work a key file
 * may demand is capped before any derivation starts, so a hostile file
 * cannot make us spin or allocate gigabytes.
 *
 * Writing parameters: scrypt with N = 2^14, r = 8, p = 8. OpenSSL 3.0 derives
 * scrypt keys with a fixed 32 MiB memory limit when reading PKCS#8 (it
 * passes maxmem = 0, i.e. SCRYPT_MAX_MEM, in PKCS5_v2_scrypt_keyivgen), and
 * r = 8 needs 128 * r * (N + 2) bytes, so N = 2^14 is the largest N that
 * `openssl pkey` can open. p = 8 buys the CPU cost of N = 2^17, p = 1
 * (scrypt's work is proportional to N * r * p) while staying readable.
 */
#include <stdlib.h>
#include <string.h>

#include "keys/der.h"
#include "keys/keys_internal.h"

/* What the parameters of one EncryptedPrivateKeyInfo say. */
struct pbes2_params {
    bool scrypt; /* else PBKDF2-HMAC-SHA256 */
    const uint8_t *salt;
    size_t saltlen;
    uint64_t iterations; /* PBKDF2 */
    uint64_t n, r, p;    /* scrypt */
    const uint8_t *iv;   /* 16 bytes */
    size_t keylen;       /* the cipher's: 16 (AES-128) or 32 (AES-256) */
    uint64_t kdf_keylen; /* what the KDF parameters say, 0 if absent */
    const uint8_t *ct;
    size_t ctlen;
};

/* keyLength is optional; if present it must be the cipher's (checked
 * once the cipher is known). */
static gpg_err_code_t pbes2_get_key_length(struct reader *r, struct pbes2_params *pp)
{
    uint8_t tag;
    gpg_err_code_t err;

    if (der_peek_tag(r, &tag) != 0 || tag != DER_INTEGER)
        return 0;
    if ((err = der_get_uint(r, UINT64_MAX, "key length", &pp->kdf_keylen)) != 0)
        return err;
    if (pp->kdf_keylen != 16 && pp->kdf_keylen != SEAL_AES256_KEY_LEN)
        return seal_fail(GPG_ERR_INV_OBJ, "key encryption: key length %llu is not 16 or %d",
                         (unsigned long long)pp->kdf_keylen, SEAL_AES256_KEY_LEN);
    return 0;
}

static gpg_err_code_t pbes2_get_salt(struct reader *r, struct pbes2_params *pp)
{
    uint8_t tag;
    gpg_err_code_t err;

    /* PBKDF2 also allows an AlgorithmIdentifier as "otherSource": never
     * used in practice, refused. */
    if (der_peek_tag(r, &tag) == 0 && tag != DER_OCTET_STRING)
        return seal_fail(GPG_ERR_BAD_SECKEY, "key encryption: salt source not supported");
    if ((err = der_get_octet_string(r, 0, KEY_FILE_MAX, &pp->salt, &pp->saltlen)) != 0)
        return err;
    /* A valid file (PKCS#5 sets no bounds) outside the bounds seal reads:
     * a policy refusal, exit 4 like the other caps. */
    if (pp->saltlen < KEY_SALT_MIN || pp->saltlen > KEY_SALT_MAX)
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY, "key encryption: salt of %zu bytes (want %d..%d)",
                         pp->saltlen, KEY_SALT_MIN, KEY_SALT_MAX);
    return 0;
}

/* PBKDF2-params ::= SEQUENCE { salt, iterationCount, keyLength OPTIONAL,
 *                              prf DEFAULT hmacWithSHA1 } */
static gpg_err_code_t pbes2_get_pbkdf2(struct reader *r, struct pbes2_params *pp)
{
    struct reader seq, prf;
    const uint8_t *oid;
    size_t oidlen;
    uint8_t tag;
    gpg_err_code_t err;

    if ((err = der_get_sequence(r, &seq)) != 0)
        return err;
    if ((err = pbes2_get_salt(&seq, pp)) != 0)
        return err;
    if ((err = der_get_uint(&seq, UINT64_MAX, "PBKDF2 iteration count", &pp->iterations)) != 0)
        return err;
    if (pp->iterations < 1)
        return seal_fail(GPG_ERR_INV_OBJ, "key encryption: PBKDF2 iteration count is 0");
    if (pp->iterations > KEY_PBKDF2_MAX_ITER) /* policy, see scrypt below */
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY,
                         "key encryption: PBKDF2 iteration count %llu "
                         "outside 1..%lu",
                         (unsigned long long)pp->iterations, KEY_PBKDF2_MAX_ITER);
    if ((err = pbes2_get_key_length(&seq, pp)) != 0)
        return err;
    if (der_peek_tag(&seq, &tag) != 0)
        return seal_fail(GPG_ERR_BAD_SECKEY, "key encryption: PBKDF2 with HMAC-SHA1 not "
                                             "supported (use -v2prf hmacWithSHA256)");
    if ((err = der_get_sequence(&seq, &prf)) != 0)
        return err;
    if ((err = der_get_oid(&prf, &oid, &oidlen)) != 0)
        return err;
    if (!der_oid_equal(oid, oidlen, key_oid_hmac_sha256, sizeof key_oid_hmac_sha256))
        return seal_fail(GPG_ERR_BAD_SECKEY, "key encryption: PBKDF2 PRF not supported "
                                             "(only hmacWithSHA256)");
    /* The parameters are NULL as OpenSSL writes them; some writers leave
     * them out, which RFC 8018 tolerates. */
    if (reader_remaining(&prf) != 0 && (err = der_get_null(&prf)) != 0)
        return err;
    if ((err = der_expect_end(&prf, "PBKDF2 PRF")) != 0)
        return err;
    return der_expect_end(&seq, "PBKDF2 parameters");
}

/* scrypt-params ::= SEQUENCE { salt OCTET STRING, costParameter INTEGER,
 *     blockSize INTEGER, parallelizationParameter INTEGER,
 *     keyLength INTEGER OPTIONAL } */
static gpg_err_code_t pbes2_get_scrypt(struct reader *r, struct pbes2_params *pp)
{
    struct reader seq;
    gpg_err_code_t err;

    pp->scrypt = true;
    if ((err = der_get_sequence(r, &seq)) != 0)
        return err;
    if ((err = pbes2_get_salt(&seq, pp)) != 0)
        return err;
    if ((err = der_get_uint(&seq, UINT64_MAX, "scrypt N", &pp->n)) != 0 ||
        (err = der_get_uint(&seq, UINT64_MAX, "scrypt r", &pp->r)) != 0 ||
        (err = der_get_uint(&seq, UINT64_MAX, "scrypt p", &pp->p)) != 0)
        return err;
    if ((err = pbes2_get_key_length(&seq, pp)) != 0)
        return err;
    if ((err = der_expect_end(&seq, "scrypt parameters")) != 0)
        return err;
    /* Caps first: a hostile file must be refused before any work. */
    if (pp->n > KEY_SCRYPT_MAX_N)
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY, "key encryption: scrypt N above 2^20");
    if (pp->n < 2 || (pp->n & (pp->n - 1)) != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "key encryption: scrypt N is not a power of two >= 2");
    if (pp->p < 1)
        return seal_fail(GPG_ERR_INV_OBJ, "key encryption: scrypt p is 0");
    /* Policy refusals of valid parameters share one code (and exit status):
     * the file is fine, we only decline the work it asks for. */
    if (pp->p > KEY_SCRYPT_MAX_P)
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY, "key encryption: scrypt p outside 1..%d",
                         KEY_SCRYPT_MAX_P);
    if (pp->r != 8)
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY,
                         "key encryption: scrypt r=%llu not supported "
                         "(libgcrypt implements r=8 only)",
                         (unsigned long long)pp->r);
    /* Both factors are capped above, so the product cannot overflow. */
    if (pp->n * pp->p > KEY_SCRYPT_MAX_WORK)
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY, "key encryption: scrypt work N*p above 2^20");
    if (128 * pp->r * pp->n > KEY_SCRYPT_MAX_MEM)
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY, "key encryption: scrypt needs more than 1 GiB");
    return 0;
}

static gpg_err_code_t pbes2_parse(const uint8_t *der, size_t len, struct pbes2_params *pp)
{
    struct reader r, epki, alg, params, kdf, enc;
    const uint8_t *oid;
    size_t oidlen, ivlen;
    gpg_err_code_t err;

    memset(pp, 0, sizeof *pp);
    reader_init(&r, der, len);
    if ((err = der_get_sequence(&r, &epki)) != 0)
        return err;
    if ((err = der_expect_end(&r, "key")) != 0)
        return err;
    if ((err = der_get_sequence(&epki, &alg)) != 0)
        return err;
    if ((err = der_get_oid(&alg, &oid, &oidlen)) != 0)
        return err;
    if (!der_oid_equal(oid, oidlen, key_oid_pbes2, sizeof key_oid_pbes2))
        return seal_fail(GPG_ERR_UNUSABLE_SECKEY, "key encryption: only PBES2 is supported");
    if ((err = der_get_sequence(&alg, &params)) != 0)
        return err;
    if ((err = der_expect_end(&alg, "PBES2 algorithm")) != 0)
        return err;

    if ((err = der_get_sequence(&params, &kdf)) != 0)
        return err;
    if ((err = der_get_oid(&kdf, &oid, &oidlen)) != 0)
        return err;
    if (der_oid_equal(oid, oidlen, key_oid_pbkdf2, sizeof key_oid_pbkdf2))
        err = pbes2_get_pbkdf2(&kdf, pp);
    else if (der_oid_equal(oid, oidlen, key_oid_scrypt, sizeof key_oid_scrypt))
        err = pbes2_get_scrypt(&kdf, pp);
    else
        err = seal_fail(GPG_ERR_BAD_SECKEY, "key encryption: key derivation not supported "
                                            "(only PBKDF2 and scrypt)");
    if (err != 0)
        return err;
    if ((err = der_expect_end(&kdf, "key derivation")) != 0)
        return err;

    if ((err = der_get_sequence(&params, &enc)) != 0)
        return err;
    if ((err = der_get_oid(&enc, &oid, &oidlen)) != 0)
        return err;
    if (der_oid_equal(oid, oidlen, key_oid_aes256_cbc, sizeof key_oid_aes256_cbc))
        pp->keylen = SEAL_AES256_KEY_LEN;
    else if (der_oid_equal(oid, oidlen, key_oid_aes128_cbc, sizeof key_oid_aes128_cbc))
        pp->keylen = 16;
    else
        return seal_fail(GPG_ERR_BAD_SECKEY, "key encryption: cipher not supported "
                                             "(only aes-256-cbc and aes-128-cbc)");
    if (pp->kdf_keylen != 0 && pp->kdf_keylen != pp->keylen)
        return seal_fail(GPG_ERR_INV_OBJ, "key encryption: key length %llu is not the cipher's %zu",
                         (unsigned long long)pp->kdf_keylen, pp->keylen);
    if ((err = der_get_octet_string(&enc, SEAL_AES_BLOCK_LEN, SEAL_AES_BLOCK_LEN, &pp->iv,
                                    &ivlen)) != 0)
        return err;
    if ((err = der_expect_end(&enc, "cipher parameters")) != 0)
        return err;
    if ((err = der_expect_end(&params, "PBES2 parameters")) != 0)
        return err;

    if ((err = der_get_octet_string(&epki, SEAL_AES_BLOCK_LEN, KEY_FILE_MAX, &pp->ct,
                                    &pp->ctlen)) != 0)
        return err;
    if (pp->ctlen % SEAL_AES_BLOCK_LEN != 0)
        return seal_fail(GPG_ERR_INV_OBJ, "key encryption: ciphertext not a whole number "
                                          "of blocks");
    return der_expect_end(&epki, "encrypted key");
}

/* Derives the AES key into KEY (secure memory, pp->keylen bytes). */
static gpg_err_code_t pbes2_derive(const struct pbes2_params *pp, const char *pass, size_t passlen,
                                   uint8_t *key)
{
    if (pp->scrypt)
        return seal_scrypt(pass, passlen, pp->salt, pp->saltlen, pp->n, (uint32_t)pp->r,
                           (uint32_t)pp->p, key, pp->keylen);
    return seal_pbkdf2_sha256(pass, passlen, pp->salt, pp->saltlen, (unsigned long)pp->iterations,
                              key, pp->keylen);
}

gpg_err_code_t key_pbes2_decrypt(const uint8_t *der, size_t len, const char *pass, size_t passlen,
                                 uint8_t **plain, size_t *plainlen)
{
    struct pbes2_params pp;
    uint8_t *key = NULL, *buf = NULL;
    size_t i, pad;
    unsigned bad;
    gpg_err_code_t err;

    *plain = NULL;
    *plainlen = 0;
    if ((err = pbes2_parse(der, len, &pp)) != 0)
        return err;
    key = seal_secure_malloc(SEAL_AES256_KEY_LEN);
    buf = seal_secure_malloc(pp.ctlen);
    if (key == NULL || buf == NULL) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        goto out;
    }
    if ((err = pbes2_derive(&pp, pass, passlen, key)) != 0)
        goto out;
    if ((err = seal_aes_cbc_decrypt(key, pp.keylen, pp.iv, pp.ct, pp.ctlen, buf)) != 0)
        goto out;
    /* PKCS#7 padding: 1..16 bytes, each holding the count. Checked without
     * early exit; there is no oracle here, but it costs nothing. */
    pad = buf[pp.ctlen - 1];
    bad = (pad == 0) | (pad > SEAL_AES_BLOCK_LEN);
    for (i = 1; i <= SEAL_AES_BLOCK_LEN; i++) {
        unsigned in_pad = i <= pad;
        bad |= in_pad & (buf[pp.ctlen - i] != pad);
    }
    if (bad) {
        err = seal_fail(GPG_ERR_BAD_PASSPHRASE, "wrong passphrase or corrupted key");
        goto out;
    }
    *plain = buf;
    *plainlen = pp.ctlen - pad;
    /* The wipe of *plain by the caller covers *plainlen bytes; wipe the
     * padding now. */
    seal_wipe(buf + *plainlen, pad);
    buf = NULL;
    err = 0;
out:
    seal_secure_free(key, SEAL_AES256_KEY_LEN);
    seal_secure_free(buf, pp.ctlen);
    return err;
}

gpg_err_code_t key_pbes2_encrypt_params(const uint8_t *plain, size_t len, const char *pass,
                                        size_t passlen, uint64_t n, uint32_t r, uint32_t p,
                                        struct writer *w)
{
    uint8_t salt[KEY_PBES2_SALT_LEN], iv[SEAL_AES_BLOCK_LEN];
    uint8_t *key = NULL, *buf = NULL, *ct = NULL;
    size_t padded = (len / SEAL_AES_BLOCK_LEN + 1) * SEAL_AES_BLOCK_LEN, pad = padded - len;
    struct writer sparams, kdf, enc, params, alg, epki;
    gpg_err_code_t err;

    writer_init(&sparams, 256, false);
    writer_init(&kdf, 256, false);
    writer_init(&enc, 256, false);
    writer_init(&params, 512, false);
    writer_init(&alg, 512, false);
    writer_init(&epki, KEY_FILE_MAX, false);
    if (len == 0 || len > KEY_FILE_MAX - 1024) {
        err = seal_fail(GPG_ERR_INV_ARG, "key encryption: bad plaintext length");
        goto out;
    }
    key = seal_secure_malloc(SEAL_AES256_KEY_LEN);
    buf = seal_secure_malloc(padded);
    ct = malloc(padded);
    if (key == NULL || buf == NULL || ct == NULL) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        goto out;
    }
    seal_random(salt, sizeof salt);
    seal_random(iv, sizeof iv);
    if ((err = seal_scrypt(pass, passlen, salt, sizeof salt, n, r, p, key, SEAL_AES256_KEY_LEN)) !=
        0)
        goto out;
    memcpy(buf, plain, len);
    memset(buf + len, (int)pad, pad);
    if ((err = seal_aes256_cbc(true, key, iv, buf, padded, ct)) != 0)
        goto out;

    der_put_tlv(&sparams, DER_OCTET_STRING, salt, sizeof salt);
    der_put_uint(&sparams, n);
    der_put_uint(&sparams, r);
    der_put_uint(&sparams, p);
    der_put_oid(&kdf, key_oid_scrypt, sizeof key_oid_scrypt);
    der_put_wrapped(&kdf, DER_SEQUENCE, &sparams);
    der_put_oid(&enc, key_oid_aes256_cbc, sizeof key_oid_aes256_cbc);
    der_put_tlv(&enc, DER_OCTET_STRING, iv, sizeof iv);
    der_put_wrapped(&params, DER_SEQUENCE, &kdf);
    der_put_wrapped(&params, DER_SEQUENCE, &enc);
    der_put_oid(&alg, key_oid_pbes2, sizeof key_oid_pbes2);
    der_put_wrapped(&alg, DER_SEQUENCE, &params);
    der_put_wrapped(&epki, DER_SEQUENCE, &alg);
    der_put_tlv(&epki, DER_OCTET_STRING, ct, padded);
    if ((err = writer_status(&sparams)) != 0 || (err = writer_status(&kdf)) != 0 ||
        (err = writer_status(&enc)) != 0 || (err = writer_status(&params)) != 0 ||
        (err = writer_status(&alg)) != 0 || (err = writer_status(&epki)) != 0)
        goto out;
    err = der_put_wrapped(w, DER_SEQUENCE, &epki);
out:
    seal_secure_free(key, SEAL_AES256_KEY_LEN);
    seal_secure_free(buf, padded);
    free(ct);
    writer_free(&sparams);
    writer_free(&kdf);
    writer_free(&enc);
    writer_free(&params);
    writer_free(&alg);
    writer_free(&epki);
    return err;
}

gpg_err_code_t key_pbes2_encrypt(const uint8_t *plain, size_t len, const char *pass, size_t passlen,
                                 struct writer *w)
{
    return key_pbes2_encrypt_params(plain, len, pass, passlen, KEY_SCRYPT_WRITE_N,
                                    KEY_SCRYPT_WRITE_R, KEY_SCRYPT_WRITE_P, w);
}
