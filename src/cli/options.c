/* The option scaffolding the programs share; see options.h. */
#include <config.h>

#include "cli/options.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cli_usage_error(void)
{
    cli_hint("see '%s --help'", cli_program());
    return EXIT_USAGE;
}

int cli_conflict(const char *a, const char *b)
{
    cli_errorf("options %s and %s conflict", a, b);
    return cli_usage_error();
}

int cli_version(void)
{
    printf("%s (%s) %s\n", cli_program(), PACKAGE_NAME, PACKAGE_VERSION);
    return EXIT_OK;
}

int cli_once(bool *seen, const char *name)
{
    if (*seen) {
        cli_errorf("option %s given twice", name);
        return cli_usage_error();
    }
    *seen = true;
    return CLI_OPTION_HANDLED;
}

/* Optimal string alignment distance between A (N bytes) and B, capped: the
 * edits (insert, delete, replace, swap two neighbours) that turn one into
 * the other, or CAP + 1 if more. Long option names are short. */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t cap)
{
    enum { MAX = 40 };
    size_t m = strlen(b);
    size_t d[MAX + 1][MAX + 1];

    if (n > MAX || m > MAX)
        return cap + 1;
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m] <= cap ? d[n][m] : cap + 1;
}

/* "--recipent=x": the closest long option of LONGOPTS, or NULL if none is
 * close enough to be what was meant (at most 2 edits, fewer for short
 * names). */
static const char *closest_option(const char *arg, const struct option *longopts)
{
    const char *best = NULL;
    size_t best_d, n;

    if (!longopts || strncmp(arg, "--", 2) != 0)
        return NULL;
    arg += 2;
    n = strcspn(arg, "=");
    best_d = n < 5 ? 1 : 2;
    for (const struct option *lo = longopts; lo->name; lo++) {
        size_t d = edit_distance(arg, n, lo->name, best_d);
        if (d <= best_d && (!best || d < best_d)) {
            best = lo->name;
            best_d = d;
        }
    }
    return best;
}

int cli_common_option(int c, char **argv, const struct option *longopts, struct cli_common *common,
                      void (*help)(void))
{
    switch (c) {
    case 'o':
        if (!common)
            break;
        common->output = optarg;
        return cli_once(&common->output_given, "-o/--output");
    case 'f':
        if (!common)
            break;
        return cli_once(&common->force, "-f/--force");
    case CLI_OPT_PASSPHRASE_FILE:
        if (!common)
            break;
        if (common->passphrase_file) {
            cli_errorf("option --passphrase-file given twice");
            return cli_usage_error();
        }
        common->passphrase_file = optarg;
        return CLI_OPTION_HANDLED;
    case CLI_OPT_NO_FSYNC:
        if (!common)
            break;
        return cli_once(&common->no_fsync, "--no-fsync");
    case 'h':
        help();
        return EXIT_OK;
    case 'V':
        return cli_version();
    case ':':
        cli_errorf("option %s needs an argument", argv[optind - 1]);
        return cli_usage_error();
    case '?':
        if (optopt) {
            cli_errorf("unknown option -%c", optopt);
        } else {
            const char *near = closest_option(argv[optind - 1], longopts);
            cli_errorf("unknown option %s", argv[optind - 1]);
            if (near)
                cli_hint("did you mean --%s?", near);
        }
        return cli_usage_error();
    default:
        break;
    }
    return CLI_OPTION_NOT_MINE;
}
