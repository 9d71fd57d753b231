/* Trusted senders: one public key file, or a directory of NAME.pub files
 * read on demand. See keyring.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keys/keyring.h"

static bool has_pub_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".pub") == 0;
}

/* NAME: the basename of PATH without ".pub". */
static char *sender_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (has_pub_suffix(base))
        n -= 4;
    return strndup(base, n);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void keyring_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Directory entries are sorted so that the result (and which name a key
 * listed twice gets) does not depend on the file system's order. Details
 * leave out DIR: the caller names it in front of them. */
gpg_err_code_t keyring_list_dir(const char *dir, char ***out, size_t *out_n)
{
    char **names = NULL;
    size_t n = 0;
    gpg_err_code_t err = 0;
    struct dirent *de;
    DIR *d;

    *out = NULL;
    *out_n = 0;
    if (!(d = opendir(dir)))
        return seal_fail(seal_errno_code(), "%s", strerror(errno));
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (!has_pub_suffix(de->d_name) || de->d_name[0] == '.')
            continue;
        if (n == KEYRING_MAX_KEYS) {
            err =
                seal_fail(GPG_ERR_TOO_LARGE, "directory holds more than %d keys", KEYRING_MAX_KEYS);
            goto out;
        }
        char **nv = realloc(names, (n + 1) * sizeof *nv);
        if (!nv) {
            err = seal_errno_code();
            goto out;
        }
        names = nv;
        if (!(names[n] = strdup(de->d_name))) {
            err = seal_errno_code();
            goto out;
        }
        n++;
        errno = 0;
    }
    if (errno) {
        err = seal_fail(seal_errno_code(), "%s", strerror(errno));
        goto out;
    }
    if (n == 0) {
        err = seal_fail(GPG_ERR_UNUSABLE_PUBKEY, "directory holds no *.pub files");
        goto out;
    }
    qsort(names, n, sizeof *names, by_name);
    *out = names;
    *out_n = n;
    names = NULL;
    n = 0;
out:
    keyring_names_free(names, n);
    closedir(d);
    return err;
}

/* Reads the key of T->v[I]. */
static gpg_err_code_t load_one(struct trusted_senders *t, size_t i)
{
    struct trusted_sender *s = &t->v[i];
    char *path = s->file;
    gpg_err_code_t err;

    if (t->dir) {
        size_t len = strlen(t->dir) + 1 + strlen(s->file) + 1;
        if (!(path = malloc(len)))
            return seal_errno_code();
        snprintf(path, len, "%s/%s", t->dir, s->file);
    }
    seal_clear_detail();
    err = key_load_public_only(path, &s->key);
    if (err && t->dir) {
        /* The key loader's detail says what is wrong, not with which of
         * the directory's files: put the file in front. */
        char why[256];
        snprintf(why, sizeof why, "%s", seal_detail() ? seal_detail() : gpg_strerror(err));
        seal_fail_override(err, "trusted sender %s: %s", path, why);
    }
    if (path != s->file)
        free(path);
    return err;
}

static gpg_err_code_t add_entry(struct trusted_senders *t, const char *file)
{
    struct trusted_sender *s = &t->v[t->n];

    memset(s, 0, sizeof *s);
    if (!(s->file = strdup(file)) || !(s->name = sender_name(file))) {
        free(s->file);
        return seal_errno_code();
    }
    t->n++;
    return 0;
}

gpg_err_code_t trusted_senders_load(const char *path, struct trusted_senders *out)
{
    char **names = NULL;
    size_t n = 0;
    struct stat st;
    gpg_err_code_t err;

    seal_clear_detail();
    memset(out, 0, sizeof *out);
    if (stat(path, &st) != 0)
        return seal_fail(seal_errno_code(), "%s", strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        /* One file: read now, so that a typo is an error at once. */
        if (!(out->v = calloc(1, sizeof *out->v)))
            return seal_errno_code();
        if (!(err = add_entry(out, path)) && !(err = load_one(out, 0)))
            out->loaded = 1;
    } else if (!(err = keyring_list_dir(path, &names, &n))) {
        if (!(out->dir = strdup(path)) || !(out->v = calloc(n, sizeof *out->v)))
            err = seal_errno_code();
        for (size_t i = 0; !err && i < n; i++)
            err = add_entry(out, names[i]);
        keyring_names_free(names, n);
    }
    if (err)
        trusted_senders_free(out);
    return err;
}

gpg_err_code_t trusted_senders_find(struct trusted_senders *t, const uint8_t fpr[SEAL_FPR_LEN],
                                    const struct trusted_sender **out)
{
    gpg_err_code_t err;

    *out = NULL;
    for (size_t i = 0; t && i < t->n; i++) {
        if (i == t->loaded) {
            if ((err = load_one(t, i)))
                return err;
            t->loaded++;
        }
        if (memcmp(t->v[i].key->fpr, fpr, SEAL_FPR_LEN) == 0) {
            *out = &t->v[i];
            return 0;
        }
    }
    return 0;
}

gpg_err_code_t trusted_senders_load_all(struct trusted_senders *t)
{
    gpg_err_code_t err;

    seal_clear_detail();
    while (t->loaded < t->n) {
        if ((err = load_one(t, t->loaded)))
            return err;
        t->loaded++;
    }
    return 0;
}

void trusted_senders_free(struct trusted_senders *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].name);
        free(t->v[i].file);
        key_free(t->v[i].key);
    }
    free(t->v);
    free(t->dir);
    memset(t, 0, sizeof *t);
}
