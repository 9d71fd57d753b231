/*
 * Key files as the user names them (-s, -k, -r, seal-keygen -l/-y): each
 * is read once, what it holds is told before anything else is said about it
 * (a public key given for a private one is called a public key, not a
 * permission problem), and every piece of advice is a hint line.
 */
#ifndef SEAL_CLI_KEYFILE_H
#define SEAL_CLI_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/passphrase.h"
#include "keys/keys.h"

/* A private key file, read and checked, perhaps not yet decrypted. */
struct cli_key {
    const char *path;
    struct seal_key *key; /* the key pair, once loaded */
    /* The key's ID, known before it is decrypted: from the key itself if
     * it is not encrypted, else from the public key file beside it
     * (NAME.pub for NAME.key), if there is one. */
    bool have_fpr;
    uint8_t fpr[SEAL_FPR_LEN];
    char *pub_path; /* the .pub file it came from, or NULL */
    uint8_t *data;  /* an encrypted key's bytes until unlocked (secure) */
    size_t len;
    /* cli_key_open_any() only: DATA holds a list of OpenSSH public keys
     * (ssh_is_public_list()) for the caller to go through; KEY is NULL. */
    bool is_list;
};

/* Reads PATH as a private key: tells what it holds (an error naming a
 * public key, an OpenSSH or an EC key as such, with a hint), then refuses
 * unsafe permissions or a symbolic link (hint: chmod 600). An unencrypted
 * key is loaded at once; an encrypted one waits for cli_key_unlock(). No
 * passphrase is asked. Prints any error; returns an exit status. */
int cli_key_open(struct cli_key *k, const char *path);

/* cli_key_open() that also takes a public key file (K->key is then a
 * public key and *IS_PUBLIC is set) or a list of OpenSSH public keys
 * (K->is_list and *IS_PUBLIC are set, nothing is decoded): for showing any
 * key's fingerprint. */
int cli_key_open_any(struct cli_key *k, const char *path, bool *is_public);

/* Decrypts K if it is encrypted, asking PP for the passphrase, and checks
 * that it is the key of the .pub file its ID came from. No-op once loaded.
 * Prints any error; returns an exit status. */
int cli_key_unlock(struct cli_key *k, struct cli_passphrase *pp);

/* cli_key_open() then cli_key_unlock(). */
int cli_key_load(struct cli_key *k, const char *path, struct cli_passphrase *pp);

/* Wipes and frees everything in K (the loaded key too). */
void cli_key_close(struct cli_key *k);

/* Loads the public key file PATH (PEM, DER or an OpenSSH "ssh-rsa" line).
 * A private key file is refused, with a hint naming its .pub, before any
 * passphrase could be asked. Prints any error; returns an exit status. */
int cli_key_load_public(const char *path, struct seal_key **key);

/* The hint after a private key given where a public key is wanted (PATH):
 * names NAME.pub if it exists beside it, else how to make it. */
void cli_hint_public_key(const char *path);

#endif
