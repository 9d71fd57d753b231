/*
 * NATS JetStream as the shared store of a fleet of listeners, over
 * libnats, the official C client. This is the only file pair that knows NATS:
 * jetstream.c is the only file that includes nats.h, and this header exposes
 * none of its types. Built only with configure --with-nats (HAVE_NATS).
 *
 * Why JetStream: it is a persistent, replicated log with message-ID
 * deduplication. A message published with header Nats-Msg-Id = K is stored
 * once per stream however often it is published again within the stream's
 * duplicate window; the publisher gets a PubAck (with a "duplicate" flag)
 * only once the stream stored it (R replicas: once a quorum did). So a
 * listener that answers OK only after the PubAck, with K = the envelope's
 * exactly-once key, keeps both promises across every host: OK means stored
 * as durably as the server stores (nats-server 2.9: written to the OS before
 * the PubAck, fsynced every two minutes; 2.10 with sync_interval: always:
 * fsynced; unseal(1), FLEET), and a re-sent envelope is stored once, as long
 * as the duplicate window covers the replay window (js_stream_ensure()
 * checks it).
 *
 * Threads: a js_conn may be shared by threads for js_publish(); libnats
 * serialises on the connection. The log hook is called from libnats' own
 * threads, so it must be thread-safe and quick.
 *
 * Errors (gpg_err_code_t plus seal_fail detail, never printed here):
 *   GPG_ERR_ENOTCONN   not connected to any server (lost, reconnecting):
 *                      temporary, the caller answers ERR temp
 *   GPG_ERR_TIMEOUT    no answer (PubAck, API reply) in time: temporary; the
 *                      message may or may not be stored, so only a re-send
 *                      with the same ID can tell, and dedup makes that safe
 *   GPG_ERR_TOO_LARGE  the message exceeds the server's max_payload: permanent
 *   GPG_ERR_CONFLICT   an existing stream or consumer whose settings break a
 *                      promise (duplicate window too short, memory storage,
 *                      subject not covered, ack policy not explicit)
 *   GPG_ERR_INV_VALUE  a bad argument (URL list, name, subject)
 *   GPG_ERR_NOT_FOUND  the stream does not exist (js_stream_info, js_drain)
 *   GPG_ERR_GENERAL    any other libnats or JetStream failure (detail names it)
 */
#ifndef SEAL_TRANSPORT_JETSTREAM_H
#define SEAL_TRANSPORT_JETSTREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

enum js_event {
    JS_EVENT_DISCONNECTED, /* lost the server; libnats reconnects with backoff */
    JS_EVENT_RECONNECTED,  /* back, to the server named in the text */
    JS_EVENT_CLOSED,       /* closed for good, not by js_close(): no more reconnects */
    JS_EVENT_ERROR,        /* an asynchronous error libnats reported */
};

/* Called from libnats threads with a one-line text (no secrets). */
typedef void (*js_log_fn)(void *ctx, enum js_event event, const char *text);

struct js_config {
    /* "nats://HOST:PORT[,nats://HOST:PORT...]": every server of the cluster
     * (or a few; the servers announce the others). At most JS_MAX_URLS. */
    const char *urls;
    int connect_timeout_ms; /* per server and attempt; 0: 2000 */
    /* Reconnect backoff after every server of the list failed once: the
     * first wait, doubled per round up to the maximum, plus up to 25 %
     * random jitter so that a fleet does not reconnect in lockstep.
     * Reconnects never stop while the connection is open. 0: 100 / 5000. */
    int reconnect_wait_ms;
    int reconnect_max_ms;
    /* How long to wait for a PubAck or a JetStream API answer; 0: 5000. */
    int request_timeout_ms;
    js_log_fn log; /* may be NULL */
    void *log_ctx;
};
#define JS_MAX_URLS 16

struct js_conn;

/* Connects to the first reachable server of the list. The initial connect
 * is not retried (a listener should refuse to start, saying why, rather
 * than accept envelopes it cannot store); later losses are reconnected. */
gpg_err_code_t js_connect(const struct js_config *cfg, struct js_conn **out);

/* Closes and frees (NULL is fine). */
void js_close(struct js_conn *c);

/* True while connected (not reconnecting, not closed). */
bool js_connected(struct js_conn *c);

/* The server's max_payload (headers plus data), as announced when the
 * connection was (re)established. nats-server's default is 1 MiB; it is
 * raised with "max_payload: 8MB" in nats-server.conf (at most 64 MiB). */
int64_t js_max_payload(struct js_conn *c);

/*
 * Creates the stream NAME capturing SUBJECT (file storage, work-queue
 * retention so that a drained message leaves the stream, duplicate window
 * DUP_WINDOW_S seconds), or checks an existing one: it must be on file
 * storage, capture SUBJECT (wildcards "*" and ">" count) and keep a
 * duplicate window of at least DUP_WINDOW_S; otherwise GPG_ERR_CONFLICT
 * naming the setting and how to change it. An existing stream is never
 * changed. *CREATED (may be NULL) says which happened.
 */
gpg_err_code_t js_stream_ensure(struct js_conn *c, const char *name, const char *subject,
                                int64_t dup_window_s, bool *created);

/* What a stream is now: its duplicate window in seconds, its message count
 * and its number of replicas (1: one server's store holds each message). */
struct js_stream_facts {
    int64_t dup_window_s;
    uint64_t messages;
    int64_t replicas;
};
gpg_err_code_t js_stream_info(struct js_conn *c, const char *name, struct js_stream_facts *out);

/* The names of the server's streams, ", "-separated, into OUT (SIZE bytes,
 * cut with "..." if they do not fit); "" when there are none. */
gpg_err_code_t js_stream_names(struct js_conn *c, char *out, size_t size);

/* What a listener knows of a verified envelope; travels as headers. */
struct js_meta {
    const char *sender; /* the sender's ID (Seal-Sender) */
    int64_t created;    /* signed creation time, Unix seconds (Seal-Created) */
    uint64_t size;      /* plaintext or envelope size in bytes (Seal-Size) */
};

struct js_puback {
    uint64_t sequence; /* the stream sequence of the stored copy */
    bool duplicate;    /* MSG_ID was already stored: this publish stored nothing */
};

/*
 * Publishes DATA[0..LEN) to SUBJECT with Nats-Msg-Id = MSG_ID and META as
 * headers, and waits for the PubAck of STREAM (a reply from any other stream
 * is refused). Returns 0 only once the stream acknowledged the message
 * (stored now, or stored before: ACK->duplicate). Refuses before sending a
 * message whose headers and data exceed js_max_payload() (GPG_ERR_TOO_LARGE,
 * the detail names the limit), and fails fast with GPG_ERR_ENOTCONN while
 * disconnected. Never returns 0 without a PubAck.
 */
gpg_err_code_t js_publish(struct js_conn *c, const char *stream, const char *subject,
                          const char *msg_id, const struct js_meta *meta, const void *data,
                          size_t len, struct js_puback *ack);

/* A message handed to the drain callback; valid during the call only. */
struct js_message {
    const char *msg_id;  /* Nats-Msg-Id, or "" if the publisher set none */
    struct js_meta meta; /* sender "" and zeros where a header is missing */
    const uint8_t *data;
    size_t len;
    uint64_t stream_seq;
    uint64_t deliveries; /* 1 the first time, more after a missed ack */
};

/* Stores one message durably (e.g. into the Maildir) and returns 0, or
 * GPG_ERR_UNEXPECTED_MSG for a message that is not its to store (not
 * published by a seal listener): js_drain() leaves it in the stream and goes
 * on; any other code stops the drain. It must be idempotent per msg_id: see
 * js_drain. */
typedef gpg_err_code_t (*js_deliver_fn)(void *ctx, const struct js_message *m);

/* How long a message DELIVER did not take (GPG_ERR_UNEXPECTED_MSG) stays
 * out of the drain's way before the stream hands it out again. */
#define JS_SKIP_DELAY_MS (60 * 60 * 1000)

struct js_drain_config {
    const char *stream;
    const char *durable; /* the consumer's name; "." is not allowed */
    /* How long the server waits for an ack before it delivers a message
     * again (to this or another drain). It must exceed the time one
     * callback takes (a Maildir write with two fsyncs). 0: 30 s. */
    int64_t ack_wait_ms;
    int batch;                         /* messages per fetch; 0: 32 */
    bool follow;                       /* keep waiting for new messages until *STOP */
    const volatile sig_atomic_t *stop; /* may be NULL without follow */
};

/*
 * Moves the messages waiting in the stream to DELIVER, through the durable
 * pull consumer CFG->durable (created with explicit acks if missing; an
 * existing one must have explicit acks). Each message is acknowledged (and
 * the server's confirmation awaited) only after DELIVER returned 0 for it,
 * so a crash between the two makes the server deliver it again after the
 * ack wait. The consumer therefore delivers AT LEAST once, and exactly-once
 * rests on the callback: it must recognise a message it already stored (the
 * inbox's exclusive markers keyed by msg_id) and return 0 without storing it
 * twice. A message the callback does not take (GPG_ERR_UNEXPECTED_MSG) is
 * neither acknowledged nor terminated, which on a work-queue stream would
 * delete it: it is handed back with a delay of JS_SKIP_DELAY_MS, so it stays
 * in the stream for its owner to look at (and remove) without holding up
 * the others or coming back at every fetch. Any other callback error stops
 * the drain; the messages not acknowledged are handed back (NAK) for the
 * next drain. A stream that does not exist is GPG_ERR_NOT_FOUND before
 * anything is created or fetched. Without FOLLOW, returns once no
 * message is waiting (one still awaiting its ack wait after a crash is
 * fetched by a later drain). *COUNT (may be NULL) is the number acknowledged.
 */
gpg_err_code_t js_drain(struct js_conn *c, const struct js_drain_config *cfg, js_deliver_fn deliver,
                        void *ctx, size_t *count);

/* Releases libnats' global state (threads, caches): call once at exit,
 * after every js_conn is closed, so that leak checkers see a clean exit. */
void js_shutdown(void);

#endif
