/*
 * The programs' jobs, behind their options: each program parses its
 * command line into one of these and calls its run function, which does
 * the work, prints what the user must know and returns the exit status.
 */
#ifndef SEAL_CLI_COMMANDS_H
#define SEAL_CLI_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/deliver.h"
#include "cli/fleet.h"
#include "cli/options.h"
#include "cli/fetch_register.h"
#include "envelope/envelope.h"

/* Where seal's recipients come from: -r FILE|DIR, -R LIST, in order. */
struct cli_recipient_arg {
    const char *path;
    bool is_list; /* -R: a file naming one key file per line */
};

struct seal_options {
    struct cli_common common;
    struct cli_recipient_arg recipients[SEAL_MAX_RECIPIENTS];
    size_t n_recipients;
    const char *sender;
    const char *input;
    bool armor;
    bool chat;                  /* --chat (cli/chat_terminal.h) */
    struct cli_net_options net; /* --to, --listen (cli/deliver.h) */
};

/* What unseal does, decided in one place (unseal.c) from the options. */
enum unseal_mode {
    UNSEAL_FILE,    /* unseal one envelope (FILE or standard input) */
    UNSEAL_INSPECT, /* --inspect */
    UNSEAL_LISTEN,  /* --listen -d INBOX */
    UNSEAL_DELIVER, /* --listen --deliver: into a JetStream stream */
    UNSEAL_FROM,    /* --from: one envelope from a peer */
    UNSEAL_FETCH,   /* --from --fetch: the outbox waiting for us */
    UNSEAL_DRAIN,   /* --drain: a stream into -d INBOX */
};

struct unseal_options {
    enum unseal_mode mode;
    struct cli_common common;
    const char *key;
    const char *senders;
    const char *input;
    bool quiet;
    bool inspect;
    bool json;
    struct cli_net_options net;     /* --listen, --from (cli/deliver.h) */
    struct cli_fleet_options fleet; /* --proxy-from, --deliver, --drain (cli/fleet.h) */
    struct cli_twoway_options tw;   /* --outbox, --pending, --fetch (cli/fetch_register.h) */
};

struct keygen_options {
    struct cli_common common; /* -o NAME, --passphrase-file */
    const char *fpr_file;     /* -l: show this key's fingerprint */
    const char *public_of;    /* -y: print this private key's public key */
    bool ssh_format;          /* --ssh: -y prints an "ssh-rsa" line */
    bool no_passphrase;       /* --no-passphrase */
    unsigned bits;
    const char *register_key;     /* --register: -s KEY */
    const char *pending;          /* --pending DIR: list, or approve from */
    const char *approve;          /* --approve NAME: DIR/NAME.pub */
    const char *trust_dir;        /* --trust-dir DIR: where --approve moves it */
    struct cli_twoway_options tw; /* --register, --name (cli/fetch_register.h) */
};

int cli_seal(const struct seal_options *o);
/* UNSEAL_FILE. */
int cli_unseal(const struct unseal_options *o);
/* UNSEAL_LISTEN, UNSEAL_DELIVER, UNSEAL_FROM, UNSEAL_FETCH: the keys, then
 * the transport. */
int cli_unseal_net(const struct unseal_options *o);
int cli_inspect(const struct unseal_options *o);
int cli_keygen_generate(const struct keygen_options *o);
int cli_keygen_fingerprint(const struct keygen_options *o);
int cli_keygen_public(const struct keygen_options *o);
/* seal-keygen --pending DIR: one line per DIR/NAME.pub, "NAME BITS
 * SHA256:... AGE", oldest first. */
int cli_keygen_pending(const struct keygen_options *o);
/* seal-keygen --pending DIR --approve NAME --trust-dir TRUST: moves
 * DIR/NAME.pub to TRUST/NAME.pub atomically; refuses (EXIT_REFUSED) a name
 * or a key TRUST already holds. */
int cli_keygen_approve(const struct keygen_options *o);

#endif
