/*
 * Start-up hardening shared by the three programs: what the process must
 * be before it touches a key or a byte of input.
 */
#ifndef SEAL_CLI_PROCESS_H
#define SEAL_CLI_PROCESS_H

#include <stdbool.h>

/* Call first thing in main. Makes sure descriptors 0, 1 and 2 are open (on
 * /dev/null if they were closed), so that no key, spool or output file can
 * become "standard output" by taking a free low number; turns core dumps off
 * (prctl(PR_SET_DUMPABLE, 0) and RLIMIT_CORE 0, as ssh-agent and gpg-agent
 * do), since a core would hold keys and plaintext; and checks whether memory
 * can be locked, which secure memory needs. Aborts if a descriptor cannot be
 * opened: running on would be the very danger this prevents. */
void cli_process_start(void);

/* Once option parsing is done: unless QUIET, prints "PROG: warning: using
 * insecure memory" if cli_process_start found that memory cannot be locked
 * (libgcrypt then silently keeps secrets in ordinary, swappable memory). */
void cli_warn_insecure_memory(bool quiet);

#endif
