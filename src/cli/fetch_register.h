/*
 * The programs' side of the outbox and of registration (unseal(1) "OUTBOX",
 * "REGISTRATION"; seal-keygen(1) --register): the options, the listener's
 * hook, unseal --fetch and seal-keygen --register. Exit statuses as in
 * cli/deliver.h: 8 no answer or unreachable, 9 refused (ERR), 10 an answer
 * that does not verify.
 */
#ifndef SEAL_CLI_FETCH_REGISTER_H
#define SEAL_CLI_FETCH_REGISTER_H

#include <getopt.h>
#include <stdbool.h>

#include "keys/keyring.h"
#include "keys/keys.h"

struct listener_config;
struct twoway;
struct cli_net_options;

enum {
    OPT_TW_OUTBOX = 700, /* above cli/fleet.h's */
    OPT_TW_PENDING,
    OPT_TW_MAX_PENDING,
    OPT_TW_FETCH,
    OPT_TW_NAME,
    OPT_TW_REGISTER,
    OPT_TW_END,
};

#define CLI_TWOWAY_UNSEAL_LONGOPTS                                                                 \
    {"outbox", required_argument, NULL, OPT_TW_OUTBOX},                                            \
        {"pending", required_argument, NULL, OPT_TW_PENDING},                                      \
        {"max-pending", required_argument, NULL, OPT_TW_MAX_PENDING},                              \
        {"fetch", no_argument, NULL, OPT_TW_FETCH},                                                \
    {                                                                                              \
        "name", required_argument, NULL, OPT_TW_NAME                                               \
    }
#define CLI_TWOWAY_KEYGEN_LONGOPTS                                                                 \
    {"register", required_argument, NULL, OPT_TW_REGISTER},                                        \
    {                                                                                              \
        "name", required_argument, NULL, OPT_TW_NAME                                               \
    }

struct cli_twoway_options {
    const char *outbox, *pending; /* unseal --listen */
    unsigned max_pending;
    bool fetch;                            /* unseal --from --fetch */
    const char *name;                      /* --fetch, --register: our client ID */
    const char *register_to;               /* seal-keygen --register HOST:PORT */
    bool seen[OPT_TW_END - OPT_TW_OUTBOX]; /* options given */
};

void cli_twoway_defaults(struct cli_twoway_options *o);

/* As cli_net_option(): -1 handled, EXIT_USAGE (printed), -2 not ours. */
int cli_twoway_option(int c, const char *arg, struct cli_twoway_options *o);

/* unseal: -1 if the combination is fine, else EXIT_USAGE (printed). */
int cli_twoway_check_unseal(const struct cli_twoway_options *o, const struct cli_net_options *net);

/* unseal --listen: installs the hook (fetches, registrations, and the
 * trust directory TRUST re-read when it changes) in CFG. Prints any error;
 * returns an exit status. Free *TW with cli_twoway_detach after the
 * listener stopped. */
int cli_twoway_attach(struct listener_config *cfg, const struct seal_key *key, const char *trust,
                      const struct cli_twoway_options *o, struct twoway **tw);
void cli_twoway_detach(struct twoway *tw);

/* unseal --from HOST:PORT --fetch: KEY ours, SERVER (one key) the
 * listener's, into the Maildir NET->inbox. */
int cli_unseal_fetch(const struct seal_key *key, const char *key_path,
                     struct trusted_senders *server, const struct cli_net_options *net,
                     const struct cli_twoway_options *o);

/* seal-keygen --register HOST:PORT -s KEY [--name ID]. */
int cli_keygen_register(const char *key_path, const char *passphrase_file,
                        const struct cli_twoway_options *o);

#endif
