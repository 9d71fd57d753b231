/*
 * gen_testkit: writes the envelope testkit (tests/testkit/), one crafted
 * envelope per file, NAME.seal, with its expected outcome in NAME.expect
 * (first line: success, header failure, not a recipient, payload failure,
 * signature failure, untrusted sender or armor failure; for success a second
 * line "sha256 HEX" of the plaintext).
 *
 *   tests/testkit/generate [KEYDIR [OUTDIR]]   (defaults: tests/testkit/keys,
 *                                          tests/testkit)
 *
 * Every case isolates one fault, named after the rule of man/seal.5 it
 * exercises (R1..R16). The file keys, salts, envelope IDs and timestamps are
 * derived from the case name, so a rerun changes only the randomised parts
 * of RSA-OAEP and RSA-PSS. Faults below the public API (chunk order, final
 * flags, malformed signature blocks) are built from the same internals the
 * library uses: the header writer, chunked_*, and the trailer code. The
 * recipient is always bob; the trusted senders are alice and carol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope/armor.h"
#include "envelope/chunked.h"
#include "envelope/envelope.h"
#include "envelope/header.h"
#include "envelope/trailer.h"
#include "base/fileio.h"
#include "keys/keys.h"
#include "testing.h"

#define CREATED UINT64_C(1700000000)

static struct seal_rsa_key *alice, *bob, *carol, *mallory, *weak;
static const char *outdir = "tests/testkit";
static int n_cases;

static void die(const char *what, gpg_err_code_t e)
{
    fprintf(stderr, "gen_testkit: %s: %s%s%s\n", what, gpg_strerror(e), seal_detail() ? ": " : "",
            seal_detail() ? seal_detail() : "");
    exit(1);
}
#define CHECK(x)                                                                                   \
    do {                                                                                           \
        gpg_err_code_t e_ = (x);                                                                   \
        if (e_)                                                                                    \
            die(#x, e_);                                                                           \
    } while (0)

/* ---- growable byte strings --------------------------------------------- */

struct bytes {
    uint8_t *p;
    size_t n;
};

static void put(struct bytes *b, const void *p, size_t n)
{
    b->p = realloc(b->p, b->n + n + 1);
    if (!b->p)
        die("realloc", GPG_ERR_ENOMEM);
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put_u16(struct bytes *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 2);
}

static void put_u64(struct bytes *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 7; i >= 0; i--, v >>= 8)
        x[i] = (uint8_t)v;
    put(b, x, 8);
}

static struct bytes copy(const struct bytes *b)
{
    struct bytes c = {NULL, 0};
    put(&c, b->p, b->n);
    return c;
}

/* Removes N bytes at OFF. */
static void cut(struct bytes *b, size_t off, size_t n)
{
    memmove(b->p + off, b->p + off + n, b->n - off - n);
    b->n -= n;
}

/* Inserts N bytes at OFF. */
static void insert(struct bytes *b, size_t off, const void *p, size_t n)
{
    struct bytes t = {NULL, 0};
    put(&t, b->p, off);
    put(&t, p, n);
    put(&t, b->p + off, b->n - off);
    free(b->p);
    *b = t;
}

/* ---- deterministic values ---------------------------------------------- */

/* N (<= 32) bytes of SHA-256(WHAT || 00 || NAME). */
static void derive(const char *name, const char *what, uint8_t *out, size_t n)
{
    struct bytes b = {NULL, 0};
    uint8_t h[32];
    put(&b, what, strlen(what) + 1);
    put(&b, name, strlen(name));
    seal_sha256(b.p, b.n, h);
    memcpy(out, h, n);
    free(b.p);
}

static uint8_t *pattern(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n ? n : 1);
    uint32_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        p[i] = (uint8_t)(x >> 16);
    }
    return p;
}

/* ---- building envelopes ------------------------------------------------ */

/* What a case varies; zero means the normal thing. */
struct spec {
    const struct seal_rsa_key *rcpt[4]; /* default: bob */
    size_t n_rcpt;
    const struct seal_rsa_key *signer; /* default: alice */
    const uint8_t *msg;
    size_t msg_len;
    const char *wrap_label;     /* default: the format's */
    size_t wrap_key_len;        /* default: 64 (file key || receipt key) */
    bool duplicate_first;       /* the first stanza twice */
    const uint8_t *claimed_fpr; /* trailer's sender fingerprint */
    bool plain_digest;          /* sign SHA-256(message) instead of D */
    const struct bytes *inner;  /* use this inner stream as is */
    void (*inner_hook)(struct bytes *inner, size_t msg_len);
};

/* The parts of one envelope, kept for the cases that take them apart. */
struct env {
    struct bytes header; /* magic .. last stanza */
    uint8_t prefix[CHUNKED_PREFIX_LEN];
    struct bytes inner; /* message || trailer */
    size_t msg_len;
    struct bytes chunks; /* encrypted */
    size_t n_chunks;
    struct bytes all; /* header || prefix || chunks */
};

/* A stanza for K wrapping the first KEYS_LEN bytes of FK || receipt key
 * (derived from NAME and the stanza's index I), up to 2 * 64 bytes. */
static void header_stanza(struct bytes *h, const char *name, size_t i, const struct seal_rsa_key *k,
                          const uint8_t *fk, size_t keys_len, const char *label)
{
    uint8_t fpr[SEAL_FPR_LEN], wrapped[1024], keys[2 * SEAL_STANZA_KEYS_LEN];
    char what[32];
    size_t klen = seal_rsa_modulus_len(k);
    memset(keys, 0x5a, sizeof keys);
    memcpy(keys, fk, SEAL_AEAD_KEY_LEN);
    snprintf(what, sizeof what, "receipt key %zu", i);
    derive(name, what, keys + SEAL_AEAD_KEY_LEN, SEAL_RECEIPT_KEY_LEN);
    CHECK(key_fingerprint(k, fpr));
    CHECK(seal_rsa_oaep_encrypt(k, label, strlen(label), keys, keys_len, wrapped));
    put(h, fpr, SEAL_FPR_LEN);
    put_u16(h, (unsigned)klen);
    put(h, wrapped, klen);
}

/* The inner stream: message || sender fingerprint || created || ID ||
 * signature || u16 k, signed over HEADER_HASH. Any key size is allowed here
 * (the 1024-bit case), so this writes the block itself. */
static void make_inner(const char *name, const struct spec *sp, const uint8_t hh[32],
                       struct bytes *out, size_t *msg_len)
{
    const struct seal_rsa_key *signer = sp->signer ? sp->signer : alice;
    struct envelope_trailer t;
    uint8_t d[32], s[32];
    memset(&t, 0, sizeof t);
    if (sp->plain_digest)
        seal_sha256(sp->msg, sp->msg_len, d);
    else
        CHECK(message_digest_oneshot(sp->msg, sp->msg_len, d));
    CHECK(key_fingerprint(signer, t.sender_fpr));
    t.created = CREATED;
    derive(name, "envelope id", t.envelope_id, SEAL_ENVELOPE_ID_LEN);
    envelope_signed_digest(hh, &t, d, s);
    if (sp->claimed_fpr)
        memcpy(t.sender_fpr, sp->claimed_fpr, SEAL_FPR_LEN);
    size_t k = seal_rsa_modulus_len(signer);
    CHECK(seal_rsa_pss_sign(signer, s, t.sig));
    put(out, sp->msg, sp->msg_len);
    put(out, t.sender_fpr, SEAL_FPR_LEN);
    put_u64(out, t.created);
    put(out, t.envelope_id, SEAL_ENVELOPE_ID_LEN);
    put(out, t.sig, k);
    put_u16(out, (unsigned)k);
    *msg_len = sp->msg_len;
}

static void encrypt_inner(struct chunked *c, const struct bytes *inner, struct env *e)
{
    uint8_t ct[CHUNK_CT_MAX];
    size_t off = 0;
    uint64_t i = 0;
    for (;;) {
        size_t left = inner->n - off;
        bool final = left < CHUNK_SIZE;
        size_t n = final ? left : CHUNK_SIZE;
        CHECK(chunked_encrypt_chunk(c, i++, inner->p + off, n, final, ct));
        put(&e->chunks, ct, n + CHUNK_TAG_LEN);
        off += n;
        if (final)
            break;
    }
    e->n_chunks = (size_t)i;
}

static struct env build(const char *name, const struct spec *sp)
{
    struct env e;
    struct bytes ctx = {NULL, 0}, hp = {NULL, 0};
    uint8_t fk[32], salt[CHUNKED_SALT_LEN], hh[32];
    struct chunked *c = NULL;
    const char *label = sp->wrap_label ? sp->wrap_label : ENVELOPE_WRAP_LABEL;
    size_t n = sp->n_rcpt ? sp->n_rcpt : 1;

    memset(&e, 0, sizeof e);
    derive(name, "file key", fk, sizeof fk);
    derive(name, "salt", salt, sizeof salt);
    put(&e.header, envelope_magic, ENVELOPE_MAGIC_LEN);
    put(&e.header, "\x01", 1);
    put_u16(&e.header, (unsigned)(n + (sp->duplicate_first ? 1 : 0)));
    for (size_t i = 0; i < n; i++) {
        const struct seal_rsa_key *k = sp->n_rcpt ? sp->rcpt[i] : bob;
        header_stanza(&e.header, name, i, k, fk,
                      sp->wrap_key_len ? sp->wrap_key_len : SEAL_STANZA_KEYS_LEN, label);
        if (i == 0 && sp->duplicate_first)
            header_stanza(&e.header, name, n, k, fk, SEAL_STANZA_KEYS_LEN, label);
    }
    put(&ctx, ENVELOPE_CONTEXT_LABEL, ENVELOPE_CONTEXT_LABEL_LEN);
    put(&ctx, e.header.p, e.header.n);
    CHECK(chunked_encrypt_new(fk, sizeof fk, ctx.p, ctx.n, salt, e.prefix, &c));
    put(&hp, e.header.p, e.header.n);
    put(&hp, e.prefix, CHUNKED_PREFIX_LEN);
    seal_sha256(hp.p, hp.n, hh);
    if (sp->inner) {
        e.inner = copy(sp->inner);
    } else {
        make_inner(name, sp, hh, &e.inner, &e.msg_len);
        if (sp->inner_hook)
            sp->inner_hook(&e.inner, e.msg_len);
    }
    encrypt_inner(c, &e.inner, &e);
    put(&e.all, hp.p, hp.n);
    put(&e.all, e.chunks.p, e.chunks.n);
    chunked_free(c);
    free(ctx.p);
    free(hp.p);
    return e;
}

static void env_free(struct env *e)
{
    free(e->header.p);
    free(e->inner.p);
    free(e->chunks.p);
    free(e->all.p);
}

/* Offset of chunk I in E->all. */
static size_t chunk_off(const struct env *e, size_t i)
{
    return e->header.n + CHUNKED_PREFIX_LEN + i * CHUNK_CT_MAX;
}

/* ---- writing cases ----------------------------------------------------- */

static void write_file(const char *name, const char *ext, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s", outdir, name, ext);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void emit(const char *name, const struct bytes *b, const char *expect, const uint8_t *msg,
                 size_t msg_len)
{
    char text[256];
    write_file(name, ".seal", b->p, b->n);
    if (msg) {
        uint8_t h[32];
        char hex[65];
        seal_sha256(msg, msg_len, h);
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", h[i]);
        snprintf(text, sizeof text, "%s\nsha256 %s\n", expect, hex);
    } else {
        snprintf(text, sizeof text, "%s\n", expect);
    }
    write_file(name, ".expect", text, strlen(text));
    n_cases++;
}

/* A valid envelope with one change: SET the byte at OFF to V. */
static void emit_set(const char *name, const struct bytes *b, size_t off, uint8_t v,
                     const char *expect)
{
    struct bytes c = copy(b);
    c.p[off] = v;
    emit(name, &c, expect, NULL, 0);
    free(c.p);
}

static void emit_flip(const char *name, const struct bytes *b, size_t off, const char *expect)
{
    emit_set(name, b, off, b->p[off] ^ 0x01, expect);
}

static void emit_prefix(const char *name, const struct bytes *b, size_t n, const char *expect)
{
    struct bytes c = {NULL, 0};
    put(&c, b->p, n);
    emit(name, &c, expect, NULL, 0);
    free(c.p);
}

static gpg_err_code_t bytes_sink_write(void *ctx, const uint8_t *p, size_t n)
{
    put(ctx, p, n);
    return 0;
}

static struct bytes armor(const struct bytes *b)
{
    struct bytes out = {NULL, 0};
    struct armor_encoder *a;
    CHECK(armor_encoder_new((struct byte_sink){bytes_sink_write, &out}, &a));
    CHECK(armor_encoder_write(a, b->p, b->n));
    CHECK(armor_encoder_finish(a));
    armor_encoder_free(a);
    return out;
}

/* Replaces the first occurrence of FROM in B by TO. */
static void replace(struct bytes *b, const char *from, const char *to)
{
    size_t fl = strlen(from);
    for (size_t i = 0; i + fl <= b->n; i++)
        if (memcmp(b->p + i, from, fl) == 0) {
            cut(b, i, fl);
            insert(b, i, to, strlen(to));
            return;
        }
    fprintf(stderr, "gen_testkit: replace: '%s' not found\n", from);
    exit(1);
}

/* ---- the cases --------------------------------------------------------- */

static const char *const S = "success", *const HF = "header failure", *const NR = "not a recipient",
                         *const PF = "payload failure", *const SF = "signature failure",
                         *const UT = "untrusted sender", *const AF = "armor failure";

/* Where the last base64 line of armored A starts, and its length. */
static size_t last_line(const struct bytes *a, size_t *len)
{
    size_t end = 0;
    for (size_t i = 0; i + 10 <= a->n; i++)
        if (memcmp(a->p + i, "\n-----END ", 10) == 0)
            end = i;
    size_t start = end;
    while (start > 0 && a->p[start - 1] != '\n')
        start--;
    *len = end - start;
    if (end == 0 || *len == 0)
        die("armor: no last line", GPG_ERR_BUG);
    return start;
}

/* R16's base64 rules, each broken alone in armored A: the last line's
 * length, padding anywhere but at the end, and the unused bits of the padded
 * group (one encoding per envelope). */
static void armor_base64_cases(const struct bytes *a)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len, start = last_line(a, &len);
    const size_t body = 31; /* the BEGIN line with its LF */
    struct bytes t;

    /* The last character dropped: "xxx=" becomes "xxx" (unpadded base64). */
    t = copy(a);
    cut(&t, start + len - 1, 1);
    emit("armor_last_line_not_multiple_of_4", &t, AF, NULL, 0);
    free(t.p);
    /* "==" in the fourth group of the first line, which stays 64 long. */
    t = copy(a);
    memcpy(t.p + body + 14, "==", 2);
    emit("armor_padding_in_middle", &t, AF, NULL, 0);
    free(t.p);
    /* The first line's last group a canonical padded one ("AA==", one zero
     * byte): the body would end there, and 15 more lines follow. */
    t = copy(a);
    memcpy(t.p + body + 60, "AA==", 4);
    emit("armor_padding_end_of_line", &t, AF, NULL, 0);
    free(t.p);
    /* The lowest unused bit of the padded group set: "xxx=" keeps 2 bits
     * unused, "xx==" 4. */
    t = copy(a);
    uint8_t *g = t.p + start + len - 4;
    size_t pos = g[3] != '=' ? 4 : g[2] == '=' ? 1 : 2;
    const char *v = pos < 4 ? strchr(b64, g[pos]) : NULL;
    if (!v || (v - b64) & 1)
        die("armor: the envelope's length leaves no unused bits", GPG_ERR_BUG);
    g[pos] = (uint8_t)b64[(v - b64) | 1];
    emit("armor_nonzero_unused_bits", &t, AF, NULL, 0);
    free(t.p);
}

static void success_cases(void)
{
    const struct {
        const char *name;
        size_t len;
    } sizes[] = {
        {"success_empty", 0},
        {"success_one_byte", 1},
        {"success_chunk_minus_one", CHUNK_SIZE - 1},
        {"success_chunk", CHUNK_SIZE},
        {"success_chunk_plus_one", CHUNK_SIZE + 1},
        /* 2048-bit sender: a 314-byte trailer. */
        {"success_trailer_straddles", 16200},
        {"success_trailer_ends_chunk", CHUNK_SIZE - 314},
        {"success_three_chunks", 40000},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *m = pattern(sizes[i].len, (unsigned)i + 1);
        struct spec sp = {.msg = m, .msg_len = sizes[i].len};
        struct env e = build(sizes[i].name, &sp);
        emit(sizes[i].name, &e.all, S, m, sizes[i].len);
        env_free(&e);
        free(m);
    }

    const char *hello = "hello, bob\n";
    struct spec sp = {.msg = (const uint8_t *)hello, .msg_len = strlen(hello)};
    sp.rcpt[0] = carol;
    sp.rcpt[1] = mallory;
    sp.rcpt[2] = bob;
    sp.n_rcpt = 3;
    struct env e = build("success_third_recipient", &sp);
    emit("success_third_recipient", &e.all, S, sp.msg, sp.msg_len);
    env_free(&e);

    struct spec sc = {.msg = (const uint8_t *)hello, .msg_len = strlen(hello), .signer = carol};
    e = build("success_sender_3072", &sc);
    emit("success_sender_3072", &e.all, S, sc.msg, sc.msg_len);
    env_free(&e);

    struct spec sa = {.msg = (const uint8_t *)hello, .msg_len = strlen(hello)};
    e = build("success_armored", &sa);
    struct bytes a = armor(&e.all);
    emit("success_armored", &a, S, sa.msg, sa.msg_len);
    struct bytes crlf = {NULL, 0};
    for (size_t i = 0; i < a.n; i++) {
        if (a.p[i] == '\n')
            put(&crlf, "\r", 1);
        put(&crlf, a.p + i, 1);
    }
    emit("success_armored_crlf", &crlf, S, sa.msg, sa.msg_len);
    struct bytes ws = {NULL, 0};
    put(&ws, "\n  \n", 4);
    put(&ws, a.p, a.n);
    put(&ws, "\n\t \n", 4);
    emit("success_armored_whitespace", &ws, S, sa.msg, sa.msg_len);

    /* Armor failures, from the same envelope. */
    struct bytes t = copy(&a);
    t.p[40] = '*';
    emit("armor_bad_character", &t, AF, NULL, 0);
    free(t.p);
    t = copy(&a);
    put(&t, "x\n", 2);
    emit("armor_garbage_after", &t, AF, NULL, 0);
    free(t.p);
    t = copy(&a);
    replace(&t, "-----END SEALED MESSAGE-----", "-----END SEALED MESSAGF-----");
    emit("armor_bad_end_line", &t, AF, NULL, 0);
    free(t.p);
    t = copy(&a);
    replace(&t, "-----END SEALED MESSAGE-----\n", "");
    emit("armor_missing_end", &t, AF, NULL, 0);
    free(t.p);
    /* Line 1 of 63 columns, line 2 of 65: the same base64, wrapped wrong.
     * The BEGIN line is 31 bytes with its LF; line 1's LF is at 31 + 64. */
    t = copy(&a);
    t.p[31 + 64] = t.p[31 + 63];
    t.p[31 + 63] = '\n';
    emit("armor_short_line", &t, AF, NULL, 0);
    free(t.p);
    t = copy(&a);
    replace(&t, "\n-----END", "\n\n-----END");
    emit("armor_blank_line_in_body", &t, AF, NULL, 0);
    free(t.p);
    t = copy(&a);
    replace(&t, "-----BEGIN SEALED MESSAGE-----\n", "-----BEGIN SEALED MESSAGE-----\nVersion: 1\n");
    emit("armor_header_line", &t, AF, NULL, 0);
    free(t.p);
    armor_base64_cases(&a);
    /* Garbage before BEGIN: the input is not recognised as armor at all, so
     * it is read as a binary envelope with a bad magic (R1). */
    t = copy(&a);
    insert(&t, 0, "x\n", 2);
    emit("header_magic_armor_garbage_before", &t, HF, NULL, 0);
    free(t.p);
    free(ws.p);
    free(crlf.p);
    free(a.p);
    env_free(&e);
}

/* R4 through a count of 2 with one stanza: the salt and the commitment's
 * first 8 bytes are read as a second fingerprint, the commitment's bytes 8
 * and 9 as its wrapped length. The commitment depends on the randomised OAEP
 * ciphertext, so the envelope is built again until that length is outside
 * 256..1024 (about 1 in 85 is not: the file would then end inside the
 * "wrapped key", R6, or parse and fail its commitment, R9). */
static void header_count_2_of_1(const struct spec *sp)
{
    for (int tries = 0; tries < 64; tries++) {
        struct env e = build("header_count_2_of_1", sp);
        size_t at = e.header.n + SEAL_FPR_LEN;
        unsigned w = (unsigned)e.all.p[at] << 8 | e.all.p[at + 1];
        if (w < SEAL_RSA_MIN_LEN || w > SEAL_RSA_MAX_LEN) {
            emit_set("header_count_2_of_1", &e.all, 10, 2, HF);
            env_free(&e);
            return;
        }
        env_free(&e);
    }
    die("header_count_2_of_1: 64 commitments in range", GPG_ERR_BUG);
}

static void header_cases(void)
{
    const char *hello = "hello, bob\n";
    struct spec sp = {.msg = (const uint8_t *)hello, .msg_len = strlen(hello)};
    struct env e = build("header", &sp);
    const struct bytes *b = &e.all;
    size_t hl = e.header.n; /* 301: one 2048-bit stanza */

    /* R1 */
    emit_flip("header_magic_0", b, 0, HF);
    emit_flip("header_magic_4", b, 4, HF);
    emit_set("header_magic_cr", b, 5, '\n', HF);
    struct bytes txt = {NULL, 0};
    put(&txt, "This is not an envelope.\n", 25);
    emit("header_magic_text", &txt, HF, NULL, 0);
    /* Shorter than the magic, and not its start: R1, not R6. */
    {
        struct bytes c = {NULL, 0};
        put(&c, envelope_magic, 4);
        put(&c, "X", 1);
        emit("header_magic_short_other", &c, HF, NULL, 0);
        free(c.p);
    }
    /* Empty input: no magic at all. */
    emit_prefix("header_magic_empty", b, 0, HF);
    free(txt.p);
    /* R2 */
    emit_set("header_version_0", b, 8, 0, HF);
    emit_set("header_version_2", b, 8, 2, HF);
    emit_set("header_version_255", b, 8, 255, HF);
    /* R3 */
    emit_set("header_count_0", b, 10, 0, HF);
    emit_set("header_count_65", b, 10, 65, HF);
    {
        struct bytes c = copy(b);
        c.p[9] = 0xff;
        c.p[10] = 0xff;
        emit("header_count_65535", &c, HF, NULL, 0);
        free(c.p);
    }
    header_count_2_of_1(&sp);
    /* R4 */
    {
        const unsigned lens[] = {0, 255, 1025, 65535};
        const char *names[] = {"header_wrapped_len_0", "header_wrapped_len_255",
                               "header_wrapped_len_1025", "header_wrapped_len_65535"};
        for (int i = 0; i < 4; i++) {
            struct bytes c = copy(b);
            c.p[43] = (uint8_t)(lens[i] >> 8);
            c.p[44] = (uint8_t)lens[i];
            emit(names[i], &c, HF, NULL, 0);
            free(c.p);
        }
    }
    /* R5 */
    {
        struct spec d = sp;
        d.duplicate_first = true;
        struct env de = build("header_duplicate_recipient", &d);
        emit("header_duplicate_recipient", &de.all, HF, NULL, 0);
        env_free(&de);
        /* Rules apply in reading order (seal(5) DECODING): bob, bob again,
         * then carol's stanza cut inside its wrapped key is R5, found when
         * the second bob stanza is complete, not the R6 after it. */
        d.rcpt[0] = bob;
        d.rcpt[1] = carol;
        d.n_rcpt = 2;
        de = build("header_duplicate_recipient_truncated", &d);
        emit_prefix("header_duplicate_recipient_truncated", &de.all, 11 + 2 * (34 + 256) + 34 + 100,
                    HF);
        env_free(&de);
    }
    /* R6 */
    emit_prefix("header_truncated_magic", b, 5, HF);
    /* One byte, the magic's first: a truncated header, not R1 (seal(5)). */
    emit_prefix("header_truncated_magic_1", b, 1, HF);
    emit_prefix("header_truncated_count", b, 10, HF);
    emit_prefix("header_truncated_fingerprint", b, 20, HF);
    emit_prefix("header_truncated_wrapped", b, 200, HF);
    emit_prefix("header_truncated_after_header", b, hl, HF);
    emit_prefix("header_truncated_salt", b, hl + 10, HF);
    emit_prefix("header_truncated_commitment", b, hl + 40, HF);
    /* R7 */
    emit_flip("not_recipient_fingerprint", b, 11 + 31, NR);
    {
        struct spec c = sp;
        c.rcpt[0] = carol;
        c.rcpt[1] = mallory;
        c.n_rcpt = 2;
        struct env ce = build("not_recipient_others", &c);
        emit("not_recipient_others", &ce.all, NR, NULL, 0);
        env_free(&ce);
    }
    /* R8 */
    {
        struct bytes c = copy(b);
        c.p[44] = 1; /* 257: the stanza swallows the first salt byte */
        emit("header_unwrap_len_257", &c, HF, NULL, 0);
        free(c.p);
    }
    emit_flip("header_unwrap_flipped", b, 100, HF);
    {
        struct spec c = sp;
        c.wrap_label = "seal v2 file key";
        struct env ce = build("header_unwrap_wrong_label", &c);
        emit("header_unwrap_wrong_label", &ce.all, HF, NULL, 0);
        env_free(&ce);
        c = sp;
        /* The file key alone, without a receipt key (32 bytes). */
        c.wrap_key_len = SEAL_AEAD_KEY_LEN;
        ce = build("header_unwrap_short_key", &c);
        emit("header_unwrap_short_key", &ce.all, HF, NULL, 0);
        env_free(&ce);
        c.wrap_key_len = SEAL_STANZA_KEYS_LEN + 1;
        ce = build("header_unwrap_long_key", &c);
        emit("header_unwrap_long_key", &ce.all, HF, NULL, 0);
        env_free(&ce);
    }
    /* R9 */
    emit_flip("header_commit_salt", b, hl + 3, HF);
    emit_flip("header_commit_commitment", b, hl + 24 + 5, HF);
    {
        struct spec two = sp;
        two.rcpt[0] = bob;
        two.rcpt[1] = carol;
        two.n_rcpt = 2;
        struct env te = build("header_commit_two", &two);
        size_t carol_off = 11 + 34 + 256; /* carol's stanza */
        emit_flip("header_commit_fingerprint_other", &te.all, carol_off + 7, HF);
        emit_flip("header_commit_wrapped_other", &te.all, carol_off + 34 + 100, HF);
        /* Carol's stanza removed and the count fixed: a valid header that
         * is not the one the payload was committed to. */
        struct bytes c = copy(&te.all);
        cut(&c, carol_off, 34 + 384);
        c.p[10] = 1;
        emit("header_commit_stanza_removed", &c, HF, NULL, 0);
        free(c.p);
        /* A stanza for mallory added. */
        struct bytes st = {NULL, 0};
        uint8_t fk[32];
        derive("added", "file key", fk, 32);
        header_stanza(&st, "added", 2, mallory, fk, SEAL_STANZA_KEYS_LEN, ENVELOPE_WRAP_LABEL);
        c = copy(&te.all);
        insert(&c, te.header.n, st.p, st.n);
        c.p[10] = 3;
        emit("header_commit_stanza_added", &c, HF, NULL, 0);
        free(c.p);
        free(st.p);
        env_free(&te);
    }
    env_free(&e);
}

static void payload_cases(void)
{
    uint8_t *m = pattern(40000, 99);
    struct spec sp = {.msg = m, .msg_len = 40000};
    struct env e = build("payload", &sp); /* three chunks: 16400, 16400, 7546 */
    const struct bytes *b = &e.all;
    size_t c0 = chunk_off(&e, 0), c1 = chunk_off(&e, 1), c2 = chunk_off(&e, 2);

    /* R10 */
    emit_flip("payload_chunk0_flipped", b, c0 + 1000, PF);
    emit_flip("payload_chunk0_tag_flipped", b, c1 - 1, PF);
    emit_flip("payload_final_flipped", b, c2 + 5, PF);
    emit_flip("payload_final_tag_flipped", b, b->n - 1, PF);
    {
        struct bytes c = copy(b);
        cut(&c, c0, CHUNK_CT_MAX);
        emit("payload_dropped_chunk", &c, PF, NULL, 0);
        free(c.p);
        c = copy(b);
        cut(&c, c1, CHUNK_CT_MAX);
        emit("payload_dropped_middle_chunk", &c, PF, NULL, 0);
        free(c.p);
        c = copy(b);
        memcpy(c.p + c0, b->p + c1, CHUNK_CT_MAX);
        memcpy(c.p + c1, b->p + c0, CHUNK_CT_MAX);
        emit("payload_swapped_chunks", &c, PF, NULL, 0);
        free(c.p);
        c = copy(b);
        insert(&c, c1, b->p + c0, CHUNK_CT_MAX);
        emit("payload_duplicated_chunk", &c, PF, NULL, 0);
        free(c.p);
        c = copy(b);
        put(&c, b->p + c2, b->n - c2);
        emit("payload_duplicated_final_chunk", &c, PF, NULL, 0);
        free(c.p);
        c = copy(b);
        put(&c, "\0", 1);
        emit("payload_trailing_byte", &c, PF, NULL, 0);
        free(c.p);
        c = copy(b);
        put(&c, "\n", 1);
        emit("payload_trailing_newline", &c, PF, NULL, 0);
        free(c.p);
    }
    /* R11 */
    emit_prefix("payload_truncated_no_chunks", b, c0, PF);
    emit_prefix("payload_truncated_at_boundary", b, c1, PF);
    emit_prefix("payload_truncated_at_last_boundary", b, c2, PF);
    emit_prefix("payload_truncated_in_tag", b, c2 + 15, PF);
    emit_prefix("payload_truncated_inside_chunk", b, c1 + 8000, PF);
    emit_prefix("payload_truncated_last_byte", b, b->n - 1, PF);
    env_free(&e);
    free(m);

    /* An inner stream of exactly one chunk ends with an empty final chunk;
     * without it the envelope is truncated. */
    uint8_t *m2 = pattern(CHUNK_SIZE - 314, 7);
    struct spec s2 = {.msg = m2, .msg_len = CHUNK_SIZE - 314};
    e = build("payload_empty_final", &s2);
    if (e.n_chunks != 2)
        die("payload_empty_final: expected two chunks", GPG_ERR_BUG);
    emit_prefix("payload_truncated_empty_final_chunk", &e.all, e.all.n - CHUNK_TAG_LEN, PF);
    env_free(&e);
    free(m2);
}

/* Inner-stream hooks: each breaks one thing after signing. */
static void hook_flip_sig(struct bytes *in, size_t ml)
{
    in->p[ml + 32 + 8 + 16 + 100] ^= 1;
}
static void hook_flip_msg(struct bytes *in, size_t ml)
{
    (void)ml;
    in->p[3] ^= 1;
}
static void hook_flip_created(struct bytes *in, size_t ml)
{
    in->p[ml + 32 + 7] ^= 1;
}
static void hook_flip_id(struct bytes *in, size_t ml)
{
    in->p[ml + 32 + 8 + 3] ^= 1;
}
static void hook_k_255(struct bytes *in, size_t ml)
{
    (void)ml;
    in->p[in->n - 2] = 0;
    in->p[in->n - 1] = 255;
}
static void hook_k_1025(struct bytes *in, size_t ml)
{
    (void)ml;
    in->p[in->n - 2] = 4;
    in->p[in->n - 1] = 1;
}
static void hook_k_65535(struct bytes *in, size_t ml)
{
    (void)ml;
    in->p[in->n - 2] = 0xff;
    in->p[in->n - 1] = 0xff;
}
/* k = 384 with a 256-byte signature: the block is read 128 bytes too early
 * (the "sender" is message bytes) and is 70 bytes longer than the stream. */
static void hook_k_too_long(struct bytes *in, size_t ml)
{
    (void)ml;
    in->p[in->n - 2] = 1;
    in->p[in->n - 1] = 0x80;
}
/* A message with the trailer removed: the last bytes are read as k. */
static void hook_no_trailer(struct bytes *in, size_t ml)
{
    in->n = ml;
}

static void signature_cases(void)
{
    const char *hello = "hello, bob\n";
    const struct {
        const char *name;
        void (*hook)(struct bytes *, size_t);
        const char *expect;
    } hooks[] = {
        {"signature_flipped", hook_flip_sig, SF},
        {"signature_message_changed", hook_flip_msg, SF},
        {"signature_created_changed", hook_flip_created, SF},
        {"signature_id_changed", hook_flip_id, SF},
        {"signature_block_k_255", hook_k_255, SF},
        {"signature_block_k_1025", hook_k_1025, SF},
        {"signature_block_k_65535", hook_k_65535, SF},
        {"signature_block_k_beyond_stream", hook_k_too_long, SF},
    };
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
        struct spec sp = {
            .msg = (const uint8_t *)hello, .msg_len = strlen(hello), .inner_hook = hooks[i].hook};
        struct env e = build(hooks[i].name, &sp);
        emit(hooks[i].name, &e.all, hooks[i].expect, NULL, 0);
        env_free(&e);
    }
    /* Short inner streams (R13): empty, one byte, a message of 100 bytes
     * whose last two bytes say k = 256. */
    {
        struct bytes in = {NULL, 0};
        struct spec sp = {.inner = &in};
        struct env e = build("signature_block_empty", &sp);
        emit("signature_block_empty", &e.all, SF, NULL, 0);
        env_free(&e);
        put(&in, "\x01", 1);
        e = build("signature_block_one_byte", &sp);
        emit("signature_block_one_byte", &e.all, SF, NULL, 0);
        env_free(&e);
        free(in.p);
        in.p = NULL;
        in.n = 0;
        uint8_t *m = pattern(98, 3);
        put(&in, m, 98);
        put_u16(&in, 256);
        e = build("signature_block_short", &sp);
        emit("signature_block_short", &e.all, SF, NULL, 0);
        env_free(&e);
        free(in.p);
        free(m);
        uint8_t *big = pattern(5000, 4);
        struct spec nt = {.msg = big, .msg_len = 5000, .inner_hook = hook_no_trailer};
        e = build("signature_block_missing", &nt);
        emit("signature_block_missing", &e.all, SF, NULL, 0);
        env_free(&e);
        free(big);
    }
    /* A 1024-bit sender (R13: k = 128 is below the minimum). */
    {
        struct spec sp = {.msg = (const uint8_t *)hello, .msg_len = strlen(hello), .signer = weak};
        struct env e = build("signature_weak_sender", &sp);
        emit("signature_weak_sender", &e.all, SF, NULL, 0);
        env_free(&e);
    }
    /* R15: claims to be from carol (trusted), signed by alice. */
    {
        uint8_t cf[SEAL_FPR_LEN];
        CHECK(key_fingerprint(carol, cf));
        struct spec sp = {
            .msg = (const uint8_t *)hello, .msg_len = strlen(hello), .claimed_fpr = cf};
        struct env e = build("signature_sender_swapped", &sp);
        emit("signature_sender_swapped", &e.all, SF, NULL, 0);
        env_free(&e);
    }
    /* R15: signed over SHA-256(message) instead of the piece-hash digest D. */
    {
        struct spec sp = {
            .msg = (const uint8_t *)hello, .msg_len = strlen(hello), .plain_digest = true};
        struct env e = build("signature_wrong_digest", &sp);
        emit("signature_wrong_digest", &e.all, SF, NULL, 0);
        env_free(&e);
    }
    /* R15, surreptitious forwarding: alice seals to carol; carol re-wraps
     * the decrypted inner stream (signature intact) for bob. */
    {
        const char *note = "bob: you are fired. -- alice\n";
        struct spec to_carol = {.msg = (const uint8_t *)note, .msg_len = strlen(note)};
        to_carol.rcpt[0] = carol;
        to_carol.n_rcpt = 1;
        struct env orig = build("signature_forwarded_original", &to_carol);
        struct spec fwd = {.inner = &orig.inner};
        struct env e = build("signature_forwarded", &fwd);
        emit("signature_forwarded", &e.all, SF, NULL, 0);
        env_free(&e);
        /* The same inner stream to bob and carol: also a different header. */
        fwd.rcpt[0] = carol;
        fwd.rcpt[1] = bob;
        fwd.n_rcpt = 2;
        e = build("signature_forwarded_added_recipient", &fwd);
        emit("signature_forwarded_added_recipient", &e.all, SF, NULL, 0);
        env_free(&e);
        env_free(&orig);
    }
    /* R14 */
    {
        struct spec sp = {
            .msg = (const uint8_t *)hello, .msg_len = strlen(hello), .signer = mallory};
        struct env e = build("untrusted_sender", &sp);
        emit("untrusted_sender", &e.all, UT, NULL, 0);
        env_free(&e);
        uint8_t *m = pattern(40000, 5);
        struct spec big = {.msg = m, .msg_len = 40000, .signer = mallory};
        e = build("untrusted_sender_three_chunks", &big);
        emit("untrusted_sender_three_chunks", &e.all, UT, NULL, 0);
        env_free(&e);
        free(m);
    }
}

static struct seal_rsa_key *load(const char *dir, const char *name)
{
    char path[4096];
    uint8_t *data;
    size_t len;
    bool needs_pass;
    struct seal_rsa_key *k;
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    /* Read without the 0600 check: git does not keep modes. */
    CHECK(file_read_all(path, 65536, true, false, &data, &len));
    CHECK(key_decode_private(data, len, NULL, 0, &needs_pass, &k));
    seal_secure_free(data, len);
    return k;
}

int main(int argc, char **argv)
{
    const char *keydir = argc > 1 ? argv[1] : "tests/testkit/keys";
    if (argc > 2)
        outdir = argv[2];
    if (argc > 3) {
        fprintf(stderr, "usage: gen_testkit [KEYDIR [OUTDIR]]\n");
        return 2;
    }
    CHECK(seal_crypto_init());
    alice = load(keydir, "alice");
    bob = load(keydir, "bob");
    carol = load(keydir, "carol");
    mallory = load(keydir, "mallory");
    /* Generated, not checked in: keys.c refuses to load keys this small. */
    CHECK(seal_rsa_generate_weak(1024, &weak));

    success_cases();
    header_cases();
    payload_cases();
    signature_cases();

    seal_rsa_free(alice);
    seal_rsa_free(bob);
    seal_rsa_free(carol);
    seal_rsa_free(mallory);
    seal_rsa_free(weak);
    printf("gen_testkit: wrote %d cases to %s\n", n_cases, outdir);
    return 0;
}
