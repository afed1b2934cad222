/* test_metrics.c: Prometheus rendering: histogram buckets are cumulative, reasons are sanitised
 * and capped, every family has HELP and TYPE lines. */
#include <stdio.h>
#include <string.h>

#include "relay/api/metrics.h"
#include "tests/qt.h"

static int has(const struct qiao_buf *b, const char *line)
{
    return b->len && strstr((const char *)b->p, line) != NULL;
}

int main(void)
{
    struct qiao_metrics m;
    struct qiao_buf b = {0};
    qiao_metrics_init(&m);
    m.backlog = 7;
    m.delivered_total = 1000;
    m.peers_up = 3;
    m.peers_configured = 3;
    qiao_metrics_observe_latency(&m, 0.2);
    qiao_metrics_observe_latency(&m, 1.5);
    qiao_metrics_observe_latency(&m, 1.5);
    qiao_metrics_observe_latency(&m, 5000);
    qiao_metrics_verify_failure(&m, "high-s");
    qiao_metrics_verify_failure(&m, "high-s");
    qiao_metrics_verify_failure(&m, "bad\"}\nlabel");
    for (int i = 0; i < 40; i++) {
        char r[16];
        snprintf(r, sizeof(r), "r%d", i);
        qiao_metrics_verify_failure(&m, r);
    }
    QT_CHECK(qiao_metrics_render(&b, &m, NULL) == QIAO_OK);
    qiao_buf_push(&b, 0, NULL);
    QT_CHECK(has(&b, "qiao_backlog_messages 7\n"));
    QT_CHECK(has(&b, "qiao_messages_delivered_total 1000\n"));
    QT_CHECK(has(&b, "# TYPE qiao_delivery_latency_seconds histogram\n"));
    QT_CHECK(has(&b, "qiao_delivery_latency_seconds_bucket{le=\"0.5\"} 1\n"));
    QT_CHECK(has(&b, "qiao_delivery_latency_seconds_bucket{le=\"2\"} 3\n"));
    QT_CHECK(has(&b, "qiao_delivery_latency_seconds_bucket{le=\"1800\"} 3\n"));
    QT_CHECK(has(&b, "qiao_delivery_latency_seconds_bucket{le=\"+Inf\"} 4\n"));
    QT_CHECK(has(&b, "qiao_delivery_latency_seconds_count 4\n"));
    QT_CHECK(has(&b, "qiao_verification_failures_total{reason=\"high-s\"} 2\n"));
    QT_CHECK(has(&b, "qiao_verification_failures_total{reason=\"bad___label\"} 1\n"));
    QT_CHECK(has(&b, "{reason=\"other\"}"));
    QT_CHECK(m.verify_failure_kinds == QIAO_METRICS_MAX_REASONS);
    QT_CHECK(has(&b, "qiao_peers_up 3\n"));
    qiao_buf_clear(&b);
    return qt_finish();
}
