/* The helper thread; see envelope_workers.h. */
#include "envelope/pipeline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct helper {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a job was submitted, or stop */
    pthread_cond_t done; /* the job finished */
    void (*fn)(void *);
    void *arg;
    bool busy, stop;
};

static void *helper_main(void *p)
{
    struct helper *h = p;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        while (!h->busy && !h->stop)
            pthread_cond_wait(&h->wake, &h->lock);
        if (!h->busy && h->stop)
            break;
        pthread_mutex_unlock(&h->lock);
        h->fn(h->arg);
        pthread_mutex_lock(&h->lock);
        h->busy = false;
        pthread_cond_signal(&h->done);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

gpg_err_code_t helper_start(struct helper **out)
{
    struct helper *h = calloc(1, sizeof *h);
    *out = NULL;
    if (!h)
        return seal_errno_code();
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    pthread_cond_init(&h->done, NULL);
    int r = pthread_create(&h->thread, NULL, helper_main, h);
    if (r != 0) {
        pthread_cond_destroy(&h->wake);
        pthread_cond_destroy(&h->done);
        pthread_mutex_destroy(&h->lock);
        free(h);
        return gpg_err_code_from_errno(r);
    }
    *out = h;
    return 0;
}

void helper_submit(struct helper *h, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&h->lock);
    h->fn = fn;
    h->arg = arg;
    h->busy = true;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
}

void helper_wait(struct helper *h)
{
    pthread_mutex_lock(&h->lock);
    while (h->busy)
        pthread_cond_wait(&h->done, &h->lock);
    pthread_mutex_unlock(&h->lock);
}

void helper_stop(struct helper *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->wake);
    pthread_cond_destroy(&h->done);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

/* ---- write-behind --------------------------------------------------------- */

struct async_writer {
    struct helper *thread; /* NULL: write synchronously */
    struct byte_sink sink;
    const uint8_t *p[2];
    size_t n[2];
    gpg_err_code_t err; /* the first failed write; later writes are skipped */
};

static void async_write_job(void *arg)
{
    struct async_writer *w = arg;
    for (size_t i = 0; i < 2; i++)
        if (!w->err && w->n[i])
            w->err = w->sink.write(w->sink.ctx, w->p[i], w->n[i]);
}

gpg_err_code_t async_writer_start(struct byte_sink sink, struct async_writer **out)
{
    struct async_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return seal_errno_code();
    w->sink = sink;
    if (helper_start(&w->thread) != 0)
        w->thread = NULL;
    *out = w;
    return 0;
}

gpg_err_code_t async_writer_flush(struct async_writer *w)
{
    if (w->thread)
        helper_wait(w->thread);
    return w->err;
}

gpg_err_code_t async_writer_write(struct async_writer *w, const uint8_t *p1, size_t n1,
                                  const uint8_t *p2, size_t n2)
{
    gpg_err_code_t e = async_writer_flush(w);
    if (e)
        return e;
    w->p[0] = p1;
    w->n[0] = n1;
    w->p[1] = p2;
    w->n[1] = n2;
    if (!w->thread) {
        async_write_job(w);
        return w->err;
    }
    helper_submit(w->thread, async_write_job, w);
    return 0;
}

void async_writer_free(struct async_writer *w)
{
    if (!w)
        return;
    helper_stop(w->thread);
    free(w);
}

/* ---- batches of full-size chunks ---------------------------------------- */

#include "crypto/crypto.h"

struct chunk_job {
    struct chunked *c;
    bool encrypt;
    uint64_t first;
    size_t n;
    const uint8_t *in;
    uint8_t *out;
    uint8_t (*hash)[32];
    gpg_err_code_t err;
    uint64_t bad;
};

static void chunk_job_run(void *p)
{
    struct chunk_job *j = p;
    j->err = 0;
    for (size_t i = 0; i < j->n; i++) {
        size_t got;
        if (j->encrypt) {
            const uint8_t *pt = j->in + i * CHUNK_SIZE;
            seal_sha256(pt, CHUNK_SIZE, j->hash[i]);
            j->err = chunked_encrypt_chunk(j->c, j->first + i, pt, CHUNK_SIZE, false,
                                           j->out + i * CHUNK_CT_MAX);
        } else {
            uint8_t *pt = j->out + i * CHUNK_SIZE;
            j->err = chunked_decrypt_chunk(j->c, j->first + i, j->in + i * CHUNK_CT_MAX,
                                           CHUNK_CT_MAX, false, pt, &got);
            if (!j->err)
                seal_sha256(pt, CHUNK_SIZE, j->hash[i]);
        }
        if (j->err) {
            j->bad = j->first + i;
            return;
        }
    }
}

gpg_err_code_t chunk_batch(struct helper *h, struct chunked *c, struct chunked *hc, bool encrypt,
                           uint64_t first, size_t n, const uint8_t *in, uint8_t *out,
                           uint8_t (*hash)[32], uint64_t *bad_index)
{
    struct chunk_job a = {c, encrypt, first, n, in, out, hash, 0, 0};
    struct chunk_job b;
    bool split = h && hc && n >= 2;
    if (split) {
        size_t half = n / 2;
        size_t in_stride = encrypt ? CHUNK_SIZE : CHUNK_CT_MAX;
        size_t out_stride = encrypt ? CHUNK_CT_MAX : CHUNK_SIZE;
        b = (struct chunk_job){hc,
                               encrypt,
                               first + half,
                               n - half,
                               in + half * in_stride,
                               out + half * out_stride,
                               hash + half,
                               0,
                               0};
        a.n = half;
        helper_submit(h, chunk_job_run, &b);
    }
    chunk_job_run(&a);
    if (split)
        helper_wait(h);
    if (a.err) {
        *bad_index = a.bad;
        return a.err;
    }
    if (split && b.err) {
        *bad_index = b.bad;
        return b.err;
    }
    return 0;
}
