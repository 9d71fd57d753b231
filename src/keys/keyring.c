/* Trusted senders: one public key file, or a directory of NAME.pub files.
 * See envelope.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keys/keyring.h"

/* At most this many keys in a trust directory (each is loaded eagerly). */
#define TRUST_MAX_KEYS 4096

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
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, base, n);
        s[n] = '\0';
    }
    return s;
}

static gpg_err_code_t add_key(struct trusted_senders *t, const char *path)
{
    struct trusted_sender ts;
    gpg_err_code_t e;

    memset(&ts, 0, sizeof ts);
    if ((e = key_load_public(path, NULL, NULL, &ts.key)))
        return e;
    if (!(ts.name = sender_name(path))) {
        e = seal_errno_code();
        goto fail;
    }
    struct trusted_sender *v = realloc(t->v, (t->n + 1) * sizeof *v);
    if (!v) {
        e = seal_errno_code();
        goto fail;
    }
    t->v = v;
    t->v[t->n++] = ts;
    return 0;
fail:
    free(ts.name);
    key_free(ts.key);
    return e;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directory entries are sorted so that the result (and which name a key
 * listed twice gets) does not depend on the file system's order. */
static gpg_err_code_t load_dir(const char *dir, struct trusted_senders *t)
{
    char **names = NULL;
    size_t n = 0;
    gpg_err_code_t e = 0;
    DIR *d = opendir(dir);
    /* Details leave out DIR: the program names it in front of them. */
    if (!d)
        return seal_fail(seal_errno_code(), "%s", strerror(errno));
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (!has_pub_suffix(de->d_name) || de->d_name[0] == '.')
            continue;
        if (n == TRUST_MAX_KEYS) {
            e = seal_fail(GPG_ERR_TOO_LARGE, "directory holds more than %d keys", TRUST_MAX_KEYS);
            goto out;
        }
        char **nv = realloc(names, (n + 1) * sizeof *nv);
        if (!nv || !(nv[n] = strdup(de->d_name))) {
            if (nv)
                names = nv;
            e = seal_errno_code();
            goto out;
        }
        names = nv;
        n++;
    }
    if (errno) {
        e = seal_fail(seal_errno_code(), "%s", strerror(errno));
        goto out;
    }
    if (n == 0) {
        e = seal_fail(GPG_ERR_UNUSABLE_PUBKEY, "directory holds no *.pub files");
        goto out;
    }
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dir) + 1 + strlen(names[i]) + 1;
        char *path = malloc(len);
        if (!path) {
            e = seal_errno_code();
            goto out;
        }
        snprintf(path, len, "%s/%s", dir, names[i]);
        seal_clear_detail();
        e = add_key(t, path);
        free(path);
        if (e) {
            /* The key loader's detail says what is wrong, not with which of
             * the directory's files: put the file's name in front. */
            char why[256];
            snprintf(why, sizeof why, "%s", seal_detail() ? seal_detail() : gpg_strerror(e));
            seal_fail_override(e, "%s: %s", names[i], why);
            goto out;
        }
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return e;
}

gpg_err_code_t trusted_senders_load(const char *path, struct trusted_senders *out)
{
    struct stat st;
    gpg_err_code_t e;

    seal_clear_detail();
    memset(out, 0, sizeof *out);
    if (stat(path, &st) != 0)
        return seal_fail(seal_errno_code(), "%s", strerror(errno));
    e = S_ISDIR(st.st_mode) ? load_dir(path, out) : add_key(out, path);
    if (e)
        trusted_senders_free(out);
    return e;
}

void trusted_senders_free(struct trusted_senders *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].name);
        key_free(t->v[i].key);
    }
    free(t->v);
    t->v = NULL;
    t->n = 0;
}
