/* The listener's client addresses; see sources.h. */
#include "transport/sources.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reason_name[] = {
    "header timeout",   "idle timeout",      "max time",           "below minimum rate",
    "per-source limit", "shed when full",    "full of deliveries", "too big",
    "bad PROXY header", "low on disk space", "cannot store",       "shutting down",
    "connection lost",
};
_Static_assert(sizeof reason_name / sizeof *reason_name == SR_COUNT, "a name for every reason");

const char *source_reason_name(enum source_reason r)
{
    return r < SR_COUNT ? reason_name[r] : "?";
}

static unsigned source_hash(const struct proxy_addr *a)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    size_t n = a->family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        h = (h ^ a->addr[i]) * 16777619u;
    return h % SOURCE_BUCKETS;
}

struct source *source_get(struct source_table *t, const struct proxy_addr *addr)
{
    struct proxy_addr key;
    memset(&key, 0, sizeof key);
    key.family = addr->family;
    memcpy(key.addr, addr->addr, addr->family == AF_INET ? 4 : 16);
    unsigned h = source_hash(&key);
    for (struct source *s = t->bucket[h]; s; s = s->next)
        if (s->addr.family == key.family && memcmp(s->addr.addr, key.addr, 16) == 0)
            return s;
    struct source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->addr = key;
    s->next = t->bucket[h];
    t->bucket[h] = s;
    return s;
}

void source_text(const struct source *s, char out[INET6_ADDRSTRLEN])
{
    if (!s || !inet_ntop(s->addr.family, s->addr.addr, out, INET6_ADDRSTRLEN))
        snprintf(out, INET6_ADDRSTRLEN, "?");
}

bool source_may_log(struct source *s, enum source_reason r, unsigned burst)
{
    if (s->logged >= burst) {
        s->quiet[r]++;
        return false;
    }
    s->logged++;
    return true;
}

void sources_minute(struct source_table *t, void (*log)(void *ctx, const char *line), void *ctx)
{
    for (unsigned b = 0; b < SOURCE_BUCKETS; b++) {
        struct source **pp = &t->bucket[b];
        while (*pp) {
            struct source *s = *pp;
            unsigned total = 0;
            for (int r = 0; r < SR_COUNT; r++)
                total += s->quiet[r];
            if (total && log) {
                char text[INET6_ADDRSTRLEN], line[400];
                size_t n;
                source_text(s, text);
                n = (size_t)snprintf(line, sizeof line,
                                     "shed %u more connections from %s in the last minute:", total,
                                     text);
                for (int r = 0; r < SR_COUNT && n < sizeof line; r++)
                    if (s->quiet[r])
                        n += (size_t)snprintf(line + n, sizeof line - n, "%s %s %u",
                                              line[n - 1] == ':' ? "" : ",", reason_name[r],
                                              s->quiet[r]);
                log(ctx, line);
            }
            memset(s->quiet, 0, sizeof s->quiet);
            s->logged = 0;
            if (s->conns == 0 && s->refs == 0) {
                *pp = s->next;
                free(s);
            } else {
                pp = &s->next;
            }
        }
    }
}

void sources_free(struct source_table *t)
{
    for (unsigned b = 0; b < SOURCE_BUCKETS; b++)
        while (t->bucket[b]) {
            struct source *s = t->bucket[b];
            t->bucket[b] = s->next;
            free(s);
        }
}
