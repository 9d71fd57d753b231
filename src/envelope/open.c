/* Unsealing and inspecting envelopes, in the order man/seal.5 ("DECODING")
 * prescribes. Message bytes go only to the caller's private sink; 0 is
 * returned only after every chunk and the signature verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "envelope/armor.h"
#include "envelope/chunked.h"
#include "envelope/envelope.h"
#include "envelope/header.h"
#include "envelope/trailer.h"
#include "envelope/pipeline.h"

/* Room for more than a stanza's plaintext, so a wrong length is detected
 * rather than truncated. */
#define KEYS_CAP (2 * SEAL_STANZA_KEYS_LEN)

/* Bytes looked at to tell armor from binary. */
#define SNIFF_LEN 1024

/* A source that first replays bytes already read (the sniffed prefix), then
 * reads from INNER, and counts what it hands out. */
struct replay_source {
    const uint8_t *prefix;
    size_t prefix_len, prefix_off;
    struct byte_source inner;
    uint64_t count;
};

static gpg_err_code_t replay_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    struct replay_source *r = ctx;
    *got = 0;
    if (r->prefix_off < r->prefix_len) {
        size_t n = r->prefix_len - r->prefix_off;
        if (n > cap)
            n = cap;
        memcpy(buf, r->prefix + r->prefix_off, n);
        r->prefix_off += n;
        *got = n;
    } else {
        gpg_err_code_t err = r->inner.read(r->inner.ctx, buf, cap, got);
        if (err)
            return err;
    }
    r->count += *got;
    return 0;
}

struct envelope_reader {
    uint8_t sniff[SNIFF_LEN];
    struct armor_decoder *armor;
    struct replay_source src; /* binary envelope bytes, counted */
    struct byte_source in;
    uint8_t *head; /* context label || header || salt || commitment */
    struct envelope_header h;
    uint8_t *keys; /* secure: the stanza's plaintext, file key || receipt key */
    struct chunked *cipher;
    struct pipeline *pipe;
    struct message_digest md;
    bool md_live;
    uint8_t *fin; /* the final chunk's plaintext */
    uint8_t pending_hash[SEAL_SHA256_LEN];
    struct envelope_trailer trailer; /* secret until verified: wiped */
    uint8_t sd[SEAL_SHA256_LEN];     /* the signed digest */
    bool used;                       /* the rest of the input was read */
    struct byte_sink hashes;         /* chunk hashes for a second pass, or none */
    bool verified;                   /* envelope_reader_unseal returned 0 */
    uint64_t msg_len;                /* then: the message length */
};

static void reader_release(struct envelope_reader *u)
{
    /* First: its reader thread may still be reading the input. */
    pipeline_free(u->pipe);
    armor_decoder_free(u->armor);
    free(u->head);
    seal_secure_free(u->keys, KEYS_CAP);
    chunked_free(u->cipher);
    if (u->md_live)
        message_digest_free(&u->md);
    /* Unverified plaintext: wipe it. */
    if (u->fin) {
        seal_wipe(u->fin, CHUNK_SIZE);
        free(u->fin);
    }
    seal_wipe(&u->trailer, sizeof u->trailer);
    seal_wipe(u->sd, sizeof u->sd);
}

/* Opens the input: armor is recognised by its first bytes and decoded on the
 * fly; everything after is read through U->in, which counts binary bytes. */
static gpg_err_code_t open_input(struct envelope_reader *u, struct byte_source in,
                                 struct envelope_info *info)
{
    size_t n;
    gpg_err_code_t err = source_read_full(&in, u->sniff, sizeof u->sniff, &n);
    if (err)
        return err;
    /* Armor may follow any amount of whitespace (seal(5)): drop all of it
     * but one byte, reading on, so the BEGIN line comes into the sniffed
     * bytes. The byte kept still makes a binary envelope with whitespace in
     * front fail on its magic (R1). */
    for (size_t i; n > 1 && (i = armor_leading_ws(u->sniff, n)) > 1;) {
        size_t got;
        memmove(u->sniff, u->sniff + i - 1, n - (i - 1));
        n -= i - 1;
        if ((err = source_read_full(&in, u->sniff + n, sizeof u->sniff - n, &got)))
            return err;
        n += got;
        if (got == 0)
            break;
    }
    memset(&u->src, 0, sizeof u->src);
    if (armor_looks_armored(u->sniff, n)) {
        info->armored = true;
        if ((err = armor_decoder_new(in, u->sniff, n, &u->armor)))
            return err;
        u->src.inner = armor_decoder_source(u->armor);
    } else {
        u->src.prefix = u->sniff;
        u->src.prefix_len = n;
        u->src.inner = in;
    }
    u->in.read = replay_read;
    u->in.ctx = &u->src;
    return 0;
}

/* Steps 1 and 3 of the public part: the header (R1-R6). */
static gpg_err_code_t read_header(struct envelope_reader *u, struct envelope_info *info)
{
    u->head = malloc(ENVELOPE_CONTEXT_LABEL_LEN + ENVELOPE_HEADER_MAX + CHUNKED_PREFIX_LEN);
    if (!u->head)
        return seal_errno_code();
    memcpy(u->head, ENVELOPE_CONTEXT_LABEL, ENVELOPE_CONTEXT_LABEL_LEN);
    gpg_err_code_t err = envelope_header_read(&u->in, u->head + ENVELOPE_CONTEXT_LABEL_LEN, &u->h);
    info->envelope_len = u->src.count;
    if (err)
        return err;
    info->version = u->h.version;
    info->n_recipients = u->h.n;
    info->header_len = u->h.len;
    for (size_t i = 0; i < u->h.n; i++)
        memcpy(info->recipient_fpr[i], u->h.stanza[i].fpr, SEAL_FPR_LEN);
    return 0;
}

/* R6: salt and commitment follow the header. */
static gpg_err_code_t read_prefix(struct envelope_reader *u, struct envelope_info *info)
{
    size_t got;
    gpg_err_code_t err = source_read_full(&u->in, u->head + ENVELOPE_CONTEXT_LABEL_LEN + u->h.len,
                                          CHUNKED_PREFIX_LEN, &got);
    info->envelope_len = u->src.count;
    if (err)
        return err;
    if (got < CHUNKED_PREFIX_LEN)
        return seal_fail(GPG_ERR_TRUNCATED, "envelope ends inside the salt or key commitment");
    return 0;
}

/* R7 with a detail that tells the user whom the envelope is for. */
static gpg_err_code_t not_addressed(const struct envelope_header *h)
{
    char list[3 * (SEAL_FPR_TEXT_LEN + 7)] = "";
    size_t shown = h->n < 2 ? h->n : 2;
    for (size_t i = 0; i < shown; i++) {
        char t[SEAL_FPR_TEXT_LEN];
        key_fingerprint_text(h->stanza[i].fpr, t);
        /* Labelled, as everywhere: a seal key ID, not an ssh fingerprint. */
        strcat(list, i ? ", seal " : "seal ");
        strcat(list, t);
    }
    if (h->n > shown)
        return seal_fail_override(GPG_ERR_NO_SECKEY,
                                  "not addressed to this key (recipients: %s and %zu more)", list,
                                  h->n - shown);
    return seal_fail_override(GPG_ERR_NO_SECKEY, "not addressed to this key (recipients: %s)",
                              list);
}

/* R7, R8, R6, R9: our stanza, the file key, salt and commitment, the key
 * commitment check. */
static gpg_err_code_t open_payload(struct envelope_reader *u, const struct seal_key *recipient,
                                   struct envelope_info *info)
{
    size_t fklen = 0;
    gpg_err_code_t err;
    int i = envelope_header_find(&u->h, recipient->fpr);
    if (i < 0)
        return not_addressed(&u->h);
    const struct envelope_stanza *st = &u->h.stanza[i];
    if (!(u->keys = seal_secure_malloc(KEYS_CAP)))
        return seal_errno_code();
    /* R8: every way to fail is one answer, so the stanza is no oracle. */
    if (st->wrapped_len != seal_rsa_modulus_len(recipient->rsa) ||
        seal_rsa_oaep_decrypt(recipient->rsa, ENVELOPE_WRAP_LABEL, ENVELOPE_WRAP_LABEL_LEN,
                              st->wrapped, st->wrapped_len, u->keys, KEYS_CAP, &fklen) != 0 ||
        fklen != SEAL_STANZA_KEYS_LEN)
        return seal_fail_override(GPG_ERR_DECRYPT_FAILED,
                                  "cannot unwrap the file key: the envelope was modified");
    if ((err = read_prefix(u, info)))
        return err;
    /* R9: the commitment covers the context, i.e. every header byte. */
    err = chunked_decrypt_new(u->keys, SEAL_AEAD_KEY_LEN, u->head,
                              ENVELOPE_CONTEXT_LABEL_LEN + u->h.len,
                              u->head + ENVELOPE_CONTEXT_LABEL_LEN + u->h.len, &u->cipher);
    if (err == GPG_ERR_CHECKSUM)
        return seal_fail_override(GPG_ERR_CHECKSUM,
                                  "the header was modified (key commitment mismatch)");
    return err;
}

/* Releases N message bytes (to OUT if it has a writer). */
static gpg_err_code_t release(const struct byte_sink *out, const uint8_t *p, size_t n)
{
    return n && out && out->write ? out->write(out->ctx, p, n) : 0;
}

/* Hashes and releases one message piece (the message part of a chunk). */
static gpg_err_code_t emit_piece(struct envelope_reader *u, const struct byte_sink *out,
                                 const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    gpg_err_code_t err = message_digest_add_piece(&u->md, p, n);
    return err ? err : release(out, p, n);
}

static gpg_err_code_t chunk_failed(gpg_err_code_t err, uint64_t index)
{
    return seal_fail_override(err, "chunk %llu: %s (modified, reordered or truncated)",
                              (unsigned long long)index,
                              err == GPG_ERR_CHECKSUM ? "authentication failed" : "wrong size");
}

/* For a second pass: the SHA-256 of every chunk's plaintext (the full
 * chunks' the workers computed, then the final chunk's), in order. */
static gpg_err_code_t record_hashes(struct envelope_reader *u, const struct pipeline_batch *b,
                                    size_t flen)
{
    uint8_t h[SEAL_SHA256_LEN];
    gpg_err_code_t err;

    if (!u->hashes.write)
        return 0;
    if (b->full && (err = u->hashes.write(u->hashes.ctx, b->hash[0], b->full * SEAL_SHA256_LEN)))
        return err;
    if (!b->last)
        return 0;
    seal_sha256(u->fin, flen, h);
    return u->hashes.write(u->hashes.ctx, h, sizeof h);
}

/* Steps 4 and 5: decrypt every chunk (R10-R12), split off the trailer (R13)
 * and compute the signed digest S. Chunks are read and decrypted a batch at
 * a time by the pipeline (on every core). The last full chunk seen stays pending: the
 * trailer may reach into it from the final chunk. Every earlier full chunk
 * is all message, since a full chunk follows it. */
static gpg_err_code_t read_payload(struct envelope_reader *u, const struct byte_sink *out,
                                   progress_fn progress, void *progress_ctx,
                                   struct envelope_trailer *t, uint64_t *msg_len,
                                   uint8_t sd[SEAL_SHA256_LEN])
{
    uint8_t tail[TRAILER_MAX_LEN], h[SEAL_SHA256_LEN], d[SEAL_SHA256_LEN];
    uint64_t released = 0, bad = 0;
    size_t flen = 0;
    gpg_err_code_t err;

    u->fin = buf_alloc_aligned(CHUNK_SIZE);
    if (!u->fin)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    if ((err = message_digest_init(&u->md)))
        return err;
    u->md_live = true;
    uint64_t payload_at = u->src.count; /* binary bytes before the first chunk */
    if ((err = pipeline_start(u->in, u->cipher, false, &u->pipe)))
        return err;

    const uint8_t *last_full = NULL; /* the chunk before the final one */
    const uint8_t *pending = NULL;   /* the last full chunk so far, not yet released;
                                        its batch stays valid until the next one is taken */
    for (;;) {
        struct pipeline_batch b;
        err = pipeline_next(u->pipe, &b, &bad);
        /* A full-size chunk is never final; a short read is the end. */
        size_t full = b.full, rem = b.rest_len;
        if (b.first + full + 1 > CHUNKED_MAX_CHUNKS) /* R12 */
            return seal_fail(GPG_ERR_TOO_LARGE, "envelope has too many chunks");
        if (err == GPG_ERR_CHECKSUM || err == GPG_ERR_TRUNCATED)
            return chunk_failed(err, bad);
        if (err)
            return err;
        if (b.last) {
            if (rem < CHUNK_TAG_LEN) /* R11 */
                return seal_fail(GPG_ERR_TRUNCATED, "envelope is truncated (no final chunk)");
            if ((err = chunked_decrypt_chunk(u->cipher, b.first + full, b.rest, rem, true, u->fin,
                                             &flen)))
                return chunk_failed(err, b.first + full);
        }
        if ((err = record_hashes(u, &b, flen)))
            return err;
        if (full == 0) {
            last_full = pending;
            break;
        }
        /* A full chunk of this batch follows the pending one, so that one
         * is all message; so is every full chunk of this batch but the
         * last. They go to the (private) sink. */
        size_t pending_len = pending ? CHUNK_SIZE : 0;
        if (pending && (err = message_digest_add(&u->md, u->pending_hash, CHUNK_SIZE)))
            return err;
        for (size_t i = 0; i + 1 < full; i++)
            if ((err = message_digest_add(&u->md, b.hash[i], CHUNK_SIZE)))
                return err;
        if ((err = release(out, pending, pending_len)) ||
            (err = release(out, b.out, (full - 1) * CHUNK_SIZE)))
            return err;
        released += pending_len + (full - 1) * CHUNK_SIZE;
        if (progress)
            progress(progress_ctx, payload_at + b.in_bytes);
        pending = b.out + (full - 1) * CHUNK_SIZE;
        memcpy(u->pending_hash, b.hash[full - 1], SEAL_SHA256_LEN);
        if (b.last) {
            last_full = pending;
            break;
        }
    }

    /* R13: the trailer from the end of last_full || final. */
    uint64_t inner_len = released + (last_full ? CHUNK_SIZE : 0) + flen;
    size_t tl = inner_len < TRAILER_MAX_LEN ? (size_t)inner_len : TRAILER_MAX_LEN;
    size_t from_final = tl < flen ? tl : flen;
    size_t from_last = tl - from_final;
    if (from_last)
        memcpy(tail, last_full + CHUNK_SIZE - from_last, from_last);
    memcpy(tail + from_last, u->fin + flen - from_final, from_final);
    if ((err = trailer_parse(tail, tl, inner_len, t, msg_len)))
        return err;

    /* The rest of the message: a piece from the last full chunk, then one
     * from the final chunk (message pieces are the chunks' message parts). */
    uint64_t left = *msg_len - released;
    if (last_full) {
        size_t n = left < CHUNK_SIZE ? (size_t)left : CHUNK_SIZE;
        if ((err = emit_piece(u, out, last_full, n)))
            return err;
        left -= n;
    }
    if ((err = emit_piece(u, out, u->fin, (size_t)left)))
        return err;
    message_digest_final(&u->md, d);
    u->md_live = false;

    seal_sha256(u->head + ENVELOPE_CONTEXT_LABEL_LEN, u->h.len + CHUNKED_PREFIX_LEN, h);
    envelope_signed_digest(h, t, d, sd);
    if (progress)
        progress(progress_ctx, u->src.count);
    return 0;
}

/* Drains the rest of the input to measure it (public inspection). */
static gpg_err_code_t drain(struct envelope_reader *u)
{
    uint8_t buf[4096];
    size_t got;
    do {
        gpg_err_code_t err = u->in.read(u->in.ctx, buf, sizeof buf, &got);
        if (err)
            return err;
    } while (got > 0);
    return 0;
}

/* What anyone can check without a key (R11, R13 by size alone): the chunks
 * after salt and commitment must end in a final chunk of 16..16399 bytes,
 * and the inner stream must be long enough for the smallest trailer. */
static gpg_err_code_t check_public_sizes(uint64_t chunks_len)
{
    uint64_t final_len = chunks_len % CHUNK_CT_MAX;
    uint64_t n_chunks = chunks_len / CHUNK_CT_MAX + 1;
    if (final_len < CHUNK_TAG_LEN)
        return seal_fail(GPG_ERR_TRUNCATED, "envelope is truncated (no final chunk)");
    if (chunks_len - n_chunks * CHUNK_TAG_LEN < TRAILER_FIXED_LEN + SEAL_RSA_MIN_LEN)
        return seal_fail(GPG_ERR_TRUNCATED, "envelope too short to hold a signed message");
    return 0;
}

/* The sizes read so far, success or not: a truncated envelope still shows
 * how much of it there was. */
static gpg_err_code_t measured(const struct envelope_reader *u, struct envelope_info *info,
                               gpg_err_code_t err)
{
    info->envelope_len = u->src.count;
    info->payload_len = u->src.count > info->header_len ? u->src.count - info->header_len : 0;
    return err;
}

/* The part of the input only a recipient can read: everything after the
 * header is decrypted (R7-R13) and the signed digest computed; INFO gets
 * what the trailer says. Whom to trust is the callers' business. */
static gpg_err_code_t decrypt_rest(struct envelope_reader *u, const struct seal_key *recipient,
                                   const struct byte_sink *out, progress_fn progress,
                                   void *progress_ctx, struct envelope_info *info)
{
    uint64_t msg_len = 0;
    gpg_err_code_t err;

    if (u->used)
        return seal_fail(GPG_ERR_INV_STATE, "envelope already read");
    u->used = true;
    if ((err = open_payload(u, recipient, info)))
        return err;
    info->header_verified = true;
    err = read_payload(u, out, progress, progress_ctx, &u->trailer, &msg_len, u->sd);
    /* Its reader thread stops here, so the input is ours again. */
    pipeline_free(u->pipe);
    u->pipe = NULL;
    if (err)
        return err;
    info->decrypted = true;
    info->plaintext_len = msg_len;
    memcpy(info->sender_fpr, u->trailer.sender_fpr, SEAL_FPR_LEN);
    info->created = u->trailer.created;
    memcpy(info->envelope_id, u->trailer.envelope_id, SEAL_ENVELOPE_ID_LEN);
    return 0;
}

gpg_err_code_t envelope_reader_open(struct byte_source in, struct envelope_reader **out,
                                    struct envelope_info *info)
{
    struct envelope_reader *u;
    gpg_err_code_t err;

    seal_clear_detail();
    memset(info, 0, sizeof *info);
    *out = NULL;
    if (!(u = calloc(1, sizeof *u)))
        return seal_errno_code();
    if ((err = open_input(u, in, info)) || (err = read_header(u, info))) {
        measured(u, info, err);
        envelope_reader_free(u);
        return err;
    }
    *out = u;
    return 0;
}

gpg_err_code_t envelope_reader_check_recipient(const struct envelope_reader *u,
                                               const uint8_t fpr[SEAL_FPR_LEN])
{
    return envelope_header_find(&u->h, fpr) < 0 ? not_addressed(&u->h) : 0;
}

gpg_err_code_t envelope_reader_unseal(struct envelope_reader *u, const struct unseal_request *req,
                                      struct envelope_info *info)
{
    gpg_err_code_t err;

    seal_clear_detail();
    if (req->receipt_key)
        seal_wipe(req->receipt_key, SEAL_RECEIPT_KEY_LEN);
    if (!req->recipient)
        return seal_fail(GPG_ERR_NO_SECKEY, "no recipient key given");
    u->hashes = req->chunk_hashes;
    if ((err = decrypt_rest(u, req->recipient, &req->out, req->progress, req->progress_ctx, info)))
        return measured(u, info, err);
    const struct trusted_sender *ts;
    if ((err = trusted_senders_find(req->senders, u->trailer.sender_fpr, &ts)))
        return measured(u, info, err);
    if (!ts) {
        /* R14: without the key nothing can be verified, and a stranger's
         * valid signature would not be what the user asked for anyway. */
        char txt[SEAL_FPR_TEXT_LEN];
        key_fingerprint_text(u->trailer.sender_fpr, txt);
        return measured(
            u, info, seal_fail_override(GPG_ERR_NOT_TRUSTED, "signed by unknown key seal %s", txt));
    }
    info->sender_name = ts->name;
    if (trailer_verify(ts->key->rsa, u->sd, &u->trailer)) /* R15 */
        return measured(u, info,
                        seal_fail_override(GPG_ERR_BAD_SIGNATURE,
                                           "bad signature (claims to be from %s)", ts->name));
    info->signature_valid = true;
    u->verified = true;
    u->msg_len = info->plaintext_len;
    /* Only now: a receipt key is worth something only for a verified
     * envelope (the transport acknowledges with it). */
    if (req->receipt_key)
        memcpy(req->receipt_key, u->keys + SEAL_AEAD_KEY_LEN, SEAL_RECEIPT_KEY_LEN);
    return measured(u, info, 0);
}

gpg_err_code_t envelope_reader_inspect(struct envelope_reader *u, const struct seal_key *recipient,
                                       struct trusted_senders *senders, struct envelope_info *info)
{
    gpg_err_code_t err;

    seal_clear_detail();
    if (!recipient) {
        if (u->used)
            return seal_fail(GPG_ERR_INV_STATE, "envelope already read");
        u->used = true;
        err = read_prefix(u, info);
        if (!err)
            err = drain(u);
        if (!err)
            err = check_public_sizes(u->src.count - u->h.len - CHUNKED_PREFIX_LEN);
        return measured(u, info, err);
    }
    if ((err = decrypt_rest(u, recipient, NULL, NULL, NULL, info)))
        return measured(u, info, err);
    /* Who signed is a fact to report here, not a reason to fail. */
    const struct trusted_sender *ts;
    if ((err = trusted_senders_find(senders, u->trailer.sender_fpr, &ts)))
        return measured(u, info, err);
    if (ts) {
        info->sender_name = ts->name;
        info->signature_valid = trailer_verify(ts->key->rsa, u->sd, &u->trailer) == 0; /* R15 */
    }
    return measured(u, info, 0);
}

/* ---- the second pass -------------------------------------------------------
 * Releasing a verified envelope from a second reading of its bytes: each
 * chunk is decrypted again and its plaintext hash compared with the first
 * pass's before any of it is written, so whatever the input became in
 * between, only verified bytes come out. */

/* The second reading differs from the first: an authentication failure. */
static gpg_err_code_t changed(const char *what, uint64_t index)
{
    return seal_fail_override(GPG_ERR_CHECKSUM,
                              "the input changed after it was verified (%s %llu); the output "
                              "stops before it",
                              what, (unsigned long long)index);
}

/* Writes the message part of chunks FIRST .. FIRST+N-1, whose plaintext is
 * at PT (contiguous; the last one LAST_LEN bytes long). */
static gpg_err_code_t release_chunks(const struct envelope_reader *u, const struct byte_sink *out,
                                     uint64_t first, size_t n, size_t last_len, const uint8_t *pt)
{
    uint64_t at = first * CHUNK_SIZE;
    if (n == 0 || at >= u->msg_len)
        return 0; /* the trailer's chunks: nothing of the message */
    uint64_t len = (uint64_t)(n - 1) * CHUNK_SIZE + last_len;
    if (len > u->msg_len - at)
        len = u->msg_len - at;
    return release(out, pt, (size_t)len);
}

static gpg_err_code_t release_payload(struct envelope_reader *u, struct envelope_reader *v,
                                      struct byte_source hashes, const struct byte_sink *out,
                                      progress_fn progress, void *progress_ctx)
{
    uint8_t rec[CHUNK_BATCH + 1][SEAL_SHA256_LEN], h[SEAL_SHA256_LEN];
    uint64_t bad = 0, chunks = 0;
    size_t got, flen = 0;
    gpg_err_code_t err;

    if (!(v->fin = buf_alloc_aligned(CHUNK_SIZE)))
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    uint64_t payload_at = v->src.count;
    if ((err = pipeline_start(v->in, u->cipher, false, &v->pipe)))
        return err;
    for (;;) {
        struct pipeline_batch b;
        err = pipeline_next(v->pipe, &b, &bad);
        /* A chunk that fails to decrypt ends it, after the ones before it
         * in its batch (the workers stop at the first failure). */
        bool failed =
            err == GPG_ERR_CHECKSUM || err == GPG_ERR_TRUNCATED || err == GPG_ERR_TOO_LARGE;
        if (err && !failed)
            return err;
        size_t valid = failed ? (size_t)(bad - b.first) : b.full;
        if (failed && (bad < b.first || valid > b.full))
            return changed("chunk", bad);
        size_t n = valid + (b.last && !failed ? 1 : 0);
        if ((err = source_read_full(&hashes, rec[0], n * SEAL_SHA256_LEN, &got)))
            return err;
        if (got < n * SEAL_SHA256_LEN)
            return changed("more chunks than verified, at", chunks + got / SEAL_SHA256_LEN);
        /* The full chunks up to the first one that differs, then that one
         * is the end. */
        size_t same = 0;
        while (same < valid && seal_ct_equal(b.hash[same], rec[same], SEAL_SHA256_LEN))
            same++;
        if ((err = release_chunks(u, out, b.first, same, CHUNK_SIZE, b.out)))
            return err;
        if (same < valid || failed)
            return changed("chunk", b.first + same);
        chunks += n;
        if (progress)
            progress(progress_ctx, payload_at + b.in_bytes);
        if (!b.last)
            continue;
        if (b.rest_len < CHUNK_TAG_LEN ||
            chunked_decrypt_chunk(u->cipher, b.first + b.full, b.rest, b.rest_len, true, v->fin,
                                  &flen) != 0)
            return changed("chunk", b.first + b.full);
        seal_sha256(v->fin, flen, h);
        if (!seal_ct_equal(h, rec[b.full], SEAL_SHA256_LEN))
            return changed("chunk", b.first + b.full);
        if ((err = release_chunks(u, out, b.first + b.full, 1, flen, v->fin)))
            return err;
        break;
    }
    /* As many chunks as verified: no record may be left. */
    if ((err = source_read_full(&hashes, rec[0], 1, &got)))
        return err;
    if (got)
        return changed("fewer chunks than verified, after", chunks);
    return 0;
}

gpg_err_code_t envelope_reader_release(struct envelope_reader *u, struct byte_source again,
                                       struct byte_source hashes, struct byte_sink out,
                                       progress_fn progress, void *progress_ctx)
{
    struct envelope_reader *v;
    struct envelope_info vi;
    gpg_err_code_t err;

    seal_clear_detail();
    if (!u->verified || !u->hashes.write)
        return seal_fail(GPG_ERR_INV_STATE, "release before the envelope verified");
    if (!(v = calloc(1, sizeof *v)))
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    memset(&vi, 0, sizeof vi);
    size_t head_len = ENVELOPE_CONTEXT_LABEL_LEN + u->h.len + CHUNKED_PREFIX_LEN;
    err = open_input(v, again, &vi);
    if (!err)
        err = read_header(v, &vi);
    if (!err)
        err = read_prefix(v, &vi);
    /* The same header, salt and commitment: the same keys and context. */
    if (!err && (v->h.len != u->h.len || memcmp(v->head, u->head, head_len) != 0))
        err = changed("header, at byte", 0);
    if (!err)
        err = release_payload(u, v, hashes, &out, progress, progress_ctx);
    /* Anything but an I/O error means the bytes are not the verified ones. */
    if (err && err != GPG_ERR_CHECKSUM && gpg_err_code_to_errno(err) == 0 && err != GPG_ERR_ENOMEM)
        err = changed("envelope, at byte", v->src.count);
    envelope_reader_free(v);
    return err;
}

void envelope_reader_free(struct envelope_reader *u)
{
    if (!u)
        return;
    reader_release(u);
    free(u);
}

gpg_err_code_t envelope_unseal(const struct unseal_request *req, struct envelope_info *info)
{
    struct envelope_reader *u;
    gpg_err_code_t err;

    if (req->receipt_key)
        seal_wipe(req->receipt_key, SEAL_RECEIPT_KEY_LEN);
    if (!req->recipient)
        return seal_fail(GPG_ERR_NO_SECKEY, "no recipient key given");
    if ((err = envelope_reader_open(req->in, &u, info)))
        return err;
    err = envelope_reader_unseal(u, req, info);
    envelope_reader_free(u);
    return err;
}
