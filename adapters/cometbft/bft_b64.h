/*
 * bft_b64.h: strict standard base64 (RFC 4648 section 4), as CometBFT's JSON writes byte slices
 * such as signatures and public keys.
 *
 * Strict means one accepted spelling per byte string: the standard alphabet only, padding
 * required, length a multiple of four, no whitespace, and the unused low bits of the last
 * character zero (otherwise two texts would decode to the same bytes).
 */
#ifndef QIAO_BFT_B64_H
#define QIAO_BFT_B64_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

/**
 * Decode s into out.
 * Returns: QIAO_OK, QIAO_EINVAL ("bad-base64") or QIAO_ERANGE ("too-long", more than cap bytes).
 * Out: out, *out_len.  In: s (NUL-terminated), what (field name for the message).
 */
qiao_err qiao_bft_b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *s,
                             const char *what, struct qiao_diag *d);

/** Encode n bytes with padding into out (4*ceil(n/3)+1 bytes, NUL-terminated). */
void qiao_bft_b64_encode(char *out, const uint8_t *in, size_t n);

#endif
