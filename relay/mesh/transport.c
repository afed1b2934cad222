/*
 * transport.c: the mesh's lifecycle (options, vhost, destroy) and the calls the daemon makes
 * (send an attestation or a want, ask who is up).  See mesh.h for the contract and
 * transport_int.h for who owns what.
 *
 * Rules for the caller beyond mesh.h: do not destroy a mesh from inside one of its own event
 * callbacks, and destroy every mesh before the lws context.  A destroyed mesh's listener stays
 * open (refusing upgrades) until the context is destroyed or a new mesh takes the same port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "relay/core/secp.h"
#include "relay/mesh/transport_int.h"
#include "relay/rpc/tls_client.h"

#define DEFAULT_FRAMES_PER_S 200.0
#define DEFAULT_BURST 400.0
#define DEFAULT_HEARTBEAT_MS 2000u
#define DEFAULT_DEAD_AFTER_MS 10000u
#define MIN_FRAME 1024u
#define MAX_PEERS 256u
/* A want id costs 69 bytes of JSON ("0x" + 64 hex, quotes, comma); the rest of the frame ~32. */
#define WANT_ID_BYTES 69u
#define WANT_OVERHEAD 64u

uint64_t qiao_mesh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct qiao_mesh_peer *qiao_mesh_find_peer(struct qiao_mesh *m, const uint8_t addr[20])
{
    for (size_t i = 0; i < m->npeers; i++)
        if (memcmp(m->peers[i].addr, addr, 20) == 0)
            return &m->peers[i];
    return NULL;
}

static qiao_err opts_numbers(struct qiao_mesh *m, const struct qiao_mesh_opts *o,
                             struct qiao_diag *d)
{
    m->max_frame = o->max_frame ? o->max_frame : QIAO_MESH_MAX_FRAME;
    m->frames_per_s = o->frames_per_s > 0 ? o->frames_per_s : DEFAULT_FRAMES_PER_S;
    m->frame_burst = o->frame_burst > 0 ? o->frame_burst : DEFAULT_BURST;
    m->heartbeat_ms = o->heartbeat_ms ? o->heartbeat_ms : DEFAULT_HEARTBEAT_MS;
    m->dead_after_ms = o->dead_after_ms ? o->dead_after_ms : DEFAULT_DEAD_AFTER_MS;
    if (m->max_frame < MIN_FRAME || m->max_frame > QIAO_MESH_HARD_MAX_FRAME)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh max_frame %zu outside [%u, %zu]",
                         m->max_frame, MIN_FRAME, QIAO_MESH_HARD_MAX_FRAME);
    if (o->frames_per_s < 0 || o->frame_burst < 0 || m->frame_burst < 1)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh frames_per_s and frame_burst must be "
                         "positive (burst at least 1)");
    if (m->dead_after_ms <= m->heartbeat_ms)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh dead_after_ms (%u) must exceed "
                         "heartbeat_ms (%u)", m->dead_after_ms, m->heartbeat_ms);
    m->tick_ms = m->dead_after_ms / 4 < m->heartbeat_ms ? m->dead_after_ms / 4 : m->heartbeat_ms;
    if (m->tick_ms < 10)
        m->tick_ms = 10;
    return QIAO_OK;
}

static qiao_err opts_tls(struct qiao_mesh *m, struct qiao_mesh_vh *vhb,
                         const struct qiao_mesh_opts *o, struct qiao_diag *d)
{
    int given = !!o->tls_cert + !!o->tls_key + !!o->tls_ca;
    if (given == 0)
        return QIAO_OK;
    if (given != 3)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh TLS needs tls_cert, tls_key and tls_ca "
                         "together (%s missing)", !o->tls_cert ? "tls_cert" :
                         !o->tls_key ? "tls_key" : "tls_ca");
    m->tls = 1;
    vhb->tls_cert = strdup(o->tls_cert);
    vhb->tls_key = strdup(o->tls_key);
    vhb->tls_ca = strdup(o->tls_ca);
    if (!vhb->tls_cert || !vhb->tls_key || !vhb->tls_ca)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "mesh TLS paths");
    return QIAO_OK;
}

static qiao_err peer_url(struct qiao_mesh *m, struct qiao_mesh_peer *p, const char *url,
                         size_t i, struct qiao_diag *d)
{
    if (!url)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh peers[%zu]: no url, and our lower "
                         "address makes us the dialling side", i);
    if (qiao_rpc_url_parse(&p->url, url, d))
        return qiao_diag_wrap(d, "mesh peers[%zu].url", i);
    if (!qiao_rpc_url_is_ws(&p->url) || qiao_rpc_url_is_tls(&p->url) != m->tls)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh peers[%zu].url must be %s:// (TLS is "
                         "%s)", i, m->tls ? "wss" : "ws", m->tls ? "configured" : "not configured");
    snprintf(p->host_header, sizeof(p->host_header), "%s:%d", p->url.host, p->url.port);
    return QIAO_OK;
}

static qiao_err opts_peers(struct qiao_mesh *m, const struct qiao_mesh_opts *o,
                           struct qiao_diag *d)
{
    static const uint8_t zero[20];
    if (o->npeers > MAX_PEERS || (o->npeers && !o->peers))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh: %zu peers (at most %u)", o->npeers,
                         MAX_PEERS);
    m->peers = calloc(o->npeers ? o->npeers : 1, sizeof(*m->peers));
    m->allowed = calloc(o->npeers ? o->npeers : 1, sizeof(*m->allowed));
    if (!m->peers || !m->allowed)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "mesh peers");
    for (size_t i = 0; i < o->npeers; i++) {
        struct qiao_mesh_peer *p = &m->peers[i];
        const uint8_t *a = o->peers[i].addr;
        if (!memcmp(a, zero, 20) || !memcmp(a, m->self, 20) || qiao_mesh_find_peer(m, a))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh peers[%zu]: zero, own or duplicate "
                             "address", i);
        p->m = m;
        memcpy(p->addr, a, 20);
        memcpy(m->allowed[i], a, 20);
        p->dial = memcmp(m->self, a, 20) < 0;
        m->npeers = i + 1;
        if (p->dial)
            QIAO_TRY(peer_url(m, p, o->peers[i].url, i, d));
    }
    return QIAO_OK;
}

static qiao_err opts_key(struct qiao_mesh *m, const struct qiao_mesh_opts *o, struct qiao_diag *d)
{
    uint8_t pub[64], addr[20];
    if (!o->seckey)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh: no secret key");
    memcpy(m->seckey, o->seckey, 32);
    if (qiao_secp_pubkey(m->cx, pub, addr, m->seckey, d))
        return qiao_diag_wrap(d, "mesh seckey");
    if (memcmp(addr, o->self, 20) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh: self is not the key's address");
    memcpy(m->self, o->self, 20);
    memcpy(m->committee, o->committee, 32);
    m->epoch = o->epoch;
    return QIAO_OK;
}

/*
 * Why listening vhosts are parked, not destroyed.  lws 4.1 keeps a destroyed vhost's listen
 * socket open until the vhost's deferred destruction, which in our tests had not happened 15 s
 * later; meanwhile a new vhost on the same port silently shares that dying listener and every
 * upgrade lands on the dead one.  So qiao_mesh_destroy closes the connections and parks the vhost
 * (its upgrades are refused while no mesh owns it), and a mesh created later on the same
 * interface and port adopts it.  Parked listeners are released with the lws context.  The vhost
 * is named after its actual interface and port so that it can be found again.
 */
static void vh_name(char out[48], const char *iface, int port)
{
    snprintf(out, 48, "qiao-mesh-%.24s:%d", iface, port);
}

static int same_path(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A parked vhost on this port: adopt it.  Returns 1 when adopted. */
static qiao_err vhost_adopt(struct qiao_mesh *m, const char *iface, int port, int *adopted,
                            struct qiao_diag *d)
{
    char name[48];
    *adopted = 0;
    if (port <= 0)
        return QIAO_OK;
    vh_name(name, iface, port);
    struct lws_vhost *vh = lws_get_vhost_by_name(m->lws, name);
    struct qiao_mesh_vh *old = vh ? lws_vhost_user(vh) : NULL;
    if (!old)
        return QIAO_OK;
    if (old->m)
        return QIAO_FAIL(d, QIAO_EIO, "lws-vhost", "mesh: %s:%d is used by another mesh", iface,
                         port);
    if (!same_path(old->tls_cert, m->vhb->tls_cert) || !same_path(old->tls_key, m->vhb->tls_key) ||
        !same_path(old->tls_ca, m->vhb->tls_ca))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh: %s:%d was last served with other TLS "
                         "files; lws cannot change them before the context is destroyed", iface,
                         port);
    free(m->vhb->tls_cert);
    free(m->vhb->tls_key);
    free(m->vhb->tls_ca);
    free(m->vhb);
    m->vhb = old;
    m->vh = vh;
    old->m = m;
    *adopted = 1;
    return QIAO_OK;
}

/* Before asking lws for a fixed port, bind it ourselves: lws would share any listener on it. */
static qiao_err port_check(const char *iface, int port, struct qiao_diag *d)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (port <= 0)
        return QIAO_OK;
    if (inet_pton(AF_INET, iface, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET, v4->sin_port = htons((uint16_t)port), len = sizeof(*v4);
    } else if (inet_pton(AF_INET6, iface, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6, v6->sin6_port = htons((uint16_t)port), len = sizeof(*v6);
    } else {
        return QIAO_OK; /* an interface name: lws resolves it */
    }
    int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1, err = 0;
    if (fd < 0)
        return QIAO_OK;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); /* TIME_WAIT is no obstacle */
    if (bind(fd, (struct sockaddr *)&ss, len) != 0)
        err = errno;
    close(fd);
    if (err == EADDRINUSE)
        return QIAO_FAIL(d, QIAO_EIO, "lws-vhost", "mesh: %s:%d is in use", iface, port);
    return QIAO_OK;
}

static qiao_err make_vhost(struct qiao_mesh *m, const struct qiao_mesh_opts *o,
                           struct qiao_diag *d)
{
    char iface[64];
    int adopted;
    snprintf(iface, sizeof(iface), "%s", o->listen_host ? o->listen_host : "127.0.0.1");
    QIAO_TRY(vhost_adopt(m, iface, o->listen_port, &adopted, d));
    if (adopted)
        return QIAO_OK;
    QIAO_TRY(port_check(iface, o->listen_port, d));
    struct qiao_mesh_vh *vhb = m->vhb;
    struct lws_context_creation_info info;
    snprintf(vhb->iface, sizeof(vhb->iface), "%s", iface);
    vh_name(vhb->name, iface, o->listen_port);
    memset(&info, 0, sizeof(info));
    info.port = o->listen_port;
    info.iface = vhb->iface;
    info.vhost_name = vhb->name;
    info.protocols = qiao_mesh_protocols;
    info.user = vhb;
    if (m->tls) {
        /* Mutual TLS: both sides present a certificate from the committee's CA. */
        info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
                       LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
        info.ssl_cert_filepath = vhb->tls_cert;
        info.ssl_private_key_filepath = vhb->tls_key;
        info.ssl_ca_filepath = vhb->tls_ca;
        /* The client side presents the same certificate; its SSL_CTX is ours, not lws's
         * (lws 4.1 cannot free its own when a process has several contexts: tls_client.h). */
        QIAO_TRY(qiao_tls_client_setup(&info, vhb->tls_cert, vhb->tls_key, vhb->tls_ca, d));
    }
    m->vh = lws_create_vhost(m->lws, &info);
    if (!m->vh)
        return QIAO_FAIL(d, QIAO_EIO, "lws-vhost", "mesh: cannot listen on %s:%d%s", vhb->iface,
                         o->listen_port, m->tls ? " with the given TLS files" : "");
    /* lws reads the name through our pointer: rename to the port it actually bound. */
    vh_name(vhb->name, iface, lws_get_vhost_listen_port(m->vh));
    return QIAO_OK;
}

static void mesh_free(struct qiao_mesh *m)
{
    if (m->vhb && !m->vh) {
        /* No vhost took the block: it is ours to free. */
        free(m->vhb->tls_cert);
        free(m->vhb->tls_key);
        free(m->vhb->tls_ca);
        free(m->vhb);
    }
    qiao_wipe(m->seckey, sizeof(m->seckey));
    free(m->peers);
    free(m->allowed);
    free(m);
}

qiao_err qiao_mesh_create(struct qiao_mesh **out, struct lws_context *lws, struct qiao_crypto *cx,
                          const struct qiao_mesh_opts *o, const struct qiao_mesh_events *ev,
                          struct qiao_diag *d)
{
    *out = NULL;
    if (!lws || !cx || !o)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "mesh: no lws context, crypto or options");
    struct qiao_mesh *m = calloc(1, sizeof(*m));
    if (!m || !(m->vhb = calloc(1, sizeof(*m->vhb)))) {
        free(m);
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "mesh");
    }
    m->lws = lws;
    m->cx = cx;
    if (ev)
        m->ev = *ev;
    m->vhb->m = m;
    qiao_err err = opts_key(m, o, d);
    if (!err)
        err = opts_numbers(m, o, d);
    if (!err)
        err = opts_tls(m, m->vhb, o, d);
    if (!err)
        err = opts_peers(m, o, d);
    if (!err)
        err = make_vhost(m, o, d);
    if (err) {
        mesh_free(m);
        return err;
    }
    qiao_mesh_start(m);
    *out = m;
    return QIAO_OK;
}

void qiao_mesh_destroy(struct qiao_mesh *m)
{
    if (!m)
        return;
    m->vhb->m = NULL; /* from here the vhost's callbacks find no mesh */
    lws_sul_cancel(&m->sul_cron);
    for (size_t i = 0; i < m->npeers; i++)
        lws_sul_cancel(&m->peers[i].sul_retry);
    while (m->links) {
        struct qiao_mesh_link *l = m->links;
        struct lws *wsi = l->wsi;
        m->links = l->next;
        qiao_mesh_link_free(l); /* detaches wsi first, so its close callback finds nothing */
        if (wsi)
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    /* The vhost stays, parked (see vh_name's comment). */
    mesh_free(m);
}

int qiao_mesh_listen_port(const struct qiao_mesh *m)
{
    return lws_get_vhost_listen_port(m->vh);
}

/* Send f to one peer (NULL: every authenticated peer); returns peers reached. */
static int send_frame(struct qiao_mesh *m, const uint8_t *peer, const struct qiao_mesh_frame *f)
{
    int reached = 0;
    for (size_t i = 0; i < m->npeers; i++) {
        struct qiao_mesh_peer *p = &m->peers[i];
        if ((peer && memcmp(p->addr, peer, 20) != 0) || !p->up)
            continue;
        if (qiao_mesh_link_send(p->up, f) == 0)
            reached++;
    }
    return reached;
}

int qiao_mesh_send_att(struct qiao_mesh *m, const uint8_t *peer, const uint8_t id[32],
                       uint64_t epoch, const uint8_t sig[65])
{
    struct qiao_mesh_frame f;
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_ATT;
    memcpy(f.u.att.id, id, 32);
    f.u.att.epoch = epoch;
    memcpy(f.u.att.sig, sig, 65);
    return send_frame(m, peer, &f);
}

int qiao_mesh_send_want(struct qiao_mesh *m, const uint8_t *peer, const uint8_t (*ids)[32],
                        size_t n)
{
    /* Chunks small enough for the frame cap (ours; the committee shares one configuration). */
    size_t per = (m->max_frame - WANT_OVERHEAD) / WANT_ID_BYTES;
    if (per > QIAO_MESH_MAX_WANT)
        per = QIAO_MESH_MAX_WANT;
    struct qiao_mesh_frame *f = malloc(sizeof(*f));
    int reached = 0;
    if (!f)
        return 0;
    for (size_t at = 0; at < n; at += per) {
        f->type = QIAO_MESH_WANT;
        f->u.want.count = n - at < per ? n - at : per;
        memcpy(f->u.want.ids, ids[at], f->u.want.count * 32);
        int r = send_frame(m, peer, f);
        if (at == 0 || r < reached)
            reached = r;
    }
    free(f);
    return reached;
}

size_t qiao_mesh_peers_up(const struct qiao_mesh *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->npeers; i++)
        n += m->peers[i].up != NULL;
    return n;
}

int qiao_mesh_peer_is_up(const struct qiao_mesh *m, const uint8_t peer[20])
{
    for (size_t i = 0; i < m->npeers; i++)
        if (memcmp(m->peers[i].addr, peer, 20) == 0)
            return m->peers[i].up != NULL;
    return 0;
}
