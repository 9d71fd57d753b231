/* Progress counts what was read from the input, the measure the total (the
 * file's size) is in: for an armored envelope the last report is the whole
 * file (100 %), not the smaller binary envelope inside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../envelope/envelope_util.h"
#include "cli/cli.h"

struct seen {
    struct cli_input *in;
    uint64_t last_count, last_done;
    unsigned calls;
};

static void record(void *ctx, uint64_t done)
{
    struct seen *s = ctx;
    cli_progress_input(s->in, done); /* what the programs pass */
    s->last_count = s->in->count;
    s->last_done = done;
    s->calls++;
}

static void test_armored_reaches_total(void **state)
{
    (void)state;
    struct seal_key *alice = test_key("alice", true), *bob = test_key("bob", true);
    const struct seal_key *rcpt[1];
    struct trusted_senders senders;
    char dir[1024], path[] = "/tmp/seal-progress-XXXXXX";
    static uint8_t msg[200000];
    struct mem_source src;
    struct mem_sink env, out;
    struct seal_request sreq;
    struct unseal_request ureq;
    struct envelope_info info;
    struct stat st;

    assert_non_null(alice);
    assert_non_null(bob);
    testkit_path(dir, sizeof dir, "trusted");
    assert_int_equal(trusted_senders_load(dir, &senders), 0);
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7);
    rcpt[0] = bob;
    memset(&sreq, 0, sizeof sreq);
    sreq.recipients = rcpt;
    sreq.n_recipients = 1;
    sreq.sender = alice;
    sreq.armor = true;
    sreq.in = mem_source_init(&src, msg, sizeof msg);
    sreq.out = mem_sink_init(&env);
    assert_int_equal(envelope_seal(&sreq), 0);

    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(fd_write_all(fd, env.data, env.len), 0);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    assert_int_equal(fstat(fd, &st), 0);

    struct cli_input in = {fd, false, 0};
    struct seen seen = {&in, 0, 0, 0};
    memset(&ureq, 0, sizeof ureq);
    ureq.recipient = bob;
    ureq.senders = &senders;
    ureq.in = (struct byte_source){cli_input_read, &in};
    ureq.out = mem_sink_init(&out);
    ureq.progress = record;
    ureq.progress_ctx = &seen;
    assert_int_equal(envelope_unseal(&ureq, &info), 0);
    assert_true(info.armored);
    assert_true(seen.calls > 0);
    /* The last report covers the whole file... */
    assert_int_equal(seen.last_count, (uint64_t)st.st_size);
    /* ... which the library's own (binary) count does not. */
    assert_true(seen.last_done < (uint64_t)st.st_size);

    close(fd);
    mem_sink_free(&env);
    mem_sink_free(&out);
    trusted_senders_free(&senders);
    key_free(alice);
    key_free(bob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_armored_reaches_total),
    };
    if (seal_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
