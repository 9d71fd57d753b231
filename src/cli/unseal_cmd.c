/*
 * unseal's two jobs: unsealing and --inspect.
 *
 * The envelope is read before anything is asked: its header is parsed and
 * our stanza looked for before the private key's passphrase is, so "not
 * addressed to this key" needs no passphrase and no terminal. Only the
 * header (capped) is held meanwhile, so the input may be a pipe.
 *
 * The guarantee that no unverified byte escapes rests on output.h: the
 * plaintext goes to a private sink and becomes visible only after
 * envelope_reader_unseal() returned 0.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/keyfile.h"
#include "cli/output.h"
#include "cli/report.h"
#include "cli/two_pass.h"

static const char *stdin_name = "(stdin)";
static const char *stdout_name = "(stdout)";

/* What both jobs hold: the input, the envelope being read, the keys. */
struct job {
    const struct unseal_options *o;
    const char *in_name;
    struct cli_input in;
    struct cli_passphrase pp;
    struct cli_key key;
    bool have_key;
    struct trusted_senders senders;
    bool have_senders;
    struct envelope_reader *env;
    struct envelope_info info;
    struct two_pass *tp; /* unseal to standard output: the input is read twice */
};

static void job_init(struct job *j, const struct unseal_options *o)
{
    memset(j, 0, sizeof *j);
    j->o = o;
    j->in_name = file_is_stdio(o->input) ? stdin_name : o->input;
    j->in.fd = -1;
    j->pp.file = o->common.passphrase_file;
}

static void job_free(struct job *j)
{
    envelope_reader_free(j->env);
    two_pass_free(j->tp);
    if (j->have_key)
        cli_key_close(&j->key);
    if (j->have_senders)
        trusted_senders_free(&j->senders);
    if (j->in.fd >= 0)
        close(j->in.fd);
}

static int open_input(struct job *j)
{
    gpg_err_code_t err;

    seal_clear_detail();
    if ((err = file_open_read(j->o->input, &j->in.fd)))
        return cli_error(j->in_name, err);
    return EXIT_OK;
}

/* The key files, checked without asking anything: -k (read, classified,
 * its ID known unless it is encrypted without a .pub beside it) and -s. */
static int open_keys(struct job *j)
{
    gpg_err_code_t err;
    int status;

    if (j->o->key) {
        if ((status = cli_key_open(&j->key, j->o->key)) != EXIT_OK)
            return status;
        j->have_key = true;
    }
    if (j->o->senders) {
        if ((err = trusted_senders_load(j->o->senders, &j->senders))) {
            status = cli_error(j->o->senders, err);
            if (err == GPG_ERR_WRONG_KEY_USAGE)
                cli_hint_public_key(j->o->senders);
            return status;
        }
        j->have_senders = true;
    }
    return EXIT_OK;
}

static int read_header(struct job *j)
{
    gpg_err_code_t err;

    struct byte_source src = {cli_input_read, &j->in};
    if (j->tp)
        src = two_pass_input(j->tp);
    err = envelope_reader_open(src, &j->env, &j->info);
    return err ? cli_error(j->in_name, err) : EXIT_OK;
}

static int not_addressed(struct job *j, gpg_err_code_t err)
{
    int status = cli_error(j->in_name, err);
    cli_hint("unseal --inspect lists the keys it is addressed to");
    return status;
}

/* Our stanza, before the passphrase: then the key itself. */
static int find_stanza_then_unlock(struct job *j)
{
    gpg_err_code_t err;

    if (j->key.have_fpr && (err = envelope_reader_check_recipient(j->env, j->key.fpr)))
        return not_addressed(j, err);
    return cli_key_unlock(&j->key, &j->pp);
}

int cli_inspect(const struct unseal_options *o)
{
    struct job j;
    gpg_err_code_t err = 0;
    const char *sig;
    int status;

    job_init(&j, o);
    if ((status = open_input(&j)) != EXIT_OK || (status = open_keys(&j)) != EXIT_OK)
        goto out;
    err = envelope_reader_open((struct byte_source){cli_input_read, &j.in}, &j.env, &j.info);
    if (!err && j.have_key) {
        if (j.key.have_fpr)
            err = envelope_reader_check_recipient(j.env, j.key.fpr);
        if (!err && (status = cli_key_unlock(&j.key, &j.pp)) != EXIT_OK)
            goto out;
    }
    if (!err)
        err = envelope_reader_inspect(j.env, j.have_key ? j.key.key : NULL,
                                      j.have_senders ? &j.senders : NULL, &j.info);
    sig = cli_signature_status(&j.info, j.have_senders);
    /* Report what was learned even when a later step failed, as long as
     * the public part was read. */
    if (j.info.version != 0 || err == 0) {
        cli_inspect_print(&j.info, sig, o->json);
        if (fflush(stdout) != 0 && !err) {
            status = cli_error(stdout_name, seal_fail(seal_errno_code(), "write error"));
            goto out;
        }
    }
    /* Asked to check the sender (-s): exit as unseal would. */
    if (!err && j.info.decrypted && j.have_senders && strcmp(sig, "good") != 0)
        err = !j.info.sender_name
                  ? seal_fail(GPG_ERR_NOT_TRUSTED, "signed by a key not among the -s senders")
                  : seal_fail(GPG_ERR_BAD_SIGNATURE, "bad signature (claims to be from %s)",
                              j.info.sender_name);
    if (err == GPG_ERR_NO_SECKEY)
        status = not_addressed(&j, err);
    else
        status = err ? cli_error(j.in_name, err) : EXIT_OK;
out:
    job_free(&j);
    return status;
}

int cli_unseal_net(const struct unseal_options *o)
{
    struct job j;
    int status;

    job_init(&j, o);
    if ((status = open_keys(&j)) == EXIT_OK && (status = cli_key_unlock(&j.key, &j.pp)) == EXIT_OK)
        status = o->mode == UNSEAL_FETCH
                     ? cli_unseal_fetch(j.key.key, o->key, &j.senders, &o->net, &o->tw)
                 : o->mode == UNSEAL_FROM
                     ? cli_unseal_from(j.key.key, &j.senders, &o->net, o->common.output,
                                       o->common.force, o->common.output_given)
                     : cli_unseal_listen(j.key.key, &j.senders, &o->net);
    job_free(&j);
    return status;
}

int cli_unseal(const struct unseal_options *o)
{
    const char *output = o->common.output;
    const char *out_name = file_is_stdio(output) ? stdout_name : output;
    struct cli_plain_out out;
    struct unseal_request req;
    struct job j;
    struct stat st;
    gpg_err_code_t err;
    int status;

    job_init(&j, o);
    memset(&out, 0, sizeof out);
    out.out.ao.fd = -1;
    /* Cheap refusals first, before anyone is asked for a passphrase. */
    if ((status = open_input(&j)) != EXIT_OK ||
        (status = cli_refuse_same_file(j.in.fd, j.in_name, output)) != EXIT_OK)
        goto out;
    if (!file_writes_into(output) && !o->common.force && lstat(output, &st) == 0) {
        cli_errorf("%s: already exists", output);
        cli_hint_existing_output();
        status = EXIT_IO;
        goto out;
    }
    /* To standard output (or a device or FIFO) the envelope is read twice
     * (spool.h): from the first byte, so that a pipe's copy has all of it. */
    if (file_writes_into(output) && (err = two_pass_open(&j.in, &j.tp))) {
        status = cli_error(out_name, err);
        cli_hint("unseal to standard output from a pipe keeps a copy of the envelope in "
                 "$TMPDIR (or /tmp); free space there, set TMPDIR, or use -o FILE");
        goto out;
    }
    if ((status = open_keys(&j)) != EXIT_OK || (status = read_header(&j)) != EXIT_OK ||
        (status = find_stanza_then_unlock(&j)) != EXIT_OK)
        goto out;

    seal_clear_detail();
    if ((err = cli_plain_open(&out, output, o->common.force, o->common.output_given))) {
        status = cli_error(out_name, err);
        if (err == GPG_ERR_EEXIST)
            cli_hint_existing_output();
        goto out;
    }
    out.out.ao.no_fsync = o->common.no_fsync;
    out.read_twice = j.tp != NULL;
    if (fstat(j.in.fd, &st) != 0)
        st.st_mode = 0;
    memset(&req, 0, sizeof req);
    req.recipient = j.key.key;
    req.senders = &j.senders;
    req.out = cli_plain_sink(&out);
    if (j.tp)
        req.chunk_hashes = two_pass_hashes(j.tp);
    req.progress = cli_progress_input;
    req.progress_ctx = &j.in;
    cli_progress_start("unsealing", S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
    err = envelope_reader_unseal(j.env, &req, &j.info);
    cli_progress_done();
    /* The one place where plaintext becomes visible: only after every chunk
     * tag and the sender's signature verified. */
    if (!err)
        err = cli_plain_release(&out, j.tp, j.env);
    if (err) {
        bool binary = out.binary;
        cli_plain_discard(&out);
        status = cli_error(j.in.failed || !(out.out.failed || binary) ? j.in_name : out_name, err);
        if (err == GPG_ERR_NO_SECKEY)
            cli_hint("unseal --inspect lists the keys it is addressed to");
        else if (err == GPG_ERR_NOT_TRUSTED)
            cli_hint("the signer is not among the senders given with -s");
        else if (err == GPG_ERR_WRONG_KEY_USAGE)
            cli_hint("a trust directory holds public keys (NAME.pub); 'seal-keygen -y KEY' "
                     "prints a private key's");
        else if (err == GPG_ERR_EEXIST)
            cli_hint_existing_output();
        else if (binary)
            cli_hint("use -o FILE, or -o - to write it to the terminal anyway");
        else if (out.spool_failed)
            cli_hint("unseal to standard output keeps chunk hashes (and, from a pipe, a copy "
                     "of the envelope) in $TMPDIR (or /tmp); free space there, set TMPDIR, "
                     "or use -o FILE");
        goto out;
    }
    status = EXIT_OK;
    if (!o->quiet)
        cli_report_verdict(&j.info);
out:
    cli_plain_discard(&out);
    job_free(&j);
    return status;
}
