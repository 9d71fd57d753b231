/* seal --chat; see chat_terminal.h, seal(1) "CHAT" and man/seal.5 TRANSPORT. */
#include "cli/chat_terminal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/secmem.h"
#include "cli/cli.h"
#include "cli/keyfile.h"
#include "keys/keyring.h"
#include "transport/chat_session.h"

#define EXIT_INTERRUPTED 130

/* The line being typed. */
struct terminal {
    uint8_t *line; /* CHAT_TEXT_MAX bytes of secure memory */
    size_t line_len;
    bool overlong; /* dropping the rest of a line that was too long */
};

static void on_note(void *ctx, enum chat_note_kind kind, const char *text)
{
    (void)ctx;
    if (kind == CHAT_NOTE_WARNING)
        cli_warn("%s", text);
    else
        fprintf(stderr, "seal: %s\n", text);
}

static void on_text(void *ctx, const char *peer, const uint8_t *text, size_t len)
{
    /* A verified line is never dropped for want of memory: one buffer for
     * the longest line, used on the session's one thread. */
    static char esc[CHAT_ESCAPED_MAX(CHAT_TEXT_MAX)];
    (void)ctx;
    if (len > CHAT_TEXT_MAX)
        len = CHAT_TEXT_MAX; /* chat_frame_open() gives at most this */
    chat_escape(text, len, esc);
    printf("%s: %s\n", peer, esc);
    fflush(stdout);
    seal_wipe(esc, CHAT_ESCAPED_MAX(len));
}

/* One line typed (LEN bytes, without its LF): a line "exit" ends the
 * input; true while the session goes on. */
static bool typed(struct chat_session *s, const uint8_t *text, size_t len)
{
    if (len == 4 && memcmp(text, "exit", 4) == 0) {
        chat_end_input(s);
        return false;
    }
    return chat_say(s, text, len) == 0;
}

/* Reads what standard input has: whole lines are sent, a line longer than
 * CHAT_TEXT_MAX is refused (and not sent), the end of input says BYE. */
static void on_input(void *ctx, struct chat_session *s)
{
    struct terminal *t = ctx;
    uint8_t buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    bool going = true;

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        if (t->line_len && !t->overlong)
            going = typed(s, t->line, t->line_len); /* a last line without LF */
        seal_wipe(t->line, t->line_len);
        t->line_len = 0;
        if (going)
            chat_end_input(s);
        return;
    }
    for (ssize_t i = 0; i < n && going; i++) {
        if (buf[i] == '\n') {
            if (!t->overlong)
                going = typed(s, t->line, t->line_len);
            seal_wipe(t->line, t->line_len);
            t->overlong = false;
            t->line_len = 0;
        } else if (t->overlong) {
            continue;
        } else if (t->line_len == CHAT_TEXT_MAX) {
            cli_warn("a line longer than %d bytes was not sent", CHAT_TEXT_MAX);
            t->overlong = true;
            seal_wipe(t->line, t->line_len);
            t->line_len = 0;
        } else {
            t->line[t->line_len++] = buf[i];
        }
    }
    seal_wipe(buf, sizeof buf);
}

/* The exit status of RES, with its error printed. */
static int report(const struct chat_result *res)
{
    switch (res->end) {
    case CHAT_END_NONE:
    case CHAT_END_DONE:
        return EXIT_OK;
    case CHAT_END_STOPPED:
        return EXIT_INTERRUPTED;
    case CHAT_END_LOST:
        cli_errorf("%s: %s", res->addr, res->why);
        if (res->maybe_unsent)
            cli_hint("lines sent since the last answer may not have arrived");
        return EXIT_NO_ACK;
    case CHAT_END_REFUSED:
        cli_errorf("%s: %s", res->addr, res->why);
        if (strstr(res->why, CHAT_REFUSE_STRANGER))
            cli_hint("the peer does not trust this key, or runs a seal whose chat is version 1");
        return EXIT_REFUSED;
    case CHAT_END_BROKEN:
        cli_errorf("%s: %s", res->addr, res->why);
        return EXIT_SESSION;
    case CHAT_END_FAILED:
        cli_errorf("%s: %s", res->addr, res->why);
        return cli_exit_status(res->err);
    }
    return EXIT_INTERNAL;
}

int cli_chat(const struct seal_options *o)
{
    struct trusted_senders peers;
    struct cli_key me;
    struct cli_passphrase pp = {o->common.passphrase_file};
    struct terminal t = {0};
    struct chat_config cfg;
    struct chat_ui ui;
    struct chat_result res;
    gpg_err_code_t err;
    int stop_fd = -1;
    int status;

    memset(&peers, 0, sizeof peers);
    memset(&me, 0, sizeof me);
    if ((status = cli_catch_stop_signals(&stop_fd)) != EXIT_OK)
        return status;
    seal_clear_detail();
    if ((err = trusted_senders_load(o->recipients[0].path, &peers)) ||
        (err = trusted_senders_load_all(&peers))) {
        status = cli_error(o->recipients[0].path, err);
        goto out;
    }
    if (o->net.to && peers.n != 1) {
        cli_errorf("%s: --chat --to needs one peer key, not a directory of %zu",
                   o->recipients[0].path, peers.n);
        cli_hint("give -r PEER.pub; a directory is for --listen, to accept any one of them");
        status = EXIT_USAGE;
        goto out;
    }
    if ((status = cli_key_load(&me, o->sender, &pp)) != EXIT_OK)
        goto out;
    if (!(t.line = seal_secure_malloc(CHAT_TEXT_MAX))) {
        status = cli_error(NULL, seal_fail(GPG_ERR_ENOMEM, "out of secure memory"));
        goto out;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.to = o->net.to;
    cfg.listen = o->net.listen;
    cfg.me = me.key;
    cfg.peers = &peers;
    /* --wait given: it bounds the wait for the peer too (else 5 minutes). */
    cfg.wait_ms = cli_net_given(&o->net, OPT_NET_WAIT) ? o->net.wait_ms : CLI_CHAT_WAIT_MS;
    cfg.hello_ms = CLI_CHAT_HELLO_MS;
    cfg.connect_ms = CLI_NET_CONNECT_MS;
    cfg.stop_fd = stop_fd;
    ui = (struct chat_ui){&t, STDIN_FILENO, on_input, on_text, on_note};
    chat_run(&cfg, &ui, &res);
    status = report(&res);
out:
    /* The session wiped its own keys; the line being typed goes here, the
     * key with cli_key_close. */
    seal_secure_free(t.line, CHAT_TEXT_MAX);
    trusted_senders_free(&peers);
    cli_key_close(&me);
    return status;
}
