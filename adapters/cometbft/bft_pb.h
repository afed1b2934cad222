/*
 * bft_pb.h: the smallest protobuf encoder CometBFT's hashes and sign-bytes need.
 *
 * Only encoding, only the wire types CometBFT's canonical messages use (varint, fixed64,
 * length-delimited), and proto3 semantics: scalar fields equal to zero and empty byte strings are
 * omitted, as Go's gogoproto and Rust's prost both do.  Embedded messages that gogoproto declares
 * non-nullable are always written, even when empty; callers choose with qiao_bft_pb_msg.
 *
 * The writer fills caller storage and has a sticky overflow flag, so a sequence of writes needs one
 * check at the end (qiao_bft_pb_finish).  No allocation.
 */
#ifndef QIAO_BFT_PB_H
#define QIAO_BFT_PB_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

struct qiao_bft_pb {
    uint8_t *p;
    size_t cap;
    size_t len;
    int overflow; /* set by any write that did not fit; later writes are dropped */
};

/** Start writing into p[0..cap). */
void qiao_bft_pb_init(struct qiao_bft_pb *w, uint8_t *p, size_t cap);
/** Raw bytes, no tag or length (for a delimited message's body). */
void qiao_bft_pb_raw(struct qiao_bft_pb *w, const void *p, size_t n);
/** Raw base-128 varint (no tag). */
void qiao_bft_pb_varint(struct qiao_bft_pb *w, uint64_t v);
/** Field `field` as a varint of v (uint32/uint64/enum, or int64 as two's complement); 0 omitted. */
void qiao_bft_pb_uint(struct qiao_bft_pb *w, uint32_t field, uint64_t v);
/** Field `field` as sfixed64 (little-endian 8 bytes); 0 omitted. */
void qiao_bft_pb_sfixed64(struct qiao_bft_pb *w, uint32_t field, int64_t v);
/** Field `field` as bytes or string; empty omitted (proto3). */
void qiao_bft_pb_bytes(struct qiao_bft_pb *w, uint32_t field, const void *p, size_t n);
/** Field `field` as an embedded message of n bytes, written even when empty (non-nullable). */
void qiao_bft_pb_msg(struct qiao_bft_pb *w, uint32_t field, const void *p, size_t n);

/**
 * Returns: QIAO_OK, or QIAO_ERANGE ("pb-overflow") when any write did not fit.
 * In: what names the message for the diagnostic.
 */
qiao_err qiao_bft_pb_finish(const struct qiao_bft_pb *w, const char *what, struct qiao_diag *d);

#endif
