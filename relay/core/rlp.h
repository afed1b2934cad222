/*
 * rlp.h: Recursive Length Prefix encoding (Ethereum yellow paper, appendix B), strict.
 *
 * The decoder accepts only canonical encodings: a single byte below 0x80 must stand alone, short
 * forms must be used below 56 bytes, long lengths carry no leading zero bytes, and every length must
 * fit inside its parent.  Items borrow the input buffer; nothing is copied or allocated.  Nesting
 * is capped (QIAO_RLP_MAX_DEPTH) so hostile input cannot exhaust the stack.
 *
 * The encoder writes into a qiao_buf.  Lists are written by qiao_rlp_list_begin, then the items,
 * then qiao_rlp_list_end, which inserts the header once the payload length is known.
 */
#ifndef QIAO_CORE_RLP_H
#define QIAO_CORE_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

#define QIAO_RLP_MAX_DEPTH 64

/** One decoded item.  All pointers borrow the input buffer. */
struct qiao_rlp_item {
    const uint8_t *p;   /* payload: string bytes, or the concatenated encodings of list items */
    size_t len;         /* payload length */
    bool list;          /* true for a list */
    const uint8_t *raw; /* the whole encoding, header included */
    size_t raw_len;
};

/**
 * Decode the item at the start of buf (trailing bytes allowed; *used says how many were consumed).
 * Checks this item's header only; see qiao_rlp_validate for the nested payload.
 */
qiao_err qiao_rlp_decode(struct qiao_rlp_item *it, size_t *used, const uint8_t *buf, size_t len,
                         struct qiao_diag *d);

/** Decode exactly one item filling all of buf, and validate its whole nested structure. */
qiao_err qiao_rlp_decode_whole(struct qiao_rlp_item *it, const uint8_t *buf, size_t len,
                               struct qiao_diag *d);

/** Check that every nested item is canonical and fits its parent, to at most max_depth levels. */
qiao_err qiao_rlp_validate(const struct qiao_rlp_item *it, unsigned max_depth,
                           struct qiao_diag *d);

/** Iterator over the items of a list. */
struct qiao_rlp_iter {
    const uint8_t *p;
    size_t len;
    size_t pos;
    size_t index;
};

/** Start iterating list (fails with "not-a-list" for a string). */
qiao_err qiao_rlp_iter_init(struct qiao_rlp_iter *it, const struct qiao_rlp_item *list,
                            struct qiao_diag *d);
/** Next item: *have is 0 at the end of the list. */
qiao_err qiao_rlp_next(struct qiao_rlp_iter *it, struct qiao_rlp_item *out, int *have,
                       struct qiao_diag *d);
/** Split a list into at most cap items (fails with "too-many-items" past cap). */
qiao_err qiao_rlp_list(struct qiao_rlp_item *items, size_t cap, size_t *count,
                       const struct qiao_rlp_item *list, struct qiao_diag *d);

/** A string item as an unsigned integer of at most 8 bytes, no leading zeros ("non-canonical-int"). */
qiao_err qiao_rlp_u64(uint64_t *v, const struct qiao_rlp_item *it, struct qiao_diag *d);
/** A string item of exactly n bytes, copied into out. */
qiao_err qiao_rlp_fixed(uint8_t *out, size_t n, const struct qiao_rlp_item *it,
                        struct qiao_diag *d);
/** A canonical big-endian unsigned integer of at most n bytes, left-padded with zeros into out[n]. */
qiao_err qiao_rlp_uint_be(uint8_t *out, size_t n, const struct qiao_rlp_item *it,
                          struct qiao_diag *d);

/** Append the encoding of a byte string. */
qiao_err qiao_rlp_put_bytes(struct qiao_buf *b, const void *p, size_t n, struct qiao_diag *d);
/** Append an unsigned integer (minimal big-endian; zero is the empty string). */
qiao_err qiao_rlp_put_u64(struct qiao_buf *b, uint64_t v, struct qiao_diag *d);
/** Append a big-endian unsigned integer given as n bytes, stripping leading zeros. */
qiao_err qiao_rlp_put_uint_be(struct qiao_buf *b, const uint8_t *p, size_t n, struct qiao_diag *d);
/** Append bytes that are already an RLP encoding (no checks). */
qiao_err qiao_rlp_put_raw(struct qiao_buf *b, const void *p, size_t n, struct qiao_diag *d);
/** Begin a list; returns the offset to pass to qiao_rlp_list_end. */
size_t qiao_rlp_list_begin(const struct qiao_buf *b);
/** Close the list begun at start by inserting its header. */
qiao_err qiao_rlp_list_end(struct qiao_buf *b, size_t start, struct qiao_diag *d);

#endif
