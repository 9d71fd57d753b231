/*
 * The listener (unseal(1), "LISTENER" and "RESOURCE LIMITS"): one event loop
 * over non-blocking sockets accepts every connection, reads its PROXY header
 * (with --proxy-from), tells a fetch or a registration from an envelope by
 * its first bytes, and receives an envelope into its spool file as the
 * bytes arrive, under the size cap and the deadlines. Only then is the
 * connection handed to a small pool of worker threads that do the blocking
 * work: decryption, verification and storage (serve.h), or the fetch and
 * registration exchanges (serve_requests.h), which keep their own deadlines.
 *
 * So a connection that has not shown it speaks seal costs a socket and
 * about a kilobyte: no thread, no file (the spool file is created with the
 * first envelope bytes). Limits that tell a stranger from a sender:
 *   - max_conns at once; when full, the connection that has sent the least
 *     for the longest is closed to make room (never one a worker holds);
 *   - max_per_source at once from one client address (the PROXY header's
 *     when there is one); the next one from it is refused;
 *   - header_ms for the first bytes of a request, then at least min_rate
 *     bytes per second over each LISTENER_RATE_WINDOW_MS, besides idle_ms
 *     and total_ms (serve.h).
 * Every refused or shed connection is logged once with its reason; past
 * LISTENER_LOG_BURST lines a minute for one address the rest are counted
 * and summarised once a minute.
 *
 * Threads, not processes, for the workers: the key, the trusted senders
 * and the inbox are loaded once and shared read-only; a delivery holds no
 * lock in memory (the inbox's atomicity lives in the file system).
 */
#ifndef SEAL_TRANSPORT_LISTENER_H
#define SEAL_TRANSPORT_LISTENER_H

#include <stddef.h>

#include "transport/serve.h"

#define LISTENER_RATE_WINDOW_MS 10000
#define LISTENER_LOG_BURST 5
/* Descriptors kept free for what the workers open (key, spool, plaintext,
 * directories, the trust directory's files) and for the process itself. */
#define LISTENER_RESERVE_FDS 256
#define LISTENER_MAX_CONNS 100000

struct listener_config {
    struct serve_config serve; /* serve.stop_fd: readable once we must stop */
    const int *fds;            /* listening sockets */
    size_t n_fds;
    unsigned max_conns;      /* connections at once */
    unsigned max_per_source; /* connections at once from one client address */
    int64_t header_ms;       /* accept (or PROXY header) to the first request bytes */
    uint64_t min_rate;       /* envelope bytes per second, per window; 0: no minimum */
    /* Optional: serves each job instead of serve_received(), e.g.
     * twoway_serve(); with it set the loop also recognises the FETCH and
     * REGISTER verbs. Called on worker threads; closes JOB->fd. */
    void (*job_fn)(void *ctx, const struct serve_config *cfg, struct serve_job *job,
                   struct serve_result *res);
    void *job_ctx;
};

/* The default max_conns for a process allowed NOFILE descriptors: each
 * connection may hold two (its socket, and its spool file while receiving),
 * after LISTENER_RESERVE_FDS; at most LISTENER_MAX_CONNS, at least 16. */
unsigned listener_default_max_conns(uint64_t nofile);

/* Serves until CFG->serve.stop_fd becomes readable, then stops accepting
 * (closing the listening sockets), lets the connections in flight finish
 * (those still receiving are told `ERR temp shutting down`; a delivery
 * under way completes and is acknowledged) and returns 0. The recovery
 * pass of the inbox runs again now and then (every MAINTAIN_S seconds) to
 * prune old markers. */
#define LISTENER_MAINTAIN_S 3600
gpg_err_code_t listener_run(const struct listener_config *cfg);

#endif
