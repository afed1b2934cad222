/*
 * dmn_peers.c: the daemon's side of the notary mesh (relay/mesh/mesh.h).
 *
 * The mesh authenticates who a peer is; what a peer says is checked here.  Attestations are only
 * buffered by the callback (bounded) and verified and persisted in the next tick B, so that they
 * join the tick's group commit.  "want" is answered from the store at once (reads only).  When a
 * peer comes up we ask it for every message we have not certified yet, so attestations gossiped
 * while the link was down are not lost.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/daemon/daemon_int.h"
#include "relay/mesh/mesh.h"

static void peer_up(void *user, const uint8_t peer[20])
{
    struct qiao_daemon *dm = user;
    char hex[43];
    qiao_hex_encode0x(hex, peer, 20);
    QIAO_LOG(QIAO_LOG_INFO, "mesh", "peer=%s state=up", hex);
    qiao_dmn_send_wants(dm, peer);
    lws_sul_schedule(dm->lws, 0, &dm->cron, qiao_dmn_cron, 1);
}

static void peer_down(void *user, const uint8_t peer[20], const struct qiao_diag *why)
{
    (void)user;
    char hex[43];
    qiao_hex_encode0x(hex, peer, 20);
    QIAO_LOG(QIAO_LOG_INFO, "mesh", "peer=%s state=down reason=%s", hex, why ? why->reason : "");
}

static void attestation(void *user, const uint8_t peer[20], const uint8_t id[32], uint64_t epoch,
                        const uint8_t sig[65])
{
    struct qiao_daemon *dm = user;
    if (dm->npatt == dm->cappatt) {
        size_t cap = dm->cappatt ? dm->cappatt * 2 : 256;
        void *p = cap <= QIAO_DMN_MAX_PEER_ATTS ? realloc(dm->patts, cap * sizeof(*dm->patts))
                                                : NULL;
        if (!p) { /* the peer will answer our want after the next reconnect */
            qiao_metrics_verify_failure(&dm->metrics, "attestation-backlog-full");
            return;
        }
        dm->patts = p, dm->cappatt = cap;
    }
    struct qiao_dmn_peer_att *a = &dm->patts[dm->npatt++];
    memcpy(a->peer, peer, 20), memcpy(a->id, id, 32), memcpy(a->sig, sig, 65);
    a->epoch = epoch;
    lws_sul_schedule(dm->lws, 0, &dm->cron, qiao_dmn_cron, 1);
}

struct answer {
    struct qiao_daemon *dm;
    const uint8_t *peer;
};

static int answer_cb(void *ctx, const struct qiao_store_att *a)
{
    struct answer *an = ctx;
    qiao_mesh_send_att(an->dm->mesh, an->peer, a->message, a->epoch, a->sig);
    return 0;
}

static void want(void *user, const uint8_t peer[20], const uint8_t (*ids)[32], size_t n)
{
    struct qiao_daemon *dm = user;
    struct answer an = {.dm = dm, .peer = peer};
    struct qiao_diag d = {0};
    if (qiao_store_missing(dm->store, ids, n, dm->committee.epoch, answer_cb, &an, &d))
        QIAO_LOG(QIAO_LOG_WARN, "mesh", "want reason=%s msg=\"%s\"", d.reason, d.msg);
}

static void violation(void *user, const uint8_t *peer, const struct qiao_diag *d)
{
    struct qiao_daemon *dm = user;
    char hex[43] = "unauthenticated";
    if (peer)
        qiao_hex_encode0x(hex, peer, 20);
    QIAO_LOG(QIAO_LOG_WARN, "mesh", "peer=%s violation reason=%s msg=\"%s\"", hex, d->reason,
             d->msg);
    qiao_metrics_verify_failure(&dm->metrics, d->reason);
}

struct wants {
    struct qiao_dmn_ids ids;
};

static int want_cb(void *ctx, const struct qiao_store_msg_row *row)
{
    struct wants *w = ctx;
    qiao_dmn_ids_add(&w->ids, row->msg.id);
    return 0;
}

void qiao_dmn_send_wants(struct qiao_daemon *dm, const uint8_t *peer)
{
    static const enum qiao_msg_state states[] = {QIAO_MSG_OBSERVED, QIAO_MSG_FINAL,
                                                 QIAO_MSG_ATTESTED};
    struct wants w = {0};
    if (!dm->mesh)
        return;
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        qiao_store_msg_list(dm->store, states[i], 0, 4096, want_cb, &w, NULL);
    if (w.ids.n)
        qiao_mesh_send_want(dm->mesh, peer, (const uint8_t(*)[32])w.ids.v, w.ids.n);
    qiao_dmn_ids_clear(&w.ids);
}

qiao_err qiao_dmn_mesh_start(struct qiao_daemon *dm, struct qiao_diag *d)
{
    const struct qiao_config *c = dm->cfg;
    struct qiao_mesh_peer_cfg peers[QIAO_CFG_MAX_PEERS];
    if (c->n_peers == 0)
        return QIAO_OK; /* a committee of one needs no mesh */
    for (unsigned i = 0; i < c->n_peers; i++) {
        memcpy(peers[i].addr, c->peers[i].address, 20);
        peers[i].url = c->peers[i].url;
    }
    struct qiao_mesh_opts o = {
        .listen_host = c->mesh.host, .listen_port = c->mesh.port, .seckey = dm->key.seckey,
        .epoch = dm->committee.epoch, .peers = peers, .npeers = c->n_peers,
        .max_frame = c->peer_frame_bytes, .frames_per_s = c->peer_msgs_per_sec,
        .frame_burst = 2.0 * c->peer_msgs_per_sec,
        .tls_cert = c->tls ? c->tls_cert : NULL, .tls_key = c->tls ? c->tls_key : NULL,
        .tls_ca = c->tls && c->tls_ca[0] ? c->tls_ca : NULL,
    };
    memcpy(o.self, dm->key.address, 20);
    memcpy(o.committee, dm->committee.id, 32);
    struct qiao_mesh_events ev = {.user = dm, .peer_up = peer_up, .peer_down = peer_down,
                                  .attestation = attestation, .want = want,
                                  .violation = violation};
    QIAO_TRY(qiao_mesh_create(&dm->mesh, dm->lws, dm->cx, &o, &ev, d));
    dm->metrics.peers_configured = c->n_peers;
    return QIAO_OK;
}
