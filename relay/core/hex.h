/*
 * hex.h: strict hexadecimal codec.
 *
 * Decoding accepts an optional "0x"/"0X" prefix and upper or lower case digits, and rejects odd
 * lengths, any non-hex character (including whitespace) and outputs that do not fit.  Errors name
 * the offending character's position so a user can find it in a long line.
 */
#ifndef QIAO_CORE_HEX_H
#define QIAO_CORE_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

/**
 * Decode hex text into caller storage.
 * Returns: QIAO_OK, or QIAO_EINVAL ("odd-length", "bad-hex-char"), QIAO_ERANGE ("too-long").
 * Out: out (up to cap bytes), out_len (bytes written).
 * In:  hex, hex_len (the text; no terminator needed).
 */
qiao_err qiao_hex_decode(uint8_t *out, size_t cap, size_t *out_len, const char *hex,
                         size_t hex_len, struct qiao_diag *d);

/** Decode a NUL-terminated string that must encode exactly n bytes ("wrong-length" otherwise). */
qiao_err qiao_hex_decode_exact(uint8_t *out, size_t n, const char *hex, struct qiao_diag *d);

/**
 * Decode a NUL-terminated string into a fresh malloc'd buffer (caller frees; never NULL on success,
 * even for zero bytes).  max caps the decoded size ("too-long").
 */
qiao_err qiao_hex_decode_alloc(uint8_t **out, size_t *out_len, const char *hex, size_t max,
                               struct qiao_diag *d);

/** Encode n bytes as lowercase hex into out (2n+1 bytes, NUL-terminated), no prefix. */
void qiao_hex_encode(char *out, const uint8_t *in, size_t n);

/** Encode with "0x" prefix into out (2n+3 bytes). */
void qiao_hex_encode0x(char *out, const uint8_t *in, size_t n);

/** Encode n bytes in reversed byte order (Bitcoin's display order for hashes), 2n+1 bytes. */
void qiao_hex_encode_rev(char *out, const uint8_t *in, size_t n);

#endif
