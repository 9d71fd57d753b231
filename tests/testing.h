/*
 * Test-only hooks: reproducible envelopes, weak RSA keys, the spool's file,
 * and the shortcuts only tests take (envelope_inspect in one call, a
 * message digest in one call, the spool's size).
 * They live in tests/libtesting.a, which the unit tests, the test-kit
 * generator and the fuzz harnesses link and the installed programs never do
 * (tests/no_test_symbols.sh checks the programs with nm).
 */
#ifndef SEAL_TESTS_TESTING_H
#define SEAL_TESTS_TESTING_H

#include <stdint.h>

#include "crypto/crypto.h"
#include "envelope/envelope.h"
#include "envelope/sealer_internal.h"
#include "envelope/spool.h"
#include "envelope/trailer.h"

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

/* Total bytes written to the spool so far. */
uint64_t spool_size(const struct spool *s);

/* Reads the envelope's public part (no key needed) and the rest of the input
 * to measure it; with RECIPIENT it also decrypts (discarding the plaintext)
 * to report the sender, creation time, envelope ID and whether the signature
 * verifies (SENDERS may be NULL). With RECIPIENT, the header, key unwrap and
 * payload checks fail as in envelope_unseal(); an unknown sender or a bad
 * signature is not an error here: it returns 0 with signature_valid false
 * (sender_name is set when the sender is one of SENDERS). What unseal
 * --inspect does, through envelope_reader_open and envelope_reader_inspect. */
gpg_err_code_t envelope_inspect(struct byte_source in, const struct seal_key *recipient,
                                struct trusted_senders *senders, struct envelope_info *info);

/* D of a whole message in memory (seal(5), "Signature"), as the sealer
 * computes it chunk by chunk. */
gpg_err_code_t message_digest_oneshot(const uint8_t *msg, size_t len, uint8_t out[SEAL_SHA256_LEN]);

#endif
