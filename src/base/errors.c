/* One recorded detail for the process; see errors.h. It is shared by all
 * threads (a failure on one of the envelope pipeline's reader or worker
 * threads must reach the main thread's message) and guarded by a mutex. */
#include "base/errors.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t detail_lock = PTHREAD_MUTEX_INITIALIZER;
static char detail_text[256];
static char detail_copy[256]; /* what seal_detail() hands out */
static int detail_set;

static void record(int override, const char *fmt, va_list ap)
{
    pthread_mutex_lock(&detail_lock);
    if (override || !detail_set) {
        vsnprintf(detail_text, sizeof detail_text, fmt, ap);
        detail_set = 1;
    }
    pthread_mutex_unlock(&detail_lock);
}

gpg_err_code_t seal_fail(gpg_err_code_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(0, fmt, ap);
    va_end(ap);
    return code;
}

gpg_err_code_t seal_fail_override(gpg_err_code_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(1, fmt, ap);
    va_end(ap);
    return code;
}

const char *seal_detail(void)
{
    const char *r = NULL;
    pthread_mutex_lock(&detail_lock);
    if (detail_set) {
        memcpy(detail_copy, detail_text, sizeof detail_copy);
        r = detail_copy;
    }
    pthread_mutex_unlock(&detail_lock);
    return r;
}

void seal_clear_detail(void)
{
    pthread_mutex_lock(&detail_lock);
    detail_set = 0;
    detail_text[0] = '\0';
    pthread_mutex_unlock(&detail_lock);
}

gpg_err_code_t seal_errno_code(void)
{
    int e = errno;
    return e ? gpg_err_code_from_errno(e) : GPG_ERR_EIO;
}
