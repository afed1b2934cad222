/*
 * dmn_page.c: GET /metrics (Prometheus text) and GET / (a plain status page that refreshes
 * itself every five seconds).  Both are rendered from the same numbers `status` reports.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/daemon/daemon_int.h"
#include "relay/mesh/mesh.h"
#include "relay/store/messages.h"

qiao_err qiao_dmn_metrics(void *user, struct qiao_buf *out, struct qiao_diag *d)
{
    struct qiao_daemon *dm = user;
    int64_t age = 0;
    qiao_store_msg_backlog(dm->store, &dm->metrics.backlog, &age, NULL);
    dm->metrics.oldest_pending_age_s = (double)age / 1000.0;
    dm->metrics.peers_up = dm->mesh ? qiao_mesh_peers_up(dm->mesh) : 0;
    dm->metrics.peers_configured = dm->cfg->n_peers;
    QIAO_TRY(qiao_metrics_render(out, &dm->metrics, d));
    QIAO_TRY(qiao_buf_printf(out, d, "# HELP qiao_alerts_total Alerts raised (reorgs below finality or "
                     "below certified messages).\n# TYPE qiao_alerts_total counter\n"
                     "qiao_alerts_total %llu\n", (unsigned long long)dm->alerts));
    QIAO_TRY(qiao_buf_printf(out, d, "# HELP qiao_chain_tip Verified tip height per chain.\n"
                     "# TYPE qiao_chain_tip gauge\n"));
    for (unsigned i = 0; i < dm->cfg->n_chains; i++)
        QIAO_TRY(qiao_buf_printf(out, d, "qiao_chain_tip{chain=\"%llu\"} %llu\n",
                         (unsigned long long)dm->cfg->chains[i].id,
                         (unsigned long long)dm->views[i].tip));
    QIAO_TRY(qiao_buf_printf(out, d, "# HELP qiao_chain_head_lag Node head minus verified tip.\n"
                     "# TYPE qiao_chain_head_lag gauge\n"));
    for (unsigned i = 0; i < dm->cfg->n_chains; i++) {
        const struct qiao_dmn_chain_view *v = &dm->views[i];
        QIAO_TRY(qiao_buf_printf(out, d, "qiao_chain_head_lag{chain=\"%llu\"} %llu\n",
                         (unsigned long long)dm->cfg->chains[i].id,
                         v->node_head > v->tip ? (unsigned long long)(v->node_head - v->tip) : 0ull));
    }
    return QIAO_OK;
}

/* Text that goes into HTML: escape the five special characters. */
static qiao_err html_text(struct qiao_buf *b, const char *s, struct qiao_diag *d)
{
    for (; *s; s++) {
        const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
                        : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        QIAO_TRY(e ? qiao_buf_append(b, e, strlen(e), d) : qiao_buf_push(b, (uint8_t)*s, d));
    }
    return QIAO_OK;
}

qiao_err qiao_dmn_status_html(void *user, struct qiao_buf *out, struct qiao_diag *d)
{
    struct qiao_daemon *dm = user;
    uint64_t n[QIAO_MSG_STATE_COUNT] = {0}, backlog = 0;
    int64_t age = 0;
    qiao_store_msg_counts(dm->store, n, NULL);
    qiao_store_msg_backlog(dm->store, &backlog, &age, NULL);
    QIAO_TRY(qiao_buf_printf(out, d, "<!doctype html><html><head><meta charset=\"utf-8\">"
                     "<meta http-equiv=\"refresh\" content=\"5\"><title>Qiao notary %s</title>"
                     "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;"
                     "text-align:left}</style></head><body><h1>Qiao notary %s</h1>"
                     "<p>Committee epoch %llu, k=%u of n=%zu; this notary is member %u.</p>",
                     dm->self_label, dm->self_label, (unsigned long long)dm->committee.epoch,
                     dm->committee.k, dm->committee.n, dm->self_index));
    QIAO_TRY(qiao_buf_printf(out, d, "<h2>Chains</h2><table><tr><th>chain</th><th>verified tip</th>"
                     "<th>finalized</th><th>node head</th><th>RPC</th></tr>"));
    for (unsigned i = 0; i < dm->cfg->n_chains; i++) {
        const struct qiao_dmn_chain_view *v = &dm->views[i];
        QIAO_TRY(qiao_buf_printf(out, d, "<tr><td>%s (%llu)</td><td>%llu</td><td>%llu</td><td>%llu</td>"
                         "<td>", dm->cfg->chains[i].name,
                         (unsigned long long)dm->cfg->chains[i].id, (unsigned long long)v->tip,
                         (unsigned long long)v->final_height, (unsigned long long)v->node_head));
        QIAO_TRY(html_text(out, v->seen && v->rpc_ok ? "ok" : v->error[0] ? v->error : "waiting", d));
        QIAO_TRY(qiao_buf_printf(out, d, "</td></tr>"));
    }
    QIAO_TRY(qiao_buf_printf(out, d, "</table><h2>Peers</h2><table><tr><th>peer</th><th>state</th></tr>"));
    for (unsigned i = 0; i < dm->cfg->n_peers; i++) {
        int up = dm->mesh && qiao_mesh_peer_is_up(dm->mesh, dm->cfg->peers[i].address);
        QIAO_TRY(qiao_buf_printf(out, d, "<tr><td>"));
        QIAO_TRY(html_text(out, dm->cfg->peers[i].id, d));
        QIAO_TRY(qiao_buf_printf(out, d, "</td><td>%s</td></tr>", up ? "up" : "down"));
    }
    QIAO_TRY(qiao_buf_printf(out, d, "</table><h2>Messages</h2><table>"));
    for (int i = 0; i < QIAO_MSG_STATE_COUNT; i++)
        QIAO_TRY(qiao_buf_printf(out, d, "<tr><td>%s</td><td>%llu</td></tr>",
                         qiao_msg_state_name((enum qiao_msg_state)i), (unsigned long long)n[i]));
    QIAO_TRY(qiao_buf_printf(out, d, "</table><p>Backlog %llu, oldest pending %.1f s. Alerts: %llu.</p>",
                     (unsigned long long)backlog, (double)age / 1000.0,
                     (unsigned long long)dm->alerts));
    if (dm->last_alert[0]) {
        QIAO_TRY(qiao_buf_printf(out, d, "<p><strong>Last alert:</strong> "));
        QIAO_TRY(html_text(out, dm->last_alert, d));
        QIAO_TRY(qiao_buf_printf(out, d, "</p>"));
    }
    return qiao_buf_printf(out, d, "</body></html>\n");
}
