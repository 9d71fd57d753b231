/*
 * The reply line (man/seal.5, TRANSPORT "Wire"): after the envelope and a
 * half-close, the receiver answers with exactly one line,
 *
 *     OK <envelope ID: 32 lowercase hex> <receipt: 43 base64url>\n
 *     ERR temp <reason>\n          retry later
 *     ERR perm <reason>\n          never retry
 *
 * with a reason of 1..WIRE_REASON_MAX printable ASCII bytes (0x20..0x7e).
 * One encoding only: no CR, no extra spaces, nothing after the LF.
 */
#ifndef SEAL_TRANSPORT_WIRE_H
#define SEAL_TRANSPORT_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "envelope/envelope.h"
#include "transport/receipt.h"

#define WIRE_REASON_MAX 200
/* "ERR temp " + reason + LF is the longest line. */
#define WIRE_LINE_MAX (9 + WIRE_REASON_MAX + 1)

enum wire_kind { WIRE_OK, WIRE_ERR_TEMP, WIRE_ERR_PERM };

struct wire_reply {
    enum wire_kind kind;
    uint8_t envelope_id[SEAL_ENVELOPE_ID_LEN]; /* OK */
    char receipt[RECEIPT_TEXT_LEN + 1];        /* OK, NUL-terminated */
    char reason[WIRE_REASON_MAX + 1];          /* ERR, NUL-terminated */
};

/* Parses one complete reply, LEN bytes at LINE, LF included. A pure
 * function (no I/O, no allocation: the fuzz target): 0 with OUT filled, or
 * GPG_ERR_INV_DATA (with a detail) for anything but exactly one valid line;
 * OUT is zeroed first and stays zeroed on failure. */
gpg_err_code_t wire_parse_reply(const uint8_t *line, size_t len, struct wire_reply *out);

/* Formats "OK <id> <receipt>\n" into OUT; returns its length. */
size_t wire_format_ok(const uint8_t id[SEAL_ENVELOPE_ID_LEN], const char *receipt,
                      char out[WIRE_LINE_MAX + 1]);

/* Formats "ERR temp|perm <reason>\n" into OUT (the reason is cut to
 * WIRE_REASON_MAX bytes, bytes outside 0x20..0x7e become '?'); returns its
 * length. */
size_t wire_format_err(enum wire_kind kind, const char *reason, char out[WIRE_LINE_MAX + 1]);

#endif
