/* The outbox fetch and registration for the programs; see fetch_register.h. */
#include "cli/fetch_register.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/secmem.h"
#include "cli/cli.h"
#include "cli/deliver.h"
#include "cli/keyfile.h"
#include "cli/options.h"
#include "keys/ssh.h"
#include "transport/client.h"
#include "transport/fetch.h"
#include "transport/listener.h"
#include "transport/net.h"
#include "transport/registry.h"
#include "transport/serve_requests.h"

static const char *const tw_names[] = {"--outbox", "--pending", "--max-pending",
                                       "--fetch",  "--name",    "--register"};

void cli_twoway_defaults(struct cli_twoway_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_pending = REGISTRY_MAX_PENDING;
}

int cli_twoway_option(int c, const char *arg, struct cli_twoway_options *o)
{
    int idx = c - OPT_TW_OUTBOX, r;
    if (idx < 0 || c >= OPT_TW_END)
        return CLI_OPTION_NOT_MINE;
    if ((r = cli_once(&o->seen[idx], tw_names[idx])) != CLI_OPTION_HANDLED)
        return r;
    switch (c) {
    case OPT_TW_OUTBOX:
        o->outbox = arg;
        break;
    case OPT_TW_PENDING:
        o->pending = arg;
        break;
    case OPT_TW_FETCH:
        o->fetch = true;
        break;
    case OPT_TW_REGISTER:
        o->register_to = arg;
        break;
    case OPT_TW_NAME:
        if (registry_check_name(arg)) {
            cli_errorf("option --name: %s", seal_detail());
            seal_clear_detail();
            return cli_usage_error();
        }
        o->name = arg;
        break;
    case OPT_TW_MAX_PENDING: {
        char *end;
        errno = 0;
        unsigned long v = strtoul(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > 100000) {
            cli_errorf("option --max-pending: bad value '%s' (1 to 100000)", arg);
            return cli_usage_error();
        }
        o->max_pending = (unsigned)v;
        break;
    }
    }
    return CLI_OPTION_HANDLED;
}

int cli_twoway_check_unseal(const struct cli_twoway_options *o, const struct cli_net_options *net)
{
    bool max_pending = o->seen[OPT_TW_MAX_PENDING - OPT_TW_OUTBOX];
    if ((o->outbox || o->pending || max_pending) && !net->listen) {
        cli_errorf("options --outbox, --pending and --max-pending need --listen");
        return cli_usage_error();
    }
    if (max_pending && !o->pending)
        return cli_conflict("--max-pending", "no --pending");
    if (o->fetch && (!net->from || !net->inbox)) {
        cli_errorf("option --fetch needs --from HOST:PORT and -d INBOX");
        return cli_usage_error();
    }
    if (o->name && !o->fetch) {
        cli_errorf("option --name needs --fetch");
        return cli_usage_error();
    }
    return -1;
}

static int check_dir(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_errorf("%s: not a directory (the %s)", path, what);
        return EXIT_IO;
    }
    return EXIT_OK;
}

int cli_twoway_attach(struct listener_config *cfg, const struct seal_key *key, const char *trust,
                      const struct cli_twoway_options *o, struct twoway **tw)
{
    struct twoway_config tc = {key, trust, o->outbox, o->pending, o->max_pending};
    gpg_err_code_t err;
    int status;
    *tw = NULL;
    if ((o->outbox && (status = check_dir(o->outbox, "outbox")) != EXIT_OK) ||
        (o->pending && (status = check_dir(o->pending, "pending directory")) != EXIT_OK))
        return status;
    if (o->pending && strcmp(o->pending, trust) == 0) {
        cli_errorf("%s: the pending directory cannot be the trust directory", o->pending);
        cli_hint("registered keys must never be trusted before an operator moves them");
        return cli_usage_error();
    }
    seal_clear_detail();
    if ((err = twoway_new(&tc, tw)))
        return cli_error(trust, err);
    cfg->job_fn = twoway_serve;
    cfg->job_ctx = *tw;
    if (o->outbox)
        fprintf(stderr, "unseal: serving the outbox %s\n", o->outbox);
    if (o->pending)
        fprintf(stderr, "unseal: taking registrations into %s (at most %u pending)\n", o->pending,
                o->max_pending);
    return EXIT_OK;
}

void cli_twoway_detach(struct twoway *tw)
{
    twoway_free(tw);
}

/* ---- unseal --fetch ------------------------------------------------------------- */

static void note_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "unseal: %s\n", line);
}

/* The client ID: --name, else the key file's name without ".key". False
 * (printed, with HINT) if it cannot be one. */
static bool client_id(const char *given, const char *key_path, const char *hint,
                      char out[REGISTRY_NAME_MAX + 1])
{
    if (given) {
        snprintf(out, REGISTRY_NAME_MAX + 1, "%s", given);
    } else {
        const char *base = strrchr(key_path, '/') ? strrchr(key_path, '/') + 1 : key_path;
        size_t n = strlen(base);
        if (n > 4 && strcmp(base + n - 4, ".key") == 0)
            n -= 4;
        snprintf(out, REGISTRY_NAME_MAX + 1, "%.*s", (int)n, base);
    }
    if (registry_check_name(out)) {
        cli_errorf("%s: cannot make a client ID of this name: %s", key_path, seal_detail());
        cli_hint("%s", hint);
        return false;
    }
    return true;
}

int cli_unseal_fetch(const struct seal_key *key, const char *key_path,
                     struct trusted_senders *server, const struct cli_net_options *net,
                     const struct cli_twoway_options *o)
{
    struct fetch_config cfg;
    struct fetch_outcome out;
    struct inbox_report rep;
    struct inbox *ib = NULL;
    char name[REGISTRY_NAME_MAX + 1];
    gpg_err_code_t err;
    int status = EXIT_INTERNAL;

    if (server->dir || server->n != 1 || !server->v[0].key) {
        cli_errorf("--fetch needs -s SERVER.pub: the listener's one key");
        return cli_usage_error();
    }
    if (!client_id(o->name, key_path, "give the ID the listener knows you by with --name ID", name))
        return cli_usage_error();
    seal_clear_detail();
    if ((err = inbox_open(net->inbox, net->max_age_s + SERVE_MAX_FUTURE, &ib, &rep)))
        return cli_error(net->inbox, err);
    signal(SIGPIPE, SIG_IGN);
    memset(&cfg, 0, sizeof cfg);
    cfg.from = net->from;
    cfg.key = key;
    cfg.server = server->v[0].key;
    cfg.senders = server;
    cfg.name = name;
    cfg.inbox = ib;
    cfg.keep_sealed = net->keep_sealed;
    cfg.max_size = net->max_size;
    cfg.max_age = net->max_age_s;
    cfg.wait_ms = net->idle_ms;
    cfg.note = note_line;
    if ((err = transport_fetch(&cfg, &out))) {
        status = cli_error(NULL, err);
        if (err & GPG_ERR_SYSTEM_ERROR && !(err == GPG_ERR_ENOSPC || err == GPG_ERR_EIO))
            status = EXIT_NO_ACK; /* could not connect */
        goto out;
    }
    switch (out.status) {
    case FETCH_DONE:
        fprintf(stderr, "unseal: fetched from %s as %s: %u new, %u already stored, %u refused\n",
                net->from, name, out.stored, out.duplicates, out.rejected);
        status = EXIT_OK;
        break;
    case FETCH_REFUSED:
        cli_errorf("%s refused the fetch: ERR %s %s", net->from, out.temp ? "temp" : "perm",
                   out.reason);
        status = EXIT_REFUSED;
        break;
    case FETCH_DROPPED:
        cli_errorf("%s: %s (%u new, %u already stored)", net->from, out.reason, out.stored,
                   out.duplicates);
        cli_hint("fetch again: what was not acknowledged is still waiting, and nothing is "
                 "stored twice");
        status = EXIT_NO_ACK;
        break;
    case FETCH_BAD_END:
        cli_errorf("%s: %s", net->from, out.reason);
        status = EXIT_BAD_RECEIPT;
        break;
    case FETCH_MALFORMED:
        cli_errorf("%s: %s (%u new, %u already stored)", net->from, out.reason, out.stored,
                   out.duplicates);
        status = EXIT_FORMAT;
        break;
    }
out:
    inbox_close(ib);
    return status;
}

/* ---- seal-keygen --register ------------------------------------------------------ */

int cli_keygen_register(const char *key_path, const char *passphrase_file,
                        const struct cli_twoway_options *o)
{
    struct cli_key me;
    struct cli_passphrase pp = {passphrase_file};
    struct writer rec;
    char name[REGISTRY_NAME_MAX + 1], head[32], fpr[SEAL_FPR_TEXT_LEN], ssh_fpr[SSH_FPR_TEXT_LEN];
    uint8_t nonce[REGISTRY_NONCE_LEN], buf[WIRE_LINE_MAX + 1];
    struct wire_reply r;
    size_t len = 0;
    int fd = -1, status;
    gpg_err_code_t err;

    memset(&me, 0, sizeof me);
    writer_init(&rec, REGISTRY_RECORD_MAX, false);
    if (!client_id(o->name, key_path, "choose one with --name ID", name)) {
        status = cli_usage_error();
        goto out;
    }
    if ((status = cli_key_load(&me, key_path, &pp)) != EXIT_OK)
        goto out;
    seal_random(nonce, sizeof nonce);
    seal_clear_detail();
    if ((err = registry_record_encode(me.key, name, (uint64_t)time(NULL), nonce, &rec))) {
        status = cli_error(key_path, err);
        goto out;
    }
    signal(SIGPIPE, SIG_IGN);
    if ((err = net_connect(o->register_to, net_now_ms() + CLI_NET_CONNECT_MS, &fd))) {
        cli_error(o->register_to, err);
        status = EXIT_NO_ACK;
        goto out;
    }
    int n = snprintf(head, sizeof head, "%s%zu\n", REGISTER_VERB, writer_len(&rec));
    if (net_write_all(fd, head, (size_t)n, net_now_ms() + CLI_NET_WAIT_MS) ||
        net_write_all(fd, writer_data(&rec), writer_len(&rec), net_now_ms() + CLI_NET_WAIT_MS) ||
        transport_read_reply(fd, net_now_ms() + CLI_NET_WAIT_MS, buf, &len) || len == 0) {
        cli_errorf("%s: no answer to the registration", o->register_to);
        status = EXIT_NO_ACK;
        goto out;
    }
    key_fingerprint_text(me.key->fpr, fpr);
    if (ssh_fingerprint_text(me.key->rsa, ssh_fpr) != 0)
        snprintf(ssh_fpr, sizeof ssh_fpr, "(unknown)");
    if (len == 11 && memcmp(buf, "OK pending\n", 11) == 0) {
        printf("registered as %s at %s: pending until an operator approves it\n", name,
               o->register_to);
        printf("fingerprint seal %s ssh %s\n", fpr, ssh_fpr);
        fprintf(stderr, "seal-keygen: hint: tell the operator this fingerprint over another "
                        "channel; they compare it with seal-keygen -l before approving\n");
        status = EXIT_OK;
    } else if (wire_parse_reply(buf, len, &r) == 0 && r.kind != WIRE_OK) {
        cli_errorf("%s refused the registration: ERR %s %s", o->register_to,
                   r.kind == WIRE_ERR_TEMP ? "temp" : "perm", r.reason);
        status = EXIT_REFUSED;
    } else {
        seal_clear_detail();
        cli_errorf("%s: an answer that is not a registration reply", o->register_to);
        status = EXIT_BAD_RECEIPT;
    }
out:
    if (fd >= 0)
        close(fd);
    writer_free(&rec);
    cli_key_close(&me);
    return status;
}
