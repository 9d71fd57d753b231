/*
 * Sealing and unsealing envelopes (format: man/seal.5).
 *
 * The library reads from and writes to callbacks, so the programs decide
 * where bytes come from and when output becomes visible. envelope_unseal()
 * writes plaintext only to a sink the caller keeps private (a temporary file
 * or a spool) and returns 0 only once every chunk tag and the sender's
 * signature have verified; the caller releases the output after that and
 * discards it on any error.
 */
#ifndef SEAL_ENVELOPE_H
#define SEAL_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/stream.h"
#include "crypto/crypto.h"
#include "keys/keyring.h"
#include "keys/keys.h"

#define SEAL_ENVELOPE_ID_LEN 16
#define SEAL_MAX_RECIPIENTS 64
/* Each stanza wraps file key || receipt key (man/seal.5, "Header"). */
#define SEAL_RECEIPT_KEY_LEN 32
#define SEAL_STANZA_KEYS_LEN (SEAL_AEAD_KEY_LEN + SEAL_RECEIPT_KEY_LEN)

/* What a sealer learns that a transport needs (man/seal.5, TRANSPORT). */
struct seal_result {
    uint8_t envelope_id[SEAL_ENVELOPE_ID_LEN];
    uint64_t created;
    /* Caller-provided, n_recipients * SEAL_RECEIPT_KEY_LEN bytes of secure
     * memory, or NULL: receives recipient i's receipt key at offset
     * i * SEAL_RECEIPT_KEY_LEN. The caller wipes it (seal_secure_free). */
    uint8_t *receipt_keys;
};

struct seal_request {
    const struct seal_key *const *recipients; /* public keys, 1..SEAL_MAX_RECIPIENTS */
    size_t n_recipients;
    const struct seal_key *sender; /* key pair */
    bool armor;                    /* ASCII armor instead of binary */
    struct byte_source in;         /* plaintext */
    struct byte_sink out;          /* envelope */
    progress_fn progress;          /* may be NULL */
    void *progress_ctx;
    struct seal_result *result; /* may be NULL; filled when 0 is returned */
};

/* The recipients rule for sealing (man/seal.5: one stanza per key): 1 to
 * SEAL_MAX_RECIPIENTS keys (GPG_ERR_INV_VALUE otherwise), no key twice:
 * GPG_ERR_DUP_KEY with *FIRST < *SECOND the indices of the first pair with
 * the same fingerprint. This is the only copy of the rule: envelope_seal()
 * applies it to every request, and a program may call it first, so that it
 * can name both files before it asks for a passphrase. */
gpg_err_code_t envelope_check_recipients(const struct seal_key *const *keys, size_t n,
                                         size_t *first, size_t *second);

/* Seals REQ->in to REQ->out in one streaming pass. Recipients as
 * envelope_check_recipients() wants them (GPG_ERR_DUP_KEY for a key given
 * twice). */
gpg_err_code_t envelope_seal(const struct seal_request *req);

/* What the envelope says, filled as far as it was read (the sizes too when
 * reading failed: a truncated envelope shows how much there was). */
struct envelope_info {
    unsigned version;
    bool armored;
    size_t n_recipients;
    uint8_t recipient_fpr[SEAL_MAX_RECIPIENTS][SEAL_FPR_LEN];
    uint64_t header_len;   /* bytes of header (magic .. last stanza) */
    uint64_t envelope_len; /* bytes of (binary) envelope read */
    uint64_t payload_len;  /* bytes after the header: salt, commitment, chunks */
    bool header_verified;  /* the key commitment matched: a later failure
                              lies in the payload, not the header */
    /* Known only to a recipient (after decryption): */
    bool decrypted;
    uint64_t plaintext_len;
    uint8_t sender_fpr[SEAL_FPR_LEN];
    const char *sender_name; /* points into the trusted senders, or NULL */
    uint64_t created;        /* seconds since the epoch */
    uint8_t envelope_id[SEAL_ENVELOPE_ID_LEN];
    bool signature_valid;
};

struct unseal_request {
    const struct seal_key *recipient; /* key pair */
    struct trusted_senders *senders;  /* expected signers (read on demand) */
    struct byte_source in;            /* envelope, binary or armored */
    struct byte_sink out;             /* private plaintext sink */
    progress_fn progress;
    void *progress_ctx;
    /* Caller-provided SEAL_RECEIPT_KEY_LEN bytes of secure memory, or NULL:
     * receives this recipient's receipt key, written only when 0 is
     * returned (wiped otherwise). The envelope ID, sender fingerprint and
     * creation time a transport also needs are in the envelope_info. */
    uint8_t *receipt_key;
    /* If set: receives the SHA-256 of every chunk's plaintext, in order, 32
     * bytes each, for envelope_reader_release (a second pass). */
    struct byte_sink chunk_hashes;
};

/* Unseals. Returns 0 only when everything verified; INFO is filled as far as
 * processing got. Errors: GPG_ERR_INV_DATA & co. (not an envelope),
 * GPG_ERR_UNKNOWN_VERSION, GPG_ERR_INV_ARMOR, GPG_ERR_NO_SECKEY (not
 * addressed to this key), GPG_ERR_CHECKSUM / GPG_ERR_TRUNCATED /
 * GPG_ERR_DECRYPT_FAILED (tampered or truncated), GPG_ERR_BAD_SIGNATURE,
 * GPG_ERR_NOT_TRUSTED (valid signature by a key not in SENDERS). */
gpg_err_code_t envelope_unseal(const struct unseal_request *req, struct envelope_info *info);

/*
 * The same in steps, so that a program can read the header before it has a
 * key: "not addressed to this key" is then known before anyone is asked for
 * a passphrase, and only the header (at most ENVELOPE_HEADER_MAX bytes) is
 * held in memory meanwhile, so IN may be a pipe.
 *
 *   envelope_reader_open            the header (R1-R5); INFO gets the public
 *                                   part: version, armor, recipients
 *   envelope_reader_check_recipient optional: is there a stanza for FPR?
 *   envelope_reader_unseal or
 *   envelope_reader_inspect         the rest, once (as envelope_unseal() and
 *                                   unseal --inspect; REQ->in is unused)
 *   envelope_reader_free            always
 */
struct envelope_reader;

gpg_err_code_t envelope_reader_open(struct byte_source in, struct envelope_reader **out,
                                    struct envelope_info *info);

/* 0 if the header has a stanza for the key with fingerprint FPR, else
 * GPG_ERR_NO_SECKEY with a detail listing the recipients. */
gpg_err_code_t envelope_reader_check_recipient(const struct envelope_reader *r,
                                               const uint8_t fpr[SEAL_FPR_LEN]);

gpg_err_code_t envelope_reader_unseal(struct envelope_reader *r, const struct unseal_request *req,
                                      struct envelope_info *info);
gpg_err_code_t envelope_reader_inspect(struct envelope_reader *r, const struct seal_key *recipient,
                                       struct trusted_senders *senders, struct envelope_info *info);

/* The second pass of an unseal to a stream that cannot wait: after
 * envelope_reader_unseal returned 0 with a CHUNK_HASHES sink, reads the
 * envelope again from AGAIN (the same bytes from their start) and writes the
 * message to OUT, each chunk only once its plaintext hash equals the one
 * HASHES gives back (what CHUNK_HASHES received). Bytes that differ from the
 * verified ones in any way (header, a chunk, the number of chunks) stop it
 * with GPG_ERR_CHECKSUM: OUT then holds the verified message up to the chunk
 * before, and nothing else. I/O errors as they are. */
gpg_err_code_t envelope_reader_release(struct envelope_reader *r, struct byte_source again,
                                       struct byte_source hashes, struct byte_sink out,
                                       progress_fn progress, void *progress_ctx);

/* Wipes and frees R; NULL is fine. */
void envelope_reader_free(struct envelope_reader *r);

#endif
