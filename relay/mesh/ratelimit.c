/* ratelimit.c: token bucket (see ratelimit.h). */
#include "relay/mesh/ratelimit.h"

void qiao_bucket_init(struct qiao_bucket *b, double rate, double burst, uint64_t now_ms)
{
    b->rate = rate;
    b->burst = burst;
    b->tokens = burst;
    b->last_ms = now_ms;
}

int qiao_bucket_take(struct qiao_bucket *b, double cost, uint64_t now_ms)
{
    /* A clock that steps backwards refills nothing rather than minting tokens. */
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * b->rate / 1000.0;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_ms = now_ms;
    }
    if (b->tokens < cost)
        return 0;
    b->tokens -= cost;
    return 1;
}
