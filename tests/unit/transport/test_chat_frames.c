/* The chat's frames and keys (seal(5) TRANSPORT "Chat", C1..C7): the
 * handshake, the key chains, the checks against replayed, reordered,
 * reflected, foreign and forged frames, the frame scanner and the terminal
 * escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/secmem.h"
#include "envelope/armor.h"
#include "transport/chat_frames.h"

struct frame {
    uint8_t b[CHAT_FRAME_MAX];
    size_t n;
};

static uint8_t text_buf[CHAT_TEXT_MAX];

static void seal_frame(struct chat_keys *k, enum chat_type t, const char *text, struct frame *f)
{
    struct writer w;
    writer_init_buffer(&w, f->b, sizeof f->b);
    gpg_err_code_t e = chat_frame_seal(k, t, (const uint8_t *)text, text ? strlen(text) : 0, &w);
    if (e)
        fail_msg("chat_frame_seal: %d (%s)", e, seal_detail() ? seal_detail() : "-");
    f->n = writer_len(&w);
}

static enum chat_fault open_frame(struct chat_keys *k, const struct frame *f, struct chat_event *ev)
{
    return chat_frame_open(k, f->b, f->n, text_buf, ev);
}

static void hello(struct chat_keys *k, struct frame *f)
{
    struct writer w;
    writer_init_buffer(&w, f->b, sizeof f->b);
    assert_int_equal(chat_hello_encode(k, &w), 0);
    f->n = writer_len(&w);
    assert_int_equal(f->n, CHAT_HELLO_LEN);
}

/* A dialer D and a listener L, HELLOs exchanged (their plaintexts stand in
 * for the envelopes in the transcript) and chains derived. */
static void open_pair(struct chat_keys **d, struct chat_keys **l)
{
    struct frame hd, hl;
    assert_non_null(*d = chat_keys_new(CHAT_DIALER));
    assert_non_null(*l = chat_keys_new(CHAT_LISTENER));
    assert_false(chat_can_send(*d));
    hello(*d, &hd);
    assert_int_equal(chat_hello_receive(*l, hd.b, hd.n), CHAT_OK);
    hello(*l, &hl);
    assert_int_equal(chat_hello_receive(*d, hl.b, hl.n), CHAT_OK);
    assert_int_equal(chat_hello_frame(*d, hd.b, hd.n), 0);
    assert_int_equal(chat_hello_frame(*d, hl.b, hl.n), 0);
    assert_int_equal(chat_hello_frame(*l, hd.b, hd.n), 0);
    assert_int_equal(chat_hello_frame(*l, hl.b, hl.n), 0);
    assert_int_equal(chat_hello_frame(*l, hl.b, hl.n), GPG_ERR_INV_STATE);
    assert_int_equal(chat_derive(*d), CHAT_OK);
    assert_int_equal(chat_derive(*l), CHAT_OK);
    assert_true(chat_can_send(*d));
    assert_true(chat_can_send(*l));
}

static const uint8_t zeros[64];

static void test_conversation(void **state)
{
    (void)state;
    struct chat_keys *d, *l;
    struct frame f;
    struct chat_event ev;
    open_pair(&d, &l);
    /* The ephemeral secrets went with the derivation. */
    assert_memory_equal(d->eph_secret, zeros, CHAT_KEY_LEN);
    assert_memory_equal(l->eph_secret, zeros, CHAT_KEY_LEN);
    /* One chain per direction, the same on both ends. */
    assert_memory_equal(d->send_chain, l->recv_chain, CHAT_KEY_LEN);
    assert_memory_equal(d->recv_chain, l->send_chain, CHAT_KEY_LEN);
    assert_memory_not_equal(d->send_chain, d->recv_chain, CHAT_KEY_LEN);

    uint8_t before[CHAT_KEY_LEN];
    memcpy(before, d->send_chain, CHAT_KEY_LEN);
    seal_frame(d, CHAT_TEXT, "hi bob", &f);
    /* The chain stepped: the key of frame 1 is gone from the state. */
    assert_memory_not_equal(before, d->send_chain, CHAT_KEY_LEN);
    assert_int_equal(open_frame(l, &f, &ev), CHAT_OK);
    assert_int_equal(ev.type, CHAT_TEXT);
    assert_int_equal(ev.seq, 1);
    assert_int_equal(ev.text_len, 6);
    assert_memory_equal(text_buf, "hi bob", 6);
    seal_frame(l, CHAT_TEXT, "", &f);
    assert_int_equal(open_frame(d, &f, &ev), CHAT_OK);
    assert_int_equal(ev.text_len, 0);
    seal_frame(d, CHAT_TEXT, "two", &f);
    assert_int_equal(open_frame(l, &f, &ev), CHAT_OK);
    assert_int_equal(ev.seq, 2);
    seal_frame(d, CHAT_BYE, NULL, &f);
    assert_false(chat_can_send(d));
    assert_int_equal(open_frame(l, &f, &ev), CHAT_OK);
    assert_int_equal(ev.type, CHAT_BYE);
    seal_frame(l, CHAT_BYE, NULL, &f);
    assert_int_equal(open_frame(d, &f, &ev), CHAT_OK);
    chat_keys_free(d);
    chat_keys_free(l);
}

/* The bytes inside a frame's armor (seal(5): 22 + n + 16). */
static size_t unarmor(const struct frame *f, uint8_t *out, size_t cap)
{
    struct reader src;
    struct armor_decoder *dec;
    size_t got, total = 0;
    reader_init(&src, f->b, f->n);
    assert_int_equal(armor_decoder_new(reader_source(&src), NULL, 0, &dec), 0);
    while (armor_decoder_read(dec, out + total, cap - total, &got) == 0 && got)
        total += got;
    armor_decoder_free(dec);
    return total;
}

static void rearmor(struct frame *f, const uint8_t *bin, size_t n)
{
    struct writer w;
    struct armor_encoder *e;
    writer_init_buffer(&w, f->b, sizeof f->b);
    assert_int_equal(armor_encoder_new(writer_sink(&w), &e), 0);
    assert_int_equal(armor_encoder_write(e, bin, n), 0);
    assert_int_equal(armor_encoder_finish(e), 0);
    armor_encoder_free(e);
    f->n = writer_len(&w);
}

static void test_layout(void **state)
{
    (void)state;
    struct chat_keys *d, *l;
    struct frame f;
    uint8_t bin[CHAT_BINARY_MAX];
    open_pair(&d, &l);
    seal_frame(d, CHAT_TEXT, "abc", &f);
    assert_int_equal(unarmor(&f, bin, sizeof bin), 22 + 3 + 16);
    assert_memory_equal(bin, "seal v2 chat\0\x02\0\0\0\0\0\0\0\x01", 22);
    /* The text is not there in the clear. */
    assert_memory_not_equal(bin + 22, "abc", 3);
    seal_frame(d, CHAT_BYE, NULL, &f);
    assert_int_equal(unarmor(&f, bin, sizeof bin), 22 + 16);
    assert_memory_equal(bin, "seal v2 chat\0\x03\0\0\0\0\0\0\0\x02", 22);
    chat_keys_free(d);
    chat_keys_free(l);
}

static void test_replayed_reordered(void **state)
{
    (void)state;
    struct chat_keys *d, *l;
    struct frame f1, f2, f3;
    struct chat_event ev;
    open_pair(&d, &l);
    seal_frame(d, CHAT_TEXT, "one", &f1);
    seal_frame(d, CHAT_TEXT, "two", &f2);
    seal_frame(d, CHAT_TEXT, "three", &f3);
    assert_int_equal(open_frame(l, &f2, &ev), CHAT_GAP); /* 1 dropped or late */
    assert_int_equal(open_frame(l, &f1, &ev), CHAT_OK);  /* nothing stepped */
    assert_int_equal(open_frame(l, &f1, &ev), CHAT_REPLAYED);
    assert_int_equal(open_frame(l, &f3, &ev), CHAT_GAP);
    assert_int_equal(open_frame(l, &f2, &ev), CHAT_OK);
    chat_keys_free(d);
    chat_keys_free(l);
}

static void test_wrong_chain(void **state)
{
    (void)state;
    struct chat_keys *d, *l, *d2, *l2;
    struct frame f, g;
    struct chat_event ev;
    open_pair(&d, &l);
    open_pair(&d2, &l2);
    /* Reflected: the dialer's own frame 1 back to it (its peer's seq 1 is
     * due), sealed under the other direction's chain. */
    seal_frame(d, CHAT_TEXT, "mine", &f);
    assert_int_equal(open_frame(d, &f, &ev), CHAT_FORGED);
    /* Another session's frame 1, in the right place. */
    seal_frame(d2, CHAT_TEXT, "old", &g);
    assert_int_equal(open_frame(l, &g, &ev), CHAT_FORGED);
    /* The right frame still opens: failures step nothing. */
    assert_int_equal(open_frame(l, &f, &ev), CHAT_OK);
    /* A bit flipped anywhere in the ciphertext, tag or header. */
    uint8_t bin[CHAT_BINARY_MAX];
    seal_frame(d, CHAT_TEXT, "flip", &f);
    size_t n = unarmor(&f, bin, sizeof bin);
    for (size_t i = CHAT_LABEL_LEN; i < n; i++) {
        if (i >= CHAT_LABEL_LEN + 1 && i < CHAT_FRAME_HEAD)
            continue; /* the seq: C5 says it first */
        bin[i] ^= 0x10;
        rearmor(&g, bin, n);
        enum chat_fault fl = open_frame(l, &g, &ev);
        assert_true(fl == CHAT_FORGED || fl == CHAT_MALFORMED);
        bin[i] ^= 0x10;
    }
    assert_int_equal(open_frame(l, &f, &ev), CHAT_OK);
    chat_keys_free(d);
    chat_keys_free(l);
    chat_keys_free(d2);
    chat_keys_free(l2);
}

static void test_unexpected_and_malformed(void **state)
{
    (void)state;
    struct chat_keys *d, *l;
    struct frame f;
    struct chat_event ev;
    uint8_t bin[CHAT_BINARY_MAX];
    open_pair(&d, &l);
    /* A TEXT frame of the right label but type 1 (HELLO): C6. */
    struct frame orig;
    seal_frame(d, CHAT_TEXT, "x", &orig);
    size_t n = unarmor(&orig, bin, sizeof bin);
    bin[13] = CHAT_HELLO;
    rearmor(&f, bin, n);
    assert_int_equal(open_frame(l, &f, &ev), CHAT_UNEXPECTED);
    bin[13] = 9;
    rearmor(&f, bin, n);
    assert_int_equal(open_frame(l, &f, &ev), CHAT_MALFORMED);
    bin[13] = CHAT_TEXT;
    bin[0] = 'S';
    rearmor(&f, bin, n);
    assert_int_equal(open_frame(l, &f, &ev), CHAT_MALFORMED);
    rearmor(&f, bin, 30); /* shorter than label, type, seq and tag */
    assert_int_equal(open_frame(l, &f, &ev), CHAT_MALFORMED);
    memcpy(f.b, "garbage\n", 8);
    f.n = 8;
    assert_int_equal(open_frame(l, &f, &ev), CHAT_MALFORMED);
    /* The frame itself still opens; after the peer's BYE, nothing. */
    assert_int_equal(open_frame(l, &orig, &ev), CHAT_OK);
    seal_frame(d, CHAT_BYE, NULL, &f);
    assert_int_equal(open_frame(l, &f, &ev), CHAT_OK);
    assert_int_equal(open_frame(l, &f, &ev), CHAT_UNEXPECTED);
    /* Before the chains exist, a frame is C6. */
    struct chat_keys *fresh = chat_keys_new(CHAT_LISTENER);
    assert_int_equal(open_frame(fresh, &f, &ev), CHAT_UNEXPECTED);
    chat_keys_free(fresh);
    chat_keys_free(d);
    chat_keys_free(l);
}

static void test_seal_refusals(void **state)
{
    (void)state;
    struct chat_keys *d, *l, *fresh;
    struct frame f;
    struct writer w;
    static uint8_t big[CHAT_TEXT_MAX + 1];
    assert_non_null(fresh = chat_keys_new(CHAT_DIALER));
    writer_init_buffer(&w, f.b, sizeof f.b);
    assert_int_equal(chat_frame_seal(fresh, CHAT_TEXT, (const uint8_t *)"x", 1, &w),
                     GPG_ERR_INV_STATE);
    chat_keys_free(fresh);
    /* The listener's HELLO answers the dialer's. */
    assert_non_null(fresh = chat_keys_new(CHAT_LISTENER));
    assert_int_equal(chat_hello_encode(fresh, &w), GPG_ERR_INV_STATE);
    chat_keys_free(fresh);
    open_pair(&d, &l);
    memset(big, 'a', sizeof big);
    uint8_t before[CHAT_KEY_LEN];
    memcpy(before, d->send_chain, CHAT_KEY_LEN);
    assert_int_equal(chat_frame_seal(d, CHAT_TEXT, big, sizeof big, &w), GPG_ERR_TOO_LARGE);
    assert_int_equal(chat_frame_seal(d, CHAT_TEXT, (const uint8_t *)"a\nb", 3, &w),
                     GPG_ERR_INV_DATA);
    assert_int_equal(chat_frame_seal(d, CHAT_HELLO, NULL, 0, &w), GPG_ERR_INV_ARG);
    assert_memory_equal(before, d->send_chain, CHAT_KEY_LEN);
    assert_int_equal(d->send_seq, 1);
    seal_frame(d, CHAT_TEXT, (const char *)NULL, &f);
    seal_frame(d, CHAT_BYE, NULL, &f);
    writer_init_buffer(&w, f.b, sizeof f.b);
    assert_int_equal(chat_frame_seal(d, CHAT_TEXT, (const uint8_t *)"x", 1, &w), GPG_ERR_INV_STATE);
    chat_keys_free(d);
    chat_keys_free(l);
}

/* The HELLO's own checks (C2..C6, C7, the version). */
static void test_hello_faults(void **state)
{
    (void)state;
    struct chat_keys *d = chat_keys_new(CHAT_DIALER), *l = chat_keys_new(CHAT_LISTENER);
    struct frame hd, hl, bad;
    assert_non_null(d);
    assert_non_null(l);
    hello(d, &hd);
    /* Reflected: the dialer's own HELLO back to it. */
    assert_int_equal(chat_hello_receive(d, hd.b, hd.n), CHAT_REFLECTED);
    /* The listener's HELLO of another session: its "to" is not ours. */
    struct chat_keys *other = chat_keys_new(CHAT_LISTENER);
    assert_int_equal(chat_hello_receive(other, hd.b, hd.n), CHAT_OK);
    hello(other, &hl);
    struct chat_keys *d2 = chat_keys_new(CHAT_DIALER);
    assert_int_equal(chat_hello_receive(d2, hl.b, hl.n), CHAT_OTHER_SESSION);
    /* A dialer's HELLO with a "to": another session's listener HELLO sent
     * to a listener. */
    assert_int_equal(chat_hello_receive(l, hl.b, hl.n), CHAT_OTHER_SESSION);
    /* seq other than 0, wrong length, unknown type, TEXT first, version 1. */
    bad = hd;
    bad.b[85] = 1;
    assert_int_equal(chat_hello_receive(l, bad.b, bad.n), CHAT_GAP);
    assert_int_equal(chat_hello_receive(l, hd.b, hd.n - 1), CHAT_MALFORMED);
    assert_int_equal(chat_hello_receive(l, hd.b, hd.n + 1), CHAT_MALFORMED);
    bad = hd;
    bad.b[13] = 7;
    assert_int_equal(chat_hello_receive(l, bad.b, bad.n), CHAT_MALFORMED);
    bad.b[13] = CHAT_TEXT;
    assert_int_equal(chat_hello_receive(l, bad.b, bad.n), CHAT_UNEXPECTED);
    bad = hd;
    bad.b[6] = '1';
    assert_int_equal(chat_hello_receive(l, bad.b, 86), CHAT_OLD_VERSION);
    assert_false(l->have_peer);
    /* A second HELLO once one was taken. */
    assert_int_equal(chat_hello_receive(l, hd.b, hd.n), CHAT_OK);
    assert_int_equal(chat_hello_receive(l, hd.b, hd.n), CHAT_UNEXPECTED);
    chat_keys_free(d);
    chat_keys_free(d2);
    chat_keys_free(l);
    chat_keys_free(other);
}

/* C7: a low-order X25519 key ends the session, and the secret still goes. */
static void test_low_order(void **state)
{
    (void)state;
    struct chat_keys *d = chat_keys_new(CHAT_DIALER), *l = chat_keys_new(CHAT_LISTENER);
    struct frame hd, hl;
    hello(d, &hd);
    assert_int_equal(chat_hello_receive(l, hd.b, hd.n), CHAT_OK);
    hello(l, &hl);
    memset(hl.b + 86, 0, CHAT_KEY_LEN); /* the point 0 */
    hl.b[86] = 1;                       /* the point 1, of order 4 on the twist */
    assert_int_equal(chat_hello_receive(d, hl.b, hl.n), CHAT_OK);
    assert_int_equal(chat_hello_frame(d, hd.b, hd.n), 0);
    assert_int_equal(chat_hello_frame(d, hl.b, hl.n), 0);
    assert_int_equal(chat_derive(d), CHAT_LOW_ORDER);
    assert_false(chat_can_send(d));
    assert_memory_equal(d->eph_secret, zeros, CHAT_KEY_LEN);
    assert_memory_equal(d->send_chain, zeros, CHAT_KEY_LEN);
    chat_keys_free(d);
    chat_keys_free(l);
}

/* The transcript binds the keys: a HELLO's armor changed in transit gives
 * other chains. */
static void test_transcript_binds(void **state)
{
    (void)state;
    struct chat_keys *d = chat_keys_new(CHAT_DIALER), *l = chat_keys_new(CHAT_LISTENER);
    struct frame hd, hl;
    hello(d, &hd);
    assert_int_equal(chat_hello_receive(l, hd.b, hd.n), CHAT_OK);
    hello(l, &hl);
    assert_int_equal(chat_hello_receive(d, hl.b, hl.n), CHAT_OK);
    assert_int_equal(chat_hello_frame(d, hd.b, hd.n), 0);
    assert_int_equal(chat_hello_frame(d, hl.b, hl.n), 0);
    assert_int_equal(chat_hello_frame(l, hd.b, hd.n - 1), 0);
    assert_int_equal(chat_hello_frame(l, hl.b, hl.n), 0);
    assert_int_equal(chat_derive(d), CHAT_OK);
    assert_int_equal(chat_derive(l), CHAT_OK);
    assert_memory_not_equal(d->send_chain, l->recv_chain, CHAT_KEY_LEN);
    chat_keys_free(d);
    chat_keys_free(l);
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
        cmocka_unit_test(test_conversation),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_replayed_reordered),
        cmocka_unit_test(test_wrong_chain),
        cmocka_unit_test(test_unexpected_and_malformed),
        cmocka_unit_test(test_seal_refusals),
        cmocka_unit_test(test_hello_faults),
        cmocka_unit_test(test_low_order),
        cmocka_unit_test(test_transcript_binds),
        cmocka_unit_test(test_frame_end),
        cmocka_unit_test(test_escape),
    };
    if (seal_crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
