/* How the programs talk to the user; see cli.h. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *program = "seal";

void cli_set_program(const char *name)
{
    program = name;
}

const char *cli_program(void)
{
    return program;
}

int cli_exit_status(gpg_err_code_t code)
{
    switch (code) {
    case 0:
        return EXIT_OK;
    case GPG_ERR_BAD_SIGNATURE:
    case GPG_ERR_CHECKSUM:
    case GPG_ERR_TRUNCATED:
    case GPG_ERR_DECRYPT_FAILED:
        return EXIT_AUTH;
    case GPG_ERR_INV_ARG:
        return EXIT_USAGE;
    case GPG_ERR_BAD_SECKEY:
    case GPG_ERR_BAD_PUBKEY:
    case GPG_ERR_BAD_PASSPHRASE:
    case GPG_ERR_NO_PASSPHRASE:
    case GPG_ERR_WEAK_KEY:
    case GPG_ERR_UNUSABLE_PUBKEY:
    case GPG_ERR_UNUSABLE_SECKEY: /* a policy refusal of a valid key file */
    case GPG_ERR_PUBKEY_ALGO:
    case GPG_ERR_DUP_KEY:
    case GPG_ERR_WRONG_KEY_USAGE: /* a private key given as someone's public key */
    case GPG_ERR_CANCELED:
        return EXIT_KEY;
    case GPG_ERR_NO_SECKEY:
        return EXIT_NOT_RECIPIENT;
    case GPG_ERR_NOT_TRUSTED:
        return EXIT_UNTRUSTED;
    case GPG_ERR_INTERNAL:
    case GPG_ERR_BUG:
    case GPG_ERR_INV_STATE:
    case GPG_ERR_INV_SEXP:
    case GPG_ERR_INV_KEYLEN:
    case GPG_ERR_BUFFER_TOO_SHORT:
    case GPG_ERR_GENERAL:
    case GPG_ERR_SELFTEST_FAILED:
    case GPG_ERR_NOT_INITIALIZED:
        return EXIT_INTERNAL;
    default:
        break;
    }
    /* Everything the operating system reported is an I/O problem. */
    if ((code & GPG_ERR_SYSTEM_ERROR) || code == GPG_ERR_EOF)
        return EXIT_IO;
    return EXIT_FORMAT;
}

static void vsay(const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: %s: ", program, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_error(const char *file, gpg_err_code_t code)
{
    const char *detail = seal_detail();
    if (!detail)
        detail = gpg_strerror(gpg_err_make(GPG_ERR_SOURCE_USER_1, code));
    if (file)
        fprintf(stderr, "%s: error: %s: %s\n", program, file, detail);
    else
        fprintf(stderr, "%s: error: %s\n", program, detail);
    seal_clear_detail();
    return cli_exit_status(code);
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("error", fmt, ap);
    va_end(ap);
}

void cli_hint(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("hint", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("warning", fmt, ap);
    va_end(ap);
}

/* Progress: drawn only on a terminal, at most about 4 times a second. */
static struct {
    bool active;
    const char *what;
    uint64_t total;
    struct timespec start, last;
} progress;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

void cli_progress_start(const char *what, uint64_t total)
{
    progress.active = isatty(STDERR_FILENO) == 1;
    progress.what = what;
    progress.total = total;
    clock_gettime(CLOCK_MONOTONIC, &progress.start);
    progress.last = progress.start;
}

void cli_progress_update(void *ctx, uint64_t done)
{
    (void)ctx;
    if (!progress.active || seconds_since(&progress.last) < 0.25)
        return;
    clock_gettime(CLOCK_MONOTONIC, &progress.last);
    double elapsed = seconds_since(&progress.start);
    /* Quiet for the first second: short runs show nothing. */
    if (elapsed < 1.0)
        return;
    double mib = (double)done / (1024.0 * 1024.0);
    if (progress.total)
        fprintf(stderr, "\r%s: %s %.0f%% (%.0f MiB, %.0f MiB/s)   ", program, progress.what,
                100.0 * (double)done / (double)progress.total, mib, mib / elapsed);
    else
        fprintf(stderr, "\r%s: %s %.0f MiB (%.0f MiB/s)   ", program, progress.what, mib,
                mib / elapsed);
}

void cli_progress_done(void)
{
    if (progress.active && seconds_since(&progress.start) >= 1.0)
        fputs("\r\033[K", stderr);
    progress.active = false;
}

gpg_err_code_t cli_input_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    struct cli_input *in = ctx;
    gpg_err_code_t err = fd_read_full(in->fd, buf, cap, got);
    if (err)
        in->failed = true;
    else
        in->count += *got;
    return err;
}

void cli_progress_input(void *ctx, uint64_t done)
{
    const struct cli_input *in = ctx;
    (void)done;
    cli_progress_update(NULL, in->count);
}

gpg_err_code_t cli_output_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct cli_output *out = ctx;
    gpg_err_code_t err = atomic_out_write(&out->ao, buf, n);
    if (err)
        out->failed = true;
    return err;
}

static volatile sig_atomic_t have_tmp;
static const char *tmp_to_remove;

static void remove_and_die(int sig)
{
    if (have_tmp)
        unlink(tmp_to_remove);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_remove_on_signal(const char *path)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    struct sigaction sa;

    have_tmp = 0;
    tmp_to_remove = path;
    have_tmp = path != NULL;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = path ? remove_and_die : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static int stop_pipe[2] = {-1, -1};

static void on_stop_signal(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(stop_pipe[1], "x", 1) < 0) {
        /* Nothing to do: the pipe is already readable. */
    }
    errno = saved;
}

int cli_catch_stop_signals(int *stop_fd)
{
    struct sigaction sa;

    *stop_fd = -1;
    if (pipe(stop_pipe) != 0 || fcntl(stop_pipe[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(stop_pipe[1], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(stop_pipe[1], F_SETFL, O_NONBLOCK) != 0)
        return cli_error(NULL, seal_fail(seal_errno_code(), "pipe: %s", strerror(errno)));
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    *stop_fd = stop_pipe[0];
    return EXIT_OK;
}
