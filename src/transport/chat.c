/* The chat session; see chat.h and man/seal.5, TRANSPORT "Chat". */
#include "transport/chat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/secmem.h"

static const uint8_t zero_nonce[CHAT_NONCE_LEN];

void chat_session_init(struct chat_session *s, enum chat_role role,
                       const uint8_t nonce[CHAT_NONCE_LEN])
{
    memset(s, 0, sizeof *s);
    s->role = role;
    memcpy(s->mine, nonce, CHAT_NONCE_LEN);
}

bool chat_can_send(const struct chat_session *s)
{
    return s->sent_hello && s->have_peer && !s->sent_bye;
}

gpg_err_code_t chat_encode(struct chat_session *s, enum chat_type type, const uint8_t *text,
                           size_t len, struct writer *w)
{
    const uint8_t *to = s->have_peer ? s->peer : zero_nonce;
    gpg_err_code_t err;

    switch (type) {
    case CHAT_HELLO:
        /* The listener's HELLO answers the dialer's and carries its nonce. */
        if (s->sent_hello || (s->role == CHAT_LISTENER && !s->have_peer))
            return seal_fail(GPG_ERR_INV_STATE, "a HELLO is not due now");
        len = 0;
        break;
    case CHAT_TEXT:
        if (!chat_can_send(s))
            return seal_fail(GPG_ERR_INV_STATE, "the session is not open for text");
        if (len > CHAT_TEXT_MAX)
            return seal_fail(GPG_ERR_TOO_LARGE, "a line of %zu bytes (at most %d)", len,
                             CHAT_TEXT_MAX);
        if (len && memchr(text, '\n', len))
            return seal_fail(GPG_ERR_INV_DATA, "a line break inside a line");
        break;
    case CHAT_BYE:
        if (!chat_can_send(s))
            return seal_fail(GPG_ERR_INV_STATE, "the session is not open");
        len = 0;
        break;
    default:
        return seal_fail(GPG_ERR_INV_ARG, "no chat frame type %d", (int)type);
    }
    writer_put_bytes(w, CHAT_LABEL, CHAT_LABEL_LEN);
    writer_put_u8(w, (uint8_t)type);
    writer_put_bytes(w, to, CHAT_NONCE_LEN);
    writer_put_bytes(w, s->mine, CHAT_NONCE_LEN);
    writer_put_u64(w, s->send_seq);
    if (len)
        writer_put_bytes(w, text, len);
    if ((err = writer_status(w)))
        return err;
    s->send_seq++;
    if (type == CHAT_HELLO)
        s->sent_hello = true;
    else if (type == CHAT_BYE)
        s->sent_bye = true;
    return 0;
}

/* Records the detail of fault F. Details are fixed texts and numbers:
 * nothing the peer wrote is echoed. */
static enum chat_fault fault(enum chat_fault f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum chat_fault fault(enum chat_fault f, const char *fmt, ...)
{
    char detail[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    seal_fail(GPG_ERR_INV_DATA, "%s", detail);
    return f;
}

enum chat_fault chat_receive(struct chat_session *s, const uint8_t *pt, size_t len,
                             struct chat_event *ev)
{
    struct reader r;
    const uint8_t *label, *to, *from;
    uint8_t type;
    uint64_t seq;

    memset(ev, 0, sizeof *ev);
    seal_clear_detail();
    reader_init(&r, pt, len);
    if (reader_get_view(&r, CHAT_LABEL_LEN, &label) || memcmp(label, CHAT_LABEL, CHAT_LABEL_LEN) ||
        reader_get_u8(&r, &type) || reader_get_view(&r, CHAT_NONCE_LEN, &to) ||
        reader_get_view(&r, CHAT_NONCE_LEN, &from) || reader_get_u64(&r, &seq)) {
        seal_clear_detail();
        return fault(CHAT_MALFORMED, "not a chat frame (%llu bytes)", (unsigned long long)len);
    }
    size_t text_len = reader_remaining(&r);
    const uint8_t *text = pt + reader_offset(&r);
    if (type < CHAT_HELLO || type > CHAT_BYE)
        return fault(CHAT_MALFORMED, "unknown chat frame type %u", (unsigned)type);
    if (type != CHAT_TEXT && text_len)
        return fault(CHAT_MALFORMED, "%zu bytes of text in a HELLO or BYE", text_len);
    if (text_len > CHAT_TEXT_MAX)
        return fault(CHAT_MALFORMED, "a line of %zu bytes (at most %d)", text_len, CHAT_TEXT_MAX);
    if (text_len && memchr(text, '\n', text_len))
        return fault(CHAT_MALFORMED, "a line break inside a line");
    /* C3 before C4: a reflected frame is also of "another session", but
     * saying which attack it is helps whoever reads the error. */
    if (seal_ct_equal(from, s->mine, CHAT_NONCE_LEN))
        return fault(CHAT_REFLECTED,
                     "frame %llu carries our own session nonce: it was reflected back",
                     (unsigned long long)seq);
    if (s->peer_bye)
        return fault(CHAT_UNEXPECTED, "a frame (seq %llu) after the peer's goodbye",
                     (unsigned long long)seq);
    if (!s->have_peer) {
        if (type != CHAT_HELLO)
            return fault(CHAT_UNEXPECTED, "the first frame is not a HELLO (seq %llu)",
                         (unsigned long long)seq);
        if (s->role == CHAT_DIALER ? !seal_ct_equal(to, s->mine, CHAT_NONCE_LEN)
                                   : !seal_ct_equal(to, zero_nonce, CHAT_NONCE_LEN))
            return fault(CHAT_OTHER_SESSION,
                         "the peer's HELLO belongs to another session (replayed?)");
        if (seq != 0)
            return fault(CHAT_GAP, "the peer's HELLO has seq %llu, not 0", (unsigned long long)seq);
        memcpy(s->peer, from, CHAT_NONCE_LEN);
        s->have_peer = true;
        s->recv_seq = 1;
    } else {
        if (!seal_ct_equal(to, s->mine, CHAT_NONCE_LEN) ||
            !seal_ct_equal(from, s->peer, CHAT_NONCE_LEN))
            return fault(CHAT_OTHER_SESSION,
                         "frame %llu belongs to another session (replayed from an earlier "
                         "chat?)",
                         (unsigned long long)seq);
        if (seq < s->recv_seq)
            return fault(CHAT_REPLAYED, "frame %llu arrived again (replayed; expected %llu)",
                         (unsigned long long)seq, (unsigned long long)s->recv_seq);
        if (seq > s->recv_seq)
            return fault(CHAT_GAP,
                         "frame %llu arrived when %llu was due: a frame was dropped or the "
                         "frames were reordered",
                         (unsigned long long)seq, (unsigned long long)s->recv_seq);
        if (type == CHAT_HELLO)
            return fault(CHAT_UNEXPECTED, "a second HELLO (seq %llu)", (unsigned long long)seq);
        s->recv_seq++;
        if (type == CHAT_BYE)
            s->peer_bye = true;
    }
    ev->type = (enum chat_type)type;
    ev->seq = seq;
    ev->text = text_len ? text : NULL;
    ev->text_len = text_len;
    return CHAT_OK;
}

gpg_err_code_t chat_frame_end(const uint8_t *buf, size_t len, size_t *frame_len)
{
    static const char end[] = "-----END SEALED MESSAGE-----\n";
    const size_t n = sizeof end - 1;
    size_t limit = len < CHAT_FRAME_MAX ? len : CHAT_FRAME_MAX;

    *frame_len = 0;
    for (size_t i = 0; i + n <= limit; i++) {
        /* The END line starts a line: at the start or after an LF. */
        if ((i == 0 || buf[i - 1] == '\n') && memcmp(buf + i, end, n) == 0) {
            *frame_len = i + n;
            return 0;
        }
    }
    if (len >= CHAT_FRAME_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "a frame longer than %d bytes", CHAT_FRAME_MAX);
    return GPG_ERR_TRUNCATED;
}

/* The length of the valid UTF-8 character at P (N bytes left) and its code
 * point, or 0 if none starts there (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static size_t utf8_char(const uint8_t *p, size_t n, uint32_t *cp)
{
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        *cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        *cp = p[0] & 0x0f;
        if (p[0] == 0xe0)
            lo = 0xa0;
        else if (p[0] == 0xed)
            hi = 0x9f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        *cp = p[0] & 0x07;
        if (p[0] == 0xf0)
            lo = 0x90;
        else if (p[0] == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (p[i] & 0x3f);
    }
    return len;
}

static bool shown_as_is(uint32_t cp)
{
    if (cp < 0xa0)
        return false; /* C1 controls (U+0080..U+009F) */
    if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069))
        return false; /* line separators and bidirectional controls */
    return true;
}

size_t chat_escape(const uint8_t *in, size_t n, char *out)
{
    static const char hexd[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint8_t b = in[i];
        uint32_t cp;
        size_t len;
        if (b == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
            i++;
        } else if (b >= 0x20 && b < 0x7f) {
            out[o++] = (char)b;
            i++;
        } else if (b >= 0x80 && (len = utf8_char(in + i, n - i, &cp)) && shown_as_is(cp)) {
            memcpy(out + o, in + i, len);
            o += len;
            i += len;
        } else {
            /* One byte at a time: an invalid sequence's next byte may start
             * a valid character. A C1 or bidi character is escaped whole. */
            size_t k = b >= 0x80 && (len = utf8_char(in + i, n - i, &cp)) ? len : 1;
            for (size_t j = 0; j < k; j++) {
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hexd[in[i + j] >> 4];
                out[o++] = hexd[in[i + j] & 15];
            }
            i += k;
        }
    }
    out[o] = '\0';
    return o;
}

const char *chat_fault_name(enum chat_fault f)
{
    switch (f) {
    case CHAT_OK:
        return "no fault";
    case CHAT_MALFORMED:
        return "malformed frame";
    case CHAT_REFLECTED:
        return "reflected frame";
    case CHAT_OTHER_SESSION:
        return "frame from another session";
    case CHAT_REPLAYED:
        return "replayed frame";
    case CHAT_GAP:
        return "dropped or reordered frame";
    case CHAT_UNEXPECTED:
        return "unexpected frame";
    }
    return "fault";
}
