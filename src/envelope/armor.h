/*
 * ASCII armor for envelopes, streaming in both directions with constant
 * memory:
 *
 *   -----BEGIN SEALED MESSAGE-----
 *   <standard base64 with '=' padding, lines of exactly 64 columns,
 *    the last line 1..64 columns>
 *   -----END SEALED MESSAGE-----
 *
 * The encoder writes LF line ends. The decoder is strict (one fault, one
 * GPG_ERR_INV_ARMOR with a detail naming the line): before BEGIN and after
 * END only whitespace (any amount of space, tab, CR and LF; nothing else);
 * each line ends in LF or CRLF (the END line may also end at end of input); no line longer than
 * ARMOR_MAX_LINE columns; every body line has exactly 64 base64 characters
 * except the last, which is shorter or carries the padding; '=' only in the
 * last group; the unused bits before the padding are zero; nothing else
 * anywhere (no headers, no checksum line, no blank line in the body).
 */
#ifndef SEAL_ARMOR_H
#define SEAL_ARMOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/stream.h"

#define ARMOR_BEGIN "-----BEGIN SEALED MESSAGE-----"
#define ARMOR_END "-----END SEALED MESSAGE-----"
#define ARMOR_LINE_CHARS 64 /* base64 characters per full line */
#define ARMOR_MAX_LINE 76   /* longer lines are refused before reading on */

/* ---- encoder ------------------------------------------------------------ */

struct armor_encoder;

/* A new encoder writing armored text to SINK. Nothing is written before the
 * first armor_encoder_write or armor_encoder_finish. */
gpg_err_code_t armor_encoder_new(struct byte_sink sink, struct armor_encoder **out);

/* Encodes N bytes (any N, any number of calls). Text is passed to the sink
 * in blocks of up to 64 KiB; the sink's error is returned as is. */
gpg_err_code_t armor_encoder_write(struct armor_encoder *e, const uint8_t *buf, size_t n);

/* Writes the last line and the END line and flushes everything to the sink.
 * Later writes are GPG_ERR_INV_STATE. */
gpg_err_code_t armor_encoder_finish(struct armor_encoder *e);

/* A sink that feeds E (armor_encoder_write), for code that writes to sinks. */
struct byte_sink armor_encoder_sink(struct armor_encoder *e);

/* Frees E (NULL is fine). Does not finish. */
void armor_encoder_free(struct armor_encoder *e);

/* ---- decoder ------------------------------------------------------------ */

struct armor_decoder;

#define ARMOR_MAX_PREFIX 65536

/* A decoder reading armored text from INNER. PREFIX (PREFIXLEN bytes, at most
 * ARMOR_MAX_PREFIX; may be NULL/0) are bytes the caller already read from
 * INNER, e.g. to sniff them with armor_looks_armored: they are decoded first.
 * GPG_ERR_TOO_LARGE if PREFIXLEN is larger than ARMOR_MAX_PREFIX. */
gpg_err_code_t armor_decoder_new(struct byte_source inner, const uint8_t *prefix, size_t prefixlen,
                                 struct armor_decoder **out);

/* Reads decoded bytes: up to CAP into BUF, *GOT == 0 only at the end of a
 * well-formed armor whose END line is followed by nothing but whitespace up
 * to the end of INNER. On error *GOT is 0. Errors are sticky: every later
 * call returns the same code. Errors of INNER are passed through. */
gpg_err_code_t armor_decoder_read(struct armor_decoder *d, uint8_t *buf, size_t cap, size_t *got);

/* A byte_source reading from D (armor_decoder_read). */
struct byte_source armor_decoder_source(struct armor_decoder *d);

/* Frees D (NULL is fine). */
void armor_decoder_free(struct armor_decoder *d);

/* ---- sniffing ----------------------------------------------------------- */

/* True iff the N bytes at BUF, after optional leading whitespace (spaces,
 * tabs, CR, LF), start with ARMOR_BEGIN. Pass the first bytes of the input
 * (a few hundred are plenty; the BEGIN marker must be among them). */
bool armor_looks_armored(const uint8_t *buf, size_t n);

/* The number of whitespace bytes (space, tab, CR, LF: seal(5)'s whitespace)
 * at the start of the N bytes at BUF. */
size_t armor_leading_ws(const uint8_t *buf, size_t n);

#endif
