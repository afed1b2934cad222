/* tnet_tools.c: batched sends, metrics, a bare WebSocket client and store checks (tnet_tools.h). */
#define _GNU_SOURCE
#include "tnet_tools.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay/core/hex.h"
#include "relay/notary/attest.h"

/* ---- batched sends --------------------------------------------------------------------------- */

int tnet_automine(struct tnet *t, unsigned c, int on)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateBool(on));
    cJSON *r = tnet_chain_call(t, c, "evm_setAutomine", p);
    int ok = r != NULL;
    cJSON_Delete(r);
    return ok ? 0 : -1;
}

static long pending(struct tnet *t, unsigned c)
{
    cJSON *r = tnet_chain_call(t, c, "txpool_status", cJSON_CreateArray());
    const cJSON *p = cJSON_GetObjectItem(r, "pending");
    long n = -1;
    if (cJSON_IsString(p))
        n = strtol(p->valuestring, NULL, 16);
    else if (cJSON_IsNumber(p))
        n = (long)p->valuedouble;
    cJSON_Delete(r);
    return n;
}

int tnet_send_many(struct tnet *t, unsigned src, unsigned dst, size_t n, const char *tag,
                   uint8_t (*ids)[32])
{
    char payload[96];
    for (size_t i = 0; i < n; i++) {
        snprintf(payload, sizeof(payload), "{\"tag\":\"%s\",\"i\":%zu}", tag, i);
        if (tnet_send(t, src, dst, payload, ids[i]))
            return -1;
    }
    return 0;
}

int tnet_mine_pending(struct tnet *t, unsigned c)
{
    for (int blocks = 0; blocks < 100 && pending(t, c) != 0; blocks++)
        cJSON_Delete(tnet_chain_call(t, c, "evm_mine", cJSON_CreateArray()));
    return pending(t, c) == 0 ? 0 : -1;
}

int tnet_send_batch(struct tnet *t, unsigned src, unsigned dst, size_t n, const char *tag,
                    uint8_t (*ids)[32])
{
    int rc = tnet_automine(t, src, 0);
    if (rc == 0)
        rc = tnet_send_many(t, src, dst, n, tag, ids);
    if (rc == 0)
        rc = tnet_mine_pending(t, src);
    return tnet_automine(t, src, 1) || rc ? -1 : 0;
}

/* ---- plain sockets --------------------------------------------------------------------------- */

static int tcp_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int write_all(int fd, const void *p, size_t n)
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

/* Read up to cap bytes, waiting at most timeout_ms for each chunk.  Returns bytes, -1 on timeout
 * with nothing read, -2 on EOF with nothing read. */
static ssize_t read_some(int fd, void *p, size_t cap, unsigned timeout_ms)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    if (poll(&pf, 1, (int)timeout_ms) <= 0)
        return -1;
    ssize_t r = recv(fd, p, cap, 0);
    return r == 0 ? -2 : r < 0 ? -1 : r;
}

static int read_exact(int fd, void *p, size_t n, unsigned timeout_ms)
{
    char *c = p;
    while (n) {
        ssize_t r = read_some(fd, c, n, timeout_ms);
        if (r < 0)
            return (int)r;
        c += r, n -= (size_t)r;
    }
    return 0;
}

int tnet_http_get(int port, const char *path, char *out, size_t cap)
{
    char req[256];
    size_t len = 0;
    int fd = tcp_connect(port);
    if (fd < 0 || cap == 0)
        return -1;
    snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    int rc = write_all(fd, req, strlen(req));
    ssize_t r;
    while (rc == 0 && len + 1 < cap && (r = read_some(fd, out + len, cap - 1 - len, 5000)) > 0)
        len += (size_t)r;
    close(fd);
    out[len] = 0;
    char *body = strstr(out, "\r\n\r\n");
    if (rc || !body || strncmp(out, "HTTP/1.", 7) != 0 || strncmp(out + 9, "200", 3) != 0)
        return -1;
    memmove(out, body + 4, strlen(body + 4) + 1);
    return 0;
}

double tnet_metric(struct tnet *t, unsigned i, const char *sample)
{
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    double v = -1;
    if (buf && tnet_http_get(t->notaries[i].api_port, "/metrics", buf, cap) == 0) {
        v = 0;
        size_t n = strlen(sample);
        for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1
                                                                        : NULL)
            if (strncmp(line, sample, n) == 0 && line[n] == ' ')
                v = strtod(line + n + 1, NULL);
    }
    free(buf);
    return v;
}

int tnet_log_has(struct tnet *t, unsigned i, const char *needle)
{
    FILE *f = fopen(t->notaries[i].log, "r");
    char line[4096];
    int found = 0;
    while (f && !found && fgets(line, sizeof(line), f))
        found = strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return found;
}

/* ---- a bare WebSocket client ----------------------------------------------------------------- */

int tws_connect(int port, const char *path, const char *protocol)
{
    char req[512], resp[2048];
    size_t len = 0;
    int fd = tcp_connect(port);
    if (fd < 0)
        return -1;
    snprintf(req, sizeof(req),
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n", path, port,
             protocol ? "Sec-WebSocket-Protocol: " : "", protocol ? protocol : "",
             protocol ? "\r\n" : "");
    if (write_all(fd, req, strlen(req)) != 0)
        goto fail;
    /* Byte by byte up to the blank line, so no frame byte is swallowed with the headers. */
    while (len + 1 < sizeof(resp) && !(len >= 4 && memcmp(resp + len - 4, "\r\n\r\n", 4) == 0))
        if (read_exact(fd, resp + len++, 1, 5000) != 0)
            goto fail;
    resp[len] = 0;
    if (strncmp(resp, "HTTP/1.1 101", 12) == 0)
        return fd;
fail:
    close(fd);
    return -1;
}

static size_t frame_header(uint8_t h[14], int opcode, uint64_t len)
{
    size_t n = 2;
    h[0] = (uint8_t)(0x80 | (opcode & 0x0f));
    if (len < 126) {
        h[1] = (uint8_t)(0x80 | len);
    } else if (len <= 0xffff) {
        h[1] = 0x80 | 126, h[2] = (uint8_t)(len >> 8), h[3] = (uint8_t)len, n = 4;
    } else {
        h[1] = 0x80 | 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)(len >> (56 - 8 * i));
        n = 10;
    }
    memset(h + n, 0, 4); /* a zero mask: masked, as the RFC requires of clients, and readable */
    return n + 4;
}

int tws_send_header_only(int fd, int opcode, uint64_t len, const void *data, size_t sent)
{
    uint8_t h[14];
    size_t n = frame_header(h, opcode, len);
    return write_all(fd, h, n) || (sent && write_all(fd, data, sent)) ? -1 : 0;
}

int tws_send(int fd, int opcode, const void *data, size_t len)
{
    return tws_send_header_only(fd, opcode, len, data, len);
}

int tws_recv(int fd, char *out, size_t cap, unsigned timeout_ms)
{
    for (;;) {
        uint8_t h[2], ext[8];
        int rc = read_exact(fd, h, 2, timeout_ms);
        if (rc)
            return rc;
        uint64_t len = h[1] & 0x7f;
        size_t extn = len == 126 ? 2 : len == 127 ? 8 : 0;
        if (extn && (rc = read_exact(fd, ext, extn, timeout_ms)) != 0)
            return rc;
        if (extn) {
            len = 0;
            for (size_t i = 0; i < extn; i++)
                len = len << 8 | ext[i];
        }
        if ((h[0] & 0x0f) == 8)
            return -2; /* close */
        if (len + 1 > cap)
            return -1;
        if ((rc = read_exact(fd, out, (size_t)len, timeout_ms)) != 0)
            return rc;
        out[len] = 0;
        if ((h[0] & 0x0f) == 1)
            return (int)len;
        /* ping, pong, binary: skip */
    }
}

/* ---- store checks ---------------------------------------------------------------------------- */

static int check_guards(sqlite3 *db, struct tnet *t, size_t *n)
{
    sqlite3_stmt *st = NULL;
    int bad = 0;
    const char *sql = "SELECT g.committee, g.epoch, g.digest, g.message, m.id FROM signed_lane_seq g"
                      " LEFT JOIN messages m ON m.id = g.message AND m.src_chain = g.src_chain"
                      " AND m.dst_chain = g.dst_chain AND m.seq = g.seq";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint8_t want[32];
        (*n)++;
        if (sqlite3_column_type(st, 4) == SQLITE_NULL || sqlite3_column_bytes(st, 3) != 32 ||
            memcmp(sqlite3_column_blob(st, 0), t->committee, 32) != 0) {
            fprintf(stderr, "store check: a guard names no stored message of its lane and seq\n");
            bad = 1;
            continue;
        }
        qiao_attest_digest(want, t->committee, (uint64_t)sqlite3_column_int64(st, 1),
                           sqlite3_column_blob(st, 3));
        if (memcmp(want, sqlite3_column_blob(st, 2), 32) != 0) {
            fprintf(stderr, "store check: a guard holds another digest than its message's\n");
            bad = 1;
        }
    }
    sqlite3_finalize(st);
    return bad ? -1 : 0;
}

static int check_equivocation(sqlite3 *db, size_t *n)
{
    sqlite3_stmt *st = NULL;
    int bad = 0;
    const char *count = "SELECT count(*) FROM attestations";
    const char *sql = "SELECT hex(a.signer), m.src_chain, m.dst_chain, m.seq,"
                      " count(DISTINCT a.message) FROM attestations a JOIN messages m"
                      " ON m.id = a.message GROUP BY a.signer, a.epoch, m.src_chain,"
                      " m.dst_chain, m.seq HAVING count(DISTINCT a.message) > 1";
    if (sqlite3_prepare_v2(db, count, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        fprintf(stderr, "store check: signer 0x%s signed %d messages for lane %lld->%lld seq %lld\n",
                sqlite3_column_text(st, 0), sqlite3_column_int(st, 4), sqlite3_column_int64(st, 1),
                sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
        bad = 1;
    }
    sqlite3_finalize(st);
    return bad ? -1 : 0;
}

int tnet_store_check(struct tnet *t, unsigned i, size_t *guards, size_t *atts)
{
    sqlite3 *db = NULL;
    *guards = *atts = 0;
    if (sqlite3_open_v2(t->notaries[i].store, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "store check: cannot open %s\n", t->notaries[i].store);
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    int rc = check_guards(db, t, guards) | check_equivocation(db, atts);
    sqlite3_close(db);
    return rc ? -1 : 0;
}
