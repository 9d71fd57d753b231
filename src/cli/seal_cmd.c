/*
 * seal's job: the recipients' keys (-r FILE|DIR, -R LIST), the sender's key,
 * then envelope_seal() from the input to an atomic output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/secmem.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/keyfile.h"
#include "cli/output.h"
#include "keys/keyring.h"
#include "keys/ssh.h"

static const char *stdin_name = "(stdin)";
static const char *stdout_name = "(stdout)";

/* A recipients list (-R) is a short text file. */
#define RECIPIENT_LIST_MAX (64 * 1024)

/* The recipients' key files, by name, and their keys once loaded. */
struct recipients {
    char *path[SEAL_MAX_RECIPIENTS];
    struct seal_key *key[SEAL_MAX_RECIPIENTS];
    size_t n;
};

static void recipients_free(struct recipients *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->path[i]);
        key_free(r->key[i]);
    }
    r->n = 0;
}

static int add_path(struct recipients *r, const char *path, size_t len)
{
    if (r->n == SEAL_MAX_RECIPIENTS) {
        cli_errorf("too many recipients (at most %d)", SEAL_MAX_RECIPIENTS);
        return EXIT_USAGE;
    }
    if (!(r->path[r->n] = strndup(path, len))) {
        cli_errorf("out of memory");
        return EXIT_IO;
    }
    r->n++;
    return EXIT_OK;
}

/* An OpenSSH public key line of LIST (line LINENO), decoded at once and
 * named "LIST:LINENO" in messages. */
static int add_key_line(struct recipients *r, const char *list, size_t lineno, const char *line,
                        size_t n)
{
    struct seal_rsa_key *rsa = NULL;
    size_t len = strlen(list) + 24;
    char *name = malloc(len);
    gpg_err_code_t err;
    int status;

    if (!name) {
        cli_errorf("out of memory");
        return EXIT_IO;
    }
    snprintf(name, len, "%s:%zu", list, lineno);
    status = add_path(r, name, strlen(name));
    free(name);
    if (status != EXIT_OK)
        return status;
    seal_clear_detail();
    err = ssh_decode_public_line((const uint8_t *)line, n, &rsa);
    if (!err)
        err = key_from_rsa(&rsa, &r->key[r->n - 1]);
    seal_rsa_free(rsa);
    if (err) {
        status = cli_error(r->path[r->n - 1], err);
        if (err == GPG_ERR_PUBKEY_ALGO)
            cli_hint("seal uses RSA keys only: remove the line or comment it out with '#'");
        return status;
    }
    return EXIT_OK;
}

/* -R LIST: one key file or one OpenSSH public key per line (as in
 * authorized_keys, options first allowed); empty lines and lines starting
 * with '#' are skipped; a path is taken as is (no trimming but of "\r"). */
static int add_list(struct recipients *r, const char *list)
{
    uint8_t *data = NULL;
    size_t len = 0, before = r->n, lineno = 0;
    gpg_err_code_t err;
    int status = EXIT_OK;

    seal_clear_detail();
    if ((err = file_read_all(list, RECIPIENT_LIST_MAX, false, false, &data, &len)))
        return cli_error(list, err);
    if (memchr(data, '\0', len)) {
        free(data);
        return cli_error(list, seal_fail(GPG_ERR_INV_DATA, "not a text file (NUL byte)"));
    }
    for (char *line = (char *)data; status == EXIT_OK && *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char *next = end ? end + 1 : line + n;
        lineno++;
        if (n && line[n - 1] == '\r')
            n--;
        if (n && ssh_line_is_key((const uint8_t *)line, n))
            status = add_key_line(r, list, lineno, line, n);
        else if (n && line[0] != '#')
            status = add_path(r, line, n);
        line = next;
    }
    free(data);
    if (status == EXIT_OK && r->n == before)
        return cli_error(list, seal_fail(GPG_ERR_INV_DATA, "names no key file and holds no key"));
    return status;
}

/* -r DIR: every *.pub in it, in name order. */
static int add_dir(struct recipients *r, const char *dir)
{
    char **names = NULL;
    size_t n = 0;
    gpg_err_code_t err;
    int status = EXIT_OK;

    seal_clear_detail();
    if ((err = keyring_list_dir(dir, &names, &n)))
        return cli_error(dir, err);
    for (size_t i = 0; i < n && status == EXIT_OK; i++) {
        size_t len = strlen(dir) + 1 + strlen(names[i]) + 1;
        char *path = malloc(len);
        if (!path) {
            cli_errorf("out of memory");
            status = EXIT_IO;
            break;
        }
        snprintf(path, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
        status = add_path(r, path, strlen(path));
        free(path);
    }
    keyring_names_free(names, n);
    return status;
}

static int collect(const struct seal_options *o, struct recipients *r)
{
    struct stat st;
    int status = EXIT_OK;

    for (size_t i = 0; i < o->n_recipients && status == EXIT_OK; i++) {
        const struct cli_recipient_arg *a = &o->recipients[i];
        if (a->is_list)
            status = add_list(r, a->path);
        else if (stat(a->path, &st) == 0 && S_ISDIR(st.st_mode))
            status = add_dir(r, a->path);
        else
            status = add_path(r, a->path, strlen(a->path));
    }
    return status;
}

/* The request for envelope_seal(), all but its output. */
static void fill_request(struct seal_request *req, const struct seal_options *o,
                         struct recipients *rcpt, const struct cli_key *sender,
                         struct cli_input *in)
{
    memset(req, 0, sizeof *req);
    req->recipients = (const struct seal_key *const *)rcpt->key;
    req->n_recipients = rcpt->n;
    req->sender = sender->key;
    req->armor = o->armor;
    req->in = (struct byte_source){cli_input_read, in};
    req->progress = cli_progress_input;
    req->progress_ctx = in;
}

static int load_recipients(struct recipients *r)
{
    size_t first, second;
    int status;

    for (size_t i = 0; i < r->n; i++)
        if (!r->key[i] && (status = cli_key_load_public(r->path[i], &r->key[i])) != EXIT_OK)
            return status;
    /* A duplicate is most likely a typo for another recipient: refuse
     * rather than silently sealing for fewer people, naming both files,
     * before the sender's passphrase is asked for. envelope_seal() would
     * refuse it too, but later and by number. */
    gpg_err_code_t err =
        envelope_check_recipients((const struct seal_key *const *)r->key, r->n, &first, &second);
    if (err == GPG_ERR_DUP_KEY) {
        cli_errorf("%s: the same key as %s (a recipient given twice)", r->path[second],
                   r->path[first]);
        return EXIT_USAGE;
    }
    return err ? cli_error(NULL, err) : EXIT_OK;
}

/* seal --to / --listen: the same keys and input, then cli/deliver.c. */
static int seal_send(const struct seal_options *o)
{
    struct recipients rcpt = {.n = 0};
    struct cli_key sender;
    struct cli_passphrase pp = {o->common.passphrase_file};
    struct cli_input in = {-1, false, 0};
    const char *in_name = file_is_stdio(o->input) ? stdin_name : o->input;
    struct seal_request req;
    gpg_err_code_t err;
    int status;

    memset(&sender, 0, sizeof sender);
    seal_clear_detail();
    if ((err = file_open_read(o->input, &in.fd)))
        return cli_error(in_name, err);
    if ((status = collect(o, &rcpt)) == EXIT_OK && (status = load_recipients(&rcpt)) == EXIT_OK &&
        (status = cli_key_load(&sender, o->sender, &pp)) == EXIT_OK) {
        struct stat st;
        fill_request(&req, o, &rcpt, &sender, &in);
        /* The size, for the progress line of a large regular file. */
        status = cli_seal_deliver(
            &req, &o->net,
            fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
    }
    recipients_free(&rcpt);
    cli_key_close(&sender);
    close(in.fd);
    return status;
}

int cli_seal(const struct seal_options *o)
{
    const char *output = o->common.output;
    struct recipients rcpt = {.n = 0};
    struct cli_key sender;
    struct cli_passphrase pp = {o->common.passphrase_file};
    struct cli_input in = {-1, false, 0};
    struct cli_output out;
    const char *in_name = file_is_stdio(o->input) ? stdin_name : o->input;
    const char *out_name = file_is_stdio(output) ? stdout_name : output;
    struct seal_request req;
    struct stat st;
    mode_t mask;
    gpg_err_code_t err;
    int status;

    memset(&sender, 0, sizeof sender);
    memset(&out, 0, sizeof out);
    out.ao.fd = -1;

    if (o->net.to || o->net.listen)
        return seal_send(o);
    /* Cheap refusals first, before anyone is asked for a passphrase. An
     * explicit "-o -" is the user saying the terminal is fine. */
    if (!o->armor && !o->common.output_given && cli_output_is_terminal(output)) {
        cli_errorf("refusing to write a binary envelope to a terminal");
        cli_hint("use -a for ASCII armor, -o FILE to write a file, or -o - to insist");
        return EXIT_USAGE;
    }
    if (!file_writes_into(output) && !o->common.force && lstat(output, &st) == 0) {
        cli_errorf("%s: already exists", output);
        cli_hint_existing_output();
        return EXIT_IO;
    }
    seal_clear_detail();
    if ((err = file_open_read(o->input, &in.fd)))
        return cli_error(in_name, err);
    if ((status = cli_refuse_same_file(in.fd, in_name, output)) != EXIT_OK)
        goto out;
    if (fstat(in.fd, &st) != 0)
        st.st_mode = 0;

    if ((status = collect(o, &rcpt)) != EXIT_OK || (status = load_recipients(&rcpt)) != EXIT_OK)
        goto out;
    if ((status = cli_key_load(&sender, o->sender, &pp)) != EXIT_OK)
        goto out;

    /* The envelope is not secret; readable as the umask allows. */
    mask = umask(0);
    umask(mask);
    seal_clear_detail();
    if ((err = atomic_out_open_output(&out.ao, output, 0666 & ~mask, o->common.force))) {
        status = cli_error(out_name, err);
        if (err == GPG_ERR_EEXIST)
            cli_hint_existing_output();
        goto out;
    }
    out.ao.no_fsync = o->common.no_fsync;
    cli_remove_on_signal(out.ao.tmp_path);

    fill_request(&req, o, &rcpt, &sender, &in);
    req.out = (struct byte_sink){cli_output_write, &out};
    /* Drawn only if stderr is a terminal and the run lasts over a second. */
    cli_progress_start("sealing", S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
    err = envelope_seal(&req);
    cli_progress_done();
    if (!err && (err = atomic_out_commit(&out.ao)))
        out.failed = true;
    if (err) {
        atomic_out_abort(&out.ao);
        status = cli_error(in.failed ? in_name : out.failed ? out_name : NULL, err);
        if (err == GPG_ERR_EEXIST)
            cli_hint_existing_output();
        goto out;
    }
    status = EXIT_OK;

out:
    cli_remove_on_signal(NULL);
    atomic_out_abort(&out.ao);
    recipients_free(&rcpt);
    cli_key_close(&sender);
    if (in.fd >= 0)
        close(in.fd);
    return status;
}
