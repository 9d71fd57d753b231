/* The chat session (seal(5) TRANSPORT "Chat", C2..C6): the handshake, the
 * checks against replayed, reordered, reflected and foreign frames, the
 * frame scanner and the terminal escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/secmem.h"
#include "transport/chat.h"

struct frame {
    uint8_t b[CHAT_PLAIN_MAX];
    size_t n;
};

static void encode(struct chat_session *s, enum chat_type t, const char *text, struct frame *f)
{
    struct writer w;
    writer_init_buffer(&w, f->b, sizeof f->b);
    gpg_err_code_t e = chat_encode(s, t, (const uint8_t *)text, text ? strlen(text) : 0, &w);
    if (e)
        fail_msg("chat_encode: %d (%s)", e, seal_detail() ? seal_detail() : "-");
    f->n = writer_len(&w);
}

static enum chat_fault recv_frame(struct chat_session *s, const struct frame *f,
                                  struct chat_event *ev)
{
    return chat_receive(s, f->b, f->n, ev);
}

/* A dialer D and a listener L with fixed nonces, HELLOs exchanged. */
static void open_pair(struct chat_session *d, struct chat_session *l, uint8_t seed)
{
    uint8_t nd[CHAT_NONCE_LEN], nl[CHAT_NONCE_LEN];
    struct frame f;
    struct chat_event ev;
    memset(nd, seed, sizeof nd);
    memset(nl, seed + 1, sizeof nl);
    chat_session_init(d, CHAT_DIALER, nd);
    chat_session_init(l, CHAT_LISTENER, nl);
    assert_false(chat_can_send(d));
    encode(d, CHAT_HELLO, NULL, &f);
    assert_int_equal(recv_frame(l, &f, &ev), CHAT_OK);
    assert_int_equal(ev.type, CHAT_HELLO);
    encode(l, CHAT_HELLO, NULL, &f);
    assert_int_equal(recv_frame(d, &f, &ev), CHAT_OK);
    assert_true(chat_can_send(d));
    assert_true(chat_can_send(l));
}

static void test_conversation(void **state)
{
    (void)state;
    struct chat_session d, l;
    struct frame f;
    struct chat_event ev;
    open_pair(&d, &l, 1);
    encode(&d, CHAT_TEXT, "hi", &f);
    assert_int_equal(recv_frame(&l, &f, &ev), CHAT_OK);
    assert_int_equal(ev.type, CHAT_TEXT);
    assert_int_equal(ev.seq, 1);
    assert_int_equal(ev.text_len, 2);
    assert_memory_equal(ev.text, "hi", 2);
    encode(&l, CHAT_TEXT, "", &f); /* an empty line is a line */
    assert_int_equal(recv_frame(&d, &f, &ev), CHAT_OK);
    assert_int_equal(ev.text_len, 0);
    encode(&d, CHAT_BYE, NULL, &f);
    assert_false(chat_can_send(&d));
    assert_int_equal(recv_frame(&l, &f, &ev), CHAT_OK);
    assert_int_equal(ev.type, CHAT_BYE);
    assert_int_equal(ev.seq, 2);
    assert_true(l.peer_bye);
    /* The other side may still say what it had in flight, then BYE. */
    encode(&l, CHAT_TEXT, "late", &f);
    assert_int_equal(recv_frame(&d, &f, &ev), CHAT_OK);
    encode(&l, CHAT_BYE, NULL, &f);
    assert_int_equal(recv_frame(&d, &f, &ev), CHAT_OK);
    assert_true(d.peer_bye);
}

static void test_plaintext_layout(void **state)
{
    (void)state;
    struct chat_session d, l;
    struct frame f;
    open_pair(&d, &l, 7);
    encode(&d, CHAT_TEXT, "abc", &f);
    assert_int_equal(f.n, CHAT_HEADER_LEN + 3);
    assert_memory_equal(f.b, "seal v1 chat\0", 13);
    assert_int_equal(f.b[13], CHAT_TEXT);
    for (int i = 0; i < 32; i++) {
        assert_int_equal(f.b[14 + i], 8); /* to: the listener's nonce */
        assert_int_equal(f.b[46 + i], 7); /* from: ours */
    }
    static const uint8_t seq1[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    assert_memory_equal(f.b + 78, seq1, 8);
    assert_memory_equal(f.b + 86, "abc", 3);
}

static void test_replayed(void **state)
{
    (void)state;
    struct chat_session d, l;
    struct frame f1, f2;
    struct chat_event ev;
    open_pair(&d, &l, 1);
    encode(&d, CHAT_TEXT, "one", &f1);
    encode(&d, CHAT_TEXT, "two", &f2);
    assert_int_equal(recv_frame(&l, &f1, &ev), CHAT_OK);
    assert_int_equal(recv_frame(&l, &f1, &ev), CHAT_REPLAYED);
    assert_non_null(seal_detail());
    /* The session did not advance: the real next frame still fits. */
    assert_int_equal(recv_frame(&l, &f2, &ev), CHAT_OK);
}

static void test_reordered_and_dropped(void **state)
{
    (void)state;
    struct chat_session d, l;
    struct frame f1, f2;
    struct chat_event ev;
    open_pair(&d, &l, 1);
    encode(&d, CHAT_TEXT, "one", &f1);
    encode(&d, CHAT_TEXT, "two", &f2);
    assert_int_equal(recv_frame(&l, &f2, &ev), CHAT_GAP);
    assert_int_equal(ev.type, 0); /* nothing of it is handed out */
}

static void test_other_session(void **state)
{
    (void)state;
    struct chat_session d1, l1, d2, l2;
    struct frame f, hello1;
    struct chat_event ev;
    open_pair(&d1, &l1, 1);
    encode(&d1, CHAT_TEXT, "old", &f);
    encode(&l1, CHAT_TEXT, "x", &hello1);
    open_pair(&d2, &l2, 3);
    /* A frame recorded in session 1, replayed into session 2, even at the
     * right sequence number. */
    assert_int_equal(recv_frame(&l2, &f, &ev), CHAT_OTHER_SESSION);
    /* A listener HELLO of another session, to a dialer waiting for one. */
    uint8_t n[CHAT_NONCE_LEN];
    struct chat_session d3, l3;
    memset(n, 9, sizeof n);
    chat_session_init(&d3, CHAT_DIALER, n);
    memset(n, 10, sizeof n);
    chat_session_init(&l3, CHAT_LISTENER, n);
    struct frame h;
    encode(&d3, CHAT_HELLO, NULL, &h);
    struct chat_session dx, lx;
    open_pair(&dx, &lx, 20); /* lx has said HELLO to dx */
    struct frame lh;
    memset(n, 21, sizeof n);
    chat_session_init(&lx, CHAT_LISTENER, n);
    assert_int_equal(recv_frame(&lx, &h, &ev), CHAT_OK); /* lx now answers d3 */
    encode(&lx, CHAT_HELLO, NULL, &lh);
    struct chat_session d4;
    memset(n, 30, sizeof n);
    chat_session_init(&d4, CHAT_DIALER, n);
    encode(&d4, CHAT_HELLO, NULL, &h);
    assert_int_equal(recv_frame(&d4, &lh, &ev), CHAT_OTHER_SESSION);
    /* A dialer HELLO whose "to" is not zero is not a first HELLO. */
    struct chat_session l5;
    chat_session_init(&l5, CHAT_LISTENER, n);
    assert_int_equal(recv_frame(&l5, &lh, &ev), CHAT_OTHER_SESSION);
}

static void test_reflected(void **state)
{
    (void)state;
    struct chat_session d, l;
    struct frame f;
    struct chat_event ev;
    open_pair(&d, &l, 1);
    encode(&d, CHAT_TEXT, "echo", &f);
    assert_int_equal(recv_frame(&d, &f, &ev), CHAT_REFLECTED);
    /* Also the dialer's own HELLO, sent back before any answer. */
    struct chat_session d2;
    uint8_t n[CHAT_NONCE_LEN];
    memset(n, 5, sizeof n);
    chat_session_init(&d2, CHAT_DIALER, n);
    encode(&d2, CHAT_HELLO, NULL, &f);
    assert_int_equal(recv_frame(&d2, &f, &ev), CHAT_REFLECTED);
}

static void test_unexpected(void **state)
{
    (void)state;
    struct chat_session d, l, d2, l2;
    struct frame f, hello;
    struct chat_event ev;
    uint8_t n[CHAT_NONCE_LEN];
    open_pair(&d, &l, 1);
    encode(&d, CHAT_TEXT, "t", &f);
    memset(n, 40, sizeof n);
    chat_session_init(&l2, CHAT_LISTENER, n);
    memset(n, 41, sizeof n);
    chat_session_init(&d2, CHAT_DIALER, n);
    encode(&d2, CHAT_HELLO, NULL, &hello);
    assert_int_equal(recv_frame(&l2, &f, &ev), CHAT_UNEXPECTED); /* TEXT first */
    /* A second HELLO in an open session (re-encoded at the right seq). */
    struct frame h2 = f;
    h2.b[13] = CHAT_HELLO;
    h2.n = CHAT_HEADER_LEN;
    assert_int_equal(recv_frame(&l, &h2, &ev), CHAT_UNEXPECTED);
    /* Anything after the peer's BYE. */
    encode(&d, CHAT_BYE, NULL, &f);
    assert_int_equal(recv_frame(&l, &f, &ev), CHAT_GAP); /* "t" was never received */
    struct chat_session d3, l3;
    struct frame b, t;
    open_pair(&d3, &l3, 50);
    encode(&d3, CHAT_BYE, NULL, &b);
    assert_int_equal(recv_frame(&l3, &b, &ev), CHAT_OK);
    t = b;
    t.b[13] = CHAT_TEXT;
    t.b[85] = 2;
    assert_int_equal(recv_frame(&l3, &t, &ev), CHAT_UNEXPECTED);
}

static void test_malformed(void **state)
{
    (void)state;
    struct chat_session d, l;
    struct frame f, g;
    struct chat_event ev;
    open_pair(&d, &l, 1);
    encode(&d, CHAT_TEXT, "hello", &f);
    /* Every truncation into the fixed part. */
    for (size_t n = 0; n < CHAT_HEADER_LEN; n++)
        assert_int_equal(chat_receive(&l, f.b, n, &ev), CHAT_MALFORMED);
    g = f;
    g.b[0] ^= 1;
    assert_int_equal(recv_frame(&l, &g, &ev), CHAT_MALFORMED); /* label */
    g = f;
    g.b[12] = 'x';
    assert_int_equal(recv_frame(&l, &g, &ev), CHAT_MALFORMED); /* the label's NUL */
    g = f;
    g.b[13] = 0;
    assert_int_equal(recv_frame(&l, &g, &ev), CHAT_MALFORMED);
    g.b[13] = 4;
    assert_int_equal(recv_frame(&l, &g, &ev), CHAT_MALFORMED);
    g = f;
    g.b[13] = CHAT_BYE; /* a BYE with text */
    assert_int_equal(recv_frame(&l, &g, &ev), CHAT_MALFORMED);
    g = f;
    g.b[CHAT_HEADER_LEN + 2] = '\n';
    assert_int_equal(recv_frame(&l, &g, &ev), CHAT_MALFORMED);
    g = f;
    memset(g.b + CHAT_HEADER_LEN, 'a', CHAT_TEXT_MAX + 1 - 1);
    g.n = CHAT_HEADER_LEN + CHAT_TEXT_MAX;
    assert_int_equal(recv_frame(&l, &g, &ev), CHAT_OK); /* exactly the maximum */
    assert_int_equal(ev.text_len, CHAT_TEXT_MAX);
}

static void test_encode_refusals(void **state)
{
    (void)state;
    struct chat_session d, l;
    struct writer w;
    uint8_t buf[CHAT_PLAIN_MAX + 10], n[CHAT_NONCE_LEN];
    static uint8_t big[CHAT_TEXT_MAX + 1];
    memset(n, 1, sizeof n);
    chat_session_init(&d, CHAT_DIALER, n);
    chat_session_init(&l, CHAT_LISTENER, n);
    writer_init_buffer(&w, buf, sizeof buf);
    assert_int_equal(chat_encode(&d, CHAT_TEXT, (const uint8_t *)"x", 1, &w), GPG_ERR_INV_STATE);
    assert_int_equal(chat_encode(&d, CHAT_BYE, NULL, 0, &w), GPG_ERR_INV_STATE);
    assert_int_equal(chat_encode(&l, CHAT_HELLO, NULL, 0, &w), GPG_ERR_INV_STATE);
    assert_int_equal(writer_len(&w), 0);
    open_pair(&d, &l, 2);
    memset(big, 'b', sizeof big);
    assert_int_equal(chat_encode(&d, CHAT_TEXT, big, sizeof big, &w), GPG_ERR_TOO_LARGE);
    assert_int_equal(chat_encode(&d, CHAT_TEXT, (const uint8_t *)"a\nb", 3, &w), GPG_ERR_INV_DATA);
    assert_int_equal(chat_encode(&d, CHAT_HELLO, NULL, 0, &w), GPG_ERR_INV_STATE);
    assert_int_equal(d.send_seq, 1); /* nothing was counted */
    assert_int_equal(chat_encode(&d, CHAT_BYE, NULL, 0, &w), 0);
    assert_int_equal(chat_encode(&d, CHAT_TEXT, (const uint8_t *)"x", 1, &w), GPG_ERR_INV_STATE);
    assert_int_equal(chat_encode(&d, CHAT_BYE, NULL, 0, &w), GPG_ERR_INV_STATE);
}

#define END "-----END SEALED MESSAGE-----\n"

static void test_frame_end(void **state)
{
    (void)state;
    static const char two[] =
        "-----BEGIN SEALED MESSAGE-----\nAAAA\n" END "-----BEGIN SEALED MESSAGE-----\n";
    size_t n = 99;
    assert_int_equal(chat_frame_end((const uint8_t *)two, strlen(two), &n), 0);
    assert_int_equal(n, strlen("-----BEGIN SEALED MESSAGE-----\nAAAA\n" END));
    /* Every prefix short of the END line's LF needs more. */
    for (size_t k = 0; k < n; k++)
        assert_int_equal(chat_frame_end((const uint8_t *)two, k, &n), GPG_ERR_TRUNCATED);
    /* The END text not at the start of a line is not an end. */
    static const char inl[] = "xx-----END SEALED MESSAGE-----\n";
    assert_int_equal(chat_frame_end((const uint8_t *)inl, strlen(inl), &n), GPG_ERR_TRUNCATED);
    /* Over the cap without an end, or with the end beyond it. */
    static uint8_t big[CHAT_FRAME_MAX + sizeof END];
    memset(big, 'A', sizeof big);
    assert_int_equal(chat_frame_end(big, CHAT_FRAME_MAX, &n), GPG_ERR_TOO_LARGE);
    memcpy(big + CHAT_FRAME_MAX - 10, "\n" END, sizeof END);
    assert_int_equal(chat_frame_end(big, sizeof big, &n), GPG_ERR_TOO_LARGE);
    memcpy(big + CHAT_FRAME_MAX - sizeof END, "\n" END, sizeof END);
    assert_int_equal(chat_frame_end(big, sizeof big, &n), 0);
    assert_int_equal(n, CHAT_FRAME_MAX);
}

static void expect_escape(const char *in, size_t n, const char *want)
{
    char out[CHAT_ESCAPED_MAX(64)];
    size_t len = chat_escape((const uint8_t *)in, n, out);
    if (strcmp(out, want) != 0)
        fail_msg("escape: got '%s', want '%s'", out, want);
    assert_int_equal(len, strlen(want));
}

static void test_escape(void **state)
{
    (void)state;
    expect_escape("plain text 123", 14, "plain text 123");
    expect_escape("a\\b", 3, "a\\\\b");
    expect_escape("\x1b[2J\x1b[Hbob: fake", 16, "\\x1b[2J\\x1b[Hbob: fake");
    expect_escape("one\rtwo", 7, "one\\x0dtwo");
    expect_escape("tab\tdel\x7f", 8, "tab\\x09del\\x7f");
    expect_escape("nul\0x", 5, "nul\\x00x");
    expect_escape("caf\xc3\xa9", 5, "caf\xc3\xa9");           /* U+00E9 stays */
    expect_escape("\xe2\x82\xac", 3, "\xe2\x82\xac");         /* U+20AC stays */
    expect_escape("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80"); /* U+1F600 stays */
    expect_escape("\xc2\x9b"
                  "31m",
                  5, "\\xc2\\x9b31m"); /* C1 CSI */
    expect_escape("\x9b"
                  "31m",
                  4, "\\x9b31m"); /* a lone 8-bit CSI */
    expect_escape("\xe2\x80\xae"
                  "abc",
                  6, "\\xe2\\x80\\xaeabc");                       /* RIGHT-TO-LEFT OVERRIDE */
    expect_escape("\xe2\x81\xa6", 3, "\\xe2\\x81\\xa6");          /* LEFT-TO-RIGHT ISOLATE */
    expect_escape("\xe2\x80\xa8", 3, "\\xe2\\x80\\xa8");          /* LINE SEPARATOR */
    expect_escape("\xc0\xaf", 2, "\\xc0\\xaf");                   /* overlong '/' */
    expect_escape("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");          /* a surrogate */
    expect_escape("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
    expect_escape("\xe2\x82", 2, "\\xe2\\x82");                   /* cut short */
    expect_escape("\xe2"
                  "abc",
                  4,
                  "\\xe2"
                  "abc"); /* the next byte is kept */
    /* Worst case: every byte four characters. */
    char out[CHAT_ESCAPED_MAX(3)];
    assert_int_equal(chat_escape((const uint8_t *)"\x01\x02\x03", 3, out), 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conversation),    cmocka_unit_test(test_plaintext_layout),
        cmocka_unit_test(test_replayed),        cmocka_unit_test(test_reordered_and_dropped),
        cmocka_unit_test(test_other_session),   cmocka_unit_test(test_reflected),
        cmocka_unit_test(test_unexpected),      cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_encode_refusals), cmocka_unit_test(test_frame_end),
        cmocka_unit_test(test_escape),
    };
    if (seal_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
