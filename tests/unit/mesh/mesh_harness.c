/* mesh_harness.c: see mesh_harness.h. */
#include "tests/unit/mesh/mesh_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "relay/core/bytes.h"
#include "relay/core/secp.h"
#include "relay/mesh/auth.h"

struct mh_key mh_keys[MH_MAX_NODES];
size_t mh_nkeys;
uint8_t mh_committee[32];

static int key_cmp(const void *a, const void *b)
{
    return memcmp(((const struct mh_key *)a)->addr, ((const struct mh_key *)b)->addr, 20);
}

void mh_make_keys(struct qiao_crypto *cx, size_t n)
{
    uint8_t pub[64];
    for (size_t i = 0; i < n; i++) {
        memset(mh_keys[i].sk, (int)(0x11 * (i + 1)), 32);
        qiao_secp_pubkey(cx, pub, mh_keys[i].addr, mh_keys[i].sk, NULL);
    }
    qsort(mh_keys, n, sizeof(mh_keys[0]), key_cmp);
    mh_nkeys = n;
    memset(mh_committee, 0xc0, 32);
}

int mh_index(const uint8_t addr[20])
{
    for (size_t i = 0; i < mh_nkeys; i++)
        if (memcmp(mh_keys[i].addr, addr, 20) == 0)
            return (int)i;
    return -1;
}

static void on_up(void *user, const uint8_t peer[20])
{
    struct mh_rec *r = user;
    int i = mh_index(peer);
    if (i >= 0)
        r->up[i]++;
}

static void on_down(void *user, const uint8_t peer[20], const struct qiao_diag *why)
{
    struct mh_rec *r = user;
    int i = mh_index(peer);
    if (i >= 0)
        r->down[i]++;
    snprintf(r->down_reason, sizeof(r->down_reason), "%s", why ? why->reason : "");
}

static void on_att(void *user, const uint8_t peer[20], const uint8_t id[32], uint64_t epoch,
                   const uint8_t sig[65])
{
    struct mh_rec *r = user;
    int i = mh_index(peer);
    if (i < 0)
        return;
    r->att[i]++;
    memcpy(r->att_id[i], id, 32);
    r->att_epoch[i] = epoch;
    memcpy(r->att_sig[i], sig, 65);
}

static void on_want(void *user, const uint8_t peer[20], const uint8_t (*ids)[32], size_t n)
{
    struct mh_rec *r = user;
    int i = mh_index(peer);
    if (i < 0 || n == 0)
        return;
    if (r->want_ids[i] == 0)
        memcpy(r->first_want_id, ids[0], 32);
    memcpy(r->last_want_id, ids[n - 1], 32);
    r->want_frames[i]++;
    r->want_ids[i] += n;
}

static void on_violation(void *user, const uint8_t *peer, const struct qiao_diag *d)
{
    struct mh_rec *r = user;
    r->violations++;
    r->violation_had_peer = peer != NULL;
    snprintf(r->violation, sizeof(r->violation), "%s", d->reason);
}

struct qiao_mesh_events mh_events(struct mh_rec *rec)
{
    struct qiao_mesh_events ev = {
        .user = rec,
        .peer_up = on_up,
        .peer_down = on_down,
        .attestation = on_att,
        .want = on_want,
        .violation = on_violation,
    };
    return ev;
}

static const struct lws_protocols mh_protocols[] = {
    {.name = "mh-default", .callback = lws_callback_http_dummy},
    {.name = NULL, .callback = NULL},
};

struct lws_context *mh_context(void)
{
    const char *level = getenv("QIAO_LWS_LOG");
    lws_set_log_level(level ? atoi(level) : LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.protocols = mh_protocols;
    return lws_create_context(&info);
}

struct mh_wake {
    lws_sorted_usec_list_t sul;
    struct lws_context *ctx;
};

/* Wakes the loop every 10 ms so predicates that read sockets are polled. */
static void wake_cb(lws_sorted_usec_list_t *sul)
{
    struct mh_wake *w = lws_container_of(sul, struct mh_wake, sul);
    lws_sul_schedule(w->ctx, 0, &w->sul, wake_cb, 10 * LWS_US_PER_MS);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int mh_service_until(struct lws_context *ctx, int (*pred)(void *), void *arg, unsigned timeout_ms)
{
    struct mh_wake w;
    memset(&w, 0, sizeof(w));
    w.ctx = ctx;
    lws_sul_schedule(ctx, 0, &w.sul, wake_cb, 10 * LWS_US_PER_MS);
    uint64_t end = now_ms() + timeout_ms;
    int ok = pred ? pred(arg) : 0;
    while (!ok && now_ms() < end) {
        if (lws_service(ctx, 0) < 0)
            break;
        ok = pred ? pred(arg) : 0;
    }
    lws_sul_cancel(&w.sul);
    return ok;
}

void mh_service_for(struct lws_context *ctx, unsigned ms)
{
    mh_service_until(ctx, NULL, NULL, ms);
}

/* ---- raw client ---- */

static const uint8_t *find_crlf2(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(p + i, "\r\n\r\n", 4) == 0)
            return p + i;
    return NULL;
}

static void raw_pump(struct mh_raw *r)
{
    while (!r->eof && r->in_len < sizeof(r->in)) {
        ssize_t n = recv(r->fd, r->in + r->in_len, sizeof(r->in) - r->in_len, 0);
        if (n > 0)
            r->in_len += (size_t)n;
        else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            r->eof = 1;
        else
            break;
    }
}

static int have_101(void *arg)
{
    struct mh_raw *r = arg;
    raw_pump(r);
    return r->eof || find_crlf2(r->in, r->in_len) != NULL;
}

int mh_raw_open(struct mh_raw *r, struct lws_context *ctx, int port, int upgrade,
                const char *proto)
{
    struct sockaddr_in sa;
    memset(r, 0, sizeof(*r));
    r->ctx = ctx;
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        return -1;
    fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
    if (!upgrade)
        return 0;
    char req[512], proto_line[96] = "";
    if (proto)
        snprintf(proto_line, sizeof(proto_line), "Sec-WebSocket-Protocol: %s\r\n", proto);
    snprintf(req, sizeof(req),
             "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
             port, proto_line);
    mh_raw_write(r, req, strlen(req));
    mh_service_until(ctx, have_101, r, 5000);
    const uint8_t *end = find_crlf2(r->in, r->in_len);
    if (!end || memcmp(r->in, "HTTP/1.1 101", 12) != 0)
        return -1;
    size_t hdr = (size_t)(end + 4 - r->in);
    memmove(r->in, r->in + hdr, r->in_len - hdr);
    r->in_len -= hdr;
    return 0;
}

void mh_raw_write(struct mh_raw *r, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t k = send(r->fd, b, n, MSG_NOSIGNAL);
        if (k > 0) {
            b += k, n -= (size_t)k;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            mh_service_for(r->ctx, 5); /* let the server drain its socket */
        } else {
            return;
        }
    }
}

void mh_raw_frame(struct mh_raw *r, int opcode, const void *p, size_t n, uint64_t announce)
{
    uint8_t hdr[14], mask[4] = {0x12, 0x34, 0x56, 0x78};
    size_t h = 0;
    hdr[h++] = (uint8_t)(0x80 | opcode);
    if (announce < 126) {
        hdr[h++] = (uint8_t)(0x80 | announce);
    } else if (announce < 65536) {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = (uint8_t)(announce >> 8), hdr[h++] = (uint8_t)announce;
    } else {
        hdr[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            hdr[h++] = (uint8_t)(announce >> (8 * i));
    }
    memcpy(hdr + h, mask, 4);
    h += 4;
    uint8_t *buf = malloc(h + n);
    memcpy(buf, hdr, h);
    for (size_t i = 0; i < n; i++)
        buf[h + i] = ((const uint8_t *)p)[i] ^ mask[i % 4];
    mh_raw_write(r, buf, h + n);
    free(buf);
}

void mh_raw_text(struct mh_raw *r, const char *text)
{
    mh_raw_frame(r, 1, text, strlen(text), strlen(text));
}

void mh_raw_send(struct mh_raw *r, const struct qiao_mesh_frame *f)
{
    struct qiao_buf b = {0};
    qiao_buf_init(&b, 0);
    if (qiao_mesh_frame_build(&b, f, NULL) == QIAO_OK)
        mh_raw_frame(r, 1, b.p, b.len, b.len);
    qiao_buf_clear(&b);
}

/* A complete unmasked server frame at the start of r->in: its payload offset and length. */
static int frame_ready(const struct mh_raw *r, size_t *off, size_t *len)
{
    if (r->in_len < 2)
        return 0;
    size_t l = r->in[1] & 0x7f, h = 2;
    if (l == 126) {
        if (r->in_len < 4)
            return 0;
        l = (size_t)r->in[2] << 8 | r->in[3], h = 4;
    } else if (l == 127) {
        if (r->in_len < 10)
            return 0;
        l = 0;
        for (int i = 0; i < 8; i++)
            l = l << 8 | r->in[2 + i];
        h = 10;
    }
    if (r->in_len < h + l)
        return 0;
    *off = h, *len = l;
    return 1;
}

static int frame_or_eof(void *arg)
{
    struct mh_raw *r = arg;
    size_t off, len;
    raw_pump(r);
    return frame_ready(r, &off, &len) || r->eof;
}

int mh_raw_recv(struct mh_raw *r, struct qiao_mesh_frame *f, unsigned timeout_ms)
{
    size_t off, len;
    mh_service_until(r->ctx, frame_or_eof, r, timeout_ms);
    if (!frame_ready(r, &off, &len))
        return -1;
    int opcode = r->in[0] & 0x0f;
    qiao_err err = opcode == 1 ? qiao_mesh_frame_parse(f, (const char *)r->in + off, len, 0, NULL)
                               : QIAO_EINVAL;
    memmove(r->in, r->in + off + len, r->in_len - off - len);
    r->in_len -= off + len;
    return err ? -1 : 0;
}

static int is_eof(void *arg)
{
    struct mh_raw *r = arg;
    r->in_len = 0; /* discard what the server still sends (close frame) */
    raw_pump(r);
    return r->eof;
}

int mh_raw_wait_closed(struct mh_raw *r, unsigned timeout_ms)
{
    return mh_service_until(r->ctx, is_eof, r, timeout_ms);
}

void mh_raw_close(struct mh_raw *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}

int mh_raw_handshake(struct mh_raw *r, struct qiao_crypto *cx, const struct mh_key *key,
                     const uint8_t server[20], uint64_t epoch, uint8_t server_nonce[32],
                     uint8_t our_sig[65])
{
    struct qiao_mesh_frame f;
    if (mh_raw_recv(r, &f, 3000) || f.type != QIAO_MESH_HELLO)
        return -1;
    if (server_nonce)
        memcpy(server_nonce, f.u.hello.nonce, 32);
    uint8_t nonce_s[32];
    memcpy(nonce_s, f.u.hello.nonce, 32);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_HELLO;
    memcpy(f.u.hello.committee, mh_committee, 32);
    f.u.hello.epoch = epoch;
    memcpy(f.u.hello.from, key->addr, 20);
    memset(f.u.hello.nonce, 0x5a, 32);
    mh_raw_send(r, &f);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_AUTH;
    if (qiao_mesh_auth_sign(cx, f.u.auth.sig, key->sk, mh_committee, epoch, nonce_s, key->addr,
                            server, NULL))
        return -1;
    if (our_sig)
        memcpy(our_sig, f.u.auth.sig, 65);
    mh_raw_send(r, &f);
    if (mh_raw_recv(r, &f, 3000) || f.type != QIAO_MESH_AUTH)
        return -1;
    return 0;
}
