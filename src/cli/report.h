/*
 * What unseal reports: the --inspect listing (text or JSON) and the
 * good-signature line. Names come from file names and may hold any byte:
 * they are shown so that they can neither drive a terminal nor break JSON.
 */
#ifndef SEAL_CLI_REPORT_H
#define SEAL_CLI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "envelope/envelope.h"

/* The signature verdict --inspect shows: "unchecked" (no senders given),
 * "untrusted", "good" or "bad". */
const char *cli_signature_status(const struct envelope_info *info, bool have_senders);

/* Prints INFO on standard output: "key: value" lines, or with JSON one
 * JSON object on one line (valid UTF-8: a byte that is not part of a valid
 * UTF-8 sequence is shown as U+FFFD). */
void cli_inspect_print(const struct envelope_info *info, const char *sig, bool json);

/* "unseal: good signature from NAME (SHA256:...)" on standard error. */
void cli_report_verdict(const struct envelope_info *info);

/* NAME for a terminal: control characters and bytes that are not valid
 * UTF-8 become '?'. */
void cli_print_name(FILE *f, const char *name);

#endif
