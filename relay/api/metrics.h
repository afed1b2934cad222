/*
 * metrics.h: the daemon's counters and the Prometheus text rendering of /metrics.
 *
 * Pure bookkeeping: the daemon bumps counters from its one service thread and renders on request.
 * Names follow Prometheus conventions (qiao_ prefix, _total for counters, _seconds for durations).
 * Label values are restricted to [a-z0-9_-] so no escaping is ever needed, which keeps a hostile
 * reason string from breaking the exposition format.
 */
#ifndef QIAO_API_METRICS_H
#define QIAO_API_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

#define QIAO_METRICS_BUCKETS 12
#define QIAO_METRICS_MAX_REASONS 32

/** Latency histogram from source inclusion to destination delivery, in seconds. */
struct qiao_histogram {
    uint64_t counts[QIAO_METRICS_BUCKETS + 1]; /* last slot: +Inf */
    double sum;
    uint64_t total;
};

struct qiao_metrics {
    uint64_t backlog;            /* messages not yet delivered or failed */
    double oldest_pending_age_s; /* age of the oldest undelivered message */
    uint64_t delivered_total;
    uint64_t failed_total;
    uint64_t peers_up;
    uint64_t peers_configured;
    struct qiao_histogram latency;
    struct {
        char reason[QIAO_DIAG_REASON_MAX];
        uint64_t count;
    } verify_failures[QIAO_METRICS_MAX_REASONS];
    size_t verify_failure_kinds;
};

/** Upper bounds of the latency buckets, seconds. */
extern const double qiao_metrics_bucket_bounds[QIAO_METRICS_BUCKETS];

void qiao_metrics_init(struct qiao_metrics *m);
/** Record one delivery latency. */
void qiao_metrics_observe_latency(struct qiao_metrics *m, double seconds);
/** Count a verification failure by reason (sanitised; reasons beyond the cap count as "other"). */
void qiao_metrics_verify_failure(struct qiao_metrics *m, const char *reason);
/** Render the Prometheus text exposition (version 0.0.4) into b. */
qiao_err qiao_metrics_render(struct qiao_buf *b, const struct qiao_metrics *m,
                             struct qiao_diag *d);

#endif
