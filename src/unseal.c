/*
 * unseal: decrypts an envelope addressed to the recipient's key, checks that
 * an expected sender signed it, and only then releases the plaintext
 * (format: man/seal.5, usage: man/unseal.1). --inspect shows what the
 * envelope reveals. The work is in cli/unseal_cmd.c.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/process.h"

static void usage(void)
{
    fputs(
        "usage: unseal -k RECIPIENT.key -s SENDER.pub|DIR [--passphrase-file FILE]\n"
        "              [-f] [--no-fsync] [-o OUTPUT] [-q] [FILE]\n"
        "       unseal --inspect [--json] [-k RECIPIENT.key [-s SENDER.pub|DIR]]\n"
        "              [--passphrase-file FILE] [FILE]\n"
        "       unseal -k SERVER.key -s DIR --listen [ADDR:]PORT|- -d INBOX [--keep-sealed]\n"
        "              [--max-size SIZE] [--max-connections N] [--idle-timeout DURATION]\n"
        "              [--max-time DURATION] [--min-free SIZE] [--max-age DURATION]\n"
        "              [--max-per-source N] [--header-timeout DURATION] [--min-rate SIZE] [-q]\n"
        "       unseal -k SERVER.key -s DIR --listen [ADDR:]PORT --deliver nats://HOST:PORT[,...]\n"
        "              --stream NAME [--proxy-from ADDR[,ADDR...]] [--keep-sealed] [limits]\n"
        "       unseal --drain nats://HOST:PORT[,...] --stream NAME -d INBOX [--follow]\n"
        "              [--ack-wait DURATION] [--durable NAME] [-q]\n"
        "       unseal -k RECIPIENT.key -s SENDER.pub|DIR --from HOST:PORT\n"
        "              [-d INBOX [--keep-sealed] | -o OUTPUT [-f]] [limits as above]\n"
        "       unseal -k SERVER.key -s DIR --listen ... [--outbox OUTBOX] [--pending DIR\n"
        "              [--max-pending N]]\n"
        "       unseal -k CLIENT.key -s SERVER.pub --from HOST:PORT --fetch -d INBOX\n"
        "              [--name ID] [--keep-sealed]\n"
        "       unseal -h | -V\n",
        stdout);
}

static void help(void)
{
    usage();
    fputs("\n"
          "Decrypts FILE (or standard input) with the recipient's private key, checks\n"
          "that the sender signed it, and only then writes the plaintext: FILE without\n"
          "its .seal suffix, or standard output when reading standard input.\n"
          "\n"
          "  -k, --key FILE            recipient's private key; an encrypted one's\n"
          "                            passphrase is asked only if the envelope is\n"
          "                            addressed to it (known from FILE's .pub beside it)\n"
          "  -s, --sender FILE|DIR     expected sender's public key, or a directory of\n"
          "                            trusted senders' *.pub files\n"
          "      --passphrase-file F   read the key's passphrase from the first line of F\n"
          "                            instead of asking on the terminal\n"
          "  -o, --output OUTPUT       write to OUTPUT ('-' for standard output, also\n"
          "                            binary to a terminal; a device or FIFO is\n"
          "                            written into, never replaced)\n"
          "  -f, --force               replace OUTPUT if it exists (never the input)\n"
          "      --no-fsync            do not wait for OUTPUT to reach the disk: faster, but\n"
          "                            a crash soon after may leave it empty or cut short\n"
          "  -q, --quiet               do not report the good signature on stderr\n"
          "      --inspect             show what the envelope reveals instead of unsealing\n"
          "      --json                with --inspect: print one JSON object\n"
          "      --listen [ADDR:]PORT  serve senders (seal --to) until SIGTERM, delivering\n"
          "                            into the Maildir -d INBOX; '-' takes the sockets\n"
          "                            from systemd (LISTEN_FDS)\n"
          "      --from HOST:PORT      receive one envelope from a peer (seal --listen)\n"
          "                            and answer with a receipt\n"
          "  -d, --inbox DIR           Maildir to deliver into (tmp/ new/ cur/ seen/)\n"
          "      --keep-sealed         store the verified envelope, not the plaintext\n"
          "      --max-size SIZE       largest envelope accepted (default 2G)\n"
          "      --max-connections N   connections at once (default: from the descriptor\n"
          "                            limit, raised to its hard limit); when full, the\n"
          "                            one that has sent least for longest is closed\n"
          "      --max-per-source N    connections at once from one client address\n"
          "                            (default 32)\n"
          "      --header-timeout DUR  longest wait for a request's first bytes\n"
          "                            (default 5s)\n"
          "      --min-rate SIZE       least an envelope must arrive at, per second over\n"
          "                            10 s (default 256; 0: none)\n"
          "      --idle-timeout DUR    longest silence from a peer (default 60s)\n"
          "      --max-time DUR        longest connection (default 1h)\n"
          "      --min-free SIZE       refuse (ERR temp) below this much free space in\n"
          "                            the inbox's file system (default 64M)\n"
          "      --max-age DUR         refuse envelopes created longer ago (default 7d);\n"
          "                            also how long duplicates are remembered\n"
          "      --outbox DIR          with --listen: serve DIR/ID/* to client ID on request\n"
          "                            (unseal --fetch), moving each to DIR/ID/sent/ once\n"
          "                            its receipt verified\n"
          "      --pending DIR         with --listen: take key registrations (seal-keygen\n"
          "                            --register) into DIR/ID.pub, never trusted until an\n"
          "                            operator moves them into -s DIR\n"
          "      --max-pending N       at most N keys pending (default 100)\n"
          "      --fetch               with --from: fetch every envelope waiting in the\n"
          "                            listener's outbox for us into -d INBOX\n"
          "      --name ID             with --fetch: our client ID there (default: -k's\n"
          "                            file name without .key)\n"
          "      --proxy-from LIST     with --listen: connections from these addresses\n"
          "                            (IPv4/IPv6, CIDR blocks; comma-separated) begin with\n"
          "                            a PROXY protocol v1/v2 header naming the client\n"
          "      --deliver URLS        with --listen: publish each verified message to a\n"
          "                            NATS JetStream stream (instead of -d), OK after the\n"
          "                            stream's acknowledgment\n"
          "      --stream NAME         the JetStream stream (subject seal.NAME), created if\n"
          "                            missing; its duplicate window must cover --max-age\n"
          "      --drain URLS          move the stream's messages into -d INBOX, exactly\n"
          "                            once, and exit\n"
          "      --follow              with --drain: keep waiting for messages until SIGTERM\n"
          "      --ack-wait DUR        with --drain: redeliver a message not acknowledged\n"
          "                            within DUR (default 30s; set when the consumer is\n"
          "                            created)\n"
          "      --durable NAME        with --drain: the consumer's name (default seal-drain)\n"
          "  -h, --help                show this help and exit\n"
          "  -V, --version             show the version and exit\n"
          "\n"
          "Exit status: 0 ok, 1 authentication failed (tampered, truncated, bad\n"
          "signature), 2 usage, 3 malformed input, 4 key or passphrase problem, 5 not\n"
          "addressed to this key, 6 sender not trusted, 7 I/O error, 8 no envelope or peer\n"
          "unreachable (--from), 9 the listener refused (--fetch), 10 the listener's\n"
          "END line does not verify (--fetch), 11 internal error. See unseal(1).\n",
          stdout);
}

enum { OPT_INSPECT = CLI_OPT_PROGRAM, OPT_JSON };

static bool has_seal_suffix(const char *path)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;

    /* "x.seal" -> "x"; a bare ".seal" would leave no name. */
    return strlen(base) > 5 && strcmp(path + n - 5, ".seal") == 0;
}

/* The output name when none was given: FILE.seal -> FILE. Returns -1 to go
 * on, or an exit status. */
static int default_output(struct unseal_options *o, char **owned)
{
    if (file_is_stdio(o->input)) {
        o->common.output = "-";
        return -1;
    }
    if (!has_seal_suffix(o->input)) {
        cli_errorf("%s: name does not end in .seal, cannot choose an output name", o->input);
        cli_hint("use -o OUTPUT (or -o - for standard output)");
        return EXIT_USAGE;
    }
    /* "./" keeps "-.seal" from turning into standard output. */
    size_t n = strlen(o->input) - 5;
    char *name = malloc(n + 3);
    if (name == NULL) {
        cli_errorf("out of memory");
        return EXIT_IO;
    }
    snprintf(name, n + 3, "%s%.*s", n == 1 && o->input[0] == '-' ? "./" : "", (int)n, o->input);
    o->common.output = *owned = name;
    return -1;
}

/* The one place unseal's mode is decided; each mode's own checks follow
 * from it. The option checks before it have refused two modes at once. */
static enum unseal_mode decide_mode(const struct unseal_options *o)
{
    if (o->fleet.drain)
        return UNSEAL_DRAIN;
    if (o->net.listen)
        return o->fleet.deliver ? UNSEAL_DELIVER : UNSEAL_LISTEN;
    if (o->net.from)
        return o->tw.fetch ? UNSEAL_FETCH : UNSEAL_FROM;
    return o->inspect ? UNSEAL_INSPECT : UNSEAL_FILE;
}

/* --drain: the stream holds verified messages, so no key is needed to file
 * them, and nothing else is read or written. */
static int check_drain(const struct unseal_options *o, bool have_file)
{
    if (o->key || o->senders || o->inspect || have_file || o->common.output_given)
        return cli_conflict("--drain", o->key       ? "-k/--key"
                                       : o->senders ? "-s/--sender"
                                       : o->inspect ? "--inspect"
                                       : have_file  ? "FILE"
                                                    : "-o/--output");
    return -1;
}

/* --inspect only reads: options that write have no meaning. */
static int check_inspect(const struct unseal_options *o)
{
    if (o->common.output_given)
        return cli_conflict("--inspect", "-o/--output");
    if (o->common.force)
        return cli_conflict("--inspect", "-f/--force");
    if (o->common.no_fsync)
        return cli_conflict("--inspect", "--no-fsync");
    if (o->quiet)
        return cli_conflict("--inspect", "-q/--quiet");
    if (o->senders && !o->key) {
        cli_errorf("option -s/--sender needs -k/--key with --inspect");
        cli_hint("only a recipient can see who signed an envelope");
        return cli_usage_error();
    }
    return -1;
}

/* Every mode that unseals: -k and -s, and no --json. */
static int check_keys(const struct unseal_options *o)
{
    if (o->json) {
        cli_errorf("option --json needs --inspect");
        return cli_usage_error();
    }
    if (!o->key) {
        cli_errorf("no key: give -k RECIPIENT.key");
        cli_hint("to look at an envelope without a key, use --inspect");
        return EXIT_USAGE;
    }
    if (!o->senders) {
        cli_errorf("no sender: give -s SENDER.pub or -s DIR of trusted senders");
        cli_hint("unseal releases a message only once it knows who must have signed it");
        return EXIT_USAGE;
    }
    return -1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct unseal_options *o, char **owned)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"sender", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"inspect", no_argument, NULL, OPT_INSPECT},
        {"json", no_argument, NULL, OPT_JSON},
        CLI_LONGOPTS_COMMON,
        CLI_NET_UNSEAL_LONGOPTS,
        CLI_FLEET_LONGOPTS,
        CLI_TWOWAY_UNSEAL_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    bool seen_k = false, seen_s = false;
    int c, r;

    memset(o, 0, sizeof *o);
    cli_net_defaults(&o->net);
    o->net.fleet = &o->fleet;
    cli_twoway_defaults(&o->tw);
    o->net.twoway = &o->tw;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:s:o:fqhVd:", longopts, NULL)) != -1) {
        if ((r = cli_fleet_option(c, optarg, &o->fleet)) == CLI_OPTION_NOT_MINE &&
            (r = cli_net_option(c, optarg, &o->net)) == CLI_OPTION_NOT_MINE &&
            (r = cli_twoway_option(c, optarg, &o->tw)) == CLI_OPTION_NOT_MINE &&
            (r = cli_common_option(c, argv, longopts, &o->common, help)) == CLI_OPTION_NOT_MINE) {
            switch (c) {
            case 'k':
                r = cli_once(&seen_k, "-k/--key");
                o->key = optarg;
                break;
            case 's':
                r = cli_once(&seen_s, "-s/--sender");
                o->senders = optarg;
                break;
            case 'q':
                r = cli_once(&o->quiet, "-q/--quiet");
                break;
            case OPT_INSPECT:
                r = cli_once(&o->inspect, "--inspect");
                break;
            case OPT_JSON:
                r = cli_once(&o->json, "--json");
                break;
            }
        }
        if (r != CLI_OPTION_HANDLED)
            return r;
    }
    if (argc - optind > 1) {
        cli_errorf("too many arguments: only one FILE can be unsealed at a time");
        return cli_usage_error();
    }
    o->input = optind < argc ? argv[optind] : "-";
    o->net.quiet = o->quiet;
    o->net.trust = o->senders;
    /* The transport, fleet and two-way options among themselves. */
    if ((r = cli_net_check(&o->net, true, o->common.output_given)) >= 0 ||
        (r = cli_fleet_check(&o->fleet, &o->net)) >= 0 ||
        (r = cli_twoway_check_unseal(&o->tw, &o->net)) >= 0)
        return r;
    o->mode = decide_mode(o);
    switch (o->mode) {
    case UNSEAL_DRAIN:
        return check_drain(o, optind < argc);
    case UNSEAL_INSPECT:
        return check_inspect(o);
    case UNSEAL_FILE:
        if ((r = check_keys(o)) >= 0)
            return r;
        return o->common.output ? -1 : default_output(o, owned);
    case UNSEAL_LISTEN:
    case UNSEAL_DELIVER:
    case UNSEAL_FROM:
    case UNSEAL_FETCH:
        break;
    }
    if (o->inspect || optind < argc)
        return cli_conflict(o->net.listen ? "--listen" : "--from",
                            o->inspect ? "--inspect" : "FILE");
    if ((r = check_keys(o)) >= 0)
        return r;
    if (!o->common.output)
        o->common.output = "-";
    return -1;
}

int main(int argc, char **argv)
{
    struct unseal_options o;
    char *owned = NULL;
    gpg_err_code_t err;
    int status;

    cli_process_start();
    cli_set_program("unseal");
    if ((status = parse_options(argc, argv, &o, &owned)) < 0 &&
        (status = cli_fleet_hand_off(&o.fleet, &o.net)) < 0) {
        cli_warn_insecure_memory(o.quiet);
        if ((err = seal_crypto_init()))
            status = cli_error(NULL, err);
        else
            status = o.mode == UNSEAL_DRAIN     ? cli_unseal_drain(&o.fleet, &o.net)
                     : o.mode == UNSEAL_INSPECT ? cli_inspect(&o)
                     : o.mode == UNSEAL_FILE    ? cli_unseal(&o)
                                                : cli_unseal_net(&o);
    }
    free(owned);
    return status;
}
