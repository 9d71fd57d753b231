/*
 * seal-keygen: makes RSA key pairs for seal, shows key fingerprints and
 * prints a private key's public key. See man/seal-keygen.1; usage() below
 * matches its SYNOPSIS. The work is in cli/keygen_cmd.c.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/process.h"

#define DEFAULT_BITS 3072

enum { OPT_NO_PASSPHRASE = CLI_OPT_PROGRAM, OPT_PENDING, OPT_APPROVE, OPT_TRUST_DIR, OPT_SSH };

static void usage(void)
{
    fputs("usage: seal-keygen -o NAME [-b BITS] [--passphrase-file FILE | --no-passphrase]\n"
          "       seal-keygen -l FILE [--passphrase-file PFILE]\n"
          "       seal-keygen -y FILE [--ssh] [--passphrase-file PFILE]\n"
          "       seal-keygen --register HOST:PORT -s KEY [--name ID] [--passphrase-file PFILE]\n"
          "       seal-keygen --pending DIR [--approve NAME --trust-dir DIR]\n"
          "       seal-keygen -h | -V\n",
          stdout);
}

static void help(void)
{
    usage();
    fputs("\n"
          "  -o, --output NAME        write the private key to NAME.key (mode 0600) and\n"
          "                           the public key to NAME.pub; never overwrites\n"
          "  -b, --bits BITS          RSA modulus size: 2048, 3072 (default) or 4096\n"
          "      --passphrase-file F  read the passphrase from the first line of F\n"
          "      --no-passphrase      store the new private key unencrypted, without asking\n"
          "  -l, --fingerprint FILE   print \"BITS seal SHA256:... ssh SHA256:... FILE (RSA)\"\n"
          "                           for a public or private key file: seal's key ID,\n"
          "                           then the fingerprint ssh-keygen -l shows; for a\n"
          "                           list of OpenSSH keys (authorized_keys), a line per\n"
          "                           key naming FILE:LINE\n"
          "  -y, --public FILE        print the public key (PEM SubjectPublicKeyInfo) of\n"
          "                           the private key in FILE\n"
          "      --ssh                with -y: print it as an OpenSSH \"ssh-rsa\" line\n"
          "      --register HOST:PORT send KEY's public key to a listener (unseal --listen\n"
          "                           --pending DIR) in a self-signed registration; it\n"
          "                           waits there until an operator approves it\n"
          "  -s, --key KEY            with --register: the private key to register\n"
          "      --name ID            with --register: the client ID asked for (default:\n"
          "                           KEY's file name without .key)\n"
          "      --pending DIR        list the registrations waiting in DIR (unseal\n"
          "                           --pending DIR): name, fingerprint and age of each\n"
          "      --approve NAME       with --pending: move DIR/NAME.pub into the trust\n"
          "                           directory (refused if the name or key is there)\n"
          "      --trust-dir DIR      with --approve: the trust directory (unseal -s DIR)\n"
          "  -h, --help               show this help and exit\n"
          "  -V, --version            show the version and exit\n"
          "\n"
          "Exit status: 0 ok, 2 usage, 3 malformed key file, 4 key or passphrase\n"
          "problem, 7 I/O error (--approve: the name or key is already trusted), 8 no\n"
          "answer (--register), 9 refused, 11 internal error.\n"
          "See seal-keygen(1).\n",
          stdout);
}

/* --register HOST:PORT -s KEY [--name ID]: nothing else. */
static int check_register(const struct keygen_options *o, bool other)
{
    if (!o->tw.register_to) {
        cli_errorf("options -s/--key and --name need --register HOST:PORT");
        return cli_usage_error();
    }
    if (!o->register_key) {
        cli_errorf("--register needs -s KEY: the private key whose public half is registered");
        return cli_usage_error();
    }
    if (o->common.output_given || other)
        return cli_conflict("--register", "-o, -b, -l, -y and --no-passphrase");
    return -1;
}

/* Which of seal-keygen's own options were given (each at most once). */
struct keygen_seen {
    bool bits, fingerprint, public_, ssh, no_passphrase, key, pending, approve, trust_dir;
};

/* seal-keygen's own options: CLI_OPTION_HANDLED, CLI_OPTION_NOT_MINE or an
 * exit status, as the shared sub-parsers answer. */
static int keygen_option(int c, const char *arg, struct keygen_options *o, struct keygen_seen *seen)
{
    switch (c) {
    case 'b':
        /* No menu beyond three sizes. */
        if (strcmp(arg, "2048") == 0)
            o->bits = 2048;
        else if (strcmp(arg, "3072") == 0)
            o->bits = 3072;
        else if (strcmp(arg, "4096") == 0)
            o->bits = 4096;
        else {
            cli_errorf("-b/--bits must be 2048, 3072 or 4096, not '%s'", arg);
            return cli_usage_error();
        }
        return cli_once(&seen->bits, "-b/--bits");
    case 'l':
        o->fpr_file = arg;
        return cli_once(&seen->fingerprint, "-l/--fingerprint");
    case 'y':
        o->public_of = arg;
        return cli_once(&seen->public_, "-y/--public");
    case 's':
        o->register_key = arg;
        return cli_once(&seen->key, "-s/--key");
    case OPT_SSH:
        o->ssh_format = true;
        return cli_once(&seen->ssh, "--ssh");
    case OPT_NO_PASSPHRASE:
        o->no_passphrase = true;
        return cli_once(&seen->no_passphrase, "--no-passphrase");
    case OPT_PENDING:
        o->pending = arg;
        return cli_once(&seen->pending, "--pending");
    case OPT_APPROVE:
        o->approve = arg;
        return cli_once(&seen->approve, "--approve");
    case OPT_TRUST_DIR:
        o->trust_dir = arg;
        return cli_once(&seen->trust_dir, "--trust-dir");
    }
    return CLI_OPTION_NOT_MINE;
}

/* --pending DIR [--approve NAME --trust-dir DIR]: nothing else. */
static int check_pending(const struct keygen_options *o, bool other)
{
    if (!o->pending) {
        cli_errorf("options --approve and --trust-dir need --pending DIR");
        return cli_usage_error();
    }
    if (other || o->common.output_given || o->common.passphrase_file)
        return cli_conflict("--pending", "-o, -b, -l, -y, --passphrase-file and --register");
    if (o->approve && !o->trust_dir) {
        cli_errorf("--approve needs --trust-dir DIR: the trust directory (unseal -s DIR)");
        return cli_usage_error();
    }
    if (o->trust_dir && !o->approve) {
        cli_errorf("option --trust-dir needs --approve NAME");
        return cli_usage_error();
    }
    return -1;
}

/* Parses argv into O. Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct keygen_options *o)
{
    static const struct option longopts[] = {
        {"bits", required_argument, NULL, 'b'},
        {"fingerprint", required_argument, NULL, 'l'},
        {"public", required_argument, NULL, 'y'},
        {"no-passphrase", no_argument, NULL, OPT_NO_PASSPHRASE},
        {"ssh", no_argument, NULL, OPT_SSH},
        CLI_LONGOPT_OUTPUT,
        CLI_LONGOPT_PASSPHRASE_FILE,
        CLI_LONGOPT_HELP,
        CLI_LONGOPT_VERSION,
        CLI_TWOWAY_KEYGEN_LONGOPTS,
        {"key", required_argument, NULL, 's'},
        {"pending", required_argument, NULL, OPT_PENDING},
        {"approve", required_argument, NULL, OPT_APPROVE},
        {"trust-dir", required_argument, NULL, OPT_TRUST_DIR},
        {NULL, 0, NULL, 0},
    };
    struct keygen_seen seen = {0};
    int c, r;

    opterr = 0; /* our own messages, in our own format */
    while ((c = getopt_long(argc, argv, ":o:b:l:y:s:hV", longopts, NULL)) != -1) {
        if ((r = cli_twoway_option(c, optarg, &o->tw)) == CLI_OPTION_NOT_MINE &&
            (r = cli_common_option(c, argv, longopts, &o->common, help)) == CLI_OPTION_NOT_MINE)
            r = keygen_option(c, optarg, o, &seen);
        if (r != CLI_OPTION_HANDLED)
            return r;
    }
    bool seen_b = seen.bits, seen_l = seen.fingerprint, seen_y = seen.public_,
         seen_np = seen.no_passphrase, seen_ssh = seen.ssh;
    if (optind < argc) {
        cli_errorf("unexpected argument '%s'", argv[optind]);
        return cli_usage_error();
    }
    if (o->pending || o->approve || o->trust_dir)
        return check_pending(o, seen_b || seen_l || seen_y || seen_np || seen_ssh ||
                                    o->tw.register_to || o->register_key || o->tw.name);
    if (o->tw.register_to || o->register_key || o->tw.name)
        return check_register(o, seen_b || seen_l || seen_y || seen_np || seen_ssh);
    if (seen_ssh && !seen_y) {
        cli_errorf("--ssh goes with -y/--public (seal-keygen -y KEY --ssh)");
        return cli_usage_error();
    }
    if (o->common.output_given && o->common.output[0] == '\0') {
        cli_errorf("-o/--output needs a non-empty NAME");
        return cli_usage_error();
    }
    if (o->common.passphrase_file && seen_np)
        return cli_conflict("--passphrase-file", "--no-passphrase");
    if (o->common.output_given && seen_l)
        return cli_conflict("-o/--output", "-l/--fingerprint");
    if (o->common.output_given && seen_y)
        return cli_conflict("-o/--output", "-y/--public");
    if (seen_l && seen_y)
        return cli_conflict("-l/--fingerprint", "-y/--public");
    if ((seen_l || seen_y) && seen_b)
        return cli_conflict(seen_l ? "-l/--fingerprint" : "-y/--public", "-b/--bits");
    if ((seen_l || seen_y) && seen_np)
        return cli_conflict(seen_l ? "-l/--fingerprint" : "-y/--public", "--no-passphrase");
    /* The key would use up standard input and leave the passphrase an
     * empty "first line". */
    const char *key = seen_l ? o->fpr_file : o->public_of;
    if (key && o->common.passphrase_file && file_is_stdio(key) &&
        file_is_stdio(o->common.passphrase_file)) {
        cli_errorf("%s - and --passphrase-file - cannot both read standard input",
                   seen_l ? "-l" : "-y");
        return cli_usage_error();
    }
    if (!o->common.output_given && !seen_l && !seen_y) {
        cli_errorf("nothing to do: give -o NAME to make a key pair, -l FILE or -y FILE");
        return cli_usage_error();
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct keygen_options o;
    gpg_err_code_t err;
    int status;

    cli_process_start();
    cli_set_program("seal-keygen");
    memset(&o, 0, sizeof o);
    cli_twoway_defaults(&o.tw);
    o.bits = DEFAULT_BITS;
    if ((status = parse_options(argc, argv, &o)) >= 0) {
        if (fflush(stdout) != 0 || ferror(stdout))
            return cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
        return status;
    }
    cli_warn_insecure_memory(false);
    if ((err = seal_crypto_init()))
        return cli_error(NULL, err);
    if (o.fpr_file)
        return cli_keygen_fingerprint(&o);
    if (o.public_of)
        return cli_keygen_public(&o);
    if (o.tw.register_to)
        return cli_keygen_register(o.register_key, o.common.passphrase_file, &o.tw);
    if (o.approve)
        return cli_keygen_approve(&o);
    if (o.pending)
        return cli_keygen_pending(&o);
    return cli_keygen_generate(&o);
}
