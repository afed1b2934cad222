/* test_hostile.c: hostile peers against a real mesh over real sockets on 127.0.0.1.
 *
 * The victim V (highest address, so every member dials it) serves an honest mesh H while a raw
 * WebSocket client plays member R, non-member M, or no protocol at all: no hello, garbage,
 * oversized and binary frames, wrong committee or epoch, a non-member, an impostor claiming H's
 * address, an auth replayed from another connection, frames before auth, auth before hello, hello
 * without auth, auth twice, a
 * flood past the rate limit, a silent peer, a missing subprotocol, plain HTTP, raw TCP garbage,
 * too many connections, and a member dialling in the wrong direction.  Each time the link must be
 * dropped, `violation` must name the precise reason, and V must keep serving H. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "relay/core/log.h"
#include "relay/mesh/auth.h"
#include "tests/qt.h"
#include "tests/unit/mesh/mesh_harness.h"

#define EPOCH 9
enum { H = 0, R = 1, M = 2, V = 3 };

struct world {
    struct lws_context *ctx;
    struct qiao_crypto *cx;
    struct qiao_mesh *v, *h;
    struct mh_rec vrec, hrec;
    int vport, hport;
};

static int make_v(struct world *w)
{
    struct qiao_mesh_peer_cfg peers[2] = {{.url = NULL}, {.url = NULL}};
    struct qiao_mesh_opts o;
    struct qiao_mesh_events ev = mh_events(&w->vrec);
    struct qiao_diag d = {0};
    memcpy(peers[0].addr, mh_keys[H].addr, 20);
    memcpy(peers[1].addr, mh_keys[R].addr, 20);
    memset(&o, 0, sizeof(o));
    o.seckey = mh_keys[V].sk;
    memcpy(o.self, mh_keys[V].addr, 20);
    memcpy(o.committee, mh_committee, 32);
    o.epoch = EPOCH;
    o.peers = peers;
    o.npeers = 2;
    o.max_frame = 4096;
    o.frames_per_s = 20;
    o.frame_burst = 10;
    o.heartbeat_ms = 100;
    o.dead_after_ms = 700;
    if (qiao_mesh_create(&w->v, w->ctx, w->cx, &o, &ev, &d)) {
        QT_CHECKF(0, "victim: %s: %s", d.reason, d.msg);
        return -1;
    }
    w->vport = qiao_mesh_listen_port(w->v);
    return 0;
}

/* H dials V; it also lists R (higher than H, so H would dial it at a dead URL) so that R dialling
 * H is the wrong direction. */
static int make_h(struct world *w)
{
    char vurl[64];
    struct qiao_mesh_peer_cfg peers[2] = {{.url = vurl}, {.url = "ws://127.0.0.1:1/"}};
    struct qiao_mesh_opts o;
    struct qiao_mesh_events ev = mh_events(&w->hrec);
    struct qiao_diag d = {0};
    snprintf(vurl, sizeof(vurl), "ws://127.0.0.1:%d/", w->vport);
    memcpy(peers[0].addr, mh_keys[V].addr, 20);
    memcpy(peers[1].addr, mh_keys[R].addr, 20);
    memset(&o, 0, sizeof(o));
    o.seckey = mh_keys[H].sk;
    memcpy(o.self, mh_keys[H].addr, 20);
    memcpy(o.committee, mh_committee, 32);
    o.epoch = EPOCH;
    o.peers = peers;
    o.npeers = 2;
    o.heartbeat_ms = 100;
    o.dead_after_ms = 700;
    if (qiao_mesh_create(&w->h, w->ctx, w->cx, &o, &ev, &d)) {
        QT_CHECKF(0, "honest: %s: %s", d.reason, d.msg);
        return -1;
    }
    w->hport = qiao_mesh_listen_port(w->h);
    return 0;
}

static int v_has_violation(void *arg)
{
    return ((struct mh_rec *)arg)->violations > 0;
}

/* After the hostile act: the violation with this reason, the raw link dropped, H still served. */
static void expect(struct world *w, struct mh_rec *rec, struct mh_raw *r, const char *reason,
                   const char *what)
{
    QT_CHECKF(mh_service_until(w->ctx, v_has_violation, rec, 3000), "%s: no violation", what);
    QT_CHECKF(strcmp(rec->violation, reason) == 0, "%s: violation \"%s\", want \"%s\"", what,
              rec->violation, reason);
    QT_CHECKF(rec->violations == 1, "%s: %d violations", what, rec->violations);
    if (r) {
        QT_CHECKF(mh_raw_wait_closed(r, 3000), "%s: link not dropped", what);
        mh_raw_close(r);
    }
    QT_CHECKF(qiao_mesh_peer_is_up(w->v, mh_keys[H].addr), "%s: honest peer lost", what);
    rec->violations = 0;
    rec->violation[0] = 0;
}

static void hello_frame(struct qiao_mesh_frame *f, int from, uint64_t epoch)
{
    memset(f, 0, sizeof(*f));
    f->type = QIAO_MESH_HELLO;
    memcpy(f->u.hello.committee, mh_committee, 32);
    f->u.hello.epoch = epoch;
    memcpy(f->u.hello.from, mh_keys[from].addr, 20);
    memset(f->u.hello.nonce, 0x42, 32);
}

/* Read V's hello on a fresh connection; out: its nonce. */
static int open_and_read_hello(struct world *w, struct mh_raw *r, uint8_t nonce[32])
{
    struct qiao_mesh_frame f;
    if (mh_raw_open(r, w->ctx, w->vport, 1, QIAO_MESH_PROTOCOL) != 0)
        return -1;
    if (mh_raw_recv(r, &f, 3000) || f.type != QIAO_MESH_HELLO)
        return -1;
    memcpy(nonce, f.u.hello.nonce, 32);
    return 0;
}

/* Send hello as `claim` and an auth signed by `signer` over V's nonce. */
static void send_hello_auth(struct world *w, struct mh_raw *r, const uint8_t nonce[32], int claim,
                            int signer)
{
    struct qiao_mesh_frame f;
    hello_frame(&f, claim, EPOCH);
    mh_raw_send(r, &f);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_AUTH;
    qiao_mesh_auth_sign(w->cx, f.u.auth.sig, mh_keys[signer].sk, mh_committee, EPOCH, nonce,
                        mh_keys[claim].addr, mh_keys[V].addr, NULL);
    mh_raw_send(r, &f);
}

static int r_down(void *arg)
{
    struct world *w = arg;
    return !qiao_mesh_peer_is_up(w->v, mh_keys[R].addr);
}

static void test_framing(struct world *w)
{
    struct mh_raw r;
    uint8_t nonce[32];
    static char big[5000];

    QT_CHECK(mh_raw_open(&r, w->ctx, w->vport, 1, QIAO_MESH_PROTOCOL) == 0);
    expect(w, &w->vrec, &r, "no-hello", "silent connection");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    mh_raw_text(&r, "not json{");
    expect(w, &w->vrec, &r, "bad-json", "garbage frame");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    memset(big, ' ', sizeof(big));
    big[0] = '{', big[sizeof(big) - 1] = '}';
    mh_raw_frame(&r, 1, big, sizeof(big), sizeof(big));
    expect(w, &w->vrec, &r, "frame-too-large", "oversized frame");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    mh_raw_frame(&r, 1, "{\"type\":", 8, (uint64_t)1 << 40); /* announces a terabyte */
    expect(w, &w->vrec, &r, "frame-too-large", "frame announcing 2^40 bytes");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    mh_raw_frame(&r, 2, "\x01\x02", 2, 2);
    expect(w, &w->vrec, &r, "binary-frame", "binary frame");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    mh_raw_text(&r, "{\"type\":\"hb\",\"t\":\"1\"}");
    expect(w, &w->vrec, &r, "frame-before-auth", "heartbeat before hello");
}

static void test_handshake(struct world *w)
{
    struct mh_raw r;
    struct qiao_mesh_frame f;
    uint8_t nonce[32];

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    hello_frame(&f, R, EPOCH);
    memset(f.u.hello.committee, 0xc1, 32);
    mh_raw_send(&r, &f);
    expect(w, &w->vrec, &r, "wrong-committee", "other committee");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    hello_frame(&f, R, EPOCH + 1);
    mh_raw_send(&r, &f);
    expect(w, &w->vrec, &r, "wrong-epoch", "other epoch");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    send_hello_auth(w, &r, nonce, M, M);
    expect(w, &w->vrec, &r, "auth-not-member", "non-member");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    send_hello_auth(w, &r, nonce, H, M); /* claims H's address, holds only M's key */
    expect(w, &w->vrec, &r, "auth-wrong-signer", "impostor of H");
    QT_CHECK(w->vrec.down[H] == 0);

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_AUTH;
    mh_raw_send(&r, &f);
    expect(w, &w->vrec, &r, "auth-before-hello", "auth before hello");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    hello_frame(&f, R, EPOCH);
    mh_raw_send(&r, &f);
    mh_raw_send(&r, &f);
    expect(w, &w->vrec, &r, "duplicate-hello", "hello twice");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    hello_frame(&f, R, EPOCH);
    mh_raw_send(&r, &f);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_ATT;
    mh_raw_send(&r, &f);
    expect(w, &w->vrec, &r, "frame-before-auth", "attestation before auth");

    QT_CHECK(open_and_read_hello(w, &r, nonce) == 0);
    hello_frame(&f, R, EPOCH);
    mh_raw_send(&r, &f);
    expect(w, &w->vrec, &r, "auth-timeout", "hello but never auth");

    QT_CHECK(mh_raw_open(&r, w->ctx, w->vport, 1, QIAO_MESH_PROTOCOL) == 0);
    uint8_t sig[65];
    QT_CHECK(mh_raw_handshake(&r, w->cx, &mh_keys[R], mh_keys[V].addr, EPOCH, NULL, sig) == 0);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_AUTH;
    memcpy(f.u.auth.sig, sig, 65);
    mh_raw_send(&r, &f);
    expect(w, &w->vrec, &r, "duplicate-auth", "auth twice");
    QT_CHECK(mh_service_until(w->ctx, r_down, w, 3000));
    w->vrec.down[R] = w->vrec.up[R] = 0;
}

static void test_replay(struct world *w)
{
    struct mh_raw r1, r2;
    struct qiao_mesh_frame f;
    uint8_t nonce1[32], nonce2[32], sig1[65];
    /* R authenticates honestly on connection 1... */
    QT_CHECK(mh_raw_open(&r1, w->ctx, w->vport, 1, QIAO_MESH_PROTOCOL) == 0);
    QT_CHECK(mh_raw_handshake(&r1, w->cx, &mh_keys[R], mh_keys[V].addr, EPOCH, nonce1, sig1) == 0);
    mh_service_for(w->ctx, 50);
    QT_CHECK(qiao_mesh_peer_is_up(w->v, mh_keys[R].addr));
    QT_CHECK(w->vrec.up[R] == 1);
    /* ...and an eavesdropper replays that auth on connection 2. */
    QT_CHECK(open_and_read_hello(w, &r2, nonce2) == 0);
    hello_frame(&f, R, EPOCH);
    mh_raw_send(&r2, &f);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_AUTH;
    memcpy(f.u.auth.sig, sig1, 65);
    mh_raw_send(&r2, &f);
    expect(w, &w->vrec, &r2, "auth-wrong-signer", "auth replayed from another connection");
    QT_CHECK(qiao_mesh_peer_is_up(w->v, mh_keys[R].addr)); /* the real link is untouched */
    mh_raw_close(&r1);
    QT_CHECK(mh_service_until(w->ctx, r_down, w, 3000));
    QT_CHECK(w->vrec.down[R] == 1);
}

static void test_flood_and_silence(struct world *w)
{
    struct mh_raw r;
    QT_CHECK(mh_raw_open(&r, w->ctx, w->vport, 1, QIAO_MESH_PROTOCOL) == 0);
    QT_CHECK(mh_raw_handshake(&r, w->cx, &mh_keys[R], mh_keys[V].addr, EPOCH, NULL, NULL) == 0);
    for (int i = 0; i < 30; i++)
        mh_raw_text(&r, "{\"type\":\"hb\",\"t\":\"1\"}");
    expect(w, &w->vrec, &r, "rate-limited", "heartbeat flood");
    QT_CHECK(w->vrec.violation_had_peer == 1); /* reported against R: it had authenticated */
    QT_CHECK(mh_service_until(w->ctx, r_down, w, 3000));
    QT_CHECK(strcmp(w->vrec.down_reason, "rate-limited") == 0);

    QT_CHECK(mh_raw_open(&r, w->ctx, w->vport, 1, QIAO_MESH_PROTOCOL) == 0);
    QT_CHECK(mh_raw_handshake(&r, w->cx, &mh_keys[R], mh_keys[V].addr, EPOCH, NULL, NULL) == 0);
    mh_service_for(w->ctx, 50);
    QT_CHECK(qiao_mesh_peer_is_up(w->v, mh_keys[R].addr));
    expect(w, &w->vrec, &r, "peer-silent", "silent authenticated peer");
    QT_CHECK(!qiao_mesh_peer_is_up(w->v, mh_keys[R].addr));
    QT_CHECK(strcmp(w->vrec.down_reason, "peer-silent") == 0);
}

static void test_transport_level(struct world *w)
{
    struct mh_raw r, many[40];
    QT_CHECK(mh_raw_open(&r, w->ctx, w->vport, 1, NULL) != 0);
    expect(w, &w->vrec, &r, "wrong-subprotocol", "upgrade without subprotocol");

    QT_CHECK(mh_raw_open(&r, w->ctx, w->vport, 0, NULL) == 0);
    mh_raw_write(&r, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
    expect(w, &w->vrec, &r, "not-websocket", "plain HTTP");

    /* Not HTTP at all: lws drops it before any mesh code runs, so there is nothing to report. */
    QT_CHECK(mh_raw_open(&r, w->ctx, w->vport, 0, NULL) == 0);
    mh_raw_write(&r, "\x16\x03\x01\xff\xff garbage\r\n\r\n", 17);
    QT_CHECK(mh_raw_wait_closed(&r, 3000));
    mh_raw_close(&r);
    QT_CHECK(w->vrec.violations == 0);

    /* 2 peers: at most 2 * 2 + 16 connections; the next upgrade is refused. */
    int opened = 0;
    for (int i = 0; i < 40 && w->vrec.violations == 0; i++)
        if (mh_raw_open(&many[i], w->ctx, w->vport, 1, QIAO_MESH_PROTOCOL) == 0)
            opened++;
        else
            mh_raw_close(&many[i]);
    QT_CHECKF(opened == 19, "%d connections opened before the cap", opened); /* H holds one */
    expect(w, &w->vrec, NULL, "too-many-connections", "connection cap");
    for (int i = 0; i < opened; i++)
        mh_raw_close(&many[i]);
    mh_service_for(w->ctx, 100);
    w->vrec.violations = 0;

    /* R's address is above H's, so H dials R: R dialling H is refused. */
    struct qiao_mesh_frame f;
    QT_CHECK(mh_raw_open(&r, w->ctx, w->hport, 1, QIAO_MESH_PROTOCOL) == 0);
    QT_CHECK(mh_raw_recv(&r, &f, 3000) == 0);
    hello_frame(&f, R, EPOCH);
    mh_raw_send(&r, &f);
    expect(w, &w->hrec, &r, "wrong-direction", "member dialling the wrong way");
}

static int h_att_arrived(void *arg)
{
    return ((struct world *)arg)->vrec.att[H] > 0;
}

int main(void)
{
    static struct world w;
    if (getenv("QIAO_TEST_DEBUG"))
        qiao_log_threshold = QIAO_LOG_DEBUG;
    else
        qiao_log_threshold = QIAO_LOG_ERROR; /* the violations below are expected */
    w.cx = qiao_crypto_create();
    w.ctx = mh_context();
    QT_CHECK(w.cx && w.ctx);
    if (!w.cx || !w.ctx)
        return qt_finish();
    mh_make_keys(w.cx, 4);
    if (make_v(&w) || make_h(&w))
        return qt_finish();
    for (int i = 0; i < 100 && !qiao_mesh_peer_is_up(w.v, mh_keys[H].addr); i++)
        mh_service_for(w.ctx, 20);
    QT_CHECK(qiao_mesh_peer_is_up(w.v, mh_keys[H].addr));
    test_framing(&w);
    test_handshake(&w);
    test_replay(&w);
    test_flood_and_silence(&w);
    test_transport_level(&w);
    /* Through all of it V kept H: one up, no down, and H's attestation still arrives. */
    uint8_t id[32], sig[65];
    memset(id, 0x31, 32), memset(sig, 0x32, 65);
    QT_CHECK(qiao_mesh_send_att(w.h, mh_keys[V].addr, id, EPOCH, sig) == 1);
    QT_CHECK(mh_service_until(w.ctx, h_att_arrived, &w, 3000));
    QT_CHECK(w.vrec.up[H] == 1 && w.vrec.down[H] == 0);
    QT_CHECK(qiao_mesh_peers_up(w.v) == 1);
    qiao_mesh_destroy(w.h);
    qiao_mesh_destroy(w.v);
    mh_service_for(w.ctx, 50);
    lws_context_destroy(w.ctx);
    qiao_crypto_destroy(w.cx);
    return qt_finish();
}
