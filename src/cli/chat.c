/* seal --chat; see chat.h, seal(1) "CHAT" and man/seal.5 TRANSPORT. */
#include "cli/chat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/secmem.h"
#include "cli/cli.h"
#include "cli/keyfile.h"
#include "envelope/envelope.h"
#include "keys/keyring.h"
#include "transport/chat.h"
#include "transport/net.h"
#include "transport/wire.h"

#define EXIT_INTERRUPTED 130
/* What the peer sent and we have not yet taken as a frame. */
#define IN_CAP (CHAT_FRAME_MAX + WIRE_LINE_MAX)

struct chat {
    const struct seal_options *o;
    const struct seal_key *me;
    struct trusted_senders peers;
    const struct trusted_sender *peer; /* who we talk to, once known */
    char addr[NET_PEER_MAX];
    int sock;
    int64_t wait_ms;
    struct chat_session *s; /* secure memory: the session's nonces */
    uint8_t *in;            /* IN_CAP bytes (ciphertext) */
    size_t in_len;
    uint8_t *line; /* CHAT_TEXT_MAX + 1 bytes of secure memory: the line being typed */
    size_t line_len;
    bool overlong; /* dropping the rest of a line that was too long */
    bool stdin_done;
    int64_t bye_deadline; /* after our BYE: how long we wait for the peer's */
};

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("seal: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- signals ------------------------------------------------------------ */

/* Readable once SIGINT or SIGTERM came (cli_catch_stop_signals). */
static int sig_fd = -1;

/* ---- frames --------------------------------------------------------------- */

/* Seals our next frame of TYPE to the peer and sends it. */
static gpg_err_code_t send_frame(struct chat *c, enum chat_type type, const uint8_t *text,
                                 size_t len)
{
    struct writer plain, frame;
    struct reader src;
    const struct seal_key *rcpt[1] = {c->peer->key};
    struct seal_request req;
    gpg_err_code_t err;

    writer_init(&plain, CHAT_PLAIN_MAX, true);
    writer_init(&frame, CHAT_FRAME_MAX, false);
    if ((err = chat_encode(c->s, type, text, len, &plain)))
        goto out;
    reader_init(&src, writer_data(&plain), writer_len(&plain));
    memset(&req, 0, sizeof req);
    req.recipients = rcpt;
    req.n_recipients = 1;
    req.sender = c->me;
    req.armor = true;
    req.in = reader_source(&src);
    req.out = writer_sink(&frame);
    if ((err = envelope_seal(&req)))
        goto out;
    err =
        net_write_all(c->sock, writer_data(&frame), writer_len(&frame), net_now_ms() + c->wait_ms);
out:
    writer_free(&plain);
    writer_free(&frame);
    return err;
}

/* Reads what the peer sent (waiting until DEADLINE for at least a byte).
 * GPG_ERR_EOF when the peer closed. */
static gpg_err_code_t fill(struct chat *c, int64_t deadline)
{
    size_t got;
    if (c->in_len == IN_CAP)
        return seal_fail(GPG_ERR_TOO_LARGE, "a frame longer than %d bytes", CHAT_FRAME_MAX);
    gpg_err_code_t err =
        net_read(c->sock, c->in + c->in_len, IN_CAP - c->in_len, sig_fd, deadline, &got);
    if (err)
        return err;
    if (got == 0)
        return GPG_ERR_EOF;
    c->in_len += got;
    return 0;
}

/* If the peer's bytes hold a complete reply line "ERR ...", fills REASON
 * ("perm ..." or "temp ..."). */
static bool refused(const struct chat *c, char reason[WIRE_REASON_MAX + 6])
{
    struct wire_reply r;
    const uint8_t *lf = memchr(c->in, '\n', c->in_len);
    if (c->in_len < 4 || memcmp(c->in, "ERR ", 4) != 0 || !lf)
        return false;
    if (wire_parse_reply(c->in, (size_t)(lf - c->in) + 1, &r) != 0 || r.kind == WIRE_OK) {
        seal_clear_detail();
        return false;
    }
    snprintf(reason, WIRE_REASON_MAX + 6, "%s %s", r.kind == WIRE_ERR_TEMP ? "temp" : "perm",
             r.reason);
    return true;
}

/* Takes the first complete frame out of the input: 0 with *LEN bytes
 * copied to FRAME (CHAT_FRAME_MAX), GPG_ERR_TRUNCATED if none is complete
 * yet, GPG_ERR_TOO_LARGE. */
static gpg_err_code_t take_frame(struct chat *c, uint8_t *frame, size_t *len)
{
    gpg_err_code_t err = chat_frame_end(c->in, c->in_len, len);
    if (err)
        return err;
    memcpy(frame, c->in, *len);
    memmove(c->in, c->in + *len, c->in_len - *len);
    c->in_len -= *len;
    return 0;
}

/* Opens FRAME (LEN bytes) with our key, trusting SENDERS: 0 with the
 * plaintext in PLAIN (a secure writer) and INFO. */
static gpg_err_code_t open_frame(struct chat *c, const uint8_t *frame, size_t len,
                                 struct trusted_senders *senders, struct writer *plain,
                                 struct envelope_info *info)
{
    struct reader src;
    struct unseal_request req;
    reader_init(&src, frame, len);
    memset(&req, 0, sizeof req);
    memset(info, 0, sizeof *info);
    req.recipient = c->me;
    req.senders = senders;
    req.in = reader_source(&src);
    req.out = writer_sink(plain);
    gpg_err_code_t err = envelope_unseal(&req, info);
    if (err == GPG_ERR_TOO_LARGE || (err == 0 && writer_status(plain)))
        err = seal_fail_override(GPG_ERR_TOO_LARGE, "a frame's plaintext is longer than %d bytes",
                                 CHAT_PLAIN_MAX);
    return err;
}

/* ---- output ---------------------------------------------------------------- */

static void show_line(const struct chat *c, const uint8_t *text, size_t len)
{
    char *esc = malloc(CHAT_ESCAPED_MAX(len));
    if (!esc)
        return;
    chat_escape(text, len, esc);
    printf("%s: %s\n", c->peer->name, esc);
    fflush(stdout);
    free(esc);
}

/* A frame that broke the session (seal(5) C1..C6). */
static int session_error(const struct chat *c, const char *what)
{
    cli_errorf("%s: %s: %s; the chat is over", c->addr, what,
               seal_detail() ? seal_detail() : "no detail");
    return EXIT_SESSION;
}

/* ---- the session ------------------------------------------------------------ */

enum step { STEP_GO_ON = -1 };

/* Handles one frame of the open session; returns STEP_GO_ON or an exit
 * status. */
static int on_frame(struct chat *c, const uint8_t *frame, size_t len)
{
    struct writer plain;
    struct envelope_info info;
    struct chat_event ev;
    enum chat_fault f;
    int status = STEP_GO_ON;
    gpg_err_code_t err;

    writer_init(&plain, CHAT_PLAIN_MAX, true);
    seal_clear_detail();
    if ((err = open_frame(c, frame, len, &c->peers, &plain, &info))) {
        status = session_error(c, "a frame that does not verify");
        goto out;
    }
    /* With a trust directory, only the peer who said HELLO may go on. */
    if (!seal_ct_equal(info.sender_fpr, c->peer->key->fpr, SEAL_FPR_LEN)) {
        seal_fail(GPG_ERR_NOT_TRUSTED, "signed by %s, not by %s",
                  info.sender_name ? info.sender_name : "another key", c->peer->name);
        status = session_error(c, "a frame from someone else");
        goto out;
    }
    if ((f = chat_receive(c->s, writer_data(&plain), writer_len(&plain), &ev)) != CHAT_OK) {
        status = session_error(c, chat_fault_name(f));
        goto out;
    }
    if (ev.type == CHAT_TEXT) {
        show_line(c, ev.text, ev.text_len);
    } else if (ev.type == CHAT_BYE) {
        fprintf(stderr, "seal: %s said goodbye\n", c->peer->name);
        if (!c->s->sent_bye && (err = send_frame(c, CHAT_BYE, NULL, 0)))
            warn("%s: could not say goodbye: %s", c->addr,
                 seal_detail() ? seal_detail() : gpg_strerror(err));
        status = EXIT_OK;
    }
out:
    writer_free(&plain);
    return status;
}

static int say_bye(struct chat *c)
{
    gpg_err_code_t err;
    if (c->s->sent_bye)
        return STEP_GO_ON;
    if ((err = send_frame(c, CHAT_BYE, NULL, 0))) {
        cli_errorf("%s: connection lost: %s", c->addr,
                   seal_detail() ? seal_detail() : gpg_strerror(err));
        return EXIT_NO_ACK;
    }
    c->bye_deadline = net_now_ms() + c->wait_ms;
    return STEP_GO_ON;
}

/* One line typed (LEN bytes, without its LF). */
static int on_line(struct chat *c, const uint8_t *text, size_t len)
{
    gpg_err_code_t err;
    if (len == 4 && memcmp(text, "exit", 4) == 0) {
        c->stdin_done = true;
        return say_bye(c);
    }
    if ((err = send_frame(c, CHAT_TEXT, text, len))) {
        cli_errorf("%s: connection lost: %s", c->addr,
                   seal_detail() ? seal_detail() : gpg_strerror(err));
        return EXIT_NO_ACK;
    }
    return STEP_GO_ON;
}

/* Reads what standard input has: whole lines are sent, a line longer than
 * CHAT_TEXT_MAX is refused (and not sent), the end of input says BYE. */
static int on_stdin(struct chat *c)
{
    uint8_t buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    int status = STEP_GO_ON;
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return STEP_GO_ON;
    if (n <= 0) {
        c->stdin_done = true;
        if (c->line_len && !c->overlong)
            status = on_line(c, c->line, c->line_len); /* a last line without LF */
        c->line_len = 0;
        return status == STEP_GO_ON ? say_bye(c) : status;
    }
    for (ssize_t i = 0; i < n && status == STEP_GO_ON && !c->stdin_done; i++) {
        if (buf[i] == '\n') {
            if (!c->overlong)
                status = on_line(c, c->line, c->line_len);
            c->overlong = false;
            c->line_len = 0;
        } else if (c->overlong) {
            continue;
        } else if (c->line_len == CHAT_TEXT_MAX) {
            warn("a line longer than %d bytes was not sent", CHAT_TEXT_MAX);
            c->overlong = true;
            c->line_len = 0;
        } else {
            c->line[c->line_len++] = buf[i];
        }
    }
    seal_wipe(buf, sizeof buf);
    return status;
}

/* Takes every complete frame the peer sent. */
static int on_socket(struct chat *c, uint8_t *frame)
{
    size_t len;
    gpg_err_code_t err = fill(c, net_now_ms());
    int status = STEP_GO_ON;
    if (err == GPG_ERR_TIMEOUT)
        return STEP_GO_ON;
    if (err == GPG_ERR_EOF) {
        if (c->in_len)
            cli_errorf("%s: the connection dropped inside a frame, without a goodbye from %s",
                       c->addr, c->peer->name);
        else
            cli_errorf("%s: the connection dropped without a goodbye from %s", c->addr,
                       c->peer->name);
        cli_hint("lines sent since the last answer may not have arrived");
        return EXIT_NO_ACK;
    }
    if (err && err != GPG_ERR_TOO_LARGE)
        return err == GPG_ERR_CANCELED ? STEP_GO_ON : (cli_error(c->addr, err), EXIT_NO_ACK);
    while (status == STEP_GO_ON && (err = take_frame(c, frame, &len)) == 0)
        status = on_frame(c, frame, len);
    if (status == STEP_GO_ON && err == GPG_ERR_TOO_LARGE)
        status = session_error(c, "an oversized frame");
    return status;
}

static int converse(struct chat *c)
{
    uint8_t *frame = malloc(CHAT_FRAME_MAX);
    int status = STEP_GO_ON;
    if (!frame)
        return cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
    fprintf(stderr, "seal: chatting with %s at %s; end with a line 'exit' or end of input\n",
            c->peer->name, c->addr);
    /* Frames that came with the HELLO. */
    size_t len;
    gpg_err_code_t err;
    while (status == STEP_GO_ON && (err = take_frame(c, frame, &len)) == 0)
        status = on_frame(c, frame, len);
    while (status == STEP_GO_ON) {
        struct pollfd p[3] = {{sig_fd, POLLIN, 0},
                              {c->sock, POLLIN, 0},
                              {c->stdin_done ? -1 : STDIN_FILENO, POLLIN, 0}};
        int timeout = -1;
        if (c->s->sent_bye) {
            int64_t left = c->bye_deadline - net_now_ms();
            if (left <= 0) {
                cli_errorf("%s: no goodbye from %s within %lld s", c->addr, c->peer->name,
                           (long long)(c->wait_ms / 1000));
                status = EXIT_NO_ACK;
                break;
            }
            timeout = left > 60000 ? 60000 : (int)left;
        }
        if (poll(p, 3, timeout) < 0) {
            if (errno == EINTR)
                continue;
            status = cli_error(NULL, seal_fail(seal_errno_code(), "poll: %s", strerror(errno)));
            break;
        }
        if (p[0].revents & POLLIN) {
            fprintf(stderr, "seal: interrupted; saying goodbye\n");
            (void)say_bye(c);
            status = EXIT_INTERRUPTED;
        } else if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            status = on_socket(c, frame);
        } else if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            status = on_stdin(c);
        }
    }
    free(frame);
    return status;
}

/* ---- starting a session ----------------------------------------------------- */

/* Waits until DEADLINE for the peer's first frame and opens it with every
 * trusted key; on success the peer is known and its HELLO taken. Returns
 * STEP_GO_ON or an exit status (the error printed unless QUIET, then only
 * in *WHY). */
static int first_frame(struct chat *c, int64_t deadline, char *why, size_t why_len)
{
    uint8_t *frame = malloc(CHAT_FRAME_MAX);
    struct writer plain;
    struct envelope_info info;
    struct chat_event ev;
    char reason[WIRE_REASON_MAX + 6];
    size_t len = 0;
    gpg_err_code_t err;
    int status = STEP_GO_ON;

    writer_init(&plain, CHAT_PLAIN_MAX, true);
    if (!frame) {
        snprintf(why, why_len, "out of memory");
        status = EXIT_IO;
        goto out;
    }
    while ((err = take_frame(c, frame, &len)) == GPG_ERR_TRUNCATED) {
        if (refused(c, reason)) {
            snprintf(why, why_len, "refused: ERR %s", reason);
            status = EXIT_REFUSED;
            goto out;
        }
        if ((err = fill(c, deadline))) {
            if (err == GPG_ERR_EOF)
                snprintf(why, why_len, "the peer closed the connection before saying hello");
            else if (err == GPG_ERR_TIMEOUT)
                snprintf(why, why_len, "no hello from the peer in time");
            else if (err == GPG_ERR_CANCELED)
                snprintf(why, why_len, "interrupted");
            else
                snprintf(why, why_len, "%s", seal_detail() ? seal_detail() : gpg_strerror(err));
            status = err == GPG_ERR_CANCELED ? EXIT_INTERRUPTED : EXIT_NO_ACK;
            goto out;
        }
    }
    if (err) {
        snprintf(why, why_len, "%s", seal_detail() ? seal_detail() : gpg_strerror(err));
        status = EXIT_FORMAT;
        goto out;
    }
    seal_clear_detail();
    if ((err = open_frame(c, frame, len, &c->peers, &plain, &info))) {
        snprintf(why, why_len, "%s", seal_detail() ? seal_detail() : gpg_strerror(err));
        status = cli_exit_status(err);
        goto out;
    }
    enum chat_fault f = chat_receive(c->s, writer_data(&plain), writer_len(&plain), &ev);
    if (f != CHAT_OK) {
        snprintf(why, why_len, "%s: %s", chat_fault_name(f), seal_detail() ? seal_detail() : "");
        status = EXIT_SESSION;
        goto out;
    }
    if ((err = trusted_senders_find(&c->peers, info.sender_fpr, &c->peer)) || !c->peer) {
        snprintf(why, why_len, "the sender's key is not trusted");
        status = EXIT_UNTRUSTED;
    }
out:
    free(frame);
    writer_free(&plain);
    return status;
}

static int dial(struct chat *c)
{
    char why[300];
    gpg_err_code_t err;
    int status;

    c->peer = &c->peers.v[0];
    if ((err = net_connect(c->o->net.to, net_now_ms() + CLI_NET_CONNECT_MS, &c->sock))) {
        cli_error(c->o->net.to, err);
        return EXIT_NO_ACK;
    }
    net_peer_name(c->sock, c->addr);
    if ((err = send_frame(c, CHAT_HELLO, NULL, 0))) {
        cli_error(c->o->net.to, err);
        return EXIT_NO_ACK;
    }
    status = first_frame(c, net_now_ms() + c->wait_ms, why, sizeof why);
    if (status != STEP_GO_ON) {
        cli_errorf("%s: %s", c->o->net.to, why);
        return status;
    }
    return converse(c);
}

/* Refuses a dialer: says so on the wire and in our log, then closes. */
static void refuse(struct chat *c, const char *why)
{
    char line[WIRE_LINE_MAX + 1];
    size_t n = wire_format_err(WIRE_ERR_PERM, "not a chat peer", line);
    warn("refused a connection from %s: %s", c->addr, why);
    (void)net_write_all(c->sock, line, n, net_now_ms() + 1000);
    close(c->sock);
    c->sock = -1;
    c->in_len = 0;
}

static int await(struct chat *c)
{
    int fds[NET_MAX_LISTEN];
    size_t n = 0;
    struct pollfd p[NET_MAX_LISTEN + 1];
    int64_t deadline = net_now_ms() + c->wait_ms;
    gpg_err_code_t err;
    int status = STEP_GO_ON;
    char why[300];

    if ((err = net_listen(c->o->net.listen, fds, &n)))
        return cli_error(c->o->net.listen, err);
    /* The address as bound: with port 0 the kernel picked the port. */
    char bound[NET_PEER_MAX];
    net_local_name(fds[0], bound);
    fprintf(stderr, "seal: waiting on %s for %s (at most %lld s)\n", bound,
            c->peers.dir ? "a trusted peer" : c->peers.v[0].name, (long long)(c->wait_ms / 1000));
    while (status == STEP_GO_ON && c->sock < 0) {
        int64_t left = deadline - net_now_ms();
        if (left <= 0) {
            cli_errorf("%s: no peer connected within %lld s", c->o->net.listen,
                       (long long)(c->wait_ms / 1000));
            status = EXIT_NO_ACK;
            break;
        }
        p[0] = (struct pollfd){sig_fd, POLLIN, 0};
        for (size_t i = 0; i < n; i++)
            p[i + 1] = (struct pollfd){fds[i], POLLIN, 0};
        if (poll(p, n + 1, left > 60000 ? 60000 : (int)left) < 0 && errno != EINTR) {
            status = cli_error(NULL, seal_fail(seal_errno_code(), "poll: %s", strerror(errno)));
            break;
        }
        if (p[0].revents & POLLIN) {
            status = EXIT_INTERRUPTED;
            break;
        }
        for (size_t i = 0; i < n && c->sock < 0; i++) {
            if (!(p[i + 1].revents & POLLIN) || net_accept(fds[i], &c->sock) != 0)
                continue;
            net_peer_name(c->sock, c->addr);
            int64_t hello_by = net_now_ms() + CLI_CHAT_HELLO_MS;
            int st = first_frame(c, hello_by < deadline ? hello_by : deadline, why, sizeof why);
            if (st == EXIT_INTERRUPTED) {
                status = st;
            } else if (st != STEP_GO_ON) {
                /* A stranger, a probe or garbage: the chat is not theirs;
                 * keep waiting for the peer. */
                uint8_t nonce[CHAT_NONCE_LEN];
                refuse(c, why);
                seal_random(nonce, sizeof nonce);
                chat_session_init(c->s, CHAT_LISTENER, nonce);
                seal_wipe(nonce, sizeof nonce);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    if (status != STEP_GO_ON)
        return status;
    if ((err = send_frame(c, CHAT_HELLO, NULL, 0))) {
        cli_error(c->addr, err);
        return EXIT_NO_ACK;
    }
    return converse(c);
}

int cli_chat(const struct seal_options *o)
{
    struct chat c;
    struct cli_key me;
    struct cli_passphrase pp = {o->common.passphrase_file};
    static const uint8_t nobody[SEAL_FPR_LEN];
    const struct trusted_sender *none;
    uint8_t nonce[CHAT_NONCE_LEN];
    gpg_err_code_t err;
    int status;

    memset(&c, 0, sizeof c);
    memset(&me, 0, sizeof me);
    c.o = o;
    c.sock = -1;
    /* --wait given: it bounds the wait for the peer too (else 5 minutes). */
    c.wait_ms = cli_net_given(&o->net, OPT_NET_WAIT) ? o->net.wait_ms : CLI_CHAT_WAIT_MS;
    snprintf(c.addr, sizeof c.addr, "%s", o->net.to ? o->net.to : o->net.listen);
    if ((status = cli_catch_stop_signals(&sig_fd)) != EXIT_OK)
        return status;
    seal_clear_detail();
    if ((err = trusted_senders_load(o->recipients[0].path, &c.peers)) ||
        (err = trusted_senders_find(&c.peers, nobody, &none))) {
        status = cli_error(o->recipients[0].path, err);
        goto out;
    }
    if (o->net.to && c.peers.n != 1) {
        cli_errorf("%s: --chat --to needs one peer key, not a directory of %zu",
                   o->recipients[0].path, c.peers.n);
        cli_hint("give -r PEER.pub; a directory is for --listen, to accept any one of them");
        status = EXIT_USAGE;
        goto out;
    }
    if ((status = cli_key_load(&me, o->sender, &pp)) != EXIT_OK)
        goto out;
    c.me = me.key;
    c.s = seal_secure_malloc(sizeof *c.s);
    c.line = seal_secure_malloc(CHAT_TEXT_MAX + 1);
    c.in = malloc(IN_CAP);
    if (!c.s || !c.line || !c.in) {
        status = cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of secure memory"));
        goto out;
    }
    seal_random(nonce, sizeof nonce);
    chat_session_init(c.s, o->net.to ? CHAT_DIALER : CHAT_LISTENER, nonce);
    seal_wipe(nonce, sizeof nonce);
    status = o->net.to ? dial(&c) : await(&c);
out:
    if (c.sock >= 0)
        close(c.sock);
    /* Every exit path comes here, signals included: wipe what the session
     * held. The key is wiped by cli_key_close. */
    seal_secure_free(c.s, sizeof *c.s);
    seal_secure_free(c.line, CHAT_TEXT_MAX + 1);
    free(c.in);
    trusted_senders_free(&c.peers);
    cli_key_close(&me);
    return status;
}
