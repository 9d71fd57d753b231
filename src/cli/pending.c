/*
 * seal-keygen --pending DIR [--approve NAME --trust-dir TRUST]: what an
 * operator does with the registrations a listener took (unseal --listen
 * --pending DIR, seal-keygen --register): see them with their fingerprints
 * and ages, and trust one by moving it, never replacing a trusted name and
 * never trusting one key under two names.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "crypto/crypto.h"
#include "keys/keyring.h"
#include "keys/ssh.h"

/* DIR/NAME in fresh memory, or NULL. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, name);
    return s;
}

/* "42s", "5m", "3h", "2d": how long ago MTIME was. */
static void format_age(time_t mtime, char *out, size_t n)
{
    time_t now = time(NULL);
    long long s = now > mtime ? (long long)(now - mtime) : 0;
    if (s < 120)
        snprintf(out, n, "%llds", s);
    else if (s < 2 * 3600)
        snprintf(out, n, "%lldm", s / 60);
    else if (s < 2 * 86400)
        snprintf(out, n, "%lldh", s / 3600);
    else
        snprintf(out, n, "%lldd", s / 86400);
}

int cli_keygen_pending(const struct keygen_options *o)
{
    char **names = NULL;
    size_t n = 0;
    int status = EXIT_OK;
    gpg_err_code_t err = keyring_list_dir(o->pending, &names, &n);

    if (err == GPG_ERR_UNUSABLE_PUBKEY) {
        seal_clear_detail();
        fprintf(stderr, "%s: no registration pending in %s\n", cli_program(), o->pending);
        return EXIT_OK;
    }
    if (err)
        return cli_error(o->pending, err);
    for (size_t i = 0; i < n; i++) {
        char *path = join(o->pending, names[i]);
        struct seal_key *key = NULL;
        char fpr[SEAL_FPR_TEXT_LEN], ssh_fpr[SSH_FPR_TEXT_LEN], age[32];
        struct stat st;
        int s = EXIT_OK;

        if (!path)
            s = cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
        else if ((err = key_load_public_only(path, &key)))
            s = cli_error(path, err);
        else if (stat(path, &st) != 0)
            s = cli_error(path, seal_fail(seal_errno_code(), "%s", strerror(errno)));
        else if ((err = ssh_fingerprint_text(key->rsa, ssh_fpr)))
            s = cli_error(path, err);
        if (s == EXIT_OK) {
            /* Labelled as seal-keygen -l labels them: seal's key ID, then
             * the one ssh-keygen -l shows for the same key. */
            key_fingerprint_text(key->fpr, fpr);
            format_age(st.st_mtime, age, sizeof age);
            printf("%.*s %u seal %s ssh %s %s\n", (int)(strlen(names[i]) - 4), names[i],
                   seal_rsa_bits(key->rsa), fpr, ssh_fpr, age);
        } else if (status == EXIT_OK) {
            status = s;
        }
        key_free(key);
        free(path);
    }
    keyring_names_free(names, n);
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
    return status;
}

/* NAME as --approve takes it: "alice" or "alice.pub", a plain file name. */
static bool name_ok(const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    if (len > 4 && strcmp(name + len - 4, ".pub") == 0)
        len -= 4;
    if (len == 0 || len >= n - 4 || name[0] == '.' || memchr(name, '/', len))
        return false;
    snprintf(out, n, "%.*s.pub", (int)len, name);
    return true;
}

/* Copies FROM to the new file TO (another file system): through a
 * temporary file, so TO appears whole or not at all. */
static gpg_err_code_t copy_new(const char *from, const char *to)
{
    struct atomic_out ao;
    uint8_t *data = NULL;
    size_t len = 0;
    gpg_err_code_t err = file_read_all(from, KEY_FILE_MAX, false, false, &data, &len);
    if (err)
        return err;
    if (!(err = atomic_out_open(&ao, to, 0644, false))) {
        if (!(err = atomic_out_write(&ao, data, len)))
            err = atomic_out_commit(&ao);
        atomic_out_abort(&ao);
    }
    free(data);
    return err;
}

int cli_keygen_approve(const struct keygen_options *o)
{
    struct trusted_senders trusted = {0};
    const struct trusted_sender *same = NULL;
    struct seal_key *key = NULL;
    char file[256], fpr[SEAL_FPR_TEXT_LEN];
    char *from = NULL, *to = NULL;
    struct stat st;
    gpg_err_code_t err;
    int status;

    if (!name_ok(o->approve, file, sizeof file)) {
        cli_errorf("--approve %s: not a registration's name", o->approve);
        cli_hint("seal-keygen --pending %s lists them", o->pending);
        return EXIT_USAGE;
    }
    if (!(from = join(o->pending, file)) || !(to = join(o->trust_dir, file))) {
        status = cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
        goto out;
    }
    if ((err = key_load_public_only(from, &key))) {
        status = cli_error(from, err);
        if (err == GPG_ERR_ENOENT)
            cli_hint("seal-keygen --pending %s lists the registrations there", o->pending);
        goto out;
    }
    key_fingerprint_text(key->fpr, fpr);
    if (lstat(to, &st) == 0) {
        cli_errorf("%s: already exists: a trusted key has this name", to);
        cli_hint("remove or rename one of them first; seal-keygen never replaces a key");
        status = EXIT_IO;
        goto out;
    }
    /* One key under two names would let one sender speak as either. */
    err = trusted_senders_load(o->trust_dir, &trusted);
    if (err == GPG_ERR_UNUSABLE_PUBKEY) {
        seal_clear_detail();
    } else if (err || (err = trusted_senders_find(&trusted, key->fpr, &same))) {
        status = cli_error(o->trust_dir, err);
        goto out;
    } else if (same) {
        cli_errorf("%s: seal %s is already trusted as %s", from, fpr, same->file);
        status = EXIT_IO;
        goto out;
    }
    /* link(2) never replaces: a key trusted meanwhile under this name wins. */
    if (link(from, to) != 0) {
        if (errno == EEXIST)
            err = seal_fail(GPG_ERR_EEXIST, "already exists: a trusted key has this name");
        else if (errno == EXDEV)
            err = copy_new(from, to);
        else
            err = seal_fail(seal_errno_code(), "cannot move into place: %s", strerror(errno));
        if (err) {
            status = cli_error(to, err);
            goto out;
        }
    }
    file_sync_parent_dir(to);
    if (unlink(from) != 0) {
        status = cli_error(
            from, seal_fail(seal_errno_code(), "approved, but cannot remove: %s", strerror(errno)));
        goto out;
    }
    file_sync_parent_dir(from);
    printf("%s: seal %s trusted\n", to, fpr);
    status = fflush(stdout) == 0 && !ferror(stdout)
                 ? EXIT_OK
                 : cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
out:
    trusted_senders_free(&trusted);
    key_free(key);
    free(from);
    free(to);
    return status;
}
