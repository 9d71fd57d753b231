/* Start-up hardening; see process.h. Linux: prctl(2), MAP_ANONYMOUS. */
#define _GNU_SOURCE
#include "cli/process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/cli.h"

/* What libgcrypt's secure memory pool locks at start (base/secmem.c). */
#define SECMEM_POOL 65536

static bool memory_unlockable;

/* An fd that is not open is opened on /dev/null: without this, with 1
 * closed, the first file opened (the spool) would get descriptor 1 and
 * the plaintext would be "written to standard output" into it. */
static void ensure_open(int fd)
{
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
        return;
    int n = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
    if (n != fd) /* the lowest free number, which is FD: anything else is a bug */
        abort();
}

/* libgcrypt locks its secure memory pool with mlock(2) and, when that fails
 * (RLIMIT_MEMLOCK, no CAP_IPC_LOCK), falls back to ordinary memory without a
 * way to ask. Locking a pool of the same size tells us the same thing. */
static bool can_lock_memory(void)
{
    void *p = mmap(NULL, SECMEM_POOL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return false;
    /* The system calls themselves: sanitizer runtimes replace mlock() with a
     * no-op that succeeds, and so memory is not locked in such a build. */
    bool ok = syscall(SYS_mlock, p, (size_t)SECMEM_POOL) == 0;
    if (ok)
        (void)syscall(SYS_munlock, p, (size_t)SECMEM_POOL);
    munmap(p, SECMEM_POOL);
    return ok;
}

void cli_process_start(void)
{
    ensure_open(STDIN_FILENO);
    ensure_open(STDOUT_FILENO);
    ensure_open(STDERR_FILENO);
    /* No core dumps: they would hold private keys, passphrases and
     * plaintext. PR_SET_DUMPABLE also keeps other processes of the same user
     * from ptrace-attaching or reading /proc/PID/mem. */
    struct rlimit none = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &none);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    memory_unlockable = !can_lock_memory();
}

void cli_warn_insecure_memory(bool quiet)
{
    if (memory_unlockable && !quiet)
        cli_warn("using insecure memory");
}
