/*
 * The sealer with values it otherwise makes up given by the caller, so that
 * tests/testing.c can make reproducible envelopes (the test kit, the fuzz
 * harnesses). envelope_seal() passes NULL. No file under src/ but sealer.c
 * includes this header (tests/no_test_symbols.sh checks it), so nothing the
 * installed programs run can fix a key, salt or ID.
 */
#ifndef SEAL_ENVELOPE_SEALER_INTERNAL_H
#define SEAL_ENVELOPE_SEALER_INTERNAL_H

#include "envelope/envelope.h"

/* Each NULL (or have_created false) means "random" (or "now"). */
struct seal_fixed {
    const uint8_t *file_key;     /* SEAL_AEAD_KEY_LEN bytes */
    const uint8_t *salt;         /* CHUNKED_SALT_LEN bytes */
    const uint8_t *envelope_id;  /* SEAL_ENVELOPE_ID_LEN bytes */
    const uint8_t *receipt_keys; /* n_recipients * SEAL_RECEIPT_KEY_LEN bytes */
    bool have_created;
    uint64_t created;
};

/* envelope_seal() with FIXED values (may be NULL: all made up). */
gpg_err_code_t envelope_seal_internal(const struct seal_request *req,
                                      const struct seal_fixed *fixed);

#endif
