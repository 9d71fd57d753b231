/*
 * The one cap on key data, shared by every key codec (PEM, DER, OpenSSH):
 * a key file read from disk, its PEM body and every element in it. Its own
 * header so that the codecs need not include keys.h, which includes them.
 */
#ifndef SEAL_KEYS_LIMITS_H
#define SEAL_KEYS_LIMITS_H

#include "crypto/crypto.h"

/* An 8192-bit PKCS#1 private key is about 4.7 KiB of DER. */
#define KEY_FILE_MAX (64 * 1024)

/* Largest integer accepted in a key, in bytes of magnitude: twice the
 * largest modulus we use, so that crypto/rsa.c, not a parser, reports a
 * too-large key as such. */
#define KEY_INT_MAX (2 * SEAL_RSA_MAX_BITS / 8)

#endif
