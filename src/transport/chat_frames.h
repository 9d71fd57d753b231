/*
 * The chat's frames and keys (man/seal.5, TRANSPORT "Chat", version 2):
 * the HELLO plaintext with its ephemeral X25519 key, the transcript hash,
 * the two HKDF-SHA-256 key chains, and the armored AES-256-GCM TEXT and BYE
 * frames. Pure functions over a struct chat_keys, no I/O: the connection
 * and the HELLO envelopes are the session engine's (transport/chat_session.c).
 *
 * HELLO plaintext (inside an envelope sealed to the peer, signed by us):
 *
 *   offset size
 *        0   13  "seal v2 chat" 00
 *       13    1  type 1 (HELLO)
 *       14   32  to: the receiver's session nonce (zeros in the dialer's HELLO)
 *       46   32  from: the sender's session nonce
 *       78    8  seq (u64) 0
 *       86   32  the sender's ephemeral X25519 public key
 *
 * TEXT and BYE (inside an armor block of their own):
 *
 *        0   13  "seal v2 chat" 00
 *       13    1  type: 2 TEXT, 3 BYE
 *       14    8  seq (u64): 1, 2, ... per direction
 *       22    n  AES-256-GCM ciphertext of the text (BYE: n = 0)
 *     22+n   16  tag; AAD bytes 0..21, nonce 00000000 || seq
 */
#ifndef SEAL_TRANSPORT_CHAT_FRAMES_H
#define SEAL_TRANSPORT_CHAT_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errors.h"
#include "crypto/crypto.h"

#define CHAT_LABEL "seal v2 chat" /* and its NUL: 13 bytes */
#define CHAT_V1_LABEL "seal v1 chat"
#define CHAT_LABEL_LEN 13
#define CHAT_NONCE_LEN 32
#define CHAT_KEY_LEN 32 /* X25519 keys, chain keys, frame keys */
#define CHAT_HELLO_LEN (CHAT_LABEL_LEN + 1 + 2 * CHAT_NONCE_LEN + 8 + CHAT_KEY_LEN)
#define CHAT_TEXT_MAX 4096
#define CHAT_FRAME_HEAD (CHAT_LABEL_LEN + 1 + 8)
#define CHAT_TAG_LEN 16
#define CHAT_BINARY_MAX (CHAT_FRAME_HEAD + CHAT_TEXT_MAX + CHAT_TAG_LEN)
/* One armored frame, BEGIN line to END line and its LF. */
#define CHAT_FRAME_MAX 16384

enum chat_type { CHAT_HELLO = 1, CHAT_TEXT = 2, CHAT_BYE = 3 };
enum chat_role { CHAT_DIALER, CHAT_LISTENER };

/* What is wrong with a frame (seal(5) C1..C7). */
enum chat_fault {
    CHAT_OK = 0,
    CHAT_FORGED,        /* C1: the tag does not verify under the peer's chain */
    CHAT_MALFORMED,     /* C2: not this layout */
    CHAT_REFLECTED,     /* C3: our own nonce as its sender's */
    CHAT_OTHER_SESSION, /* C4: a HELLO of another session (a replay) */
    CHAT_REPLAYED,      /* C5: a sequence number seen before */
    CHAT_GAP,           /* C5: a frame was dropped, or frames reordered */
    CHAT_UNEXPECTED,    /* C6: the wrong type at this point */
    CHAT_LOW_ORDER,     /* C7: an X25519 key that gives an all-zero secret */
    CHAT_OLD_VERSION,   /* a version 1 HELLO: refused, no fallback */
};

/* Both directions of one session: nonces, the ephemeral key pair until the
 * chains exist, then the chains. Every field is secret or binds the
 * session: allocate it in secure memory (chat_keys_new) and free it with
 * chat_keys_free, which wipes it. */
struct chat_keys {
    enum chat_role role;
    uint8_t mine[CHAT_NONCE_LEN];
    uint8_t peer[CHAT_NONCE_LEN];
    uint8_t eph_secret[CHAT_KEY_LEN]; /* wiped once the chains exist */
    uint8_t eph_public[CHAT_KEY_LEN];
    uint8_t peer_public[CHAT_KEY_LEN];
    struct seal_sha256_ctx *transcript; /* SHA-256 of H_d || H_l so far */
    unsigned hellos;                    /* HELLO frames hashed: 0, 1, 2 */
    uint8_t send_chain[CHAT_KEY_LEN], recv_chain[CHAT_KEY_LEN];
    bool have_peer; /* the peer's HELLO was accepted */
    bool keyed;     /* the chains exist */
    bool sent_hello, sent_bye, peer_bye;
    uint64_t send_seq; /* of the next frame we send */
    uint64_t recv_seq; /* expected in the next frame we receive */
};

/* A frame received: its type, seq and text (in the caller's buffer). */
struct chat_event {
    enum chat_type type;
    uint64_t seq;
    size_t text_len;
};

/* A new session for ROLE in secure memory, with a fresh nonce and a fresh
 * ephemeral X25519 key pair; NULL when out of secure memory (or, never
 * expected, when X25519 fails; a detail says which). */
struct chat_keys *chat_keys_new(enum chat_role role);

/* Wipes and frees K (NULL is fine). */
void chat_keys_free(struct chat_keys *k);

/* True once we may send TEXT: the chains exist and we have not said BYE. */
bool chat_can_send(const struct chat_keys *k);

/* Appends our HELLO plaintext (CHAT_HELLO_LEN bytes) to W (a secure
 * writer). GPG_ERR_INV_STATE when a HELLO is not due: a second one, or the
 * listener's before the dialer's was accepted. */
gpg_err_code_t chat_hello_encode(struct chat_keys *k, struct writer *w);

/* Judges the verified plaintext PT (LEN bytes) of the peer's HELLO (C2..C6
 * and the version): CHAT_OK with the peer's nonce and X25519 key taken, or
 * the fault with a detail (seal_detail()); K is unchanged then. */
enum chat_fault chat_hello_receive(struct chat_keys *k, const uint8_t *pt, size_t len);

/* Records the armored bytes of a HELLO frame (FRAME, LEN bytes) as sent or
 * received, the dialer's first and then the listener's: the transcript
 * hash covers both. GPG_ERR_INV_STATE for a third. */
gpg_err_code_t chat_hello_frame(struct chat_keys *k, const uint8_t *frame, size_t len);

/* Derives both chains once both HELLOs are recorded, then wipes the
 * ephemeral secret, the shared secret and the HELLO hashes. CHAT_LOW_ORDER
 * (C7) when the shared secret is all zeros; CHAT_OK otherwise. */
enum chat_fault chat_derive(struct chat_keys *k);

/* Appends our next frame of TYPE (TEXT: LEN bytes at TEXT, at most
 * CHAT_TEXT_MAX, no LF; BYE: none), armored, to W, and steps our chain (the
 * frame key and the old chain key are wiped). GPG_ERR_INV_STATE when TYPE
 * may not be sent now, GPG_ERR_TOO_LARGE / GPG_ERR_INV_DATA for bad text;
 * the chain is not stepped on failure (and W holds no whole frame). */
gpg_err_code_t chat_frame_seal(struct chat_keys *k, enum chat_type type, const uint8_t *text,
                               size_t len, struct writer *w);

/* Opens the peer's next armored frame FRAME (LEN bytes, as chat_frame_end
 * cut it), checking C2, C6, C5, C1 and then C2 on the text: CHAT_OK with EV
 * and the text in TEXT (CHAT_TEXT_MAX bytes, secure memory), the peer's
 * chain stepped; or the fault with a detail, nothing shown, nothing stepped
 * (the caller ends the session). */
enum chat_fault chat_frame_open(struct chat_keys *k, const uint8_t *frame, size_t len,
                                uint8_t *text, struct chat_event *ev);

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
