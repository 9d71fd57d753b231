/*
 * unseal to standard output in two passes (src/cli/spool.c, and
 * envelope_reader_release in src/envelope/open.c): the input is changed
 * between the passes (this test runs the passes itself, so the programs
 * carry no hook), and what comes out is only ever the verified message, up
 * to the chunk that changed, with the error reported. From a regular file and
 * from a pipe (whose ciphertext copy is what changes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "../envelope/envelope_util.h"
#include "cli/cli.h"
#include "cli/two_pass.h"
#include "envelope/chunked.h"
#include "envelope/header.h"
#include "testing.h"

#define N_CHUNKS 100 /* two pipeline batches */
#define MSG_LEN (N_CHUNKS * CHUNK_SIZE - 5000)
/* Header (301 bytes for one 2048-bit recipient), salt and commitment: where
 * the chunks start (test_envelope checks the sizes). */
#define ENV_PREFIX 357

static struct seal_key *alice, *bob;   /* key pairs */
static struct trusted_senders trusted; /* alice, carol */
static char dir[] = "/tmp/seal-two-pass.XXXXXX";
static char path[sizeof dir + 16];

static int setup(void **state)
{
    (void)state;
    char tdir[1024];
    alice = test_key("alice", true);
    bob = test_key("bob", true);
    testkit_path(tdir, sizeof tdir, "trusted");
    if (!alice || !bob || trusted_senders_load(tdir, &trusted) != 0 || !mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/env", dir);
    setenv("TMPDIR", dir, 1); /* the pipe's copy goes here */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    key_free(alice);
    key_free(bob);
    trusted_senders_free(&trusted);
    unlink(path);
    rmdir(dir);
    return 0;
}

static uint8_t *pattern(size_t n, uint32_t x)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        p[i] = (uint8_t)(x >> 16);
    }
    return p;
}

/* Seals MSG from alice to bob with fixed keys, salt and IDs: two messages
 * give envelopes that differ only in the chunks whose plaintext differs
 * (and in the signature), each chunk valid under the same file key. */
static const uint8_t key[32] = {1}, salt[CHUNKED_SALT_LEN] = {2};

static void seal_fixed(const uint8_t *msg, size_t len, struct mem_sink *env)
{
    static const uint8_t id[16] = {3};
    static const uint8_t receipt[SEAL_RECEIPT_KEY_LEN] = {4};
    const struct seal_key *rcpt[] = {bob};
    struct seal_fixed fx = {key, salt, id, receipt, true, 1700000000};
    struct mem_source src;
    struct seal_request req;
    memset(&req, 0, sizeof req);
    req.recipients = rcpt;
    req.n_recipients = 1;
    req.sender = alice;
    req.in = mem_source_init(&src, msg, len);
    req.out = mem_sink_init(env);
    assert_int_equal(envelope_seal_fixed(&req, &fx), 0);
}

/* A copy of ENV. */
static void copy_env(const struct mem_sink *env, struct mem_sink *to)
{
    mem_sink_init(to);
    assert_int_equal(mem_sink_write(to, env->data, env->len), 0);
}

/* Replaces chunk K of ENV by the encryption of the full-size piece PT under
 * ENV's own keys: a chunk that authenticates, with other plaintext. */
static void replace_chunk(struct mem_sink *env, size_t k, const uint8_t *pt)
{
    size_t hlen = ENV_PREFIX - CHUNKED_PREFIX_LEN;
    uint8_t context[ENVELOPE_CONTEXT_LABEL_LEN + ENV_PREFIX], prefix[CHUNKED_PREFIX_LEN];
    struct chunked *c;
    memcpy(context, ENVELOPE_CONTEXT_LABEL, ENVELOPE_CONTEXT_LABEL_LEN);
    memcpy(context + ENVELOPE_CONTEXT_LABEL_LEN, env->data, hlen);
    assert_int_equal(chunked_encrypt_new(key, sizeof key, context,
                                         ENVELOPE_CONTEXT_LABEL_LEN + hlen, salt, prefix, &c),
                     0);
    assert_memory_equal(prefix, env->data + hlen, CHUNKED_PREFIX_LEN);
    assert_int_equal(chunked_encrypt_chunk(c, k, pt, CHUNK_SIZE, false,
                                           env->data + ENV_PREFIX + k * CHUNK_CT_MAX),
                     0);
    chunked_free(c);
}

static void write_file(const char *p, const uint8_t *data, size_t len)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(fd_write_all(fd, data, len), 0);
    close(fd);
}

/* What happens between the passes. */
struct change {
    int fd;              /* the file to change (-1: find the pipe's copy) */
    const uint8_t *data; /* new content */
    size_t len;
    bool ran;
};

/* The pipe's copy: the one unlinked seal-spool file this process has open. */
static int find_copy(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int found = -1;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char link[300], target[1024];
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        /* A spool file is unnamed (O_TMPFILE: "DIR/#INODE") or unlinked. */
        if ((strstr(target, "/seal-spool.") || strstr(target, "/#")) && strstr(target, "(deleted)"))
            found = atoi(e->d_name);
    }
    closedir(d);
    return found;
}

static void apply(struct change *c)
{
    int fd = c->fd >= 0 ? c->fd : find_copy();
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    assert_int_equal(fd_write_all(fd, c->data, c->len), 0);
    c->ran = true;
}

/* Both passes on FD, as cli_unseal runs them (cli/unseal_cmd.c), with C applied between
 * them (if given). OUT gets what the second pass releases. */
static gpg_err_code_t two_passes(int fd, struct change *c, struct mem_sink *out)
{
    struct two_pass *t = NULL;
    struct envelope_reader *r = NULL;
    struct cli_input in = {fd, false, 0};
    struct unseal_request req;
    struct envelope_info info;
    struct byte_sink sink = mem_sink_init(out);
    gpg_err_code_t e;

    memset(&req, 0, sizeof req);
    req.recipient = bob;
    req.senders = &trusted;
    assert_int_equal(two_pass_open(&in, &t), 0);
    req.in = two_pass_input(t);
    req.chunk_hashes = two_pass_hashes(t);
    e = envelope_reader_open(req.in, &r, &info);
    if (!e)
        e = envelope_reader_unseal(r, &req, &info);
    if (!e) {
        assert_int_equal(info.plaintext_len, MSG_LEN);
        if (c)
            apply(c);
        e = two_pass_release(t, r, sink);
    }
    envelope_reader_free(r);
    two_pass_free(t);
    return e;
}

struct feeder {
    int fd;
    const uint8_t *data;
    size_t len;
};

static void *feed(void *arg)
{
    struct feeder *f = arg;
    (void)fd_write_all(f->fd, f->data, f->len);
    close(f->fd);
    return NULL;
}

/* The passes on ENV, from the file or through a pipe; CHANGED (or NULL)
 * replaces it between the passes. */
static gpg_err_code_t run(bool pipe_input, const struct mem_sink *env,
                          const struct mem_sink *changed, struct mem_sink *out)
{
    struct change c = {-1, changed ? changed->data : NULL, changed ? changed->len : 0, false};
    gpg_err_code_t e;
    if (!pipe_input) {
        write_file(path, env->data, env->len);
        int fd = open(path, O_RDWR);
        assert_true(fd >= 0);
        c.fd = fd;
        e = two_passes(fd, changed ? &c : NULL, out);
        close(fd);
    } else {
        int p[2];
        pthread_t th;
        assert_int_equal(pipe(p), 0);
        struct feeder f = {p[1], env->data, env->len};
        assert_int_equal(pthread_create(&th, NULL, feed, &f), 0);
        e = two_passes(p[0], changed ? &c : NULL, out);
        pthread_join(th, NULL);
        close(p[0]);
    }
    assert_true(!changed || c.ran || e != 0);
    return e;
}

static void unchanged(bool pipe_input)
{
    uint8_t *msg = pattern(MSG_LEN, 1);
    struct mem_sink env, out;
    seal_fixed(msg, MSG_LEN, &env);
    assert_int_equal(run(pipe_input, &env, NULL, &out), 0);
    assert_int_equal(out.len, MSG_LEN);
    assert_memory_equal(out.data, msg, MSG_LEN);
    mem_sink_free(&env);
    mem_sink_free(&out);
    free(msg);
}

static void test_file_unchanged(void **state)
{
    (void)state;
    unchanged(false);
}

static void test_pipe_unchanged(void **state)
{
    (void)state;
    unchanged(true);
}

/* Chunk K replaced by one that authenticates (the sender, or anyone with
 * the file key, can make it) but is not the chunk that was verified. Only
 * chunks 0 .. K-1 come out. */
static void other_chunk(bool pipe_input, size_t k)
{
    uint8_t *msg = pattern(MSG_LEN, 1), *msg2 = pattern(MSG_LEN, 1);
    struct mem_sink env, env2, out;
    msg2[k * CHUNK_SIZE + 100] ^= 1;
    seal_fixed(msg, MSG_LEN, &env);
    copy_env(&env, &env2);
    replace_chunk(&env2, k, msg2 + k * CHUNK_SIZE);
    seal_clear_detail();
    assert_int_equal(run(pipe_input, &env, &env2, &out), GPG_ERR_CHECKSUM);
    assert_non_null(seal_detail());
    assert_non_null(strstr(seal_detail(), "changed after it was verified"));
    assert_int_equal(out.len, k * CHUNK_SIZE);
    if (k)
        assert_memory_equal(out.data, msg, k * CHUNK_SIZE);
    mem_sink_free(&env);
    mem_sink_free(&env2);
    mem_sink_free(&out);
    free(msg);
    free(msg2);
}

static void test_file_other_chunk_first_batch(void **state)
{
    (void)state;
    other_chunk(false, 3);
}

static void test_file_other_chunk_second_batch(void **state)
{
    (void)state;
    other_chunk(false, 70);
}

static void test_file_other_first_chunk(void **state)
{
    (void)state;
    other_chunk(false, 0);
}

static void test_pipe_other_chunk(void **state)
{
    (void)state;
    other_chunk(true, 65);
}

/* A changed byte in chunk K: the tag fails in the second pass. */
static void test_file_flipped_byte(void **state)
{
    (void)state;
    uint8_t *msg = pattern(MSG_LEN, 1);
    struct mem_sink env, env2, out;
    size_t k = 40;
    seal_fixed(msg, MSG_LEN, &env);
    copy_env(&env, &env2);
    size_t at = ENV_PREFIX + k * CHUNK_CT_MAX;
    env2.data[at + 7] ^= 0x80;
    seal_clear_detail();
    assert_int_equal(run(false, &env, &env2, &out), GPG_ERR_CHECKSUM);
    assert_int_equal(out.len, k * CHUNK_SIZE);
    assert_memory_equal(out.data, msg, k * CHUNK_SIZE);
    mem_sink_free(&env);
    mem_sink_free(&env2);
    mem_sink_free(&out);
    free(msg);
}

/* Cut or extended between the passes: the released part is verified, the
 * error reported. */
static void resized(bool pipe_input, size_t new_len)
{
    uint8_t *msg = pattern(MSG_LEN, 1);
    struct mem_sink env, env2, out;
    seal_fixed(msg, MSG_LEN, &env);
    mem_sink_init(&env2);
    assert_int_equal(mem_sink_write(&env2, env.data, env.len < new_len ? env.len : new_len), 0);
    while (env2.len < new_len)
        assert_int_equal(mem_sink_write(&env2, (const uint8_t *)"x", 1), 0);
    seal_clear_detail();
    assert_int_equal(run(pipe_input, &env, &env2, &out), GPG_ERR_CHECKSUM);
    assert_true(out.len < MSG_LEN);
    assert_memory_equal(out.data, msg, out.len);
    mem_sink_free(&env);
    mem_sink_free(&env2);
    mem_sink_free(&out);
    free(msg);
}

static void test_file_truncated(void **state)
{
    (void)state;
    resized(false, ENV_PREFIX + 80 * CHUNK_CT_MAX);
}

static void test_file_extended(void **state)
{
    (void)state;
    resized(false, ENV_PREFIX + N_CHUNKS * CHUNK_CT_MAX + 20000);
}

static void test_pipe_truncated(void **state)
{
    (void)state;
    resized(true, ENV_PREFIX + 10 * CHUNK_CT_MAX + 3);
}

static void test_file_header_changed(void **state)
{
    (void)state;
    uint8_t *msg = pattern(MSG_LEN, 1);
    struct mem_sink env, env2, out;
    seal_fixed(msg, MSG_LEN, &env);
    copy_env(&env, &env2);
    env2.data[20] ^= 1; /* a fingerprint byte */
    seal_clear_detail();
    assert_int_equal(run(false, &env, &env2, &out), GPG_ERR_CHECKSUM);
    assert_int_equal(out.len, 0);
    mem_sink_free(&env);
    mem_sink_free(&env2);
    mem_sink_free(&out);
    free(msg);
}

/* Tampered before the first pass: it fails, the second never runs. */
static void test_tampered_before(void **state)
{
    (void)state;
    uint8_t *msg = pattern(MSG_LEN, 1);
    struct mem_sink env, out;
    seal_fixed(msg, MSG_LEN, &env);
    env.data[env.len - 20000] ^= 1;
    assert_int_equal(run(false, &env, NULL, &out), GPG_ERR_CHECKSUM);
    assert_int_equal(out.len, 0);
    mem_sink_free(&env);
    mem_sink_free(&out);
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_unchanged),
        cmocka_unit_test(test_pipe_unchanged),
        cmocka_unit_test(test_file_other_chunk_first_batch),
        cmocka_unit_test(test_file_other_chunk_second_batch),
        cmocka_unit_test(test_file_other_first_chunk),
        cmocka_unit_test(test_pipe_other_chunk),
        cmocka_unit_test(test_file_flipped_byte),
        cmocka_unit_test(test_file_truncated),
        cmocka_unit_test(test_file_extended),
        cmocka_unit_test(test_pipe_truncated),
        cmocka_unit_test(test_file_header_changed),
        cmocka_unit_test(test_tampered_before),
    };
    if (seal_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
