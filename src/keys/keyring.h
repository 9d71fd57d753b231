/*
 * Trusted keys: one public key file, or a directory of *.pub files, each
 * named by its basename.
 */
#ifndef SEAL_KEYRING_H
#define SEAL_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

/* A sender the recipient trusts: NAME is the key file's basename without
 * ".pub". */
struct trusted_sender {
    char *name;
    struct seal_key *key;
};

struct trusted_senders {
    struct trusted_sender *v;
    size_t n;
};

/* Loads PATH: one public key file, or a directory whose *.pub files are the
 * trusted senders (other files are ignored; an unreadable *.pub is an error
 * naming it). */
gpg_err_code_t trusted_senders_load(const char *path, struct trusted_senders *out);
void trusted_senders_free(struct trusted_senders *t);

#endif
