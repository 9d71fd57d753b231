/* The pipe between the listener and its NATS publisher; see natspipe.h. */
#include "transport/natspipe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "transport/net.h"

/* Reads exactly N bytes; *GOT how many came before the peer closed. */
static gpg_err_code_t read_exact(int fd, uint8_t *p, size_t n, int64_t deadline, size_t *got)
{
    *got = 0;
    while (*got < n) {
        size_t r;
        gpg_err_code_t err = net_read(fd, p + *got, n - *got, -1, deadline, &r);
        if (err)
            return err;
        if (r == 0)
            return *got ? seal_fail(GPG_ERR_TRUNCATED, "the NATS publisher's pipe: a cut frame")
                        : GPG_ERR_EOF;
        *got += r;
    }
    return 0;
}

gpg_err_code_t natspipe_read_frame(int fd, size_t max, int64_t deadline, uint8_t **body,
                                   size_t *len)
{
    uint8_t head[4];
    size_t got;
    uint32_t n;
    struct reader r;
    *body = NULL;
    *len = 0;
    gpg_err_code_t err = read_exact(fd, head, sizeof head, deadline, &got);
    if (err)
        return err;
    reader_init(&r, head, sizeof head);
    if ((err = reader_get_u32(&r, &n)))
        return err;
    if (n > max)
        return seal_fail(GPG_ERR_TOO_LARGE, "the NATS publisher's pipe: a frame of %lu bytes",
                         (unsigned long)n);
    uint8_t *b = malloc(n ? n : 1);
    if (!b)
        return seal_fail(GPG_ERR_ENOMEM, "out of memory");
    if ((err = read_exact(fd, b, n, deadline, &got))) {
        free(b);
        return err == GPG_ERR_EOF
                   ? seal_fail(GPG_ERR_TRUNCATED, "the NATS publisher's pipe: a cut frame")
                   : err;
    }
    *body = b;
    *len = n;
    return 0;
}

gpg_err_code_t natspipe_send_request(int fd, const struct natspipe_request *req, int data_fd,
                                     uint64_t len, int64_t deadline)
{
    uint8_t head[4 + NATSPIPE_REQUEST_HEAD], buf[65536];
    struct writer w;
    size_t name = strlen(req->sender);
    if (name > NATSPIPE_NAME_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "a sender name of %zu bytes for the NATS publisher",
                         name);
    if (len > NATSPIPE_DATA_MAX)
        return seal_fail(GPG_ERR_TOO_LARGE, "a message of %llu bytes for the NATS publisher",
                         (unsigned long long)len);
    writer_init_buffer(&w, head, sizeof head);
    writer_put_u32(&w, (uint32_t)(1 + SEAL_FPR_LEN + SEAL_ENVELOPE_ID_LEN + 8 + 2 + name + len));
    writer_put_u8(&w, 'P');
    writer_put_bytes(&w, req->fpr, SEAL_FPR_LEN);
    writer_put_bytes(&w, req->id, SEAL_ENVELOPE_ID_LEN);
    writer_put_u64(&w, req->created);
    writer_put_u16(&w, (uint16_t)name);
    writer_put_bytes(&w, req->sender, name);
    gpg_err_code_t err = writer_status(&w);
    if (!err)
        err = net_write_all(fd, writer_data(&w), writer_len(&w), deadline);
    for (uint64_t off = 0; !err && off < len;) {
        size_t want = len - off < sizeof buf ? (size_t)(len - off) : sizeof buf;
        ssize_t r = pread(data_fd, buf, want, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            err =
                seal_fail(r < 0 ? seal_errno_code() : GPG_ERR_EIO, "cannot read the message back");
            break;
        }
        err = net_write_all(fd, buf, (size_t)r, deadline);
        off += (uint64_t)r;
    }
    writer_free(&w);
    return err;
}

gpg_err_code_t natspipe_parse_request(const uint8_t *body, size_t len, struct natspipe_request *out)
{
    struct reader r;
    uint8_t type;
    const uint8_t *name;
    size_t name_len;
    gpg_err_code_t err;
    memset(out, 0, sizeof *out);
    reader_init(&r, body, len);
    if ((err = reader_get_u8(&r, &type)) || type != 'P' ||
        (err = reader_get_bytes(&r, out->fpr, SEAL_FPR_LEN)) ||
        (err = reader_get_bytes(&r, out->id, SEAL_ENVELOPE_ID_LEN)) ||
        (err = reader_get_u64(&r, &out->created)) ||
        (err = reader_get_u16_prefixed(&r, 0, NATSPIPE_NAME_MAX, &name, &name_len)) ||
        memchr(name, '\0', name_len) || reader_remaining(&r) > NATSPIPE_DATA_MAX) {
        memset(out, 0, sizeof *out);
        return seal_fail(GPG_ERR_INV_DATA, "the NATS publisher's pipe: a malformed request");
    }
    memcpy(out->sender, name, name_len);
    out->sender[name_len] = '\0';
    out->len = reader_remaining(&r);
    if (out->len)
        (void)reader_get_view(&r, out->len, &out->data);
    return 0;
}

gpg_err_code_t natspipe_send_reply(int fd, const struct natspipe_reply *rep, int64_t deadline)
{
    uint8_t buf[4 + NATSPIPE_REPLY_MAX];
    struct writer w;
    size_t n = strnlen(rep->reason, WIRE_REASON_MAX);
    writer_init_buffer(&w, buf, sizeof buf);
    writer_put_u32(&w, (uint32_t)(1 + 1 + 4 + 8 + 2 + n));
    writer_put_u8(&w, (uint8_t)rep->status);
    writer_put_u8(&w, rep->kind == WIRE_ERR_PERM ? 1 : 0);
    writer_put_u32(&w, (uint32_t)rep->code);
    writer_put_u64(&w, rep->max_payload > 0 ? (uint64_t)rep->max_payload : 0);
    writer_put_u16(&w, (uint16_t)n);
    writer_put_bytes(&w, rep->reason, n);
    gpg_err_code_t err = writer_status(&w);
    if (!err)
        err = net_write_all(fd, writer_data(&w), writer_len(&w), deadline);
    writer_free(&w);
    return err;
}

gpg_err_code_t natspipe_parse_reply(const uint8_t *body, size_t len, struct natspipe_reply *out)
{
    struct reader r;
    uint8_t status, kind;
    uint32_t code;
    uint64_t max;
    const uint8_t *reason;
    size_t n;
    gpg_err_code_t err;
    memset(out, 0, sizeof *out);
    reader_init(&r, body, len);
    if ((err = reader_get_u8(&r, &status)) || status > NATSPIPE_REFUSED ||
        (err = reader_get_u8(&r, &kind)) || kind > 1 || (err = reader_get_u32(&r, &code)) ||
        (err = reader_get_u64(&r, &max)) || max > INT64_MAX ||
        (err = reader_get_u16_prefixed(&r, 0, WIRE_REASON_MAX, &reason, &n)) ||
        (err = reader_expect_end(&r)))
        return seal_fail(GPG_ERR_INV_DATA, "the NATS publisher's pipe: a malformed reply");
    for (size_t i = 0; i < n; i++)
        if (reason[i] < 0x20 || reason[i] > 0x7e)
            return seal_fail(GPG_ERR_INV_DATA, "the NATS publisher's pipe: a malformed reply");
    out->status = (enum natspipe_status)status;
    out->kind = kind ? WIRE_ERR_PERM : WIRE_ERR_TEMP;
    out->code = (gpg_err_code_t)code;
    out->max_payload = (int64_t)max;
    memcpy(out->reason, reason, n);
    out->reason[n] = '\0';
    return 0;
}
