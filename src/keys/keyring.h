/*
 * Trusted keys: one public key file, or a directory of *.pub files, each
 * named by its basename.
 *
 * A directory is listed when it is opened, but a key file is read only
 * when a lookup needs it, and then once: a listener that checks thousands
 * of envelopes against a directory of thousands of keys parses each key
 * at most once, and a single unseal parses only the files it reaches.
 */
#ifndef SEAL_KEYRING_H
#define SEAL_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

/* At most this many keys in a directory. */
#define KEYRING_MAX_KEYS 4096

/* A sender the recipient trusts: NAME is the key file's basename without
 * ".pub"; KEY is NULL until the file has been read. */
struct trusted_sender {
    char *name;
    char *file; /* the file name in the directory (the path for one file) */
    struct seal_key *key;
};

struct trusted_senders {
    char *dir; /* NULL: one key file, loaded at once */
    struct trusted_sender *v;
    size_t n;
    size_t loaded; /* v[0 .. loaded) have been read */
};

/* Opens PATH: one public key file (read now), or a directory whose *.pub
 * files are the trusted senders (listed now, read on demand; other files
 * are ignored; none is GPG_ERR_UNUSABLE_PUBKEY). Each file must hold a
 * public key (key_load_public_only): a private key is refused, so that a
 * secret key never ends up in a directory meant for sharing keys. */
gpg_err_code_t trusted_senders_load(const char *path, struct trusted_senders *out);

/* The trusted sender whose key has fingerprint FPR, or *OUT = NULL if there
 * is none. Reads the directory's files in name order until it is found,
 * each at most once over T's life; an unreadable *.pub met on the way is an
 * error naming it. */
gpg_err_code_t trusted_senders_find(struct trusted_senders *t, const uint8_t fpr[SEAL_FPR_LEN],
                                    const struct trusted_sender **out);

/* Reads every key file of T not read yet (for a server whose threads then
 * only look keys up, and so that a bad *.pub stops the start, not a
 * delivery). An unreadable *.pub is an error naming it. */
gpg_err_code_t trusted_senders_load_all(struct trusted_senders *t);

void trusted_senders_free(struct trusted_senders *t);

/* The *.pub files of DIR (not those whose name starts with '.'), sorted by
 * name, at most KEYRING_MAX_KEYS: *NAMES holds *N malloc'd names (free with
 * keyring_names_free). None is GPG_ERR_UNUSABLE_PUBKEY. */
gpg_err_code_t keyring_list_dir(const char *dir, char ***names, size_t *n);
void keyring_names_free(char **names, size_t n);

#endif
