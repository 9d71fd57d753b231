/* One recorded detail per thread; see errors.h. */
#include "errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static _Thread_local char detail_text[256];
static _Thread_local int detail_set;

static void record(const char *fmt, va_list ap)
{
    vsnprintf(detail_text, sizeof detail_text, fmt, ap);
    detail_set = 1;
}

gpg_err_code_t seal_fail(gpg_err_code_t code, const char *fmt, ...)
{
    if (!detail_set) {
        va_list ap;
        va_start(ap, fmt);
        record(fmt, ap);
        va_end(ap);
    }
    return code;
}

gpg_err_code_t seal_fail_override(gpg_err_code_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(fmt, ap);
    va_end(ap);
    return code;
}

const char *seal_detail(void)
{
    return detail_set ? detail_text : NULL;
}

void seal_clear_detail(void)
{
    detail_set = 0;
    detail_text[0] = '\0';
}

gpg_err_code_t seal_errno_code(void)
{
    int e = errno;
    return e ? gpg_err_code_from_errno(e) : GPG_ERR_EIO;
}
