/* Key files as the user names them; see keyfile.h. */
#include "cli/keyfile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/secmem.h"
#include "cli/cli.h"
#include "keys/ssh.h"

/* Room for one byte over the cap (to tell "too large") and a NUL. */
#define KEY_BUF_LEN (KEY_FILE_MAX + 2)

/* A key file read once, through one descriptor, so that what is checked
 * (its mode) and what is used (its bytes) are the same file. The bytes are
 * in secure memory: the file may be an unencrypted private key. */
struct key_bytes {
    int fd;
    bool is_stdin;
    bool is_link;
    uint8_t *data;
    size_t len;
};

static void key_bytes_free(struct key_bytes *b)
{
    if (b->data)
        seal_secure_free(b->data, KEY_BUF_LEN);
    b->data = NULL;
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}

static int read_key_file(const char *path, struct key_bytes *b)
{
    struct stat lst;
    gpg_err_code_t err;
    size_t got = 0;

    memset(b, 0, sizeof *b);
    b->fd = -1;
    seal_clear_detail();
    /* A FIFO or a device would block forever: refused without waiting. */
    if ((err = file_open_regular(path, &b->fd)))
        return cli_error(path, err);
    b->is_stdin = file_is_stdio(path);
    b->is_link = !b->is_stdin && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
    if (!(b->data = seal_secure_malloc(KEY_BUF_LEN)))
        return cli_error(path, seal_fail(GPG_ERR_ENOMEM, "out of secure memory"));
    if ((err = fd_read_full(b->fd, b->data, KEY_FILE_MAX + 1, &got)))
        return cli_error(path, err);
    if (got > KEY_FILE_MAX)
        return cli_error(
            path, seal_fail(GPG_ERR_TOO_LARGE, "file is larger than %d bytes", KEY_FILE_MAX));
    b->data[got] = '\0';
    b->len = got;
    return EXIT_OK;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

static bool contains(const struct key_bytes *b, const char *text)
{
    return strstr((const char *)b->data, text) != NULL;
}

/* The advice for a key file the library could not use (CODE). */
static void advise(const char *path, const struct key_bytes *b, gpg_err_code_t code)
{
    if (code == GPG_ERR_UNUSABLE_SECKEY && contains(b, "BEGIN OPENSSH PRIVATE KEY"))
        /* PKCS#8 keeps the key usable by ssh; see seal-keygen(1) for why
         * seal does not decrypt OpenSSH's own format. */
        cli_hint("convert it in place, keeping its passphrase: 'ssh-keygen -p -m PKCS8 -f %s'",
                 path);
    else if (contains(b, "Proc-Type:") ||
             (code == GPG_ERR_UNUSABLE_SECKEY && contains(b, "BEGIN ENCRYPTED PRIVATE KEY")))
        cli_hint("re-encrypt it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc -in %s -out NEW.key'",
                 path);
    else if (code == GPG_ERR_PUBKEY_ALGO)
        cli_hint("seal works with RSA keys only; make a key pair with 'seal-keygen -o NAME'");
}

/* The hint for PUB (NAME.pub) given where a private key is needed: NAME.key
 * as seal-keygen names it, or NAME as ssh-keygen does (id_rsa beside
 * id_rsa.pub) if only that exists. */
static void private_key_hint(const char *pub)
{
    struct stat st;
    int stem = (int)(strlen(pub) - 4);
    char *key = malloc(strlen(pub) + 1);

    if (key) {
        snprintf(key, strlen(pub) + 1, "%.*s.key", stem, pub);
        if (stat(key, &st) != 0) {
            key[stem] = '\0';
            if (stat(key, &st) != 0)
                snprintf(key, strlen(pub) + 1, "%.*s.key", stem, pub);
        }
    }
    cli_hint("the private key is probably %s", key ? key : "NAME.key");
    free(key);
}

/* B is no private key we can use (decoding said CODE): a public key is
 * called one (or, with PUBLIC non-NULL, taken into *PUBLIC); anything else
 * keeps the decoder's detail. */
static int not_private(const char *path, const struct key_bytes *b, gpg_err_code_t code,
                       struct seal_key **public)
{
    struct seal_rsa_key *pub = NULL;
    char why[256] = "";
    gpg_err_code_t err;
    int status;

    if (seal_detail())
        snprintf(why, sizeof why, "%s", seal_detail());
    seal_clear_detail();
    if ((err = key_decode_public(b->data, b->len, &pub)) == 0) {
        if (public) {
            err = key_from_rsa(&pub, public);
            seal_rsa_free(pub);
            return err ? cli_error(path, err) : EXIT_OK;
        }
        seal_rsa_free(pub);
        status = cli_error(
            path, seal_fail(GPG_ERR_BAD_SECKEY, "a public key; a private key is needed here"));
        if (has_suffix(path, ".pub"))
            private_key_hint(path);
        else
            cli_hint("give the private key (seal-keygen writes NAME.key beside NAME.pub)");
        return status;
    }
    if (code == GPG_ERR_BAD_SECKEY && err != GPG_ERR_INV_DATA) {
        /* A public key whose content is refused (not RSA, too weak): that
         * is the news, with the public decoder's detail. */
        status = cli_error(path, err);
        advise(path, b, err);
        return status;
    }
    seal_clear_detail();
    if (why[0])
        seal_fail(code, "%s", why);
    status = cli_error(path, code);
    advise(path, b, code);
    return status;
}

/* An encrypted key's ID, from NAME.pub beside NAME.key (best effort). */
static void companion_fpr(struct cli_key *k)
{
    struct seal_key *pub = NULL;
    size_t n = strlen(k->path);

    if (!has_suffix(k->path, ".key") || !(k->pub_path = malloc(n + 1)))
        return;
    memcpy(k->pub_path, k->path, n - 4);
    memcpy(k->pub_path + n - 4, ".pub", 5);
    if (key_load_public(k->pub_path, NULL, NULL, &pub) == 0) {
        memcpy(k->fpr, pub->fpr, SEAL_FPR_LEN);
        k->have_fpr = true;
    } else {
        free(k->pub_path);
        k->pub_path = NULL;
    }
    key_free(pub);
    seal_clear_detail();
}

static int open_key(struct cli_key *k, const char *path, bool *is_public)
{
    struct seal_rsa_key *rsa = NULL;
    struct key_bytes b;
    bool encrypted = false;
    gpg_err_code_t err;
    int status;

    memset(k, 0, sizeof *k);
    k->path = path;
    if ((status = read_key_file(path, &b)) != EXIT_OK)
        goto out;
    err = key_decode_private(b.data, b.len, NULL, 0, &encrypted, &rsa);
    /* Only once it is known to be no private key: a list is public. */
    if (err && !encrypted && is_public && ssh_is_public_list(b.data, b.len)) {
        k->data = b.data; /* moved: the caller reads the list */
        k->len = b.len;
        b.data = NULL;
        k->is_list = true;
        *is_public = true;
        seal_clear_detail();
        status = EXIT_OK;
        goto out;
    }
    if (err && !encrypted) {
        status = not_private(path, &b, err, is_public ? &k->key : NULL);
        if (status == EXIT_OK) {
            *is_public = true;
            memcpy(k->fpr, k->key->fpr, SEAL_FPR_LEN);
            k->have_fpr = true;
        }
        goto out;
    }
    /* What the file holds is known; now whether it is kept private. */
    if (!b.is_stdin) {
        err = b.is_link ? seal_fail(GPG_ERR_BAD_SECKEY, "private key file is a symbolic link")
                        : file_check_private_mode(b.fd);
        if (err) {
            status = cli_error(path, err);
            if (b.is_link)
                cli_hint("name the file it points to");
            else
                cli_hint("make it private with 'chmod 600 %s'", path);
            goto out;
        }
    }
    if (encrypted) {
        k->data = b.data; /* moved: decrypted by cli_key_unlock */
        k->len = b.len;
        b.data = NULL;
        companion_fpr(k);
        status = EXIT_OK;
        goto out;
    }
    if ((err = key_from_rsa(&rsa, &k->key))) {
        status = cli_error(path, err);
        goto out;
    }
    memcpy(k->fpr, k->key->fpr, SEAL_FPR_LEN);
    k->have_fpr = true;
    status = EXIT_OK;
out:
    seal_rsa_free(rsa);
    key_bytes_free(&b);
    if (status != EXIT_OK)
        cli_key_close(k);
    return status;
}

int cli_key_open(struct cli_key *k, const char *path)
{
    return open_key(k, path, NULL);
}

int cli_key_open_any(struct cli_key *k, const char *path, bool *is_public)
{
    *is_public = false;
    return open_key(k, path, is_public);
}

int cli_key_unlock(struct cli_key *k, struct cli_passphrase *pp)
{
    struct seal_rsa_key *rsa = NULL;
    gpg_err_code_t err;
    int status;

    if (k->key)
        return EXIT_OK;
    seal_clear_detail();
    /* A typo at the terminal costs a retype, not the whole command. */
    for (int tries = 1;; tries++) {
        err = key_decode_private_pass(k->data, k->len, cli_passphrase_get, pp, k->path, &rsa);
        if (err != GPG_ERR_BAD_PASSPHRASE || pp->file || tries == CLI_PASSPHRASE_TRIES)
            break;
        cli_passphrase_tell("Wrong passphrase; try again.");
        seal_clear_detail();
    }
    if (!err)
        err = key_from_rsa(&rsa, &k->key);
    seal_rsa_free(rsa);
    seal_secure_free(k->data, KEY_BUF_LEN);
    k->data = NULL;
    if (err) {
        status = cli_error(k->path, err);
        if (err == GPG_ERR_NO_PASSPHRASE && !pp->file)
            cli_hint("the key is encrypted; give its passphrase with --passphrase-file FILE");
        else if (err == GPG_ERR_UNUSABLE_SECKEY)
            cli_hint("re-encrypt it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc -in %s -out "
                     "NEW.key'",
                     k->path);
        return status;
    }
    /* The ID came from the .pub file: it must be this key's, or the
     * stanza found for it was someone else's. */
    if (k->have_fpr && memcmp(k->fpr, k->key->fpr, SEAL_FPR_LEN) != 0) {
        cli_errorf("%s: not the private key of %s", k->path, k->pub_path);
        cli_hint("the two files of a key pair are NAME.key and NAME.pub");
        return EXIT_KEY;
    }
    memcpy(k->fpr, k->key->fpr, SEAL_FPR_LEN);
    k->have_fpr = true;
    return EXIT_OK;
}

int cli_key_load(struct cli_key *k, const char *path, struct cli_passphrase *pp)
{
    int status = cli_key_open(k, path);
    return status != EXIT_OK ? status : cli_key_unlock(k, pp);
}

void cli_key_close(struct cli_key *k)
{
    key_free(k->key);
    k->key = NULL;
    if (k->data)
        seal_secure_free(k->data, KEY_BUF_LEN);
    k->data = NULL;
    free(k->pub_path);
    k->pub_path = NULL;
}

void cli_hint_public_key(const char *path)
{
    struct stat st;
    size_t n = strlen(path);
    int stem = has_suffix(path, ".key") ? (int)(n - 4) : (int)n;
    char *pub = malloc(n + 5);

    if (pub)
        snprintf(pub, n + 5, "%.*s.pub", stem, path);
    if (pub && stat(pub, &st) == 0)
        cli_hint("give the public key instead: %s", pub);
    else
        cli_hint("give the public key (NAME.pub); 'seal-keygen -y %s' prints it", path);
    free(pub);
}

int cli_key_load_public(const char *path, struct seal_key **key)
{
    struct seal_rsa_key *rsa = NULL;
    struct key_bytes b;
    gpg_err_code_t err;
    int status;

    *key = NULL;
    if ((status = read_key_file(path, &b)) != EXIT_OK)
        goto out;
    /* Someone else's key: a private key is refused by its format alone,
     * before anything is decrypted or asked. */
    err = key_decode_public_only(b.data, b.len, &rsa);
    if (!err)
        err = key_from_rsa(&rsa, key);
    if (err) {
        status = cli_error(path, err);
        if (err == GPG_ERR_WRONG_KEY_USAGE)
            cli_hint_public_key(path);
        else
            advise(path, &b, err);
        seal_clear_detail();
        goto out;
    }
    status = EXIT_OK;
out:
    seal_rsa_free(rsa);
    key_bytes_free(&b);
    return status;
}
