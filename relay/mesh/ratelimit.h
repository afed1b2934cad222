/*
 * ratelimit.h: a token bucket per peer, for frames and for bytes.
 *
 * A peer that floods us is throttled, then disconnected by the caller when it keeps going; pure
 * arithmetic on a caller-supplied clock so tests need no sleeping.
 */
#ifndef QIAO_MESH_RATELIMIT_H
#define QIAO_MESH_RATELIMIT_H

#include <stdint.h>

struct qiao_bucket {
    double tokens;   /* current balance */
    double rate;     /* tokens added per second */
    double burst;    /* maximum balance */
    uint64_t last_ms;
};

/** Start full. */
void qiao_bucket_init(struct qiao_bucket *b, double rate, double burst, uint64_t now_ms);
/** Spend cost tokens at now_ms: 1 when allowed, 0 when the bucket is short (nothing spent). */
int qiao_bucket_take(struct qiao_bucket *b, double cost, uint64_t now_ms);

#endif
