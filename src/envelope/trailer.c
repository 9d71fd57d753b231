/* The signature block and the digests it signs; see trailer.h. */
#include "envelope/trailer.h"

#include <string.h>

#include "base/buf.h"

static const char message_domain[] = "seal v1 message";
static const char signature_domain[] = "seal v1 signature";

size_t trailer_len(const struct envelope_trailer *t)
{
    return TRAILER_FIXED_LEN + t->sig_len;
}

gpg_err_code_t trailer_encode(const struct envelope_trailer *t, uint8_t *out)
{
    if (t->sig_len < SEAL_RSA_MIN_LEN || t->sig_len > SEAL_RSA_MAX_LEN)
        return seal_fail(GPG_ERR_INV_VALUE, "signature of %zu bytes cannot be encoded", t->sig_len);
    struct writer w;
    writer_init_buffer(&w, out, trailer_len(t));
    writer_put_bytes(&w, t->sender_fpr, SEAL_FPR_LEN);
    writer_put_u64(&w, t->created);
    writer_put_bytes(&w, t->envelope_id, SEAL_ENVELOPE_ID_LEN);
    writer_put_bytes(&w, t->sig, t->sig_len);
    writer_put_u16(&w, (uint16_t)t->sig_len);
    return writer_status(&w);
}

gpg_err_code_t trailer_parse(const uint8_t *tail, size_t tail_len, uint64_t inner_len,
                             struct envelope_trailer *t, uint64_t *message_len)
{
    struct reader r;
    uint16_t k;
    gpg_err_code_t err;

    memset(t, 0, sizeof *t);
    *message_len = 0;
    if (tail_len > inner_len || tail_len > TRAILER_MAX_LEN ||
        (tail_len < TRAILER_MAX_LEN && tail_len != inner_len))
        return seal_fail(GPG_ERR_BUG, "trailer_parse: inconsistent tail");
    /* R13: the stream is authentic (it decrypted), so a bad block means the
     * sealer itself was broken or hostile: no valid signature. */
    if (inner_len < 2)
        return seal_fail(GPG_ERR_BAD_SIGNATURE, "malformed signature block: stream too short");
    reader_init(&r, tail + tail_len - 2, 2);
    if ((err = reader_get_u16(&r, &k)))
        return err;
    if (k < SEAL_RSA_MIN_LEN || k > SEAL_RSA_MAX_LEN)
        return seal_fail(GPG_ERR_BAD_SIGNATURE,
                         "malformed signature block: signature length %u out of range %d..%d", k,
                         SEAL_RSA_MIN_LEN, SEAL_RSA_MAX_LEN);
    size_t tl = TRAILER_FIXED_LEN + k;
    if (inner_len < tl)
        return seal_fail(GPG_ERR_BAD_SIGNATURE,
                         "malformed signature block: stream of %llu bytes too short",
                         (unsigned long long)inner_len);
    reader_init(&r, tail + tail_len - tl, tl - 2);
    if ((err = reader_get_bytes(&r, t->sender_fpr, SEAL_FPR_LEN)) ||
        (err = reader_get_u64(&r, &t->created)) ||
        (err = reader_get_bytes(&r, t->envelope_id, SEAL_ENVELOPE_ID_LEN)) ||
        (err = reader_get_bytes(&r, t->sig, k)) || (err = reader_expect_end(&r)))
        return err;
    t->sig_len = k;
    *message_len = inner_len - tl;
    return 0;
}

gpg_err_code_t message_digest_init(struct message_digest *md)
{
    memset(md, 0, sizeof *md);
    gpg_err_code_t err = seal_sha256_new(&md->ctx);
    if (err)
        return err;
    seal_sha256_update(md->ctx, message_domain, sizeof message_domain); /* with the 00 */
    return 0;
}

gpg_err_code_t message_digest_add(struct message_digest *md, const uint8_t hash[SEAL_SHA256_LEN],
                                  size_t piece_len)
{
    if (md->short_seen || piece_len == 0 || piece_len > CHUNK_SIZE)
        return seal_fail(GPG_ERR_BUG, "message digest: piece of %zu bytes out of order", piece_len);
    if (piece_len < CHUNK_SIZE)
        md->short_seen = true;
    seal_sha256_update(md->ctx, hash, SEAL_SHA256_LEN);
    md->len += piece_len;
    return 0;
}

gpg_err_code_t message_digest_add_piece(struct message_digest *md, const uint8_t *piece,
                                        size_t piece_len)
{
    uint8_t h[SEAL_SHA256_LEN];
    seal_sha256(piece, piece_len, h);
    return message_digest_add(md, h, piece_len);
}

void message_digest_final(struct message_digest *md, uint8_t out[SEAL_SHA256_LEN])
{
    uint8_t len[8];
    struct writer w;
    writer_init_buffer(&w, len, sizeof len);
    writer_put_u64(&w, md->len);
    seal_sha256_update(md->ctx, len, sizeof len);
    seal_sha256_final(md->ctx, out);
    md->ctx = NULL;
}

void message_digest_free(struct message_digest *md)
{
    seal_sha256_free(md->ctx);
    md->ctx = NULL;
}

void envelope_signed_digest(const uint8_t header_hash[SEAL_SHA256_LEN],
                            const struct envelope_trailer *t,
                            const uint8_t message_digest[SEAL_SHA256_LEN],
                            uint8_t out[SEAL_SHA256_LEN])
{
    uint8_t buf[sizeof signature_domain + SEAL_SHA256_LEN + SEAL_FPR_LEN + 8 +
                SEAL_ENVELOPE_ID_LEN + SEAL_SHA256_LEN];
    struct writer w;
    writer_init_buffer(&w, buf, sizeof buf);
    writer_put_bytes(&w, signature_domain, sizeof signature_domain); /* with the 00 */
    writer_put_bytes(&w, header_hash, SEAL_SHA256_LEN);
    writer_put_bytes(&w, t->sender_fpr, SEAL_FPR_LEN);
    writer_put_u64(&w, t->created);
    writer_put_bytes(&w, t->envelope_id, SEAL_ENVELOPE_ID_LEN);
    writer_put_bytes(&w, message_digest, SEAL_SHA256_LEN);
    /* BUF is sized for exactly these fields: the writer cannot fail. */
    seal_sha256(writer_data(&w), writer_len(&w), out);
}

gpg_err_code_t trailer_sign(const struct seal_rsa_key *sender,
                            const uint8_t signed_digest[SEAL_SHA256_LEN],
                            struct envelope_trailer *t)
{
    size_t k = seal_rsa_modulus_len(sender);
    if (k < SEAL_RSA_MIN_LEN || k > SEAL_RSA_MAX_LEN)
        return seal_fail(GPG_ERR_INV_VALUE, "sender key of %zu bits is not supported", k * 8);
    gpg_err_code_t err = seal_rsa_pss_sign(sender, signed_digest, t->sig);
    if (err)
        return err;
    t->sig_len = k;
    return 0;
}

gpg_err_code_t trailer_verify(const struct seal_rsa_key *sender,
                              const uint8_t signed_digest[SEAL_SHA256_LEN],
                              const struct envelope_trailer *t)
{
    if (t->sig_len != seal_rsa_modulus_len(sender) ||
        seal_rsa_pss_verify(sender, signed_digest, t->sig, t->sig_len) != 0)
        return seal_fail_override(GPG_ERR_BAD_SIGNATURE, "bad signature");
    return 0;
}
