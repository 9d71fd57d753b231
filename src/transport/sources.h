/*
 * The listener's client addresses (listener.h): how many connections each
 * has open now, for --max-per-source, and how many of its refusals were
 * logged this minute, so that a flood from one address is a few log lines
 * and a summary, not a line a connection (Postfix's anvil, in miniature).
 * Used by the listener's loop thread only: no locks.
 */
#ifndef SEAL_TRANSPORT_SOURCES_H
#define SEAL_TRANSPORT_SOURCES_H

#include <netinet/in.h>
#include <stdbool.h>

#include "transport/proxy.h"

/* Why a connection was refused or shed: the log's words and the summary's
 * counters. */
enum source_reason {
    SR_HEADER,
    SR_IDLE,
    SR_MAX_TIME,
    SR_SLOW,
    SR_PER_SOURCE,
    SR_SHED,
    SR_FULL,
    SR_TOO_BIG,
    SR_PROXY,
    SR_SPACE,
    SR_STORE,
    SR_SHUTDOWN,
    SR_RESET,
    SR_COUNT
};

const char *source_reason_name(enum source_reason r);

struct source {
    struct source *next; /* in its bucket */
    struct proxy_addr addr;
    unsigned conns;  /* open now, counted against max_per_source (the caller's) */
    unsigned refs;   /* connections that point at it, counted or not (the caller's) */
    unsigned logged; /* refusal lines logged this minute */
    unsigned quiet[SR_COUNT];
};

#define SOURCE_BUCKETS 4096
struct source_table {
    struct source *bucket[SOURCE_BUCKETS];
};

/* The entry for ADDR (its port ignored; an IPv6 address counts alone), made
 * if missing; NULL when out of memory (the caller then does not limit the
 * connection per address). */
struct source *source_get(struct source_table *t, const struct proxy_addr *addr);

/* S's address as text, without a port ("?" for NULL). */
void source_text(const struct source *s, char out[INET6_ADDRSTRLEN]);

/* True if a refusal for reason R from S may be logged now (S had fewer than
 * BURST lines this minute, and now has one more); else it is counted for
 * the minute's summary. */
bool source_may_log(struct source *s, enum source_reason r, unsigned burst);

/* Once a minute (and at the stop): one line through LOG for each address
 * with refusals not logged ("shed N more connections from ADDR in the last
 * minute: header timeout 200, per-source limit 12"), the counts reset, and
 * the entries no connection counts or points at (conns and refs 0)
 * forgotten. */
void sources_minute(struct source_table *t, void (*log)(void *ctx, const char *line), void *ctx);

void sources_free(struct source_table *t);

#endif
