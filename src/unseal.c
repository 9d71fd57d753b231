/*
 * unseal: decrypts an envelope addressed to the recipient's key, checks that
 * an expected sender signed it, and only then releases the plaintext
 * (format: man/seal.5, usage: man/unseal.1). --inspect shows what the
 * envelope reveals.
 *
 * The guarantee that no unverified byte escapes rests here: envelope_unseal()
 * writes plaintext only to a private sink (a temporary file beside the
 * destination, or an encrypted spool for standard output), and this file
 * makes that output visible only after envelope_unseal() returned 0.
 */
#include <config.h>

#include <fcntl.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/passphrase.h"
#include "envelope/envelope.h"
#include "base/fileio.h"
#include "keys/keys.h"
#include "cli/spool.h"

static const char *stdin_name = "(stdin)";
static const char *stdout_name = "(stdout)";

static void usage(FILE *f)
{
    fputs("usage: unseal -k RECIPIENT.key -s SENDER.pub|DIR [--passphrase-file FILE]\n"
          "              [-f] [--no-fsync] [-o OUTPUT] [-q] [FILE]\n"
          "       unseal --inspect [--json] [-k RECIPIENT.key [-s SENDER.pub|DIR]]\n"
          "              [--passphrase-file FILE] [FILE]\n"
          "       unseal -h | -V\n",
          f);
}

static void help(void)
{
    usage(stdout);
    fputs("\n"
          "Decrypts FILE (or standard input) with the recipient's private key, checks\n"
          "that the sender signed it, and only then writes the plaintext: FILE without\n"
          "its .seal suffix, or standard output when reading standard input.\n"
          "\n"
          "  -k, --key FILE            recipient's private key\n"
          "  -s, --sender FILE|DIR     expected sender's public key, or a directory of\n"
          "                            trusted senders' *.pub files\n"
          "      --passphrase-file F   read the key's passphrase from the first line of F\n"
          "                            instead of asking on the terminal\n"
          "  -o, --output OUTPUT       write to OUTPUT ('-' for standard output)\n"
          "  -f, --force               replace OUTPUT if it exists\n"
          "      --no-fsync            do not wait for OUTPUT to reach the disk: faster, but\n"
          "                            a crash soon after may leave it empty or cut short\n"
          "  -q, --quiet               do not report the good signature on stderr\n"
          "      --inspect             show what the envelope reveals instead of unsealing\n"
          "      --json                with --inspect: print one JSON object\n"
          "  -h, --help                show this help and exit\n"
          "  -V, --version             show the version and exit\n"
          "\n"
          "Exit status: 0 ok, 1 authentication failed (tampered, truncated, bad\n"
          "signature), 2 usage, 3 malformed input, 4 key or passphrase problem, 5 not\n"
          "addressed to this key, 6 sender not trusted, 7 I/O error. See unseal(1).\n",
          stdout);
}

/* ---- private plaintext output --------------------------------------------
 * Either a temporary file that becomes the output file on release, or an
 * encrypted spool (spool.h) that is replayed to standard output on release.
 * Until then nobody else can see a byte of it. */

struct plain_out {
    bool to_stdout;
    struct atomic_out ao; /* the file, or fd 1 for standard output */
    struct spool *spool;
    bool failed;      /* writing the output failed (not reading the input) */
    bool spool_failed; /* ... because the spool could not hold the message */
};

/* Buffered write to the output file or standard output. */
static gpg_err_code_t plain_put(void *ctx, const uint8_t *data, size_t n)
{
    struct plain_out *p = ctx;
    gpg_err_code_t rc = atomic_out_write(&p->ao, data, n);

    if (rc)
        p->failed = true;
    return rc;
}

/* The private sink envelope_unseal() writes to. */
static gpg_err_code_t plain_write(void *ctx, const uint8_t *data, size_t n)
{
    struct plain_out *p = ctx;
    gpg_err_code_t rc;

    if (!p->to_stdout)
        return plain_put(p, data, n); /* a temporary file nobody else sees */
    if ((rc = spool_write(p->spool, data, n)))
        p->failed = p->spool_failed = true;
    return rc;
}

static gpg_err_code_t plain_open(struct plain_out *p, const char *path, bool force)
{
    gpg_err_code_t rc;

    memset(p, 0, sizeof *p);
    p->ao.fd = -1;
    if (file_is_stdio(path)) {
        p->to_stdout = true;
        if ((rc = spool_new(&p->spool)))
            return rc;
        return atomic_out_open(&p->ao, "-", 0, false);
    }
    /* Mode 0600 from creation to the end: the plaintext was secret. */
    if ((rc = atomic_out_open(&p->ao, path, 0600, force)))
        return rc;
    cli_remove_on_signal(p->ao.tmp_path);
    return 0;
}

/* Makes the plaintext visible. Call only after envelope_unseal() returned 0. */
static gpg_err_code_t plain_release(struct plain_out *p)
{
    gpg_err_code_t rc;

    if (p->to_stdout) {
        if ((rc = spool_finish(p->spool)))
            return rc;
        /* A spool file damaged meanwhile fails here, possibly after some
         * verified bytes were written: those are the sender's bytes. */
        if ((rc = spool_replay(p->spool, (struct byte_sink){plain_put, p})))
            return rc;
    }
    if ((rc = atomic_out_commit(&p->ao)))
        p->failed = true;
    return rc;
}

/* Throws the plaintext away (no-op after a release). */
static void plain_discard(struct plain_out *p)
{
    spool_free(p->spool);
    p->spool = NULL;
    atomic_out_abort(&p->ao);
    if (!p->to_stdout)
        cli_remove_on_signal(NULL);
}

/* ---- options ------------------------------------------------------------- */

struct options {
    const char *key;
    const char *senders;
    const char *passphrase_file;
    const char *output;
    char *output_owned; /* OUTPUT when derived from the input's name */
    const char *input;
    bool force;
    bool no_fsync;
    bool quiet;
    bool inspect;
    bool json;
};

enum { OPT_PASSPHRASE_FILE = 256, OPT_INSPECT, OPT_JSON, OPT_NO_FSYNC };

static bool has_seal_suffix(const char *path)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;

    /* "x.seal" -> "x"; a bare ".seal" would leave no name. */
    return strlen(base) > 5 && strcmp(path + n - 5, ".seal") == 0;
}

static int usage_error(void)
{
    cli_hint("see 'unseal --help'");
    return EXIT_USAGE;
}

/* Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"sender", required_argument, NULL, 's'},
        {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"no-fsync", no_argument, NULL, OPT_NO_FSYNC},
        {"quiet", no_argument, NULL, 'q'},
        {"inspect", no_argument, NULL, OPT_INSPECT},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    bool seen_k = false, seen_s = false, seen_pf = false, seen_o = false, seen_f = false;
    bool seen_q = false, seen_i = false, seen_j = false, seen_nf = false;
    int c;

    memset(o, 0, sizeof *o);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:s:o:fqhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (!cli_once(&seen_k, "-k/--key"))
                return EXIT_USAGE;
            o->key = optarg;
            break;
        case 's':
            if (!cli_once(&seen_s, "-s/--sender"))
                return usage_error();
            o->senders = optarg;
            break;
        case OPT_PASSPHRASE_FILE:
            if (!cli_once(&seen_pf, "--passphrase-file"))
                return EXIT_USAGE;
            o->passphrase_file = optarg;
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
        case 'q':
            if (!cli_once(&seen_q, "-q/--quiet"))
                return EXIT_USAGE;
            o->quiet = true;
            break;
        case OPT_INSPECT:
            if (!cli_once(&seen_i, "--inspect"))
                return EXIT_USAGE;
            o->inspect = true;
            break;
        case OPT_JSON:
            if (!cli_once(&seen_j, "--json"))
                return EXIT_USAGE;
            o->json = true;
            break;
        case 'h':
            help();
            return EXIT_OK;
        case 'V':
            printf("unseal %s\n", PACKAGE_VERSION);
            return EXIT_OK;
        case ':':
            cli_errorf("option %s needs an argument", argv[optind - 1]);
            return usage_error();
        default:
            if (optopt)
                cli_errorf("unknown option -%c", optopt);
            else
                cli_errorf("unknown option %s", argv[optind - 1]);
            return usage_error();
        }
    }
    if (argc - optind > 1) {
        cli_errorf("too many arguments: only one FILE can be unsealed at a time");
        return usage_error();
    }
    o->input = optind < argc ? argv[optind] : "-";

    if (o->inspect) {
        /* --inspect only reads: options that write have no meaning. */
        if (o->output) {
            cli_errorf("options --inspect and -o/--output conflict");
            return usage_error();
        }
        if (o->force) {
            cli_errorf("options --inspect and -f/--force conflict");
            return usage_error();
        }
        if (o->no_fsync) {
            cli_errorf("options --inspect and --no-fsync conflict");
            return usage_error();
        }
        if (o->quiet) {
            cli_errorf("options --inspect and -q/--quiet conflict");
            return usage_error();
        }
        if (o->senders && !o->key) {
            cli_errorf("option -s/--sender needs -k/--key with --inspect");
            cli_hint("only a recipient can see who signed an envelope");
            return usage_error();
        }
        return -1;
    }
    if (o->json) {
        cli_errorf("option --json needs --inspect");
        return usage_error();
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
    if (!o->output) {
        if (file_is_stdio(o->input)) {
            o->output = "-";
        } else if (has_seal_suffix(o->input)) {
            /* "./" keeps "-.seal" from turning into standard output. */
            size_t n = strlen(o->input) - 5;
            char *name = malloc(n + 3);
            if (name == NULL) {
                cli_errorf("out of memory");
                return EXIT_IO;
            }
            snprintf(name, n + 3, "%s%.*s", n == 1 && o->input[0] == '-' ? "./" : "", (int)n,
                     o->input);
            o->output = o->output_owned = name;
        } else {
            cli_errorf("%s: name does not end in .seal, cannot choose an output name", o->input);
            cli_hint("use -o OUTPUT (or -o - for standard output)");
            return EXIT_USAGE;
        }
    }
    return -1;
}

/* ---- reporting ------------------------------------------------------------ */

/* Sender names come from file names: show control characters as '?' so a
 * hostile name cannot drive the terminal or forge a line. */
static void print_name(FILE *f, const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

static void print_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void format_time(uint64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if ((uint64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "@%llu", (unsigned long long)t);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The signature verdict --inspect shows (envelope_inspect reports an unknown
 * signer or a bad signature as signature_valid false, not as an error). */
static const char *signature_status(const struct envelope_info *info, bool have_senders)
{
    if (!have_senders)
        return "unchecked";
    if (!info->sender_name)
        return "untrusted";
    return info->signature_valid ? "good" : "bad";
}

static void inspect_text(const struct envelope_info *info, const char *sig)
{
    char fpr[SEAL_FPR_TEXT_LEN];
    char when[32];
    char id[2 * SEAL_ENVELOPE_ID_LEN + 1];

    printf("version: %u\n", info->version);
    printf("armored: %s\n", info->armored ? "yes" : "no");
    printf("envelope-bytes: %llu\n", (unsigned long long)info->envelope_len);
    printf("header-bytes: %llu\n", (unsigned long long)info->header_len);
    printf("payload-bytes: %llu\n", (unsigned long long)info->payload_len);
    printf("recipients: %zu\n", info->n_recipients);
    for (size_t i = 0; i < info->n_recipients && i < SEAL_MAX_RECIPIENTS; i++) {
        key_fingerprint_text(info->recipient_fpr[i], fpr);
        printf("recipient: %s\n", fpr);
    }
    printf("decrypted: %s\n", info->decrypted ? "yes" : "no");
    if (!info->decrypted)
        return;
    printf("plaintext-bytes: %llu\n", (unsigned long long)info->plaintext_len);
    key_fingerprint_text(info->sender_fpr, fpr);
    printf("sender: %s\n", fpr);
    if (info->sender_name) {
        fputs("sender-name: ", stdout);
        print_name(stdout, info->sender_name);
        fputc('\n', stdout);
    }
    format_time(info->created, when);
    printf("created: %s\n", when);
    hex(info->envelope_id, SEAL_ENVELOPE_ID_LEN, id);
    printf("envelope-id: %s\n", id);
    printf("signature: %s\n", sig);
}

static void inspect_json(const struct envelope_info *info, const char *sig)
{
    char fpr[SEAL_FPR_TEXT_LEN];
    char when[32];
    char id[2 * SEAL_ENVELOPE_ID_LEN + 1];

    printf("{\"version\":%u,\"armored\":%s,\"envelope_bytes\":%llu,\"header_bytes\":%llu,"
           "\"payload_bytes\":%llu,\"recipients\":[",
           info->version, info->armored ? "true" : "false", (unsigned long long)info->envelope_len,
           (unsigned long long)info->header_len, (unsigned long long)info->payload_len);
    for (size_t i = 0; i < info->n_recipients && i < SEAL_MAX_RECIPIENTS; i++) {
        key_fingerprint_text(info->recipient_fpr[i], fpr);
        printf("%s\"%s\"", i ? "," : "", fpr);
    }
    printf("],\"decrypted\":%s", info->decrypted ? "true" : "false");
    if (info->decrypted) {
        key_fingerprint_text(info->sender_fpr, fpr);
        format_time(info->created, when);
        hex(info->envelope_id, SEAL_ENVELOPE_ID_LEN, id);
        printf(",\"plaintext_bytes\":%llu,\"sender\":\"%s\",\"sender_name\":",
               (unsigned long long)info->plaintext_len, fpr);
        if (info->sender_name)
            print_json_string(stdout, info->sender_name);
        else
            fputs("null", stdout);
        printf(",\"created\":\"%s\",\"created_unix\":%llu,\"envelope_id\":\"%s\","
               "\"signature\":\"%s\"",
               when, (unsigned long long)info->created, id, sig);
    }
    fputs("}\n", stdout);
}

/* ---- the two jobs --------------------------------------------------------- */

static int load_keys(const struct options *o, struct seal_key **key,
                     struct trusted_senders *senders, bool *have_senders)
{
    struct cli_passphrase pp = {o->passphrase_file};
    gpg_err_code_t rc;

    *have_senders = false;
    if (o->key) {
        if ((rc = key_load_private(o->key, cli_passphrase_get, &pp, key)))
            return cli_error(o->key, rc);
    }
    if (o->senders) {
        if ((rc = trusted_senders_load(o->senders, senders)))
            return cli_error(o->senders, rc);
        *have_senders = true;
    }
    return EXIT_OK;
}

static int inspect(const struct options *o, int fd, const char *in_name)
{
    struct seal_key *key = NULL;
    struct trusted_senders senders = {NULL, 0};
    bool have_senders = false;
    struct cli_input in = {fd, false};
    struct envelope_info info;
    gpg_err_code_t rc;
    const char *sig;
    int status;

    memset(&info, 0, sizeof info);
    if ((status = load_keys(o, &key, &senders, &have_senders)) != EXIT_OK)
        goto out;
    rc = envelope_inspect((struct byte_source){cli_input_read, &in}, key,
                          have_senders ? &senders : NULL, &info);
    sig = signature_status(&info, have_senders);
    /* Report what was learned even when a later step failed, as long as the
     * public part was read. */
    if (info.version != 0 || rc == 0) {
        if (o->json)
            inspect_json(&info, sig);
        else
            inspect_text(&info, sig);
        if (fflush(stdout) != 0 && !rc) {
            status = cli_error(stdout_name, seal_fail(seal_errno_code(), "write error"));
            goto out;
        }
    }
    /* Asked to check the sender (-s): exit as unseal would. */
    if (!rc && info.decrypted && have_senders && strcmp(sig, "good") != 0)
        rc = !info.sender_name
                 ? seal_fail(GPG_ERR_NOT_TRUSTED, "signed by a key not among the -s senders")
                 : seal_fail(GPG_ERR_BAD_SIGNATURE, "bad signature (claims to be from %s)",
                             info.sender_name);
    status = rc ? cli_error(in_name, rc) : EXIT_OK;
out:
    key_free(key);
    if (have_senders)
        trusted_senders_free(&senders);
    return status;
}

static void report_verdict(const struct envelope_info *info)
{
    char fpr[SEAL_FPR_TEXT_LEN];

    key_fingerprint_text(info->sender_fpr, fpr);
    fputs("unseal: good signature from ", stderr);
    print_name(stderr, info->sender_name ? info->sender_name : "(unnamed key)");
    fprintf(stderr, " (%s)\n", fpr);
}

static int unseal(const struct options *o, int fd, const char *in_name)
{
    struct seal_key *key = NULL;
    struct trusted_senders senders = {NULL, 0};
    bool have_senders = false;
    struct cli_input in = {fd, false};
    struct plain_out out;
    struct unseal_request req;
    struct envelope_info info;
    const char *out_name = file_is_stdio(o->output) ? stdout_name : o->output;
    struct stat st;
    gpg_err_code_t rc;
    int status;

    memset(&out, 0, sizeof out);
    out.ao.fd = -1;
    memset(&info, 0, sizeof info);

    /* Refuse an existing output before anyone is asked for a passphrase. */
    if (!file_is_stdio(o->output) && !o->force && lstat(o->output, &st) == 0) {
        cli_errorf("%s: already exists", o->output);
        cli_hint("use -f to overwrite it or -o to choose another name");
        return EXIT_IO;
    }
    if ((status = load_keys(o, &key, &senders, &have_senders)) != EXIT_OK)
        goto out;

    seal_clear_detail();
    if ((rc = plain_open(&out, o->output, o->force))) {
        status = cli_error(out_name, rc);
        goto out;
    }
    out.ao.no_fsync = o->no_fsync;
    if (fstat(fd, &st) != 0)
        st.st_mode = 0;
    memset(&req, 0, sizeof req);
    req.recipient = key;
    req.senders = &senders;
    req.in = (struct byte_source){cli_input_read, &in};
    req.out = (struct byte_sink){plain_write, &out};
    req.progress = cli_progress_update;
    cli_progress_start("unsealing", S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
    rc = envelope_unseal(&req, &info);
    cli_progress_done();
    /* The one place where plaintext becomes visible: only after every chunk
     * tag and the sender's signature verified. */
    if (!rc)
        rc = plain_release(&out);
    if (rc) {
        plain_discard(&out);
        status = cli_error(in.failed || !out.failed ? in_name : out_name, rc);
        if (rc == GPG_ERR_NO_SECKEY)
            cli_hint("unseal --inspect lists the keys it is addressed to");
        else if (rc == GPG_ERR_NOT_TRUSTED)
            cli_hint("the signer is not among the senders given with -s");
        else if (out.spool_failed)
            cli_hint("standard output waits in an encrypted spool in $TMPDIR (or /tmp) "
                     "until verified; free space there, set TMPDIR, or use -o FILE");
        goto out;
    }
    status = EXIT_OK;
    if (!o->quiet)
        report_verdict(&info);

out:
    plain_discard(&out);
    key_free(key);
    if (have_senders)
        trusted_senders_free(&senders);
    return status;
}

int main(int argc, char **argv)
{
    struct options o;
    const char *in_name;
    gpg_err_code_t rc;
    int status, fd;

    cli_set_program("unseal");
    if ((status = parse_options(argc, argv, &o)) >= 0)
        return status;
    in_name = file_is_stdio(o.input) ? stdin_name : o.input;
    seal_clear_detail();
    if ((rc = seal_crypto_init())) {
        status = cli_error(NULL, rc);
    } else if ((rc = file_open_read(o.input, &fd))) {
        status = cli_error(in_name, rc);
    } else {
        status = o.inspect ? inspect(&o, fd, in_name) : unseal(&o, fd, in_name);
        close(fd);
    }
    free(o.output_owned);
    return status;
}
