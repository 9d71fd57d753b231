/*
 * Text for people and logs that every layer makes alike: hexadecimal
 * names (envelope IDs, fingerprints in file names) and the one-line notes
 * library code hands to the program, which decides where they go (library
 * code never prints).
 */
#ifndef SEAL_BASE_TEXT_H
#define SEAL_BASE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hexadecimal of the N bytes at P into OUT: 2N digits and a NUL
 * (OUT holds 2N + 1 bytes). */
void seal_hex(const uint8_t *p, size_t n, char *out);

/* Where library code sends a note ("retrying in 4 s: ...", "delivered
 * from ..."): one line without its line end, valid during the call. */
typedef void (*seal_log_fn)(void *ctx, const char *line);

/* The longest note, with its NUL: longer ones are cut. */
#define SEAL_LOG_LINE_MAX 512

/* Formats one note and hands it to FN with CTX; nothing if FN is NULL. */
void seal_log(seal_log_fn fn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
