/* NATS JetStream over libnats; see jetstream.h. The only file that includes
 * nats.h: every libnats type and status stops here. Signatures are those of
 * libnats 3.4 (Debian 12's libnats-dev, /usr/include/nats/nats.h). */
#include "transport/jetstream.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)

/* Our headers, next to JetStream's own Nats-Msg-Id. */
#define HDR_MSG_ID "Nats-Msg-Id"
#define HDR_SENDER "Seal-Sender"
#define HDR_CREATED "Seal-Created"
#define HDR_SIZE "Seal-Size"

struct js_conn {
    natsOptions *opts;
    natsConnection *nc;
    jsCtx *js;
    js_log_fn log;
    void *log_ctx;
    int reconnect_wait_ms, reconnect_max_ms;
    int64_t timeout_ms;
    char *urls[JS_MAX_URLS];
    int nurls;
    /* libnats calls the closed callback last, from its own thread; js_close
     * waits for it before freeing what the callbacks use. */
    pthread_mutex_t lock;
    pthread_cond_t closed_cond;
    bool closed, closing;
};

/* ---- errors ---- */

/* Maps a libnats status to our codes, with a detail naming WHAT failed and
 * libnats' own last error text (it carries the server's JetStream reason). */
static gpg_err_code_t nats_fail(natsStatus s, jsErrCode jerr, const char *what)
{
    natsStatus last = NATS_OK;
    const char *text = nats_GetLastError(&last);
    if (!text || !*text)
        text = natsStatus_GetText(s);
    gpg_err_code_t code;
    switch (s) {
    case NATS_TIMEOUT:
        code = GPG_ERR_TIMEOUT;
        break;
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_SERVER:
    case NATS_STALE_CONNECTION:
    case NATS_NOT_YET_CONNECTED:
    case NATS_NO_RESPONDERS:
        code = GPG_ERR_ENOTCONN;
        break;
    case NATS_MAX_PAYLOAD:
        code = GPG_ERR_TOO_LARGE;
        break;
    default:
        code = GPG_ERR_GENERAL;
        break;
    }
    if (jerr)
        return seal_fail(code, "NATS: %s: %s (JetStream error %d)", what, text, (int)jerr);
    return seal_fail(code, "NATS: %s: %s", what, text);
}

/* A stream or consumer name: JetStream forbids ".", "*", ">" and spaces. */
static gpg_err_code_t check_name(const char *what, const char *name)
{
    if (!name || !*name || strlen(name) > 255 || strpbrk(name, ".*> \t\r\n"))
        return seal_fail(GPG_ERR_INV_VALUE,
                         "NATS: %s '%s' must be 1-255 characters without '.', '*', '>' or "
                         "spaces",
                         what, name ? name : "");
    return 0;
}

/* ---- connection ---- */

static void log_event(struct js_conn *c, enum js_event ev, const char *text)
{
    if (c->log)
        c->log(c->log_ctx, ev, text);
}

static void on_disconnected(natsConnection *nc, void *closure)
{
    struct js_conn *c = closure;
    (void)nc;
    pthread_mutex_lock(&c->lock);
    bool closing = c->closing;
    pthread_mutex_unlock(&c->lock);
    if (!closing) /* js_close() disconnects too: no news */
        log_event(c, JS_EVENT_DISCONNECTED, "lost the NATS server; reconnecting");
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    char url[256] = "?", text[300];
    natsConnection_GetConnectedUrl(nc, url, sizeof url);
    snprintf(text, sizeof text, "reconnected to NATS server %s", url);
    log_event(closure, JS_EVENT_RECONNECTED, text);
}

static void on_closed(natsConnection *nc, void *closure)
{
    (void)nc;
    struct js_conn *c = closure;
    pthread_mutex_lock(&c->lock);
    bool closing = c->closing;
    pthread_mutex_unlock(&c->lock);
    if (!closing)
        log_event(c, JS_EVENT_CLOSED, "NATS connection closed for good");
    pthread_mutex_lock(&c->lock);
    c->closed = true;
    pthread_cond_broadcast(&c->closed_cond);
    pthread_mutex_unlock(&c->lock);
}

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err, void *closure)
{
    (void)nc;
    (void)sub;
    char text[300];
    snprintf(text, sizeof text, "NATS: %s", natsStatus_GetText(err));
    log_event(closure, JS_EVENT_ERROR, text);
}

/* Called after every server of the list failed once more: exponential
 * backoff with jitter (see js_config). */
static int64_t reconnect_delay(natsConnection *nc, int attempts, void *closure)
{
    (void)nc;
    const struct js_conn *c = closure;
    int64_t d = c->reconnect_wait_ms;
    for (int i = 1; i < attempts && d < c->reconnect_max_ms; i++)
        d *= 2;
    if (d > c->reconnect_max_ms)
        d = c->reconnect_max_ms;
    return d + (d / 4 ? rand() % (d / 4) : 0); /* only libnats' reconnect thread calls it */
}

/* Splits the comma-separated URL list into C->urls. */
static gpg_err_code_t split_urls(struct js_conn *c, const char *list)
{
    if (!list || !*list)
        return seal_fail(GPG_ERR_INV_VALUE, "NATS: no server URL given");
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n <= strlen("nats://") || strncmp(p, "nats://", 7) != 0)
            return seal_fail(GPG_ERR_INV_VALUE, "NATS: '%.*s' is not a nats://HOST:PORT URL",
                             (int)(n > 80 ? 80 : n), p);
        if (c->nurls == JS_MAX_URLS)
            return seal_fail(GPG_ERR_INV_VALUE, "NATS: more than %d server URLs", JS_MAX_URLS);
        c->urls[c->nurls] = strndup(p, n);
        if (!c->urls[c->nurls])
            return seal_errno_code();
        c->nurls++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static int or_default(int v, int dflt)
{
    return v > 0 ? v : dflt;
}

gpg_err_code_t js_connect(const struct js_config *cfg, struct js_conn **out)
{
    *out = NULL;
    struct js_conn *c = calloc(1, sizeof *c);
    if (!c)
        return seal_errno_code();
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->closed_cond, NULL);
    c->log = cfg->log;
    c->log_ctx = cfg->log_ctx;
    c->reconnect_wait_ms = or_default(cfg->reconnect_wait_ms, 100);
    c->reconnect_max_ms = or_default(cfg->reconnect_max_ms, 5000);
    if (c->reconnect_max_ms < c->reconnect_wait_ms)
        c->reconnect_max_ms = c->reconnect_wait_ms;
    c->timeout_ms = or_default(cfg->request_timeout_ms, 5000);
    gpg_err_code_t err = split_urls(c, cfg->urls);
    if (err)
        goto out;
    natsStatus s = natsOptions_Create(&c->opts);
    if (s == NATS_OK)
        s = natsOptions_SetServers(c->opts, (const char **)c->urls, c->nurls);
    if (s == NATS_OK)
        s = natsOptions_SetName(c->opts, "seal");
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(c->opts, or_default(cfg->connect_timeout_ms, 2000));
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(c->opts, -1); /* never give up while open */
    if (s == NATS_OK)
        s = natsOptions_SetCustomReconnectDelay(c->opts, reconnect_delay, c);
    /* A server that vanished without a FIN (host down) is noticed within
     * about 2 pings rather than TCP's minutes. */
    if (s == NATS_OK)
        s = natsOptions_SetPingInterval(c->opts, 5000);
    if (s == NATS_OK)
        s = natsOptions_SetMaxPingsOut(c->opts, 2);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(c->opts, on_disconnected, c);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(c->opts, on_reconnected, c);
    if (s == NATS_OK)
        s = natsOptions_SetClosedCB(c->opts, on_closed, c);
    if (s == NATS_OK)
        s = natsOptions_SetErrorHandler(c->opts, on_error, c);
    if (s != NATS_OK) {
        err = nats_fail(s, 0, "setting connection options");
        goto out;
    }
    s = natsConnection_Connect(&c->nc, c->opts);
    if (s != NATS_OK) {
        err = nats_fail(s, 0, "cannot connect to any server of the list");
        goto out;
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = c->timeout_ms;
    s = natsConnection_JetStream(&c->js, c->nc, &jo);
    if (s != NATS_OK) {
        err = nats_fail(s, 0, "JetStream context");
        goto out;
    }
    *out = c; /* ownership moves to the caller */
    c = NULL;
out:
    js_close(c);
    return err;
}

void js_close(struct js_conn *c)
{
    if (!c)
        return;
    if (c->js)
        jsCtx_Destroy(c->js);
    if (c->nc) {
        pthread_mutex_lock(&c->lock);
        c->closing = true;
        pthread_mutex_unlock(&c->lock);
        natsConnection_Close(c->nc);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        pthread_mutex_lock(&c->lock);
        while (!c->closed && pthread_cond_timedwait(&c->closed_cond, &c->lock, &until) == 0)
            ;
        pthread_mutex_unlock(&c->lock);
        natsConnection_Destroy(c->nc);
    }
    if (c->opts)
        natsOptions_Destroy(c->opts);
    pthread_cond_destroy(&c->closed_cond);
    pthread_mutex_destroy(&c->lock);
    for (int i = 0; i < c->nurls; i++)
        free(c->urls[i]);
    free(c);
}

bool js_connected(struct js_conn *c)
{
    return natsConnection_Status(c->nc) == NATS_CONN_STATUS_CONNECTED;
}

int64_t js_max_payload(struct js_conn *c)
{
    return natsConnection_GetMaxPayload(c->nc);
}

void js_shutdown(void)
{
    nats_CloseAndWait(2000);
}

/* ---- the stream ---- */

/* NATS subject matching: tokens split by '.', "*" matches one token, ">"
 * the rest (at least one). True if PATTERN captures SUBJECT. */
static bool subject_matches(const char *pattern, const char *subject)
{
    for (;;) {
        const char *pe = strchr(pattern, '.'), *se = strchr(subject, '.');
        size_t pn = pe ? (size_t)(pe - pattern) : strlen(pattern);
        size_t sn = se ? (size_t)(se - subject) : strlen(subject);
        if (pn == 1 && pattern[0] == '>' && !pe)
            return sn > 0;
        if (!(pn == 1 && pattern[0] == '*') && (pn != sn || memcmp(pattern, subject, pn) != 0))
            return false;
        if (!pe || !se)
            return !pe && !se;
        pattern = pe + 1;
        subject = se + 1;
    }
}

static gpg_err_code_t check_stream(const jsStreamInfo *si, const char *name, const char *subject,
                                   int64_t dup_window_s)
{
    const jsStreamConfig *sc = si->Config;
    if (sc->Storage != js_FileStorage)
        return seal_fail(GPG_ERR_CONFLICT,
                         "NATS stream %s keeps messages in memory: an OK would not survive a "
                         "server restart; recreate it with file storage",
                         name);
    int64_t have = sc->Duplicates / NS_PER_S;
    if (have < dup_window_s)
        return seal_fail(GPG_ERR_CONFLICT,
                         "NATS stream %s has a duplicate window of %" PRId64
                         " s, shorter than the replay window (%" PRId64
                         " s): re-sent envelopes could be stored twice; raise it (nats "
                         "stream edit %s --dupe-window %" PRId64 "s) or shorten --max-age",
                         name, have, dup_window_s, name, dup_window_s);
    for (int i = 0; i < sc->SubjectsLen; i++)
        if (subject_matches(sc->Subjects[i], subject))
            return 0;
    return seal_fail(GPG_ERR_CONFLICT, "NATS stream %s does not capture subject %s", name, subject);
}

static gpg_err_code_t get_stream(struct js_conn *c, const char *name, jsStreamInfo **si,
                                 bool *missing)
{
    jsErrCode jerr = 0;
    *missing = false;
    natsStatus s = js_GetStreamInfo(si, c->js, name, NULL, &jerr);
    if (s == NATS_OK)
        return 0;
    if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
        *missing = true;
        return 0;
    }
    return nats_fail(s, jerr, "looking up the stream");
}

gpg_err_code_t js_stream_ensure(struct js_conn *c, const char *name, const char *subject,
                                int64_t dup_window_s, bool *created)
{
    if (created)
        *created = false;
    gpg_err_code_t err = check_name("stream name", name);
    if (err)
        return err;
    if (!subject || !*subject || strpbrk(subject, " \t\r\n"))
        return seal_fail(GPG_ERR_INV_VALUE, "NATS: bad subject '%s'", subject ? subject : "");
    if (dup_window_s <= 0 || dup_window_s > INT64_MAX / NS_PER_S)
        return seal_fail(GPG_ERR_INV_VALUE, "NATS: duplicate window of %" PRId64 " s",
                         dup_window_s);
    jsStreamInfo *si = NULL;
    bool missing;
    err = get_stream(c, name, &si, &missing);
    if (err == 0 && missing) {
        jsStreamConfig sc;
        jsStreamConfig_Init(&sc);
        const char *subjects[1] = {subject};
        sc.Name = name;
        sc.Subjects = subjects;
        sc.SubjectsLen = 1;
        sc.Storage = js_FileStorage;
        /* A drained message leaves the stream; dedup still remembers its
         * ID for the whole window. */
        sc.Retention = js_WorkQueuePolicy;
        sc.Duplicates = dup_window_s * NS_PER_S;
        jsErrCode jerr = 0;
        natsStatus s = js_AddStream(&si, c->js, &sc, NULL, &jerr);
        if (s == NATS_OK && created)
            *created = true;
        else if (s != NATS_OK && jerr == JSStreamNameExistErr)
            err = get_stream(c, name, &si, &missing); /* another listener was first */
        else if (s != NATS_OK)
            err = nats_fail(s, jerr, "creating the stream");
    }
    if (err == 0 && si)
        err = check_stream(si, name, subject, dup_window_s);
    else if (err == 0)
        err = seal_fail(GPG_ERR_GENERAL, "NATS stream %s vanished while being created", name);
    jsStreamInfo_Destroy(si);
    return err;
}

gpg_err_code_t js_stream_info(struct js_conn *c, const char *name, struct js_stream_facts *out)
{
    jsStreamInfo *si = NULL;
    bool missing;
    gpg_err_code_t err = get_stream(c, name, &si, &missing);
    if (err == 0 && missing)
        err = seal_fail(GPG_ERR_NOT_FOUND, "NATS stream %s does not exist", name);
    if (err == 0) {
        out->dup_window_s = si->Config->Duplicates / NS_PER_S;
        out->messages = si->State.Msgs;
        /* A stream created without a replica count reports 0: one. */
        out->replicas = si->Config->Replicas > 0 ? si->Config->Replicas : 1;
    }
    jsStreamInfo_Destroy(si);
    return err;
}

gpg_err_code_t js_stream_names(struct js_conn *c, char *out, size_t size)
{
    jsStreamNamesList *list = NULL;
    jsErrCode jerr = 0;
    size_t used = 0;
    if (size == 0)
        return seal_fail(GPG_ERR_INV_VALUE, "no room for the stream names");
    out[0] = '\0';
    natsStatus s = js_StreamNames(&list, c->js, NULL, &jerr);
    if (s == NATS_NOT_FOUND)
        return 0; /* no stream at all */
    if (s != NATS_OK)
        return nats_fail(s, jerr, "listing the streams");
    for (int i = 0; list && i < list->Count; i++) {
        int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "", list->List[i]);
        if (n < 0 || (size_t)n >= size - used) {
            if (size > 4)
                snprintf(out + size - 4, 4, "...");
            break;
        }
        used += (size_t)n;
    }
    jsStreamNamesList_Destroy(list);
    return 0;
}

/* ---- publishing ---- */

/* The bytes a header line "K: V\r\n" takes on the wire. */
static size_t header_line(const char *k, const char *v)
{
    return strlen(k) + 2 + strlen(v) + 2;
}

gpg_err_code_t js_publish(struct js_conn *c, const char *stream, const char *subject,
                          const char *msg_id, const struct js_meta *meta, const void *data,
                          size_t len, struct js_puback *ack)
{
    memset(ack, 0, sizeof *ack);
    if (!msg_id || !*msg_id || strpbrk(msg_id, " \t\r\n:"))
        return seal_fail(GPG_ERR_INV_VALUE, "NATS: bad message ID");
    char created[24], size[24];
    snprintf(created, sizeof created, "%" PRId64, meta->created);
    snprintf(size, sizeof size, "%" PRIu64, meta->size);
    const char *sender = meta->sender ? meta->sender : "";
    /* "NATS/1.0\r\n", our lines, the two the library adds, "\r\n". */
    size_t hdr = 10 + header_line(HDR_SENDER, sender) + header_line(HDR_CREATED, created) +
                 header_line(HDR_SIZE, size) + header_line(HDR_MSG_ID, msg_id) +
                 header_line("Nats-Expected-Stream", stream) + 2;
    int64_t max = js_max_payload(c);
    if (len > (size_t)INT_MAX || (int64_t)(len + hdr) > max)
        return seal_fail(GPG_ERR_TOO_LARGE,
                         "message of %zu bytes (%zu with headers) exceeds the NATS server's "
                         "max_payload of %" PRId64 " bytes (raise max_payload in "
                         "nats-server.conf, at most 64 MiB)",
                         len, len + hdr, max);
    if (!js_connected(c))
        return seal_fail(GPG_ERR_ENOTCONN, "NATS: not connected (reconnecting)");
    natsMsg *m = NULL;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    gpg_err_code_t err = 0;
    natsStatus s = natsMsg_Create(&m, subject, NULL, (const char *)data, (int)len);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, HDR_SENDER, sender);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, HDR_CREATED, created);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(m, HDR_SIZE, size);
    if (s != NATS_OK) {
        err = nats_fail(s, 0, "building the message");
        goto out;
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id;
    po.ExpectStream = stream; /* the stream itself refuses a message meant for another */
    po.MaxWait = c->timeout_ms;
    s = js_PublishMsg(&pa, c->js, m, &po, &jerr);
    if (s != NATS_OK) {
        err = nats_fail(s, jerr, "publishing");
        goto out;
    }
    if (!pa || !pa->Stream || strcmp(pa->Stream, stream) != 0) {
        err = seal_fail(GPG_ERR_GENERAL, "NATS: acknowledgment from stream %s, not %s",
                        pa && pa->Stream ? pa->Stream : "?", stream);
        goto out;
    }
    ack->sequence = pa->Sequence;
    ack->duplicate = pa->Duplicate;
out:
    jsPubAck_Destroy(pa);
    natsMsg_Destroy(m);
    return err;
}

/* ---- draining ---- */

/* A decimal header, 0 if missing or malformed (strict: digits only, an
 * optional '-' for the time). */
static int64_t header_number(natsMsg *m, const char *key)
{
    const char *v = NULL;
    if (natsMsgHeader_Get(m, key, &v) != NATS_OK || !v || !*v)
        return 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *end ? 0 : (int64_t)n;
}

static const char *header_text(natsMsg *m, const char *key)
{
    const char *v = NULL;
    return natsMsgHeader_Get(m, key, &v) == NATS_OK && v ? v : "";
}

/* The durable pull consumer, created if missing, checked if present. */
static gpg_err_code_t ensure_consumer(struct js_conn *c, const struct js_drain_config *cfg)
{
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    gpg_err_code_t err = 0;
    natsStatus s = js_GetConsumerInfo(&ci, c->js, cfg->stream, cfg->durable, NULL, &jerr);
    if (s == NATS_OK) {
        if (ci->Config->AckPolicy != js_AckExplicit || ci->Config->DeliverSubject)
            err = seal_fail(GPG_ERR_CONFLICT,
                            "NATS consumer %s on stream %s is not a pull consumer with explicit "
                            "acks: a drain through it could lose messages; use another --durable "
                            "name",
                            cfg->durable, cfg->stream);
    } else if (s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr) {
        jsConsumerConfig cc;
        jsConsumerConfig_Init(&cc);
        cc.Durable = cfg->durable;
        cc.AckPolicy = js_AckExplicit;
        cc.DeliverPolicy = js_DeliverAll;
        cc.AckWait = (cfg->ack_wait_ms > 0 ? cfg->ack_wait_ms : 30000) * NS_PER_MS;
        jerr = 0;
        s = js_AddConsumer(NULL, c->js, cfg->stream, &cc, NULL, &jerr);
        if (s != NATS_OK)
            err = nats_fail(s, jerr, "creating the consumer");
    } else {
        err = nats_fail(s, jerr, "looking up the consumer");
    }
    jsConsumerInfo_Destroy(ci);
    return err;
}

/* Hands messages FROM..COUNT of LIST back for redelivery. */
static void nak_rest(natsMsgList *list, int from)
{
    for (int i = from; i < list->Count; i++)
        natsMsg_Nak(list->Msgs[i], NULL);
}

/* Delivers, then acknowledges, each message of LIST. */
static gpg_err_code_t deliver_batch(natsMsgList *list, js_deliver_fn deliver, void *ctx,
                                    size_t *count)
{
    for (int i = 0; i < list->Count; i++) {
        natsMsg *m = list->Msgs[i];
        struct js_message jm = {
            .msg_id = header_text(m, HDR_MSG_ID),
            .meta = {.sender = header_text(m, HDR_SENDER),
                     .created = header_number(m, HDR_CREATED),
                     .size = (uint64_t)header_number(m, HDR_SIZE)},
            .data = (const uint8_t *)natsMsg_GetData(m),
            .len = (size_t)natsMsg_GetDataLength(m),
        };
        jsMsgMetaData *md = NULL;
        if (natsMsg_GetMetaData(&md, m) == NATS_OK) {
            jm.stream_seq = md->Sequence.Stream;
            jm.deliveries = md->NumDelivered;
        }
        jsMsgMetaData_Destroy(md);
        gpg_err_code_t err = deliver(ctx, &jm);
        if (err == GPG_ERR_UNEXPECTED_MSG) {
            /* Not ours to store, not ours to delete: out of the way. */
            natsStatus s = natsMsg_NakWithDelay(m, JS_SKIP_DELAY_MS, NULL);
            if (s != NATS_OK) {
                nak_rest(list, i + 1);
                return nats_fail(s, 0, "handing back a message not from seal");
            }
            continue;
        }
        if (err) {
            nak_rest(list, i);
            return err;
        }
        /* Acknowledge only now that the message is stored, and wait for the
         * server to confirm it: until then it will come again. */
        jsErrCode jerr = 0;
        natsStatus s = natsMsg_AckSync(m, NULL, &jerr);
        if (s != NATS_OK) {
            nak_rest(list, i + 1);
            return nats_fail(s, jerr, "acknowledging a drained message");
        }
        (*count)++;
    }
    return 0;
}

gpg_err_code_t js_drain(struct js_conn *c, const struct js_drain_config *cfg, js_deliver_fn deliver,
                        void *ctx, size_t *count)
{
    size_t dummy;
    if (!count)
        count = &dummy;
    *count = 0;
    gpg_err_code_t err = check_name("stream name", cfg->stream);
    if (err == 0)
        err = check_name("consumer name", cfg->durable);
    if (err == 0) {
        /* Said plainly, not as whatever the consumer lookup makes of it. */
        jsStreamInfo *si = NULL;
        bool missing;
        err = get_stream(c, cfg->stream, &si, &missing);
        jsStreamInfo_Destroy(si);
        if (err == 0 && missing)
            err = seal_fail(GPG_ERR_NOT_FOUND, "NATS stream %s does not exist", cfg->stream);
    }
    if (err == 0)
        err = ensure_consumer(c, cfg);
    if (err)
        return err;
    natsSubscription *sub = NULL;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = cfg->stream;
    so.Consumer = cfg->durable; /* bind: never create or delete it here */
    jsErrCode jerr = 0;
    natsStatus s = js_PullSubscribe(&sub, c->js, NULL, cfg->durable, NULL, &so, &jerr);
    if (s != NATS_OK)
        return nats_fail(s, jerr, "subscribing to the consumer");
    while (err == 0 && !(cfg->stop && *cfg->stop)) {
        natsMsgList list = {0};
        jsFetchRequest req;
        jsFetchRequest_Init(&req);
        req.Batch = cfg->batch > 0 ? cfg->batch : 32;
        /* Following: long polls of a second, so that STOP is seen soon.
         * Draining: no wait, the server says at once when nothing is left. */
        req.Expires = NS_PER_S;
        req.NoWait = !cfg->follow;
        s = natsSubscription_FetchRequest(&list, sub, &req);
        if (s == NATS_OK) {
            err = deliver_batch(&list, deliver, ctx, count);
        } else if (s == NATS_TIMEOUT || s == NATS_NOT_FOUND) {
            if (!cfg->follow)
                break; /* nothing waiting */
        } else if (cfg->follow && (s == NATS_CONNECTION_DISCONNECTED || s == NATS_NO_RESPONDERS ||
                                   s == NATS_NOT_YET_CONNECTED)) {
            nats_Sleep(250); /* libnats reconnects meanwhile; the log hook says so */
        } else {
            err = nats_fail(s, 0, "fetching messages");
        }
        natsMsgList_Destroy(&list);
    }
    natsSubscription_Destroy(sub); /* not Unsubscribe: the durable stays */
    return err;
}
