/*
 * The listener (unseal(1), "LISTENER"): accepts connections on its sockets
 * and serves each on its own thread (serve.h), so a slow, silent or hostile
 * peer holds only its thread, bounded by the idle and total deadlines, and
 * the RSA work of concurrent deliveries runs on every core. At MAX_CONNS
 * connections it stops accepting (the kernel's backlog holds the next ones)
 * until one ends.
 *
 * Threads rather than pre-forked processes: the key, the trusted senders and
 * the inbox are loaded once and shared read-only; a delivery holds no lock
 * in memory (the inbox's atomicity lives in the file system), so a thread
 * killed with its process leaves nothing a process would not.
 */
#ifndef SEAL_TRANSPORT_LISTENER_H
#define SEAL_TRANSPORT_LISTENER_H

#include <stddef.h>

#include "transport/serve.h"

struct listener_config {
    struct serve_config serve; /* serve.stop_fd: readable once we must stop */
    const int *fds;            /* listening sockets */
    size_t n_fds;
    unsigned max_conns;
    /* Optional: serves each accepted connection instead of
     * serve_connection() (which it may call), e.g. transport/twoway.h. */
    void (*serve_fn)(void *ctx, const struct serve_config *cfg, int fd, struct serve_result *res);
    void *serve_ctx;
};

/* Serves until CFG->serve.stop_fd becomes readable, then stops accepting
 * (closing the listening sockets), lets the connections in flight finish
 * (those still receiving are told `ERR temp shutting down`; a delivery
 * under way completes and is acknowledged) and returns 0. The recovery
 * pass of the inbox runs again now and then (every MAINTAIN_S seconds) to
 * prune old markers. */
#define LISTENER_MAINTAIN_S 3600
gpg_err_code_t listener_run(const struct listener_config *cfg);

#endif
