/* Hexadecimal and one-line notes; see text.h. */
#include "base/text.h"

#include <stdarg.h>
#include <stdio.h>

void seal_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void seal_log(seal_log_fn fn, void *ctx, const char *fmt, ...)
{
    char line[SEAL_LOG_LINE_MAX];
    va_list ap;

    if (!fn)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fn(ctx, line);
}
