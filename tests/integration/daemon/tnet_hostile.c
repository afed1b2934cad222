/* tnet_hostile.c: a fake notary, attacker signatures, raw HTTP and a corrupting RPC proxy. */
#define _GNU_SOURCE
#include "tnet_hostile.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "relay/core/hex.h"
#include "relay/core/secp.h"
#include "relay/rpc/rpc.h"
#include "tests/support/proc.h"

#ifdef QIAO_HAVE_MESH
#include "relay/mesh/mesh.h"
#endif

/* ---- the fake notary ------------------------------------------------------------------------- */

#ifdef QIAO_HAVE_MESH
static void f_up(void *user, const uint8_t peer[20])
{
    (void)peer;
    ((struct tfake *)user)->ups++;
}

static void f_down(void *user, const uint8_t peer[20], const struct qiao_diag *why)
{
    (void)user, (void)peer, (void)why;
}

/* The fake never counts what honest notaries gossip: it only attacks. */
static void f_att(void *user, const uint8_t peer[20], const uint8_t id[32], uint64_t epoch,
                  const uint8_t sig[65])
{
    (void)user, (void)peer, (void)id, (void)epoch, (void)sig;
}

static void f_want(void *user, const uint8_t peer[20], const uint8_t (*ids)[32], size_t n)
{
    (void)user, (void)peer, (void)ids, (void)n;
}

static void f_violation(void *user, const uint8_t *peer, const struct qiao_diag *d)
{
    (void)user, (void)peer;
    fprintf(stderr, "fake notary: violation %s: %s\n", d->reason, d->msg);
}

static const struct lws_protocols f_protocols[] = {
    {.name = "tfake-default", .callback = lws_callback_http_dummy},
    {.name = NULL, .callback = NULL},
};

int tfake_start(struct tfake *f, struct tnet *t, unsigned self)
{
    struct qiao_mesh_peer_cfg peers[TNET_MAX_NOTARIES];
    char urls[TNET_MAX_NOTARIES][64];
    size_t np = 0;
    struct lws_context_creation_info info;
    struct qiao_diag d = {0};
    memset(f, 0, sizeof(*f));
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = f_protocols;
    f->ctx = lws_create_context(&info);
    f->cx = qiao_crypto_create();
    if (!f->ctx || !f->cx)
        return -1;
    memcpy(f->seckey, t->notaries[self].seckey, 32);
    memcpy(f->addr, t->notaries[self].addr, 20);
    for (unsigned i = 0; i < t->n; i++) {
        if (i == self)
            continue;
        snprintf(urls[np], sizeof(urls[np]), "ws://127.0.0.1:%d", t->notaries[i].mesh_port);
        memcpy(peers[np].addr, t->notaries[i].addr, 20);
        peers[np].url = urls[np];
        np++;
    }
    struct qiao_mesh_opts o = {.listen_port = t->notaries[self].mesh_port, .seckey = f->seckey,
                               .epoch = 1, .peers = peers, .npeers = np,
                               .heartbeat_ms = 1000, .dead_after_ms = 60000};
    memcpy(o.self, f->addr, 20);
    memcpy(o.committee, t->committee, 32);
    struct qiao_mesh_events ev = {.user = f, .peer_up = f_up, .peer_down = f_down,
                                  .attestation = f_att, .want = f_want, .violation = f_violation};
    if (qiao_mesh_create(&f->mesh, f->ctx, f->cx, &o, &ev, &d)) {
        fprintf(stderr, "fake notary: %s: %s\n", d.reason, d.msg);
        return -1;
    }
    return 0;
}

struct f_wake {
    lws_sorted_usec_list_t sul;
    struct lws_context *ctx;
};

static void f_wake_cb(lws_sorted_usec_list_t *sul)
{
    struct f_wake *w = lws_container_of(sul, struct f_wake, sul);
    lws_sul_schedule(w->ctx, 0, &w->sul, f_wake_cb, 10 * LWS_US_PER_MS);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int pump_until(struct tfake *f, size_t ups, unsigned ms)
{
    struct f_wake w;
    memset(&w, 0, sizeof(w));
    w.ctx = f->ctx;
    lws_sul_schedule(f->ctx, 0, &w.sul, f_wake_cb, 10 * LWS_US_PER_MS);
    uint64_t end = mono_ms() + ms;
    while ((ups == 0 || qiao_mesh_peers_up(f->mesh) < ups) && mono_ms() < end)
        if (lws_service(f->ctx, 0) < 0)
            break;
    lws_sul_cancel(&w.sul);
    return ups && qiao_mesh_peers_up(f->mesh) >= ups ? 0 : -1;
}

void tfake_pump(struct tfake *f, unsigned ms)
{
    if (f->ctx)
        pump_until(f, 0, ms);
}

int tfake_wait_up(struct tfake *f, size_t n, unsigned timeout_ms)
{
    return pump_until(f, n, timeout_ms);
}

int tfake_send_att(struct tfake *f, const uint8_t id[32], uint64_t epoch, const uint8_t sig[65])
{
    int n = qiao_mesh_send_att(f->mesh, NULL, id, epoch, sig);
    tfake_pump(f, 50); /* let the frame leave */
    return n;
}

void tfake_stop(struct tfake *f)
{
    qiao_mesh_destroy(f->mesh);
    if (f->ctx)
        lws_context_destroy(f->ctx);
    qiao_crypto_destroy(f->cx);
    memset(f, 0, sizeof(*f));
}
#endif

/* ---- attacker signatures --------------------------------------------------------------------- */

int tsig_sign(uint8_t sig[65], const uint8_t seckey[32], const uint8_t digest[32], unsigned salt)
{
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_ecdsa_recoverable_signature rs;
    uint8_t extra[32] = {0};
    int recid = 0, ok;
    memcpy(extra, &salt, sizeof(salt));
    ok = ctx && secp256k1_ecdsa_sign_recoverable(ctx, &rs, digest, seckey, NULL,
                                                 salt ? extra : NULL) &&
         secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs);
    sig[64] = (uint8_t)(27 + recid);
    secp256k1_context_destroy(ctx);
    return ok ? 0 : -1;
}

void tsig_high_s(uint8_t sig[65])
{
    static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                  0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int v = n[i] - sig[32 + i] - borrow;
        borrow = v < 0;
        sig[32 + i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
    sig[64] = sig[64] == 27 ? 28 : 27;
}

void tsig_address(uint8_t addr[20], const uint8_t seckey[32])
{
    struct qiao_crypto *cx = qiao_crypto_create();
    uint8_t pub[64];
    qiao_secp_pubkey(cx, pub, addr, seckey, NULL);
    qiao_crypto_destroy(cx);
}

/* ---- Inbox calls that revert ----------------------------------------------------------------- */

struct revert_wait {
    int done, reverted;
    uint8_t sel[4];
};

static void revert_cb(void *user, qiao_err err, const cJSON *result, const struct qiao_diag *d)
{
    struct revert_wait *w = user;
    w->done = 1;
    if (!err) {
        w->reverted = 0;
        return;
    }
    const cJSON *data = strcmp(d->reason, "rpc-error") == 0 ? cJSON_GetObjectItem(result, "data")
                                                            : NULL;
    w->reverted = cJSON_IsString(data) ? 1 : -1;
    const char *h = w->reverted == 1 ? data->valuestring : "";
    for (int i = 0; i < 4 && strlen(h) >= 10; i++) {
        char two[3] = {h[2 + 2 * i], h[3 + 2 * i], 0};
        w->sel[i] = (uint8_t)strtoul(two, NULL, 16);
    }
    if (w->reverted < 0)
        fprintf(stderr, "tnet_call_revert: %s: %s\n", d->reason, d->msg);
}

int tnet_call_revert(struct tnet *t, unsigned c, const uint8_t to[20], const uint8_t *data,
                     size_t len, uint8_t revert[4])
{
    struct revert_wait w = {0};
    char addr[43], *hex = malloc(2 * len + 3);
    if (!hex)
        return -1;
    qiao_hex_encode0x(addr, to, 20);
    qiao_hex_encode0x(hex, data, len);
    cJSON *call = cJSON_CreateObject(), *p = cJSON_CreateArray();
    cJSON_AddStringToObject(call, "from", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    cJSON_AddStringToObject(call, "to", addr);
    cJSON_AddStringToObject(call, "data", hex);
    cJSON_AddStringToObject(call, "gas", "0x1000000");
    cJSON_AddItemToArray(p, call);
    cJSON_AddItemToArray(p, cJSON_CreateString("latest"));
    free(hex);
    if (qiao_rpc_call(t->chains[c].rpc, "eth_call", p, revert_cb, &w, NULL))
        return -1;
    qiao_rpc_service_until(t->lws, &w.done, 30000);
    memcpy(revert, w.sel, 4);
    return w.done ? w.reverted : -1;
}

/* ---- raw sockets ----------------------------------------------------------------------------- */

static int tcp_to(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        c += w, n -= (size_t)w;
    }
    return 0;
}

/* Read until EOF, cap or timeout; returns bytes read. */
static size_t recv_all(int fd, char *out, size_t cap, unsigned timeout_ms)
{
    size_t len = 0;
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    while (len < cap && poll(&pf, 1, (int)timeout_ms) > 0) {
        ssize_t r = recv(fd, out + len, cap - len, 0);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    return len;
}

int thttp_raw(int port, const char *head, const void *body, size_t len, char *out, size_t cap)
{
    int fd = tcp_to(port), status = -1;
    if (fd < 0)
        return -1;
    if (send_all(fd, head, strlen(head)) == 0 && send_all(fd, "\r\n\r\n", 4) == 0 &&
        (!len || send_all(fd, body, len) == 0)) {
        size_t n = recv_all(fd, out, cap - 1, 10000);
        out[n] = 0;
        if (n > 12 && strncmp(out, "HTTP/1.", 7) == 0)
            status = atoi(out + 9);
    } else if (cap) { /* the server may refuse mid-body: read what it said */
        size_t n = recv_all(fd, out, cap - 1, 2000);
        out[n] = 0;
        if (n > 12 && strncmp(out, "HTTP/1.", 7) == 0)
            status = atoi(out + 9);
    }
    close(fd);
    return status;
}

/* ---- the corrupting proxy -------------------------------------------------------------------- */

#define PROXY_CAP (8u << 20)

static const char *find_ci(const char *h, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = h; p + n <= end; p++)
        if (strncasecmp(p, name, n) == 0)
            return p + n;
    return NULL;
}

/* One request from the client: headers and Content-Length body.  Returns body length or -1. */
static long read_request(int fd, char *buf, size_t cap, char **body)
{
    size_t len = 0;
    char *eoh = NULL;
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    while (!eoh && len + 1 < cap && poll(&pf, 1, 10000) > 0) {
        ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
        if (r <= 0)
            return -1;
        len += (size_t)r, buf[len] = 0;
        eoh = strstr(buf, "\r\n\r\n");
    }
    if (!eoh)
        return -1;
    const char *cl = find_ci(buf, eoh, "\ncontent-length:");
    long want = cl ? strtol(cl, NULL, 10) : 0;
    *body = eoh + 4;
    if (want < 0 || (size_t)want > cap / 2)
        return -1;
    while ((long)(len - (size_t)(*body - buf)) < want && poll(&pf, 1, 10000) > 0) {
        ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
        if (r <= 0)
            return -1;
        len += (size_t)r;
    }
    return want;
}

/* Forward body to the upstream node; the reply's body into out.  Returns its length or -1. */
static long forward(int port, const char *body, long blen, char *out, size_t cap, char **rbody)
{
    char head[256];
    int fd = tcp_to(port);
    if (fd < 0)
        return -1;
    snprintf(head, sizeof(head), "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: "
             "application/json\r\nContent-Length: %ld\r\nConnection: close\r\n\r\n", port, blen);
    size_t n = 0;
    if (send_all(fd, head, strlen(head)) == 0 && send_all(fd, body, (size_t)blen) == 0)
        n = recv_all(fd, out, cap - 1, 20000);
    close(fd);
    out[n] = 0;
    char *eoh = strstr(out, "\r\n\r\n");
    if (!eoh)
        return -1;
    *rbody = eoh + 4;
    const char *cl = find_ci(out, eoh, "\ncontent-length:");
    long have = (long)(n - (size_t)(*rbody - out));
    long want = cl ? strtol(cl, NULL, 10) : have;
    return want <= have ? want : -1;
}

static void corrupt_hashes(char *b, long len)
{
    static const char key[] = "\"hash\":\"0x";
    for (char *p = b; (p = memmem(p, (size_t)(b + len - p), key, sizeof(key) - 1)) != NULL;) {
        p += sizeof(key) - 1;
        if (p < b + len)
            *p = *p == '0' ? '1' : '0';
    }
}

static void answer(struct tproxy *px, int cfd, char *rbody, long rlen)
{
    char head[256];
    int mode = px->mode;
    if (mode == TPROXY_HTTP_500) {
        static const char r[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                                "Content-Length: 22\r\nConnection: close\r\n\r\ninternal server error\n";
        send_all(cfd, r, sizeof(r) - 1);
        return;
    }
    if (mode == TPROXY_HUGE) {
        static char spaces[65536];
        memset(spaces, ' ', sizeof(spaces));
        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 "Content-Length: 1073741824\r\nConnection: close\r\n\r\n");
        if (send_all(cfd, head, strlen(head)) == 0)
            send_all(cfd, spaces, sizeof(spaces));
        return;
    }
    if (mode == TPROXY_BAD_HASH)
        corrupt_hashes(rbody, rlen);
    if (mode == TPROXY_TRUNCATED)
        rlen /= 2;
    snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
             "Content-Length: %ld\r\nConnection: close\r\n\r\n", rlen);
    if (send_all(cfd, head, strlen(head)) == 0)
        send_all(cfd, rbody, (size_t)rlen);
}

static void serve(struct tproxy *px, int cfd, char *req, char *rep)
{
    char *body = NULL, *rbody = NULL;
    long blen = read_request(cfd, req, PROXY_CAP, &body);
    long rlen = blen < 0 ? -1 : forward(px->upstream_port, body, blen, rep, PROXY_CAP, &rbody);
    if (rlen >= 0)
        answer(px, cfd, rbody, rlen);
    px->served++;
}

static void *proxy_main(void *arg)
{
    struct tproxy *px = arg;
    char *req = malloc(PROXY_CAP), *rep = malloc(PROXY_CAP);
    struct pollfd pf = {.fd = px->lfd, .events = POLLIN};
    while (req && rep && !px->stop) {
        if (poll(&pf, 1, 100) <= 0)
            continue;
        int cfd = accept(px->lfd, NULL, NULL);
        if (cfd < 0)
            continue;
        serve(px, cfd, req, rep);
        shutdown(cfd, SHUT_WR);
        recv_all(cfd, req, PROXY_CAP, 100); /* drain, so close sends FIN rather than RST */
        close(cfd);
    }
    free(req);
    free(rep);
    return NULL;
}

int tproxy_start(struct tproxy *p, int upstream_port)
{
    memset(p, 0, sizeof(*p));
    p->upstream_port = upstream_port;
    p->port = qiao_proc_free_port();
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (p->lfd < 0)
        return -1;
    setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(p->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(p->lfd, 16) ||
        pthread_create(&p->th, NULL, proxy_main, p)) {
        close(p->lfd);
        p->lfd = -1;
        return -1;
    }
    return 0;
}

void tproxy_stop(struct tproxy *p)
{
    if (p->lfd < 0)
        return;
    p->stop = 1;
    pthread_join(p->th, NULL);
    close(p->lfd);
    p->lfd = -1;
}
