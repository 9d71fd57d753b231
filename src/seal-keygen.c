/*
 * seal-keygen: makes RSA key pairs for seal and shows key fingerprints.
 * See man/seal-keygen.1; usage() below matches its SYNOPSIS.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/passphrase.h"
#include "cli/process.h"
#include "crypto/crypto.h"
#include "base/fileio.h"
#include "keys/keys.h"

#define PROGRAM "seal-keygen"
#define DEFAULT_BITS 3072

enum { OPT_PASSPHRASE_FILE = 256, OPT_NO_PASSPHRASE };

struct options {
    const char *name;      /* -o: write NAME.key and NAME.pub */
    const char *fpr_file;  /* -l: show this key's fingerprint */
    const char *pass_file; /* --passphrase-file */
    bool no_passphrase;    /* --no-passphrase */
    unsigned bits;
    bool seen_o, seen_l, seen_b, seen_pf, seen_np;
};

static void usage(FILE *f)
{
    fputs("usage: seal-keygen -o NAME [-b BITS] [--passphrase-file FILE | --no-passphrase]\n"
          "       seal-keygen -l FILE [--passphrase-file PFILE]\n"
          "       seal-keygen -h | -V\n"
          "\n"
          "  -o, --output NAME        write the private key to NAME.key (mode 0600) and\n"
          "                           the public key to NAME.pub; never overwrites\n"
          "  -b, --bits BITS          RSA modulus size: 2048, 3072 (default) or 4096\n"
          "      --passphrase-file F  read the passphrase from the first line of F\n"
          "      --no-passphrase      store the new private key unencrypted, without asking\n"
          "  -l, --fingerprint FILE   print \"BITS SHA256:... FILE (RSA)\" for a public or\n"
          "                           private key file\n"
          "  -h, --help               show this help\n"
          "  -V, --version            show the version\n",
          f);
}

/* NAME + SUFFIX in fresh memory, or NULL. */
static char *with_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s%s", name, suffix);
    return s;
}

/* Refuses (naming PATH) if anything at all is at PATH, even a dangling
 * symbolic link: a key file is never replaced. */
static int refuse_existing(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        seal_fail_override(GPG_ERR_EEXIST, "already exists; seal-keygen never overwrites a key");
        return cli_error(path, GPG_ERR_EEXIST);
    }
    return EXIT_OK;
}

/* Decodes both encodings again and checks that they hold the key with
 * fingerprint FPR, so that a file we could not read back is never written. */
static gpg_err_code_t check_encodings(const uint8_t fpr[SEAL_FPR_LEN], const char *pub,
                                      size_t publen, const char *priv, size_t privlen,
                                      const char *pass, size_t passlen)
{
    struct seal_rsa_key *back = NULL;
    uint8_t fpr2[SEAL_FPR_LEN];
    gpg_err_code_t rc;

    rc = key_decode_public((const uint8_t *)pub, publen, &back);
    if (rc == 0)
        rc = key_fingerprint(back, fpr2);
    seal_rsa_free(back);
    back = NULL;
    if (rc == 0 && !seal_ct_equal(fpr, fpr2, SEAL_FPR_LEN))
        rc = seal_fail(GPG_ERR_INTERNAL, "encoded public key differs from the generated key");
    if (rc)
        return rc;
    rc = key_decode_private((const uint8_t *)priv, privlen, pass, passlen, NULL, &back);
    if (rc == 0 && !seal_rsa_has_private(back))
        rc = seal_fail(GPG_ERR_INTERNAL, "encoded private key lost its private half");
    if (rc == 0)
        rc = key_fingerprint(back, fpr2);
    seal_rsa_free(back);
    if (rc == 0 && !seal_ct_equal(fpr, fpr2, SEAL_FPR_LEN))
        rc = seal_fail(GPG_ERR_INTERNAL, "encoded private key differs from the generated key");
    return rc;
}

/* The "SHA256:..." text of FPR, checked: a key ID must never print empty. */
static gpg_err_code_t fingerprint_text(const uint8_t fpr[SEAL_FPR_LEN],
                                       char text[SEAL_FPR_TEXT_LEN])
{
    key_fingerprint_text(fpr, text);
    if (strncmp(text, "SHA256:", 7) != 0 || strlen(text) != SEAL_FPR_TEXT_LEN - 1)
        return seal_fail(GPG_ERR_INTERNAL, "cannot format the fingerprint");
    return 0;
}

/* Writes DATA to PATH (which must not exist) through a temporary file, so
 * no partial file ever appears under PATH. */
static gpg_err_code_t prepare_output(struct atomic_out *out, const char *path, mode_t mode,
                                     const void *data, size_t len)
{
    gpg_err_code_t rc = atomic_out_open(out, path, mode, false);
    if (rc)
        return rc;
    rc = atomic_out_write(out, data, len);
    if (rc)
        atomic_out_abort(out);
    return rc;
}

static int generate(const struct options *opt)
{
    struct cli_passphrase pp = {opt->pass_file};
    struct atomic_out key_out, pub_out;
    bool key_open = false, pub_open = false;
    struct seal_rsa_key *key = NULL;
    char *keypath = NULL, *pubpath = NULL;
    char *pass = NULL, *priv = NULL, *pub = NULL;
    size_t passlen = 0, privlen = 0, publen = 0;
    uint8_t fpr[SEAL_FPR_LEN];
    char fpr_text[SEAL_FPR_TEXT_LEN];
    const char *failed_file = NULL;
    gpg_err_code_t rc = 0;
    int status;

    keypath = with_suffix(opt->name, ".key");
    pubpath = with_suffix(opt->name, ".pub");
    if (keypath == NULL || pubpath == NULL) {
        status = cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
        goto out;
    }
    /* Both names are checked before the passphrase is asked or any work is
     * done; atomic_out checks again, and link(2) at commit never replaces a
     * file that appeared meanwhile. */
    if ((status = refuse_existing(keypath)) != EXIT_OK ||
        (status = refuse_existing(pubpath)) != EXIT_OK)
        goto out;

    if (opt->pass_file != NULL) {
        rc = cli_passphrase_new(&pp, keypath, &pass, &passlen);
        if (rc) {
            status = cli_error(NULL, rc); /* the detail names the passphrase file */
            goto out;
        }
    } else if (!opt->no_passphrase) {
        /* Never fall back to an unencrypted key just because nobody can be
         * asked: that would be a silent downgrade in scripts. */
        if (!cli_passphrase_have_tty()) {
            cli_errorf("%s: no terminal to ask for a passphrase", keypath);
            cli_hint("use --passphrase-file FILE, or --no-passphrase for an unencrypted key");
            status = EXIT_USAGE;
            goto out;
        }
        rc = cli_passphrase_new(&pp, keypath, &pass, &passlen);
        if (rc) {
            status = cli_error(keypath, rc);
            goto out;
        }
    }

    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "%s: generating %u-bit RSA key...", PROGRAM, opt->bits);
        fflush(stderr);
    }
    rc = seal_rsa_generate(opt->bits, &key);
    if (isatty(STDERR_FILENO))
        fputs(rc ? " failed\n" : " done\n", stderr);
    if (rc) {
        status = cli_error(NULL, rc);
        goto out;
    }
    failed_file = keypath;
    if ((rc = key_fingerprint(key, fpr)) != 0 || (rc = fingerprint_text(fpr, fpr_text)) != 0 ||
        (rc = key_encode_public_pem(key, &pub, &publen)) != 0 ||
        (rc = key_encode_private_pem(key, pass, passlen, &priv, &privlen)) != 0 ||
        (rc = check_encodings(fpr, pub, publen, priv, privlen, pass, passlen)) != 0)
        goto fail;

    if ((rc = prepare_output(&key_out, keypath, 0600, priv, privlen)) != 0)
        goto fail;
    key_open = true;
    failed_file = pubpath;
    if ((rc = prepare_output(&pub_out, pubpath, 0644, pub, publen)) != 0)
        goto fail;
    pub_open = true;
    failed_file = keypath;
    key_open = false; /* commit finishes or removes the temporary file */
    if ((rc = atomic_out_commit(&key_out)) != 0)
        goto fail;
    failed_file = pubpath;
    pub_open = false;
    if ((rc = atomic_out_commit(&pub_out)) != 0) {
        /* Half a key pair is worse than none: take the private key back. */
        unlink(keypath);
        goto fail;
    }

    printf("%s: %u-bit RSA private key, %s\n", keypath, opt->bits,
           pass != NULL ? "encrypted" : "UNENCRYPTED");
    printf("%s: %s\n", pubpath, fpr_text);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        status = cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
        goto out;
    }
    status = EXIT_OK;
    goto out;

fail:
    if (rc == GPG_ERR_EEXIST)
        seal_fail_override(GPG_ERR_EEXIST, "already exists; seal-keygen never overwrites a key");
    status = cli_error(failed_file, rc);
out:
    if (key_open)
        atomic_out_abort(&key_out);
    if (pub_open)
        atomic_out_abort(&pub_out);
    seal_rsa_free(key);
    if (priv != NULL)
        seal_secure_free(priv, privlen);
    free(pub);
    if (pass != NULL)
        seal_secure_free(pass, passlen + 1);
    free(keypath);
    free(pubpath);
    return status;
}

/* True iff DATA holds a private key (plain or encrypted). Decoding stops
 * before any passphrase would be needed. */
static bool holds_private_key(const uint8_t *data, size_t len)
{
    struct seal_rsa_key *probe = NULL;
    gpg_err_code_t rc = key_decode_private(data, len, NULL, 0, NULL, &probe);
    seal_rsa_free(probe);
    seal_clear_detail();
    return rc == 0 || rc == GPG_ERR_NO_PASSPHRASE;
}

/* Refuses a private key file that seal and unseal would refuse: same
 * policy (fileio's private-key check: no symbolic link, a regular file,
 * no group or other access), applied before any passphrase is asked. */
static gpg_err_code_t check_private_file(const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    gpg_err_code_t rc = file_read_all(path, KEY_FILE_MAX, true, true, &data, &len);
    if (data != NULL)
        seal_secure_free(data, len + 1);
    return rc;
}

static int fingerprint(const struct options *opt)
{
    struct cli_passphrase pp = {opt->pass_file};
    struct seal_rsa_key *key = NULL;
    uint8_t fpr[SEAL_FPR_LEN];
    char fpr_text[SEAL_FPR_TEXT_LEN];
    uint8_t *data = NULL;
    size_t len = 0;
    gpg_err_code_t rc;
    int status;

    /* key_load_public would not check a private key file's mode; -l does,
     * so that a key seal would refuse is not shown as fine here. */
    rc = file_read_all(opt->fpr_file, KEY_FILE_MAX, true, false, &data, &len);
    if (rc == 0 && holds_private_key(data, len))
        rc = check_private_file(opt->fpr_file);
    if (rc == 0)
        rc = key_decode_public_pass(data, len, cli_passphrase_get, &pp, opt->fpr_file, &key);
    if (rc == 0)
        rc = key_fingerprint(key, fpr);
    if (rc == 0)
        rc = fingerprint_text(fpr, fpr_text);
    if (data != NULL)
        seal_secure_free(data, len + 1);
    if (rc) {
        seal_rsa_free(key);
        status = cli_error(opt->fpr_file, rc);
        if (rc == GPG_ERR_NO_PASSPHRASE && opt->pass_file == NULL)
            cli_hint("the key is encrypted; give its passphrase with --passphrase-file FILE");
        return status;
    }
    printf("%u %s %s (RSA)\n", seal_rsa_bits(key), fpr_text, opt->fpr_file);
    seal_rsa_free(key);
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
    return EXIT_OK;
}

/* Parses argv into OPT. Returns EXIT_OK, or an exit status after printing
 * the problem (EXIT_OK with *DONE set for --help and --version). */
static int parse_options(int argc, char **argv, struct options *opt, bool *done)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"bits", required_argument, NULL, 'b'},
        {"fingerprint", required_argument, NULL, 'l'},
        {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
        {"no-passphrase", no_argument, NULL, OPT_NO_PASSPHRASE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;

    *done = false;
    opterr = 0; /* our own messages, in our own format */
    while ((c = getopt_long(argc, argv, ":o:b:l:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!cli_once(&opt->seen_o, "-o/--output"))
                return EXIT_USAGE;
            if (optarg[0] == '\0') {
                cli_errorf("-o/--output needs a non-empty NAME");
                return EXIT_USAGE;
            }
            opt->name = optarg;
            break;
        case 'b':
            if (!cli_once(&opt->seen_b, "-b/--bits"))
                return EXIT_USAGE;
            /* No menu beyond the three sizes the issue allows. */
            if (strcmp(optarg, "2048") == 0)
                opt->bits = 2048;
            else if (strcmp(optarg, "3072") == 0)
                opt->bits = 3072;
            else if (strcmp(optarg, "4096") == 0)
                opt->bits = 4096;
            else {
                cli_errorf("-b/--bits must be 2048, 3072 or 4096, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'l':
            if (!cli_once(&opt->seen_l, "-l/--fingerprint"))
                return EXIT_USAGE;
            opt->fpr_file = optarg;
            break;
        case OPT_PASSPHRASE_FILE:
            if (!cli_once(&opt->seen_pf, "--passphrase-file"))
                return EXIT_USAGE;
            opt->pass_file = optarg;
            break;
        case OPT_NO_PASSPHRASE:
            if (!cli_once(&opt->seen_np, "--no-passphrase"))
                return EXIT_USAGE;
            opt->no_passphrase = true;
            break;
        case 'h':
            usage(stdout);
            *done = true;
            return EXIT_OK;
        case 'V':
            printf("%s (%s) %s\n", PROGRAM, PACKAGE_NAME, PACKAGE_VERSION);
            *done = true;
            return EXIT_OK;
        case ':':
            cli_errorf("option %s needs an argument", argv[optind - 1]);
            cli_hint("see seal-keygen --help");
            return EXIT_USAGE;
        default:
            if (optopt != 0)
                cli_errorf("unknown option -%c", optopt);
            else
                cli_errorf("unknown option %s", argv[optind - 1]);
            cli_hint("see seal-keygen --help");
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_errorf("unexpected argument '%s'", argv[optind]);
        cli_hint("see seal-keygen --help");
        return EXIT_USAGE;
    }
    if (opt->seen_pf && opt->seen_np) {
        cli_errorf("--passphrase-file and --no-passphrase cannot be used together");
        return EXIT_USAGE;
    }
    if (opt->seen_o && opt->seen_l) {
        cli_errorf("-o/--output and -l/--fingerprint cannot be used together");
        return EXIT_USAGE;
    }
    if (opt->seen_l && opt->seen_b) {
        cli_errorf("-l/--fingerprint and -b/--bits cannot be used together");
        return EXIT_USAGE;
    }
    if (opt->seen_l && opt->seen_np) {
        cli_errorf("-l/--fingerprint and --no-passphrase cannot be used together");
        return EXIT_USAGE;
    }
    /* The key would use up standard input and leave the passphrase an
     * empty "first line". */
    if (opt->seen_l && opt->seen_pf && file_is_stdio(opt->fpr_file) &&
        file_is_stdio(opt->pass_file)) {
        cli_errorf("-l - and --passphrase-file - cannot both read standard input");
        return EXIT_USAGE;
    }
    if (!opt->seen_o && !opt->seen_l) {
        cli_errorf("nothing to do: give -o NAME to make a key pair or -l FILE");
        cli_hint("see seal-keygen --help");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    struct options opt = {.bits = DEFAULT_BITS};
    gpg_err_code_t rc;
    bool done;
    int status;

    cli_process_start();
    cli_set_program(PROGRAM);
    rc = seal_crypto_init();
    if (rc)
        return cli_error(NULL, rc);
    status = parse_options(argc, argv, &opt, &done);
    if (status == EXIT_OK && !done)
        cli_warn_insecure_memory(false);
    if (status != EXIT_OK || done) {
        if (done && (fflush(stdout) != 0 || ferror(stdout)))
            return cli_error(NULL, seal_fail(seal_errno_code(), "cannot write to standard output"));
        return status;
    }
    if (opt.fpr_file != NULL)
        return fingerprint(&opt);
    return generate(&opt);
}
