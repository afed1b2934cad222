/* test_transport.c: four notary meshes (one committee, four keys) on one lws context over real
 * sockets on 127.0.0.1: all six links authenticate; broadcast attestations reach every peer
 * exactly once; want requests arrive split into frames; destroying one mesh is seen as peer_down
 * and re-creating it brings it back (the lower address re-dials with backoff); a partition that
 * stops two of four leaves the other two with exactly one peer each, and it heals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "relay/core/log.h"
#include "relay/core/secp.h"
#include "tests/qt.h"
#include "tests/unit/mesh/mesh_harness.h"

#define N 4
#define EPOCH 3

struct world {
    struct lws_context *ctx;
    struct qiao_crypto *cx;
    struct qiao_mesh *m[N];
    struct mh_rec rec[N];
    int port[N];
    char url[N][64];
};

static void opts_for(struct world *w, int i, struct qiao_mesh_opts *o,
                     struct qiao_mesh_peer_cfg *peers)
{
    size_t np = 0;
    memset(o, 0, sizeof(*o));
    o->listen_port = w->port[i];
    o->seckey = mh_keys[i].sk;
    memcpy(o->self, mh_keys[i].addr, 20);
    memcpy(o->committee, mh_committee, 32);
    o->epoch = EPOCH;
    o->heartbeat_ms = 100;
    o->dead_after_ms = 1500;
    for (int j = 0; j < N; j++) {
        if (j == i)
            continue;
        memcpy(peers[np].addr, mh_keys[j].addr, 20);
        /* Only the lower address dials, so only it needs the other's URL. */
        peers[np].url = j > i ? w->url[j] : NULL;
        np++;
    }
    o->peers = peers;
    o->npeers = np;
}

static int start(struct world *w, int i)
{
    struct qiao_mesh_opts o;
    struct qiao_mesh_peer_cfg peers[N];
    struct qiao_mesh_events ev = mh_events(&w->rec[i]);
    struct qiao_diag d = {0};
    opts_for(w, i, &o, peers);
    /* Re-creating on the port just released: retry briefly while the old listener goes. */
    for (int tries = 0; tries < 150; tries++) {
        if (qiao_mesh_create(&w->m[i], w->ctx, w->cx, &o, &ev, &d) == QIAO_OK) {
            if (getenv("QIAO_TEST_DEBUG"))
                fprintf(stderr, "mesh %d created after %d tries\n", i, tries);
            break;
        }
        mh_service_for(w->ctx, 100);
    }
    QT_CHECKF(w->m[i] != NULL, "mesh %d: %s: %s", i, d.reason, d.msg);
    if (!w->m[i])
        return -1;
    w->port[i] = qiao_mesh_listen_port(w->m[i]);
    if (getenv("QIAO_TEST_DEBUG"))
        fprintf(stderr, "mesh %d listens on %d (asked %d)\n", i, w->port[i], o.listen_port);
    snprintf(w->url[i], sizeof(w->url[i]), "ws://127.0.0.1:%d/", w->port[i]);
    return 0;
}

static void stop(struct world *w, int i)
{
    qiao_mesh_destroy(w->m[i]);
    w->m[i] = NULL;
}

struct want_up {
    struct world *w;
    size_t up[N]; /* wanted peers_up per live mesh */
};

static int all_up(void *arg)
{
    struct want_up *u = arg;
    for (int i = 0; i < N; i++)
        if (u->w->m[i] && qiao_mesh_peers_up(u->w->m[i]) != u->up[i])
            return 0;
    return 1;
}

static int wait_up(struct world *w, size_t a, size_t b, size_t c, size_t e, unsigned ms)
{
    struct want_up u = {.w = w, .up = {a, b, c, e}};
    return mh_service_until(w->ctx, all_up, &u, ms);
}

static int atts_in(void *arg)
{
    struct world *w = arg;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            if (i != j && w->rec[i].att[j] < 1)
                return 0;
    return 1;
}

static void test_broadcast(struct world *w)
{
    uint8_t id[32], sig[65];
    for (int i = 0; i < N; i++) {
        memset(id, 0xa0 + i, 32);
        memset(sig, 0x50 + i, 65);
        QT_CHECK(qiao_mesh_send_att(w->m[i], NULL, id, EPOCH, sig) == N - 1);
    }
    QT_CHECK(mh_service_until(w->ctx, atts_in, w, 5000));
    mh_service_for(w->ctx, 300); /* anything duplicated would arrive by now */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            if (i == j) {
                QT_CHECK(w->rec[i].att[j] == 0);
                continue;
            }
            QT_CHECKF(w->rec[i].att[j] == 1, "mesh %d got %d attestations from %d", i,
                      w->rec[i].att[j], j);
            memset(id, 0xa0 + j, 32);
            memset(sig, 0x50 + j, 65);
            QT_CHECK_MEM(w->rec[i].att_id[j], id, 32);
            QT_CHECK_MEM(w->rec[i].att_sig[j], sig, 65);
            QT_CHECK(w->rec[i].att_epoch[j] == EPOCH);
        }
    /* One peer only. */
    memset(id, 0xee, 32);
    QT_CHECK(qiao_mesh_send_att(w->m[0], mh_keys[3].addr, id, EPOCH, sig) == 1);
    mh_service_for(w->ctx, 200);
    QT_CHECK(w->rec[3].att[0] == 2 && w->rec[1].att[0] == 1 && w->rec[2].att[0] == 1);
}

static int wants_in(void *arg)
{
    struct world *w = arg;
    for (int i = 1; i < N; i++)
        if (w->rec[i].want_ids[0] < 300)
            return 0;
    return 1;
}

static void test_want(struct world *w)
{
    static uint8_t ids[300][32];
    for (int k = 0; k < 300; k++)
        memset(ids[k], k & 0xff, 32), ids[k][0] = (uint8_t)(k >> 8);
    QT_CHECK(qiao_mesh_send_want(w->m[0], NULL, (const uint8_t(*)[32])ids, 300) == N - 1);
    QT_CHECK(mh_service_until(w->ctx, wants_in, w, 5000));
    for (int i = 1; i < N; i++) {
        QT_CHECK(w->rec[i].want_ids[0] == 300);
        QT_CHECK(w->rec[i].want_frames[0] == 2); /* 256 + 44 */
        QT_CHECK_MEM(w->rec[i].first_want_id, ids[0], 32);
        QT_CHECK_MEM(w->rec[i].last_want_id, ids[299], 32);
    }
}

static void test_restart(struct world *w)
{
    /* Mesh 1 both dials (2, 3) and accepts (0). */
    stop(w, 1);
    QT_CHECK(wait_up(w, 2, 0, 2, 2, 5000));
    for (int i = 0; i < N; i++)
        if (i != 1)
            QT_CHECKF(w->rec[i].down[1] == 1, "mesh %d saw %d downs of 1", i, w->rec[i].down[1]);
    QT_CHECK(w->rec[0].down_reason[0] != 0);
    memset(&w->rec[1], 0, sizeof(w->rec[1]));
    QT_CHECK(start(w, 1) == 0);
    QT_CHECK(wait_up(w, 3, 3, 3, 3, 10000));
    for (int i = 0; i < N; i++)
        if (i != 1)
            QT_CHECKF(w->rec[i].up[1] == 2, "mesh %d saw %d ups of 1", i, w->rec[i].up[1]);
    /* The restarted mesh works: an attestation from it reaches everyone once. */
    uint8_t id[32], sig[65];
    memset(id, 0x77, 32), memset(sig, 0x66, 65);
    int before = w->rec[0].att[1];
    QT_CHECK(qiao_mesh_send_att(w->m[1], NULL, id, EPOCH, sig) == N - 1);
    mh_service_for(w->ctx, 300);
    QT_CHECK(w->rec[0].att[1] == before + 1);
}

static void test_partition(struct world *w)
{
    stop(w, 2);
    stop(w, 3);
    QT_CHECK(wait_up(w, 1, 1, 0, 0, 5000));
    mh_service_for(w->ctx, 500);
    QT_CHECK(qiao_mesh_peers_up(w->m[0]) == 1 && qiao_mesh_peers_up(w->m[1]) == 1);
    QT_CHECK(qiao_mesh_peer_is_up(w->m[0], mh_keys[1].addr));
    QT_CHECK(!qiao_mesh_peer_is_up(w->m[0], mh_keys[2].addr));
    QT_CHECK(!qiao_mesh_peer_is_up(w->m[1], mh_keys[3].addr));
    /* Heal. */
    QT_CHECK(start(w, 3) == 0);
    QT_CHECK(start(w, 2) == 0);
    QT_CHECK(wait_up(w, 3, 3, 3, 3, 10000));
}

static void test_bad_opts(struct world *w)
{
    struct qiao_mesh_opts o;
    struct qiao_mesh_peer_cfg peers[N];
    struct qiao_mesh *m = NULL;
    struct qiao_diag d = {0};
    struct mh_rec rec;
    struct qiao_mesh_events ev = mh_events(&rec);
    opts_for(w, 0, &o, peers);
    o.self[0] ^= 1; /* not the key's address */
    QT_CHECK(qiao_mesh_create(&m, w->ctx, w->cx, &o, &ev, &d) == QIAO_EINVAL && !m);
    QT_CHECK(strcmp(d.reason, "bad-opts") == 0);
    opts_for(w, 0, &o, peers);
    peers[0].url = NULL; /* 0 dials everyone */
    QT_CHECK(qiao_mesh_create(&m, w->ctx, w->cx, &o, &ev, &d) == QIAO_EINVAL && !m);
    opts_for(w, 0, &o, peers);
    peers[0].url = "http://127.0.0.1:1/";
    QT_CHECK(qiao_mesh_create(&m, w->ctx, w->cx, &o, &ev, &d) == QIAO_EINVAL && !m);
    opts_for(w, 0, &o, peers);
    memcpy(peers[1].addr, peers[0].addr, 20);
    QT_CHECK(qiao_mesh_create(&m, w->ctx, w->cx, &o, &ev, &d) == QIAO_EINVAL && !m);
    opts_for(w, 0, &o, peers);
    o.tls_cert = "/nonexistent";
    QT_CHECK(qiao_mesh_create(&m, w->ctx, w->cx, &o, &ev, &d) == QIAO_EINVAL && !m);
    QT_CHECK(strstr(d.msg, "tls_key") != NULL);
    opts_for(w, 0, &o, peers);
    o.dead_after_ms = 50;
    QT_CHECK(qiao_mesh_create(&m, w->ctx, w->cx, &o, &ev, &d) == QIAO_EINVAL && !m);
    opts_for(w, 0, &o, peers);
    o.listen_port = w->port[3]; /* taken */
    QT_CHECK(qiao_mesh_create(&m, w->ctx, w->cx, &o, &ev, &d) == QIAO_EIO && !m);
    QT_CHECK(strcmp(d.reason, "lws-vhost") == 0);
    qiao_mesh_destroy(NULL);
}

int main(void)
{
    static struct world w;
    if (getenv("QIAO_TEST_DEBUG"))
        qiao_log_threshold = QIAO_LOG_DEBUG;
    w.cx = qiao_crypto_create();
    w.ctx = mh_context();
    QT_CHECK(w.cx && w.ctx);
    if (!w.cx || !w.ctx)
        return qt_finish();
    mh_make_keys(w.cx, N);
    /* Highest address first: each mesh then knows the ports of the ones it dials. */
    for (int i = N - 1; i >= 0; i--)
        start(&w, i);
    QT_CHECK(wait_up(&w, 3, 3, 3, 3, 10000));
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            QT_CHECKF(w.rec[i].up[j] == (i != j), "mesh %d saw %d ups of %d", i, w.rec[i].up[j], j);
    test_broadcast(&w);
    test_want(&w);
    test_restart(&w);
    test_partition(&w);
    test_bad_opts(&w);
    for (int i = 0; i < N; i++)
        QT_CHECKF(w.rec[i].violations == 0, "mesh %d: violation %s", i, w.rec[i].violation);
    for (int i = 0; i < N; i++)
        stop(&w, i);
    mh_service_for(w.ctx, 100);
    lws_context_destroy(w.ctx);
    qiao_crypto_destroy(w.cx);
    return qt_finish();
}
