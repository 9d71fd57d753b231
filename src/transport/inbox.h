/*
 * The inbox: a Maildir (tmp/, new/, cur/) with exactly-once delivery
 * (unseal(1), "INBOX" and "EXACTLY ONCE"). A message is written to tmp/,
 * fsynced, committed by an exclusive marker in seen/ named by (sender
 * fingerprint, envelope ID), then renamed into new/, and new/ is fsynced;
 * only then may the caller acknowledge it. The marker, not the message,
 * remembers the delivery, so a reader moving or deleting the message does
 * not make a re-sent envelope new again. Markers older than the replay
 * window are pruned.
 *
 * Several threads and several processes may deliver into one inbox at once;
 * every step is atomic on the inbox's file system (symlink(2) fails if the
 * marker exists, rename(2) moves a file once), and a process killed at any
 * instant leaves a state that the next inbox_open() (or a later delivery of
 * the same envelope) completes.
 */
#ifndef SEAL_TRANSPORT_INBOX_H
#define SEAL_TRANSPORT_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "envelope/envelope.h"
#include "keys/keys.h"

#define INBOX_NAME_MAX 255

struct inbox;

/* What inbox_open() found and did. */
struct inbox_report {
    bool exclusive;       /* no other process had the inbox open: tmp/ was cleaned */
    unsigned completed;   /* committed deliveries moved into new/ */
    unsigned tmp_removed; /* leftovers removed from tmp/ */
    unsigned pruned;      /* markers older than the replay window removed */
};

/* Opens (creating with mode 0700 what is missing) the Maildir at PATH and
 * its seen/ directory, and runs the recovery pass: completes committed
 * deliveries, prunes markers whose envelope was created more than WINDOW
 * seconds ago, and, if no other process has the inbox open, removes
 * everything left in tmp/. The inbox stays locked (shared) until
 * inbox_close(). */
gpg_err_code_t inbox_open(const char *path, uint64_t window, struct inbox **ib,
                          struct inbox_report *rep);
void inbox_close(struct inbox *ib);

/* The recovery pass without the tmp/ cleanup (safe at any time, with other
 * deliveries running): completes committed deliveries and prunes old
 * markers. */
gpg_err_code_t inbox_maintain(struct inbox *ib, struct inbox_report *rep);

/* False when the inbox's file system has fewer than MIN_FREE bytes
 * available to us (or cannot say). */
bool inbox_has_space(struct inbox *ib, uint64_t min_free);

/* A file in tmp/, open for reading and writing (mode 0600). */
struct inbox_file {
    int fd;
    char name[INBOX_NAME_MAX + 1]; /* in tmp/ */
};

/* Creates a new uniquely named file in tmp/ (SUFFIX appended to its name). */
gpg_err_code_t inbox_tmp_create(struct inbox *ib, const char *suffix, struct inbox_file *f);

/* Closes and removes F (no-op if it is not open). */
void inbox_tmp_discard(struct inbox *ib, struct inbox_file *f);

/* What is being delivered. */
struct inbox_delivery {
    const uint8_t *sender_fpr;  /* SEAL_FPR_LEN */
    const char *sender_id;      /* the sender's name (key file basename) */
    const uint8_t *envelope_id; /* SEAL_ENVELOPE_ID_LEN */
    uint64_t created;           /* the envelope's signed creation time */
};

/* Delivers F (complete, written through its fd) exactly once: 0 once it is
 * durably in new/ (or was delivered before: *DUPLICATE, and F is
 * discarded). F is closed either way; on error nothing of F reaches new/
 * and no marker names it. NAME receives the file's name in new/. */
gpg_err_code_t inbox_deliver(struct inbox *ib, struct inbox_file *f, const struct inbox_delivery *d,
                             bool *duplicate, char name[INBOX_NAME_MAX + 1]);

/* Test-only fault points (used by the kill -9 and fsync tests): if the
 * environment variable SEAL_TEST_KILL_AT is STEP (or STEP:N, the N-th time
 * any thread gets there) the process kills itself with SIGKILL; if
 * SEAL_TEST_FAIL_AT is STEP, the step fails with EIO. Steps: received,
 * fsync-data, fsync-tmp, marker, fsync-seen, rename, fsync-new, ack,
 * fetch-ack, drain-ack. Returns 0 or GPG_ERR_EIO.
 *
 * Only objects compiled with SEAL_FAULT_POINTS have them (tests/faults.am:
 * a second copy of the library, linked into tests/bin/unseal-faults and the
 * inbox unit test, never installed). Everywhere else this is a constant 0
 * the compiler removes, so that no environment variable can make an
 * installed program kill itself or fake an I/O error
 * (tests/no_test_symbols.sh checks the installed programs). */
#ifdef SEAL_FAULT_POINTS
gpg_err_code_t inbox_test_point(const char *step);
#else
static inline gpg_err_code_t inbox_test_point(const char *step)
{
    (void)step;
    return 0;
}
#endif

#endif
