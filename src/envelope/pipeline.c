/* The chunk pipeline; see pipeline.h.
 *
 * Batch SEQ lives in slot SEQ % PIPELINE_RING and moves FREE -> FILLED (the
 * reader read it) -> WORKING (a worker took it) -> DONE -> HELD (handed to
 * the caller) -> FREE. Only the state moves under the lock: a slot's other
 * fields belong to whoever moved it last, and the lock hands them over. */
#include "envelope/pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/secmem.h"
#include "crypto/crypto.h"
#include "envelope/header.h"

#define MAX_WORKERS 4
/* A slot buffer holds a batch at the larger (ciphertext) stride. */
#define BATCH_BYTES (CHUNK_BATCH * CHUNK_CT_MAX)

enum slot_state { SLOT_FREE, SLOT_FILLED, SLOT_WORKING, SLOT_DONE, SLOT_HELD };

struct slot {
    enum slot_state state;
    uint64_t seq;
    uint8_t *in, *out; /* BATCH_BYTES each, allocated on first use */
    uint8_t hash[CHUNK_BATCH][SEAL_SHA256_LEN];
    size_t got;        /* input bytes in IN */
    uint64_t in_bytes; /* input bytes read up to the end of IN */
    bool last;
    gpg_err_code_t err; /* the read error, or the first chunk that failed */
    uint64_t bad;
};

struct worker {
    struct pipeline *p;
    struct chunked *c;
    pthread_t thread;
};

struct pipeline {
    struct byte_source in;
    bool encrypt;
    struct chunked *c; /* the caller's, for work on the caller's thread */
    struct slot slot[PIPELINE_RING];
    uint64_t in_bytes; /* the reader's count */
    uint64_t next_consume;
    bool ended; /* the last batch was handed out */

    bool threaded;
    struct seal_detail_scope *detail; /* the caller's: the threads record there */
    pthread_mutex_t lock;
    pthread_cond_t filled; /* workers wait for it (or stop) */
    pthread_cond_t freed;  /* the reader waits for it (or stop) */
    pthread_cond_t done;   /* the caller waits for it */
    bool stop;
    bool reader_exited;
    pthread_t reader;
    size_t n_workers;
    struct worker worker[MAX_WORKERS];
    uint64_t next_work;
};

static size_t in_stride(const struct pipeline *p)
{
    return p->encrypt ? CHUNK_SIZE : CHUNK_CT_MAX;
}

/* Reads batch SEQ into S (the reader's thread, or the caller's). The read is
 * the one place where the reader may be cancelled (CANCELLABLE): it can
 * block on a pipe that never ends after the caller gave up. */
static void fill(struct pipeline *p, struct slot *s, uint64_t seq, bool cancellable)
{
    size_t cap = CHUNK_BATCH * in_stride(p);
    int old;

    s->seq = seq;
    s->got = 0;
    s->err = 0;
    s->bad = 0;
    s->last = true;
    if (!s->in && !(s->in = buf_alloc_aligned(BATCH_BYTES))) {
        s->err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        return;
    }
    if (!s->out && !(s->out = buf_alloc_aligned(BATCH_BYTES))) {
        s->err = seal_fail(GPG_ERR_ENOMEM, "out of memory");
        return;
    }
    if (cancellable)
        pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    s->err = source_read_full(&p->in, s->in, cap, &s->got);
    if (cancellable)
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    p->in_bytes += s->got;
    s->in_bytes = p->in_bytes;
    s->last = s->err || s->got < cap;
}

/* Hashes and encrypts (or decrypts and hashes) the full chunks of S with C. */
static void work(struct slot *s, struct chunked *c, bool encrypt)
{
    size_t full = s->got / (encrypt ? CHUNK_SIZE : CHUNK_CT_MAX);
    uint64_t first = s->seq * CHUNK_BATCH;

    for (size_t i = 0; i < full && !s->err; i++) {
        size_t got;
        if (encrypt) {
            const uint8_t *pt = s->in + i * CHUNK_SIZE;
            seal_sha256(pt, CHUNK_SIZE, s->hash[i]);
            s->err = chunked_encrypt_chunk(c, first + i, pt, CHUNK_SIZE, false,
                                           s->out + i * CHUNK_CT_MAX);
        } else {
            uint8_t *pt = s->out + i * CHUNK_SIZE;
            s->err = chunked_decrypt_chunk(c, first + i, s->in + i * CHUNK_CT_MAX, CHUNK_CT_MAX,
                                           false, pt, &got);
            if (!s->err)
                seal_sha256(pt, CHUNK_SIZE, s->hash[i]);
        }
        if (s->err)
            s->bad = first + i;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pipeline *p = w->p;

    seal_detail_scope_enter(p->detail);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        struct slot *s = &p->slot[p->next_work % PIPELINE_RING];
        while (!p->stop && s->state != SLOT_FILLED) {
            pthread_cond_wait(&p->filled, &p->lock);
            s = &p->slot[p->next_work % PIPELINE_RING];
        }
        if (p->stop)
            break;
        s->state = SLOT_WORKING;
        p->next_work++;
        pthread_mutex_unlock(&p->lock);
        if (!s->err)
            work(s, w->c, p->encrypt);
        pthread_mutex_lock(&p->lock);
        s->state = SLOT_DONE;
        pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void *reader_main(void *arg)
{
    struct pipeline *p = arg;
    int old;

    seal_detail_scope_enter(p->detail);
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    for (uint64_t seq = 1;; seq++) {
        struct slot *s = &p->slot[seq % PIPELINE_RING];
        pthread_mutex_lock(&p->lock);
        while (!p->stop && s->state != SLOT_FREE)
            pthread_cond_wait(&p->freed, &p->lock);
        bool stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            break;
        fill(p, s, seq, true);
        bool last = s->last;
        pthread_mutex_lock(&p->lock);
        s->state = SLOT_FILLED;
        pthread_cond_broadcast(&p->filled);
        pthread_mutex_unlock(&p->lock);
        if (last)
            break;
    }
    pthread_mutex_lock(&p->lock);
    p->reader_exited = true;
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static long online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
}

/* Stops and joins the threads started so far. */
static void stop_threads(struct pipeline *p, bool reader_started)
{
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    bool exited = p->reader_exited;
    pthread_cond_broadcast(&p->filled);
    pthread_cond_broadcast(&p->freed);
    pthread_mutex_unlock(&p->lock);
    if (reader_started) {
        if (!exited)
            pthread_cancel(p->reader);
        pthread_join(p->reader, NULL);
    }
    for (size_t i = 0; i < p->n_workers; i++)
        pthread_join(p->worker[i].thread, NULL);
    p->n_workers = 0;
}

/* Starts one worker per core and the reader. The threads wait for the lock
 * held here, so if one cannot be had the others stop before touching a slot
 * and everything runs on the caller's thread. */
static bool start_threads(struct pipeline *p)
{
    long want = online_cpus();

    pthread_mutex_lock(&p->lock);
    for (long i = 0; i < want; i++) {
        struct worker *w = &p->worker[p->n_workers];
        w->p = p;
        if (chunked_clone(p->c, &w->c) != 0)
            break;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            chunked_free(w->c);
            w->c = NULL;
            break;
        }
        p->n_workers++;
    }
    bool ok = p->n_workers > 0 && pthread_create(&p->reader, NULL, reader_main, p) == 0;
    if (ok) {
        p->slot[0].state = SLOT_FILLED;
        p->threaded = true;
    }
    pthread_mutex_unlock(&p->lock);
    if (!ok) {
        stop_threads(p, false);
        p->stop = false;
    }
    return ok;
}

gpg_err_code_t pipeline_start(struct byte_source in, struct chunked *c, bool encrypt,
                              struct pipeline **out)
{
    struct pipeline *p = calloc(1, sizeof *p);

    *out = NULL;
    if (!p)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    p->in = in;
    p->c = c;
    p->encrypt = encrypt;
    p->detail = seal_detail_scope_current();
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->filled, NULL);
    pthread_cond_init(&p->freed, NULL);
    pthread_cond_init(&p->done, NULL);
    /* The first batch decides: an input that ends in it needs no thread. */
    fill(p, &p->slot[0], 0, false);
    if (!p->slot[0].last)
        (void)start_threads(p);
    *out = p;
    return 0;
}

gpg_err_code_t pipeline_next(struct pipeline *p, struct pipeline_batch *b, uint64_t *bad_index)
{
    uint64_t seq = p->next_consume;
    struct slot *s = &p->slot[seq % PIPELINE_RING];
    struct slot *old = seq >= 2 ? &p->slot[(seq - 2) % PIPELINE_RING] : NULL;

    memset(b, 0, sizeof *b);
    *bad_index = 0;
    if (p->ended)
        return GPG_ERR_EOF;
    if (p->threaded) {
        pthread_mutex_lock(&p->lock);
        if (old) {
            old->state = SLOT_FREE;
            pthread_cond_signal(&p->freed);
        }
        while (s->state != SLOT_DONE)
            pthread_cond_wait(&p->done, &p->lock);
        s->state = SLOT_HELD;
        pthread_mutex_unlock(&p->lock);
    } else {
        if (seq > 0)
            fill(p, s, seq, false);
        if (!s->err)
            work(s, p->c, p->encrypt);
    }
    p->next_consume++;
    p->ended = s->last;
    b->first = seq * CHUNK_BATCH;
    b->full = s->got / in_stride(p);
    b->out = s->out;
    b->hash = (const uint8_t(*)[SEAL_SHA256_LEN])s->hash;
    b->rest = s->in + b->full * in_stride(p);
    b->rest_len = s->got - b->full * in_stride(p);
    b->in_bytes = s->in_bytes;
    b->last = s->last;
    *bad_index = s->bad;
    return s->err;
}

void pipeline_free(struct pipeline *p)
{
    if (!p)
        return;
    if (p->threaded)
        stop_threads(p, true);
    for (size_t i = 0; i < MAX_WORKERS; i++)
        chunked_free(p->worker[i].c);
    for (size_t i = 0; i < PIPELINE_RING; i++) {
        struct slot *s = &p->slot[i];
        /* The plaintext side, and its hashes, are the user's secret. */
        uint8_t *plain = p->encrypt ? s->in : s->out;
        if (plain)
            seal_wipe(plain, BATCH_BYTES);
        seal_wipe(s->hash, sizeof s->hash);
        free(s->in);
        free(s->out);
    }
    pthread_cond_destroy(&p->filled);
    pthread_cond_destroy(&p->freed);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
