/* What unseal reports; see report.h. */
#include "cli/report.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/text.h"
#include "cli/cli.h"

/* The length of the valid UTF-8 sequence at P (at most N bytes: 1..4), or
 * 0 if none starts there (overlong forms, surrogates and code points above
 * U+10FFFF are not valid). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned long cp;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        len = 2, cp = p[0] & 0x1f;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        len = 3, cp = p[0] & 0x0f;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        len = 4, cp = p[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

void cli_print_name(FILE *f, const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t n = strlen(name);

    while (n) {
        size_t k = utf8_len(p, n);
        if (k == 0 || (k == 1 && (*p < 0x20 || *p == 0x7f))) {
            fputc('?', f);
            k = 1;
        } else {
            fwrite(p, 1, k, f);
        }
        p += k;
        n -= k;
    }
}

static void print_json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);

    fputc('"', f);
    while (n) {
        size_t k = utf8_len(p, n);
        if (k == 0) {
            fputs("\\ufffd", f);
            k = 1;
        } else if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(f, "\\u%04x", *p);
        } else {
            fwrite(p, 1, k, f);
        }
        p += k;
        n -= k;
    }
    fputc('"', f);
}

static void format_time(uint64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    /* The field is unsigned; time_t is signed: from 2^63 on, the cast would
     * make it negative and gmtime would print a date before 1970. */
    if (t > (uint64_t)INT64_MAX || (uint64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "out of range");
}

const char *cli_signature_status(const struct envelope_info *info, bool have_senders)
{
    if (!have_senders)
        return "unchecked";
    if (!info->sender_name)
        return "untrusted";
    return info->signature_valid ? "good" : "bad";
}

static void inspect_text(const struct envelope_info *info, const char *sig)
{
    char fpr[SEAL_FPR_TEXT_LEN];
    char when[32];
    char id[2 * SEAL_ENVELOPE_ID_LEN + 1];

    printf("version: %u\n", info->version);
    printf("armored: %s\n", info->armored ? "yes" : "no");
    printf("envelope-bytes: %llu\n", (unsigned long long)info->envelope_len);
    printf("header-bytes: %llu\n", (unsigned long long)info->header_len);
    printf("payload-bytes: %llu\n", (unsigned long long)info->payload_len);
    printf("recipients: %zu\n", info->n_recipients);
    for (size_t i = 0; i < info->n_recipients && i < SEAL_MAX_RECIPIENTS; i++) {
        key_fingerprint_text(info->recipient_fpr[i], fpr);
        printf("recipient: %s\n", fpr);
    }
    printf("decrypted: %s\n", info->decrypted ? "yes" : "no");
    if (!info->decrypted)
        return;
    printf("plaintext-bytes: %llu\n", (unsigned long long)info->plaintext_len);
    key_fingerprint_text(info->sender_fpr, fpr);
    printf("sender: %s\n", fpr);
    if (info->sender_name) {
        fputs("sender-name: ", stdout);
        cli_print_name(stdout, info->sender_name);
        fputc('\n', stdout);
    }
    format_time(info->created, when);
    printf("created: %s\n", when);
    seal_hex(info->envelope_id, SEAL_ENVELOPE_ID_LEN, id);
    printf("envelope-id: %s\n", id);
    printf("signature: %s\n", sig);
}

static void inspect_json(const struct envelope_info *info, const char *sig)
{
    char fpr[SEAL_FPR_TEXT_LEN];
    char when[32];
    char id[2 * SEAL_ENVELOPE_ID_LEN + 1];

    printf("{\"version\":%u,\"armored\":%s,\"envelope_bytes\":%llu,\"header_bytes\":%llu,"
           "\"payload_bytes\":%llu,\"recipients\":[",
           info->version, info->armored ? "true" : "false", (unsigned long long)info->envelope_len,
           (unsigned long long)info->header_len, (unsigned long long)info->payload_len);
    for (size_t i = 0; i < info->n_recipients && i < SEAL_MAX_RECIPIENTS; i++) {
        key_fingerprint_text(info->recipient_fpr[i], fpr);
        printf("%s\"%s\"", i ? "," : "", fpr);
    }
    printf("],\"decrypted\":%s", info->decrypted ? "true" : "false");
    if (info->decrypted) {
        key_fingerprint_text(info->sender_fpr, fpr);
        format_time(info->created, when);
        seal_hex(info->envelope_id, SEAL_ENVELOPE_ID_LEN, id);
        printf(",\"plaintext_bytes\":%llu,\"sender\":\"%s\",\"sender_name\":",
               (unsigned long long)info->plaintext_len, fpr);
        if (info->sender_name)
            print_json_string(stdout, info->sender_name);
        else
            fputs("null", stdout);
        printf(",\"created\":\"%s\",\"created_unix\":%llu,\"envelope_id\":\"%s\","
               "\"signature\":\"%s\"",
               when, (unsigned long long)info->created, id, sig);
    }
    fputs("}\n", stdout);
}

void cli_inspect_print(const struct envelope_info *info, const char *sig, bool json)
{
    if (json)
        inspect_json(info, sig);
    else
        inspect_text(info, sig);
}

void cli_report_verdict(const struct envelope_info *info)
{
    char fpr[SEAL_FPR_TEXT_LEN];

    key_fingerprint_text(info->sender_fpr, fpr);
    fprintf(stderr, "%s: good signature from ", cli_program());
    cli_print_name(stderr, info->sender_name ? info->sender_name : "(unnamed key)");
    /* Labelled: a seal key ID, not the fingerprint ssh-keygen -l shows. */
    fprintf(stderr, " (seal %s)\n", fpr);
}
