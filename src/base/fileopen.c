/*
 * Opening files so that a hostile environment cannot hurt: key files that
 * must be regular files (a FIFO or a device would block open(2) or read(2)
 * forever), and unnamed temporary files (O_TMPFILE) that hold unverified
 * output without a name, so that a kill -9 or a crash leaves nothing behind.
 * See fileio.h. Linux: O_TMPFILE, linkat(2) through /proc/self/fd.
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
