/*
 * The transport's wire parsing: the reply line (OK / ERR temp / ERR perm,
 * transport/wire.c), the chat frame boundary finder and the terminal escape
 * of received chat text (transport/chat_frames.c).
 * Oracles: a reply that parses formats back to exactly the same bytes (one
 * encoding per reply) and a failed parse leaves its output zeroed; a frame
 * end lies within the input and within CHAT_FRAME_MAX, and the same bytes
 * cut at that end give the same frame; escaped text is printable ASCII, no
 * longer than its bound, and NUL-terminated. The chat's judges: a TEXT/BYE
 * frame opened by a keyed session is never accepted (no one forges AES-GCM)
 * and leaves the chain and the sequence number as they were; a HELLO
 * plaintext is accepted only when it has the version 2 layout, and a
 * refused one leaves the session without a peer.
 */
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "fuzz_common.h"
#include "transport/chat_frames.h"
#include "transport/wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* A dialer with both chains derived (its peer a listener made here too). */
static struct chat_keys *keyed;

static struct chat_keys *keyed_dialer(void)
{
    struct chat_keys *d = chat_keys_new(CHAT_DIALER), *l = chat_keys_new(CHAT_LISTENER);
    uint8_t hd[CHAT_HELLO_LEN], hl[CHAT_HELLO_LEN];
    struct writer w;

    FUZZ_ASSERT(d && l);
    writer_init_buffer(&w, hd, sizeof hd);
    FUZZ_ASSERT(chat_hello_encode(d, &w) == 0);
    FUZZ_ASSERT(chat_hello_receive(l, hd, sizeof hd) == CHAT_OK);
    writer_init_buffer(&w, hl, sizeof hl);
    FUZZ_ASSERT(chat_hello_encode(l, &w) == 0);
    FUZZ_ASSERT(chat_hello_receive(d, hl, sizeof hl) == CHAT_OK);
    FUZZ_ASSERT(chat_hello_frame(d, hd, sizeof hd) == 0 && chat_hello_frame(d, hl, sizeof hl) == 0);
    FUZZ_ASSERT(chat_derive(d) == CHAT_OK);
    chat_keys_free(l);
    return d;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    keyed = keyed_dialer();
    return 0;
}

static void chat_open(const uint8_t *data, size_t len)
{
    static uint8_t text[CHAT_TEXT_MAX];
    struct chat_keys before = *keyed;
    struct chat_event ev;
    FUZZ_ASSERT(chat_frame_open(keyed, data, len, text, &ev) != CHAT_OK);
    FUZZ_ASSERT(memcmp(&before, keyed, sizeof before) == 0);
    seal_wipe(&before, sizeof before);
}

static void chat_hello(const uint8_t *data, size_t len)
{
    struct chat_keys *l = chat_keys_new(CHAT_LISTENER);
    FUZZ_ASSERT(l != NULL);
    enum chat_fault f = chat_hello_receive(l, data, len);
    if (f == CHAT_OK)
        FUZZ_ASSERT(len == CHAT_HELLO_LEN && memcmp(data, CHAT_LABEL, CHAT_LABEL_LEN) == 0 &&
                    l->have_peer);
    else
        FUZZ_ASSERT(!l->have_peer);
    chat_keys_free(l);
}

static void reply(const uint8_t *data, size_t len)
{
    static const struct wire_reply zero;
    struct wire_reply r;
    char again[WIRE_LINE_MAX + 1];
    size_t n;

    if (wire_parse_reply(data, len, &r) != 0) {
        FUZZ_ASSERT(memcmp(&r, &zero, sizeof r) == 0);
        return;
    }
    if (r.kind == WIRE_OK)
        n = wire_format_ok(r.envelope_id, r.receipt, again);
    else
        n = wire_format_err(r.kind, r.reason, again);
    FUZZ_ASSERT(n == len && memcmp(again, data, len) == 0);
}

static void frame(const uint8_t *data, size_t len)
{
    size_t end = 0, end2 = 0;
    if (chat_frame_end(data, len, &end) != 0)
        return;
    FUZZ_ASSERT(end > 0 && end <= len && end <= CHAT_FRAME_MAX);
    FUZZ_ASSERT(chat_frame_end(data, end, &end2) == 0 && end2 == end);
}

static void escape(const uint8_t *data, size_t len)
{
    if (len > 4096)
        len = 4096;
    char *out = malloc(CHAT_ESCAPED_MAX(len));
    FUZZ_ASSERT(out != NULL);
    size_t n = chat_escape(data, len, out);
    FUZZ_ASSERT(n < CHAT_ESCAPED_MAX(len) && out[n] == '\0' && strlen(out) == n);
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT((unsigned char)out[i] >= 0x20 || out[i] == '\n' || out[i] == '\t' ||
                    (unsigned char)out[i] >= 0x80);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len > 2 * CHAT_FRAME_MAX)
        return -1;
    reply(data, len);
    frame(data, len);
    escape(data, len);
    chat_open(data, len);
    chat_hello(data, len);
    return 0;
}
