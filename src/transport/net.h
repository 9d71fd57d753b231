/*
 * Sockets for the transport (man/seal.5, TRANSPORT): addresses, listening
 * and connecting sockets, systemd socket activation, and reads and writes
 * bounded by a deadline. Every socket is non-blocking and close-on-exec;
 * every wait goes through poll(2) with a deadline, so no peer can hold a
 * caller longer than the caller allowed.
 *
 * Deadlines are absolute times in milliseconds on the monotonic clock
 * (net_now_ms()); NET_NO_DEADLINE waits forever.
 */
#ifndef SEAL_TRANSPORT_NET_H
#define SEAL_TRANSPORT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

#define NET_NO_DEADLINE INT64_MAX
#define NET_MAX_LISTEN 16 /* listening sockets per listener */
#define NET_HOST_MAX 256
#define NET_PORT_MAX 16
#define NET_PEER_MAX 64 /* "[ipv6]:port" as text, with its NUL */

/* Milliseconds on the monotonic clock. */
int64_t net_now_ms(void);

/* Splits SPEC into host and port: "HOST:PORT", "[V6ADDR]:PORT", and, when
 * HOST_OPTIONAL (an address to listen on), a bare "PORT" (HOST becomes "")
 * and port 0 (any free port). The port is 1..65535 in decimal or a service
 * name. GPG_ERR_INV_ARG with a detail otherwise. */
gpg_err_code_t net_split(const char *spec, bool host_optional, char host[NET_HOST_MAX],
                         char port[NET_PORT_MAX]);

/* Listens on SPEC ("[ADDR:]PORT"; no address means every address, IPv4
 * and IPv6). Fills FDS (NET_MAX_LISTEN) and *N. */
gpg_err_code_t net_listen(const char *spec, int fds[NET_MAX_LISTEN], size_t *n);

/* The sockets systemd passed (LISTEN_PID must be this process, LISTEN_FDS
 * at least 1; they start at fd 3). Made non-blocking and close-on-exec; the
 * variables are removed from the environment. GPG_ERR_NOT_FOUND with a
 * detail when they are missing or not for this process. */
gpg_err_code_t net_listen_systemd(int fds[NET_MAX_LISTEN], size_t *n);

/* Connects to SPEC ("HOST:PORT"), trying each address in turn until
 * DEADLINE. */
gpg_err_code_t net_connect(const char *spec, int64_t deadline, int *fd);

/* Waits until FD is ready for EVENTS (POLLIN / POLLOUT), or STOP_FD (if >=
 * 0) is readable (GPG_ERR_CANCELED), or DEADLINE passed (GPG_ERR_TIMEOUT). */
gpg_err_code_t net_wait(int fd, short events, int stop_fd, int64_t deadline);

/* Writes all N bytes (no SIGPIPE) before DEADLINE. */
gpg_err_code_t net_write_all(int fd, const void *buf, size_t n, int64_t deadline);

/* Reads what is there (at most CAP bytes, at least 1 unless *GOT is 0 at end
 * of input), waiting until DEADLINE; STOP_FD as in net_wait. */
gpg_err_code_t net_read(int fd, void *buf, size_t cap, int stop_fd, int64_t deadline, size_t *got);

/* The peer's address as "1.2.3.4:5" or "[::1]:5" ("?" if unknown). */
void net_peer_name(int fd, char out[NET_PEER_MAX]);

/* The socket's own address, alike (a listener on port 0 learns its port). */
void net_local_name(int fd, char out[NET_PEER_MAX]);

/* Accepts one connection from LFD (non-blocking, close-on-exec): 0 with
 * *FD, or GPG_ERR_EAGAIN when there is none after all. */
gpg_err_code_t net_accept(int lfd, int *fd);

#endif
