/* Passphrases from a file or the terminal; see cli_passphrase.h. */
#include "cli/passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "base/fileio.h"

#define NEW_PASSPHRASE_TRIES 3

/* ---- the passphrase file --------------------------------------------- */

/* Re-records the current detail prefixed with the passphrase file's name:
 * the program prints the key file's name, so the detail must say which
 * other file was at fault. */
static gpg_err_code_t fail_in_file(gpg_err_code_t code, const char *file, const char *what)
{
    char inner[160];
    const char *d = seal_detail();
    snprintf(inner, sizeof inner, "%s", d ? d : gpg_strerror(code));
    return seal_fail_override(code, "passphrase file %s: %s", file, what ? what : inner);
}

/* Copies LEN bytes at SRC to a fresh secure buffer of LEN + 1 bytes (the
 * size the caller frees), NUL-terminated. */
static gpg_err_code_t secure_dup(const char *src, size_t len, char **pass, size_t *outlen)
{
    char *p = seal_secure_malloc(len + 1);
    if (p == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    memcpy(p, src, len);
    p[len] = '\0';
    *pass = p;
    *outlen = len;
    return 0;
}

/* The first line of FILE, without one "\n" or "\r\n". Only the first
 * SEAL_PASSPHRASE_MAX + 2 bytes are read: later lines are none of our
 * business, and the scratch buffer holding them is wiped. */
static gpg_err_code_t read_passphrase_file(const char *file, char **pass, size_t *len)
{
    const size_t cap = SEAL_PASSPHRASE_MAX + 2;
    gpg_err_code_t err;
    char *buf = NULL;
    size_t got = 0, n;
    int fd = -1;
    const char *nl;

    *pass = NULL;
    *len = 0;
    err = file_open_read(file, &fd);
    if (err) {
        err = fail_in_file(err, file, NULL);
        goto out;
    }
    buf = seal_secure_malloc(cap);
    if (buf == NULL) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        goto out;
    }
    err = fd_read_full(fd, buf, cap, &got);
    if (err) {
        err = fail_in_file(err, file, NULL);
        goto out;
    }
    nl = memchr(buf, '\n', got);
    if (nl != NULL) {
        n = (size_t)(nl - buf);
    } else if (got == cap) {
        err = fail_in_file(GPG_ERR_TOO_LARGE, file, "first line longer than 1024 bytes");
        goto out;
    } else {
        n = got; /* a single line without a line end */
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (n == 0) {
        err = fail_in_file(GPG_ERR_NO_PASSPHRASE, file, "first line is empty");
        goto out;
    }
    if (n > SEAL_PASSPHRASE_MAX) {
        err = fail_in_file(GPG_ERR_TOO_LARGE, file, "first line longer than 1024 bytes");
        goto out;
    }
    /* A NUL would silently cut the passphrase short for C-string users. */
    if (memchr(buf, '\0', n) != NULL) {
        err = fail_in_file(GPG_ERR_INV_DATA, file, "first line contains a NUL byte");
        goto out;
    }
    err = secure_dup(buf, n, pass, len);
out:
    seal_secure_free(buf, cap);
    if (fd >= 0)
        close(fd);
    return err;
}

/* ---- the terminal ------------------------------------------------------ */

/* State for the signal handler: while echo is off, a fatal signal must not
 * leave the user's terminal without echo. Written only while the handlers
 * are not installed. */
static volatile sig_atomic_t echo_off_fd = -1;
static struct termios saved_termios, quiet_termios;
static struct sigaction handler_action, default_action;
static const int caught_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define N_CAUGHT (sizeof caught_signals / sizeof caught_signals[0])
static struct sigaction previous_actions[N_CAUGHT];

/* Restores the terminal, then delivers SIG with its default action. For
 * SIGTSTP the process stops; when it continues, echo goes off again and the
 * handler is re-armed, so the prompt can go on. Only async-signal-safe calls. */
static void restore_and_reraise(int sig)
{
    int saved_errno = errno;
    int fd = echo_off_fd;
    sigset_t set;

    if (fd >= 0)
        (void)tcsetattr(fd, TCSANOW, &saved_termios);
    (void)sigaction(sig, &default_action, NULL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    (void)sigprocmask(SIG_UNBLOCK, &set, NULL);
    (void)raise(sig);
    /* Still alive: the signal was a stop and we were continued. */
    if (fd >= 0)
        (void)tcsetattr(fd, TCSANOW, &quiet_termios);
    (void)sigaction(sig, &handler_action, NULL);
    errno = saved_errno;
}

static gpg_err_code_t tty_open(int *fd)
{
    *fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (*fd < 0)
        return seal_fail(GPG_ERR_NO_PASSPHRASE,
                         "no terminal to ask for the passphrase; use --passphrase-file");
    return 0;
}

bool cli_passphrase_have_tty(void)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static gpg_err_code_t tty_write(int fd, const char *s)
{
    gpg_err_code_t err = fd_write_all(fd, s, strlen(s));
    if (err)
        return seal_fail(err, "cannot write to the terminal");
    return 0;
}

/* Reads one line from FD into BUF (CAP bytes) without its "\n" or "\r\n".
 * A line longer than CAP is consumed and refused. End of input before any
 * byte is GPG_ERR_CANCELED. */
static gpg_err_code_t tty_read_line(int fd, char *buf, size_t cap, size_t *len)
{
    gpg_err_code_t err = 0;
    bool too_long = false;
    size_t n = 0;
    char c = 0;

    *len = 0;
    for (;;) {
        ssize_t r = read(fd, &c, 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            err =
                seal_fail(seal_errno_code(), "cannot read from the terminal: %s", strerror(errno));
            goto out;
        }
        if (r == 0) {
            if (n == 0 && !too_long) {
                err = seal_fail(GPG_ERR_CANCELED, "no passphrase given (end of input)");
                goto out;
            }
            break;
        }
        if (c == '\n')
            break;
        if (n < cap)
            buf[n++] = c;
        else
            too_long = true;
    }
    if (too_long) {
        err = seal_fail(GPG_ERR_TOO_LARGE, "passphrase longer than %zu bytes", cap);
        goto out;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    *len = n;
out:
    seal_wipe(&c, sizeof c);
    return err;
}

/* Shows PROMPT on the terminal FD and reads a line with echo off into BUF
 * (CAP bytes). The terminal is restored before returning, and by the
 * signal handler if a signal ends the process meanwhile. */
static gpg_err_code_t tty_read_secret(int fd, const char *prompt, char *buf, size_t cap,
                                      size_t *len)
{
    gpg_err_code_t err;
    size_t i;

    *len = 0;
    if (tcgetattr(fd, &saved_termios) != 0)
        return seal_fail(GPG_ERR_NO_PASSPHRASE, "cannot control the terminal: %s", strerror(errno));
    quiet_termios = saved_termios;
    quiet_termios.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);

    memset(&handler_action, 0, sizeof handler_action);
    handler_action.sa_handler = restore_and_reraise;
    sigemptyset(&handler_action.sa_mask);
    for (i = 0; i < N_CAUGHT; i++)
        sigaddset(&handler_action.sa_mask, caught_signals[i]);
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);

    /* Handlers first, then echo off: no moment with echo off and no handler. */
    echo_off_fd = fd;
    for (i = 0; i < N_CAUGHT; i++)
        (void)sigaction(caught_signals[i], &handler_action, &previous_actions[i]);
    /* TCSAFLUSH drops type-ahead, which was typed while echo was still on. */
    if (tcsetattr(fd, TCSAFLUSH, &quiet_termios) != 0) {
        err = seal_fail(GPG_ERR_NO_PASSPHRASE, "cannot turn off echo on the terminal: %s",
                        strerror(errno));
        goto out;
    }
    err = tty_write(fd, prompt);
    if (err == 0)
        err = tty_read_line(fd, buf, cap, len);
    /* Echo was off, so the user's Enter did not move to a new line. */
    (void)fd_write_all(fd, "\n", 1);
out:
    (void)tcsetattr(fd, TCSAFLUSH, &saved_termios);
    echo_off_fd = -1;
    for (i = 0; i < N_CAUGHT; i++)
        (void)sigaction(caught_signals[i], &previous_actions[i], NULL);
    if (err)
        seal_wipe(buf, cap);
    return err;
}

void cli_passphrase_tell(const char *line)
{
    int fd;
    if (tty_open(&fd) != 0) {
        seal_clear_detail();
        return;
    }
    if (tty_write(fd, line) == 0)
        (void)tty_write(fd, "\n");
    seal_clear_detail();
    close(fd);
}

gpg_err_code_t cli_passphrase_get(void *ctx, const char *path, char **pass, size_t *len)
{
    const struct cli_passphrase *pp = ctx;
    gpg_err_code_t err;
    char prompt[512];
    char *buf = NULL;
    size_t n = 0;
    int fd = -1;

    *pass = NULL;
    *len = 0;
    if (pp != NULL && pp->file != NULL)
        return read_passphrase_file(pp->file, pass, len);

    err = tty_open(&fd);
    if (err)
        return err;
    buf = seal_secure_malloc(SEAL_PASSPHRASE_MAX);
    if (buf == NULL) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        goto out;
    }
    snprintf(prompt, sizeof prompt, "Enter passphrase for %s: ", path);
    err = tty_read_secret(fd, prompt, buf, SEAL_PASSPHRASE_MAX, &n);
    if (err)
        goto out;
    if (n == 0) {
        err = seal_fail(GPG_ERR_NO_PASSPHRASE, "empty passphrase");
        goto out;
    }
    err = secure_dup(buf, n, pass, len);
out:
    seal_secure_free(buf, SEAL_PASSPHRASE_MAX);
    if (fd >= 0)
        close(fd);
    return err;
}

/* Asks on the terminal whether an unencrypted key is really wanted. */
static gpg_err_code_t confirm_unencrypted(int fd, const char *path, bool *yes)
{
    gpg_err_code_t err;
    char msg[640];
    char answer[16];
    size_t n = 0;

    *yes = false;
    snprintf(msg, sizeof msg,
             "WARNING: with an empty passphrase the private key in %s is stored\n"
             "UNENCRYPTED: anyone who can read that file can use the key.\n"
             "Store it unencrypted? [y/N] ",
             path);
    err = tty_write(fd, msg);
    if (err)
        return err;
    err = tty_read_line(fd, answer, sizeof answer, &n);
    if (err == GPG_ERR_TOO_LARGE) {
        seal_clear_detail();
        return 0; /* not a yes */
    }
    if (err)
        return err;
    *yes = (n == 1 && (answer[0] == 'y' || answer[0] == 'Y')) ||
           (n == 3 && strncmp(answer, "yes", 3) == 0);
    return 0;
}

gpg_err_code_t cli_passphrase_new(const struct cli_passphrase *pp, const char *path, char **pass,
                                  size_t *len)
{
    gpg_err_code_t err;
    char prompt[512];
    char *first = NULL, *second = NULL;
    size_t n1 = 0, n2 = 0;
    int fd = -1, tries;
    bool declined = false;

    *pass = NULL;
    *len = 0;
    if (pp != NULL && pp->file != NULL)
        return read_passphrase_file(pp->file, pass, len);

    err = tty_open(&fd);
    if (err)
        return err;
    first = seal_secure_malloc(SEAL_PASSPHRASE_MAX);
    second = seal_secure_malloc(SEAL_PASSPHRASE_MAX);
    if (first == NULL || second == NULL) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        goto out;
    }
    for (tries = 0; tries < NEW_PASSPHRASE_TRIES; tries++) {
        snprintf(prompt, sizeof prompt, "Enter new passphrase for %s (empty for none): ", path);
        err = tty_read_secret(fd, prompt, first, SEAL_PASSPHRASE_MAX, &n1);
        if (err)
            goto out;
        if (n1 == 0) {
            bool yes;
            err = confirm_unencrypted(fd, path, &yes);
            if (err)
                goto out;
            if (yes)
                goto out; /* success with no passphrase */
            declined = true;
            continue;
        }
        declined = false;
        err = tty_read_secret(fd, "Enter the same passphrase again: ", second, SEAL_PASSPHRASE_MAX,
                              &n2);
        if (err)
            goto out;
        if (n1 == n2 && seal_ct_equal(first, second, n1)) {
            err = secure_dup(first, n1, pass, len);
            goto out;
        }
        err = tty_write(fd, "The passphrases do not match; try again.\n");
        if (err)
            goto out;
    }
    if (declined)
        err = seal_fail(GPG_ERR_CANCELED, "no passphrase chosen and unencrypted key not confirmed");
    else
        err = seal_fail(GPG_ERR_BAD_PASSPHRASE, "the passphrases did not match %d times",
                        NEW_PASSPHRASE_TRIES);
out:
    seal_secure_free(first, SEAL_PASSPHRASE_MAX);
    seal_secure_free(second, SEAL_PASSPHRASE_MAX);
    if (fd >= 0)
        close(fd);
    return err;
}
