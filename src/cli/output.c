/* Where output goes, safely; see output.h. */
#include "cli/output.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/two_pass.h"
#include "envelope/spool.h"

/* Bytes that can drive a terminal or mean "not text": control characters
 * other than tab, line feed and carriage return. */
static bool has_binary(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') || p[i] == 0x7f)
            return true;
    return false;
}

/* The private sink envelope_unseal() writes to. */
static gpg_err_code_t plain_write(void *ctx, const uint8_t *data, size_t n)
{
    struct cli_plain_out *p = ctx;
    gpg_err_code_t err;

    if (!p->to_stdout)
        return cli_output_write(&p->out, data, n); /* a temporary file nobody else sees */
    if (p->refuse_binary && !p->binary)
        p->binary = has_binary(data, n);
    if (p->read_twice)
        return 0; /* the second pass writes */
    if ((err = spool_write(p->spool, data, n)))
        p->out.failed = p->spool_failed = true;
    return err;
}

struct byte_sink cli_plain_sink(struct cli_plain_out *p)
{
    /* Read twice and not to a terminal: the first pass need not see a byte. */
    if (p->read_twice && !p->refuse_binary)
        return (struct byte_sink){NULL, NULL};
    return (struct byte_sink){plain_write, p};
}

gpg_err_code_t cli_plain_open(struct cli_plain_out *p, const char *path, bool force, bool explicit)
{
    gpg_err_code_t err;

    memset(p, 0, sizeof *p);
    p->out.ao.fd = -1;
    /* A device or FIFO is released into exactly as standard output is:
     * through the spool, once everything verified. */
    if (file_writes_into(path)) {
        p->to_stdout = true;
        p->refuse_binary = file_is_stdio(path) && !explicit && isatty(STDOUT_FILENO);
        if ((err = spool_new(&p->spool)))
            return err;
        return atomic_out_open_output(&p->out.ao, path, 0, false);
    }
    /* Mode 0600 from creation to the end: the plaintext was secret. */
    if ((err = atomic_out_open(&p->out.ao, path, 0600, force)))
        return err;
    cli_remove_on_signal(p->out.ao.tmp_path);
    return 0;
}

gpg_err_code_t cli_plain_release(struct cli_plain_out *p, struct two_pass *tp,
                                 struct envelope_reader *env)
{
    gpg_err_code_t err;

    if (p->to_stdout) {
        if (p->binary)
            return seal_fail(GPG_ERR_INV_ARG, "refusing to write binary plaintext to a terminal");
    }
    if (p->to_stdout && p->read_twice) {
        /* An input changed since it verified fails here, possibly after
         * some verified bytes were written: those are the sender's bytes. */
        err = two_pass_release(tp, env, (struct byte_sink){cli_output_write, &p->out});
        if (err && two_pass_spool_failed(tp))
            p->out.failed = p->spool_failed = true;
        if (err)
            return err;
    } else if (p->to_stdout) {
        if ((err = spool_finish(p->spool)))
            return err;
        /* A spool file damaged meanwhile fails here, possibly after some
         * verified bytes were written: those are the sender's bytes. */
        if ((err = spool_replay(p->spool, (struct byte_sink){cli_output_write, &p->out})))
            return err;
    }
    if ((err = atomic_out_commit(&p->out.ao)))
        p->out.failed = true;
    return err;
}

void cli_plain_discard(struct cli_plain_out *p)
{
    spool_free(p->spool);
    p->spool = NULL;
    atomic_out_abort(&p->out.ao);
    if (!p->to_stdout)
        cli_remove_on_signal(NULL);
}

int cli_refuse_same_file(int in_fd, const char *in_name, const char *output)
{
    struct stat in, out;
    int r;

    if (fstat(in_fd, &in) != 0 || !S_ISREG(in.st_mode))
        return EXIT_OK; /* a pipe or terminal cannot be overwritten */
    r = file_is_stdio(output) ? fstat(STDOUT_FILENO, &out) : stat(output, &out);
    if (r != 0 || in.st_dev != out.st_dev || in.st_ino != out.st_ino)
        return EXIT_OK;
    cli_errorf("%s: input and output are the same file", in_name);
    cli_hint("choose another output with -o");
    return EXIT_USAGE;
}

void cli_hint_existing_output(void)
{
    cli_hint("use -f to overwrite it or -o to choose another name");
}

bool cli_output_is_terminal(const char *output)
{
    return file_is_stdio(output) && isatty(STDOUT_FILENO) == 1;
}
