/* The Maildir inbox with exactly-once delivery; see inbox.h and unseal(1).
 *
 * Layout under INBOX:
 *   tmp/NAME        a message being received or verified (mode 0600)
 *   new/FINAL       delivered, for the mail reader (who moves it to cur/)
 *   cur/            the reader's
 *   seen/SENDER-ID  the marker of one delivery: a symbolic link whose
 *                   target text is "NAME/FINAL" (never followed) and whose
 *                   mtime is the envelope's creation time
 *   seen/.lock      held shared by every process that has the inbox open
 *
 * The marker is the commit point. It is created with symlink(2), which
 * fails if it exists, so of any number of threads and processes delivering
 * the same envelope exactly one commits; the content of the marker appears
 * with its name, so a crash can never leave a half-written one. Before the
 * marker, the message is fsynced and so is tmp/, so a durable marker always
 * names a complete file; after it, rename(2) moves that file into new/ once
 * (a second rename of the same name finds nothing): tmp/NAME exists exactly
 * as long as the delivery is not finished, and whoever finds a marker whose
 * tmp/NAME exists may finish it. */
#define _GNU_SOURCE /* renameat, symlinkat, utimensat with AT_SYMLINK_NOFOLLOW */
#include "transport/inbox.h"
#include "base/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MARKER_LEN (2 * SEAL_FPR_LEN + 1 + 2 * SEAL_ENVELOPE_ID_LEN)

struct inbox {
    int root, tmp, new_, cur, seen;
    int lock;
    uint64_t window;
    char host[64];
};

static atomic_ulong name_counter;

#ifdef SEAL_FAULT_POINTS
gpg_err_code_t inbox_test_point(const char *step)
{
    static atomic_ulong hits;
    const char *kill_at = getenv("SEAL_TEST_KILL_AT");
    const char *fail_at = getenv("SEAL_TEST_FAIL_AT");
    size_t n = strlen(step);
    if (kill_at && strncmp(kill_at, step, n) == 0) {
        if (kill_at[n] == '\0')
            raise(SIGKILL);
        if (kill_at[n] == ':' &&
            atomic_fetch_add(&hits, 1) + 1 == strtoul(kill_at + n + 1, NULL, 10))
            raise(SIGKILL);
    }
    if (fail_at && strcmp(fail_at, step) == 0)
        return seal_fail(GPG_ERR_EIO, "test fault at step %s", step);
    return 0;
}
#endif

static gpg_err_code_t sys_fail(const char *what, const char *name)
{
    int saved_errno = errno;
    gpg_err_code_t err =
        seal_fail(seal_errno_code(), "inbox: %s %s: %s", what, name, strerror(saved_errno));
    errno = saved_errno;
    return err;
}

static gpg_err_code_t sync_dir(int fd, const char *name, const char *step)
{
    gpg_err_code_t err = inbox_test_point(step);
    if (err)
        return err;
    if (fsync(fd) != 0)
        return sys_fail("cannot fsync", name);
    return 0;
}

/* Opens (creating it 0700) the directory NAME under AT. The inbox itself
 * may be a symbolic link (the operator named it); its subdirectories are
 * never followed. */
static gpg_err_code_t open_dir(int at, const char *name, int *fd)
{
    if (mkdirat(at, name, 0700) != 0 && errno != EEXIST)
        return sys_fail("cannot create", name);
    *fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (at == AT_FDCWD ? 0 : O_NOFOLLOW));
    if (*fd < 0)
        return sys_fail("cannot open", name);
    return 0;
}

/* Keeps [A-Za-z0-9._-] of S, maps anything else to '_' (Maildir names must
 * not hold '/' or ':'), at most CAP - 1 bytes. */
static void sanitize(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 1 < cap; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        out[o++] = ok ? c : '_';
    }
    out[o] = '\0';
}

void inbox_close(struct inbox *ib)
{
    if (!ib)
        return;
    int fds[] = {ib->root, ib->tmp, ib->new_, ib->cur, ib->seen, ib->lock};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(ib);
}

/* Splits a marker's target "NAME/FINAL". */
static bool read_marker(struct inbox *ib, const char *marker, char tmpname[INBOX_NAME_MAX + 1],
                        char final[INBOX_NAME_MAX + 1])
{
    char t[2 * INBOX_NAME_MAX + 2];
    ssize_t n = readlinkat(ib->seen, marker, t, sizeof t - 1);
    if (n <= 0)
        return false;
    t[n] = '\0';
    char *slash = strchr(t, '/');
    if (!slash || slash == t || !slash[1] || strlen(slash + 1) > INBOX_NAME_MAX ||
        (size_t)(slash - t) > INBOX_NAME_MAX || strchr(slash + 1, '/'))
        return false;
    *slash = '\0';
    memcpy(tmpname, t, strlen(t) + 1);
    memcpy(final, slash + 1, strlen(slash + 1) + 1);
    return true;
}

/* Finishes the delivery MARKER committed: moves its tmp/ file into new/ if
 * it is still in tmp/. *MOVED says whether this call moved it. */
static gpg_err_code_t complete(struct inbox *ib, const char *marker, bool *moved)
{
    char tmpname[INBOX_NAME_MAX + 1], final[INBOX_NAME_MAX + 1];
    *moved = false;
    if (!read_marker(ib, marker, tmpname, final))
        return seal_fail(GPG_ERR_INV_DATA, "inbox: marker seen/%s is damaged", marker);
    gpg_err_code_t err = inbox_test_point("rename");
    if (err)
        return err;
    if (renameat(ib->tmp, tmpname, ib->new_, final) == 0) {
        *moved = true;
        return 0;
    }
    /* Gone from tmp/: someone (maybe us, a moment ago) delivered it. */
    if (errno == ENOENT)
        return 0;
    return sys_fail("cannot move into new/", final);
}

static bool is_marker(const char *name)
{
    return strlen(name) == MARKER_LEN && name[2 * SEAL_FPR_LEN] == '-' &&
           strspn(name, "0123456789abcdef-") == MARKER_LEN;
}

/* Walks seen/: completes committed deliveries and prunes old markers. */
static gpg_err_code_t scan_markers(struct inbox *ib, struct inbox_report *rep)
{
    int fd = dup(ib->seen);
    if (fd < 0)
        return sys_fail("cannot read", "seen/");
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return sys_fail("cannot read", "seen/");
    }
    rewinddir(d);
    time_t now = time(NULL);
    gpg_err_code_t err = 0;
    bool moved_any = false, pruned_any = false;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_marker(de->d_name))
            continue;
        bool moved;
        if ((err = complete(ib, de->d_name, &moved)))
            break;
        if (moved) {
            moved_any = true;
            rep->completed++;
            continue;
        }
        struct stat st;
        /* The marker's mtime is the envelope's creation time: once that is
         * older than the window, a re-sent copy is refused as too old, so
         * the marker has nothing left to guard. */
        if (fstatat(ib->seen, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            (uint64_t)st.st_mtime + ib->window + 1 < (uint64_t)now &&
            unlinkat(ib->seen, de->d_name, 0) == 0) {
            pruned_any = true;
            rep->pruned++;
        }
    }
    closedir(d);
    if (!err && moved_any)
        err = sync_dir(ib->new_, "new/", "fsync-new");
    if (!err && pruned_any)
        err = sync_dir(ib->seen, "seen/", "fsync-seen");
    return err;
}

/* Removes everything in tmp/ (only when no other process is delivering). */
static gpg_err_code_t clean_tmp(struct inbox *ib, struct inbox_report *rep)
{
    int fd = dup(ib->tmp);
    if (fd < 0)
        return sys_fail("cannot read", "tmp/");
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return sys_fail("cannot read", "tmp/");
    }
    rewinddir(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (unlinkat(ib->tmp, de->d_name, 0) == 0)
            rep->tmp_removed++;
    }
    closedir(d);
    return 0;
}

gpg_err_code_t inbox_maintain(struct inbox *ib, struct inbox_report *rep)
{
    return scan_markers(ib, rep);
}

gpg_err_code_t inbox_open(const char *path, uint64_t window, struct inbox **out,
                          struct inbox_report *rep)
{
    struct inbox *ib = calloc(1, sizeof *ib);
    gpg_err_code_t err = 0;

    *out = NULL;
    memset(rep, 0, sizeof *rep);
    if (!ib)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    ib->root = ib->tmp = ib->new_ = ib->cur = ib->seen = ib->lock = -1;
    ib->window = window;
    char host[64] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    sanitize(host, ib->host, sizeof ib->host);

    if ((err = open_dir(AT_FDCWD, path, &ib->root)) ||
        (err = open_dir(ib->root, "tmp", &ib->tmp)) ||
        (err = open_dir(ib->root, "new", &ib->new_)) ||
        (err = open_dir(ib->root, "cur", &ib->cur)) ||
        (err = open_dir(ib->root, "seen", &ib->seen)))
        goto out;
    ib->lock = openat(ib->seen, ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (ib->lock < 0) {
        err = sys_fail("cannot open", "seen/.lock");
        goto out;
    }
    /* Only a process that is alone may clear tmp/: anything there belongs to
     * a dead process. The exclusive lock is then traded for a shared one,
     * held by every process delivering into this inbox. */
    if (flock(ib->lock, LOCK_EX | LOCK_NB) == 0) {
        rep->exclusive = true;
        if ((err = scan_markers(ib, rep)) || (err = clean_tmp(ib, rep)))
            goto out;
    } else if ((err = scan_markers(ib, rep))) {
        goto out;
    }
    if (flock(ib->lock, LOCK_SH) != 0) {
        err = sys_fail("cannot lock", "seen/.lock");
        goto out;
    }
out:
    if (err)
        inbox_close(ib);
    else
        *out = ib;
    return err;
}

bool inbox_has_space(struct inbox *ib, uint64_t min_free)
{
    struct statvfs s;
    if (fstatvfs(ib->root, &s) != 0)
        return false;
    return (uint64_t)s.f_bavail * (uint64_t)s.f_frsize >= min_free;
}

gpg_err_code_t inbox_tmp_create(struct inbox *ib, const char *suffix, struct inbox_file *f)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    f->fd = -1;
    /* Maildir's unique name: time, microseconds, process, a counter. */
    snprintf(f->name, sizeof f->name, "%lld.M%06ldP%ldQ%lu%s", (long long)tv.tv_sec,
             (long)tv.tv_usec, (long)getpid(), atomic_fetch_add(&name_counter, 1) + 1, suffix);
    f->fd = openat(ib->tmp, f->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (f->fd < 0)
        return sys_fail("cannot create tmp/", f->name);
    return 0;
}

void inbox_tmp_discard(struct inbox *ib, struct inbox_file *f)
{
    if (f->fd < 0)
        return;
    close(f->fd);
    f->fd = -1;
    unlinkat(ib->tmp, f->name, 0);
}

/* A delivery whose marker exists: finish what the first one committed, make
 * it durable, and drop our copy. */
static gpg_err_code_t deliver_duplicate(struct inbox *ib, struct inbox_file *f, const char *marker,
                                        char name[INBOX_NAME_MAX + 1])
{
    char tmpname[INBOX_NAME_MAX + 1];
    bool moved;
    inbox_tmp_discard(ib, f);
    if (!read_marker(ib, marker, tmpname, name))
        return seal_fail(GPG_ERR_INV_DATA, "inbox: marker seen/%s is damaged", marker);
    gpg_err_code_t err = complete(ib, marker, &moved);
    /* The first delivery may not have reached its fsyncs yet; the
     * acknowledgment we are about to give must not depend on it. */
    if (!err)
        err = sync_dir(ib->seen, "seen/", "fsync-seen");
    if (!err)
        err = sync_dir(ib->new_, "new/", "fsync-new");
    return err;
}

gpg_err_code_t inbox_deliver(struct inbox *ib, struct inbox_file *f, const struct inbox_delivery *d,
                             bool *duplicate, char name[INBOX_NAME_MAX + 1])
{
    char marker[MARKER_LEN + 1], idhex[2 * SEAL_ENVELOPE_ID_LEN + 1], sender[64];
    char target[2 * INBOX_NAME_MAX + 2];
    gpg_err_code_t err;
    bool moved;

    *duplicate = false;
    name[0] = '\0';
    seal_hex(d->sender_fpr, SEAL_FPR_LEN, marker);
    marker[2 * SEAL_FPR_LEN] = '-';
    seal_hex(d->envelope_id, SEAL_ENVELOPE_ID_LEN, marker + 2 * SEAL_FPR_LEN + 1);
    seal_hex(d->envelope_id, SEAL_ENVELOPE_ID_LEN, idhex);
    sanitize(d->sender_id, sender, sizeof sender);
    /* The name in new/: unique part, envelope ID, sender, host. */
    if (strlen(f->name) + strlen(idhex) + strlen(sender) + strlen(ib->host) + 3 > INBOX_NAME_MAX) {
        err = seal_fail(GPG_ERR_TOO_LARGE, "inbox: file name too long");
        goto out;
    }
    {
        const char *parts[] = {f->name, idhex, sender, ib->host};
        size_t o = 0;
        for (size_t i = 0; i < 4; i++) {
            size_t n = strlen(parts[i]);
            if (i)
                name[o++] = '.';
            memcpy(name + o, parts[i], n);
            o += n;
        }
        name[o] = '\0';
    }

    /* 1. The message and its tmp/ entry are on disk. */
    if ((err = inbox_test_point("fsync-data")))
        goto out;
    if (fsync(f->fd) != 0) {
        err = sys_fail("cannot fsync tmp/", f->name);
        goto out;
    }
    if ((err = sync_dir(ib->tmp, "tmp/", "fsync-tmp")))
        goto out;
    /* 2. Commit: the marker, atomically with its content. */
    if ((err = inbox_test_point("marker")))
        goto out;
    snprintf(target, sizeof target, "%s/%s", f->name, name);
    if (symlinkat(target, ib->seen, marker) != 0) {
        if (errno == EEXIST) {
            *duplicate = true;
            return deliver_duplicate(ib, f, marker, name);
        }
        err = sys_fail("cannot create marker seen/", marker);
        goto out;
    }
    /* Committed: from here on the delivery will happen, now or at the next
     * recovery pass, so failures below must not remove the file. */
    {
        struct timespec ts[2] = {{(time_t)d->created, 0}, {(time_t)d->created, 0}};
        (void)utimensat(ib->seen, marker, ts, AT_SYMLINK_NOFOLLOW);
    }
    close(f->fd);
    f->fd = -1;
    if ((err = sync_dir(ib->seen, "seen/", "fsync-seen")))
        return err;
    /* 3. Into new/, once. */
    if ((err = complete(ib, marker, &moved)))
        return err;
    return sync_dir(ib->new_, "new/", "fsync-new");
out:
    /* Reached only before the commit, on an error: nothing names the file,
     * so it goes. */
    inbox_tmp_discard(ib, f);
    name[0] = '\0';
    return err;
}
