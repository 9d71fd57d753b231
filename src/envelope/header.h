/*
 * The envelope header codec (man/seal.5, "Header"): magic, version,
 * recipient count and one stanza (fingerprint, wrapped file key) per
 * recipient. The parser is the only place that checks rules R1-R6.
 */
#ifndef SEAL_ENVELOPE_HEADER_H
#define SEAL_ENVELOPE_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "envelope/envelope.h"
#include "keys/keys.h"

#define ENVELOPE_MAGIC_LEN 8
#define ENVELOPE_VERSION 1
#define ENVELOPE_FIXED_LEN 11 /* magic, version, count */
#define ENVELOPE_STANZA_MAX (SEAL_FPR_LEN + 2 + SEAL_RSA_MAX_LEN)
#define ENVELOPE_HEADER_MAX (ENVELOPE_FIXED_LEN + SEAL_MAX_RECIPIENTS * ENVELOPE_STANZA_MAX)

/* "\x89SEAL\r\n\x1a" */
extern const uint8_t envelope_magic[ENVELOPE_MAGIC_LEN];

/* The label of the RSA-OAEP key wrap, and its length (no NUL). */
#define ENVELOPE_WRAP_LABEL "seal v1 file key"
#define ENVELOPE_WRAP_LABEL_LEN (sizeof ENVELOPE_WRAP_LABEL - 1)

/* The payload's Cobblestone context is ENVELOPE_CONTEXT_LABEL (with its NUL,
 * ENVELOPE_CONTEXT_LABEL_LEN bytes) followed by the header bytes. Code keeps
 * the label in front of its header buffer so the context needs no copy. */
#define ENVELOPE_CONTEXT_LABEL "seal v1 header"
#define ENVELOPE_CONTEXT_LABEL_LEN sizeof ENVELOPE_CONTEXT_LABEL

struct envelope_stanza {
    const uint8_t *fpr; /* SEAL_FPR_LEN bytes */
    const uint8_t *wrapped;
    size_t wrapped_len;
};

/* A parsed header. The pointers borrow the bytes given to the parser. */
struct envelope_header {
    unsigned version;
    size_t n;   /* recipients */
    size_t len; /* header bytes, magic through the last stanza */
    struct envelope_stanza stanza[SEAL_MAX_RECIPIENTS];
};

/* Parses the header at the start of DATA (LEN bytes; bytes after the header
 * are ignored). Returns 0 with H filled (H->len says where the header ends),
 * or the code of the first rule broken (R1 GPG_ERR_INV_DATA bad magic, R2
 * GPG_ERR_UNKNOWN_VERSION, R3 GPG_ERR_INV_DATA / GPG_ERR_TOO_LARGE count, R4
 * GPG_ERR_INV_LENGTH wrapped length, R5 GPG_ERR_INV_DATA duplicate), each
 * with a detail. If DATA ends inside the header it returns GPG_ERR_TRUNCATED
 * WITHOUT recording a detail and sets *NEED to the number of bytes (counted
 * from DATA) needed to parse further, so a streaming caller can read more
 * and call again; *NEED is 0 otherwise. Every length is checked against its
 * cap before it is used: the caller never needs more than ENVELOPE_HEADER_MAX
 * bytes. */
gpg_err_code_t envelope_header_parse(const uint8_t *data, size_t len, struct envelope_header *h,
                                     size_t *need);

/* Reads exactly one header from SRC into BUF (ENVELOPE_HEADER_MAX bytes),
 * consuming nothing after it, and parses it into H. End of input inside the
 * header is GPG_ERR_TRUNCATED (R6). */
gpg_err_code_t envelope_header_read(const struct byte_source *src, uint8_t *buf,
                                    struct envelope_header *h);

/* The index of the stanza for FPR, or -1. */
int envelope_header_find(const struct envelope_header *h, const uint8_t fpr[SEAL_FPR_LEN]);

/* Appends the header described by H (version, n, stanzas; len is ignored) to
 * W. Refuses a version, a count or a wrapped-key length that the parser
 * would refuse (GPG_ERR_INV_VALUE with a detail). One stanza per key is the
 * caller's: envelope_seal() has checked its recipients with
 * envelope_check_recipients() before it builds the stanzas. */
gpg_err_code_t envelope_header_encode(const struct envelope_header *h, struct writer *w);

/* Reads until BUF holds N bytes or the input ends; *GOT < N only at end of
 * input. (Byte sources may return short reads.) */
gpg_err_code_t source_read_full(const struct byte_source *src, uint8_t *buf, size_t n, size_t *got);

#endif
