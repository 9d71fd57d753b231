/*
 * The option scaffolding the three programs share, so that they parse,
 * refuse and explain alike: -o, -f and --passphrase-file mean the same
 * everywhere; -h, -V, a missing argument and an unknown option are answered
 * in one way; every usage error ends with the same hint.
 */
#ifndef SEAL_CLI_OPTIONS_H
#define SEAL_CLI_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>

/* Long-option codes without a short letter; programs number theirs from
 * CLI_OPT_PROGRAM on. */
enum {
    CLI_OPT_PASSPHRASE_FILE = 256,
    CLI_OPT_NO_FSYNC,
    CLI_OPT_PROGRAM = 300,
};

/* The long options every program has, for its getopt_long table. */
#define CLI_LONGOPT_OUTPUT                                                                         \
    {                                                                                              \
        "output", required_argument, NULL, 'o'                                                     \
    }
#define CLI_LONGOPT_FORCE                                                                          \
    {                                                                                              \
        "force", no_argument, NULL, 'f'                                                            \
    }
#define CLI_LONGOPT_PASSPHRASE_FILE                                                                \
    {                                                                                              \
        "passphrase-file", required_argument, NULL, CLI_OPT_PASSPHRASE_FILE                        \
    }
#define CLI_LONGOPT_NO_FSYNC                                                                       \
    {                                                                                              \
        "no-fsync", no_argument, NULL, CLI_OPT_NO_FSYNC                                            \
    }
#define CLI_LONGOPT_HELP                                                                           \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }
#define CLI_LONGOPT_VERSION                                                                        \
    {                                                                                              \
        "version", no_argument, NULL, 'V'                                                          \
    }
/* All of them, for seal and unseal. */
#define CLI_LONGOPTS_COMMON                                                                        \
    CLI_LONGOPT_PASSPHRASE_FILE, CLI_LONGOPT_OUTPUT, CLI_LONGOPT_FORCE, CLI_LONGOPT_NO_FSYNC,      \
        CLI_LONGOPT_HELP, CLI_LONGOPT_VERSION

struct cli_common {
    const char *output;          /* -o */
    bool output_given;           /* -o was given (so "-o -" is explicit) */
    bool force;                  /* -f */
    const char *passphrase_file; /* --passphrase-file */
    bool no_fsync;               /* --no-fsync: commit output without fsync */
};

/* What an option sub-parser (cli_common_option, cli_net_option,
 * cli_fleet_option, cli_twoway_option) did with option C: one of these,
 * or an exit status (>= 0) to exit with. A program offers C to each in
 * turn until one answers something other than CLI_OPTION_NOT_MINE. */
enum {
    CLI_OPTION_HANDLED = -1,  /* stored; go on */
    CLI_OPTION_NOT_MINE = -2, /* not this parser's option: try the next */
};

/* The one way to refuse a repeated option: the first time it sets *SEEN
 * and returns CLI_OPTION_HANDLED; after that it prints "option NAME given
 * twice" and the usage hint and returns EXIT_USAGE. */
int cli_once(bool *seen, const char *name);

/* Handles option C as getopt_long returned it, if every program treats it
 * alike: -o, -f, --passphrase-file, --no-fsync (stored in *COMMON, each at
 * most once), -h (calls HELP), -V, a missing argument, an unknown option
 * (with "did you mean" for a mistyped long option of LONGOPTS). Returns
 * CLI_OPTION_NOT_MINE, CLI_OPTION_HANDLED, or an exit status to exit with
 * (0 after -h and -V; EXIT_USAGE after printing the problem). */
int cli_common_option(int c, char **argv, const struct option *longopts, struct cli_common *common,
                      void (*help)(void));

/* Prints the hint every usage error ends with and returns EXIT_USAGE. */
int cli_usage_error(void);

/* Refuses two options given together: prints "options A and B conflict"
 * and returns EXIT_USAGE via cli_usage_error(). */
int cli_conflict(const char *a, const char *b);

/* Prints "PROG (seal) VERSION" and returns 0. */
int cli_version(void);

#endif
