/* Key registration; see registry.h and man/seal.5, TRANSPORT. */
#include "transport/registry.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "crypto/crypto.h"

gpg_err_code_t registry_check_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > REGISTRY_NAME_MAX)
        return seal_fail(GPG_ERR_INV_NAME, "a client ID has 1 to %d characters", REGISTRY_NAME_MAX);
    if (name[0] == '.' || name[0] == '-')
        return seal_fail(GPG_ERR_INV_NAME, "a client ID does not start with '.' or '-'");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok)
            return seal_fail(GPG_ERR_INV_NAME,
                             "a client ID has only letters, digits, '_', '.' and '-'");
    }
    return 0;
}

gpg_err_code_t registry_record_encode(const struct seal_key *key, const char *name,
                                      uint64_t created, const uint8_t nonce[REGISTRY_NONCE_LEN],
                                      struct writer *w)
{
    struct writer spki;
    uint8_t digest[SEAL_SHA256_LEN], *sig;
    size_t k = seal_rsa_modulus_len(key->rsa), start = writer_len(w);
    gpg_err_code_t err;

    if ((err = registry_check_name(name)))
        return err;
    writer_init(&spki, REGISTRY_SPKI_MAX, false);
    if ((err = key_encode_public_der(key->rsa, &spki)))
        goto out;
    writer_put_bytes(w, REGISTRY_LABEL, REGISTRY_LABEL_LEN);
    writer_put_u16(w, (uint16_t)writer_len(&spki));
    writer_put_bytes(w, writer_data(&spki), writer_len(&spki));
    writer_put_u8(w, (uint8_t)strlen(name));
    writer_put_bytes(w, name, strlen(name));
    writer_put_u64(w, created);
    writer_put_bytes(w, nonce, REGISTRY_NONCE_LEN);
    if ((err = writer_status(w)))
        goto out;
    seal_sha256(writer_data(w) + start, writer_len(w) - start, digest);
    writer_put_u16(w, (uint16_t)k);
    if (!(sig = writer_reserve(w, k))) {
        err = writer_status(w) ? writer_status(w) : GPG_ERR_TOO_LARGE;
        goto out;
    }
    err = seal_rsa_pss_sign(key->rsa, digest, sig);
out:
    writer_free(&spki);
    return err;
}

gpg_err_code_t registry_record_parse(const uint8_t *rec, size_t len, uint64_t now,
                                     struct registry_record *out)
{
    struct reader r;
    struct writer canon;
    struct seal_rsa_key *rsa = NULL;
    const uint8_t *label, *spki, *name, *sig;
    size_t spki_len, sig_len, signed_len;
    uint8_t name_len, nonce[REGISTRY_NONCE_LEN], digest[SEAL_SHA256_LEN];
    gpg_err_code_t err;

    memset(out, 0, sizeof *out);
    writer_init(&canon, REGISTRY_SPKI_MAX, false);
    reader_init(&r, rec, len);
    if (len > REGISTRY_RECORD_MAX) {
        err = seal_fail(GPG_ERR_TOO_LARGE, "a registration of %zu bytes (at most %d)", len,
                        REGISTRY_RECORD_MAX);
        goto out;
    }
    if ((err = reader_get_view(&r, REGISTRY_LABEL_LEN, &label)))
        goto out;
    if (memcmp(label, REGISTRY_LABEL, REGISTRY_LABEL_LEN) != 0) {
        err = seal_fail(GPG_ERR_INV_DATA, "not a registration record");
        goto out;
    }
    if ((err = reader_get_u16_prefixed(&r, 1, REGISTRY_SPKI_MAX, &spki, &spki_len)) ||
        (err = reader_get_u8(&r, &name_len)))
        goto out;
    if (name_len == 0 || name_len > REGISTRY_NAME_MAX) {
        err = seal_fail(GPG_ERR_INV_LENGTH, "a client ID of %u bytes", name_len);
        goto out;
    }
    if ((err = reader_get_view(&r, name_len, &name)) || (err = reader_get_u64(&r, &out->created)) ||
        (err = reader_get_bytes(&r, nonce, sizeof nonce)))
        goto out;
    signed_len = reader_offset(&r);
    if ((err = reader_get_u16_prefixed(&r, SEAL_RSA_MIN_LEN, SEAL_RSA_MAX_LEN, &sig, &sig_len)) ||
        (err = reader_expect_end(&r)))
        goto out;
    /* One encoding: exactly a SubjectPublicKeyInfo, byte for byte as we
     * would write it (no PKCS#1, no PEM, no private key). */
    if ((err = key_decode_public(spki, spki_len, &rsa)) ||
        (err = key_encode_public_der(rsa, &canon)))
        goto out;
    if (writer_len(&canon) != spki_len || memcmp(writer_data(&canon), spki, spki_len) != 0) {
        err = seal_fail(GPG_ERR_INV_DATA, "the key is not a DER SubjectPublicKeyInfo");
        goto out;
    }
    memcpy(out->name, name, name_len);
    out->name[name_len] = '\0';
    if (memchr(out->name, '\0', name_len)) {
        err = seal_fail(GPG_ERR_INV_NAME, "a client ID has only letters, digits, '_', '.' and '-'");
        goto out;
    }
    seal_sha256(rec, signed_len, digest);
    if (sig_len != seal_rsa_modulus_len(rsa) ||
        seal_rsa_pss_verify(rsa, digest, sig, sig_len) != 0) {
        err = seal_fail(GPG_ERR_BAD_SIGNATURE, "the registration's signature does not verify");
        goto out;
    }
    if ((err = registry_check_name(out->name)))
        goto out;
    if (out->created + REGISTRY_WINDOW < now || out->created > now + REGISTRY_WINDOW) {
        err = seal_fail(GPG_ERR_SIG_EXPIRED, "the registration was made %s",
                        out->created > now ? "in the future" : "too long ago");
        goto out;
    }
    err = key_from_rsa(&rsa, &out->key);
out:
    writer_free(&canon);
    seal_rsa_free(rsa);
    if (err) {
        key_free(out->key);
        memset(out, 0, sizeof *out);
    }
    return err;
}

/* Counts the keys (*.pub, not dot files) in DIR into *N and tells whether
 * one of them is REC's name or key (a file that does not load as a key
 * still holds its name). -1 if DIR cannot be read. */
static int scan_pending(const char *dir, const struct registry_record *rec, unsigned long *n,
                        bool *dup)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    *n = 0;
    *dup = false;
    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 4 || strcmp(de->d_name + len - 4, ".pub") != 0)
            continue;
        (*n)++;
        if (len - 4 == strlen(rec->name) && memcmp(de->d_name, rec->name, len - 4) == 0) {
            *dup = true;
            continue;
        }
        char path[PATH_MAX];
        struct seal_key *k = NULL;
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
            continue;
        if (key_load_public(path, NULL, NULL, &k) == 0 &&
            memcmp(k->fpr, rec->key->fpr, SEAL_FPR_LEN) == 0)
            *dup = true;
        key_free(k);
    }
    closedir(d);
    seal_clear_detail();
    return 0;
}

/* Whether REC's name or key is among T (which may read its key files). */
static gpg_err_code_t name_or_key_in(struct trusted_senders *t, const struct registry_record *rec,
                                     bool *found)
{
    const struct trusted_sender *ts = NULL;
    gpg_err_code_t err = 0;
    *found = false;
    for (size_t i = 0; t && i < t->n; i++)
        if (strcmp(t->v[i].name, rec->name) == 0)
            *found = true;
    if (t && t->n && !*found && (err = trusted_senders_find(t, rec->key->fpr, &ts)) == 0)
        *found = ts != NULL;
    return err;
}

static pthread_mutex_t store_lock = PTHREAD_MUTEX_INITIALIZER;

gpg_err_code_t registry_store_pending(const char *pending_dir, struct trusted_senders *trusted,
                                      unsigned max_pending, const struct registry_record *rec)
{
    struct atomic_out ao;
    char *pem = NULL, *path = NULL;
    size_t pem_len = 0;
    unsigned long n;
    bool dup;
    gpg_err_code_t err;

    memset(&ao, 0, sizeof ao);
    ao.fd = -1;
    /* The count, the look for the name and the key, and the exclusive
     * create are one step for this process's threads. */
    pthread_mutex_lock(&store_lock);
    if ((err = name_or_key_in(trusted, rec, &dup)))
        goto out;
    if (dup) {
        err = seal_fail(GPG_ERR_EEXIST, "the name or the key is already trusted");
        goto out;
    }
    if (scan_pending(pending_dir, rec, &n, &dup) != 0) {
        err =
            seal_fail(seal_errno_code(), "cannot read the pending directory: %s", strerror(errno));
        goto out;
    }
    if (dup) {
        err = seal_fail(GPG_ERR_EEXIST, "the name or the key is already pending");
        goto out;
    }
    if (n >= max_pending) {
        err = seal_fail(GPG_ERR_LIMIT_REACHED, "%lu keys are pending (at most %u)", n, max_pending);
        goto out;
    }
    if (!(path = malloc(strlen(pending_dir) + 1 + strlen(rec->name) + sizeof ".pub"))) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        goto out;
    }
    sprintf(path, "%s/%s.pub", pending_dir, rec->name);
    if ((err = key_encode_public_pem(rec->key->rsa, &pem, &pem_len)) ||
        (err = atomic_out_open(&ao, path, 0644, false)) ||
        (err = atomic_out_write(&ao, pem, pem_len)) || (err = atomic_out_commit(&ao))) {
        if (err == GPG_ERR_EEXIST) /* a file of that name appeared meanwhile */
            err = seal_fail_override(GPG_ERR_EEXIST, "the name is already pending");
        goto out;
    }
out:
    pthread_mutex_unlock(&store_lock);
    atomic_out_abort(&ao);
    free(pem);
    free(path);
    return err;
}
