/*
 * The chat session (man/seal.5, TRANSPORT "Chat"): the plaintext of every
 * frame, the state that binds a session (both nonces, a sequence number per
 * direction) and the checks C2..C6 a receiver makes once a frame's envelope
 * verified (C1 is the envelope's own). Pure functions, no I/O: the
 * connection and the envelopes are the caller's (cli/chat.c).
 *
 *   offset size
 *        0   13  "seal v1 chat" 00
 *       13    1  type: 1 HELLO, 2 TEXT, 3 BYE
 *       14   32  to: the receiver's session nonce (zeros in the dialer's HELLO)
 *       46   32  from: the sender's session nonce
 *       78    8  seq (u64): 0 for HELLO, then one more per frame
 *       86    .  text: TEXT only, 0..CHAT_TEXT_MAX bytes, no LF
 */
#ifndef SEAL_TRANSPORT_CHAT_H
#define SEAL_TRANSPORT_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errors.h"

#define CHAT_LABEL "seal v1 chat" /* and its NUL: 13 bytes */
#define CHAT_LABEL_LEN 13
#define CHAT_NONCE_LEN 32
#define CHAT_HEADER_LEN (CHAT_LABEL_LEN + 1 + 2 * CHAT_NONCE_LEN + 8)
#define CHAT_TEXT_MAX 4096
#define CHAT_PLAIN_MAX (CHAT_HEADER_LEN + CHAT_TEXT_MAX)
/* One armored frame, BEGIN line to END line and its LF. */
#define CHAT_FRAME_MAX 16384

enum chat_type { CHAT_HELLO = 1, CHAT_TEXT = 2, CHAT_BYE = 3 };
enum chat_role { CHAT_DIALER, CHAT_LISTENER };

/* What is wrong with a frame (seal(5) C2..C6). */
enum chat_fault {
    CHAT_OK = 0,
    CHAT_MALFORMED,     /* C2: not this layout */
    CHAT_REFLECTED,     /* C3: our own nonce as its sender's */
    CHAT_OTHER_SESSION, /* C4: nonces of another session (a replay) */
    CHAT_REPLAYED,      /* C5: a sequence number seen before */
    CHAT_GAP,           /* C5: a frame was dropped, or frames reordered */
    CHAT_UNEXPECTED,    /* C6: the wrong type at this point */
};

/* Both directions of one session. Holds the session's nonces: keep it in
 * secure memory and wipe it (seal_wipe) when the session ends. */
struct chat_session {
    enum chat_role role;
    uint8_t mine[CHAT_NONCE_LEN];
    uint8_t peer[CHAT_NONCE_LEN];
    bool have_peer; /* the peer's HELLO was accepted */
    bool sent_hello, sent_bye, peer_bye;
    uint64_t send_seq; /* of the next frame we send */
    uint64_t recv_seq; /* expected in the next frame we receive */
};

/* A frame received, its text pointing into the plaintext given. */
struct chat_event {
    enum chat_type type;
    uint64_t seq;
    const uint8_t *text;
    size_t text_len;
};

/* Starts a session with our fresh random NONCE. */
void chat_session_init(struct chat_session *s, enum chat_role role,
                       const uint8_t nonce[CHAT_NONCE_LEN]);

/* True once we may send TEXT: the HELLOs are exchanged and we have not
 * said BYE. */
bool chat_can_send(const struct chat_session *s);

/* Appends the plaintext of our next frame of TYPE (TEXT: LEN bytes at
 * TEXT, at most CHAT_TEXT_MAX, no LF) to W and counts it. GPG_ERR_INV_STATE
 * (with a detail) when TYPE may not be sent now (a HELLO twice or, by the
 * listener, before the dialer's; TEXT or BYE before the HELLOs or after our
 * BYE), GPG_ERR_TOO_LARGE / GPG_ERR_INV_DATA for bad text. Nothing is
 * appended or counted on failure. */
gpg_err_code_t chat_encode(struct chat_session *s, enum chat_type type, const uint8_t *text,
                           size_t len, struct writer *w);

/* Judges the verified plaintext PT (LEN bytes) of the peer's next frame:
 * CHAT_OK with EV filled (and the session advanced), or the fault (with a
 * detail, seal_detail()); the session is not advanced then, and the caller
 * ends it. */
enum chat_fault chat_receive(struct chat_session *s, const uint8_t *pt, size_t len,
                             struct chat_event *ev);

/* Finds the end of the first armored frame in BUF (LEN bytes): 0 with
 * *FRAME_LEN (through the LF of the END line); GPG_ERR_TRUNCATED when more
 * bytes are needed; GPG_ERR_TOO_LARGE when the frame is (or would be)
 * longer than CHAT_FRAME_MAX. */
gpg_err_code_t chat_frame_end(const uint8_t *buf, size_t len, size_t *frame_len);

/* The longest escaped form of N bytes, with its NUL. */
#define CHAT_ESCAPED_MAX(n) (4 * (n) + 1)

/* Writes IN (N bytes) to OUT (CHAT_ESCAPED_MAX(N) bytes) as text that is
 * safe to show on a terminal: printable ASCII and valid UTF-8 characters
 * from U+00A0 stay; every other byte, the C1 controls, the bidirectional
 * controls U+202A..U+202E and U+2066..U+2069 and the separators U+2028 and
 * U+2029 become \xHH per byte; a backslash becomes \\. Returns the length
 * (OUT is NUL-terminated). */
size_t chat_escape(const uint8_t *in, size_t n, char *out);

/* A short name of FAULT for messages ("replayed frame", ...). */
const char *chat_fault_name(enum chat_fault fault);

#endif
