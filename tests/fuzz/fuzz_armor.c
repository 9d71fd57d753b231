/*
 * The armor decoder (R16) and encoder.
 * Oracles: decode(encode(x)) == x for any x; and any text the decoder
 * accepts is the canonical encoding of what it decoded, give or take what
 * seal(5) allows around it: whitespace (space, tab, CR, LF) before the BEGIN
 * line, CRLF for LF, whitespace after the END line, no line end after END.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "envelope/armor.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void encode(const uint8_t *data, size_t len, struct fuzz_sink *out)
{
    static const uint8_t none[1];
    struct armor_encoder *e = NULL;
    if (data == NULL)
        data = none; /* NULL + 0 is undefined */
    FUZZ_ASSERT(armor_encoder_new(fuzz_sink(out), &e) == 0);
    /* In two writes, so the encoder's carry-over between calls is used. */
    size_t half = len / 3;
    FUZZ_ASSERT(armor_encoder_write(e, data, half) == 0);
    FUZZ_ASSERT(armor_encoder_write(e, data + half, len - half) == 0);
    FUZZ_ASSERT(armor_encoder_finish(e) == 0);
    armor_encoder_free(e);
}

/* Decodes TEXT; 0 with *OUT holding the bytes, or the decoder's error. */
static gpg_err_code_t decode(const uint8_t *text, size_t len, struct fuzz_sink *out)
{
    struct fuzz_source fs;
    struct armor_decoder *d = NULL;
    uint8_t buf[777]; /* odd size: decoded lines straddle reads */
    size_t got;
    gpg_err_code_t e;

    fuzz_sink(out);
    FUZZ_ASSERT(armor_decoder_new(fuzz_source(&fs, text, len), NULL, 0, &d) == 0);
    do {
        if ((e = armor_decoder_read(d, buf, sizeof buf, &got)) != 0) {
            FUZZ_ASSERT(got == 0);
            break;
        }
        /* Decoding never yields more bytes than text went in. */
        FUZZ_ASSERT(out->len + got <= len);
        if (got) {
            uint8_t *p = realloc(out->data, out->len + got);
            FUZZ_ASSERT(p != NULL);
            memcpy(p + out->len, buf, got);
            out->data = p;
            out->len += got;
        }
    } while (got > 0);
    /* Errors are sticky. */
    if (e)
        FUZZ_ASSERT(armor_decoder_read(d, buf, sizeof buf, &got) == e && got == 0);
    armor_decoder_free(d);
    return e;
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The canonical form of accepted TEXT: from BEGIN through the END marker,
 * CR before LF removed, one LF after END. */
static uint8_t *canonical(const uint8_t *text, size_t len, size_t *outlen)
{
    const size_t endlen = sizeof ARMOR_END - 1;
    size_t i = 0, stop = len, n = 0;
    uint8_t *c = malloc(len + 1);
    FUZZ_ASSERT(c != NULL);
    while (i < len && is_ws(text[i]))
        i++;
    /* The END marker is the last non-blank text. */
    while (stop > i && is_ws(text[stop - 1]))
        stop--;
    FUZZ_ASSERT(stop - i >= endlen && memcmp(text + stop - endlen, ARMOR_END, endlen) == 0);
    for (; i < stop; i++)
        if (!(text[i] == '\r' && i + 1 < stop && text[i + 1] == '\n'))
            c[n++] = text[i];
    c[n++] = '\n';
    *outlen = n;
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct fuzz_sink enc, dec, enc2;

    if (len > 1 << 20)
        return -1;
    /* decode(encode(x)) == x */
    encode(data, len, &enc);
    FUZZ_ASSERT(decode(enc.data, enc.len, &dec) == 0);
    FUZZ_ASSERT(dec.len == len && (len == 0 || memcmp(dec.data, data, len) == 0));
    fuzz_sink_free(&enc);
    fuzz_sink_free(&dec);

    /* accepted text is canonical */
    if (decode(data, len, &dec) == 0) {
        size_t clen;
        uint8_t *c = canonical(data, len, &clen);
        encode(dec.data, dec.len, &enc2);
        FUZZ_ASSERT(enc2.len == clen && memcmp(enc2.data, c, clen) == 0);
        free(c);
        fuzz_sink_free(&enc2);
    }
    fuzz_sink_free(&dec);
    return 0;
}
