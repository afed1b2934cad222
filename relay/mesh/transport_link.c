/*
 * transport_link.c: one mesh connection, from the WebSocket opening to its close.
 *
 * The handshake (mesh.h, auth.h): both sides queue hello with a fresh nonce as soon as the
 * WebSocket opens; each answers the other's hello with auth; a side counts the peer as up when the
 * peer's auth verifies.  Every message is capped at max_frame bytes while it is reassembled (so an
 * oversized one is refused before any parsing), charged against the link's token bucket, parsed
 * strictly (frame.h) and then checked against the link's state.  Anything wrong drops the link and
 * is reported through `violation` with the precise reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay/core/log.h"
#include "relay/mesh/auth.h"
#include "relay/mesh/transport_int.h"

struct qiao_mesh_link *qiao_mesh_link_new(struct qiao_mesh *m, int dialled,
                                          struct qiao_mesh_peer *peer)
{
    struct qiao_mesh_link *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->m = m;
    l->dialled = dialled;
    l->peer = peer;
    qiao_buf_init(&l->rx, m->max_frame);
    l->next = m->links;
    m->links = l;
    m->nlinks++;
    return l;
}

/* Record why we drop l and tell the daemon; the caller then closes the connection. */
static int link_violation(struct qiao_mesh_link *l, const struct qiao_diag *d)
{
    struct qiao_mesh *m = l->m;
    l->why = *d;
    l->closing = 1;
    QIAO_LOG(QIAO_LOG_WARN, "mesh", "event=violation reason=%s authed=%d msg=\"%s\"", d->reason,
             l->authed, d->msg);
    if (m->ev.violation)
        m->ev.violation(m->ev.user, l->authed && l->peer ? l->peer->addr : NULL, d);
    if (l->wsi) {
        size_t n = strlen(d->reason);
        lws_close_reason(l->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)d->reason,
                         n);
    }
    return -1;
}

/* Record a violation found here (reason, message) and drop the link; returns -1. */
#define LINK_FAIL(l, code, reason, ...) link_fail((l), (code), __LINE__, (reason), __VA_ARGS__)

static int link_fail(struct qiao_mesh_link *l, qiao_err code, int line, const char *reason,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int link_fail(struct qiao_mesh_link *l, qiao_err code, int line, const char *reason,
                     const char *fmt, ...)
{
    char msg[QIAO_DIAG_MSG_MAX];
    struct qiao_diag d;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    qiao_diag_set(&d, code, __FILE__, line, reason, "%s", msg);
    return link_violation(l, &d);
}

int qiao_mesh_link_send(struct qiao_mesh_link *l, const struct qiao_mesh_frame *f)
{
    if (l->closing || !l->wsi)
        return -1;
    if (l->queued >= QIAO_MESH_MAX_QUEUE) {
        struct qiao_diag d;
        (void)QIAO_FAIL(&d, QIAO_ERANGE, "send-queue-full",
                        "peer stopped reading: %u frames queued", l->queued);
        qiao_mesh_link_kill(l, &d, 0);
        return -1;
    }
    struct qiao_buf b = {0};
    qiao_buf_init(&b, 0);
    uint8_t pre[LWS_PRE] = {0};
    struct qiao_mesh_out *o = NULL;
    if (qiao_buf_append(&b, pre, LWS_PRE, NULL) == QIAO_OK &&
        qiao_mesh_frame_build(&b, f, NULL) == QIAO_OK)
        o = malloc(sizeof(*o) + b.len);
    if (o) {
        o->next = NULL;
        o->len = b.len - LWS_PRE;
        memcpy(o->data, b.p, b.len);
        if (l->tail)
            l->tail->next = o;
        else
            l->head = o;
        l->tail = o;
        l->queued++;
        lws_callback_on_writable(l->wsi);
    }
    qiao_buf_clear(&b);
    return o ? 0 : -1;
}

int qiao_mesh_link_established(struct qiao_mesh_link *l, struct lws *wsi)
{
    struct qiao_mesh *m = l->m;
    struct qiao_mesh_frame f;
    struct qiao_diag d;
    l->wsi = wsi;
    l->established = 1;
    l->opened_ms = l->last_rx_ms = qiao_mesh_now_ms();
    qiao_bucket_init(&l->bucket, m->frames_per_s, m->frame_burst, l->opened_ms);
    if (qiao_random(l->our_nonce, 32, &d) != QIAO_OK)
        return link_violation(l, &d);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_HELLO;
    memcpy(f.u.hello.committee, m->committee, 32);
    f.u.hello.epoch = m->epoch;
    memcpy(f.u.hello.from, m->self, 20);
    memcpy(f.u.hello.nonce, l->our_nonce, 32);
    return qiao_mesh_link_send(l, &f);
}

/* The checks on a hello that need no signature: who may talk to us on this connection. */
static qiao_err hello_check(struct qiao_mesh_link *l, const struct qiao_mesh_frame *f,
                            struct qiao_diag *d)
{
    struct qiao_mesh *m = l->m;
    if (l->got_hello)
        return QIAO_FAIL(d, QIAO_EINVAL, "duplicate-hello", "second hello on one connection");
    if (memcmp(f->u.hello.committee, m->committee, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "wrong-committee", "hello names another committee");
    if (f->u.hello.epoch != m->epoch)
        return QIAO_FAIL(d, QIAO_EVERIFY, "wrong-epoch", "hello for epoch %llu, ours is %llu",
                         (unsigned long long)f->u.hello.epoch, (unsigned long long)m->epoch);
    struct qiao_mesh_peer *p = qiao_mesh_find_peer(m, f->u.hello.from);
    if (!p)
        return QIAO_FAIL(d, QIAO_EVERIFY, "auth-not-member",
                         "hello from an address that is not a configured committee peer");
    if (l->dialled && p != l->peer)
        return QIAO_FAIL(d, QIAO_EVERIFY, "wrong-peer",
                         "the node at the dialled URL introduced itself as another member");
    if (!l->dialled && p->dial)
        return QIAO_FAIL(d, QIAO_EVERIFY, "wrong-direction",
                         "a peer with a higher address dialled us; the lower address dials");
    return QIAO_OK;
}

static int on_hello(struct qiao_mesh_link *l, const struct qiao_mesh_frame *f)
{
    struct qiao_mesh *m = l->m;
    struct qiao_mesh_frame a;
    struct qiao_diag d;
    if (hello_check(l, f, &d))
        return link_violation(l, &d);
    l->got_hello = 1;
    memcpy(l->their_from, f->u.hello.from, 20);
    memcpy(l->their_nonce, f->u.hello.nonce, 32);
    memset(&a, 0, sizeof(a));
    a.type = QIAO_MESH_AUTH;
    if (qiao_mesh_auth_sign(m->cx, a.u.auth.sig, m->seckey, m->committee, m->epoch,
                            l->their_nonce, m->self, l->their_from, &d))
        return link_violation(l, &d);
    return qiao_mesh_link_send(l, &a);
}

/* l authenticated: it becomes its peer's link, replacing an older one (a peer that restarted
 * before we noticed its old connection die). */
static void link_up(struct qiao_mesh_link *l)
{
    struct qiao_mesh *m = l->m;
    struct qiao_mesh_peer *p = qiao_mesh_find_peer(m, l->their_from);
    l->authed = 1;
    l->peer = p;
    l->last_hb_ms = qiao_mesh_now_ms();
    if (p->up && p->up != l) {
        struct qiao_diag d;
        struct qiao_mesh_link *old = p->up;
        (void)QIAO_FAIL(&d, QIAO_ESTATE, "replaced", "peer authenticated a newer connection");
        p->up = NULL;
        qiao_mesh_link_kill(old, &d, 0);
        if (m->ev.peer_down)
            m->ev.peer_down(m->ev.user, p->addr, &d);
    }
    p->up = l;
    p->retry_try = 0;
    QIAO_LOG(QIAO_LOG_INFO, "mesh", "event=peer-up dialled=%d", l->dialled);
    if (m->ev.peer_up)
        m->ev.peer_up(m->ev.user, p->addr);
}

static int on_auth(struct qiao_mesh_link *l, const struct qiao_mesh_frame *f)
{
    struct qiao_mesh *m = l->m;
    struct qiao_diag d;
    if (!l->got_hello)
        return LINK_FAIL(l, QIAO_EINVAL, "auth-before-hello",
                         "auth arrived before the peer's hello");
    if (l->authed)
        return LINK_FAIL(l, QIAO_EINVAL, "duplicate-auth",
                         "second auth on one connection");
    if (qiao_mesh_auth_check(m->cx, f->u.auth.sig, m->committee, m->epoch, l->our_nonce,
                             l->their_from, m->self, (const uint8_t(*)[20])m->allowed, m->npeers,
                             &d))
        return link_violation(l, &d);
    link_up(l);
    return 0;
}

/* att, want and hb: only from an authenticated peer. */
static int on_payload(struct qiao_mesh_link *l, const struct qiao_mesh_frame *f)
{
    struct qiao_mesh *m = l->m;
    if (!l->authed)
        return LINK_FAIL(l, QIAO_EINVAL, "frame-before-auth",
                         "%s frame before the peer authenticated",
                         qiao_mesh_type_name(f->type));
    if (f->type == QIAO_MESH_ATT && m->ev.attestation)
        m->ev.attestation(m->ev.user, l->peer->addr, f->u.att.id, f->u.att.epoch, f->u.att.sig);
    else if (f->type == QIAO_MESH_WANT && m->ev.want && f->u.want.count)
        m->ev.want(m->ev.user, l->peer->addr, (const uint8_t(*)[32])f->u.want.ids,
                   f->u.want.count);
    return 0;
}

/* The frame is large (QIAO_MESH_MAX_WANT ids), so it lives on the heap, not the lws stack. */
static int link_message(struct qiao_mesh_link *l)
{
    struct qiao_diag d;
    uint64_t now = qiao_mesh_now_ms();
    if (!qiao_bucket_take(&l->bucket, 1, now))
        return LINK_FAIL(l, QIAO_ERANGE, "rate-limited",
                         "peer passed %.0f frames/s (burst %.0f)",
                         l->m->frames_per_s, l->m->frame_burst);
    struct qiao_mesh_frame *f = malloc(sizeof(*f));
    if (!f)
        return LINK_FAIL(l, QIAO_ENOMEM, "out-of-memory", "frame");
    int rc;
    if (qiao_mesh_frame_parse(f, (const char *)l->rx.p, l->rx.len, l->m->max_frame, &d))
        rc = link_violation(l, &d);
    else if (f->type == QIAO_MESH_HELLO)
        rc = on_hello(l, f);
    else if (f->type == QIAO_MESH_AUTH)
        rc = on_auth(l, f);
    else
        rc = on_payload(l, f);
    if (rc == 0)
        l->last_rx_ms = now;
    free(f);
    l->rx.len = 0;
    return rc;
}

int qiao_mesh_link_receive(struct qiao_mesh_link *l, const void *in, size_t len)
{
    struct lws *wsi = l->wsi;
    if (l->closing)
        return -1;
    if (lws_frame_is_binary(wsi))
        return LINK_FAIL(l, QIAO_EINVAL, "binary-frame",
                         "mesh frames are JSON text, got a binary message");
    /* The cap applies to the whole message before any of it is parsed. */
    size_t remaining = lws_remaining_packet_payload(wsi);
    if (l->rx.len + len + remaining > l->m->max_frame ||
        qiao_buf_append(&l->rx, in, len, NULL) != QIAO_OK)
        return LINK_FAIL(l, QIAO_ERANGE, "frame-too-large",
                         "message passed the %zu-byte frame cap",
                         l->m->max_frame);
    if (!lws_is_final_fragment(wsi) || remaining)
        return 0;
    return link_message(l);
}

int qiao_mesh_link_writeable(struct qiao_mesh_link *l)
{
    struct qiao_mesh_out *o = l->head;
    if (l->closing)
        return -1;
    if (!o)
        return 0;
    int n = lws_write(l->wsi, o->data + LWS_PRE, o->len, LWS_WRITE_TEXT);
    l->head = o->next;
    if (!l->head)
        l->tail = NULL;
    l->queued--;
    free(o);
    if (n < 0)
        return -1;
    if (l->head)
        lws_callback_on_writable(l->wsi);
    return 0;
}

static void link_unlink(struct qiao_mesh_link *l)
{
    struct qiao_mesh *m = l->m;
    for (struct qiao_mesh_link **pp = &m->links; *pp; pp = &(*pp)->next)
        if (*pp == l) {
            *pp = l->next;
            m->nlinks--;
            break;
        }
}

void qiao_mesh_link_free(struct qiao_mesh_link *l)
{
    if (l->wsi)
        lws_set_opaque_user_data(l->wsi, NULL);
    while (l->head) {
        struct qiao_mesh_out *o = l->head;
        l->head = o->next;
        free(o);
    }
    qiao_buf_clear(&l->rx);
    free(l);
}

void qiao_mesh_link_closed(struct qiao_mesh_link *l, const char *reason, const char *what)
{
    struct qiao_mesh *m = l->m;
    struct qiao_mesh_peer *p = l->peer;
    struct qiao_diag why = l->why;
    link_unlink(l);
    QIAO_LOG(QIAO_LOG_DEBUG, "mesh", "event=link-closed dialled=%d authed=%d reason=%s what=\"%s\"", l->dialled,
             l->authed, why.code ? why.reason : reason, why.code ? why.msg : what);
    if (!why.code)
        (void)QIAO_FAIL(&why, QIAO_EIO, reason, "mesh connection: %.200s", what);
    int was_up = p && p->up == l;
    if (was_up)
        p->up = NULL;
    if (l->dialled && p && p->dialing == l)
        p->dialing = NULL;
    qiao_mesh_link_free(l);
    if (was_up) {
        QIAO_LOG(QIAO_LOG_INFO, "mesh", "event=peer-down reason=%s", why.reason);
        if (m->ev.peer_down)
            m->ev.peer_down(m->ev.user, p->addr, &why);
    }
    if (p && p->dial && !p->dialing)
        qiao_mesh_schedule_dial(p);
}

void qiao_mesh_link_kill(struct qiao_mesh_link *l, const struct qiao_diag *why, int violation)
{
    if (l->closing)
        return;
    if (violation) {
        link_violation(l, why);
    } else {
        l->why = *why;
        l->closing = 1;
    }
    if (l->wsi)
        lws_set_timeout(l->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void link_heartbeat(struct qiao_mesh_link *l, uint64_t now)
{
    struct qiao_mesh_frame f;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_HB;
    f.u.hb.t_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    l->last_hb_ms = now;
    qiao_mesh_link_send(l, &f);
}

void qiao_mesh_link_tick(struct qiao_mesh_link *l, uint64_t now)
{
    struct qiao_diag d;
    if (!l->established || l->closing)
        return;
    uint64_t dead = l->m->dead_after_ms;
    if (!l->got_hello && now - l->opened_ms >= dead)
        (void)QIAO_FAIL(&d, QIAO_ETIMEOUT, "no-hello", "no hello within %llu ms",
                        (unsigned long long)dead);
    else if (!l->authed && now - l->opened_ms >= dead)
        (void)QIAO_FAIL(&d, QIAO_ETIMEOUT, "auth-timeout", "no auth within %llu ms",
                        (unsigned long long)dead);
    else if (l->authed && now - l->last_rx_ms >= dead)
        (void)QIAO_FAIL(&d, QIAO_ETIMEOUT, "peer-silent", "no frame for %llu ms",
                        (unsigned long long)(now - l->last_rx_ms));
    else {
        if (l->authed && now - l->last_hb_ms >= l->m->heartbeat_ms)
            link_heartbeat(l, now);
        return;
    }
    qiao_mesh_link_kill(l, &d, 1);
}
