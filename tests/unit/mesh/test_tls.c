/* test_tls.c: two meshes over wss with mutual TLS (a throwaway CA made with the openssl tool):
 * the link authenticates and carries an attestation; a raw plain-TCP WebSocket upgrade on the TLS
 * port gets nowhere; a dialler whose certificate comes from another CA is refused by the server,
 * and a server with such a certificate is refused by the dialler, so neither reaches peer_up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "relay/core/log.h"
#include "tests/qt.h"
#include "tests/unit/mesh/mesh_harness.h"

#define EPOCH 4

static char dir[64];

static int sh(const char *fmt, const char *a)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), fmt, a, a, a, a, a, a, a, a);
    return system(cmd);
}

/* CA "ca" and "ca2"; node certificates for 127.0.0.1 signed by each. */
static int make_certs(void)
{
    snprintf(dir, sizeof(dir), "/tmp/qiao-mesh-tls-%d", (int)getpid());
    if (sh("mkdir -p %s && cd %s && "
           "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
           "-subj /CN=qiao-test-ca -keyout ca.key -out ca.pem >/dev/null 2>&1 && "
           "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
           "-subj /CN=qiao-other-ca -keyout ca2.key -out ca2.pem >/dev/null 2>&1 && "
           "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext && "
           "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 "
           "-keyout node.key -out node.csr >/dev/null 2>&1 && "
           "openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
           "-extfile san.ext -out node.pem >/dev/null 2>&1 && "
           "openssl x509 -req -in node.csr -CA ca2.pem -CAkey ca2.key -CAcreateserial -days 2 "
           "-extfile san.ext -out node2.pem >/dev/null 2>&1",
           dir) != 0)
        return -1;
    return 0;
}

struct world {
    struct lws_context *ctx;
    struct qiao_crypto *cx;
    struct qiao_mesh *m[3];
    struct mh_rec rec[3];
    char url[3][64];
    char cert[3][128], key[128], ca[128];
};

/* Mesh i with one peer (the lower address dials); cert names node.pem or node2.pem. */
static int start(struct world *w, int i, int peer, const char *cert)
{
    struct qiao_mesh_peer_cfg p = {.url = i < peer ? w->url[peer] : NULL};
    struct qiao_mesh_opts o;
    struct qiao_mesh_events ev = mh_events(&w->rec[i]);
    struct qiao_diag d = {0};
    memcpy(p.addr, mh_keys[peer].addr, 20);
    memset(&o, 0, sizeof(o));
    o.seckey = mh_keys[i].sk;
    memcpy(o.self, mh_keys[i].addr, 20);
    memcpy(o.committee, mh_committee, 32);
    o.epoch = EPOCH;
    o.peers = &p;
    o.npeers = 1;
    o.heartbeat_ms = 100;
    o.dead_after_ms = 1000;
    snprintf(w->cert[i], sizeof(w->cert[i]), "%s/%s", dir, cert);
    o.tls_cert = w->cert[i];
    o.tls_key = w->key;
    o.tls_ca = w->ca;
    if (qiao_mesh_create(&w->m[i], w->ctx, w->cx, &o, &ev, &d)) {
        QT_CHECKF(0, "mesh %d: %s: %s", i, d.reason, d.msg);
        return -1;
    }
    snprintf(w->url[i], sizeof(w->url[i]), "wss://127.0.0.1:%d/", qiao_mesh_listen_port(w->m[i]));
    return 0;
}

static int both_up(void *arg)
{
    struct world *w = arg;
    return qiao_mesh_peers_up(w->m[0]) == 1 && qiao_mesh_peers_up(w->m[1]) == 1;
}

static int att_in(void *arg)
{
    return ((struct world *)arg)->rec[1].att[0] > 0;
}

int main(void)
{
    static struct world w;
    qiao_log_threshold = getenv("QIAO_TEST_DEBUG") ? QIAO_LOG_DEBUG : QIAO_LOG_ERROR;
    if (make_certs() != 0) {
        qt_skip("mesh TLS", "the openssl tool could not make test certificates");
        return qt_finish();
    }
    snprintf(w.key, sizeof(w.key), "%s/node.key", dir);
    snprintf(w.ca, sizeof(w.ca), "%s/ca.pem", dir);
    w.cx = qiao_crypto_create();
    w.ctx = mh_context();
    QT_CHECK(w.cx && w.ctx);
    mh_make_keys(w.cx, 3);
    /* 1 listens, 0 dials it over wss. */
    if (start(&w, 1, 0, "node.pem") == 0 && start(&w, 0, 1, "node.pem") == 0) {
        QT_CHECK(mh_service_until(w.ctx, both_up, &w, 10000));
        uint8_t id[32], sig[65];
        memset(id, 0x21, 32), memset(sig, 0x22, 65);
        QT_CHECK(qiao_mesh_send_att(w.m[0], NULL, id, EPOCH, sig) == 1);
        QT_CHECK(mh_service_until(w.ctx, att_in, &w, 5000));
        QT_CHECK_MEM(w.rec[1].att_id[0], id, 32);
        /* Plain WebSocket on the TLS port: no 101. */
        struct mh_raw r;
        int port = atoi(strrchr(w.url[1], ':') + 1);
        QT_CHECK(mh_raw_open(&r, w.ctx, port, 1, QIAO_MESH_PROTOCOL) != 0);
        mh_raw_close(&r);
        QT_CHECK(qiao_mesh_peers_up(w.m[1]) == 1);
        /* A member with a certificate from another CA: TLS refuses it, it never comes up. */
        qiao_mesh_destroy(w.m[0]);
        w.m[0] = NULL;
        memset(&w.rec[0], 0, sizeof(w.rec[0]));
        if (start(&w, 0, 1, "node2.pem") == 0) {
            mh_service_for(w.ctx, 1500);
            QT_CHECK(qiao_mesh_peers_up(w.m[0]) == 0);
            QT_CHECK(w.rec[0].up[1] == 0);
            QT_CHECK(w.rec[1].up[0] == 1); /* only the first, properly certified connection */
        }
        /* A server whose certificate comes from another CA: the dialler refuses it. */
        for (int i = 0; i < 2; i++) {
            qiao_mesh_destroy(w.m[i]);
            w.m[i] = NULL;
            memset(&w.rec[i], 0, sizeof(w.rec[i]));
        }
        if (start(&w, 1, 0, "node2.pem") == 0 && start(&w, 0, 1, "node.pem") == 0) {
            mh_service_for(w.ctx, 1500);
            QT_CHECK(qiao_mesh_peers_up(w.m[0]) == 0 && qiao_mesh_peers_up(w.m[1]) == 0);
            QT_CHECK(w.rec[0].up[1] == 0 && w.rec[1].up[0] == 0);
        }
    }
    /* TLS options that do not load fail at create, naming the reason (the client side's
     * certificate is loaded first, by relay/rpc/tls_client.c, and names the file). */
    struct qiao_mesh *bad = NULL;
    struct qiao_mesh_opts o;
    struct qiao_diag d = {0};
    struct qiao_mesh_events ev = mh_events(&w.rec[2]);
    memset(&o, 0, sizeof(o));
    o.seckey = mh_keys[2].sk;
    memcpy(o.self, mh_keys[2].addr, 20);
    o.tls_cert = "/nonexistent/cert.pem";
    o.tls_key = w.key;
    o.tls_ca = w.ca;
    QT_CHECK(qiao_mesh_create(&bad, w.ctx, w.cx, &o, &ev, &d) == QIAO_EIO && !bad);
    QT_CHECKF(strcmp(d.reason, "tls-client-ctx") == 0 && strstr(d.msg, "/nonexistent/cert.pem"),
              "bad TLS file: %s: %s", d.reason, d.msg);
    for (int i = 0; i < 3; i++)
        qiao_mesh_destroy(w.m[i]);
    mh_service_for(w.ctx, 50);
    lws_context_destroy(w.ctx);
    qiao_crypto_destroy(w.cx);
    sh("rm -rf %s", dir);
    return qt_finish();
}
