/*
 * hostile.c: the lying node (see hostile.h).  HTTP paths:
 *   /ok            a correct reply              /malformed    "{\"jsonrpc\":" and no more
 *   /wrong-id      the id plus one              /both         result and error
 *   /neither       no result, no error          /version      "jsonrpc":"1.0"
 *   /dup-key       "result" twice               /deep         200 nested arrays
 *   /status500     HTTP 500, HTML body          /status500-rpc HTTP 500 with a JSON-RPC error
 *   /auth          401 unless Basic x:secret    /redirect     302 to another host
 *   /truncated     Content-Length 200, 40 sent  /close        closes after reading the request
 *   /close-delimited  a correct reply with no length, ended by closing the connection
 *   /huge-cl       announces 256 MiB            /huge-stream  no length, streams up to 256 MiB
 *   /stall         reads the request, then silence for 3 s
 *   /slowloris     headers, then one body byte every 100 ms
 * WebSocket paths (after a real handshake):
 *   /ws/ok         correct replies              /ws/wrong-id  every reply's id plus 1000
 *   /ws/malformed  a frame of broken JSON       /ws/huge      a 1 MiB text frame
 *   /ws/drop       closes when a request arrives
 *   /ws/late       answers the first request after 400 ms, the rest at once
 *   /ws/refuse     answers every request with a JSON-RPC error
 * and two bitcoind/bcoin-shaped (legacy dialect) paths: /legacy-ok, /legacy-err (HTTP 500).
 */
#include "hostile.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HOSTILE_HUGE ((size_t)256 << 20)

static int g_listen = -1;
static int g_listen_tls = -1;
static SSL_CTX *g_tls;
/* The TLS session of the connection this thread serves, or NULL for plain TCP. */
static _Thread_local SSL *t_ssl;
static volatile int g_stop;
static volatile size_t g_bytes_sent;
static volatile int g_connections;
static volatile int g_huge_done;
static pthread_t g_accept_thread;

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static ssize_t io_send(int fd, const void *p, size_t n)
{
    if (t_ssl)
        return SSL_write(t_ssl, p, (int)(n > 65536 ? 65536 : n));
    return send(fd, p, n, MSG_NOSIGNAL);
}

static ssize_t io_recv(int fd, void *p, size_t n)
{
    if (t_ssl)
        return SSL_read(t_ssl, p, (int)(n > 65536 ? 65536 : n));
    return recv(fd, p, n, 0);
}

/* Readable: TLS may hold decrypted bytes the socket no longer shows. */
static int io_wait(int fd, int ms)
{
    if (t_ssl && SSL_pending(t_ssl) > 0)
        return 1;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms);
}

static int send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = io_send(fd, c, n);
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Case-insensitive substring search (header names are case-insensitive). */
static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

static int send_str(int fd, const char *s)
{
    return send_all(fd, s, strlen(s));
}

/* Read until the end of the headers plus Content-Length body bytes (bounded: 64 KiB, 5 s). */
static int read_request(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    for (int waited = 0; waited < 5000 && len < cap - 1;) {
        if (io_wait(fd, 100) <= 0) {
            waited += 100;
            continue;
        }
        ssize_t k = io_recv(fd, buf + len, cap - 1 - len);
        if (k <= 0)
            return -1;
        len += (size_t)k;
        buf[len] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        const char *cl = find_ci(buf, "content-length:");
        size_t body = cl ? (size_t)atol(cl + 15) : 0;
        if (len >= (size_t)(end + 4 - buf) + body)
            return (int)len;
    }
    return -1;
}

/* The request id: the number after "id": (our client always sends one). */
static long request_id(const char *req)
{
    const char *p = strstr(req, "\"id\":");
    return p ? atol(p + 5) : -1;
}

static void reply(int fd, int status, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, strlen(body));
    if (send_all(fd, head, (size_t)n) == 0)
        send_all(fd, body, strlen(body));
}

static void reply_fmt(int fd, int status, const char *fmt, long id)
{
    char body[512];
    snprintf(body, sizeof(body), fmt, id);
    reply(fd, status, body);
}

static void stream_huge(int fd, int announce)
{
    char head[160];
    int n = announce ? snprintf(head, sizeof(head),
                                "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", HOSTILE_HUGE)
                     : snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    static char chunk[16384];
    memset(chunk, ' ', sizeof(chunk));
    chunk[0] = '[';
    size_t sent = 0;
    if (send_all(fd, head, (size_t)n) == 0)
        while (sent < HOSTILE_HUGE && send_all(fd, chunk, sizeof(chunk)) == 0)
            sent += sizeof(chunk);
    g_bytes_sent = sent;
    g_huge_done++;
}

static void slowloris(int fd, long id)
{
    char body[128];
    int blen = snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":\"0x1\"}", id);
    char head[160];
    int n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", blen);
    if (send_all(fd, head, (size_t)n))
        return;
    for (int i = 0; i < blen && i < 60; i++) {
        if (send_all(fd, body + i, 1))
            return;
        sleep_ms(100);
    }
}

static const struct {
    const char *path;
    int status;
    const char *fmt;
} hostile_simple[] = {
    {"/ok ", 200, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":\"0x1b59\"}"},
    {"/malformed ", 200, "{\"jsonrpc\":"},
    {"/both ", 200, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":1,\"error\":{\"code\":1,\"message\":\"x\"}}"},
    {"/neither ", 200, "{\"jsonrpc\":\"2.0\",\"id\":%ld}"},
    {"/version ", 200, "{\"jsonrpc\":\"1.0\",\"id\":%ld,\"result\":1}"},
    {"/dup-key ", 200, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":1,\"result\":2}"},
    {"/status500 ", 500, "<html>Internal Server Error</html>"},
    {"/legacy-ok ", 200, "{\"result\":812,\"error\":null,\"id\":%ld}"},
    {"/legacy-err ", 500, "{\"result\":null,\"error\":{\"message\":\"Block not found\",\"code\":-5},\"id\":%ld}"},
    {"/status500-rpc ", 500,
     "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"error\":{\"code\":-8,\"message\":\"Block height out of range\"}}"},
};

static int serve_simple(int fd, const char *req, long id)
{
    for (size_t i = 0; i < sizeof(hostile_simple) / sizeof(hostile_simple[0]); i++)
        if (strncmp(req + 5, hostile_simple[i].path, strlen(hostile_simple[i].path)) == 0) {
            reply_fmt(fd, hostile_simple[i].status, hostile_simple[i].fmt, id);
            return 1;
        }
    return 0;
}

static void serve_deep(int fd, long id)
{
    char body[600];
    int n = snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":", id);
    for (int i = 0; i < 200; i++)
        body[n++] = '[';
    for (int i = 0; i < 200; i++)
        body[n++] = ']';
    snprintf(body + n, sizeof(body) - (size_t)n, "}");
    reply(fd, 200, body);
}

static void serve_auth(int fd, const char *req, long id)
{
    /* base64("x:secret") */
    if (strstr(req, "\r\nauthorization: Basic eDpzZWNyZXQ=\r\n") ||
        strstr(req, "\r\nAuthorization: Basic eDpzZWNyZXQ=\r\n"))
        reply_fmt(fd, 200, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":\"authorised\"}", id);
    else
        reply(fd, 401, "{\"error\":\"unauthorised\"}");
}

/* HTTP/1.0 style: no length, the body ends when the server closes. */
static void close_delimited(int fd, long id)
{
    char buf[256];
    int n = snprintf(buf, sizeof(buf),
                     "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
                     "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":\"0x1b59\"}", id);
    send_all(fd, buf, (size_t)n);
}

static void serve_http_special(int fd, const char *req, long id)
{
    const char *path = req + 5;
    if (strncmp(path, "/deep ", 6) == 0)
        serve_deep(fd, id);
    else if (strncmp(path, "/wrong-id ", 10) == 0)
        reply_fmt(fd, 200, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":1}", id + 1);
    else if (strncmp(path, "/auth ", 6) == 0)
        serve_auth(fd, req, id);
    else if (strncmp(path, "/redirect ", 10) == 0)
        send_str(fd, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n");
    else if (strncmp(path, "/close-delimited ", 17) == 0)
        close_delimited(fd, id);
    else if (strncmp(path, "/truncated ", 11) == 0)
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"res");
    else if (strncmp(path, "/huge-cl ", 9) == 0)
        stream_huge(fd, 1);
    else if (strncmp(path, "/huge-stream ", 13) == 0)
        stream_huge(fd, 0);
    else if (strncmp(path, "/stall ", 7) == 0)
        sleep_ms(3000);
    else if (strncmp(path, "/slowloris ", 11) == 0)
        slowloris(fd, id);
    /* "/close" and anything unknown: close without a word */
}

/* ---- WebSocket ---- */

static int ws_handshake(int fd, const char *req)
{
    const char *k = find_ci(req, "sec-websocket-key:");
    if (!k)
        return -1;
    k += 18;
    while (*k == ' ')
        k++;
    char key[128];
    size_t n = strcspn(k, "\r\n");
    if (n > 60)
        return -1;
    snprintf(key, sizeof(key), "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)n, k);
    unsigned char sha[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)key, strlen(key), sha);
    char accept[64];
    EVP_EncodeBlock((unsigned char *)accept, sha, SHA_DIGEST_LENGTH);
    char resp[256];
    int m = snprintf(resp, sizeof(resp),
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    return send_all(fd, resp, (size_t)m);
}

static int recv_exact(int fd, unsigned char *p, size_t n)
{
    for (int waited = 0; n && waited < 5000;) {
        if (io_wait(fd, 100) <= 0) {
            waited += 100;
            if (g_stop)
                return -1;
            continue;
        }
        ssize_t k = io_recv(fd, p, n);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return n ? -1 : 0;
}

/* One client frame (masked), payload up to cap-1 bytes, NUL-terminated.  Returns the opcode. */
static int ws_read_frame(int fd, char *out, size_t cap)
{
    unsigned char h[14];
    if (recv_exact(fd, h, 2))
        return -1;
    size_t len = h[1] & 0x7f;
    if (len == 126) {
        if (recv_exact(fd, h + 2, 2))
            return -1;
        len = (size_t)h[2] << 8 | h[3];
    } else if (len == 127) {
        return -1; /* our client never sends frames that large */
    }
    unsigned char mask[4];
    if (len >= cap || recv_exact(fd, mask, 4) || recv_exact(fd, (unsigned char *)out, len))
        return -1;
    for (size_t i = 0; i < len; i++)
        out[i] ^= (char)mask[i % 4];
    out[len] = 0;
    return h[0] & 0x0f;
}

static int ws_send_text(int fd, const char *p, size_t len)
{
    unsigned char h[10];
    size_t hn = 2;
    h[0] = 0x81;
    if (len < 126) {
        h[1] = (unsigned char)len;
    } else if (len < 65536) {
        h[1] = 126, h[2] = (unsigned char)(len >> 8), h[3] = (unsigned char)len;
        hn = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
        hn = 10;
    }
    return send_all(fd, h, hn) || send_all(fd, p, len) ? -1 : 0;
}

static int ws_send_str(int fd, const char *fmt, long id)
{
    char buf[256];
    int n = snprintf(buf, sizeof(buf), fmt, id);
    return ws_send_text(fd, buf, (size_t)n);
}

static int ws_reply(int fd, const char *mode, long id, int nth)
{
    char buf[256];
    if (strcmp(mode, "wrong-id") == 0)
        id += 1000;
    if (strcmp(mode, "drop") == 0)
        return -1;
    if (strcmp(mode, "malformed") == 0)
        return ws_send_text(fd, "{\"jsonrpc\":\"2.0\",\"id\":", 22);
    if (strcmp(mode, "huge") == 0) {
        size_t n = (size_t)1 << 20;
        char *big = malloc(n);
        memset(big, ' ', n);
        big[0] = '[';
        int rc = ws_send_text(fd, big, n);
        free(big);
        return rc;
    }
    if (strcmp(mode, "refuse") == 0)
        return ws_send_str(fd, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"error\":{\"code\":-32601,"
                               "\"message\":\"subscriptions not supported\"}}", id);
    if (strcmp(mode, "late") == 0 && nth == 0)
        sleep_ms(400);
    int n = snprintf(buf, sizeof(buf), "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":\"0x1b59\"}", id);
    return ws_send_text(fd, buf, (size_t)n);
}

static void serve_ws(int fd, const char *req)
{
    char mode[32];
    if (sscanf(req, "GET /ws/%31[a-z-]", mode) != 1 || ws_handshake(fd, req))
        return;
    char frame[65536];
    for (int nth = 0; nth < 1000; nth++) {
        int op = ws_read_frame(fd, frame, sizeof(frame));
        if (op < 0 || op == 8)
            return;
        if (op != 1)
            continue;
        if (ws_reply(fd, mode, request_id(frame), nth))
            return;
    }
}

static void *serve_conn(void *arg)
{
    int fd = (int)((intptr_t)arg & 0xffffff);
    int tls = (int)((intptr_t)arg >> 24);
    char *req = malloc(65536);
    if (tls) {
        t_ssl = SSL_new(g_tls);
        if (!t_ssl || !SSL_set_fd(t_ssl, fd) || SSL_accept(t_ssl) != 1) {
            SSL_free(t_ssl);
            t_ssl = NULL;
            free(req);
            close(fd);
            return NULL;
        }
    }
    if (req && read_request(fd, req, 65536) > 0) {
        long id = request_id(req);
        if (strncmp(req, "GET /ws/", 8) == 0)
            serve_ws(fd, req);
        else if (strncmp(req, "POST ", 5) == 0 && !serve_simple(fd, req, id))
            serve_http_special(fd, req, id);
    }
    free(req);
    if (t_ssl) {
        SSL_shutdown(t_ssl);
        SSL_free(t_ssl);
        t_ssl = NULL;
    }
    close(fd);
    return NULL;
}

static void accept_one(int lfd, int tls)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return;
    g_connections++;
    pthread_t t;
    if (pthread_create(&t, NULL, serve_conn, (void *)((intptr_t)fd | (intptr_t)tls << 24)) == 0)
        pthread_detach(t);
    else
        close(fd);
}

static void *accept_loop(void *arg)
{
    (void)arg;
    while (!g_stop) {
        struct pollfd p[2] = {{.fd = g_listen, .events = POLLIN},
                              {.fd = g_listen_tls, .events = POLLIN}};
        if (poll(p, g_listen_tls >= 0 ? 2 : 1, 100) <= 0)
            continue;
        for (int i = 0; i < 2; i++)
            if (p[i].revents & POLLIN)
                accept_one(p[i].fd, i);
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64) ||
        getsockname(fd, (struct sockaddr *)&a, &len)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* A throwaway self-signed P-256 certificate for CN=127.0.0.1, valid for an hour. */
static SSL_CTX *tls_server_ctx(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    int ok = key && x && ctx;
    if (ok) {
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, key);
        X509_NAME *nm = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1,
                                   -1, 0);
        X509_set_issuer_name(x, nm);
        ok = X509_sign(x, key, EVP_sha256()) > 0 && SSL_CTX_use_certificate(ctx, x) == 1 &&
             SSL_CTX_use_PrivateKey(ctx, key) == 1;
    }
    X509_free(x);
    EVP_PKEY_free(key);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int g_tls_port = -1;

int qiao_hostile_start(void)
{
    int port;
    g_listen = listen_loopback(&port);
    if (g_listen < 0)
        return -1;
    g_tls = tls_server_ctx();
    if (g_tls)
        g_listen_tls = listen_loopback(&g_tls_port);
    if (pthread_create(&g_accept_thread, NULL, accept_loop, NULL))
        return -1;
    return port;
}

int qiao_hostile_tls_port(void)
{
    return g_listen_tls >= 0 ? g_tls_port : -1;
}

size_t qiao_hostile_bytes_sent(int huge_done_before)
{
    for (int i = 0; i < 100 && g_huge_done <= huge_done_before; i++)
        sleep_ms(50); /* the writer stops once the client's close reaches it */
    return g_huge_done > huge_done_before ? g_bytes_sent : (size_t)-1;
}

int qiao_hostile_huge_done(void)
{
    return g_huge_done;
}

int qiao_hostile_connections(void)
{
    return g_connections;
}

void qiao_hostile_stop(void)
{
    g_stop = 1;
    pthread_join(g_accept_thread, NULL);
    close(g_listen);
    if (g_listen_tls >= 0)
        close(g_listen_tls);
    /* g_tls stays: a connection thread may still be finishing its bounded work with it. */
}
