/*
 * seal: signs a file with the sender's key and encrypts it to one or more
 * recipients (format: man/seal.5, usage: man/seal.1).
 *
 * This file only talks to the user: it parses options, opens files, loads
 * keys and hands everything to envelope_seal().
 */
#include <config.h>

#include <fcntl.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/passphrase.h"
#include "envelope/envelope.h"
#include "base/fileio.h"
#include "keys/keys.h"

static const char *stdin_name = "(stdin)";
static const char *stdout_name = "(stdout)";

static void usage(FILE *f)
{
    fputs("usage: seal -r RECIPIENT.pub [-r RECIPIENT.pub ...] -s SENDER.key\n"
          "            [--passphrase-file FILE] [-a] [-f] [--no-fsync] [-o OUTPUT] [FILE]\n"
          "       seal -h | -V\n",
          f);
}

static void help(void)
{
    usage(stdout);
    fputs("\n"
          "Signs FILE (or standard input) with the sender's private key and encrypts it\n"
          "so that only the recipients can read it. Writes FILE.seal, or standard output\n"
          "when reading standard input.\n"
          "\n"
          "  -r, --recipient FILE      recipient's public key (repeat for several)\n"
          "  -s, --sender FILE         sender's private key (signs the message)\n"
          "      --passphrase-file F   read the sender key's passphrase from the first\n"
          "                            line of F instead of asking on the terminal\n"
          "  -a, --armor               write ASCII armor instead of binary\n"
          "  -o, --output OUTPUT       write to OUTPUT ('-' for standard output)\n"
          "  -f, --force               replace OUTPUT if it exists\n"
          "      --no-fsync            do not wait for OUTPUT to reach the disk: faster, but\n"
          "                            a crash soon after may leave it empty or cut short\n"
          "  -h, --help                show this help and exit\n"
          "  -V, --version             show the version and exit\n"
          "\n"
          "Exit status: 0 ok, 2 usage, 3 malformed input, 4 key or passphrase problem,\n"
          "7 I/O error. See seal(1).\n",
          stdout);
}

/* ---- options ------------------------------------------------------------- */

struct options {
    const char *recipients[SEAL_MAX_RECIPIENTS];
    size_t n_recipients;
    const char *sender;
    const char *passphrase_file;
    const char *output;
    char *output_owned; /* OUTPUT when derived from the input's name */
    const char *input;
    bool armor;
    bool force;
    bool no_fsync;
};

enum { OPT_PASSPHRASE_FILE = 256, OPT_NO_FSYNC };

/* Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"recipient", required_argument, NULL, 'r'},
        {"sender", required_argument, NULL, 's'},
        {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
        {"armor", no_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"no-fsync", no_argument, NULL, OPT_NO_FSYNC},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    bool seen_s = false, seen_pf = false, seen_a = false, seen_o = false, seen_f = false;
    bool seen_nf = false;
    int c;

    memset(o, 0, sizeof *o);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":r:s:ao:fhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->n_recipients == SEAL_MAX_RECIPIENTS) {
                cli_errorf("too many recipients (at most %d)", SEAL_MAX_RECIPIENTS);
                return EXIT_USAGE;
            }
            o->recipients[o->n_recipients++] = optarg;
            break;
        case 's':
            if (!cli_once(&seen_s, "-s/--sender"))
                return EXIT_USAGE;
            o->sender = optarg;
            break;
        case OPT_PASSPHRASE_FILE:
            if (!cli_once(&seen_pf, "--passphrase-file"))
                return EXIT_USAGE;
            o->passphrase_file = optarg;
            break;
        case 'a':
            if (!cli_once(&seen_a, "-a/--armor"))
                return EXIT_USAGE;
            o->armor = true;
            break;
        case 'o':
            if (!cli_once(&seen_o, "-o/--output"))
                return EXIT_USAGE;
            o->output = optarg;
            break;
        case 'f':
            if (!cli_once(&seen_f, "-f/--force"))
                return EXIT_USAGE;
            o->force = true;
            break;
        case OPT_NO_FSYNC:
            if (!cli_once(&seen_nf, "--no-fsync"))
                return EXIT_USAGE;
            o->no_fsync = true;
            break;
        case 'h':
            help();
            return EXIT_OK;
        case 'V':
            printf("seal %s\n", PACKAGE_VERSION);
            return EXIT_OK;
        case ':':
            cli_errorf("option %s needs an argument", argv[optind - 1]);
            cli_hint("see 'seal --help'");
            return EXIT_USAGE;
        default:
            if (optopt)
                cli_errorf("unknown option -%c", optopt);
            else
                cli_errorf("unknown option %s", argv[optind - 1]);
            cli_hint("see 'seal --help'");
            return EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        cli_errorf("too many arguments: only one FILE can be sealed at a time");
        cli_hint("for several files, run seal once per file or seal an archive");
        return EXIT_USAGE;
    }
    o->input = optind < argc ? argv[optind] : "-";
    if (o->n_recipients == 0) {
        cli_errorf("no recipient: give at least one -r RECIPIENT.pub");
        return EXIT_USAGE;
    }
    if (o->sender == NULL) {
        cli_errorf("no sender key: give -s SENDER.key");
        cli_hint("every envelope is signed; make a key pair with seal-keygen -o NAME");
        return EXIT_USAGE;
    }
    if (o->output == NULL) {
        if (file_is_stdio(o->input)) {
            o->output = "-";
        } else {
            size_t n = strlen(o->input);
            char *name = malloc(n + sizeof ".seal");
            if (name == NULL) {
                cli_errorf("out of memory");
                return EXIT_IO;
            }
            memcpy(name, o->input, n);
            memcpy(name + n, ".seal", sizeof ".seal");
            o->output = o->output_owned = name;
        }
    }
    return -1;
}

/* ---- sealing -------------------------------------------------------------- */

static int load_keys(const struct options *o, struct cli_passphrase *pp, struct seal_key **rcpt,
                     struct seal_key **sender)
{
    gpg_err_code_t rc;

    for (size_t i = 0; i < o->n_recipients; i++) {
        if ((rc = key_load_public(o->recipients[i], cli_passphrase_get, pp, &rcpt[i])))
            return cli_error(o->recipients[i], rc);
        for (size_t j = 0; j < i; j++) {
            /* A duplicate is most likely a typo for another recipient:
             * refuse rather than silently sealing for fewer people, naming
             * both files, before the sender's passphrase is asked for. */
            if (memcmp(rcpt[i]->fpr, rcpt[j]->fpr, SEAL_FPR_LEN) == 0) {
                cli_errorf("%s: the same key as %s (a recipient given twice)", o->recipients[i],
                           o->recipients[j]);
                return EXIT_USAGE;
            }
        }
    }
    if ((rc = key_load_private(o->sender, cli_passphrase_get, pp, sender)))
        return cli_error(o->sender, rc);
    return EXIT_OK;
}

static int seal_file(const struct options *o)
{
    struct seal_key *rcpt[SEAL_MAX_RECIPIENTS] = {NULL};
    struct seal_key *sender = NULL;
    struct cli_passphrase pp = {o->passphrase_file};
    struct cli_input in = {-1, false};
    struct cli_output out;
    const char *in_name = file_is_stdio(o->input) ? stdin_name : o->input;
    const char *out_name = file_is_stdio(o->output) ? stdout_name : o->output;
    struct seal_request req;
    struct stat st;
    mode_t mask;
    gpg_err_code_t rc;
    int status;

    memset(&out, 0, sizeof out);
    out.ao.fd = -1;

    /* Cheap refusals first, before anyone is asked for a passphrase. */
    if (file_is_stdio(o->output) && !o->armor && isatty(STDOUT_FILENO)) {
        cli_errorf("refusing to write a binary envelope to a terminal");
        cli_hint("use -a for ASCII armor or -o FILE to write a file");
        return EXIT_USAGE;
    }
    if (!file_is_stdio(o->output) && !o->force && lstat(o->output, &st) == 0) {
        cli_errorf("%s: already exists", o->output);
        cli_hint("use -f to overwrite it or -o to choose another name");
        return EXIT_IO;
    }
    seal_clear_detail();
    if ((rc = file_open_read(o->input, &in.fd)))
        return cli_error(in_name, rc);
    if (fstat(in.fd, &st) != 0)
        st.st_mode = 0;

    if ((status = load_keys(o, &pp, rcpt, &sender)) != EXIT_OK)
        goto out;

    /* The envelope is not secret; readable as the umask allows. */
    mask = umask(0);
    umask(mask);
    seal_clear_detail();
    if ((rc = atomic_out_open(&out.ao, o->output, 0666 & ~mask, o->force))) {
        status = cli_error(out_name, rc);
        if (rc == GPG_ERR_EEXIST)
            cli_hint("use -f to overwrite it or -o to choose another name");
        goto out;
    }
    out.ao.no_fsync = o->no_fsync;
    cli_remove_on_signal(out.ao.tmp_path);

    memset(&req, 0, sizeof req);
    req.recipients = (const struct seal_key *const *)rcpt;
    req.n_recipients = o->n_recipients;
    req.sender = sender;
    req.armor = o->armor;
    req.in = (struct byte_source){cli_input_read, &in};
    req.out = (struct byte_sink){cli_output_write, &out};
    req.progress = cli_progress_update;
    /* Drawn only if stderr is a terminal and the run lasts over a second. */
    cli_progress_start("sealing", S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
    rc = envelope_seal(&req);
    cli_progress_done();
    if (!rc && (rc = atomic_out_commit(&out.ao)))
        out.failed = true;
    if (rc) {
        atomic_out_abort(&out.ao);
        status = cli_error(in.failed ? in_name : out.failed ? out_name : NULL, rc);
        goto out;
    }
    status = EXIT_OK;

out:
    cli_remove_on_signal(NULL);
    atomic_out_abort(&out.ao);
    for (size_t i = 0; i < o->n_recipients; i++)
        key_free(rcpt[i]);
    key_free(sender);
    if (in.fd >= 0)
        close(in.fd);
    return status;
}

int main(int argc, char **argv)
{
    struct options o;
    gpg_err_code_t rc;
    int status;

    cli_set_program("seal");
    if ((status = parse_options(argc, argv, &o)) >= 0)
        return status;
    if ((rc = seal_crypto_init()))
        status = cli_error(NULL, rc);
    else
        status = seal_file(&o);
    free(o.output_owned);
    return status;
}
