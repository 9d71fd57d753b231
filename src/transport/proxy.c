/* The PROXY protocol, receiving side; see proxy.h. Section numbers refer to
 * HAProxy's doc/proxy-protocol.txt (2020/03/05), shipped by Debian's haproxy
 * package as /usr/share/doc/haproxy/proxy-protocol.txt.gz. */
#include "transport/proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"

/* 2.2: "\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A" */
static const uint8_t v2_signature[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                         0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
static const char v1_prefix[] = "PROXY ";

enum { V2_FIXED = 16, V2_LOCAL = 0x0, V2_PROXY = 0x1 };

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* True if the LEN bytes at P equal the first LEN bytes of WANT. */
static bool prefix_matches(const uint8_t *p, size_t len, const void *want)
{
    return memcmp(p, want, len) == 0;
}

/* ---- version 1: one line of US-ASCII (2.1) ---- */

/* The next token of LINE, up to a space or the end; an empty token is an
 * error (two spaces, a space at the end). Checks what remains before every
 * read, so that no getter fails (a failing getter would record a detail that
 * hides the real cause). */
static gpg_err_code_t v1_token(struct reader *line, const char *what, const uint8_t **tok,
                               size_t *toklen)
{
    struct reader probe = *line;
    size_t n = 0;
    uint8_t c;
    while (reader_remaining(&probe) > 0 && reader_get_u8(&probe, &c) == 0 && c != ' ')
        n++;
    if (n == 0)
        return seal_fail(GPG_ERR_INV_DATA, "PROXY v1: %s missing or not after exactly one space",
                         what);
    *toklen = n;
    return reader_get_view(line, n, tok);
}

/* True if the next byte of LINE is C (false at the end). */
static bool v1_next_is(const struct reader *line, uint8_t c)
{
    uint8_t next;
    return reader_remaining(line) > 0 && reader_peek_u8(line, &next) == 0 && next == c;
}

/* Exactly one space. */
static gpg_err_code_t v1_space(struct reader *line, const char *what)
{
    if (!v1_next_is(line, ' '))
        return seal_fail(GPG_ERR_INV_DATA, "PROXY v1: no space before the %s", what);
    return reader_skip(line, 1);
}

static bool token_is(const uint8_t *tok, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(tok, word, len) == 0;
}

/* A decimal number in [0, MAX] with 1..DIGITS digits and no heading zero
 * (2.1: "to avoid any possible confusion with octal numbers"). */
static bool v1_decimal(const uint8_t *tok, size_t len, size_t digits, unsigned max, unsigned *out)
{
    if (len == 0 || len > digits || (tok[0] == '0' && len > 1))
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (tok[i] < '0' || tok[i] > '9')
            return false;
        v = v * 10 + (unsigned)(tok[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* "exactly 4 integers in the range [0..255] ... separated by exactly one
 * dot", no heading zeroes. */
static bool v1_ipv4(const uint8_t *tok, size_t len, uint8_t out[4])
{
    size_t part = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && tok[i] != '.')
            continue;
        unsigned v;
        if (part == 4 || !v1_decimal(tok + start, i - start, 3, 255, &v))
            return false;
        out[part++] = (uint8_t)v;
        start = i + 1;
    }
    return part == 4;
}

/* Hexadecimal groups with at most one "::"; inet_pton() decides, on a
 * NUL-terminated copy of at most INET6_ADDRSTRLEN - 1 characters (the
 * longest form, with an embedded IPv4 address, has 45). */
static bool v1_ipv6(const uint8_t *tok, size_t len, uint8_t out[16])
{
    char text[INET6_ADDRSTRLEN];
    if (len >= sizeof text)
        return false;
    memcpy(text, tok, len);
    text[len] = '\0';
    return inet_pton(AF_INET6, text, out) == 1;
}

/* One space, then a token. */
static gpg_err_code_t v1_field(struct reader *line, const char *what, const uint8_t **tok,
                               size_t *len)
{
    gpg_err_code_t err = v1_space(line, what);
    return err ? err : v1_token(line, what, tok, len);
}

static gpg_err_code_t v1_address(struct reader *line, int family, const char *what,
                                 struct proxy_addr *out)
{
    const uint8_t *tok;
    size_t len;
    gpg_err_code_t err = v1_field(line, what, &tok, &len);
    if (err)
        return err;
    out->family = family;
    bool ok = family == AF_INET ? v1_ipv4(tok, len, out->addr) : v1_ipv6(tok, len, out->addr);
    if (!ok)
        return seal_fail(GPG_ERR_INV_DATA, "PROXY v1: %s is not a canonical %s address", what,
                         family == AF_INET ? "IPv4" : "IPv6");
    return 0;
}

static gpg_err_code_t v1_port(struct reader *line, const char *what, uint16_t *port)
{
    const uint8_t *tok;
    size_t len;
    unsigned v;
    gpg_err_code_t err = v1_field(line, what, &tok, &len);
    if (err)
        return err;
    if (!v1_decimal(tok, len, 5, 65535, &v))
        return seal_fail(GPG_ERR_INV_DATA,
                         "PROXY v1: %s is not a decimal number in [0, 65535] without heading "
                         "zeroes",
                         what);
    *port = (uint16_t)v;
    return 0;
}

/* The line without its CRLF: "PROXY" SP proto [SP src SP dst SP sport SP dport]. */
static gpg_err_code_t v1_fields(struct reader *line, struct proxy_info *out)
{
    const uint8_t *proto;
    size_t protolen;
    gpg_err_code_t err = reader_skip(line, 5); /* "PROXY", checked by the caller */
    if (err == 0)
        err = v1_field(line, "protocol", &proto, &protolen);
    if (err)
        return err;
    out->version = 1;
    if (token_is(proto, protolen, "UNKNOWN")) {
        /* "the receiver must ignore anything presented before the CRLF", but
         * it must be separated: "UNKNOWNX" is not the keyword. */
        if (reader_remaining(line) > 0 && !v1_next_is(line, ' '))
            return seal_fail(GPG_ERR_INV_DATA, "PROXY v1: unknown protocol");
        out->local = true;
        return 0;
    }
    int family;
    if (token_is(proto, protolen, "TCP4"))
        family = AF_INET;
    else if (token_is(proto, protolen, "TCP6"))
        family = AF_INET6;
    else
        return seal_fail(GPG_ERR_INV_DATA, "PROXY v1: protocol is not TCP4, TCP6 or UNKNOWN");
    err = v1_address(line, family, "source address", &out->src);
    if (err == 0)
        err = v1_address(line, family, "destination address", &out->dst);
    if (err == 0)
        err = v1_port(line, "source port", &out->src.port);
    if (err == 0)
        err = v1_port(line, "destination port", &out->dst.port);
    if (err == 0 && reader_remaining(line) != 0)
        err = seal_fail(GPG_ERR_INV_DATA, "PROXY v1: data after the destination port");
    return err;
}

static gpg_err_code_t parse_v1(const uint8_t *buf, size_t len, struct proxy_info *out,
                               size_t *consumed)
{
    /* Find the CRLF within the first PROXY_V1_MAX bytes; a lone CR or LF
     * never ends (or sits inside) the line (2.1). */
    struct reader r;
    reader_init(&r, buf, min_size(len, PROXY_V1_MAX));
    uint8_t c;
    while (reader_remaining(&r) > 0 && reader_get_u8(&r, &c) == 0) {
        if (c == '\n')
            return seal_fail(GPG_ERR_INV_DATA, "PROXY v1: LF without CR");
        if (c != '\r')
            continue;
        if (reader_remaining(&r) == 0)
            break; /* the LF may still come */
        if (!v1_next_is(&r, '\n'))
            return seal_fail(GPG_ERR_INV_DATA, "PROXY v1: CR without LF");
        struct reader line;
        reader_init(&line, buf, reader_offset(&r) - 1);
        gpg_err_code_t err = v1_fields(&line, out);
        if (err)
            return err;
        *consumed = reader_offset(&r) + 1;
        return 0;
    }
    if (len >= PROXY_V1_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "PROXY v1: no CRLF in the first %d bytes",
                         PROXY_V1_MAX);
    /* Byte by byte from here (the shortest line is 15 bytes), so that a
     * caller reading exactly this many never reads into the envelope. */
    *consumed = len < PROXY_HEADER_MIN ? PROXY_HEADER_MIN : len + 1;
    return GPG_ERR_EAGAIN;
}

/* ---- version 2: binary (2.2) ---- */

/* The address block of TCP over IPv4 (ALEN 4) or IPv6 (ALEN 16): source and
 * destination addresses, then ports. */
static gpg_err_code_t v2_inet(struct reader *r, int family, size_t alen, struct proxy_info *out)
{
    if (reader_remaining(r) < 2 * alen + 4)
        return seal_fail(GPG_ERR_INV_DATA, "PROXY v2: address block shorter than %zu bytes for %s",
                         2 * alen + 4, family == AF_INET ? "IPv4" : "IPv6");
    out->src.family = out->dst.family = family;
    gpg_err_code_t err = reader_get_bytes(r, out->src.addr, alen);
    if (err == 0)
        err = reader_get_bytes(r, out->dst.addr, alen);
    if (err == 0)
        err = reader_get_u16(r, &out->src.port);
    if (err == 0)
        err = reader_get_u16(r, &out->dst.port);
    return err;
}

/* TLVs after the addresses: type, 16-bit length, value; each must fit. None
 * is interpreted: in particular PP2_TYPE_CRC32C is not verified (2.2.3 asks
 * that only of receivers that support it; it guards against corruption on
 * the path from a trusted proxy, which TCP already checksums). */
static gpg_err_code_t v2_skip_tlvs(struct reader *r)
{
    while (reader_remaining(r) > 0) {
        uint8_t type;
        uint16_t vlen;
        if (reader_remaining(r) < 3)
            return seal_fail(GPG_ERR_INV_DATA, "PROXY v2: %zu stray bytes after the last TLV",
                             reader_remaining(r));
        gpg_err_code_t err = reader_get_u8(r, &type);
        if (err == 0)
            err = reader_get_u16(r, &vlen);
        if (err)
            return err;
        if (vlen > reader_remaining(r))
            return seal_fail(GPG_ERR_INV_DATA,
                             "PROXY v2: TLV type 0x%02x of %u bytes runs past the header", type,
                             vlen);
        err = reader_skip(r, vlen);
        if (err)
            return err;
    }
    return 0;
}

static gpg_err_code_t parse_v2(const uint8_t *buf, size_t len, struct proxy_info *out,
                               size_t *consumed)
{
    if (len < V2_FIXED) {
        *consumed = V2_FIXED;
        return GPG_ERR_EAGAIN;
    }
    struct reader r;
    uint8_t ver_cmd, fam;
    uint16_t alen;
    reader_init(&r, buf, V2_FIXED);
    (void)reader_skip(&r, sizeof v2_signature);
    (void)reader_get_u8(&r, &ver_cmd);
    (void)reader_get_u8(&r, &fam);
    (void)reader_get_u16(&r, &alen);
    if ((ver_cmd >> 4) != 2)
        return seal_fail(GPG_ERR_UNKNOWN_VERSION, "PROXY v2: version %u, only 2 is defined",
                         ver_cmd >> 4);
    unsigned cmd = ver_cmd & 0x0f, family = fam >> 4, proto = fam & 0x0f;
    if (cmd != V2_LOCAL && cmd != V2_PROXY)
        return seal_fail(GPG_ERR_INV_DATA, "PROXY v2: command %u is neither LOCAL nor PROXY", cmd);
    /* "other values are unspecified ... and must be rejected" (families
     * UNSPEC, INET, INET6, UNIX; protocols UNSPEC, STREAM, DGRAM). */
    if (family > 3 || proto > 2)
        return seal_fail(GPG_ERR_INV_DATA, "PROXY v2: address family/protocol byte 0x%02x", fam);
    size_t total = V2_FIXED + (size_t)alen;
    if (total > PROXY_V2_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "PROXY v2: header of %zu bytes, at most %d allowed",
                         total, PROXY_V2_MAX);
    if (len < total) {
        *consumed = total;
        return GPG_ERR_EAGAIN;
    }
    out->version = 2;
    *consumed = total;
    reader_init(&r, buf + V2_FIXED, alen);
    gpg_err_code_t err = 0;
    if (cmd == V2_LOCAL || proto != 1 || (family != 1 && family != 2)) {
        /* LOCAL: "must use the real connection endpoints and discard the
         * protocol block including the family". Anything but TCP over
         * IPv4/IPv6 falls back the same way (2.2: receivers not
         * implementing a combination fall back to UNSPEC); the length field
         * is always honoured. */
        out->local = true;
        return 0;
    }
    err = v2_inet(&r, family == 1 ? AF_INET : AF_INET6, family == 1 ? 4 : 16, out);
    if (err == 0)
        err = v2_skip_tlvs(&r);
    return err;
}

gpg_err_code_t proxy_parse(const uint8_t *buf, size_t len, struct proxy_info *out, size_t *consumed)
{
    memset(out, 0, sizeof *out);
    *consumed = 0;
    if (len == 0) {
        *consumed = PROXY_HEADER_MIN;
        return GPG_ERR_EAGAIN;
    }
    gpg_err_code_t err;
    size_t hint = 0;
    /* The first byte tells the versions apart ('P' or CR); refuse as soon as
     * the bytes stop matching, so that a wrong peer learns it at once. */
    if (prefix_matches(buf, min_size(len, sizeof v1_prefix - 1), v1_prefix))
        err = len < sizeof v1_prefix - 1 ? (hint = PROXY_HEADER_MIN, GPG_ERR_EAGAIN)
                                         : parse_v1(buf, len, out, &hint);
    else if (prefix_matches(buf, min_size(len, sizeof v2_signature), v2_signature))
        err = parse_v2(buf, len, out, &hint);
    else
        err = seal_fail(GPG_ERR_INV_DATA, "not a PROXY protocol header");
    if (err == 0 || err == GPG_ERR_EAGAIN) {
        *consumed = hint;
        return err;
    }
    memset(out, 0, sizeof *out);
    return err;
}

/* ---- reading it from a socket ---- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

gpg_err_code_t proxy_read_fd(int fd, int timeout_ms, struct proxy_info *out)
{
    uint8_t buf[PROXY_HEADER_MAX];
    size_t have = 0, need = 0;
    long long deadline = now_ms() + timeout_ms;
    gpg_err_code_t err;
    while ((err = proxy_parse(buf, have, out, &need)) == GPG_ERR_EAGAIN) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return seal_fail(GPG_ERR_TIMEOUT, "no complete PROXY header within %d ms", timeout_ms);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return seal_fail(seal_errno_code(), "poll: %s", strerror(errno));
        if (n == 0)
            continue; /* the deadline check above ends it */
        ssize_t got = read(fd, buf + have, need - have);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (have == 0 && (got == 0 || (got < 0 && errno == ECONNRESET)))
            return GPG_ERR_EOF; /* a probe: connect, then close or reset */
        if (got == 0)
            return seal_fail(GPG_ERR_TRUNCATED,
                             "connection closed after %zu bytes of a PROXY header", have);
        if (got < 0)
            return seal_fail(seal_errno_code(), "read: %s", strerror(errno));
        have += (size_t)got;
    }
    return err;
}

/* ---- addresses ---- */

void proxy_addr_format(const struct proxy_addr *addr, char *out, size_t outlen)
{
    char text[INET6_ADDRSTRLEN];
    if (addr->family == AF_INET6) {
        inet_ntop(AF_INET6, addr->addr, text, sizeof text);
        snprintf(out, outlen, "[%s]:%u", text, addr->port);
    } else if (addr->family == AF_INET) {
        inet_ntop(AF_INET, addr->addr, text, sizeof text);
        snprintf(out, outlen, "%s:%u", text, addr->port);
    } else {
        snprintf(out, outlen, "unknown");
    }
}

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

gpg_err_code_t proxy_addr_from_sockaddr(const struct sockaddr *sa, socklen_t salen,
                                        struct proxy_addr *out)
{
    memset(out, 0, sizeof *out);
    if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        out->family = AF_INET;
        memcpy(out->addr, &in->sin_addr, 4);
        out->port = ntohs(in->sin_port);
        return 0;
    }
    if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const uint8_t *a = in6->sin6_addr.s6_addr;
        out->port = ntohs(in6->sin6_port);
        if (memcmp(a, v4_mapped, sizeof v4_mapped) == 0) {
            out->family = AF_INET;
            memcpy(out->addr, a + 12, 4);
        } else {
            out->family = AF_INET6;
            memcpy(out->addr, a, 16);
        }
        return 0;
    }
    return seal_fail(GPG_ERR_INV_VALUE, "not an IPv4 or IPv6 socket address");
}

void proxy_addr_to_sockaddr(const struct proxy_addr *addr, struct sockaddr_storage *out,
                            socklen_t *outlen)
{
    memset(out, 0, sizeof *out);
    if (addr->family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
        in6->sin6_family = AF_INET6;
        memcpy(&in6->sin6_addr, addr->addr, 16);
        in6->sin6_port = htons(addr->port);
        *outlen = sizeof *in6;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)out;
        in->sin_family = AF_INET;
        memcpy(&in->sin_addr, addr->addr, 4);
        in->sin_port = htons(addr->port);
        *outlen = sizeof *in;
    }
}

/* One item: ADDR or ADDR/BITS, TEXT[0..LEN). */
static gpg_err_code_t allow_item(const char *text, size_t len, struct proxy_allow *out)
{
    char buf[INET6_ADDRSTRLEN + 4];
    if (len == 0)
        return seal_fail(GPG_ERR_INV_VALUE, "--proxy-from: empty item in the list");
    if (len >= sizeof buf)
        return seal_fail(GPG_ERR_INV_VALUE, "--proxy-from: '%.*s...' is too long for an address",
                         20, text);
    if (out->count == PROXY_ALLOW_MAX)
        return seal_fail(GPG_ERR_INV_VALUE, "--proxy-from: more than %d items", PROXY_ALLOW_MAX);
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    int family = strchr(buf, ':') ? AF_INET6 : AF_INET;
    uint8_t addr[16] = {0};
    unsigned max = family == AF_INET ? 32 : 128, bits = max;
    if (inet_pton(family, buf, addr) != 1)
        return seal_fail(GPG_ERR_INV_VALUE,
                         "--proxy-from: '%s' is not an IPv4 or IPv6 address (no host names)", buf);
    if (slash && !v1_decimal((const uint8_t *)slash + 1, strlen(slash + 1), 3, max, &bits))
        return seal_fail(GPG_ERR_INV_VALUE, "--proxy-from: '%s/%s': prefix length not in [0, %u]",
                         buf, slash + 1, max);
    for (unsigned i = bits; i < max; i++)
        if (addr[i / 8] & (0x80 >> (i % 8)))
            return seal_fail(GPG_ERR_INV_VALUE,
                             "--proxy-from: '%s/%u' has host bits set below the prefix", buf, bits);
    out->item[out->count].family = family;
    memcpy(out->item[out->count].addr, addr, sizeof addr);
    out->item[out->count].bits = bits;
    out->count++;
    return 0;
}

gpg_err_code_t proxy_allow_parse(const char *list, struct proxy_allow *out)
{
    memset(out, 0, sizeof *out);
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        gpg_err_code_t err = allow_item(p, n, out);
        if (err) {
            memset(out, 0, sizeof *out);
            return err;
        }
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    size_t whole = bits / 8;
    if (memcmp(a, b, whole) != 0)
        return false;
    unsigned rest = bits % 8;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

bool proxy_allow_match(const struct proxy_allow *allow, const struct proxy_addr *addr)
{
    struct proxy_addr a = *addr;
    if (a.family == AF_INET6 && memcmp(a.addr, v4_mapped, sizeof v4_mapped) == 0) {
        a.family = AF_INET;
        memmove(a.addr, a.addr + 12, 4);
    }
    for (size_t i = 0; i < allow->count; i++)
        if (allow->item[i].family == a.family &&
            prefix_equal(allow->item[i].addr, a.addr, allow->item[i].bits))
            return true;
    return false;
}
