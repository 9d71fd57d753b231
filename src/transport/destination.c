/* Where a verified message goes; see destination.h. */
#include "transport/destination.h"

#include <unistd.h>

#include "base/fileio.h"

static gpg_err_code_t inbox_open_tmp(void *ctx, struct inbox_file *tmp, struct byte_sink *sink)
{
    gpg_err_code_t err = inbox_tmp_create(ctx, "", tmp);
    if (err == 0)
        *sink = fd_sink(&tmp->fd);
    return err;
}

static gpg_err_code_t inbox_commit(void *ctx, const struct dest_message *m, struct dest_result *r)
{
    const struct envelope_info *info = m->info;
    struct inbox_delivery d = {info->sender_fpr, info->sender_name, info->envelope_id,
                               info->created};
    return inbox_deliver(ctx, m->file, &d, &r->duplicate, r->name);
}

static void inbox_abort(void *ctx, struct inbox_file *tmp)
{
    inbox_tmp_discard(ctx, tmp);
}

void dest_inbox(struct serve_destination *d, struct inbox *ib)
{
    d->open = inbox_open_tmp;
    d->commit = inbox_commit;
    d->abort = inbox_abort;
    d->ctx = ib;
}

gpg_err_code_t dest_spool_open(void *ctx, struct inbox_file *tmp, struct byte_sink *sink)
{
    (void)ctx;
    tmp->name[0] = '\0';
    gpg_err_code_t err = file_open_spool(&tmp->fd);
    if (err == 0)
        *sink = fd_sink(&tmp->fd);
    return err;
}

void dest_spool_abort(void *ctx, struct inbox_file *tmp)
{
    (void)ctx;
    if (tmp->fd >= 0)
        close(tmp->fd);
    tmp->fd = -1;
}
