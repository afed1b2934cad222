/* metrics.c: counters and Prometheus text rendering (see metrics.h). */
#include "relay/api/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const double qiao_metrics_bucket_bounds[QIAO_METRICS_BUCKETS] = {
    0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800,
};

void qiao_metrics_init(struct qiao_metrics *m)
{
    memset(m, 0, sizeof(*m));
}

void qiao_metrics_observe_latency(struct qiao_metrics *m, double seconds)
{
    size_t i = 0;
    while (i < QIAO_METRICS_BUCKETS && seconds > qiao_metrics_bucket_bounds[i])
        i++;
    m->latency.counts[i]++;
    m->latency.sum += seconds;
    m->latency.total++;
}

static void sanitise(char *out, size_t cap, const char *in)
{
    size_t n = 0;
    for (; in && *in && n + 1 < cap; in++) {
        char c = *in;
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        out[n++] = ok ? c : '_';
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, cap, "unknown");
}

void qiao_metrics_verify_failure(struct qiao_metrics *m, const char *reason)
{
    char clean[QIAO_DIAG_REASON_MAX];
    sanitise(clean, sizeof(clean), reason);
    size_t i = 0;
    while (i < m->verify_failure_kinds && strcmp(m->verify_failures[i].reason, clean) != 0)
        i++;
    if (i == m->verify_failure_kinds) {
        if (i == QIAO_METRICS_MAX_REASONS) {
            i--; /* the last slot absorbs every further kind */
            snprintf(m->verify_failures[i].reason, QIAO_DIAG_REASON_MAX, "other");
        } else {
            snprintf(m->verify_failures[i].reason, QIAO_DIAG_REASON_MAX, "%s", clean);
            m->verify_failure_kinds++;
        }
    }
    m->verify_failures[i].count++;
}

static qiao_err render_gauges(struct qiao_buf *b, const struct qiao_metrics *m, struct qiao_diag *d)
{
    QIAO_TRY(qiao_buf_printf(b, d, "# HELP qiao_backlog_messages Messages observed but not yet delivered or failed.\n"
                        "# TYPE qiao_backlog_messages gauge\nqiao_backlog_messages %llu\n",
                  (unsigned long long)m->backlog));
    QIAO_TRY(qiao_buf_printf(b, d, "# HELP qiao_oldest_pending_age_seconds Age of the oldest undelivered message.\n"
                        "# TYPE qiao_oldest_pending_age_seconds gauge\n"
                        "qiao_oldest_pending_age_seconds %.3f\n", m->oldest_pending_age_s));
    QIAO_TRY(qiao_buf_printf(b, d, "# HELP qiao_messages_delivered_total Messages confirmed delivered.\n"
                        "# TYPE qiao_messages_delivered_total counter\n"
                        "qiao_messages_delivered_total %llu\n",
                  (unsigned long long)m->delivered_total));
    QIAO_TRY(qiao_buf_printf(b, d, "# HELP qiao_messages_failed_total Message failures (each retried).\n"
                        "# TYPE qiao_messages_failed_total counter\nqiao_messages_failed_total %llu\n",
                  (unsigned long long)m->failed_total));
    return qiao_buf_printf(b, d, "# HELP qiao_peers_up Authenticated notary peers connected now.\n"
                      "# TYPE qiao_peers_up gauge\nqiao_peers_up %llu\n"
                      "# HELP qiao_peers_configured Notary peers in the configuration.\n"
                      "# TYPE qiao_peers_configured gauge\nqiao_peers_configured %llu\n",
                (unsigned long long)m->peers_up, (unsigned long long)m->peers_configured);
}

static qiao_err render_latency(struct qiao_buf *b, const struct qiao_metrics *m, struct qiao_diag *d)
{
    uint64_t cumulative = 0;
    QIAO_TRY(qiao_buf_printf(b, d, "# HELP qiao_delivery_latency_seconds Source inclusion to destination delivery.\n"
                        "# TYPE qiao_delivery_latency_seconds histogram\n"));
    for (size_t i = 0; i < QIAO_METRICS_BUCKETS; i++) {
        cumulative += m->latency.counts[i];
        QIAO_TRY(qiao_buf_printf(b, d, "qiao_delivery_latency_seconds_bucket{le=\"%g\"} %llu\n",
                      qiao_metrics_bucket_bounds[i], (unsigned long long)cumulative));
    }
    cumulative += m->latency.counts[QIAO_METRICS_BUCKETS];
    return qiao_buf_printf(b, d, "qiao_delivery_latency_seconds_bucket{le=\"+Inf\"} %llu\n"
                      "qiao_delivery_latency_seconds_sum %.3f\n"
                      "qiao_delivery_latency_seconds_count %llu\n",
                (unsigned long long)cumulative, m->latency.sum, (unsigned long long)m->latency.total);
}

qiao_err qiao_metrics_render(struct qiao_buf *b, const struct qiao_metrics *m, struct qiao_diag *d)
{
    QIAO_TRY(render_gauges(b, m, d));
    QIAO_TRY(render_latency(b, m, d));
    QIAO_TRY(qiao_buf_printf(b, d, "# HELP qiao_verification_failures_total Rejected headers, proofs, "
                        "signatures and frames, by reason.\n"
                        "# TYPE qiao_verification_failures_total counter\n"));
    for (size_t i = 0; i < m->verify_failure_kinds; i++)
        QIAO_TRY(qiao_buf_printf(b, d, "qiao_verification_failures_total{reason=\"%s\"} %llu\n",
                      m->verify_failures[i].reason, (unsigned long long)m->verify_failures[i].count));
    return QIAO_OK;
}
