/* Unseal to standard output in two passes; see two_pass.h. */
#include "cli/two_pass.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "envelope/envelope.h"
#include "envelope/spool.h"

struct two_pass {
    struct cli_input *in; /* the input (the caller's: it counts and records failures) */
    off_t start;          /* a regular file: where the envelope starts in it */
    int copy_fd;          /* otherwise: the ciphertext as received (unlinked), or -1 */
    bool copy_failed;
    struct cli_input again; /* the second pass's input, when it is the copy */
    struct spool *hashes;
};

gpg_err_code_t two_pass_open(struct cli_input *in, struct two_pass **out)
{
    struct two_pass *t;
    struct stat st;
    gpg_err_code_t err;

    *out = NULL;
    if ((t = calloc(1, sizeof *t)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    t->in = in;
    t->copy_fd = -1;
    t->again.fd = -1;
    t->start = fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode) ? lseek(in->fd, 0, SEEK_CUR) : -1;
    if ((err = spool_new(&t->hashes)) != 0 ||
        (t->start < 0 && (err = file_open_spool(&t->copy_fd)))) {
        two_pass_free(t);
        return err;
    }
    *out = t;
    return 0;
}

/* Reads the input; for a pipe, appends what it read to the copy. (On the
 * pipeline's reader thread.) */
static gpg_err_code_t copying_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    struct two_pass *t = ctx;
    gpg_err_code_t err = cli_input_read(t->in, buf, cap, got);

    if (err != 0 || *got == 0 || t->copy_fd < 0)
        return err;
    if ((err = fd_write_all(t->copy_fd, buf, *got)) != 0) {
        t->copy_failed = true;
        return seal_fail_override(err, "cannot write the spool file: %s", gpg_strerror(err));
    }
    return 0;
}

struct byte_source two_pass_input(struct two_pass *t)
{
    return (struct byte_source){copying_read, t};
}

struct byte_sink two_pass_hashes(struct two_pass *t)
{
    return spool_sink(t->hashes);
}

/* The second pass's input: the file from where the envelope started, or the
 * copy from its start. */
static gpg_err_code_t rewind_input(struct two_pass *t, struct cli_input **again)
{
    if (t->copy_fd >= 0) {
        t->again.fd = t->copy_fd;
        *again = &t->again;
    } else {
        t->in->count = 0;
        *again = t->in;
    }
    off_t at = t->copy_fd >= 0 ? 0 : t->start;
    if (lseek((*again)->fd, at, SEEK_SET) != at)
        return seal_fail(seal_errno_code(), "cannot read the input a second time");
    return 0;
}

gpg_err_code_t two_pass_release(struct two_pass *t, struct envelope_reader *env,
                                struct byte_sink out)
{
    struct byte_source hashes;
    struct cli_input *again;
    gpg_err_code_t err;

    if ((err = spool_finish(t->hashes)) != 0 || (err = spool_source(t->hashes, &hashes)) != 0 ||
        (err = rewind_input(t, &again)) != 0)
        return err;
    return envelope_reader_release(env, (struct byte_source){cli_input_read, again}, hashes, out,
                                   cli_progress_input, again);
}

bool two_pass_spool_failed(const struct two_pass *t)
{
    return t->copy_failed || t->again.failed || spool_failed(t->hashes);
}

void two_pass_free(struct two_pass *t)
{
    if (t == NULL)
        return;
    spool_free(t->hashes);
    if (t->copy_fd >= 0)
        close(t->copy_fd); /* unlinked at creation: this deletes it */
    free(t);
}
