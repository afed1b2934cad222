/*
 * transport_lws.c: where the mesh meets lws: the protocol callback (each reason goes to one named
 * function), dialling peers with lws_retry_bo_t backoff, and the lws_sul cron that sends
 * heartbeats and drops connections that stay silent or never authenticate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/log.h"
#include "relay/mesh/transport_int.h"

/* Re-dial quickly at first (a peer restarting), then settle at 5 s so a peer that is down for
 * long costs one connection attempt per 5 s. */
static const uint32_t mesh_backoff_ms[] = {50, 100, 250, 500, 1000, 2000, 5000};

static const lws_retry_bo_t mesh_retry = {
    .retry_ms_table = mesh_backoff_ms,
    .retry_ms_table_count = sizeof(mesh_backoff_ms) / sizeof(mesh_backoff_ms[0]),
    .conceal_count = LWS_RETRY_CONCEAL_ALWAYS,
    .jitter_percent = 20,
};

static struct qiao_mesh *vhost_mesh(struct lws *wsi)
{
    struct qiao_mesh_vh *vhb = lws_vhost_user(lws_get_vhost(wsi));
    return vhb ? vhb->m : NULL;
}

/* A violation before any link exists (the upgrade itself is wrong). */
static int refuse(struct qiao_mesh *m, const struct qiao_diag *d)
{
    QIAO_LOG(QIAO_LOG_WARN, "mesh", "event=violation reason=%s msg=\"%s\"", d->reason, d->msg);
    if (m && m->ev.violation)
        m->ev.violation(m->ev.user, NULL, d);
    return -1;
}

/* The upgrade must ask for our subprotocol, and unauthenticated connections are capped. */
static int on_filter(struct lws *wsi)
{
    struct qiao_mesh *m = vhost_mesh(wsi);
    struct qiao_diag d;
    char proto[64] = {0};
    if (!m)
        return -1;
    if (lws_hdr_copy(wsi, proto, sizeof(proto), WSI_TOKEN_PROTOCOL) <= 0 ||
        strcmp(proto, QIAO_MESH_PROTOCOL) != 0) {
        (void)QIAO_FAIL(&d, QIAO_EINVAL, "wrong-subprotocol",
                        "WebSocket upgrade without subprotocol %s", QIAO_MESH_PROTOCOL);
        return refuse(m, &d);
    }
    if (m->nlinks >= 2 * m->npeers + QIAO_MESH_SPARE_LINKS) {
        (void)QIAO_FAIL(&d, QIAO_ERANGE, "too-many-connections",
                        "%zu mesh connections already open", m->nlinks);
        return refuse(m, &d);
    }
    return 0;
}

static int on_accepted(struct lws *wsi)
{
    struct qiao_mesh *m = vhost_mesh(wsi);
    struct qiao_mesh_link *l = m ? qiao_mesh_link_new(m, 0, NULL) : NULL;
    if (!l)
        return -1;
    lws_set_opaque_user_data(wsi, l);
    return qiao_mesh_link_established(l, wsi);
}

static int on_http(struct lws *wsi)
{
    struct qiao_diag d;
    (void)QIAO_FAIL(&d, QIAO_EINVAL, "not-websocket", "plain HTTP request on the mesh port");
    return refuse(vhost_mesh(wsi), &d);
}

/* OpenSSL's verdict on a client certificate reaches us here, and lws takes our return value as
 * the answer, so the verdict must be passed on: returning 0 would accept any certificate. */
static int on_client_cert(struct lws *wsi, size_t preverify_ok)
{
    struct qiao_diag d;
    if (preverify_ok)
        return 0;
    (void)QIAO_FAIL(&d, QIAO_EVERIFY, "tls-bad-client-cert",
                    "TLS client certificate does not verify against the mesh CA");
    refuse(vhost_mesh(wsi), &d);
    return 1;
}

static void on_connect_error(struct lws *wsi, struct qiao_mesh_link *l, const void *in)
{
    char what[160];
    lws_set_opaque_user_data(wsi, NULL);
    if (l->in_connect) {
        l->connect_failed = 1;
        return;
    }
    snprintf(what, sizeof(what), "cannot connect: %.120s", in ? (const char *)in : "unknown");
    qiao_mesh_link_closed(l, "connect-failed", what);
}

static void on_closed(struct lws *wsi, struct qiao_mesh_link *l)
{
    lws_set_opaque_user_data(wsi, NULL);
    qiao_mesh_link_closed(l, "connection-lost", "connection closed");
}

/* lws finished with the vhost: free what it borrowed (transport_int.h). */
static void on_vhost_gone(struct lws *wsi)
{
    struct qiao_mesh_vh *vhb = lws_vhost_user(lws_get_vhost(wsi));
    if (!vhb || vhb->m)
        return; /* the mesh is still alive: it frees the block itself */
    free(vhb->tls_cert);
    free(vhb->tls_key);
    free(vhb->tls_ca);
    free(vhb);
}

static int mesh_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    if (reason == LWS_CALLBACK_PROTOCOL_DESTROY) {
        on_vhost_gone(wsi);
        return 0;
    }
    struct qiao_mesh_link *l = wsi ? lws_get_opaque_user_data(wsi) : NULL;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return on_filter(wsi);
    case LWS_CALLBACK_ESTABLISHED:
        return on_accepted(wsi);
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        return l ? qiao_mesh_link_established(l, wsi) : -1;
    case LWS_CALLBACK_RECEIVE:
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return l ? qiao_mesh_link_receive(l, in, len) : -1;
    case LWS_CALLBACK_SERVER_WRITEABLE:
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return l ? qiao_mesh_link_writeable(l) : -1;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (l)
            on_connect_error(wsi, l, in);
        return 0;
    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (l)
            on_closed(wsi, l);
        return 0;
    case LWS_CALLBACK_HTTP:
        return on_http(wsi);
    case LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION:
        return on_client_cert(wsi, len);
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

/* rx_buffer_size: a whole default-sized frame arrives in one RECEIVE. */
const struct lws_protocols qiao_mesh_protocols[] = {
    {.name = QIAO_MESH_PROTOCOL, .callback = mesh_callback, .rx_buffer_size = QIAO_MESH_MAX_FRAME},
    {.name = NULL, .callback = NULL},
};

static void dial(struct qiao_mesh_peer *p)
{
    struct qiao_mesh *m = p->m;
    struct qiao_mesh_link *l;
    if (p->dialing || p->up)
        return;
    if (!(l = qiao_mesh_link_new(m, 1, p))) {
        qiao_mesh_schedule_dial(p);
        return;
    }
    p->dialing = l;
    QIAO_LOG(QIAO_LOG_DEBUG, "mesh", "event=dial host=%s port=%d try=%u", p->url.host,
             p->url.port, (unsigned)p->retry_try);
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof(i));
    i.context = m->lws;
    i.vhost = m->vh;
    i.address = p->url.host;
    i.port = p->url.port;
    i.path = p->url.path;
    i.host = p->host_header;
    i.origin = p->host_header;
    i.protocol = QIAO_MESH_PROTOCOL;
    i.local_protocol_name = QIAO_MESH_PROTOCOL;
    i.ssl_connection = m->tls ? LCCSCF_USE_SSL : 0;
    i.opaque_user_data = l;
    l->in_connect = 1;
    struct lws *wsi = lws_client_connect_via_info(&i);
    l->in_connect = 0;
    if (!wsi || l->connect_failed) {
        if (wsi)
            lws_set_opaque_user_data(wsi, NULL);
        qiao_mesh_link_closed(l, "connect-failed", "cannot start the connection");
        return;
    }
    l->wsi = wsi;
}

static void retry_cb(lws_sorted_usec_list_t *sul)
{
    struct qiao_mesh_peer *p = lws_container_of(sul, struct qiao_mesh_peer, sul_retry);
    p->retry_scheduled = 0;
    dial(p);
}

void qiao_mesh_schedule_dial(struct qiao_mesh_peer *p)
{
    if (p->retry_scheduled || p->dialing || p->up)
        return;
    p->retry_scheduled = 1;
    lws_retry_sul_schedule(p->m->lws, 0, &p->sul_retry, &mesh_retry, retry_cb, &p->retry_try);
}

static void cron_cb(lws_sorted_usec_list_t *sul)
{
    struct qiao_mesh *m = lws_container_of(sul, struct qiao_mesh, sul_cron);
    uint64_t now = qiao_mesh_now_ms();
    for (struct qiao_mesh_link *l = m->links; l; l = l->next)
        qiao_mesh_link_tick(l, now);
    lws_sul_schedule(m->lws, 0, &m->sul_cron, cron_cb, (lws_usec_t)m->tick_ms * LWS_US_PER_MS);
}

void qiao_mesh_start(struct qiao_mesh *m)
{
    lws_sul_schedule(m->lws, 0, &m->sul_cron, cron_cb, (lws_usec_t)m->tick_ms * LWS_US_PER_MS);
    /* Dial from the loop, not from inside qiao_mesh_create. */
    for (size_t i = 0; i < m->npeers; i++)
        if (m->peers[i].dial) {
            m->peers[i].retry_scheduled = 1;
            lws_sul_schedule(m->lws, 0, &m->peers[i].sul_retry, retry_cb, 1);
        }
}
