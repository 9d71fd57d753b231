/* The chat's frames and keys; see chat_frames.h and man/seal.5,
 * TRANSPORT "Chat". */
#include "transport/chat_frames.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/secmem.h"
#include "crypto/crypto.h"
#include "envelope/armor.h"

/* HKDF info strings, each with its NUL (seal(5)). */
static const char info_dialer[] = "seal v2 chat dialer";
static const char info_listener[] = "seal v2 chat listener";
static const char info_frame[] = "seal v2 chat frame";

static const uint8_t zero_nonce[CHAT_NONCE_LEN];

struct chat_keys *chat_keys_new(enum chat_role role)
{
    struct chat_keys *k = seal_secure_malloc(sizeof *k);
    if (!k) {
        seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        return NULL;
    }
    memset(k, 0, sizeof *k);
    k->role = role;
    seal_random(k->mine, sizeof k->mine);
    if (seal_x25519_keypair(k->eph_secret, k->eph_public) != 0) {
        chat_keys_free(k);
        return NULL;
    }
    return k;
}

void chat_keys_free(struct chat_keys *k)
{
    if (!k)
        return;
    seal_sha256_free(k->transcript);
    seal_secure_free(k, sizeof *k);
}

bool chat_can_send(const struct chat_keys *k)
{
    return k->keyed && k->sent_hello && !k->sent_bye;
}

gpg_err_code_t chat_hello_encode(struct chat_keys *k, struct writer *w)
{
    gpg_err_code_t err;

    /* The listener's HELLO answers the dialer's and carries its nonce. */
    if (k->sent_hello || (k->role == CHAT_LISTENER && !k->have_peer))
        return seal_fail(GPG_ERR_INV_STATE, "a HELLO is not due now");
    writer_put_bytes(w, CHAT_LABEL, CHAT_LABEL_LEN);
    writer_put_u8(w, CHAT_HELLO);
    writer_put_bytes(w, k->have_peer ? k->peer : zero_nonce, CHAT_NONCE_LEN);
    writer_put_bytes(w, k->mine, CHAT_NONCE_LEN);
    writer_put_u64(w, 0);
    writer_put_bytes(w, k->eph_public, CHAT_KEY_LEN);
    if ((err = writer_status(w)))
        return err;
    k->sent_hello = true;
    k->send_seq = 1;
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

enum chat_fault chat_hello_receive(struct chat_keys *k, const uint8_t *pt, size_t len)
{
    struct reader r;
    const uint8_t *label, *to, *from, *pub;
    uint8_t type;
    uint64_t seq;

    seal_clear_detail();
    /* The version 1 HELLO had the same first 13 bytes but for the digit:
     * say which version it is rather than "malformed". */
    if (len >= CHAT_LABEL_LEN && memcmp(pt, CHAT_V1_LABEL, CHAT_LABEL_LEN) == 0)
        return fault(CHAT_OLD_VERSION, "the peer speaks seal chat version 1 (an envelope per "
                                       "line); this seal speaks version 2 only");
    reader_init(&r, pt, len);
    if (reader_get_view(&r, CHAT_LABEL_LEN, &label) || memcmp(label, CHAT_LABEL, CHAT_LABEL_LEN) ||
        reader_get_u8(&r, &type))
        return fault(CHAT_MALFORMED, "not a chat HELLO (%zu bytes)", len);
    if (type == CHAT_TEXT || type == CHAT_BYE)
        return fault(CHAT_UNEXPECTED, "the first frame is not a HELLO");
    if (type != CHAT_HELLO)
        return fault(CHAT_MALFORMED, "unknown chat frame type %u", (unsigned)type);
    if (len != CHAT_HELLO_LEN || reader_get_view(&r, CHAT_NONCE_LEN, &to) ||
        reader_get_view(&r, CHAT_NONCE_LEN, &from) || reader_get_u64(&r, &seq) ||
        reader_get_view(&r, CHAT_KEY_LEN, &pub) || reader_expect_end(&r)) {
        seal_clear_detail();
        return fault(CHAT_MALFORMED, "a HELLO of %zu bytes, not %d", len, CHAT_HELLO_LEN);
    }
    /* C3 before C4: a reflected HELLO is also of "another session", but
     * saying which attack it is helps whoever reads the error. */
    if (seal_ct_equal(from, k->mine, CHAT_NONCE_LEN))
        return fault(CHAT_REFLECTED, "the HELLO carries our own session nonce: it was reflected "
                                     "back");
    if (k->have_peer)
        return fault(CHAT_UNEXPECTED, "a second HELLO");
    if (!seal_ct_equal(to, k->role == CHAT_DIALER ? k->mine : zero_nonce, CHAT_NONCE_LEN))
        return fault(CHAT_OTHER_SESSION, "the peer's HELLO belongs to another session (replayed?)");
    if (seq != 0)
        return fault(CHAT_GAP, "the peer's HELLO has seq %llu, not 0", (unsigned long long)seq);
    memcpy(k->peer, from, CHAT_NONCE_LEN);
    memcpy(k->peer_public, pub, CHAT_KEY_LEN);
    k->have_peer = true;
    k->recv_seq = 1;
    return CHAT_OK;
}

gpg_err_code_t chat_hello_frame(struct chat_keys *k, const uint8_t *frame, size_t len)
{
    gpg_err_code_t err;
    if (k->hellos >= 2)
        return seal_fail(GPG_ERR_INV_STATE, "a third HELLO in the transcript");
    if (!k->transcript && (err = seal_sha256_new(&k->transcript)))
        return err;
    seal_sha256_update(k->transcript, frame, len);
    k->hellos++;
    return 0;
}

enum chat_fault chat_derive(struct chat_keys *k)
{
    /* shared secret, PRK, TH: one secure block wiped on every path. */
    uint8_t *tmp = seal_secure_malloc(3 * 32);
    uint8_t *shared = tmp, *prk = tmp + 32, *th = tmp + 64;
    uint8_t *dialer, *listener;
    enum chat_fault f = CHAT_OK;
    gpg_err_code_t err;

    if (!tmp || k->hellos != 2 || !k->have_peer || k->keyed) {
        f = fault(CHAT_UNEXPECTED, "%s", tmp ? "the keys are not due now" : "out of secure memory");
        goto out;
    }
    seal_sha256_final(k->transcript, th);
    k->transcript = NULL;
    err = seal_x25519(k->eph_secret, k->peer_public, shared);
    if (err == GPG_ERR_BAD_PUBKEY) {
        f = fault(CHAT_LOW_ORDER, "the peer's X25519 key is of low order (an all-zero secret)");
        goto out;
    }
    dialer = k->role == CHAT_DIALER ? k->send_chain : k->recv_chain;
    listener = k->role == CHAT_DIALER ? k->recv_chain : k->send_chain;
    if (err || (err = seal_hkdf_extract(SEAL_HASH_SHA256, th, 32, shared, 32, prk)) ||
        (err = seal_hkdf_expand(SEAL_HASH_SHA256, prk, 32, info_dialer, sizeof info_dialer, dialer,
                                CHAT_KEY_LEN)) ||
        (err = seal_hkdf_expand(SEAL_HASH_SHA256, prk, 32, info_listener, sizeof info_listener,
                                listener, CHAT_KEY_LEN))) {
        f = fault(CHAT_MALFORMED, "the session keys could not be derived");
        goto out;
    }
    k->keyed = true;
out:
    /* The ephemeral secret goes whatever happened: it is never used again. */
    seal_wipe(k->eph_secret, sizeof k->eph_secret);
    seal_wipe(k->peer_public, sizeof k->peer_public);
    seal_secure_free(tmp, 3 * 32);
    return f;
}

/* The key of the frame at the head of CHAIN and the next chain key, which
 * replaces it: K_n || CK_n+1 = HKDF-Expand(CK_n, "seal v2 chat frame" 00,
 * 64). KEY is CHAT_KEY_LEN bytes of the caller's secure memory. */
static gpg_err_code_t chain_step(uint8_t chain[CHAT_KEY_LEN], uint8_t key[CHAT_KEY_LEN])
{
    uint8_t *okm = seal_secure_malloc(2 * CHAT_KEY_LEN);
    gpg_err_code_t err;
    if (!okm)
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    err = seal_hkdf_expand(SEAL_HASH_SHA256, chain, CHAT_KEY_LEN, info_frame, sizeof info_frame,
                           okm, 2 * CHAT_KEY_LEN);
    if (!err) {
        memcpy(key, okm, CHAT_KEY_LEN);
        memcpy(chain, okm + CHAT_KEY_LEN, CHAT_KEY_LEN);
    }
    seal_secure_free(okm, 2 * CHAT_KEY_LEN);
    return err;
}

static void frame_nonce(uint64_t seq, uint8_t nonce[SEAL_AEAD_NONCE_LEN])
{
    memset(nonce, 0, SEAL_AEAD_NONCE_LEN);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
}

/* AES-256-GCM of LEN bytes IN -> OUT under KEY (wiped after), in place or
 * not; DECRYPT checks TAG (GPG_ERR_CHECKSUM). */
static gpg_err_code_t frame_aead(bool decrypt, uint8_t key[CHAT_KEY_LEN], uint64_t seq,
                                 const uint8_t *aad, const uint8_t *in, size_t len, uint8_t *out,
                                 uint8_t *tag)
{
    struct seal_aead *a = NULL;
    uint8_t nonce[SEAL_AEAD_NONCE_LEN];
    gpg_err_code_t err = seal_aead_new(key, &a);
    seal_wipe(key, CHAT_KEY_LEN);
    if (err)
        return err;
    frame_nonce(seq, nonce);
    err = decrypt ? seal_aead_decrypt(a, nonce, aad, CHAT_FRAME_HEAD, in, len, out, tag)
                  : seal_aead_encrypt(a, nonce, aad, CHAT_FRAME_HEAD, in, len, out, tag);
    seal_aead_free(a);
    return err;
}

gpg_err_code_t chat_frame_seal(struct chat_keys *k, enum chat_type type, const uint8_t *text,
                               size_t len, struct writer *w)
{
    uint8_t *bin = NULL, *key = NULL;
    uint8_t saved[CHAT_KEY_LEN];
    struct armor_encoder *enc = NULL;
    struct writer head;
    gpg_err_code_t err;

    if (type != CHAT_TEXT && type != CHAT_BYE)
        return seal_fail(GPG_ERR_INV_ARG, "chat frame type %d is not sealed this way", (int)type);
    if (!chat_can_send(k))
        return seal_fail(GPG_ERR_INV_STATE, "the session is not open for %s",
                         type == CHAT_TEXT ? "text" : "a goodbye");
    if (type == CHAT_BYE)
        len = 0;
    if (len > CHAT_TEXT_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "a line of %zu bytes (at most %d)", len, CHAT_TEXT_MAX);
    if (len && memchr(text, '\n', len))
        return seal_fail(GPG_ERR_INV_DATA, "a line break inside a line");
    bin = seal_secure_malloc(CHAT_BINARY_MAX);
    key = seal_secure_malloc(CHAT_KEY_LEN);
    if (!bin || !key) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
        goto out;
    }
    writer_init_buffer(&head, bin, CHAT_FRAME_HEAD);
    writer_put_bytes(&head, CHAT_LABEL, CHAT_LABEL_LEN);
    writer_put_u8(&head, (uint8_t)type);
    writer_put_u64(&head, k->send_seq);
    /* Step a copy: the chain moves only once the frame is written. */
    memcpy(saved, k->send_chain, CHAT_KEY_LEN);
    if ((err = writer_status(&head)) || (err = chain_step(saved, key)) ||
        (err = frame_aead(false, key, k->send_seq, bin, text, len, bin + CHAT_FRAME_HEAD,
                          bin + CHAT_FRAME_HEAD + len)))
        goto out;
    if ((err = armor_encoder_new(writer_sink(w), &enc)) ||
        (err = armor_encoder_write(enc, bin, CHAT_FRAME_HEAD + len + CHAT_TAG_LEN)) ||
        (err = armor_encoder_finish(enc)) || (err = writer_status(w)))
        goto out;
    memcpy(k->send_chain, saved, CHAT_KEY_LEN);
    k->send_seq++;
    if (type == CHAT_BYE)
        k->sent_bye = true;
out:
    seal_wipe(saved, sizeof saved);
    armor_encoder_free(enc);
    seal_secure_free(bin, CHAT_BINARY_MAX);
    seal_secure_free(key, CHAT_KEY_LEN);
    return err;
}

/* Decodes the armor FRAME (LEN bytes) into BIN (CHAT_BINARY_MAX bytes):
 * the binary length, or 0 (with a detail) when it is not one armor block
 * of at most CHAT_BINARY_MAX bytes. */
static size_t unarmor(const uint8_t *frame, size_t len, uint8_t *bin)
{
    struct reader src;
    struct armor_decoder *d = NULL;
    size_t total = 0, got;
    uint8_t extra;
    gpg_err_code_t err;

    reader_init(&src, frame, len);
    if (armor_decoder_new(reader_source(&src), NULL, 0, &d))
        return 0;
    while ((err = armor_decoder_read(d, bin + total, CHAT_BINARY_MAX - total, &got)) == 0 && got) {
        total += got;
        if (total == CHAT_BINARY_MAX)
            break;
    }
    /* Full: one more byte means too long. */
    if (!err && total == CHAT_BINARY_MAX && armor_decoder_read(d, &extra, 1, &got) == 0 && got)
        err = GPG_ERR_TOO_LARGE;
    armor_decoder_free(d);
    return err ? 0 : total;
}

enum chat_fault chat_frame_open(struct chat_keys *k, const uint8_t *frame, size_t len,
                                uint8_t *text, struct chat_event *ev)
{
    uint8_t *bin = seal_secure_malloc(CHAT_BINARY_MAX);
    uint8_t *key = seal_secure_malloc(CHAT_KEY_LEN);
    uint8_t chain[CHAT_KEY_LEN];
    struct reader r;
    const uint8_t *label;
    uint8_t type = 0;
    uint64_t seq = 0;
    size_t n, text_len;
    enum chat_fault f = CHAT_OK;

    memset(ev, 0, sizeof *ev);
    seal_clear_detail();
    if (!bin || !key) {
        f = fault(CHAT_MALFORMED, "out of secure memory");
        goto out;
    }
    /* C2, the layout; an envelope here (a HELLO, or a version 1 frame) has
     * no chat label. */
    if (!(n = unarmor(frame, len, bin))) {
        seal_clear_detail();
        f = fault(CHAT_MALFORMED, "not one armor block of at most %d bytes", CHAT_BINARY_MAX);
        goto out;
    }
    reader_init(&r, bin, n);
    if (reader_get_view(&r, CHAT_LABEL_LEN, &label) || memcmp(label, CHAT_LABEL, CHAT_LABEL_LEN) ||
        reader_get_u8(&r, &type) || reader_get_u64(&r, &seq) ||
        reader_remaining(&r) < CHAT_TAG_LEN) {
        seal_clear_detail();
        f = fault(CHAT_MALFORMED, "not a chat frame (%zu bytes)", n);
        goto out;
    }
    text_len = reader_remaining(&r) - CHAT_TAG_LEN;
    if (type < CHAT_HELLO || type > CHAT_BYE) {
        f = fault(CHAT_MALFORMED, "unknown chat frame type %u", (unsigned)type);
        goto out;
    }
    if (type == CHAT_BYE && text_len) {
        f = fault(CHAT_MALFORMED, "%zu bytes of text in a BYE", text_len);
        goto out;
    }
    if (text_len > CHAT_TEXT_MAX) {
        f = fault(CHAT_MALFORMED, "a line of %zu bytes (at most %d)", text_len, CHAT_TEXT_MAX);
        goto out;
    }
    /* C6 */
    if (!k->keyed) {
        f = fault(CHAT_UNEXPECTED, "a frame (seq %llu) before the HELLOs", (unsigned long long)seq);
        goto out;
    }
    if (k->peer_bye) {
        f = fault(CHAT_UNEXPECTED, "a frame (seq %llu) after the peer's goodbye",
                  (unsigned long long)seq);
        goto out;
    }
    if (type == CHAT_HELLO) {
        f = fault(CHAT_UNEXPECTED, "a second HELLO (seq %llu)", (unsigned long long)seq);
        goto out;
    }
    /* C5 */
    if (seq < k->recv_seq) {
        f = fault(CHAT_REPLAYED, "frame %llu arrived again (replayed; expected %llu)",
                  (unsigned long long)seq, (unsigned long long)k->recv_seq);
        goto out;
    }
    if (seq > k->recv_seq) {
        f = fault(CHAT_GAP,
                  "frame %llu arrived when %llu was due: a frame was dropped or the frames "
                  "were reordered",
                  (unsigned long long)seq, (unsigned long long)k->recv_seq);
        goto out;
    }
    /* C1: only the peer's chain at this position opens it. */
    memcpy(chain, k->recv_chain, CHAT_KEY_LEN);
    if (chain_step(chain, key) || frame_aead(true, key, seq, bin, bin + CHAT_FRAME_HEAD, text_len,
                                             text, bin + CHAT_FRAME_HEAD + text_len)) {
        seal_clear_detail();
        f = fault(CHAT_FORGED,
                  "frame %llu does not verify under the peer's key chain (forged, sealed for "
                  "the other direction, reflected, or from another session)",
                  (unsigned long long)seq);
        goto out;
    }
    if (text_len && memchr(text, '\n', text_len)) {
        seal_wipe(text, text_len);
        f = fault(CHAT_MALFORMED, "a line break inside a line");
        goto out;
    }
    memcpy(k->recv_chain, chain, CHAT_KEY_LEN);
    k->recv_seq++;
    if (type == CHAT_BYE)
        k->peer_bye = true;
    ev->type = (enum chat_type)type;
    ev->seq = seq;
    ev->text_len = text_len;
out:
    seal_wipe(chain, sizeof chain);
    seal_secure_free(bin, CHAT_BINARY_MAX);
    seal_secure_free(key, CHAT_KEY_LEN);
    return f;
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
    case CHAT_FORGED:
        return "a frame that does not verify";
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
    case CHAT_LOW_ORDER:
        return "low-order X25519 key";
    case CHAT_OLD_VERSION:
        return "chat version 1";
    }
    return "fault";
}
