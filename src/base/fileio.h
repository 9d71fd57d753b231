/*
 * The one place that opens files. "-" means stdin (for reading) or stdout
 * (for writing). Outputs appear atomically: bytes go to a temporary file in
 * the destination's directory (mode 0600, O_EXCL) that is fsynced and moved
 * into place only on commit; abort removes it. Nothing is ever visible under
 * the final name until it is complete.
 */
#ifndef SEAL_FILEIO_H
#define SEAL_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/errors.h"
#include "base/stream.h"

/* True iff PATH is "-". */
bool file_is_stdio(const char *path);

/* True iff PATH (symbolic links followed) is a character device or a FIFO:
 * an output that is written into, like standard output, never replaced. */
bool file_is_stream(const char *path);

/* True iff output PATH is written into rather than made: "-" or a stream.
 * Such an output is never refused as "already exists", and unseal releases
 * into it as into standard output. */
bool file_writes_into(const char *path);

/* Makes the directory entry for PATH durable: fsync of the folder that
 * holds it (best effort). */
void file_sync_parent_dir(const char *path);

/* Opens PATH for reading ("-" gives a dup of stdin). O_CLOEXEC. */
gpg_err_code_t file_open_read(const char *path, int *fd);

/* Reads all of PATH (at most MAX bytes: GPG_ERR_TOO_LARGE beyond, with a
 * detail). With SECURE the bytes are in libgcrypt secure memory and must be
 * freed with seal_secure_free(data, len); otherwise with free(). The buffer
 * is NUL-terminated (not counted in LEN). With PRIVATE, PATH is opened with
 * O_NOFOLLOW and refused (GPG_ERR_BAD_SECKEY, detail naming the mode) if
 * group or others may read or write it, like OpenSSH. */
gpg_err_code_t file_read_all(const char *path, size_t max, bool secure, bool private_key,
                             uint8_t **data, size_t *len);

/* Refuses (GPG_ERR_BAD_SECKEY, detail naming the mode) a private key file
 * FD that is not a regular file or that group or others may read or write,
 * like OpenSSH. */
gpg_err_code_t file_check_private_mode(int fd);

/* Reads up to N bytes, retrying short reads and EINTR; *GOT < N only at EOF. */
gpg_err_code_t fd_read_full(int fd, void *buf, size_t n, size_t *got);

/* Writes all N bytes, retrying short writes and EINTR. */
gpg_err_code_t fd_write_all(int fd, const void *buf, size_t n);

/* A byte_source reading *FD with fd_read_full, and a byte_sink writing to
 * *FD with fd_write_all. FD must outlive them. */
struct byte_source fd_source(int *fd);
struct byte_sink fd_sink(int *fd);

/* Opens PATH ("-": a dup of stdin) for reading, refusing anything but a
 * regular file without blocking: a FIFO or a device would block open(2) or
 * read(2) forever. GPG_ERR_EFTYPE (GPG_ERR_EISDIR for a directory) with a
 * detail naming what it is. For key files. */
gpg_err_code_t file_open_regular(const char *path, int *fd);

/* For FD opened with O_NONBLOCK: refuses it unless it is a regular file, as
 * file_open_regular does, and clears O_NONBLOCK. */
gpg_err_code_t file_require_regular(int fd);

/* An unnamed temporary file (O_TMPFILE, read/write, mode 0600) in DIR, or
 * beside PATH: it has no name until file_link_unnamed gives it one, so a
 * process killed before that (kill -9, a crash) leaves nothing behind.
 * On any failure GPG_ERR_NOT_SUPPORTED without a detail (no O_TMPFILE in the
 * kernel or filesystem, no /proc to link it through later, or an error a
 * named file would meet too): then use a named file. */
gpg_err_code_t file_open_unnamed(const char *dir, int *fd);
gpg_err_code_t file_open_unnamed_beside(const char *path, int *fd);

/* Gives the unnamed file FD the name PATH. Without REPLACE an existing PATH
 * is GPG_ERR_EEXIST; with it PATH is replaced atomically. */
gpg_err_code_t file_link_unnamed(int fd, const char *path, bool replace);

struct atomic_out {
    int fd;         /* the temporary file, stdout, or the device or FIFO */
    bool to_stdout; /* "-", a device or a FIFO: fd is written into directly,
                       commit/abort only flush (and close a device or FIFO) */
    bool owns_fd;   /* fd is a device or FIFO we opened: commit/abort close it */
    bool force;     /* replace an existing final file */
    bool no_fsync;  /* set after open: commit neither fsyncs nor starts writeback
                       early (a crash soon after may lose the file's content) */
    mode_t mode;    /* final mode */
    char *final_path;
    char *tmp_path; /* NULL for an unnamed file (O_TMPFILE) */
    bool unnamed;   /* fd has no name until commit links it */
    uint8_t *buf;   /* gathers writes into large blocks */
    size_t len;
    uint64_t flushed; /* bytes written to fd so far */
};

/* Prepares output to PATH ("-" = stdout) with final MODE. Without FORCE an
 * existing PATH is GPG_ERR_EEXIST (detail "already exists") both now and at
 * commit, which never replaces a file created meanwhile. */
gpg_err_code_t atomic_out_open(struct atomic_out *o, const char *path, mode_t mode, bool force);

/* The same for a user's -o: a PATH that is a character device or a FIFO
 * (file_is_stream) is opened (a FIFO waits for its reader) and written
 * into as standard output is, with no temporary file and no rename, and
 * FORCE is not needed. */
gpg_err_code_t atomic_out_open_output(struct atomic_out *o, const char *path, mode_t mode,
                                      bool force);

/* Appends N bytes. Writes reach the file in blocks of ATOMIC_OUT_BLOCK
 * bytes (one write(2) per 16 KiB chunk would cost more than encrypting it),
 * and each block's writeback to disk starts at once (Linux), so the fsync
 * at commit finds little left to do. */
#define ATOMIC_OUT_BLOCK (1024 * 1024)
gpg_err_code_t atomic_out_write(struct atomic_out *o, const void *buf, size_t n);

/* Writes out what is buffered (standard output: before exiting). */
gpg_err_code_t atomic_out_flush(struct atomic_out *o);

/* Flushes, fsyncs (unless NO_FSYNC), sets the mode and moves the file into
 * place (link(2) without FORCE, so an existing file is never replaced;
 * rename(2) with it), then fsyncs the directory (unless NO_FSYNC).
 * For standard output it only flushes. */
gpg_err_code_t atomic_out_commit(struct atomic_out *o);

/* Removes the temporary file (no-op after commit) and wipes the buffer.
 * Always safe to call. */
void atomic_out_abort(struct atomic_out *o);

/* An anonymous read/write temporary file in $TMPDIR (or /tmp), already
 * unlinked, mode 0600: for spooling. */
gpg_err_code_t file_open_spool(int *fd);

#endif
