/*
 * The one bounds-checked reader for untrusted bytes, and a growable writer.
 *
 * Modelled on OpenSSH's sshbuf: every getter returns 0 or a GPG_ERR_* code,
 * checks the length against what remains before touching memory, consumes
 * nothing on failure, and clears its outputs first. Nothing else in seal walks
 * raw pointers over untrusted input. All integers are big-endian.
 */
#ifndef SEAL_BUF_H
#define SEAL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/stream.h"

/* The members are buf.c's alone (tests/layout.sh refuses any other file
 * that names .priv). The type is complete only so that readers live on the
 * stack: a DER key nests a dozen of them and the envelope makes one per
 * header parse, and none of those should cost an allocation and a free on
 * every error path. */
struct reader {
    struct {
        const uint8_t *data;
        size_t len;
        size_t off;
    } priv;
};

/* Starts reading LEN bytes at DATA. The bytes must outlive the reader. */
void reader_init(struct reader *r, const void *data, size_t len);

/* Bytes not yet consumed. */
size_t reader_remaining(const struct reader *r);

/* Bytes consumed so far. */
size_t reader_offset(const struct reader *r);

/* For a caller that streams its input: 0 if N more bytes remain, otherwise
 * GPG_ERR_TRUNCATED with *NEED set to the input length (counted from the
 * reader's start) that would have them. Records no detail: running out here
 * means "read more", not a fault. */
gpg_err_code_t reader_want(const struct reader *r, size_t n, size_t *need);

/* Fixed-width big-endian integers. GPG_ERR_TRUNCATED if too few bytes remain. */
gpg_err_code_t reader_get_u8(struct reader *r, uint8_t *v);
gpg_err_code_t reader_get_u16(struct reader *r, uint16_t *v);
gpg_err_code_t reader_get_u32(struct reader *r, uint32_t *v);
gpg_err_code_t reader_get_u64(struct reader *r, uint64_t *v);

/* Looks at the next byte without consuming it. */
gpg_err_code_t reader_peek_u8(const struct reader *r, uint8_t *v);

/* Copies the next N bytes to OUT. */
gpg_err_code_t reader_get_bytes(struct reader *r, void *out, size_t n);

/* Borrows the next N bytes: *OUT points into the reader's data. */
gpg_err_code_t reader_get_view(struct reader *r, size_t n, const uint8_t **out);

/* Skips N bytes. */
gpg_err_code_t reader_skip(struct reader *r, size_t n);

/* A u16 length followed by that many bytes, borrowed. The length must lie in
 * [MIN, MAX]: GPG_ERR_INV_LENGTH otherwise, checked before anything else. */
gpg_err_code_t reader_get_u16_prefixed(struct reader *r, size_t min, size_t max,
                                       const uint8_t **out, size_t *outlen);

/* Narrows: *SUB reads the next N bytes of R, which are consumed from R. */
gpg_err_code_t reader_get_sub(struct reader *r, size_t n, struct reader *sub);

/* GPG_ERR_INV_DATA (detail "unexpected trailing data") unless every byte
 * was consumed. */
gpg_err_code_t reader_expect_end(const struct reader *r);

/* A byte_source handing out what remains of R (up to the caller's CAP per
 * read, then end of input), for a message held in memory that goes through
 * the streaming envelope API. R must outlive the source. */
struct byte_source reader_source(struct reader *r);

/*
 * Writer: an append-only buffer that grows up to a cap. A secure writer keeps
 * its bytes in libgcrypt secure memory and wipes them when it grows or is
 * freed; use it for anything holding key material.
 */
/* Members private to buf.c, as for the reader. */
struct writer {
    struct {
        uint8_t *data;
        size_t len;
        size_t cap;
        size_t max;
        bool secure;
        bool fixed; /* writes into the caller's buffer, never grows or frees */
        bool failed;
    } priv;
};

/* MAX caps the total length (GPG_ERR_TOO_LARGE beyond it). */
void writer_init(struct writer *w, size_t max, bool secure);

/* A writer over the caller's CAP bytes at BUF: appends fill BUF and fail
 * (GPG_ERR_TOO_LARGE) past CAP; writer_free leaves BUF alone. */
void writer_init_buffer(struct writer *w, void *buf, size_t cap);

/* The bytes written so far (NULL while none were) and their number. The
 * pointer is valid until the next append or writer_free. */
uint8_t *writer_data(const struct writer *w);
size_t writer_len(const struct writer *w);

/* Appenders. After one fails, the writer stays failed and later appends are
 * no-ops returning the same class of error, so a sequence of puts can be
 * checked once with writer_status(). */
gpg_err_code_t writer_put_u8(struct writer *w, uint8_t v);
gpg_err_code_t writer_put_u16(struct writer *w, uint16_t v);
gpg_err_code_t writer_put_u32(struct writer *w, uint32_t v);
gpg_err_code_t writer_put_u64(struct writer *w, uint64_t v);
gpg_err_code_t writer_put_bytes(struct writer *w, const void *p, size_t n);

/* Reserves N bytes at the end and returns a pointer to them (zeroed), or NULL
 * if the writer failed or would exceed its cap. */
uint8_t *writer_reserve(struct writer *w, size_t n);

/* A byte_sink appending to W: a write fails once W would pass its cap. */
struct byte_sink writer_sink(struct writer *w);

/* 0, or the code of the first failed append. */
gpg_err_code_t writer_status(const struct writer *w);

/* Wipes (if secure) and frees the bytes; the writer can be reused after
 * writer_init(). */
void writer_free(struct writer *w);

/* Hands the bytes to the caller (who frees them with free() or, for a secure
 * writer, seal_secure_free(p, len)); the writer is left empty. */
uint8_t *writer_steal(struct writer *w, size_t *len);

/* Large I/O and crypto buffers start on a page: read(2) into a buffer at
 * page + 16 (where malloc puts big blocks) runs at a third of the speed. */
#define SEAL_BUF_ALIGN 4096

/* N bytes (rounded up to SEAL_BUF_ALIGN) aligned to SEAL_BUF_ALIGN, or NULL.
 * Freed with free(). */
void *buf_alloc_aligned(size_t n);

#endif
