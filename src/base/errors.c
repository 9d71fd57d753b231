/* The recorded detail of the current scope; see errors.h. A scope is shared
 * by the threads that work for one operation (a failure on one of the envelope
 * pipeline's reader or worker threads must reach its caller's message), so it
 * is guarded by a mutex; threads that serve different operations at once (the
 * listener's connections) each have their own. */
#include "base/errors.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seal_detail_scope {
    pthread_mutex_t lock;
    char text[256];
    char copy[256]; /* what seal_detail() hands out */
    int set;
};

static struct seal_detail_scope process_scope = {.lock = PTHREAD_MUTEX_INITIALIZER};
static _Thread_local struct seal_detail_scope *current;

static struct seal_detail_scope *scope(void)
{
    return current ? current : &process_scope;
}

struct seal_detail_scope *seal_detail_scope_new(void)
{
    struct seal_detail_scope *s = calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->lock, NULL);
    return s;
}

void seal_detail_scope_free(struct seal_detail_scope *s)
{
    if (!s)
        return;
    if (current == s)
        current = NULL;
    pthread_mutex_destroy(&s->lock);
    free(s);
}

struct seal_detail_scope *seal_detail_scope_current(void)
{
    return scope();
}

void seal_detail_scope_enter(struct seal_detail_scope *s)
{
    current = s;
}

static void record(int override, const char *fmt, va_list ap)
{
    struct seal_detail_scope *s = scope();
    pthread_mutex_lock(&s->lock);
    if (override || !s->set) {
        vsnprintf(s->text, sizeof s->text, fmt, ap);
        s->set = 1;
    }
    pthread_mutex_unlock(&s->lock);
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
    struct seal_detail_scope *s = scope();
    const char *r = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->set) {
        memcpy(s->copy, s->text, sizeof s->copy);
        r = s->copy;
    }
    pthread_mutex_unlock(&s->lock);
    return r;
}

void seal_clear_detail(void)
{
    struct seal_detail_scope *s = scope();
    pthread_mutex_lock(&s->lock);
    s->set = 0;
    s->text[0] = '\0';
    pthread_mutex_unlock(&s->lock);
}

gpg_err_code_t seal_errno_code(void)
{
    int e = errno;
    return e ? gpg_err_code_from_errno(e) : GPG_ERR_EIO;
}
