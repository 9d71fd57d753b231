/*
 * seal-keygen's jobs: making a key pair (-o), showing a key's fingerprint
 * (-l) and a private key's public key (-y).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/secmem.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/keyfile.h"
#include "crypto/crypto.h"

/* NAME + SUFFIX in fresh memory, or NULL. */
static char *with_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s%s", name, suffix);
    return s;
}

/* Refuses (naming PATH) if anything at all is at PATH, even a dangling
 * symbolic link: a key file is never replaced. */
static int refuse_existing(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        seal_fail_override(GPG_ERR_EEXIST, "already exists; seal-keygen never overwrites a key");
        return cli_error(path, GPG_ERR_EEXIST);
    }
    return EXIT_OK;
}

/* Decodes both encodings again and checks that they hold the key with
 * fingerprint FPR, so that a file we could not read back is never written. */
static gpg_err_code_t check_encodings(const uint8_t fpr[SEAL_FPR_LEN], const char *pub,
                                      size_t publen, const char *priv, size_t privlen,
                                      const char *pass, size_t passlen)
{
    struct seal_rsa_key *back = NULL;
    uint8_t fpr2[SEAL_FPR_LEN];
    gpg_err_code_t rc;

    rc = key_decode_public((const uint8_t *)pub, publen, &back);
    if (rc == 0)
        rc = key_fingerprint(back, fpr2);
    seal_rsa_free(back);
    back = NULL;
    if (rc == 0 && !seal_ct_equal(fpr, fpr2, SEAL_FPR_LEN))
        rc = seal_fail(GPG_ERR_INTERNAL, "encoded public key differs from the generated key");
    if (rc)
        return rc;
    rc = key_decode_private((const uint8_t *)priv, privlen, pass, passlen, NULL, &back);
    if (rc == 0 && !seal_rsa_has_private(back))
        rc = seal_fail(GPG_ERR_INTERNAL, "encoded private key lost its private half");
    if (rc == 0)
        rc = key_fingerprint(back, fpr2);
    seal_rsa_free(back);
    if (rc == 0 && !seal_ct_equal(fpr, fpr2, SEAL_FPR_LEN))
        rc = seal_fail(GPG_ERR_INTERNAL, "encoded private key differs from the generated key");
    return rc;
}

/* The "SHA256:..." text of FPR, checked: a key ID must never print empty. */
static gpg_err_code_t fingerprint_text(const uint8_t fpr[SEAL_FPR_LEN],
                                       char text[SEAL_FPR_TEXT_LEN])
{
    key_fingerprint_text(fpr, text);
    if (strncmp(text, "SHA256:", 7) != 0 || strlen(text) != SEAL_FPR_TEXT_LEN - 1)
        return seal_fail(GPG_ERR_INTERNAL, "cannot format the fingerprint");
    return 0;
}

/* Writes DATA to PATH (which must not exist) through a temporary file, so
 * no partial file ever appears under PATH. */
static gpg_err_code_t prepare_output(struct atomic_out *out, const char *path, mode_t mode,
                                     const void *data, size_t len)
{
    gpg_err_code_t rc = atomic_out_open(out, path, mode, false);
    if (rc)
        return rc;
    rc = atomic_out_write(out, data, len);
    if (rc)
        atomic_out_abort(out);
    return rc;
}

int cli_keygen_generate(const struct keygen_options *opt)
{
    struct cli_passphrase pp = {opt->common.passphrase_file};
    struct atomic_out key_out, pub_out;
    bool key_open = false, pub_open = false;
    struct seal_rsa_key *key = NULL;
    char *keypath = NULL, *pubpath = NULL;
    char *pass = NULL, *priv = NULL, *pub = NULL;
    size_t passlen = 0, privlen = 0, publen = 0;
    uint8_t fpr[SEAL_FPR_LEN];
    char fpr_text[SEAL_FPR_TEXT_LEN];
    const char *failed_file = NULL;
    gpg_err_code_t rc = 0;
    int status;

    keypath = with_suffix(opt->common.output, ".key");
    pubpath = with_suffix(opt->common.output, ".pub");
    if (keypath == NULL || pubpath == NULL) {
        status = cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
        goto out;
    }
    /* Both names are checked before the passphrase is asked or any work is
     * done; atomic_out checks again, and link(2) at commit never replaces a
     * file that appeared meanwhile. */
    if ((status = refuse_existing(keypath)) != EXIT_OK ||
        (status = refuse_existing(pubpath)) != EXIT_OK)
        goto out;

    if (opt->common.passphrase_file != NULL) {
        rc = cli_passphrase_new(&pp, keypath, &pass, &passlen);
        if (rc) {
            status = cli_error(NULL, rc); /* the detail names the passphrase file */
            goto out;
        }
    } else if (!opt->no_passphrase) {
        /* Never fall back to an unencrypted key just because nobody can be
         * asked: that would be a silent downgrade in scripts. */
        if (!cli_passphrase_have_tty()) {
            cli_errorf("%s: no terminal to ask for a passphrase", keypath);
            cli_hint("use --passphrase-file FILE, or --no-passphrase for an unencrypted key");
            status = EXIT_USAGE;
            goto out;
        }
        rc = cli_passphrase_new(&pp, keypath, &pass, &passlen);
        if (rc) {
            status = cli_error(keypath, rc);
            goto out;
        }
    }

    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "%s: generating %u-bit RSA key...", cli_program(), opt->bits);
        fflush(stderr);
    }
    rc = seal_rsa_generate(opt->bits, &key);
    if (isatty(STDERR_FILENO))
        fputs(rc ? " failed\n" : " done\n", stderr);
    if (rc) {
        status = cli_error(NULL, rc);
        goto out;
    }
    failed_file = keypath;
    if ((rc = key_fingerprint(key, fpr)) != 0 || (rc = fingerprint_text(fpr, fpr_text)) != 0 ||
        (rc = key_encode_public_pem(key, &pub, &publen)) != 0 ||
        (rc = key_encode_private_pem(key, pass, passlen, &priv, &privlen)) != 0 ||
        (rc = check_encodings(fpr, pub, publen, priv, privlen, pass, passlen)) != 0)
        goto fail;

    if ((rc = prepare_output(&key_out, keypath, 0600, priv, privlen)) != 0)
        goto fail;
    key_open = true;
    failed_file = pubpath;
    if ((rc = prepare_output(&pub_out, pubpath, 0644, pub, publen)) != 0)
        goto fail;
    pub_open = true;
    failed_file = keypath;
    key_open = false; /* commit finishes or removes the temporary file */
    if ((rc = atomic_out_commit(&key_out)) != 0)
        goto fail;
    failed_file = pubpath;
    pub_open = false;
    if ((rc = atomic_out_commit(&pub_out)) != 0) {
        /* Half a key pair is worse than none: take the private key back. */
        unlink(keypath);
        goto fail;
    }

    printf("%s: %u-bit RSA private key, %s\n", keypath, opt->bits,
           pass != NULL ? "encrypted" : "UNENCRYPTED");
    printf("%s: %s\n", pubpath, fpr_text);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        status = cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
        goto out;
    }
    status = EXIT_OK;
    goto out;

fail:
    if (rc == GPG_ERR_EEXIST)
        seal_fail_override(GPG_ERR_EEXIST, "already exists; seal-keygen never overwrites a key");
    status = cli_error(failed_file, rc);
out:
    if (key_open)
        atomic_out_abort(&key_out);
    if (pub_open)
        atomic_out_abort(&pub_out);
    seal_rsa_free(key);
    if (priv != NULL)
        seal_secure_free(priv, privlen);
    free(pub);
    if (pass != NULL)
        seal_secure_free(pass, passlen + 1);
    free(keypath);
    free(pubpath);
    return status;
}

/* Writes TEXT to standard output, checked. */
static int print_out(const char *text, size_t len)
{
    if (len)
        fwrite(text, 1, len, stdout);
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
    return EXIT_OK;
}

int cli_keygen_fingerprint(const struct keygen_options *opt)
{
    struct cli_passphrase pp = {opt->common.passphrase_file};
    char fpr_text[SEAL_FPR_TEXT_LEN];
    struct cli_key k;
    bool is_public;
    gpg_err_code_t rc;
    int status;

    /* Read once; a private key is held to the same rules as for seal and
     * unseal (its mode is checked), so a key they would refuse is not shown
     * as fine here. */
    if ((status = cli_key_open_any(&k, opt->fpr_file, &is_public)) != EXIT_OK)
        return status;
    if ((status = cli_key_unlock(&k, &pp)) != EXIT_OK)
        goto out;
    if ((rc = fingerprint_text(k.key->fpr, fpr_text))) {
        status = cli_error(opt->fpr_file, rc);
        goto out;
    }
    printf("%u %s %s (RSA)\n", seal_rsa_bits(k.key->rsa), fpr_text, opt->fpr_file);
    status = print_out(NULL, 0);
out:
    cli_key_close(&k);
    return status;
}

int cli_keygen_public(const struct keygen_options *opt)
{
    struct cli_passphrase pp = {opt->common.passphrase_file};
    struct cli_key k;
    char *pem = NULL;
    size_t len = 0;
    gpg_err_code_t rc;
    int status;

    if ((status = cli_key_load(&k, opt->public_of, &pp)) != EXIT_OK) {
        cli_key_close(&k);
        return status;
    }
    if ((rc = key_encode_public_pem(k.key->rsa, &pem, &len)))
        status = cli_error(opt->public_of, rc);
    else
        status = print_out(pem, len);
    free(pem);
    cli_key_close(&k);
    return status;
}
