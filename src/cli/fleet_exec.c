/*
 * unseal's side of --deliver and --drain (see fleet.h): it runs unseal-nats,
 * the same unseal built with libnats, with the same arguments. libnats
 * brings OpenSSL (for NATS's own TLS) and protobuf-c; seal's cryptography is
 * libgcrypt alone, and the programs that hold the keys link nothing else
 * (tests/fleet/linkage.sh). The helper is looked for beside the running
 * program (the build tree: src/unseal-nats), then at PKGLIBEXECDIR, under
 * the staging root the running program was installed into when it runs
 * from DESTDIR/BINDIR. Neither $PATH nor an environment variable chooses it:
 * which code handles the fleet follows from where unseal itself is.
 */
#include <config.h>

#include "cli/fleet.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define HELPER "unseal-nats"

/* The running program's directory into DIR: false if unknown. */
static bool own_dir(char *dir, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", dir, size - 1);
    if (n <= 0)
        return false;
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return true;
}

/* Fills PATHS[0] (beside the running program) and PATHS[1] (the installed
 * helper, under DIR's staging root if DIR is DESTDIR/BINDIR); returns how
 * many it filled. */
static int helper_paths(char paths[2][PATH_MAX])
{
    char dir[PATH_MAX] = "";
    int n = 0;
    size_t root = 0, dlen, blen = strlen(BINDIR);

    if (own_dir(dir, sizeof dir)) {
        dlen = strlen(dir);
        if (snprintf(paths[n], PATH_MAX, "%s/%s", dir, HELPER) < PATH_MAX)
            n++;
        if (dlen > blen && strcmp(dir + dlen - blen, BINDIR) == 0)
            root = dlen - blen; /* make install DESTDIR=...: DIR is DESTDIR + BINDIR */
    }
    if (snprintf(paths[n], PATH_MAX, "%.*s%s/%s", (int)root, dir, PKGLIBEXECDIR, HELPER) < PATH_MAX)
        n++;
    return n;
}

int cli_fleet_hand_off(const struct cli_fleet_options *f, char **argv)
{
    char paths[2][PATH_MAX];
    const char *option = f->deliver ? "--deliver" : "--drain";

    if (!f->deliver && !f->drain)
        return -1;
    int n = helper_paths(paths);
    for (int i = 0; i < n; i++) {
        /* Nothing is open yet but what we were given (a socket from systemd
         * for --listen -, kept across the exec): the helper starts afresh. */
        execv(paths[i], argv);
        if (errno != ENOENT) {
            cli_errorf("%s: cannot run the NATS helper: %s", paths[i], strerror(errno));
            return EXIT_USAGE;
        }
    }
    cli_errorf("%s: this unseal is installed without NATS JetStream: no %s at %s%s%s", option,
               HELPER, paths[0], n > 1 ? " nor at " : "", n > 1 ? paths[1] : "");
    cli_hint("build seal with libnats-dev installed (configure --with-nats) and run make install");
    return EXIT_USAGE;
}

/* The rest of unseal's fleet needs no NATS. */
int cli_fleet_setup(const struct cli_fleet_options *f, const struct cli_net_options *o,
                    struct serve_config *s, struct cli_fleet_state **state)
{
    (void)o;
    *state = NULL;
    if (f && f->proxy_from_text)
        s->proxy_from = &f->proxy_from;
    return EXIT_OK; /* --deliver went to the helper or was refused by cli_fleet_check() */
}

void cli_fleet_teardown(struct cli_fleet_state *state)
{
    (void)state;
}

int cli_unseal_drain(const struct cli_fleet_options *f, const struct cli_net_options *o)
{
    (void)f;
    (void)o;
    return EXIT_USAGE; /* went to the helper or was refused by cli_fleet_check() */
}
