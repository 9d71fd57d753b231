/*
 * The encrypted spool (src/spool.c): round trips around the chunk and
 * memory-limit boundaries, no plaintext in the file, and tampering with the
 * file detected on replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "envelope/chunked.h"
#include "crypto/crypto.h"
#include "envelope/spool.h"
#include "testing.h"

struct mem {
    uint8_t *p;
    size_t n, cap;
    size_t fail_after; /* fail once this many bytes were taken (0 = never) */
};

static gpg_err_code_t mem_sink_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct mem *m = ctx;

    if (m->fail_after > 0 && m->n + n > m->fail_after)
        return GPG_ERR_EPIPE;
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2;
        m->p = realloc(m->p, m->cap);
        assert_non_null(m->p);
    }
    memcpy(m->p + m->n, buf, n);
    m->n += n;
    return 0;
}

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static uint8_t *pattern(size_t n, uint32_t seed)
{
    uint8_t *p = malloc(n + 1);

    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(rnd(&seed) >> 3);
    return p;
}

/* Writes DATA in pieces of pseudo-random size up to MAXPIECE (0: at once). */
static struct spool *fill_spool(const uint8_t *data, size_t n, size_t maxpiece)
{
    struct spool *s = NULL;
    struct byte_sink sink;
    uint32_t seed = 99;
    size_t off = 0;

    assert_int_equal(spool_new(&s), 0);
    sink = spool_sink(s);
    while (off < n) {
        size_t piece = maxpiece ? 1 + rnd(&seed) % maxpiece : n - off;
        if (piece > n - off)
            piece = n - off;
        assert_int_equal(sink.write(sink.ctx, data + off, piece), 0);
        off += piece;
    }
    assert_int_equal(spool_finish(s), 0);
    assert_int_equal(spool_size(s), n);
    return s;
}

static void roundtrip(size_t n, size_t maxpiece)
{
    uint8_t *data = pattern(n, (uint32_t)n);
    struct spool *s = fill_spool(data, n, maxpiece);
    struct mem out = {0};
    struct byte_sink sink = {mem_sink_write, &out};

    /* Small spools never touch the disk. */
    if (n <= SPOOL_MEMORY_MAX)
        assert_int_equal(spool_fd_for_testing(s), -1);
    else
        assert_true(spool_fd_for_testing(s) >= 0);
    for (int pass = 0; pass < 2; pass++) { /* replay is repeatable */
        out.n = 0;
        assert_int_equal(spool_replay(s, sink), 0);
        assert_int_equal(out.n, n);
        if (n > 0)
            assert_memory_equal(out.p, data, n);
    }
    spool_free(s);
    free(out.p);
    free(data);
}

static void test_roundtrip_sizes(void **state)
{
    static const size_t sizes[] = {0,
                                   1,
                                   CHUNK_SIZE - 1,
                                   CHUNK_SIZE,
                                   CHUNK_SIZE + 1,
                                   SPOOL_MEMORY_MAX - 1,
                                   SPOOL_MEMORY_MAX,
                                   SPOOL_MEMORY_MAX + 1,
                                   SPOOL_MEMORY_MAX + CHUNK_SIZE,
                                   3 * 1024 * 1024};
    (void)state;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        roundtrip(sizes[i], 0);
        roundtrip(sizes[i], 5000);
        roundtrip(sizes[i], 40000);
    }
}

/* The file holds ciphertext of the expected length, not the plaintext. */
static void test_file_is_encrypted(void **state)
{
    const size_t n = 2 * 1024 * 1024 + 5;
    uint8_t *data = malloc(n), *file = malloc(n + 4096);
    const char marker[] = "PLAINTEXT MARKER ";
    struct spool *s;
    struct stat st;
    ssize_t got;
    int fd;

    (void)state;
    assert_non_null(data);
    assert_non_null(file);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)marker[i % (sizeof marker - 1)];
    s = fill_spool(data, n, 0);
    fd = spool_fd_for_testing(s);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_nlink, 0); /* anonymous: already unlinked */
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, n + (n / CHUNK_SIZE + 1) * CHUNK_TAG_LEN);
    got = pread(fd, file, n + 4096, 0);
    assert_int_equal(got, st.st_size);
    for (size_t i = 0; i + sizeof marker - 1 <= (size_t)got; i++)
        assert_false(memcmp(file + i, marker, sizeof marker - 1) == 0);
    spool_free(s);
    free(file);
    free(data);
}

/* Runs TAMPER on the file of a 3 MiB spool; replay must fail with WANT and
 * pass on only verified bytes, which are a prefix of the data. */
static void tampered(void (*tamper)(int fd, off_t size), gpg_err_code_t want)
{
    const size_t n = 3 * 1024 * 1024 + 100;
    uint8_t *data = pattern(n, 3);
    struct spool *s = fill_spool(data, n, 0);
    struct mem out = {0};
    struct byte_sink sink = {mem_sink_write, &out};
    struct stat st;
    int fd = spool_fd_for_testing(s);

    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    tamper(fd, st.st_size);
    assert_int_equal(spool_replay(s, sink), want);
    assert_true(out.n < n);
    if (out.n > 0)
        assert_memory_equal(out.p, data, out.n);
    spool_free(s);
    free(out.p);
    free(data);
}

static void flip(int fd, off_t at)
{
    uint8_t b;

    assert_int_equal(pread(fd, &b, 1, at), 1);
    b ^= 0x20;
    assert_int_equal(pwrite(fd, &b, 1, at), 1);
}

static void flip_first(int fd, off_t size)
{
    (void)size;
    flip(fd, 100);
}

static void flip_middle_tag(int fd, off_t size)
{
    (void)size;
    flip(fd, 10 * CHUNK_CT_MAX - 1);
}

static void flip_last(int fd, off_t size)
{
    flip(fd, size - 1);
}

static void cut_at_chunk(int fd, off_t size)
{
    /* Ends on an inner chunk boundary. */
    (void)size;
    assert_int_equal(ftruncate(fd, 5 * CHUNK_CT_MAX), 0);
}

static void cut_one_byte(int fd, off_t size)
{
    assert_int_equal(ftruncate(fd, size - 1), 0);
}

static void cut_last_chunk_whole(int fd, off_t size)
{
    /* Drops the short final chunk: ends on a full chunk, i.e. truncated. */
    assert_int_equal(ftruncate(fd, size - (size % CHUNK_CT_MAX)), 0);
}

static void append_byte(int fd, off_t size)
{
    assert_int_equal(pwrite(fd, "x", 1, size), 1);
}

static void swap_chunks(int fd, off_t size)
{
    uint8_t *a = malloc(CHUNK_CT_MAX), *b = malloc(CHUNK_CT_MAX);

    (void)size;
    assert_int_equal(pread(fd, a, CHUNK_CT_MAX, 2 * CHUNK_CT_MAX), CHUNK_CT_MAX);
    assert_int_equal(pread(fd, b, CHUNK_CT_MAX, 3 * CHUNK_CT_MAX), CHUNK_CT_MAX);
    assert_int_equal(pwrite(fd, b, CHUNK_CT_MAX, 2 * CHUNK_CT_MAX), CHUNK_CT_MAX);
    assert_int_equal(pwrite(fd, a, CHUNK_CT_MAX, 3 * CHUNK_CT_MAX), CHUNK_CT_MAX);
    free(a);
    free(b);
}

static void test_tamper_detected(void **state)
{
    (void)state;
    tampered(flip_first, GPG_ERR_CHECKSUM);
    tampered(flip_middle_tag, GPG_ERR_CHECKSUM);
    tampered(flip_last, GPG_ERR_CHECKSUM);
    tampered(cut_at_chunk, GPG_ERR_TRUNCATED);
    tampered(cut_last_chunk_whole, GPG_ERR_TRUNCATED);
    tampered(cut_one_byte, GPG_ERR_CHECKSUM);
    tampered(append_byte, GPG_ERR_CHECKSUM);
    tampered(swap_chunks, GPG_ERR_CHECKSUM);
}

static void test_state_errors(void **state)
{
    struct spool *s = NULL;
    struct mem out = {0};
    struct byte_sink sink = {mem_sink_write, &out};

    (void)state;
    assert_int_equal(spool_new(&s), 0);
    assert_int_equal(spool_write(s, (const uint8_t *)"abc", 3), 0);
    assert_int_equal(spool_replay(s, sink), GPG_ERR_INV_STATE); /* not finished */
    assert_int_equal(spool_finish(s), 0);
    assert_int_equal(spool_write(s, (const uint8_t *)"d", 1), GPG_ERR_INV_STATE);
    assert_int_equal(spool_finish(s), GPG_ERR_INV_STATE);
    assert_int_equal(spool_replay(s, sink), 0);
    assert_int_equal(out.n, 3);
    spool_free(s);
    spool_free(NULL);
    free(out.p);
}

/* A failing sink stops the replay with the sink's error. */
static void test_sink_error(void **state)
{
    const size_t n = 2 * 1024 * 1024;
    uint8_t *data = pattern(n, 8);
    struct spool *s = fill_spool(data, n, 0);
    struct mem out = {0};
    struct byte_sink sink = {mem_sink_write, &out};

    (void)state;
    out.fail_after = 100000;
    assert_int_equal(spool_replay(s, sink), GPG_ERR_EPIPE);
    assert_true(out.n <= 100000);
    spool_free(s);
    free(out.p);
    free(data);
}

/* A spool file that cannot be written (a full $TMPDIR) is reported as the
 * spool's problem, not as a bare "write error" that the program would pin
 * on its output; the error is sticky. */
static void test_file_write_error(void **state)
{
    const size_t n = SPOOL_MEMORY_MAX + 1;
    uint8_t *data = pattern(n, 9);
    struct spool *s;
    gpg_err_code_t e = 0;

    (void)state;
    assert_int_equal(spool_new(&s), 0);
    assert_int_equal(spool_write(s, data, n), 0);
    int fd = spool_fd_for_testing(s);
    assert_true(fd >= 0);
    /* Swap the file for a descriptor that refuses writes. */
    int ro = open("/dev/null", O_RDONLY);
    assert_true(ro >= 0);
    assert_true(dup2(ro, fd) == fd);
    close(ro);
    seal_clear_detail();
    for (int i = 0; i < 64 && e == 0; i++)
        e = spool_write(s, data, 65536);
    if (e == 0)
        e = spool_finish(s);
    assert_int_equal(e, GPG_ERR_EBADF);
    assert_non_null(seal_detail());
    assert_non_null(strstr(seal_detail(), "spool file"));
    assert_int_equal(spool_write(s, data, 1), GPG_ERR_EBADF);
    spool_free(s);
    free(data);
}

static int group_setup(void **state)
{
    (void)state;
    return seal_crypto_init() == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_sizes), cmocka_unit_test(test_file_is_encrypted),
        cmocka_unit_test(test_tamper_detected), cmocka_unit_test(test_state_errors),
        cmocka_unit_test(test_sink_error),      cmocka_unit_test(test_file_write_error),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
