/*
 * The trailer and the inner stream (R10-R15 past the AEAD): the fuzzer's
 * input becomes the decrypted inner stream of an envelope for bob whose
 * header, salt and commitment were made once at start-up with a known file
 * key, so every input reaches the chunk, trailer and signature code.
 *
 * The first input byte picks the mode:
 *   even: the rest is the inner stream as is (message || trailer): the
 *         trailer parser and the signature check see arbitrary bytes.
 *   odd:  the rest is a message, which the harness signs correctly as
 *         alice: every length and chunk split must round-trip.
 * Oracles: trailer_parse() on the inner stream's tail agrees with how far
 * envelope_unseal() got (it decrypts iff the trailer parses, with the same
 * message length and sender); 0 is returned only for a signature by a
 * trusted sender, and then the plaintext is exactly the message; a signed
 * message always opens.
 */
#include <stdlib.h>
#include <string.h>

#include "envelope/chunked.h"
#include "envelope/envelope.h"
#include "envelope/header.h"
#include "envelope/trailer.h"
#include "fuzz_common.h"
#include "testing.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static struct seal_key *bob, *alice;
static struct trusted_senders trusted;
static struct fuzz_sink head; /* header || salt || commitment */
static uint8_t head_hash[SEAL_SHA256_LEN];
static struct chunked *cipher; /* encrypts chunks after HEAD */
static uint8_t alice_fpr[SEAL_FPR_LEN];

static gpg_err_code_t empty_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    (void)ctx;
    (void)buf;
    (void)cap;
    *got = 0;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const uint8_t file_key[32] = "fuzz_inner fixed file key 32 b.";
    static const uint8_t salt[CHUNKED_SALT_LEN] = "fuzz_inner fixed salt..";
    struct envelope_header h;
    struct fuzz_sink env;
    size_t need;
    (void)argc;
    (void)argv;

    fuzz_init();
    bob = fuzz_load_key("bob.key");
    alice = fuzz_load_key("alice.key");
    fuzz_load_trusted(&trusted);
    memcpy(alice_fpr, alice->fpr, SEAL_FPR_LEN);

    /* A real envelope of nothing gives a header the library itself wrote. */
    const struct seal_key *const rcpt[1] = {bob};
    struct seal_request req = {.recipients = rcpt,
                               .n_recipients = 1,
                               .sender = alice,
                               .in = {empty_read, NULL},
                               .out = fuzz_sink(&env)};
    struct seal_fixed fixed = {
        .file_key = file_key, .salt = salt, .have_created = true, .created = 1700000000};
    FUZZ_ASSERT(envelope_seal_fixed(&req, &fixed) == 0);
    FUZZ_ASSERT(envelope_header_parse(env.data, env.len, &h, &need) == 0);
    fuzz_sink(&head);
    FUZZ_ASSERT(head.len == 0);
    size_t hl = h.len + CHUNKED_PREFIX_LEN;
    head.data = malloc(hl + ENVELOPE_CONTEXT_LABEL_LEN);
    FUZZ_ASSERT(head.data != NULL);
    memcpy(head.data, ENVELOPE_CONTEXT_LABEL, ENVELOPE_CONTEXT_LABEL_LEN);
    memcpy(head.data + ENVELOPE_CONTEXT_LABEL_LEN, env.data, hl);
    head.len = hl;
    seal_sha256(env.data, hl, head_hash);
    uint8_t prefix[CHUNKED_PREFIX_LEN];
    FUZZ_ASSERT(chunked_encrypt_new(file_key, sizeof file_key, head.data,
                                    ENVELOPE_CONTEXT_LABEL_LEN + h.len, salt, prefix,
                                    &cipher) == 0);
    FUZZ_ASSERT(memcmp(prefix, env.data + h.len, CHUNKED_PREFIX_LEN) == 0);
    fuzz_sink_free(&env);
    return 0;
}

/* HEAD || chunks of INNER, as a sealer writes them. */
static uint8_t *make_envelope(const uint8_t *inner, size_t len, size_t *outlen)
{
    size_t n_chunks = len / CHUNK_SIZE + 1;
    uint8_t *env = malloc(head.len + len + n_chunks * CHUNK_TAG_LEN);
    FUZZ_ASSERT(env != NULL);
    memcpy(env, head.data + ENVELOPE_CONTEXT_LABEL_LEN, head.len);
    size_t off = head.len;
    for (size_t i = 0; i < n_chunks; i++) {
        bool final = i + 1 == n_chunks;
        size_t n = final ? len % CHUNK_SIZE : CHUNK_SIZE;
        FUZZ_ASSERT(chunked_encrypt_chunk(cipher, i, inner + i * CHUNK_SIZE, n, final, env + off) ==
                    0);
        off += n + CHUNK_TAG_LEN;
    }
    *outlen = off;
    return env;
}

/* MSG || a trailer by alice, correctly signed for HEAD. */
static uint8_t *sign_message(const uint8_t *msg, size_t len, size_t *outlen)
{
    struct envelope_trailer t;
    uint8_t d[SEAL_SHA256_LEN], s[SEAL_SHA256_LEN];
    memset(&t, 0, sizeof t);
    memcpy(t.sender_fpr, alice_fpr, SEAL_FPR_LEN);
    t.created = len * 7919u;
    memset(t.envelope_id, (int)(len & 0xff), sizeof t.envelope_id);
    FUZZ_ASSERT(message_digest_oneshot(msg, len, d) == 0);
    envelope_signed_digest(head_hash, &t, d, s);
    FUZZ_ASSERT(trailer_sign(alice->rsa, s, &t) == 0);
    uint8_t *inner = malloc(len + trailer_len(&t));
    FUZZ_ASSERT(inner != NULL);
    if (len)
        memcpy(inner, msg, len);
    FUZZ_ASSERT(trailer_encode(&t, inner + len) == 0);
    *outlen = len + trailer_len(&t);
    return inner;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static struct envelope_info info;
    struct envelope_trailer t;
    struct fuzz_source fs;
    struct fuzz_sink plain;
    uint64_t msg_len = 0;
    size_t inner_len, env_len;

    if (len < 1 || len > 200000)
        return -1;
    bool sign = data[0] & 1;
    const uint8_t *rest = data + 1;
    uint8_t *inner = sign ? sign_message(rest, len - 1, &inner_len) : NULL;
    if (!sign) {
        inner_len = len - 1;
        inner = malloc(inner_len ? inner_len : 1);
        FUZZ_ASSERT(inner != NULL);
        memcpy(inner, rest, inner_len);
    }
    size_t tl = inner_len < TRAILER_MAX_LEN ? inner_len : TRAILER_MAX_LEN;
    gpg_err_code_t te = trailer_parse(inner + inner_len - tl, tl, inner_len, &t, &msg_len);
    if (te == 0)
        FUZZ_ASSERT(msg_len + trailer_len(&t) == inner_len);

    uint8_t *env = make_envelope(inner, inner_len, &env_len);
    struct unseal_request req = {.recipient = bob,
                                 .senders = &trusted,
                                 .in = fuzz_source(&fs, env, env_len),
                                 .out = fuzz_sink(&plain)};
    gpg_err_code_t e = envelope_unseal(&req, &info);

    FUZZ_ASSERT(info.header_verified);
    FUZZ_ASSERT(info.decrypted == (te == 0));
    if (info.decrypted) {
        FUZZ_ASSERT(info.plaintext_len == msg_len);
        FUZZ_ASSERT(memcmp(info.sender_fpr, t.sender_fpr, SEAL_FPR_LEN) == 0);
    }
    if (e == 0) {
        FUZZ_ASSERT(info.signature_valid && info.sender_name != NULL);
        FUZZ_ASSERT(plain.len == msg_len &&
                    (msg_len == 0 || memcmp(plain.data, inner, msg_len) == 0));
    } else {
        FUZZ_ASSERT(e == GPG_ERR_BAD_SIGNATURE || e == GPG_ERR_NOT_TRUSTED);
    }
    if (sign)
        FUZZ_ASSERT(e == 0 && plain.len == len - 1);
    fuzz_sink_free(&plain);
    free(env);
    free(inner);
    return 0;
}
