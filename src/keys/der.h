/*
 * A strict DER reader and a small DER writer, on top of buf.h.
 *
 * Read: single-byte tags only; definite lengths in minimal form, at most
 * KEY_FILE_MAX; every element must fit in what encloses it; INTEGERs minimal
 * and (where we read them) non-negative; BIT STRINGs with 0 unused bits;
 * NULL empty; structure depth limited to DER_MAX_DEPTH where we skip unknown
 * content. Every getter consumes nothing on failure and records a detail
 * starting with "DER: ". Malformed encodings are GPG_ERR_INV_OBJ, an element
 * longer than the bytes left is GPG_ERR_TRUNCATED.
 */
#ifndef SEAL_DER_H
#define SEAL_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errors.h"
#include "keys/limits.h"

#define DER_MAX_DEPTH 8

#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL 0x05
#define DER_OID 0x06
#define DER_SEQUENCE 0x30
#define DER_CONTEXT(n) (0xa0 | (n)) /* [n] constructed */

/* Reads the next tag and length; *TAG and *LEN describe an element whose
 * LEN content bytes are all present. Consumes the header only. */
gpg_err_code_t der_get_header(struct reader *r, uint8_t *tag, size_t *len);

/* The tag of the next element without consuming anything. GPG_ERR_EOF if no
 * bytes remain. */
gpg_err_code_t der_peek_tag(const struct reader *r, uint8_t *tag);

/* Reads an element that must have tag TAG; *CONTENT reads its content. */
gpg_err_code_t der_get_element(struct reader *r, uint8_t tag, struct reader *content);

/* The same for SEQUENCE. */
gpg_err_code_t der_get_sequence(struct reader *r, struct reader *content);

/* A non-negative INTEGER of at most MAXLEN magnitude bytes. *MAG borrows the
 * big-endian magnitude without the sign byte (zero is one 0x00 byte). */
gpg_err_code_t der_get_integer(struct reader *r, size_t maxlen, const uint8_t **mag, size_t *len);

/* A non-negative INTEGER no larger than MAX. GPG_ERR_INV_OBJ beyond, with a
 * detail naming WHAT. */
gpg_err_code_t der_get_uint(struct reader *r, uint64_t max, const char *what, uint64_t *v);

/* NULL (empty content). */
gpg_err_code_t der_get_null(struct reader *r);

/* An OBJECT IDENTIFIER, its content octets borrowed (checked for a valid
 * encoding, at most 32 bytes). */
gpg_err_code_t der_get_oid(struct reader *r, const uint8_t **oid, size_t *len);

/* True if the borrowed OID content equals WANT (content octets, no header). */
bool der_oid_equal(const uint8_t *oid, size_t len, const uint8_t *want, size_t wantlen);

/* An OCTET STRING of MIN..MAX bytes, borrowed. */
gpg_err_code_t der_get_octet_string(struct reader *r, size_t min, size_t max, const uint8_t **p,
                                    size_t *len);

/* A BIT STRING with zero unused bits; *P borrows the bytes after the
 * unused-bits octet. */
gpg_err_code_t der_get_bit_string(struct reader *r, const uint8_t **p, size_t *len);

/* Skips one element, checking the structure of constructed elements down to
 * DER_MAX_DEPTH levels. */
gpg_err_code_t der_skip_element(struct reader *r);

/* GPG_ERR_INV_OBJ (detail "trailing data after WHAT") unless R is used up. */
gpg_err_code_t der_expect_end(const struct reader *r, const char *what);

/* ---- writing ------------------------------------------------------------ */

/* Appends a tag and LEN content bytes. */
gpg_err_code_t der_put_tlv(struct writer *w, uint8_t tag, const void *content, size_t len);

/* Appends an element whose content is everything in INNER. */
gpg_err_code_t der_put_wrapped(struct writer *w, uint8_t tag, const struct writer *inner);

/* A non-negative INTEGER from a big-endian magnitude (leading zeros are
 * dropped, a sign byte added where needed). */
gpg_err_code_t der_put_integer(struct writer *w, const uint8_t *mag, size_t len);

/* A small non-negative INTEGER. */
gpg_err_code_t der_put_uint(struct writer *w, uint64_t v);

/* NULL, and OID from its content octets. */
gpg_err_code_t der_put_null(struct writer *w);
gpg_err_code_t der_put_oid(struct writer *w, const uint8_t *oid, size_t len);

#endif
