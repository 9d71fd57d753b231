/* Sealing: header, wrapped keys, chunked payload, signature block. See
 * envelope.h and man/seal.5. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "envelope/armor.h"
#include "envelope/chunked.h"
#include "envelope/envelope.h"
#include "envelope/header.h"
#include "envelope/trailer.h"
#include "envelope/pipeline.h"
#include "envelope/sealer_internal.h"

/* The short piece at the end of the input (< CHUNK_SIZE) and the trailer. */
#define TAIL_BUF (CHUNK_SIZE + TRAILER_MAX_LEN)

/* Everything a seal holds, so one cleanup path frees (and wipes) it all. */
struct sealer {
    uint8_t *keys; /* secure: file key || receipt key of recipient i, per i */
    uint8_t *wrapped[SEAL_MAX_RECIPIENTS];
    struct writer head; /* context label || header || salt || commitment */
    struct chunked *cipher;
    struct pipeline *pipe;
    struct message_digest md;
    bool md_live;
    uint8_t *tail; /* TAIL_BUF: the short piece, then the trailer */
    uint8_t *ct;   /* CHUNK_CT_MAX: one of the last chunks, encrypted */
    struct armor_encoder *armor;
};

static void sealer_free(struct sealer *s)
{
    /* First: its reader thread may still be reading the input. */
    pipeline_free(s->pipe);
    seal_secure_free(s->keys, SEAL_MAX_RECIPIENTS * SEAL_STANZA_KEYS_LEN);
    for (size_t i = 0; i < SEAL_MAX_RECIPIENTS; i++)
        free(s->wrapped[i]);
    writer_free(&s->head);
    chunked_free(s->cipher);
    if (s->md_live)
        message_digest_free(&s->md);
    /* The plaintext is the user's secret too. */
    if (s->tail) {
        seal_wipe(s->tail, TAIL_BUF);
        free(s->tail);
    }
    free(s->ct);
    armor_encoder_free(s->armor);
}

gpg_err_code_t envelope_check_recipients(const struct seal_key *const *keys, size_t n,
                                         size_t *first, size_t *second)
{
    *first = *second = 0;
    if (n == 0 || n > SEAL_MAX_RECIPIENTS)
        return seal_fail(GPG_ERR_INV_VALUE, "%zu recipients (need 1..%d)", n, SEAL_MAX_RECIPIENTS);
    /* The fingerprint was computed once, when the key was loaded. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (memcmp(keys[j]->fpr, keys[i]->fpr, SEAL_FPR_LEN) == 0) {
                *first = j;
                *second = i;
                return seal_fail(GPG_ERR_DUP_KEY, "recipients %zu and %zu are the same key", j + 1,
                                 i + 1);
            }
    return 0;
}

/* Checks the keys and writes the header: one stanza (key ID, wrapped file
 * key) per recipient. */
static gpg_err_code_t make_header(struct sealer *s, const struct seal_request *req,
                                  const struct seal_fixed *fx)
{
    struct envelope_header h;
    gpg_err_code_t err;

    size_t dup_first, dup_second;
    if ((err = envelope_check_recipients(req->recipients, req->n_recipients, &dup_first,
                                         &dup_second)))
        return err;
    if (!req->sender || !seal_rsa_has_private(req->sender->rsa))
        return seal_fail(GPG_ERR_NO_SECKEY, "the sender key has no private part");
    size_t sk = seal_rsa_modulus_len(req->sender->rsa);
    if (sk < SEAL_RSA_MIN_LEN || sk > SEAL_RSA_MAX_LEN)
        return seal_fail(GPG_ERR_UNUSABLE_PUBKEY, "sender key of %u bits is not supported",
                         seal_rsa_bits(req->sender->rsa));

    /* Stanza i wraps the file key followed by recipient i's own receipt
     * key, so keys[] holds the n 64-byte plaintexts side by side; the file
     * key is the first 32 bytes of each. */
    s->keys = seal_secure_malloc(SEAL_MAX_RECIPIENTS * SEAL_STANZA_KEYS_LEN);
    if (!s->keys)
        return seal_errno_code();
    uint8_t *file_key = s->keys;
    if (fx && fx->file_key)
        memcpy(file_key, fx->file_key, SEAL_AEAD_KEY_LEN);
    else
        seal_random(file_key, SEAL_AEAD_KEY_LEN);
    for (size_t i = 0; i < req->n_recipients; i++) {
        uint8_t *sk_i = s->keys + i * SEAL_STANZA_KEYS_LEN;
        if (i)
            memcpy(sk_i, file_key, SEAL_AEAD_KEY_LEN);
        /* Fresh per recipient: a co-recipient must not know it (it could
         * forge this recipient's receipts). */
        if (fx && fx->receipt_keys)
            memcpy(sk_i + SEAL_AEAD_KEY_LEN, fx->receipt_keys + i * SEAL_RECEIPT_KEY_LEN,
                   SEAL_RECEIPT_KEY_LEN);
        else
            seal_random(sk_i + SEAL_AEAD_KEY_LEN, SEAL_RECEIPT_KEY_LEN);
    }

    memset(&h, 0, sizeof h);
    h.version = ENVELOPE_VERSION;
    h.n = req->n_recipients;
    for (size_t i = 0; i < h.n; i++) {
        const struct seal_rsa_key *rk = req->recipients[i]->rsa;
        size_t k = seal_rsa_modulus_len(rk);
        if (k < SEAL_RSA_MIN_LEN || k > SEAL_RSA_MAX_LEN)
            return seal_fail(GPG_ERR_UNUSABLE_PUBKEY,
                             "recipient %zu: key of %u bits is not supported", i + 1,
                             seal_rsa_bits(rk));
        if (!(s->wrapped[i] = malloc(k)))
            return seal_errno_code();
        if ((err = seal_rsa_oaep_encrypt(rk, ENVELOPE_WRAP_LABEL, ENVELOPE_WRAP_LABEL_LEN,
                                         s->keys + i * SEAL_STANZA_KEYS_LEN, SEAL_STANZA_KEYS_LEN,
                                         s->wrapped[i])))
            return err;
        h.stanza[i].fpr = req->recipients[i]->fpr;
        h.stanza[i].wrapped = s->wrapped[i];
        h.stanza[i].wrapped_len = k;
    }

    writer_init(&s->head, ENVELOPE_CONTEXT_LABEL_LEN + ENVELOPE_HEADER_MAX + CHUNKED_PREFIX_LEN,
                false);
    writer_put_bytes(&s->head, ENVELOPE_CONTEXT_LABEL, ENVELOPE_CONTEXT_LABEL_LEN);
    if ((err = envelope_header_encode(&h, &s->head)))
        return err;
    uint8_t *prefix = writer_reserve(&s->head, CHUNKED_PREFIX_LEN);
    if (!prefix)
        return writer_status(&s->head);
    /* The context is the label and the header, i.e. the writer minus the
     * prefix just reserved. */
    return chunked_encrypt_new(file_key, SEAL_AEAD_KEY_LEN, writer_data(&s->head),
                               writer_len(&s->head) - CHUNKED_PREFIX_LEN, fx ? fx->salt : NULL,
                               prefix, &s->cipher);
}

static gpg_err_code_t put_chunk(struct sealer *s, const struct byte_sink *out, uint64_t index,
                                const uint8_t *pt, size_t len, bool final)
{
    if (index >= CHUNKED_MAX_CHUNKS)
        return seal_fail(GPG_ERR_TOO_LARGE, "message too long for one envelope");
    gpg_err_code_t err = chunked_encrypt_chunk(s->cipher, index, pt, len, final, s->ct);
    if (err)
        return err;
    return out->write(out->ctx, s->ct, len + CHUNK_TAG_LEN);
}

gpg_err_code_t envelope_seal_internal(const struct seal_request *req, const struct seal_fixed *fx)
{
    struct sealer s;
    struct envelope_trailer t;
    uint8_t h[SEAL_SHA256_LEN], d[SEAL_SHA256_LEN], sd[SEAL_SHA256_LEN];
    uint64_t index = 0, done = 0;
    size_t got;
    gpg_err_code_t err;

    seal_clear_detail();
    memset(&s, 0, sizeof s);
    memset(&t, 0, sizeof t);
    if ((err = make_header(&s, req, fx)))
        goto out;
    s.tail = buf_alloc_aligned(TAIL_BUF);
    s.ct = buf_alloc_aligned(CHUNK_CT_MAX);
    if (!s.tail || !s.ct) {
        err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        goto out;
    }
    struct byte_sink out = req->out;
    if (req->armor) {
        if ((err = armor_encoder_new(req->out, &s.armor)))
            goto out;
        out = armor_encoder_sink(s.armor);
    }
    const uint8_t *header = writer_data(&s.head) + ENVELOPE_CONTEXT_LABEL_LEN;
    size_t header_all =
        writer_len(&s.head) - ENVELOPE_CONTEXT_LABEL_LEN; /* with salt, commitment */
    seal_sha256(header, header_all, h);
    if ((err = out.write(out.ctx, header, header_all)))
        goto out;

    if ((err = message_digest_init(&s.md)))
        goto out;
    s.md_live = true;
    /* A full piece is never the last chunk: the trailer always follows. So
     * the pipeline encrypts every full piece; the short piece at the end of
     * input (maybe empty) goes with the trailer. Batches come back in order:
     * their hashes are chained and their chunks written here, while the
     * workers compute the next ones. */
    if ((err = pipeline_start(req->in, s.cipher, true, &s.pipe)))
        goto out;
    for (;;) {
        struct pipeline_batch b;
        uint64_t bad;
        err = pipeline_next(s.pipe, &b, &bad);
        if (b.first + b.full + 2 > CHUNKED_MAX_CHUNKS)
            err = seal_fail(GPG_ERR_TOO_LARGE, "message too long for one envelope");
        if (err)
            goto out;
        for (size_t i = 0; i < b.full; i++)
            if ((err = message_digest_add(&s.md, b.hash[i], CHUNK_SIZE)))
                goto out;
        if (b.full && (err = out.write(out.ctx, b.out, b.full * CHUNK_CT_MAX)))
            goto out;
        index = b.first + b.full;
        done += b.full * CHUNK_SIZE;
        if (req->progress && b.full)
            req->progress(req->progress_ctx, done);
        if (b.last) {
            got = b.rest_len;
            memcpy(s.tail, b.rest, got);
            break;
        }
    }
    pipeline_free(s.pipe);
    s.pipe = NULL;
    if (got > 0 && (err = message_digest_add_piece(&s.md, s.tail, got)))
        goto out;
    message_digest_final(&s.md, d);
    s.md_live = false;

    memcpy(t.sender_fpr, req->sender->fpr, SEAL_FPR_LEN);
    t.created = fx && fx->have_created ? fx->created : (uint64_t)time(NULL);
    if (fx && fx->envelope_id)
        memcpy(t.envelope_id, fx->envelope_id, SEAL_ENVELOPE_ID_LEN);
    else
        seal_random(t.envelope_id, SEAL_ENVELOPE_ID_LEN);
    envelope_signed_digest(h, &t, d, sd);
    if ((err = trailer_sign(req->sender->rsa, sd, &t)) || (err = trailer_encode(&t, s.tail + got)))
        goto out;

    /* The last piece and the trailer make one or two chunks, the last one
     * final and shorter than CHUNK_SIZE (possibly empty). */
    size_t tail = got + trailer_len(&t);
    const uint8_t *p = s.tail;
    if (tail >= CHUNK_SIZE) {
        if ((err = put_chunk(&s, &out, index++, p, CHUNK_SIZE, false)))
            goto out;
        p += CHUNK_SIZE;
        tail -= CHUNK_SIZE;
    }
    if ((err = put_chunk(&s, &out, index, p, tail, true)))
        goto out;
    if (s.armor && (err = armor_encoder_finish(s.armor)))
        goto out;
    if (req->progress)
        req->progress(req->progress_ctx, done + got);
    if (req->result) {
        memcpy(req->result->envelope_id, t.envelope_id, SEAL_ENVELOPE_ID_LEN);
        req->result->created = t.created;
        for (size_t i = 0; req->result->receipt_keys && i < req->n_recipients; i++)
            memcpy(req->result->receipt_keys + i * SEAL_RECEIPT_KEY_LEN,
                   s.keys + i * SEAL_STANZA_KEYS_LEN + SEAL_AEAD_KEY_LEN, SEAL_RECEIPT_KEY_LEN);
    }
    err = 0;
out:
    sealer_free(&s);
    seal_wipe(&t, sizeof t);
    return err;
}

gpg_err_code_t envelope_seal(const struct seal_request *req)
{
    return envelope_seal_internal(req, NULL);
}
