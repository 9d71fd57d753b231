/*
 * Test-only hooks: reproducible envelopes, weak RSA keys, the spool's file.
 * They live in tests/libtesting.a, which the unit tests, the test-kit
 * generator and the fuzz harnesses link and the installed programs never do
 * (tests/no_test_symbols.sh checks the programs with nm).
 */
#ifndef SEAL_TESTS_TESTING_H
#define SEAL_TESTS_TESTING_H

#include "envelope/spool.h"
#include "crypto/crypto.h"
#include "envelope/envelope.h"
#include "envelope/sealer_internal.h"

/* envelope_seal() with FIXED values (reproducible test envelopes). */
gpg_err_code_t envelope_seal_fixed(const struct seal_request *req, const struct seal_fixed *fixed);

/* seal_rsa_from_private allowing moduli down to 512 bits: the test kit must
 * produce a signature by a key seal refuses. */
gpg_err_code_t seal_rsa_from_private_weak(const struct seal_rsa_private_parts *parts,
                                          struct seal_rsa_key **out);

/* seal_rsa_generate for any size from 512 bits. */
gpg_err_code_t seal_rsa_generate_weak(unsigned bits, struct seal_rsa_key **out);

/* The spool file's descriptor, or -1 while the spool is in memory. */
int spool_fd_for_testing(const struct spool *s);

#endif
