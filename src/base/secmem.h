/*
 * libgcrypt's initialisation and secure memory, below everything else so that
 * the reader and the file helpers can hold secrets.
 */
#ifndef SEAL_SECMEM_H
#define SEAL_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/errors.h"

/* Initialises libgcrypt once per process: checks the version (>= 1.10),
 * sets up secure memory (auto-expanding, no warnings on stderr) and finishes
 * initialisation. Call before anything else; safe to call twice. */
gpg_err_code_t seal_crypto_init(void);

/* N zeroed bytes of libgcrypt secure memory, or NULL. */
void *seal_secure_malloc(size_t n);
/* Wipes N bytes at P and frees them. P may be NULL. */
void seal_secure_free(void *p, size_t n);
/* Wipes N bytes in a way the compiler cannot elide. */
void seal_wipe(void *p, size_t n);
/* Constant-time comparison: true iff the N bytes at A and B are equal. */
bool seal_ct_equal(const void *a, const void *b, size_t n);

#endif
