/*
 * seal: signs a file with the sender's key and encrypts it to one or more
 * recipients (format: man/seal.5, usage: man/seal.1). The work is in
 * cli/seal_cmd.c.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/chat_terminal.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/process.h"

static void usage(void)
{
    fputs("usage: seal -r RECIPIENT.pub|DIR [-r ...] [-R LIST] -s SENDER.key\n"
          "            [--passphrase-file FILE] [-a] [-f] [--no-fsync] [-o OUTPUT] [FILE]\n"
          "       seal -r SERVER.pub [-r ...] -s SENDER.key [-a] (--to HOST:PORT\n"
          "            [--retry-for DURATION] | --listen [ADDR:]PORT) [--wait DURATION] [FILE]\n"
          "       seal --chat -r PEER.pub|DIR -s ME.key (--to HOST:PORT | --listen [ADDR:]PORT)\n"
          "            [--wait DURATION] [--passphrase-file FILE]\n"
          "       seal -h | -V\n",
          stdout);
}

static void help(void)
{
    usage();
    fputs("\n"
          "Signs FILE (or standard input) with the sender's private key and encrypts it\n"
          "so that only the recipients can read it. Writes FILE.seal, or standard output\n"
          "when reading standard input.\n"
          "\n"
          "  -r, --recipient FILE|DIR  recipient's public key (PEM, DER or an OpenSSH\n"
          "                            ssh-rsa line), or a directory: each of its *.pub\n"
          "                            files (repeat -r for several)\n"
          "  -R, --recipients-file L   one key file or OpenSSH key per line (an\n"
          "                            authorized_keys or USER.keys file works; empty\n"
          "                            lines and lines starting with # are skipped)\n"
          "  -s, --sender FILE         sender's private key (signs the message)\n"
          "      --passphrase-file F   read the sender key's passphrase from the first\n"
          "                            line of F instead of asking on the terminal\n"
          "  -a, --armor               write ASCII armor instead of binary\n"
          "  -o, --output OUTPUT       write to OUTPUT ('-' for standard output, also\n"
          "                            binary to a terminal; a device or FIFO is\n"
          "                            written into, never replaced)\n"
          "  -f, --force               replace OUTPUT if it exists (never the input)\n"
          "      --no-fsync            do not wait for OUTPUT to reach the disk: faster, but\n"
          "                            a crash soon after may leave it empty or cut short\n"
          "      --to HOST:PORT        send the envelope to a listener (unseal --listen)\n"
          "                            while sealing; exit 0 only once its receipt for\n"
          "                            this envelope verified (the first -r is the peer)\n"
          "      --listen [ADDR:]PORT  wait for one peer (unseal --from) and send it the\n"
          "                            envelope\n"
          "      --retry-for DURATION  with --to: re-send the same envelope after a lost\n"
          "                            connection or ERR temp for this long (default 5m);\n"
          "                            without it a peer never reached fails at once\n"
          "      --wait DURATION       longest wait on the peer, for the acknowledgment\n"
          "                            and for each write (default 60s)\n"
          "      --chat                chat with the peer (one -r: its key, or with --listen\n"
          "                            a directory of keys, any one of which may call):\n"
          "                            each line of standard input is encrypted under a\n"
          "                            key used once and erased (forward secrecy), each\n"
          "                            line received is verified and shown as\n"
          "                            'peer: text'; a line 'exit' or the end of input\n"
          "                            says goodbye. --wait bounds the wait for the peer\n"
          "                            (default 5m)\n"
          "  -h, --help                show this help and exit\n"
          "  -V, --version             show the version and exit\n"
          "\n"
          "Exit status: 0 ok, 2 usage, 3 malformed input, 4 key or passphrase problem,\n"
          "7 I/O error, 8 no acknowledgment (outcome unknown, sending again is safe),\n"
          "9 refused by the peer, 10 receipt does not verify, 11 internal error,\n"
          "12 chat session broken (replayed, reordered, dropped, reflected or forged frame,\n"
          "low-order key, or a peer speaking chat version 1).\n"
          "See seal(1).\n",
          stdout);
}

static int add_recipient(struct seal_options *o, const char *path, bool is_list)
{
    if (o->n_recipients == SEAL_MAX_RECIPIENTS) {
        cli_errorf("too many recipients (at most %d)", SEAL_MAX_RECIPIENTS);
        return cli_usage_error();
    }
    o->recipients[o->n_recipients].path = path;
    o->recipients[o->n_recipients].is_list = is_list;
    o->n_recipients++;
    return CLI_OPTION_HANDLED;
}

enum { OPT_CHAT = CLI_OPT_PROGRAM };

/* --chat: one peer (-r), a connection, and standard input as the lines. */
static int check_chat(const struct seal_options *o, int n_args)
{
    if (!o->net.to && !o->net.listen) {
        cli_errorf("option --chat needs --to HOST:PORT or --listen [ADDR:]PORT");
        return cli_usage_error();
    }
    if (o->n_recipients != 1 || o->recipients[0].is_list) {
        cli_errorf("option --chat needs exactly one -r (the peer's key, or a directory)");
        return cli_usage_error();
    }
    if (n_args)
        return cli_conflict("--chat", "FILE");
    if (o->armor)
        return cli_conflict("--chat", "-a/--armor (chat frames are always armored)");
    if (cli_net_given(&o->net, OPT_NET_RETRY_FOR))
        return cli_conflict("--chat", "--retry-for");
    return -1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct seal_options *o, char **owned)
{
    static const struct option longopts[] = {
        {"recipient", required_argument, NULL, 'r'},
        {"recipients-file", required_argument, NULL, 'R'},
        {"sender", required_argument, NULL, 's'},
        {"armor", no_argument, NULL, 'a'},
        CLI_LONGOPTS_COMMON,
        CLI_NET_SEAL_LONGOPTS,
        {"chat", no_argument, NULL, OPT_CHAT},
        {NULL, 0, NULL, 0},
    };
    bool seen_s = false;
    int c, r;

    memset(o, 0, sizeof *o);
    cli_net_defaults(&o->net);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":r:R:s:ao:fhV", longopts, NULL)) != -1) {
        if ((r = cli_net_option(c, optarg, &o->net)) == CLI_OPTION_NOT_MINE)
            r = cli_common_option(c, argv, longopts, &o->common, help);
        if (r == CLI_OPTION_NOT_MINE) {
            switch (c) {
            case 'r':
            case 'R':
                r = add_recipient(o, optarg, c == 'R');
                break;
            case 's':
                r = cli_once(&seen_s, "-s/--sender");
                o->sender = optarg;
                break;
            case 'a':
                r = cli_once(&o->armor, "-a/--armor");
                break;
            case OPT_CHAT:
                r = cli_once(&o->chat, "--chat");
                break;
            }
        }
        if (r != CLI_OPTION_HANDLED)
            return r;
    }
    if (argc - optind > 1) {
        cli_errorf("too many arguments: only one FILE can be sealed at a time");
        cli_hint("for several files, run seal once per file or seal an archive");
        return EXIT_USAGE;
    }
    o->input = optind < argc ? argv[optind] : "-";
    if (o->n_recipients == 0) {
        cli_errorf("no recipient: give at least one -r RECIPIENT.pub (or -R LIST)");
        return cli_usage_error();
    }
    if (o->sender == NULL) {
        cli_errorf("no sender key: give -s SENDER.key");
        cli_hint("every envelope is signed; make a key pair with seal-keygen -o NAME");
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < o->n_recipients; i++) {
        /* Both would read standard input. */
        if (o->recipients[i].is_list && file_is_stdio(o->recipients[i].path) &&
            file_is_stdio(o->input)) {
            cli_errorf("-R - and the input cannot both be standard input");
            return cli_usage_error();
        }
    }
    if ((r = cli_net_check(&o->net, false, o->common.output_given)) >= 0)
        return r;
    if (o->chat)
        return check_chat(o, argc - optind);
    if (o->net.to || o->net.listen)
        return -1; /* the envelope goes to the peer, not to a file */
    if (o->common.output == NULL) {
        if (file_is_stdio(o->input)) {
            o->common.output = "-";
        } else {
            size_t n = strlen(o->input);
            char *name = malloc(n + sizeof ".seal");
            if (name == NULL) {
                cli_errorf("out of memory");
                return EXIT_IO;
            }
            memcpy(name, o->input, n);
            memcpy(name + n, ".seal", sizeof ".seal");
            o->common.output = *owned = name;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct seal_options o;
    char *owned = NULL;
    gpg_err_code_t err;
    int status;

    cli_process_start();
    cli_set_program("seal");
    if ((status = parse_options(argc, argv, &o, &owned)) < 0) {
        cli_warn_insecure_memory(false);
        if ((err = seal_crypto_init()))
            status = cli_error(NULL, err);
        else
            status = o.chat ? cli_chat(&o) : cli_seal(&o);
    }
    free(owned);
    return status;
}
