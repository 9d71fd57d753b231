/* Sockets with deadlines; see net.h. */
#define _GNU_SOURCE /* accept4, SOCK_CLOEXEC */
#include "transport/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t net_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A port: 1..65535 (or 0, "any free port", where we listen). */
static bool port_ok(const char *p, bool listening)
{
    size_t n = strlen(p);
    if (n == 0 || n >= NET_PORT_MAX)
        return false;
    if (strspn(p, "0123456789") == n) {
        long v = strtol(p, NULL, 10);
        if (listening && n == 1 && p[0] == '0')
            return true;
        return v >= 1 && v <= 65535 && p[0] != '0';
    }
    /* A service name such as "seal": letters, digits, '-'. */
    return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

gpg_err_code_t net_split(const char *spec, bool host_optional, char host[NET_HOST_MAX],
                         char port[NET_PORT_MAX])
{
    const char *colon, *p;
    size_t hl;

    host[0] = port[0] = '\0';
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':')
            return seal_fail(GPG_ERR_INV_ARG, "%s: expected [ADDRESS]:PORT", spec);
        hl = (size_t)(close - spec - 1);
        p = close + 2;
        if (hl == 0 || hl >= NET_HOST_MAX)
            return seal_fail(GPG_ERR_INV_ARG, "%s: bad address", spec);
        memcpy(host, spec + 1, hl);
        host[hl] = '\0';
    } else if ((colon = strrchr(spec, ':'))) {
        if (strchr(spec, ':') != colon)
            return seal_fail(GPG_ERR_INV_ARG, "%s: write an IPv6 address in brackets, [ADDR]:PORT",
                             spec);
        hl = (size_t)(colon - spec);
        p = colon + 1;
        if (hl == 0 || hl >= NET_HOST_MAX)
            return seal_fail(GPG_ERR_INV_ARG, "%s: bad host", spec);
        memcpy(host, spec, hl);
        host[hl] = '\0';
    } else {
        if (!host_optional)
            return seal_fail(GPG_ERR_INV_ARG, "%s: expected HOST:PORT", spec);
        p = spec;
    }
    if (!port_ok(p, host_optional))
        return seal_fail(GPG_ERR_INV_ARG, "%s: bad port '%s'", spec, p);
    memcpy(port, p, strlen(p) + 1);
    return 0;
}

static gpg_err_code_t set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return seal_fail(seal_errno_code(), "fcntl: %s", strerror(errno));
    return 0;
}

static gpg_err_code_t resolve(const char *host, const char *port, bool passive,
                              struct addrinfo **res)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : AI_ADDRCONFIG;
    int r = getaddrinfo(*host ? host : NULL, port, &hints, res);
    if (r != 0)
        return seal_fail(GPG_ERR_ENOENT, "cannot resolve %s%s%s: %s", host, *host ? ":" : "", port,
                         gai_strerror(r));
    return 0;
}

gpg_err_code_t net_listen(const char *spec, int fds[NET_MAX_LISTEN], size_t *n)
{
    char host[NET_HOST_MAX], port[NET_PORT_MAX];
    struct addrinfo *res = NULL;
    gpg_err_code_t err;
    int saved = 0;

    *n = 0;
    if ((err = net_split(spec, true, host, port)) || (err = resolve(host, port, true, &res)))
        return err;
    for (struct addrinfo *a = res; a && *n < NET_MAX_LISTEN; a = a->ai_next) {
        int one = 1;
        int fd =
            socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        /* With no address, IPv4 and IPv6 each get their own socket. */
        if (a->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
            saved = errno;
            close(fd);
            continue;
        }
        fds[(*n)++] = fd;
    }
    freeaddrinfo(res);
    if (*n == 0) {
        errno = saved ? saved : EADDRNOTAVAIL;
        return seal_fail(seal_errno_code(), "cannot listen on %s: %s", spec, strerror(errno));
    }
    return 0;
}

gpg_err_code_t net_listen_systemd(int fds[NET_MAX_LISTEN], size_t *n)
{
    const char *pid = getenv("LISTEN_PID"), *nfds = getenv("LISTEN_FDS");
    char *end;
    *n = 0;
    if (!pid || !nfds)
        return seal_fail(GPG_ERR_NOT_FOUND,
                         "no sockets from systemd (LISTEN_PID and LISTEN_FDS are not set)");
    long p = strtol(pid, &end, 10);
    if (*end || p != (long)getpid())
        return seal_fail(GPG_ERR_NOT_FOUND, "LISTEN_PID=%s is not this process (%ld)", pid,
                         (long)getpid());
    long k = strtol(nfds, &end, 10);
    if (*end || k < 1 || k > NET_MAX_LISTEN)
        return seal_fail(GPG_ERR_NOT_FOUND, "LISTEN_FDS=%s: need 1..%d sockets", nfds,
                         NET_MAX_LISTEN);
    /* sd_listen_fds(3): the variables are for this process only. */
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    for (int fd = 3; fd < 3 + k; fd++) {
        int type = 0, acc = 0;
        socklen_t l = sizeof type, la = sizeof acc;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) != 0 || type != SOCK_STREAM ||
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &la) != 0 || !acc)
            return seal_fail(GPG_ERR_NOT_FOUND,
                             "fd %d from systemd is not a listening stream socket", fd);
        gpg_err_code_t err = set_flags(fd);
        if (err)
            return err;
        fds[(*n)++] = fd;
    }
    return 0;
}

static int remaining_ms(int64_t deadline)
{
    if (deadline == NET_NO_DEADLINE)
        return -1;
    int64_t left = deadline - net_now_ms();
    if (left <= 0)
        return 0;
    return left > 1000000 ? 1000000 : (int)left;
}

gpg_err_code_t net_wait(int fd, short events, int stop_fd, int64_t deadline)
{
    for (;;) {
        struct pollfd p[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
        int ms = remaining_ms(deadline);
        if (ms == 0)
            return GPG_ERR_TIMEOUT;
        int r = poll(p, stop_fd >= 0 ? 2 : 1, ms);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return seal_fail(seal_errno_code(), "poll: %s", strerror(errno));
        }
        if (r == 0)
            continue; /* re-check the deadline */
        if (stop_fd >= 0 && (p[1].revents & POLLIN))
            return GPG_ERR_CANCELED;
        if (p[0].revents)
            return 0;
    }
}

gpg_err_code_t net_connect(const char *spec, int64_t deadline, int *fd)
{
    char host[NET_HOST_MAX], port[NET_PORT_MAX];
    struct addrinfo *res = NULL;
    gpg_err_code_t err;
    int sock_err = ECONNREFUSED;

    *fd = -1;
    if ((err = net_split(spec, false, host, port)) || (err = resolve(host, port, false, &res)))
        return err;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (s < 0) {
            sock_err = errno;
            continue;
        }
        if (connect(s, a->ai_addr, a->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                sock_err = errno;
                close(s);
                continue;
            }
            err = net_wait(s, POLLOUT, -1, deadline);
            socklen_t l = sizeof sock_err;
            if (err == GPG_ERR_TIMEOUT) {
                sock_err = ETIMEDOUT;
                close(s);
                break;
            }
            if (err || getsockopt(s, SOL_SOCKET, SO_ERROR, &sock_err, &l) != 0 || sock_err != 0) {
                close(s);
                continue;
            }
        }
        int one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        *fd = s;
        break;
    }
    freeaddrinfo(res);
    if (*fd < 0) {
        errno = sock_err;
        return seal_fail(seal_errno_code(), "cannot connect to %s: %s", spec, strerror(sock_err));
    }
    return 0;
}

gpg_err_code_t net_write_all(int fd, const void *buf, size_t n, int64_t deadline)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                gpg_err_code_t err = net_wait(fd, POLLOUT, -1, deadline);
                if (err)
                    return err;
                continue;
            }
            return seal_fail(seal_errno_code(), "send: %s", strerror(errno));
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

gpg_err_code_t net_read(int fd, void *buf, size_t cap, int stop_fd, int64_t deadline, size_t *got)
{
    *got = 0;
    for (;;) {
        ssize_t r = recv(fd, buf, cap, 0);
        if (r >= 0) {
            *got = (size_t)r;
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return seal_fail(seal_errno_code(), "recv: %s", strerror(errno));
        gpg_err_code_t err = net_wait(fd, POLLIN, stop_fd, deadline);
        if (err)
            return err;
    }
}

static void addr_text(int fd, bool peer, char out[NET_PEER_MAX])
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof ss;
    char h[INET6_ADDRSTRLEN];
    snprintf(out, NET_PEER_MAX, "?");
    if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &l)
              : getsockname(fd, (struct sockaddr *)&ss, &l)) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        if (inet_ntop(AF_INET, &a->sin_addr, h, sizeof h))
            snprintf(out, NET_PEER_MAX, "%s:%u", h, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        if (inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof h))
            snprintf(out, NET_PEER_MAX, "[%s]:%u", h, ntohs(a->sin6_port));
    }
}

void net_peer_name(int fd, char out[NET_PEER_MAX])
{
    addr_text(fd, true, out);
}

void net_local_name(int fd, char out[NET_PEER_MAX])
{
    addr_text(fd, false, out);
}

gpg_err_code_t net_accept(int lfd, int *fd)
{
    for (;;) {
        int s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (s >= 0) {
            *fd = s;
            return 0;
        }
        if (errno == EINTR)
            continue;
        /* ECONNABORTED and friends: the peer left before we got to it. */
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED || errno == EPROTO)
            return GPG_ERR_EAGAIN;
        return seal_fail(seal_errno_code(), "accept: %s", strerror(errno));
    }
}
