/* The option scaffolding the programs share; see options.h. */
#include <config.h>

#include "cli/options.h"

#include <stdio.h>

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

static int given_twice(const char *name)
{
    cli_errorf("option %s given twice", name);
    return cli_usage_error();
}

int cli_common_option(int c, char **argv, struct cli_common *common, void (*help)(void))
{
    switch (c) {
    case 'o':
        if (!common)
            break;
        if (common->output_given)
            return given_twice("-o/--output");
        common->output_given = true;
        common->output = optarg;
        return CLI_OPTION_HANDLED;
    case 'f':
        if (!common)
            break;
        if (common->force)
            return given_twice("-f/--force");
        common->force = true;
        return CLI_OPTION_HANDLED;
    case CLI_OPT_PASSPHRASE_FILE:
        if (!common)
            break;
        if (common->passphrase_file)
            return given_twice("--passphrase-file");
        common->passphrase_file = optarg;
        return CLI_OPTION_HANDLED;
    case CLI_OPT_NO_FSYNC:
        if (!common)
            break;
        if (common->no_fsync)
            return given_twice("--no-fsync");
        common->no_fsync = true;
        return CLI_OPTION_HANDLED;
    case 'h':
        help();
        return EXIT_OK;
    case 'V':
        return cli_version();
    case ':':
        cli_errorf("option %s needs an argument", argv[optind - 1]);
        return cli_usage_error();
    case '?':
        if (optopt)
            cli_errorf("unknown option -%c", optopt);
        else
            cli_errorf("unknown option %s", argv[optind - 1]);
        return cli_usage_error();
    default:
        break;
    }
    return CLI_OPTION_MINE;
}
