/*
 * Opening, reading and atomically writing files; see fileio.h.
 *
 * Opened so that a hostile environment cannot hurt: key files must be
 * regular files (a FIFO or a device would block open(2) or read(2)
 * forever), and unnamed temporary files (O_TMPFILE) hold unverified output
 * without a name, so that a kill -9 or a crash leaves nothing behind.
 * Linux: O_TMPFILE, linkat(2) through /proc/self/fd, sync_file_range(2) as
 * a speed hint; everything else is POSIX.
 */
#define _GNU_SOURCE
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/secmem.h"

bool file_is_stdio(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

bool file_is_stream(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
}

bool file_writes_into(const char *path)
{
    return file_is_stdio(path) || file_is_stream(path);
}

gpg_err_code_t file_open_read(const char *path, int *fd)
{
    *fd = -1;
    if (file_is_stdio(path)) {
        *fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        if (*fd < 0)
            return seal_fail(seal_errno_code(), "cannot use standard input: %s", strerror(errno));
        return 0;
    }
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return seal_fail(seal_errno_code(), "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(*fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(*fd);
        *fd = -1;
        return seal_fail(GPG_ERR_EISDIR, "is a directory");
    }
    return 0;
}

gpg_err_code_t fd_read_full(int fd, void *buf, size_t n, size_t *got)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, (uint8_t *)buf + done, n - done);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *got = done;
            return seal_fail(seal_errno_code(), "read error: %s", strerror(errno));
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return 0;
}

gpg_err_code_t fd_write_all(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return seal_fail(seal_errno_code(), "write error: %s", strerror(errno));
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static gpg_err_code_t fd_source_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    return fd_read_full(*(int *)ctx, buf, cap, got);
}

struct byte_source fd_source(int *fd)
{
    return (struct byte_source){fd_source_read, fd};
}

static gpg_err_code_t fd_sink_write(void *ctx, const uint8_t *buf, size_t n)
{
    return fd_write_all(*(int *)ctx, buf, n);
}

struct byte_sink fd_sink(int *fd)
{
    return (struct byte_sink){fd_sink_write, fd};
}

gpg_err_code_t file_check_private_mode(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return seal_fail(seal_errno_code(), "cannot stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return seal_fail(GPG_ERR_BAD_SECKEY, "private key is not a regular file");
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return seal_fail(GPG_ERR_BAD_SECKEY,
                         "private key file permissions %04o are too open (group or others may "
                         "access it)",
                         (unsigned)(st.st_mode & 07777));
    return 0;
}

gpg_err_code_t file_read_all(const char *path, size_t max, bool secure, bool private_key,
                             uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd;
    if (file_is_stdio(path)) {
        fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (private_key ? O_NOFOLLOW : 0));
    }
    if (fd < 0) {
        if (errno == ELOOP && private_key)
            return seal_fail(GPG_ERR_BAD_SECKEY, "private key file is a symbolic link");
        return seal_fail(seal_errno_code(), "cannot open: %s", strerror(errno));
    }
    gpg_err_code_t err = 0;
    if (!file_is_stdio(path))
        err = file_require_regular(fd); /* a FIFO would block: O_NONBLOCK above */
    if (!err && private_key && !file_is_stdio(path))
        err = file_check_private_mode(fd);
    /* One byte more than the cap tells "too large" from "exactly max". */
    size_t cap = max + 1;
    uint8_t *buf = NULL;
    if (!err) {
        buf = secure ? seal_secure_malloc(cap + 1) : calloc(1, cap + 1);
        if (!buf)
            err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
    }
    size_t got = 0;
    if (!err)
        err = fd_read_full(fd, buf, cap, &got);
    if (!err && got > max)
        err = seal_fail(GPG_ERR_TOO_LARGE, "file is larger than %zu bytes", max);
    close(fd);
    if (err) {
        if (buf) {
            if (secure)
                seal_secure_free(buf, cap + 1);
            else {
                seal_wipe(buf, cap + 1);
                free(buf);
            }
        }
        return err;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

/* A fresh name next to FINAL: DIR/.NAME.XXXXXX, created by mkstemp (O_EXCL,
 * 0600). */
static gpg_err_code_t make_temp_beside(const char *final, char **tmp, int *fd)
{
    const char *slash = strrchr(final, '/');
    size_t dirlen = slash ? (size_t)(slash - final) + 1 : 0;
    const char *base = slash ? slash + 1 : final;
    size_t n = dirlen + 1 + strlen(base) + 8 + 1;
    char *t = malloc(n);
    if (!t)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    snprintf(t, n, "%.*s.%s.XXXXXX", (int)dirlen, final, base);
    int f = mkstemp(t);
    if (f < 0) {
        gpg_err_code_t err =
            seal_fail(seal_errno_code(), "cannot create temporary file: %s", strerror(errno));
        free(t);
        return err;
    }
    (void)fcntl(f, F_SETFD, FD_CLOEXEC);
    *tmp = t;
    *fd = f;
    return 0;
}

static void atomic_out_release(struct atomic_out *o);

gpg_err_code_t atomic_out_open(struct atomic_out *o, const char *path, mode_t mode, bool force)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->mode = mode;
    o->force = force;
    if (!(o->buf = buf_alloc_aligned(ATOMIC_OUT_BLOCK)))
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    if (file_is_stdio(path)) {
        o->to_stdout = true;
        o->fd = STDOUT_FILENO;
        return 0;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && (!force || S_ISDIR(st.st_mode))) {
        atomic_out_abort(o); /* frees the block buffer */
        if (!force)
            return seal_fail(GPG_ERR_EEXIST, "already exists");
        return seal_fail(GPG_ERR_EISDIR, "is a directory");
    }
    gpg_err_code_t err = GPG_ERR_ENOMEM;
    o->final_path = strdup(path);
    /* Unverified output has no name at all where the system allows it; a
     * named temporary file is the fallback (unseal(1) says what it means). */
    if (o->final_path && (err = file_open_unnamed_beside(path, &o->fd)) == 0) {
        o->unnamed = true;
        return 0;
    }
    if (!o->final_path || (err = make_temp_beside(path, &o->tmp_path, &o->fd))) {
        atomic_out_abort(o);
        return err == GPG_ERR_ENOMEM ? seal_fail(err, "out of memory") : err;
    }
    return 0;
}

gpg_err_code_t atomic_out_open_output(struct atomic_out *o, const char *path, mode_t mode,
                                      bool force)
{
    if (file_is_stdio(path) || !file_is_stream(path))
        return atomic_out_open(o, path, mode, force);
    /* What cat, age and gpg do: a device or FIFO is written into. Renaming
     * a file over it would replace /dev/null for everyone. */
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->mode = mode;
    if (!(o->buf = buf_alloc_aligned(ATOMIC_OUT_BLOCK)))
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    o->to_stdout = true;
    o->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (o->fd < 0) {
        gpg_err_code_t err = seal_fail(seal_errno_code(), "cannot open: %s", strerror(errno));
        atomic_out_release(o);
        return err;
    }
    o->owns_fd = true;
    /* The name was looked at before it was opened: if it is a regular
     * file now, writing in place would skip the temporary and the
     * no-clobber check. */
    struct stat st;
    if (fstat(o->fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
        close(o->fd);
        o->fd = -1;
        o->owns_fd = false;
        atomic_out_release(o);
        return seal_fail(GPG_ERR_EEXIST, "changed while it was opened");
    }
    return 0;
}

/* Writes N bytes straight to the file and starts their writeback to disk:
 * only a hint, so the fsync at commit finds little left to do and disk
 * writes overlap with the work that produces the next block. */
static gpg_err_code_t write_through(struct atomic_out *o, const void *p, size_t n)
{
    gpg_err_code_t err = fd_write_all(o->fd, p, n);
    if (err)
        return err;
#ifdef SYNC_FILE_RANGE_WRITE
    if (!o->to_stdout && !o->no_fsync)
        (void)sync_file_range(o->fd, (off_t)o->flushed, (off_t)n, SYNC_FILE_RANGE_WRITE);
#endif
    o->flushed += n;
    return 0;
}

gpg_err_code_t atomic_out_flush(struct atomic_out *o)
{
    size_t n = o->len;
    o->len = 0;
    return n ? write_through(o, o->buf, n) : 0;
}

gpg_err_code_t atomic_out_write(struct atomic_out *o, const void *buf, size_t n)
{
    gpg_err_code_t err;
    if (o->len + n > ATOMIC_OUT_BLOCK && (err = atomic_out_flush(o)))
        return err;
    if (n >= ATOMIC_OUT_BLOCK)
        return write_through(o, buf, n);
    memcpy(o->buf + o->len, buf, n);
    o->len += n;
    return 0;
}

/* Frees everything but the file; the buffer may have held plaintext. */
static void atomic_out_release(struct atomic_out *o)
{
    free(o->final_path);
    free(o->tmp_path);
    o->final_path = o->tmp_path = NULL;
    if (o->buf) {
        seal_wipe(o->buf, ATOMIC_OUT_BLOCK);
        free(o->buf);
        o->buf = NULL;
    }
    o->len = 0;
}

void file_sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dirbuf[PATH_MAX];
    if (!slash)
        snprintf(dirbuf, sizeof dirbuf, ".");
    else
        snprintf(dirbuf, sizeof dirbuf, "%.*s", (int)(slash - path) + 1, path);
    int d = open(dirbuf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d >= 0) {
        (void)fsync(d);
        close(d);
    }
}

gpg_err_code_t atomic_out_commit(struct atomic_out *o)
{
    if (o->to_stdout) {
        gpg_err_code_t err = atomic_out_flush(o);
        if (o->owns_fd && close(o->fd) != 0 && !err)
            err = seal_fail(seal_errno_code(), "cannot close output: %s", strerror(errno));
        if (o->owns_fd)
            o->fd = -1;
        o->owns_fd = false;
        atomic_out_release(o);
        return err;
    }
    if (o->fd < 0 || (!o->tmp_path && !o->unnamed))
        return seal_fail(GPG_ERR_INTERNAL, "output already closed");
    gpg_err_code_t err = atomic_out_flush(o);
    if (!err && (fchmod(o->fd, o->mode) != 0 || (!o->no_fsync && fsync(o->fd) != 0)))
        err = seal_fail(seal_errno_code(), "cannot finish output: %s", strerror(errno));
    /* The content is complete and on disk: only now does it get a name. */
    if (!err && o->unnamed)
        err = file_link_unnamed(o->fd, o->final_path, o->force);
    if (close(o->fd) != 0 && !err)
        err = seal_fail(seal_errno_code(), "cannot close output: %s", strerror(errno));
    o->fd = -1;
    if (!err && !o->unnamed) {
        if (o->force) {
            if (rename(o->tmp_path, o->final_path) != 0)
                err = seal_fail(seal_errno_code(), "cannot rename into place: %s", strerror(errno));
        } else {
            /* link(2) fails if the name exists: a file that appeared since
             * open is never replaced. */
            if (link(o->tmp_path, o->final_path) != 0)
                err = errno == EEXIST ? seal_fail(GPG_ERR_EEXIST, "already exists")
                                      : seal_fail(seal_errno_code(), "cannot move into place: %s",
                                                  strerror(errno));
            unlink(o->tmp_path);
        }
    }
    if (err && o->tmp_path)
        unlink(o->tmp_path);
    else if (!err && !o->no_fsync)
        file_sync_parent_dir(o->final_path);
    atomic_out_release(o);
    return err;
}

void atomic_out_abort(struct atomic_out *o)
{
    if (o->to_stdout) {
        if (o->owns_fd) {
            close(o->fd);
            o->fd = -1;
        }
        o->owns_fd = false;
        atomic_out_release(o);
        return;
    }
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (o->tmp_path)
        unlink(o->tmp_path);
    atomic_out_release(o);
}

gpg_err_code_t file_open_spool(int *fd)
{
    *fd = -1;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    size_t n = strlen(dir) + sizeof "/seal-spool.XXXXXX";
    char *t = malloc(n);
    if (!t)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    gpg_err_code_t err = 0;
    if (file_open_unnamed(dir, fd) == 0) {
        free(t);
        return 0;
    }
    snprintf(t, n, "%s/seal-spool.XXXXXX", dir);
    int f = mkstemp(t);
    if (f < 0) {
        err = seal_fail(seal_errno_code(), "cannot create spool file in %s: %s", dir,
                        strerror(errno));
        free(t);
        return err;
    }
    unlink(t);
    free(t);
    (void)fcntl(f, F_SETFD, FD_CLOEXEC);
    *fd = f;
    return 0;
}

/* ---- regular files and unnamed temporary files -------------------------- */

static const char *file_kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISDIR(m))
        return "a directory";
    return "not a regular file";
}

gpg_err_code_t file_require_regular(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return seal_fail(seal_errno_code(), "cannot stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return seal_fail(S_ISDIR(st.st_mode) ? GPG_ERR_EISDIR : GPG_ERR_EFTYPE,
                         "is %s, not a regular file", file_kind(st.st_mode));
    /* Opened without blocking; reads of a regular file never block anyway,
     * but the descriptor should behave as usual from here on. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_NONBLOCK))
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return 0;
}

gpg_err_code_t file_open_regular(const char *path, int *fd)
{
    if (file_is_stdio(path))
        return file_open_read(path, fd);
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (*fd < 0)
        return seal_fail(seal_errno_code(), "cannot open: %s", strerror(errno));
    gpg_err_code_t err = file_require_regular(*fd);
    if (err) {
        close(*fd);
        *fd = -1;
    }
    return err;
}

gpg_err_code_t file_open_unnamed(const char *dir, int *fd)
{
    *fd = -1;
#ifdef O_TMPFILE
    /* Linking it later goes through /proc/self/fd (linkat(2) with
     * AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH): without /proc the
     * file could never get its name, so do not start. */
    if (access("/proc/self/fd", X_OK) != 0)
        return GPG_ERR_NOT_SUPPORTED;
    *fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    /* EISDIR/EOPNOTSUPP: the kernel or the filesystem has no O_TMPFILE.
     * Any other error (EACCES, ENOENT, ENOSPC) would hit a named file too,
     * and the caller's fallback reports it in its own words. */
    return *fd >= 0 ? 0 : GPG_ERR_NOT_SUPPORTED;
#else
    (void)dir;
    return GPG_ERR_NOT_SUPPORTED;
#endif
}

gpg_err_code_t file_open_unnamed_beside(const char *path, int *fd)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - path) + 2 > sizeof dir)
        return GPG_ERR_NOT_SUPPORTED;
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + 1, path);
    return file_open_unnamed(dir, fd);
}

gpg_err_code_t file_link_unnamed(int fd, const char *path, bool replace)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (!replace) {
        /* linkat(2) fails if PATH exists: a file that appeared meanwhile is
         * never replaced. */
        if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        if (errno == EEXIST)
            return seal_fail(GPG_ERR_EEXIST, "already exists");
        return seal_fail(seal_errno_code(), "cannot move into place: %s", strerror(errno));
    }
    /* Replacing: a fresh name beside PATH, then rename(2) over PATH, so
     * PATH is at every moment either the old file or the complete new one. */
    size_t n = strlen(path) + sizeof ".XXXXXX";
    char *tmp = malloc(n);
    if (!tmp)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    gpg_err_code_t err = 0;
    for (int tries = 0;; tries++) {
        snprintf(tmp, n, "%s.XXXXXX", path);
        int t = mkstemp(tmp); /* a name no one else has, for the moment */
        if (t < 0) {
            err =
                seal_fail(seal_errno_code(), "cannot create a temporary name: %s", strerror(errno));
            break;
        }
        close(t);
        unlink(tmp);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
            break;
        if (errno != EEXIST || tries == 8) {
            err = seal_fail(seal_errno_code(), "cannot move into place: %s", strerror(errno));
            break;
        }
    }
    if (!err && rename(tmp, path) != 0) {
        err = seal_fail(seal_errno_code(), "cannot rename into place: %s", strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return err;
}
