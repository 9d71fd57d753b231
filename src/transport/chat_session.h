/*
 * The chat session engine (man/seal.5, TRANSPORT "Chat"): dials or waits for
 * the peer, exchanges the HELLO envelopes and derives the key chains
 * (transport/chat_frames.h), then runs the poll loop over the connection,
 * the caller's input and the stop signal until both goodbyes, a fault, a
 * drop or a stop. It never prints and never exits: what the user sees goes
 * through the caller's struct chat_ui, and how the session ended comes back
 * as a struct chat_result (the CLI picks the exit status).
 */
#ifndef SEAL_TRANSPORT_CHAT_SESSION_H
#define SEAL_TRANSPORT_CHAT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "keys/keyring.h"
#include "transport/chat_frames.h"
#include "transport/net.h"

/* The reason of the ERR line a listening chat sends a peer it does not
 * trust (seal(5)); the CLI recognises it in a chat_result's why. */
#define CHAT_REFUSE_STRANGER "not a chat peer"

/* How a session ended. */
enum chat_end {
    CHAT_END_NONE = 0, /* (running) */
    CHAT_END_DONE,     /* both goodbyes exchanged */
    CHAT_END_LOST,     /* unreachable, no HELLO or goodbye in time, dropped before the goodbye */
    CHAT_END_REFUSED,  /* the listener answered ERR */
    CHAT_END_BROKEN,   /* a frame broke the session (seal(5) C1..C7, chat version 1) */
    CHAT_END_STOPPED,  /* the stop descriptor fired (a goodbye was still sent) */
    CHAT_END_FAILED,   /* a HELLO envelope failed (untrusted, forged...) or a local
                        * failure (listening, memory): see err */
};

struct chat_result {
    enum chat_end end;
    gpg_err_code_t err;      /* CHAT_END_FAILED: the code */
    char addr[NET_PEER_MAX]; /* the peer's address, or the address given */
    char why[300];           /* one line saying what ended it (not for DONE, STOPPED) */
    bool maybe_unsent;       /* dropped: lines sent lately may not have arrived */
};

struct chat_session;

enum chat_note_kind { CHAT_NOTE_INFO, CHAT_NOTE_WARNING };

/* What the engine needs from the side that talks to the user. */
struct chat_ui {
    void *ctx;
    int input_fd; /* polled until chat_end_input; -1: none */
    /* INPUT_FD is readable: read it, then call chat_say per line and
     * chat_end_input at its end. */
    void (*on_input)(void *ctx, struct chat_session *s);
    /* A verified line of the peer PEER (raw bytes, no LF: escaping is the
     * caller's). TEXT is wiped after the call. */
    void (*on_text)(void *ctx, const char *peer, const uint8_t *text, size_t len);
    /* A one-line note: waiting, chatting, a goodbye, a refused stranger. */
    void (*on_note)(void *ctx, enum chat_note_kind kind, const char *text);
};

struct chat_config {
    const char *to;     /* dial HOST:PORT, or */
    const char *listen; /* wait on [ADDR:]PORT */
    const struct seal_key *me;
    struct trusted_senders *peers; /* with --to exactly one */
    int64_t wait_ms;               /* for the peer (and for its goodbye) */
    int64_t hello_ms;              /* for a connected dialer's HELLO */
    int64_t connect_ms;
    int stop_fd; /* readable once SIGINT or SIGTERM came */
};

/* Runs one chat and fills RES. Every secret of the session (ephemeral
 * keys, chains, received text) is wiped before it returns, on every path. */
void chat_run(const struct chat_config *cfg, const struct chat_ui *ui, struct chat_result *res);

/* From on_input: sends one line (LEN bytes, at most CHAT_TEXT_MAX, no LF).
 * On failure the session ends (CHAT_END_LOST) and the error is returned. */
gpg_err_code_t chat_say(struct chat_session *s, const uint8_t *text, size_t len);

/* From on_input: the input ended (end of input or a line "exit"): says
 * goodbye and stops reading the input; the session goes on until the
 * peer's goodbye. */
void chat_end_input(struct chat_session *s);

#endif
