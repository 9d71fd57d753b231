/*
 * Secure memory and libgcrypt's initialisation. This file and crypto/ are the
 * only ones that include gcrypt.h: it uses libgcrypt's allocator only, so the
 * reader (base/buf.c) can hold secrets without depending on the crypto layer.
 */
#include "base/secmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

/* ---- initialisation ---------------------------------------------------- */

/* libgcrypt keeps its jitter-entropy collector (used for very strong random)
 * behind a pointer in secure memory, which LeakSanitizer cannot see, so every
 * sanitizer run would report it as leaked. Closing the random device at exit
 * frees it. */
static void close_random(void)
{
    gcry_control(GCRYCTL_CLOSE_RANDOM_DEVICE, 0);
}

gpg_err_code_t seal_crypto_init(void)
{
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
        return 0;
    if (!gcry_check_version("1.10.0"))
        return seal_fail(GPG_ERR_NOT_SUPPORTED, "libgcrypt %s is too old, 1.10.0 required",
                         gcry_check_version(NULL));
    /* Secure memory may fail to mlock for unprivileged users; libgcrypt
     * would then print a warning on stderr, and library code never prints. */
    gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
    gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0);
    /* RSA-8192 private operations need more than the initial pool. */
    gcry_control(GCRYCTL_AUTO_EXPAND_SECMEM, 65536u);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    atexit(close_random);
    return 0;
}

/* ---- memory ------------------------------------------------------------ */

void *seal_secure_malloc(size_t n)
{
    return gcry_calloc_secure(1, n ? n : 1);
}

void seal_secure_free(void *p, size_t n)
{
    if (!p)
        return;
    seal_wipe(p, n);
    gcry_free(p);
}

/* A volatile function pointer: the compiler cannot prove the call is dead. */
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

void seal_wipe(void *p, size_t n)
{
    if (p && n)
        wipe_memset(p, 0, n);
}

bool seal_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t diff = 0;

    for (size_t i = 0; i < n; i++)
        diff |= (uint8_t)(x[i] ^ y[i]);
    return diff == 0;
}
