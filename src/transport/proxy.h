/*
 * The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2), the
 * receiving side only, and the list of proxies allowed to send it.
 *
 * A listener started with --proxy-from ADDR[,ADDR...] expects every
 * connection from one of those addresses to begin with a PROXY header and
 * uses the address it carries in its logs and limits; a connection from any
 * other address is served as it is and never has its first bytes read as a
 * PROXY header. The header is never guessed (spec section 5: "must only rely
 * on a configuration parameter"), so a client cannot spoof its address.
 *
 * The parser is pure and bounded: it looks at most PROXY_HEADER_MAX bytes and
 * never more than one header, so the bytes after it (the envelope) are left
 * to the caller. proxy_read_fd() is the small I/O wrapper a listener needs.
 */
#ifndef SEAL_TRANSPORT_PROXY_H
#define SEAL_TRANSPORT_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/errors.h"

struct proxy_allow;

/* Version 1: "the CRLF sequence ... in the first 107 characters" (spec 2.1,
 * the worst case "PROXY UNKNOWN <ipv6> <ipv6> 65535 65535\r\n"). */
#define PROXY_V1_MAX 107
/* Version 2: the 16-byte fixed part plus its length field. The spec lets the
 * field say up to 65535, but designs both formats "to fit in the smallest TCP
 * segment that any TCP/IP host is required to support (576 - 40 = 536
 * bytes)" (spec section 2); we refuse anything longer, which still leaves
 * room for AF_UNIX addresses (216 bytes) or for an IPv6 block and every TLV
 * HAProxy sends (ALPN, authority, unique ID up to 128 bytes, SSL fields). */
#define PROXY_V2_MAX 536
#define PROXY_HEADER_MAX PROXY_V2_MAX
/* Neither header can be shorter: "PROXY UNKNOWN\r\n" is 15 bytes, a v2
 * header at least 16. */
#define PROXY_HEADER_MIN 15

struct proxy_addr {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* network byte order; the first 4 bytes for AF_INET */
    uint16_t port;    /* host byte order */
};

struct proxy_info {
    int version; /* 1 or 2 */
    /* True when the header carries no address to use: v2 LOCAL (the proxy's
     * own health check), v1 UNKNOWN, or a v2 PROXY header for a family or
     * protocol other than TCP over IPv4/IPv6 (the spec lets a receiver fall
     * back to the real endpoints). src and dst are then zero. */
    bool local;
    struct proxy_addr src; /* the client as the proxy saw it */
    struct proxy_addr dst; /* the address the client connected to */
};

/*
 * Parses the PROXY header at the start of BUF[0..LEN).
 *   0                 a complete, valid header: *OUT filled, *CONSUMED is
 *                     its length (the envelope starts at BUF + *CONSUMED).
 *   GPG_ERR_EAGAIN    the bytes so far are a valid beginning: *CONSUMED is
 *                     the total length the header needs at least (> LEN);
 *                     reading exactly that many bytes never reads past the
 *                     header.
 *   GPG_ERR_INV_DATA  not a PROXY header, or malformed (detail says what)
 *   GPG_ERR_UNKNOWN_VERSION  a v2 signature with a version other than 2
 *   GPG_ERR_TOO_LARGE a header longer than PROXY_V1_MAX / PROXY_V2_MAX
 * On an error *OUT is zeroed and *CONSUMED is 0. Bytes past the header are
 * never looked at.
 */
gpg_err_code_t proxy_parse(const uint8_t *buf, size_t len, struct proxy_info *out,
                           size_t *consumed);

/*
 * Reads one PROXY header from FD (a connected socket), taking exactly the
 * header's bytes so that the next read starts at the envelope, within
 * TIMEOUT_MS for the whole header (the spec asks for at least 3 seconds to
 * cover a TCP retransmit). Returns 0, a proxy_parse() error, or
 *   GPG_ERR_EOF       the peer closed or reset the connection before sending
 *                     a byte: a load balancer's health probe, to be logged
 *                     quietly
 *   GPG_ERR_TRUNCATED the peer closed inside the header
 *   GPG_ERR_TIMEOUT   the header did not arrive in time
 *   an errno code     a read or poll error
 */
gpg_err_code_t proxy_read_fd(int fd, int timeout_ms, struct proxy_info *out);

/* Writes ADDR as "192.0.2.1:443" or "[2001:db8::1]:443" (at most
 * PROXY_ADDR_STRLEN bytes with the NUL) for log lines. */
#define PROXY_ADDR_STRLEN 56
void proxy_addr_format(const struct proxy_addr *addr, char *out, size_t outlen);

/* Converts between a proxy_addr and a sockaddr_in / sockaddr_in6.
 * proxy_addr_from_sockaddr() turns an IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1, what a dual-stack socket reports for an IPv4 peer) into
 * plain IPv4; GPG_ERR_INV_VALUE for other families. */
gpg_err_code_t proxy_addr_from_sockaddr(const struct sockaddr *sa, socklen_t salen,
                                        struct proxy_addr *out);
void proxy_addr_to_sockaddr(const struct proxy_addr *addr, struct sockaddr_storage *out,
                            socklen_t *outlen);

/*
 * The proxies allowed to send a PROXY header: --proxy-from's list.
 * Each item is an IPv4 or IPv6 address (no port; IPv6 without brackets) or
 * a CIDR block ADDR/BITS (10.0.0.0/8, 2001:db8::/32), so a pool of balancer
 * hosts fits in one item; host bits below the prefix must be zero
 * (192.0.2.1/24 is refused: it is almost always a typo). No host names: a
 * trust decision never waits on, or depends on, DNS.
 */
#define PROXY_ALLOW_MAX 64
struct proxy_allow {
    size_t count;
    struct {
        int family;
        uint8_t addr[16];
        unsigned bits;
    } item[PROXY_ALLOW_MAX];
};

/* Parses a comma-separated list (no spaces, no empty items, at most
 * PROXY_ALLOW_MAX items, duplicates allowed). GPG_ERR_INV_VALUE with a detail
 * naming the bad item; *OUT is empty on failure. */
gpg_err_code_t proxy_allow_parse(const char *list, struct proxy_allow *out);

/* True if ADDR (an IPv4-mapped IPv6 address counts as IPv4) lies in one of
 * the list's items. An empty list matches nothing. */
bool proxy_allow_match(const struct proxy_allow *allow, const struct proxy_addr *addr);

#endif
