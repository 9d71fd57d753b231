/*
 * bench/ceiling: what this machine allows seal and unseal, measured with the
 * calls they make (libgcrypt through src/crypto), for bench/run.sh.
 *
 *   ceiling rates [MIB]
 *       SHA-256, AES-256-GCM and SHA-256 + AES-256-GCM of 16 KiB pieces on
 *       one and on two threads (MIB MiB per thread, default 256). For each,
 *       one line: "rate OP THREADS WALL_MBPS CPU_MBPS", where WALL_MBPS is
 *       all threads' bytes over the wall-clock time and CPU_MBPS one
 *       thread's bytes over its own CPU time (what a core does when it is
 *       not taken away: robust on a busy machine).
 *
 *   ceiling split SENDER.key RECIPIENT.pub RECIPIENT.key SENDER.pub [ROUNDS]
 *       The fixed costs of a small message, median milliseconds over ROUNDS
 *       (default 20): "split WHAT MS" for libgcrypt's initialisation, loading
 *       each key file, and each RSA operation seal and unseal make.
 *
 *   ceiling time COMMAND
 *       Runs sh -c COMMAND (its output as it is) and prints "time WALL USER
 *       SYS MAXRSS_KIB" on standard error: seconds of wall-clock and CPU
 *       time of the command and all its children, and the largest child's
 *       peak RSS. Exits with the command's status.
 */
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/secmem.h"
#include "crypto/crypto.h"
#include "envelope/chunked.h"
#include "envelope/pipeline.h"
#include "keys/keys.h"

#define PIECE CHUNK_SIZE
#define BUF_PIECES 64 /* each thread cycles through 1 MiB, like a batch */

enum op { OP_SHA, OP_GCM, OP_BOTH };
static const char *const op_name[] = {"sha256", "gcm", "sha256+gcm"};

struct job {
    enum op op;
    size_t pieces;
    double cpu; /* seconds of this thread's CPU time */
    int failed;
};

static double now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *run_job(void *arg)
{
    struct job *j = arg;
    uint8_t key[SEAL_AEAD_KEY_LEN], nonce[SEAL_AEAD_NONCE_LEN] = {0}, h[SEAL_SHA256_LEN];
    uint8_t tag[SEAL_AEAD_TAG_LEN];
    struct seal_aead *a = NULL;
    uint8_t *in = buf_alloc_aligned(BUF_PIECES * PIECE);
    uint8_t *out = buf_alloc_aligned(BUF_PIECES * CHUNK_CT_MAX);

    seal_random(key, sizeof key);
    if (!in || !out || seal_aead_new(key, &a) != 0) {
        j->failed = 1;
        goto out;
    }
    seal_random(in, BUF_PIECES * PIECE);
    double t0 = now(CLOCK_THREAD_CPUTIME_ID);
    for (size_t i = 0; i < j->pieces; i++) {
        const uint8_t *p = in + (i % BUF_PIECES) * PIECE;
        nonce[11] = (uint8_t)i;
        if (j->op != OP_GCM)
            seal_sha256(p, PIECE, h);
        if (j->op != OP_SHA && seal_aead_encrypt(a, nonce, NULL, 0, p, PIECE,
                                                 out + (i % BUF_PIECES) * CHUNK_CT_MAX, tag) != 0) {
            j->failed = 1;
            break;
        }
    }
    j->cpu = now(CLOCK_THREAD_CPUTIME_ID) - t0;
out:
    seal_aead_free(a);
    free(in);
    free(out);
    return NULL;
}

static int rates(size_t mib)
{
    size_t pieces = mib * 1024 * 1024 / PIECE;
    for (int op = OP_SHA; op <= OP_BOTH; op++) {
        for (int n = 1; n <= 2; n++) {
            struct job j[2];
            pthread_t t[2];
            double t0 = now(CLOCK_MONOTONIC);
            for (int i = 0; i < n; i++) {
                j[i] = (struct job){(enum op)op, pieces, 0, 0};
                if (pthread_create(&t[i], NULL, run_job, &j[i]) != 0) {
                    fprintf(stderr, "ceiling: cannot start a thread\n");
                    return 1;
                }
            }
            for (int i = 0; i < n; i++)
                pthread_join(t[i], NULL);
            double wall = now(CLOCK_MONOTONIC) - t0, cpu = 0;
            for (int i = 0; i < n; i++) {
                if (j[i].failed) {
                    fprintf(stderr, "ceiling: %s failed\n", op_name[op]);
                    return 1;
                }
                cpu += j[i].cpu / n;
            }
            double bytes = (double)pieces * PIECE;
            printf("rate %s %d %.0f %.0f\n", op_name[op], n, n * bytes / wall / 1e6,
                   bytes / cpu / 1e6);
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static gpg_err_code_t no_pass(void *ctx, const char *path, char **pass, size_t *len)
{
    (void)ctx;
    (void)path;
    (void)pass;
    (void)len;
    return GPG_ERR_NO_PASSPHRASE;
}

enum {
    S_LOAD_SKEY,
    S_LOAD_RPUB,
    S_OAEP_ENC,
    S_PSS_SIGN,
    S_LOAD_RKEY,
    S_LOAD_SPUB,
    S_OAEP_DEC,
    S_PSS_VERIFY,
    S_N
};
static const char *const split_name[S_N] = {
    "load-sender-key",    "load-recipient-pub", "rsa-oaep-encrypt", "rsa-pss-sign",
    "load-recipient-key", "load-sender-pub",    "rsa-oaep-decrypt", "rsa-pss-verify"};

static int split(char **path, int rounds)
{
    double *t[S_N];
    uint8_t msg[64], wrapped[1024], back[1024], digest[SEAL_SHA256_LEN], sig[1024];
    size_t backlen;

    for (int i = 0; i < S_N; i++)
        if (!(t[i] = calloc((size_t)rounds, sizeof *t[i])))
            return 1;
    seal_random(msg, sizeof msg);
    seal_random(digest, sizeof digest);
    for (int r = 0; r < rounds; r++) {
        struct seal_key *skey = NULL, *rpub = NULL, *rkey = NULL, *spub = NULL;
        double t0 = now(CLOCK_MONOTONIC);
        int bad = key_load_private(path[0], no_pass, NULL, &skey) != 0;
        double t1 = now(CLOCK_MONOTONIC);
        bad |= key_load_public(path[1], no_pass, NULL, &rpub) != 0;
        double t2 = now(CLOCK_MONOTONIC);
        bad |= bad || seal_rsa_oaep_encrypt(rpub->rsa, "l", 1, msg, sizeof msg, wrapped) != 0;
        double t3 = now(CLOCK_MONOTONIC);
        bad |= bad || seal_rsa_pss_sign(skey->rsa, digest, sig) != 0;
        double t4 = now(CLOCK_MONOTONIC);
        bad |= key_load_private(path[2], no_pass, NULL, &rkey) != 0;
        double t5 = now(CLOCK_MONOTONIC);
        bad |= key_load_public(path[3], no_pass, NULL, &spub) != 0;
        double t6 = now(CLOCK_MONOTONIC);
        bad |= bad ||
               seal_rsa_oaep_decrypt(rkey->rsa, "l", 1, wrapped, seal_rsa_modulus_len(rkey->rsa),
                                     back, sizeof back, &backlen) != 0;
        double t7 = now(CLOCK_MONOTONIC);
        bad |= bad ||
               seal_rsa_pss_verify(spub->rsa, digest, sig, seal_rsa_modulus_len(spub->rsa)) != 0;
        double t8 = now(CLOCK_MONOTONIC);
        key_free(skey);
        key_free(rpub);
        key_free(rkey);
        key_free(spub);
        if (bad) {
            fprintf(stderr, "ceiling: a key or an RSA operation failed\n");
            return 1;
        }
        double d[S_N] = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6, t8 - t7};
        for (int i = 0; i < S_N; i++)
            t[i][r] = d[i];
    }
    for (int i = 0; i < S_N; i++) {
        printf("split %s %.2f\n", split_name[i], median(t[i], rounds) * 1e3);
        free(t[i]);
    }
    return 0;
}

static int time_command(const char *cmd)
{
    double t0 = now(CLOCK_MONOTONIC);
    pid_t pid = fork();
    int st;

    if (pid < 0) {
        perror("ceiling: fork");
        return 1;
    }
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) != pid) {
        perror("ceiling: waitpid");
        return 1;
    }
    double wall = now(CLOCK_MONOTONIC) - t0;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    fprintf(stderr, "time %.6f %.6f %.6f %ld\n", wall,
            (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "time") == 0)
        return time_command(argv[2]);
    double t0 = now(CLOCK_MONOTONIC);
    if (seal_crypto_init() != 0) {
        fprintf(stderr, "ceiling: cannot initialise libgcrypt\n");
        return 1;
    }
    double init = now(CLOCK_MONOTONIC) - t0;
    if (argc >= 2 && strcmp(argv[1], "rates") == 0)
        return rates(argc >= 3 ? (size_t)strtoul(argv[2], NULL, 10) : 256);
    if (argc >= 6 && strcmp(argv[1], "split") == 0) {
        printf("split crypto-init %.2f\n", init * 1e3);
        return split(argv + 2, argc >= 7 ? atoi(argv[6]) : 20);
    }
    fprintf(stderr, "usage: ceiling rates [MIB]\n"
                    "       ceiling split SENDER.key RECIPIENT.pub RECIPIENT.key SENDER.pub "
                    "[ROUNDS]\n"
                    "       ceiling time COMMAND\n");
    return 2;
}
