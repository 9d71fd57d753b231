/* The chat session engine; see chat_session.h and man/seal.5, TRANSPORT
 * "Chat". */
#include "transport/chat_session.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/secmem.h"
#include "envelope/envelope.h"
#include "transport/wire.h"

/* What the peer sent and we have not yet taken as a frame. */
#define IN_CAP (CHAT_FRAME_MAX + WIRE_LINE_MAX)
/* The refusals a listener sends (seal(5)); CHAT_REFUSE_STRANGER in
 * chat_session.h. */
#define REFUSE_VERSION_1 "seal chat version 1 is not accepted; this peer speaks version 2"

struct chat_session {
    const struct chat_config *cfg;
    const struct chat_ui *ui;
    struct chat_result *res;
    const struct trusted_sender *peer; /* who we talk to, once known */
    int sock;
    struct chat_keys *k; /* secure memory: nonces, ephemeral keys, chains */
    uint8_t *in;         /* IN_CAP bytes (ciphertext) */
    size_t in_len;
    uint8_t *frame; /* CHAT_FRAME_MAX bytes: the frame being judged */
    uint8_t *text;  /* CHAT_TEXT_MAX bytes of secure memory: a line received */
    bool input_done;
    int64_t bye_deadline; /* after our BYE: how long we wait for the peer's */
};

/* ---- results and notes ---------------------------------------------------- */

static bool over(const struct chat_session *s)
{
    return s->res->end != CHAT_END_NONE;
}

/* Ends the session as END with WHY (the first end wins). */
static void finish(struct chat_session *s, enum chat_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void finish(struct chat_session *s, enum chat_end end, const char *fmt, ...)
{
    va_list ap;
    if (over(s))
        return;
    s->res->end = end;
    va_start(ap, fmt);
    vsnprintf(s->res->why, sizeof s->res->why, fmt, ap);
    va_end(ap);
}

static const char *detail_or(gpg_err_code_t err)
{
    return seal_detail() ? seal_detail() : gpg_strerror(err);
}

static void note(struct chat_session *s, enum chat_note_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct chat_session *s, enum chat_note_kind kind, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    s->ui->on_note(s->ui->ctx, kind, text);
}

/* Ends the session on the local or envelope error ERR (with its detail). */
static void failed(struct chat_session *s, gpg_err_code_t err)
{
    if (over(s))
        return;
    finish(s, CHAT_END_FAILED, "%s", detail_or(err));
    s->res->err = err;
}

/* A frame that broke the session (seal(5) C1..C7). */
static void broken(struct chat_session *s, const char *what)
{
    finish(s, CHAT_END_BROKEN, "%s: %s; the chat is over", what,
           seal_detail() ? seal_detail() : "no detail");
}

/* ---- the connection ----------------------------------------------------------- */

/* Reads what the peer sent (waiting until DEADLINE for at least a byte).
 * GPG_ERR_EOF when the peer closed. */
static gpg_err_code_t fill(struct chat_session *s, int64_t deadline)
{
    size_t got;
    if (s->in_len == IN_CAP)
        return seal_fail(GPG_ERR_TOO_LARGE, "a frame longer than %d bytes", CHAT_FRAME_MAX);
    gpg_err_code_t err =
        net_read(s->sock, s->in + s->in_len, IN_CAP - s->in_len, s->cfg->stop_fd, deadline, &got);
    if (err)
        return err;
    if (got == 0)
        return GPG_ERR_EOF;
    s->in_len += got;
    return 0;
}

/* Takes the first complete frame out of the input into s->frame: 0 with
 * *LEN, GPG_ERR_TRUNCATED if none is complete yet, GPG_ERR_TOO_LARGE. */
static gpg_err_code_t take_frame(struct chat_session *s, size_t *len)
{
    gpg_err_code_t err = chat_frame_end(s->in, s->in_len, len);
    if (err)
        return err;
    memcpy(s->frame, s->in, *len);
    memmove(s->in, s->in + *len, s->in_len - *len);
    s->in_len -= *len;
    return 0;
}

/* If the peer's bytes hold a complete reply line "ERR ...", fills REASON
 * ("perm ..." or "temp ..."). */
static bool refused(const struct chat_session *s, char reason[WIRE_REASON_MAX + 6])
{
    struct wire_reply r;
    const uint8_t *lf = memchr(s->in, '\n', s->in_len);
    if (s->in_len < 4 || memcmp(s->in, "ERR ", 4) != 0 || !lf)
        return false;
    if (wire_parse_reply(s->in, (size_t)(lf - s->in) + 1, &r) != 0 || r.kind == WIRE_OK) {
        seal_clear_detail();
        return false;
    }
    snprintf(reason, WIRE_REASON_MAX + 6, "%s %s", r.kind == WIRE_ERR_TEMP ? "temp" : "perm",
             r.reason);
    return true;
}

static gpg_err_code_t send_bytes(struct chat_session *s, const void *p, size_t n)
{
    return net_write_all(s->sock, p, n, net_now_ms() + s->cfg->wait_ms);
}

/* ---- the handshake ------------------------------------------------------------ */

/* Seals our HELLO to the peer, records it in the transcript and sends it. */
static gpg_err_code_t send_hello(struct chat_session *s)
{
    struct writer plain, frame;
    struct reader src;
    const struct seal_key *rcpt[1] = {s->peer->key};
    struct seal_request req;
    gpg_err_code_t err;

    writer_init(&plain, CHAT_HELLO_LEN, true);
    writer_init(&frame, CHAT_FRAME_MAX, false);
    if ((err = chat_hello_encode(s->k, &plain)))
        goto out;
    reader_init(&src, writer_data(&plain), writer_len(&plain));
    memset(&req, 0, sizeof req);
    req.recipients = rcpt;
    req.n_recipients = 1;
    req.sender = s->cfg->me;
    req.armor = true;
    req.in = reader_source(&src);
    req.out = writer_sink(&frame);
    if ((err = envelope_seal(&req)) ||
        (err = chat_hello_frame(s->k, writer_data(&frame), writer_len(&frame))))
        goto out;
    err = send_bytes(s, writer_data(&frame), writer_len(&frame));
out:
    writer_free(&plain);
    writer_free(&frame);
    return err;
}

/* How a peer's first frame failed, for the listener's refusal. */
enum hello_status {
    HELLO_OK,
    HELLO_REFUSED_BY_PEER,
    HELLO_BAD,
    HELLO_OLD,
    HELLO_GONE,
    HELLO_LOCAL
};

/* Waits until DEADLINE for the peer's HELLO, opens it with every trusted
 * key and judges it; on success the peer is known and the HELLO recorded.
 * On failure the session's result is set (s->res). */
static enum hello_status take_hello(struct chat_session *s, int64_t deadline)
{
    struct writer plain;
    struct reader src;
    struct unseal_request req;
    struct envelope_info info;
    char reason[WIRE_REASON_MAX + 6];
    enum chat_fault f;
    size_t len = 0;
    gpg_err_code_t err;
    enum hello_status st = HELLO_BAD;

    /* Room for a version 1 HELLO too, to name its version. */
    writer_init(&plain, CHAT_HELLO_LEN + 64, true);
    while ((err = take_frame(s, &len)) == GPG_ERR_TRUNCATED) {
        if (refused(s, reason)) {
            finish(s, CHAT_END_REFUSED, "refused: ERR %s", reason);
            st = HELLO_REFUSED_BY_PEER;
            goto out;
        }
        if ((err = fill(s, deadline))) {
            if (err == GPG_ERR_CANCELED)
                finish(s, CHAT_END_STOPPED, "interrupted");
            else if (err == GPG_ERR_EOF)
                finish(s, CHAT_END_LOST, "the peer closed the connection before saying hello");
            else if (err == GPG_ERR_TIMEOUT)
                finish(s, CHAT_END_LOST, "no hello from the peer in time");
            else
                finish(s, CHAT_END_LOST, "%s", detail_or(err));
            st = HELLO_GONE;
            goto out;
        }
    }
    if (err) {
        failed(s, err);
        goto out;
    }
    seal_clear_detail();
    reader_init(&src, s->frame, len);
    memset(&req, 0, sizeof req);
    memset(&info, 0, sizeof info);
    req.recipient = s->cfg->me;
    req.senders = s->cfg->peers;
    req.in = reader_source(&src);
    req.out = writer_sink(&plain);
    if ((err = envelope_unseal(&req, &info)) || (err = writer_status(&plain))) {
        /* The envelope's own status (untrusted, forged, not for us...). */
        failed(s, err);
        goto out;
    }
    f = chat_hello_receive(s->k, writer_data(&plain), writer_len(&plain));
    if (f != CHAT_OK) {
        finish(s, CHAT_END_BROKEN, "%s: %s", chat_fault_name(f),
               seal_detail() ? seal_detail() : "");
        st = f == CHAT_OLD_VERSION ? HELLO_OLD : HELLO_BAD;
        goto out;
    }
    if ((err = trusted_senders_find(s->cfg->peers, info.sender_fpr, &s->peer)) || !s->peer) {
        failed(s, err ? err : seal_fail(GPG_ERR_NOT_TRUSTED, "the sender's key is not trusted"));
        goto out;
    }
    if ((err = chat_hello_frame(s->k, s->frame, len))) {
        failed(s, err);
        st = HELLO_LOCAL;
        goto out;
    }
    st = HELLO_OK;
out:
    writer_free(&plain);
    return st;
}

/* Both HELLOs are in: derive the chains (the ephemeral secret goes). */
static bool keyed(struct chat_session *s)
{
    enum chat_fault f = chat_derive(s->k);
    if (f != CHAT_OK)
        broken(s, chat_fault_name(f));
    return f == CHAT_OK;
}

/* ---- the open session --------------------------------------------------------- */

static gpg_err_code_t send_frame(struct chat_session *s, enum chat_type type, const uint8_t *text,
                                 size_t len)
{
    struct writer w;
    gpg_err_code_t err;
    writer_init(&w, CHAT_FRAME_MAX, false);
    if (!(err = chat_frame_seal(s->k, type, text, len, &w)))
        err = send_bytes(s, writer_data(&w), writer_len(&w));
    writer_free(&w);
    return err;
}

gpg_err_code_t chat_say(struct chat_session *s, const uint8_t *text, size_t len)
{
    gpg_err_code_t err;
    if (over(s))
        return GPG_ERR_INV_STATE;
    seal_clear_detail();
    if ((err = send_frame(s, CHAT_TEXT, text, len)))
        finish(s, CHAT_END_LOST, "connection lost: %s", detail_or(err));
    return err;
}

static void say_bye(struct chat_session *s)
{
    gpg_err_code_t err;
    if (s->k->sent_bye || over(s))
        return;
    seal_clear_detail();
    if ((err = send_frame(s, CHAT_BYE, NULL, 0))) {
        finish(s, CHAT_END_LOST, "connection lost: %s", detail_or(err));
        return;
    }
    s->bye_deadline = net_now_ms() + s->cfg->wait_ms;
}

void chat_end_input(struct chat_session *s)
{
    s->input_done = true;
    say_bye(s);
}

/* Judges one frame of the open session. */
static void on_frame(struct chat_session *s, size_t len)
{
    struct chat_event ev;
    gpg_err_code_t err;
    enum chat_fault f = chat_frame_open(s->k, s->frame, len, s->text, &ev);

    if (f != CHAT_OK) {
        broken(s, chat_fault_name(f));
        return;
    }
    if (ev.type == CHAT_TEXT) {
        s->ui->on_text(s->ui->ctx, s->peer->name, s->text, ev.text_len);
        seal_wipe(s->text, ev.text_len);
    } else if (ev.type == CHAT_BYE) {
        note(s, CHAT_NOTE_INFO, "%s said goodbye", s->peer->name);
        if (!s->k->sent_bye && (err = send_frame(s, CHAT_BYE, NULL, 0)))
            note(s, CHAT_NOTE_WARNING, "%s: could not say goodbye: %s", s->res->addr,
                 detail_or(err));
        finish(s, CHAT_END_DONE, "both goodbyes");
    }
}

/* Takes every complete frame the peer sent. */
static void on_socket(struct chat_session *s)
{
    size_t len;
    gpg_err_code_t err = fill(s, net_now_ms());
    if (err == GPG_ERR_TIMEOUT || err == GPG_ERR_CANCELED)
        return;
    if (err == GPG_ERR_EOF) {
        s->res->maybe_unsent = true;
        finish(s, CHAT_END_LOST, "the connection dropped %swithout a goodbye from %s",
               s->in_len ? "inside a frame, " : "", s->peer->name);
        return;
    }
    if (err && err != GPG_ERR_TOO_LARGE) {
        finish(s, CHAT_END_LOST, "%s", detail_or(err));
        return;
    }
    while (!over(s) && (err = take_frame(s, &len)) == 0)
        on_frame(s, len);
    if (!over(s) && err == GPG_ERR_TOO_LARGE)
        broken(s, "an oversized frame");
}

static void converse(struct chat_session *s)
{
    size_t len;
    gpg_err_code_t err;

    note(s, CHAT_NOTE_INFO, "chatting with %s at %s; end with a line 'exit' or end of input",
         s->peer->name, s->res->addr);
    /* Frames that came with the HELLO. */
    while (!over(s) && (err = take_frame(s, &len)) == 0)
        on_frame(s, len);
    while (!over(s)) {
        bool reading = !s->input_done && s->ui->input_fd >= 0;
        struct pollfd p[3] = {{s->cfg->stop_fd, POLLIN, 0},
                              {s->sock, POLLIN, 0},
                              {reading ? s->ui->input_fd : -1, POLLIN, 0}};
        int timeout = -1;
        if (s->k->sent_bye) {
            int64_t left = s->bye_deadline - net_now_ms();
            if (left <= 0) {
                finish(s, CHAT_END_LOST, "no goodbye from %s within %lld s", s->peer->name,
                       (long long)(s->cfg->wait_ms / 1000));
                break;
            }
            timeout = left > 60000 ? 60000 : (int)left;
        }
        if (poll(p, 3, timeout) < 0) {
            if (errno == EINTR)
                continue;
            failed(s, seal_fail(seal_errno_code(), "poll: %s", strerror(errno)));
            break;
        }
        if (p[0].revents & POLLIN) {
            note(s, CHAT_NOTE_INFO, "interrupted; saying goodbye");
            say_bye(s);
            finish(s, CHAT_END_STOPPED, "interrupted");
        } else if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            on_socket(s);
        } else if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            s->ui->on_input(s->ui->ctx, s);
        }
    }
}

/* ---- starting a session --------------------------------------------------------- */

static void dial(struct chat_session *s)
{
    gpg_err_code_t err;

    s->peer = &s->cfg->peers->v[0];
    if ((err = net_connect(s->cfg->to, net_now_ms() + s->cfg->connect_ms, &s->sock))) {
        finish(s, CHAT_END_LOST, "%s", detail_or(err));
        return;
    }
    net_peer_name(s->sock, s->res->addr);
    if ((err = send_hello(s))) {
        finish(s, CHAT_END_LOST, "%s", detail_or(err));
        return;
    }
    if (take_hello(s, net_now_ms() + s->cfg->wait_ms) != HELLO_OK || !keyed(s))
        return;
    converse(s);
}

/* Refuses a dialer: says so on the wire and in a note, then closes. */
static void refuse(struct chat_session *s, bool old_version)
{
    char line[WIRE_LINE_MAX + 1];
    size_t n =
        wire_format_err(WIRE_ERR_PERM, old_version ? REFUSE_VERSION_1 : CHAT_REFUSE_STRANGER, line);
    note(s, CHAT_NOTE_WARNING, "refused a connection from %s: %s", s->res->addr, s->res->why);
    (void)net_write_all(s->sock, line, n, net_now_ms() + 1000);
    close(s->sock);
    s->sock = -1;
    s->in_len = 0;
    s->peer = NULL;
    s->res->end = CHAT_END_NONE;
    s->res->why[0] = '\0';
}

/* Accepts dialers on FDS until one says a good HELLO (or the wait ends);
 * strangers are refused and the wait goes on. */
static void accept_peer(struct chat_session *s, const int *fds, size_t n)
{
    struct pollfd p[NET_MAX_LISTEN + 1];
    int64_t deadline = net_now_ms() + s->cfg->wait_ms;

    while (!over(s) && s->sock < 0) {
        int64_t left = deadline - net_now_ms();
        if (left <= 0) {
            finish(s, CHAT_END_LOST, "no peer connected within %lld s",
                   (long long)(s->cfg->wait_ms / 1000));
            return;
        }
        p[0] = (struct pollfd){s->cfg->stop_fd, POLLIN, 0};
        for (size_t i = 0; i < n; i++)
            p[i + 1] = (struct pollfd){fds[i], POLLIN, 0};
        if (poll(p, n + 1, left > 60000 ? 60000 : (int)left) < 0 && errno != EINTR) {
            failed(s, seal_fail(seal_errno_code(), "poll: %s", strerror(errno)));
            return;
        }
        if (p[0].revents & POLLIN) {
            finish(s, CHAT_END_STOPPED, "interrupted");
            return;
        }
        for (size_t i = 0; i < n && s->sock < 0 && !over(s); i++) {
            if (!(p[i + 1].revents & POLLIN) || net_accept(fds[i], &s->sock) != 0)
                continue;
            net_peer_name(s->sock, s->res->addr);
            int64_t hello_by = net_now_ms() + s->cfg->hello_ms;
            enum hello_status st = take_hello(s, hello_by < deadline ? hello_by : deadline);
            if (st == HELLO_OK || st == HELLO_LOCAL || s->res->end == CHAT_END_STOPPED)
                break;
            /* A stranger, a probe, an old seal or garbage: the chat is not
             * theirs; keep waiting for the peer, with fresh keys. */
            refuse(s, st == HELLO_OLD);
            chat_keys_free(s->k);
            if (!(s->k = chat_keys_new(CHAT_LISTENER)))
                failed(s, seal_fail(GPG_ERR_ENOMEM, "out of secure memory"));
        }
    }
}

static void await(struct chat_session *s)
{
    int fds[NET_MAX_LISTEN];
    size_t n = 0;
    char bound[NET_PEER_MAX];
    gpg_err_code_t err;

    if ((err = net_listen(s->cfg->listen, fds, &n))) {
        failed(s, err);
        return;
    }
    /* The address as bound: with port 0 the kernel picked the port. */
    net_local_name(fds[0], bound);
    note(s, CHAT_NOTE_INFO, "waiting on %s for %s (at most %lld s)", bound,
         s->cfg->peers->dir ? "a trusted peer" : s->cfg->peers->v[0].name,
         (long long)(s->cfg->wait_ms / 1000));
    accept_peer(s, fds, n);
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    if (over(s))
        return;
    if ((err = send_hello(s))) {
        finish(s, CHAT_END_LOST, "%s", detail_or(err));
        return;
    }
    if (keyed(s))
        converse(s);
}

void chat_run(const struct chat_config *cfg, const struct chat_ui *ui, struct chat_result *res)
{
    struct chat_session s;

    memset(res, 0, sizeof *res);
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    s.ui = ui;
    s.res = res;
    s.sock = -1;
    snprintf(res->addr, sizeof res->addr, "%s", cfg->to ? cfg->to : cfg->listen);
    seal_clear_detail();
    s.k = chat_keys_new(cfg->to ? CHAT_DIALER : CHAT_LISTENER);
    s.text = seal_secure_malloc(CHAT_TEXT_MAX);
    s.in = malloc(IN_CAP);
    s.frame = malloc(CHAT_FRAME_MAX);
    if (!s.k || !s.text || !s.in || !s.frame) {
        failed(&s, seal_fail(GPG_ERR_ENOMEM, "out of memory"));
    } else if (cfg->to) {
        dial(&s);
    } else {
        await(&s);
    }
    if (s.sock >= 0)
        close(s.sock);
    /* Every end comes here, signals and faults included: the chains, the
     * ephemeral keys and every buffer that held a frame or a line go. */
    chat_keys_free(s.k);
    seal_secure_free(s.text, CHAT_TEXT_MAX);
    if (s.in)
        seal_wipe(s.in, IN_CAP);
    if (s.frame)
        seal_wipe(s.frame, CHAT_FRAME_MAX);
    free(s.in);
    free(s.frame);
}
