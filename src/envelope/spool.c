/*
 * The encrypted spool (see spool.h).
 *
 * File layout: Cobblestone raw-mode chunks, nothing else: chunk i is the
 * AES-256-GCM encryption of plaintext bytes [16384 i, 16384 (i+1)) under the
 * spool key and nonce(i) = base nonce XOR i; the last chunk is shorter than
 * 16 KiB (possibly empty), so truncation at a chunk boundary is detected.
 * Key and nonce are random per spool and never leave secure memory, so
 * raw mode (no salt, no commitment) is safe: they are used for exactly one
 * message.
 */
#include "envelope/spool.h"
#include "envelope/spool_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "envelope/chunked.h"
#include "envelope/envelope.h"

#define BATCH_CHUNKS 8 /* chunks per read(2)/write(2) */
#define BATCH_SIZE (BATCH_CHUNKS * CHUNK_CT_MAX)

/* Frees a buffer that held plaintext. */
static void wipe_free(uint8_t *p, size_t n)
{
    if (p != NULL) {
        seal_wipe(p, n);
        free(p);
    }
}

gpg_err_code_t spool_new(struct spool **out)
{
    struct spool *s;

    *out = NULL;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    s->fd = -1;
    *out = s;
    return 0;
}

static gpg_err_code_t mem_append(struct spool *s, const uint8_t *buf, size_t n)
{
    if (s->memlen + n > s->memcap) {
        size_t cap = s->memcap ? s->memcap : 65536;
        uint8_t *p;
        while (cap < s->memlen + n)
            cap *= 2;
        if (cap > SPOOL_MEMORY_MAX)
            cap = SPOOL_MEMORY_MAX;
        /* Not realloc: the old block must be wiped, not left to the heap. */
        if ((p = malloc(cap)) == NULL)
            return seal_fail(GPG_ERR_ENOMEM, "out of memory");
        if (s->memlen > 0)
            memcpy(p, s->mem, s->memlen);
        wipe_free(s->mem, s->memcap);
        s->mem = p;
        s->memcap = cap;
    }
    memcpy(s->mem + s->memlen, buf, n);
    s->memlen += n;
    return 0;
}

static gpg_err_code_t file_flush(struct spool *s)
{
    gpg_err_code_t err;

    if (s->batchlen > 0) {
        /* Override fd_write_all's "write error": the user must learn that
         * the spool (in $TMPDIR) failed, not the output. */
        if ((err = fd_write_all(s->fd, s->batch, s->batchlen)) != 0)
            return seal_fail_override(err, "cannot write the spool file: %s", gpg_strerror(err));
        s->batchlen = 0;
    }
    return 0;
}

/* Encrypts one chunk of plaintext into the batch. */
static gpg_err_code_t file_put_chunk(struct spool *s, const uint8_t *pt, size_t len, bool final)
{
    gpg_err_code_t err;

    if (s->batchlen + CHUNK_CT_MAX > BATCH_SIZE && (err = file_flush(s)) != 0)
        return err;
    if ((err = chunked_encrypt_chunk(s->c, s->index, pt, len, final, s->batch + s->batchlen)) != 0)
        return err;
    s->batchlen += len + CHUNK_TAG_LEN;
    s->index++;
    return 0;
}

static gpg_err_code_t file_append(struct spool *s, const uint8_t *buf, size_t n)
{
    gpg_err_code_t err;

    while (n > 0) {
        size_t take;
        if (s->chunklen == 0 && n >= CHUNK_SIZE) {
            /* Whole chunks straight from the caller's buffer. */
            if ((err = file_put_chunk(s, buf, CHUNK_SIZE, false)) != 0)
                return err;
            buf += CHUNK_SIZE;
            n -= CHUNK_SIZE;
            continue;
        }
        take = CHUNK_SIZE - s->chunklen < n ? CHUNK_SIZE - s->chunklen : n;
        memcpy(s->chunk + s->chunklen, buf, take);
        s->chunklen += take;
        buf += take;
        n -= take;
        if (s->chunklen == CHUNK_SIZE) {
            if ((err = file_put_chunk(s, s->chunk, CHUNK_SIZE, false)) != 0)
                return err;
            s->chunklen = 0;
        }
    }
    return 0;
}

/* Leaves memory for the encrypted file: fresh key and nonce, then moves the
 * bytes held so far into it. */
static gpg_err_code_t file_start(struct spool *s)
{
    uint8_t *secret = NULL;
    gpg_err_code_t err;

    if ((err = file_open_spool(&s->fd)) != 0)
        return err;
    if ((s->chunk = buf_alloc_aligned(CHUNK_SIZE)) == NULL ||
        (s->batch = buf_alloc_aligned(BATCH_SIZE)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    if ((secret = seal_secure_malloc(SEAL_AEAD_KEY_LEN + SEAL_AEAD_NONCE_LEN)) == NULL)
        return seal_fail(GPG_ERR_ENOMEM, "out of secure memory");
    seal_random(secret, SEAL_AEAD_KEY_LEN + SEAL_AEAD_NONCE_LEN);
    err = chunked_raw_new(secret, secret + SEAL_AEAD_KEY_LEN, &s->c);
    seal_secure_free(secret, SEAL_AEAD_KEY_LEN + SEAL_AEAD_NONCE_LEN);
    if (err != 0)
        return err;
    if ((err = file_append(s, s->mem, s->memlen)) != 0)
        return err;
    wipe_free(s->mem, s->memcap);
    s->mem = NULL;
    s->memlen = s->memcap = 0;
    return 0;
}

gpg_err_code_t spool_write(struct spool *s, const uint8_t *buf, size_t n)
{
    gpg_err_code_t err;

    if (s->finished)
        return seal_fail(GPG_ERR_INV_STATE, "spool already finished");
    if (s->err != 0)
        return s->err;
    if (n == 0)
        return 0;
    if (s->fd < 0 && s->memlen + (uint64_t)n <= SPOOL_MEMORY_MAX) {
        err = mem_append(s, buf, n);
    } else {
        err = s->fd < 0 ? file_start(s) : 0;
        if (err == 0)
            err = file_append(s, buf, n);
    }
    if (err != 0)
        return s->err = err;
    s->total += n;
    return 0;
}

static gpg_err_code_t spool_sink_write(void *ctx, const uint8_t *buf, size_t n)
{
    return spool_write(ctx, buf, n);
}

struct byte_sink spool_sink(struct spool *s)
{
    struct byte_sink sink = {spool_sink_write, s};
    return sink;
}

gpg_err_code_t spool_finish(struct spool *s)
{
    gpg_err_code_t err;

    if (s->finished)
        return seal_fail(GPG_ERR_INV_STATE, "spool already finished");
    if (s->err != 0)
        return s->err;
    if (s->fd >= 0) {
        if ((err = file_put_chunk(s, s->chunk, s->chunklen, true)) != 0 ||
            (err = file_flush(s)) != 0)
            return s->err = err;
        seal_wipe(s->chunk, CHUNK_SIZE);
        s->chunklen = 0;
    }
    s->finished = true;
    return 0;
}

bool spool_failed(const struct spool *s)
{
    return s->err != 0;
}

/* Decrypts chunk INDEX of LEN bytes at CT and passes it on. */
static gpg_err_code_t replay_chunk(struct spool *s, struct byte_sink sink, uint64_t index,
                                   const uint8_t *ct, size_t len, bool final, uint64_t *total)
{
    gpg_err_code_t err;
    size_t n;

    if ((err = chunked_decrypt_chunk(s->c, index, ct, len, final, s->chunk, &n)) != 0)
        return seal_fail_override(err, "spool file chunk %llu %s", (unsigned long long)index,
                                  err == GPG_ERR_CHECKSUM ? "was modified" : "is truncated");
    *total += n;
    err = n > 0 ? sink.write(sink.ctx, s->chunk, n) : 0;
    seal_wipe(s->chunk, n);
    return err;
}

/* Reads the file back: every chunk is authenticated before it is passed on. */
static gpg_err_code_t file_replay(struct spool *s, struct byte_sink sink)
{
    uint64_t index = 0, total = 0;
    gpg_err_code_t err;
    size_t got, off;

    if (lseek(s->fd, 0, SEEK_SET) != 0)
        return seal_fail(seal_errno_code(), "cannot rewind the spool file");
    for (;;) {
        if ((err = fd_read_full(s->fd, s->batch, BATCH_SIZE, &got)) != 0)
            return seal_fail_override(err, "cannot read the spool file: %s", gpg_strerror(err));
        for (off = 0; got - off >= CHUNK_CT_MAX; off += CHUNK_CT_MAX)
            if ((err = replay_chunk(s, sink, index++, s->batch + off, CHUNK_CT_MAX, false,
                                    &total)) != 0)
                return err;
        if (got < BATCH_SIZE)
            break; /* end of file: what is left is the short final chunk */
    }
    if ((err = replay_chunk(s, sink, index++, s->batch + off, got - off, true, &total)) != 0)
        return err;
    if (total != s->total || index != s->index)
        return seal_fail(GPG_ERR_CHECKSUM, "spool file does not match what was written");
    return 0;
}

gpg_err_code_t spool_replay(struct spool *s, struct byte_sink sink)
{
    if (!s->finished || s->err != 0)
        return seal_fail(GPG_ERR_INV_STATE, "spool replayed before it was finished");
    if (s->fd >= 0)
        return file_replay(s, sink);
    return s->memlen > 0 ? sink.write(sink.ctx, s->mem, s->memlen) : 0;
}

/* Reads and authenticates the next chunk of the file into S->chunk. Every
 * chunk's size is known from the total, so a shortened or extended file
 * fails here. */
static gpg_err_code_t read_chunk(struct spool *s)
{
    uint64_t full = s->total / CHUNK_SIZE;
    bool final = s->rindex == full;
    size_t len = final ? (size_t)(s->total % CHUNK_SIZE) + CHUNK_TAG_LEN : CHUNK_CT_MAX;
    gpg_err_code_t err;
    size_t got, n;

    s->rlen = s->roff = 0;
    if (s->rindex > full)
        return 0; /* the end */
    if ((err = fd_read_full(s->fd, s->batch, len, &got)) != 0)
        return seal_fail_override(err, "cannot read the spool file: %s", gpg_strerror(err));
    if (got < len)
        return seal_fail_override(GPG_ERR_TRUNCATED, "spool file chunk %llu is truncated",
                                  (unsigned long long)s->rindex);
    if ((err = chunked_decrypt_chunk(s->c, s->rindex, s->batch, len, final, s->chunk, &n)) != 0)
        return seal_fail_override(err, "spool file chunk %llu was modified",
                                  (unsigned long long)s->rindex);
    if (final && (fd_read_full(s->fd, s->batch, 1, &got) != 0 || got != 0))
        return seal_fail_override(GPG_ERR_CHECKSUM, "spool file was extended");
    s->rindex++;
    s->rlen = n;
    return 0;
}

static gpg_err_code_t spool_source_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    struct spool *s = ctx;
    gpg_err_code_t err;

    *got = 0;
    if (s->fd < 0) {
        size_t n = s->memlen - s->rpos < cap ? s->memlen - (size_t)s->rpos : cap;
        if (n)
            memcpy(buf, s->mem + s->rpos, n);
        s->rpos += n;
        *got = n;
        return 0;
    }
    while (*got < cap) {
        if (s->roff == s->rlen) {
            if (s->rindex > s->total / CHUNK_SIZE)
                break;
            if ((err = read_chunk(s)) != 0)
                return s->err = err;
            continue;
        }
        size_t n = s->rlen - s->roff < cap - *got ? s->rlen - s->roff : cap - *got;
        memcpy(buf + *got, s->chunk + s->roff, n);
        s->roff += n;
        *got += n;
    }
    return 0;
}

gpg_err_code_t spool_source(struct spool *s, struct byte_source *src)
{
    memset(src, 0, sizeof *src);
    if (!s->finished || s->err != 0 || s->reading)
        return seal_fail(GPG_ERR_INV_STATE, "spool read before it was finished, or twice");
    if (s->fd >= 0 && lseek(s->fd, 0, SEEK_SET) != 0)
        return seal_fail(seal_errno_code(), "cannot rewind the spool file");
    s->reading = true;
    *src = (struct byte_source){spool_source_read, s};
    return 0;
}

void spool_free(struct spool *s)
{
    if (s == NULL)
        return;
    wipe_free(s->mem, s->memcap);
    wipe_free(s->chunk, CHUNK_SIZE);
    free(s->batch); /* ciphertext only */
    chunked_free(s->c);
    if (s->fd >= 0)
        close(s->fd); /* the file was unlinked at creation: this deletes it */
    free(s);
}
