/*
 * The signature block at the end of the inner stream, the message digest D
 * and the signed digest S (man/seal.5, "Inner stream" to "Signature").
 */
#ifndef SEAL_ENVELOPE_TRAILER_H
#define SEAL_ENVELOPE_TRAILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "envelope/chunked.h"
#include "envelope/envelope.h"
#include "keys/keys.h"

#define TRAILER_FIXED_LEN (SEAL_FPR_LEN + 8 + SEAL_ENVELOPE_ID_LEN + 2) /* 58 */
#define TRAILER_MAX_LEN (TRAILER_FIXED_LEN + SEAL_RSA_MAX_LEN)          /* 1082 */

struct envelope_trailer {
    uint8_t sender_fpr[SEAL_FPR_LEN];
    uint64_t created;
    uint8_t envelope_id[SEAL_ENVELOPE_ID_LEN];
    uint8_t sig[SEAL_RSA_MAX_LEN];
    size_t sig_len;
};

/* Bytes of the encoded trailer: 58 + sig_len. */
size_t trailer_len(const struct envelope_trailer *t);

/* Writes the trailer to OUT (trailer_len(T) bytes). SIG_LEN must be in
 * SEAL_RSA_MIN_LEN..SEAL_RSA_MAX_LEN (GPG_ERR_INV_VALUE otherwise). */
gpg_err_code_t trailer_encode(const struct envelope_trailer *t, uint8_t *out);

/* Parses the trailer of an inner stream of INNER_LEN bytes whose last
 * TAIL_LEN bytes are TAIL (TAIL_LEN = min(INNER_LEN, TRAILER_MAX_LEN)).
 * R13: an inner stream shorter than 2 bytes, a signature length outside
 * 256..1024 or an inner stream shorter than 58 + k is GPG_ERR_BAD_SIGNATURE
 * ("malformed signature block"). On success *MESSAGE_LEN = INNER_LEN minus
 * the trailer. */
gpg_err_code_t trailer_parse(const uint8_t *tail, size_t tail_len, uint64_t inner_len,
                             struct envelope_trailer *t, uint64_t *message_len);

/* The message digest D = SHA-256("seal v1 message" || 00 || h_0 || ... ||
 * h_(m-1) || u64 length), fed one piece hash at a time, in order. Every
 * piece but the last must be CHUNK_SIZE bytes long. */
struct message_digest {
    struct seal_sha256_ctx *ctx;
    uint64_t len;
    bool short_seen;
};

gpg_err_code_t message_digest_init(struct message_digest *md);
/* Adds the hash of the next piece (PIECE_LEN bytes, 1..CHUNK_SIZE).
 * GPG_ERR_BUG if a short piece was already added. */
gpg_err_code_t message_digest_add(struct message_digest *md, const uint8_t hash[SEAL_SHA256_LEN],
                                  size_t piece_len);
/* Hashes PIECE and adds it. */
gpg_err_code_t message_digest_add_piece(struct message_digest *md, const uint8_t *piece,
                                        size_t piece_len);
/* Writes D and releases the context. */
void message_digest_final(struct message_digest *md, uint8_t out[SEAL_SHA256_LEN]);
/* Releases the context without a digest (error paths). */
void message_digest_free(struct message_digest *md);

/* S = SHA-256("seal v1 signature" || 00 || HEADER_HASH || sender fingerprint
 * || u64 created || envelope ID || D), where HEADER_HASH = SHA-256(header ||
 * salt || commitment). */
void envelope_signed_digest(const uint8_t header_hash[SEAL_SHA256_LEN],
                            const struct envelope_trailer *t,
                            const uint8_t message_digest[SEAL_SHA256_LEN],
                            uint8_t out[SEAL_SHA256_LEN]);

/* Signs S with SENDER into T->sig (T->sig_len = modulus length; GPG_ERR_INV_VALUE
 * for a modulus outside 256..1024 bytes). */
gpg_err_code_t trailer_sign(const struct seal_rsa_key *sender,
                            const uint8_t signed_digest[SEAL_SHA256_LEN],
                            struct envelope_trailer *t);

/* R15: GPG_ERR_BAD_SIGNATURE unless T->sig is SENDER's valid signature of S
 * (which includes T->sig_len equal to SENDER's modulus length). */
gpg_err_code_t trailer_verify(const struct seal_rsa_key *sender,
                              const uint8_t signed_digest[SEAL_SHA256_LEN],
                              const struct envelope_trailer *t);

#endif
