/*
 * seal-keygen's jobs: making a key pair (-o), showing a key's fingerprints
 * (-l) and a private key's public key (-y, as PEM or with --ssh an OpenSSH
 * line).
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
#include "keys/ssh.h"

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
    gpg_err_code_t err;

    err = key_decode_public((const uint8_t *)pub, publen, &back);
    if (err == 0)
        err = key_fingerprint(back, fpr2);
    seal_rsa_free(back);
    back = NULL;
    if (err == 0 && !seal_ct_equal(fpr, fpr2, SEAL_FPR_LEN))
        err = seal_fail(GPG_ERR_INTERNAL, "encoded public key differs from the generated key");
    if (err)
        return err;
    err = key_decode_private((const uint8_t *)priv, privlen, pass, passlen, NULL, &back);
    if (err == 0 && !seal_rsa_has_private(back))
        err = seal_fail(GPG_ERR_INTERNAL, "encoded private key lost its private half");
    if (err == 0)
        err = key_fingerprint(back, fpr2);
    seal_rsa_free(back);
    if (err == 0 && !seal_ct_equal(fpr, fpr2, SEAL_FPR_LEN))
        err = seal_fail(GPG_ERR_INTERNAL, "encoded private key differs from the generated key");
    return err;
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
    gpg_err_code_t err = atomic_out_open(out, path, mode, false);
    if (err)
        return err;
    err = atomic_out_write(out, data, len);
    if (err)
        atomic_out_abort(out);
    return err;
}

/* Encodes KEY (the private key under PASS, or unencrypted if PASS is NULL)
 * and writes KEYPATH and PUBPATH, each checked before it is written: 0, or
 * the code with *FAILED naming the file it concerns and neither file left
 * behind. FPR_TEXT receives the fingerprint's text. */
static gpg_err_code_t write_key_pair(const struct seal_rsa_key *key, const char *pass,
                                     size_t passlen, const char *keypath, const char *pubpath,
                                     char fpr_text[SEAL_FPR_TEXT_LEN], const char **failed)
{
    struct atomic_out key_out, pub_out;
    bool key_open = false, pub_open = false;
    char *priv = NULL, *pub = NULL;
    size_t privlen = 0, publen = 0;
    uint8_t fpr[SEAL_FPR_LEN];
    gpg_err_code_t err;

    *failed = keypath;
    if ((err = key_fingerprint(key, fpr)) != 0 || (err = fingerprint_text(fpr, fpr_text)) != 0 ||
        (err = key_encode_public_pem(key, &pub, &publen)) != 0 ||
        (err = key_encode_private_pem(key, pass, passlen, &priv, &privlen)) != 0 ||
        (err = check_encodings(fpr, pub, publen, priv, privlen, pass, passlen)) != 0)
        goto out;

    if ((err = prepare_output(&key_out, keypath, 0600, priv, privlen)) != 0)
        goto out;
    key_open = true;
    *failed = pubpath;
    if ((err = prepare_output(&pub_out, pubpath, 0644, pub, publen)) != 0)
        goto out;
    pub_open = true;
    *failed = keypath;
    key_open = false; /* commit finishes or removes the temporary file */
    if ((err = atomic_out_commit(&key_out)) != 0)
        goto out;
    *failed = pubpath;
    pub_open = false;
    if ((err = atomic_out_commit(&pub_out)) != 0)
        unlink(keypath); /* half a key pair is worse than none: take the private key back */
out:
    if (key_open)
        atomic_out_abort(&key_out);
    if (pub_open)
        atomic_out_abort(&pub_out);
    if (priv != NULL)
        seal_secure_free(priv, privlen);
    free(pub);
    return err;
}

int cli_keygen_generate(const struct keygen_options *opt)
{
    struct cli_passphrase pp = {opt->common.passphrase_file};
    struct seal_rsa_key *key = NULL;
    char *keypath = NULL, *pubpath = NULL;
    char *pass = NULL;
    size_t passlen = 0;
    char fpr_text[SEAL_FPR_TEXT_LEN], ssh_text[SSH_FPR_TEXT_LEN];
    const char *failed_file = NULL;
    gpg_err_code_t err = 0;
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
        err = cli_passphrase_new(&pp, keypath, &pass, &passlen);
        if (err) {
            status = cli_error(NULL, err); /* the detail names the passphrase file */
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
        err = cli_passphrase_new(&pp, keypath, &pass, &passlen);
        if (err) {
            status = cli_error(keypath, err);
            goto out;
        }
    }

    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "%s: generating %u-bit RSA key...", cli_program(), opt->bits);
        fflush(stderr);
    }
    err = seal_rsa_generate(opt->bits, &key);
    if (isatty(STDERR_FILENO))
        fputs(err ? " failed\n" : " done\n", stderr);
    if (err) {
        status = cli_error(NULL, err);
        goto out;
    }
    if ((err = write_key_pair(key, pass, passlen, keypath, pubpath, fpr_text, &failed_file))) {
        if (err == GPG_ERR_EEXIST)
            seal_fail_override(GPG_ERR_EEXIST,
                               "already exists; seal-keygen never overwrites a key");
        status = cli_error(failed_file, err);
        goto out;
    }

    printf("%s: %u-bit RSA private key, %s\n", keypath, opt->bits,
           pass != NULL ? "encrypted" : "UNENCRYPTED");
    if ((err = ssh_fingerprint_text(key, ssh_text))) {
        status = cli_error(NULL, err);
        goto out;
    }
    printf("%s: seal %s ssh %s\n", pubpath, fpr_text, ssh_text);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        status = cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
        goto out;
    }
    status = EXIT_OK;
out:
    seal_rsa_free(key);
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

/* One key line of the list FILE (line LINENO), shown as -l shows a key but
 * named FILE:LINENO, the name its errors bear too. The comment is not
 * shown: it is free text from whoever wrote the line. */
static int fingerprint_line(const char *file, size_t lineno, const uint8_t *line, size_t len)
{
    char fpr_text[SEAL_FPR_TEXT_LEN], ssh_text[SSH_FPR_TEXT_LEN];
    size_t namelen = strlen(file) + 24;
    struct seal_rsa_key *rsa = NULL;
    struct seal_key *key = NULL;
    char *name = malloc(namelen);
    gpg_err_code_t err;
    int status = EXIT_OK;

    if (name == NULL)
        return cli_error(file, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
    snprintf(name, namelen, "%s:%zu", file, lineno);
    seal_clear_detail();
    if ((err = ssh_decode_public_line(line, len, &rsa)) != 0 ||
        (err = key_from_rsa(&rsa, &key)) != 0 ||
        (err = fingerprint_text(key->fpr, fpr_text)) != 0 ||
        (err = ssh_fingerprint_text(key->rsa, ssh_text)) != 0) {
        /* In order with the lines already shown. */
        fflush(stdout);
        status = cli_error(name, err);
    } else {
        printf("%u seal %s ssh %s %s (RSA)\n", seal_rsa_bits(key->rsa), fpr_text, ssh_text, name);
    }
    seal_rsa_free(rsa);
    key_free(key);
    free(name);
    return status;
}

/* -l on a list of OpenSSH public keys (authorized_keys, USER.keys), as
 * ssh-keygen -lf reads one: a line per key, in order. A line refused does
 * not hide the others; the status is the first refusal's, but a malformed
 * line (3) outranks a key refused for what it is (4). */
static int fingerprint_list(const char *file, const uint8_t *data, size_t len)
{
    struct ssh_key_lines it;
    const uint8_t *line;
    size_t n, lineno;
    int status = EXIT_OK, st;

    ssh_key_lines_init(&it, data, len);
    while (ssh_key_lines_next(&it, &line, &n, &lineno)) {
        st = fingerprint_line(file, lineno, line, n);
        if (st != EXIT_OK && (status == EXIT_OK || (status == EXIT_KEY && st == EXIT_FORMAT)))
            status = st;
    }
    st = print_out(NULL, 0);
    return status != EXIT_OK ? status : st;
}

int cli_keygen_fingerprint(const struct keygen_options *opt)
{
    struct cli_passphrase pp = {opt->common.passphrase_file};
    char fpr_text[SEAL_FPR_TEXT_LEN], ssh_text[SSH_FPR_TEXT_LEN];
    struct cli_key k;
    bool is_public;
    gpg_err_code_t err;
    int status;

    /* Read once; a private key is held to the same rules as for seal and
     * unseal (its mode is checked), so a key they would refuse is not shown
     * as fine here. */
    if ((status = cli_key_open_any(&k, opt->fpr_file, &is_public)) != EXIT_OK)
        return status;
    if (k.is_list) {
        status = fingerprint_list(opt->fpr_file, k.data, k.len);
        goto out;
    }
    if ((status = cli_key_unlock(&k, &pp)) != EXIT_OK)
        goto out;
    if ((err = fingerprint_text(k.key->fpr, fpr_text))) {
        status = cli_error(opt->fpr_file, err);
        goto out;
    }
    if ((err = ssh_fingerprint_text(k.key->rsa, ssh_text))) {
        status = cli_error(opt->fpr_file, err);
        goto out;
    }
    /* Both labelled: the key ID is not what ssh-keygen -l shows for the
     * same key, and must not pass for it. */
    printf("%u seal %s ssh %s %s (RSA)\n", seal_rsa_bits(k.key->rsa), fpr_text, ssh_text,
           opt->fpr_file);
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
    gpg_err_code_t err;
    int status;

    if ((status = cli_key_load(&k, opt->public_of, &pp)) != EXIT_OK) {
        cli_key_close(&k);
        return status;
    }
    if ((err = opt->ssh_format ? ssh_encode_public_line(k.key->rsa, &pem, &len)
                               : key_encode_public_pem(k.key->rsa, &pem, &len)))
        status = cli_error(opt->public_of, err);
    else
        status = print_out(pem, len);
    free(pem);
    cli_key_close(&k);
    return status;
}
